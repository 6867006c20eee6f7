"""插件目录：`plugin_dir` 与 localstore 自己的 get_plugin_*_dir() 给出同一个目录，包括按插件的覆盖。"""

from __future__ import annotations

import sys
from pathlib import Path

import nonebot
import pytest


def _localstore_answer(module_name: str, function: str) -> Path:
    """让 localstore 自己找调用者：这段代码的帧属于 `module_name` 的源文件。"""
    import nonebot_plugin_localstore

    source = sys.modules[module_name].__file__
    assert source is not None
    namespace = {"function": getattr(nonebot_plugin_localstore, function)}
    exec(compile("result = function()", source, "exec"), namespace)
    return namespace["result"]


CASES = [
    ("cache", "plugins.guard_core", "get_plugin_cache_dir"),
    ("data", "plugins.admin.state", "get_plugin_data_dir"),
    ("data", "plugins.stats.recorder", "get_plugin_data_dir"),
]


@pytest.mark.parametrize(("kind", "module", "function"), CASES)
def test_same_directory_as_localstore(
    load_plugins: None, kind: str, module: str, function: str
) -> None:
    from plugins.guard_core import plugin_dir

    got = plugin_dir(kind, module)  # type: ignore[arg-type]
    assert got == _localstore_answer(module, function)
    assert got.is_dir()


@pytest.mark.parametrize(("kind", "module", "function"), CASES)
def test_per_plugin_override_is_honoured(
    load_plugins: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    module: str,
    function: str,
) -> None:
    from nonebot_plugin_localstore import plugin_config  # localstore 启动时读好的设置

    from plugins.guard_core import plugin_dir

    plugin = nonebot.get_plugin_by_module_name(module)
    assert plugin is not None
    target = tmp_path / "elsewhere" / plugin.id_
    monkeypatch.setattr(plugin_config, f"localstore_plugin_{kind}_dir", {plugin.id_: target})
    got = plugin_dir(kind, module)  # type: ignore[arg-type]
    assert got == target == _localstore_answer(module, function)
    assert target.is_dir()


def test_module_outside_any_plugin_is_an_error(load_plugins: None) -> None:
    from plugins.guard_core import plugin_dir

    with pytest.raises(RuntimeError, match="不属于任何已加载的插件"):
        plugin_dir("data", "cardguard.store")

"""命令行不启动 NoneBot 也要找到和机器人相同的数据、缓存目录：拿 localstore 自己算出的结果核对。"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cardguard.config import cache_dir, check_settings, data_dir

PLUGIN = "nonebot_plugin_cardguard"

# 在子进程里按给定设置初始化 NoneBot，问 localstore 本插件的数据、缓存目录。
_ASK_LOCALSTORE = r"""
import json, os, sys
from types import SimpleNamespace
import nonebot
nonebot.init(_env_file=(os.devnull,), **json.loads(sys.argv[1]))
import nonebot_plugin_localstore as ls
plugin = SimpleNamespace(id_=sys.argv[2])
data = ls._get_plugin_path(ls.BASE_DATA_DIR, ls.plugin_config.localstore_plugin_data_dir, plugin)
cache = ls._get_plugin_path(ls.BASE_CACHE_DIR, ls.plugin_config.localstore_plugin_cache_dir, plugin)
print(json.dumps([str(data), str(cache)]))
"""


def localstore_says(settings: dict[str, object], cwd: Path) -> tuple[Path, Path]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(("LOCALSTORE_", "CARDGUARD_"))
    }
    done = subprocess.run(
        [sys.executable, "-c", _ASK_LOCALSTORE, json.dumps(settings), PLUGIN],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    data, cache = json.loads(done.stdout.strip().splitlines()[-1])
    return (cwd / data).resolve(), (cwd / cache).resolve()


CASES = {
    "默认（用户目录）": {},
    "用当前目录": {"localstore_use_cwd": "true"},
    "指定总目录": {"localstore_data_dir": "store/d", "localstore_cache_dir": "store/c"},
    "总目录优先于当前目录": {"localstore_use_cwd": "true", "localstore_cache_dir": "elsewhere"},
    "单独指定本插件": {
        "localstore_data_dir": "store/d",
        "localstore_plugin_data_dir": json.dumps({PLUGIN: "mine/data"}),
        "localstore_plugin_cache_dir": json.dumps({PLUGIN: "mine/cache"}),
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_directories_match_localstore(name: str, tmp_path: Path) -> None:
    raw = {key: str(value) for key, value in CASES[name].items()}
    checked = check_settings(raw)
    assert checked.config is not None, checked.problems
    # localstore 读的是解析后的值：插件单独的目录是 JSON 字典。
    settings: dict[str, object] = {
        key: json.loads(value) if key.startswith("localstore_plugin_") else value
        for key, value in raw.items()
    }
    want_data, want_cache = localstore_says(settings, tmp_path)
    assert data_dir(raw, checked.config, tmp_path) == want_data
    assert cache_dir(raw, tmp_path) == want_cache


def test_cardguard_data_dir_wins_over_localstore(tmp_path: Path) -> None:
    raw = {"cardguard_data_dir": "bot-data", "localstore_use_cwd": "true"}
    checked = check_settings(raw)
    assert checked.config is not None, checked.problems
    assert data_dir(raw, checked.config, tmp_path) == (tmp_path / "bot-data").resolve()
    # 缓存不受 CARDGUARD_DATA_DIR 影响，仍由 localstore 决定。
    assert cache_dir(raw, tmp_path) == (tmp_path / "cache" / PLUGIN).resolve()

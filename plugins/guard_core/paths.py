"""各插件在 nonebot-plugin-localstore 下的数据目录和缓存目录。"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from nonebot import get_plugin_by_module_name
from nonebot_plugin_localstore import get_cache_dir, get_data_dir
from nonebot_plugin_localstore import plugin_config as localstore_config


def plugin_dir(kind: Literal["cache", "data"], module_name: str) -> Path:
    """`module_name` 所在插件的目录，不存在就建；与 localstore 的 `get_plugin_*_dir()` 是同一个。

    按插件的覆盖（`LOCALSTORE_PLUGIN_DATA_DIR` / `LOCALSTORE_PLUGIN_CACHE_DIR`）同样生效。
    不调用 `get_plugin_*_dir()`：它逐帧用 `inspect.getmodule` 找调用者，第一次调用要把已导入的
    六百多个模块的路径逐个 realpath 一遍，启动多花约 30 毫秒（见 dispatch.create_dispatcher）。
    """
    plugin = get_plugin_by_module_name(module_name)
    if plugin is None:
        raise RuntimeError(f"{module_name} 不属于任何已加载的插件")
    if ":" in plugin.id_:  # 子插件的目录 localstore 另有规则；本项目的插件都是顶层的
        raise RuntimeError(f"{plugin.id_} 是子插件，plugin_dir 只管顶层插件")
    if kind == "cache":
        overrides, default = localstore_config.localstore_plugin_cache_dir, get_cache_dir
    else:
        overrides, default = localstore_config.localstore_plugin_data_dir, get_data_dir
    path = overrides.get(plugin.id_)
    if path is None:
        return default(plugin.id_)
    path.mkdir(parents=True, exist_ok=True)
    return path

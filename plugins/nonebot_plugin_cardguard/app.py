"""插件的单例：设置、运行时、发件箱、路由表。导入这个模块时建好，功能模块从这里取用。"""

from __future__ import annotations

import shutil
from pathlib import Path

from nonebot import get_driver, get_plugin_config
from nonebot.log import logger
from nonebot_plugin_localstore import get_data_dir, get_plugin_cache_dir, get_plugin_data_dir
from pydantic import ValidationError

from .config import Config, ConfigError, explain
from .logs import hide_chat_in_logs, quiet_core_logs
from .outbox import Outbox
from .router import Router, create_router
from .runtime import Runtime, create_runtime

LEGACY_DIRS = ("admin", "stats")  # 改名之前各插件在 localstore 下的数据目录


def load_config() -> Config:
    """读本插件的设置；写错了抛出 `ConfigError`，每个问题一行中文（bot.py 启动前也会先查一遍）。"""
    try:
        return get_plugin_config(Config)
    except ValidationError as exc:
        raise ConfigError(explain(exc)) from None


def data_dir(config: Config) -> Path:
    """管理员数据和统计存放的文件夹：CARDGUARD_DATA_DIR，或 localstore 给本插件的数据目录。"""
    if config.cardguard_data_dir is not None:
        config.cardguard_data_dir.mkdir(parents=True, exist_ok=True)
        return config.cardguard_data_dir
    path = get_plugin_data_dir()
    move_legacy_data(get_data_dir(None), path)
    return path


def move_legacy_data(base: Path, target: Path) -> None:
    """以前的版本把数据放在 localstore 的 admin/ 和 stats/ 下：第一次启动新版本时原样搬过来。"""
    for name in LEGACY_DIRS:
        old, new = base / name, target / name
        if old.is_dir() and not new.exists() and any(old.iterdir()):
            shutil.move(str(old), str(new))
            logger.warning(f"已把旧版本的数据 {name}/ 搬到新的数据目录（内容没有改动）")


config: Config = load_config()
if not config.cardguard_log_messages:
    hide_chat_in_logs()
quiet_core_logs()
_data = data_dir(config)
logger.info(f"数据目录（群里改过的问答、各群设置、统计；备份就复制它）：{_data}")
runtime: Runtime = create_runtime(config, _data, get_plugin_cache_dir())
outbox = Outbox(config.cardguard_group_budget)
router: Router = create_router(runtime, outbox)
get_driver().on_shutdown(runtime.close)

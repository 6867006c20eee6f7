"""测试公共设置：NoneBot 初始化（nonebug）、加载全部插件、临时数据目录。"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from nonebug import NONEBOT_INIT_KWARGS

ROOT = Path(__file__).resolve().parents[1]
SUPERUSER = "10001"
DATA_DIR = Path(tempfile.mkdtemp(prefix="cardguard-test-data-"))


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")
    config.stash[NONEBOT_INIT_KWARGS] = {
        "driver": "~fastapi+~websockets+~httpx",
        "superusers": {SUPERUSER},
        "command_start": {"/"},
        "localstore_data_dir": str(DATA_DIR / "data"),
        "localstore_cache_dir": str(DATA_DIR / "cache"),
        "localstore_config_dir": str(DATA_DIR / "config"),
        "cardguard_user_cooldown": 0,
        "log_level": "WARNING",
    }


@pytest.fixture(scope="session", autouse=True)
def load_plugins(nonebug_init: None) -> None:
    """注册 OneBot v11 适配器并加载机器人的全部插件（与 bot.py 相同）。"""
    import nonebot
    from nonebot.adapters.onebot.v11 import Adapter

    import bot

    nonebot.get_driver().register_adapter(Adapter)
    for name in bot.PLUGINS:
        try:
            nonebot.load_plugin(name)
        except ModuleNotFoundError:
            continue


@pytest.fixture
def runtime(load_plugins: None):  # type: ignore[no-untyped-def]
    """插件共享的运行时（知识、设置、预算）。"""
    from plugins.guard_core import runtime as rt

    return rt

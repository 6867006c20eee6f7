"""测试公共设置：NoneBot 初始化（nonebug）、按 pyproject.toml 加载插件（和 bot.py 相同）、临时数据目录。"""

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
    # 命令行（测试里的子进程）和机器人一样把索引、训练结果缓存在 localstore 的缓存目录：
    # 指到临时目录，测试不往用户目录里写东西。
    os.environ.setdefault("LOCALSTORE_CACHE_DIR", str(DATA_DIR / "cache"))
    config.stash[NONEBOT_INIT_KWARGS] = {
        "driver": "~fastapi+~websockets+~httpx",
        "superusers": {SUPERUSER},
        "command_start": {"/"},
        "localstore_data_dir": str(DATA_DIR / "data"),
        "localstore_cache_dir": str(DATA_DIR / "cache"),
        "localstore_config_dir": str(DATA_DIR / "config"),
        "log_level": "WARNING",
        "cardguard_fetch_private": True,  # 测试的图片服务器在 127.0.0.1 上
    }


@pytest.fixture(scope="session", autouse=True)
def load_plugins(nonebug_init: None) -> None:
    """注册 OneBot v11 适配器并按 [tool.nonebot] 加载插件（与 bot.py 相同）。"""
    import nonebot
    from nonebot.adapters.onebot.v11 import Adapter

    import bot

    nonebot.get_driver().register_adapter(Adapter)
    bot.load_plugins(bot.project_table())


@pytest.fixture
def runtime(load_plugins: None):  # type: ignore[no-untyped-def]
    """插件共享的运行时（知识、设置、管理员数据）。"""
    from nonebot_plugin_cardguard import runtime as rt

    return rt


@pytest.fixture(autouse=True)
def fresh_memory(load_plugins: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """机器人的节奏状态都在内存里：每个测试换一份新的（和刚启动一样）。"""
    from cardguard.pacing import Cooldown, SendBudget
    from nonebot_plugin_cardguard.app import config, outbox
    from nonebot_plugin_cardguard.faq import state
    from nonebot_plugin_cardguard.links import guard

    monkeypatch.setattr(outbox, "budget", SendBudget(config.cardguard_group_budget, 60.0))
    monkeypatch.setattr(outbox, "_refusals", Cooldown(60.0))
    monkeypatch.setattr(outbox, "_said", type(outbox._said)())
    monkeypatch.setattr(state, "asks", SendBudget(state.ASKS_PER_MINUTE, 60.0))
    monkeypatch.setattr(state, "slow_down", Cooldown(60.0))
    monkeypatch.setattr(state, "same_question", Cooldown(config.cardguard_user_cooldown))
    monkeypatch.setattr(state, "help_cooldown", Cooldown(state.HELP_COOLDOWN))
    monkeypatch.setattr(state, "answer_cooldown", Cooldown(config.cardguard_answer_cooldown))
    monkeypatch.setattr(state, "choices", state.Choices())
    monkeypatch.setattr(guard, "link_cooldown", Cooldown(config.cardguard_link_cooldown))


SLOW = (
    "tests/e2e/",  # 真的启动 bot.py 进程
    "tests/bench/",  # 跑一遍小规模基准
    "tests/test_packaging.py",  # 打 wheel、建虚拟环境
    "tests/core/test_index_agrees.py",  # 1k、10k 条知识上逐题比对
    "tests/core/test_store_crash.py",  # 反复 kill -9
    "tests/core/test_growth.py",  # 10k 条知识
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """这些测试慢：打上 slow 标记，平时可以 pytest -m "not slow" 跳过（.ci/run 全跑）。"""
    for item in items:
        path = item.path.relative_to(ROOT).as_posix()
        if path.startswith(SLOW):
            item.add_marker(pytest.mark.slow)

"""卡盟安全助手的公共部分：配置、运行时状态、发言预算与安全发送，以及唯一的消息路由 `router`。"""

import asyncio

from nonebot import get_driver, get_plugin_config, require
from nonebot.log import logger
from nonebot.plugin import PluginMetadata

require("nonebot_plugin_localstore")

from cardguard.links.extract import warm_up as warm_up_links  # noqa: E402
from cardguard.text import warm_up as warm_up_text  # noqa: E402

from .chat import (  # noqa: E402
    ADMIN_ROLES,
    Chat,
    RecentSent,
    Sent,
    can_manage,
    chat_of,
    log_dropped,
    replied_to,
    send_text,
    text_message,
)
from .config import Config  # noqa: E402
from .dispatch import Dispatcher, Glance, create_dispatcher  # noqa: E402
from .intake import Intake  # noqa: E402
from .logs import hide_chat_in_logs, quiet_core_logs  # noqa: E402
from .merge import Flush, WarningMerger  # noqa: E402
from .paths import plugin_dir  # noqa: E402
from .runtime import Runtime, create_runtime  # noqa: E402

__plugin_meta__ = PluginMetadata(
    name="卡盟安全助手·核心",
    description="知识库、各群设置、发言预算：其他卡盟安全助手插件共用",
    usage="无命令；由 faq、link_guard、admin 插件使用",
    type="library",
    config=Config,
)

config = get_plugin_config(Config)
if not config.cardguard_log_messages:
    hide_chat_in_logs()
quiet_core_logs()
runtime: Runtime = create_runtime(config, plugin_dir("cache", __name__))
intake = Intake(runtime)
router: Dispatcher = create_dispatcher(intake)


_warming: list[asyncio.Future[None]] = []


@get_driver().on_startup
async def _warm_up_soon() -> None:
    """索引、繁简字表、公共后缀表和话题模型第一次用到时才需要：放到后台线程里先准备好，不拖慢开始监听。

    这时管理员覆盖层已经叠上，索引只建这一次；预热还没建完就来了要匹配的消息时，它等预热建完（不重复建）。
    """
    _warming.append(asyncio.get_running_loop().run_in_executor(None, _warm_up))


async def warmed_up() -> None:
    """等后台预热做完（没开始过就立即返回）；基准要在稳定状态下计时。"""
    await asyncio.gather(*_warming)


def _warm_up() -> None:
    try:
        runtime.matcher  # noqa: B018
        warm_up_text()
        warm_up_links()
        runtime.matcher.topic  # noqa: B018
    except Exception as exc:  # 预热失败不影响使用：用到时会再建一次
        logger.opt(exception=exc).warning("后台预热失败，第一次用到时再准备")


__all__ = [
    "ADMIN_ROLES",
    "Chat",
    "Config",
    "Dispatcher",
    "Flush",
    "Glance",
    "Intake",
    "RecentSent",
    "Runtime",
    "Sent",
    "WarningMerger",
    "can_manage",
    "chat_of",
    "config",
    "intake",
    "log_dropped",
    "plugin_dir",
    "replied_to",
    "router",
    "runtime",
    "send_text",
    "text_message",
    "warmed_up",
]

"""卡盟安全助手的公共部分：配置、运行时状态、发言预算与安全发送，以及唯一的消息路由 `router`。"""

from nonebot import get_driver, get_plugin_config
from nonebot.plugin import PluginMetadata

from .chat import Chat, Sent, chat_of, log_dropped, send_text, text_message
from .config import Config
from .dispatch import Dispatcher, Glance, create_dispatcher
from .intake import Intake
from .logs import hide_chat_in_logs, quiet_core_logs
from .merge import Flush, WarningMerger
from .runtime import Runtime, create_runtime

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
runtime: Runtime = create_runtime(config)
intake = Intake(runtime)
router: Dispatcher = create_dispatcher(intake)


@get_driver().on_startup
async def _build_index() -> None:
    """开始接受连接之前建好索引（这时管理员覆盖层已经叠上，只建这一次）。"""
    runtime.matcher  # noqa: B018


__all__ = [
    "Chat",
    "Config",
    "Dispatcher",
    "Flush",
    "Glance",
    "Intake",
    "Runtime",
    "Sent",
    "WarningMerger",
    "chat_of",
    "config",
    "intake",
    "log_dropped",
    "router",
    "runtime",
    "send_text",
    "text_message",
]

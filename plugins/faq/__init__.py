"""回答发卡网/卡盟安全问题：@机器人、/问、旁听，以及 /帮助。"""

from nonebot import require
from nonebot.plugin import PluginMetadata

require("plugins.guard_core")

from . import feedback as feedback  # noqa: E402
from . import handlers as handlers  # noqa: E402
from .answer import HELP_TEXT  # noqa: E402

__plugin_meta__ = PluginMetadata(
    name="卡盟安全问答",
    description="用知识库回答发卡网、卡盟、自助下单平台的安全问题",
    usage=HELP_TEXT,
    type="application",
    supported_adapters=None,
)

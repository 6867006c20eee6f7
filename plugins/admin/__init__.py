"""群管理在群里维护问答和链接设置：/faq、/link、/guard（有审计、可撤销、重启不丢）。"""

from nonebot import require
from nonebot.plugin import PluginMetadata

require("plugins.guard_core")
require("nonebot_plugin_localstore")

from . import faq_cmds as faq_cmds  # noqa: E402
from . import guard_cmds as guard_cmds  # noqa: E402
from .replies import FAQ_USAGE, GUARD_USAGE, LINK_USAGE  # noqa: E402

__plugin_meta__ = PluginMetadata(
    name="卡盟安全助手·管理",
    description="群主、群管理和机器人管理员在群里添加、修改、撤销问答，管理链接拉黑/放行和守卫开关",
    usage="\n\n".join((FAQ_USAGE, LINK_USAGE, GUARD_USAGE)),
    type="application",
    supported_adapters=None,
)

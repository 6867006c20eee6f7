"""卡盟链接识别：群消息里的可疑发卡网链接（文字、分享卡片、二维码）→ 一条冷静、去链接化的提醒。"""

from nonebot import require
from nonebot.plugin import PluginMetadata

require("plugins.guard_core")

from . import handlers as handlers  # noqa: E402

__plugin_meta__ = PluginMetadata(
    name="卡盟链接识别",
    description="识别伪装过的卡盟/自动发卡网链接并在群里提醒；群管理回复“误报”即可放行该站点",
    usage="自动运行。群管理回复机器人的提醒“误报”可把该站点加入本群白名单；/link、/guard 见管理命令。",
    type="application",
    supported_adapters=None,
)

"""使用统计：把各插件记下的事（回答、没答上、警告、误报、撤回）按天按群计数，供 /guard stats 查看。"""

from nonebot import require
from nonebot.plugin import PluginMetadata

require("plugins.guard_core")
require("nonebot_plugin_localstore")

from .recorder import stats_store, stats_text  # noqa: E402

__plugin_meta__ = PluginMetadata(
    name="卡盟安全助手·统计",
    description="按天、按群统计回答、没答上、警告、误报反馈和撤回；只存计数，不存消息和 QQ 号",
    usage="群管理发 /guard stats [天数] 查看；命令行：python -m cardguard stats --days 7",
    type="library",
    supported_adapters=None,
)

__all__ = ["stats_store", "stats_text"]

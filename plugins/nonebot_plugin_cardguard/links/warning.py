"""提醒文字：去链接化的站点名、最多两条原因、一句风险、官方替代渠道。"""

from __future__ import annotations

from typing import Any

from cardguard.knowledge import Knowledge

DEFAULT_RISK = "risk-fraud"
OFFICIAL_HINT = "买点卡、充值请走官方：游戏官网/App、腾讯充值中心 pay.qq.com、官方旗舰店。"
HELP_HINT = "已被骗请打 110，反诈咨询 96110。"


def render_warning(top: Any, knowledge: Knowledge, *, recalled: bool | None = None) -> str:
    """给一条可疑链接写提醒；`recalled` 为 None 表示没有尝试撤回。"""
    reasons = "；".join(list(top.reasons)[:2]) or "像是卡盟/自动发卡网"
    lines = [
        _headline(top),
        f"原因：{reasons}。",
        _risk_line(top, knowledge),
        _official_line(top) + HELP_HINT,
    ]
    if recalled is True:
        lines.append("（已撤回原消息）")
    elif recalled is False:
        lines.append("（我不是管理员，没能撤回原消息）")
    return "\n".join(lines)


def _headline(top: Any) -> str:
    """第一行：去链接化的网址；冒充官方的说成钓鱼，punycode 附上它显示出来的样子。"""
    site = top.defanged
    shown = getattr(top, "shown_host", "")
    if shown and shown not in site:
        site = f"{site}（显示为 {shown}）"
    official = getattr(top, "official", "")
    if official:
        return f"⚠️ 注意：{site} 像是冒充 {official} 的钓鱼网站。"
    return f"⚠️ 注意：{site} 像是卡盟/自动发卡网。"


def _official_line(top: Any) -> str:
    official = getattr(top, "official", "")
    if official:
        return f"要登录或充值，请自己输入官网 {official}，别点群里的链接。"
    return OFFICIAL_HINT


def _risk_line(top: Any, knowledge: Knowledge) -> str:
    ids = list(getattr(top, "risk_ids", ()) or ()) or [DEFAULT_RISK]
    entry = next((knowledge.get(i) for i in ids if knowledge.get(i) is not None), None)
    if entry is None:
        return "风险：这类店常低价引流、收钱不发货，卖的卡密也可能来路不明。"
    title = entry.title or entry.question.rstrip("？?")
    return f"风险：{title}。想了解可以发「/问 {title}」"

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
        f"⚠️ 注意：{top.defanged} 像是卡盟/自动发卡网。",
        f"原因：{reasons}。",
        _risk_line(top, knowledge),
        OFFICIAL_HINT + HELP_HINT,
    ]
    if recalled is True:
        lines.append("（已撤回原消息）")
    elif recalled is False:
        lines.append("（我不是管理员，没能撤回原消息）")
    return "\n".join(lines)


def _risk_line(top: Any, knowledge: Knowledge) -> str:
    ids = list(getattr(top, "risk_ids", ()) or ()) or [DEFAULT_RISK]
    entry = next((knowledge.get(i) for i in ids if knowledge.get(i) is not None), None)
    if entry is None:
        return "风险：这类店常低价引流、收钱不发货，卖的卡密也可能来路不明。"
    title = entry.title or entry.question
    return f"风险：{title}。想了解可发「/问 {entry.question}」。"

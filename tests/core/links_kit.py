"""链接测试共用的小工具。"""

from __future__ import annotations

from cardguard.knowledge.domains import DomainRules
from cardguard.links import scan


def reasons(text: str, rules: DomainRules) -> str:
    """第一个链接的理由，用“；”连起来（没有链接时为空）。"""
    result = scan(text, rules)
    return "；".join(result.links[0].reasons) if result.links else ""


def assert_warns_as(url: str, system: str, rules: DomainRules) -> None:
    """这个网址单独就提醒，理由里点出是哪个发卡系统。"""
    assert scan(url, rules).verdict == "warn", reasons(url, rules)
    assert system in reasons(url, rules)


def assert_needs_second_signal(alone: str, with_second: str, rules: DomainRules) -> None:
    """通用形状：单独不到提醒线、但被认了出来（分数 > 0）；再有一个可疑之处就提醒。"""
    quiet = scan(alone, rules)
    assert quiet.verdict != "warn", reasons(alone, rules)
    assert quiet.score > 0, "这个形状应该被认出来（至少记日志或作为第二信号的底）"
    assert scan(with_second, rules).verdict == "warn", reasons(with_second, rules)

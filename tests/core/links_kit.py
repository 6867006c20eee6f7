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

"""管理命令参数的拆分：页码、编号。线性的新写法和原来的正则在普通长度的输入上结果一样。"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nonebug import App

from .admin_kit import ADMIN, say
from .events import group_message

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
OLD_PAGE_RE = re.compile(r"^(.*?)\s+(\d{1,4})$", re.DOTALL)  # 原来的写法（平方级），只作对照


def old_split_page(text: str) -> tuple[str, int]:
    text = text.strip()
    if text.isdecimal() and len(text) <= 4:
        return "", int(text)
    match = OLD_PAGE_RE.match(text)
    return (match.group(1).strip(), int(match.group(2))) if match else (text, 1)


@FUZZ
@given(st.text(alphabet=st.sampled_from(" \t\n\u3000退款a1２9٣²"), max_size=14))
def test_split_page_agrees_with_the_old_pattern(text: str) -> None:
    from nonebot_plugin_cardguard.admin.parsing import split_page

    assert split_page(text) == old_split_page(text)


def test_pages_and_numbers() -> None:
    from nonebot_plugin_cardguard.admin.parsing import parse_number, split_page

    assert split_page("退款 2") == ("退款", 2)
    assert split_page("付了钱\n不发货   12") == ("付了钱\n不发货", 12)
    assert split_page("编号 12345") == ("编号 12345", 1), "五位数不是页码"
    assert split_page("3") == ("", 3)
    assert split_page("²") == ("²", 1), "上标数字不是页码（int() 不认）"
    assert parse_number("#12") == 12 and parse_number("＃3") == 3
    assert parse_number("²") is None and parse_number("9" * 5000) is None


async def test_search_with_a_huge_gap_before_the_page_still_answers(app: App) -> None:
    event = group_message("/faq search 退款" + " " * 20_000 + "2", user=ADMIN, role="admin")
    reply = await say(app, event)
    assert "退款" in reply


async def test_approve_with_a_strange_number_gets_the_usage(app: App) -> None:
    event = group_message("/faq approve ²", user=10001)
    assert (await say(app, event)).startswith("用法：/faq approve 审核编号")

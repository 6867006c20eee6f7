"""编号：一区/2区、第一期/首期、v1、1.19、甲3号、A服——认得出，写法不同也对得上，对不上就降分。"""

from __future__ import annotations

import pytest

from cardguard.matching import prepare
from cardguard.matching.idents import (
    MATCHED,
    MISMATCH,
    MISSING,
    arabic_numbers,
    cn_number,
    entry_identifiers,
    identifier_factor,
    identifiers,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一区服务器地址是多少", {"1"}),
        ("2区怎么连", {"2"}),
        ("第十二期活动", {"12"}),
        ("首期建筑赛咋报", {"1"}),
        ("v1整合包在哪下载", {"v1"}),
        ("1.19版本能进服吗", {"1.19"}),
        ("测试问题甲3号怎么处理", {"甲3"}),
        ("乙二组集合", {"乙2"}),
        ("A服是什么玩法", {"a"}),
        ("三单元的电梯修好了吗", {"3"}),
        ("五幢门禁卡去哪办", {"5"}),
        ("一下子就没了 一直等", set()),
        ("买了一单还没发货", set()),
        ("首先说一下", set()),
    ],
)
def test_identifiers(text: str, expected: set[str]) -> None:
    assert identifiers(prepare(text)) == expected


def test_chinese_numbers() -> None:
    assert [cn_number(t) for t in ("七", "十", "十二", "二十", "一百零五", "两", "x")] == [
        7,
        10,
        12,
        20,
        105,
        2,
        None,
    ]


def test_entry_identifiers_need_most_phrasings() -> None:
    assert entry_identifiers([prepare(t) for t in ("一区ip", "1区地址", "生存一区怎么进")]) == {"1"}
    # 发布的条目里偶尔出现的金额不是它的编号
    assert entry_identifiers([prepare(t) for t in ("648只要300", "便宜吗", "能买吗")]) == set()


def test_factor() -> None:
    own = frozenset({"1.19"})
    assert identifier_factor(frozenset({"1.19.2"}), own) == MATCHED  # 版本号按前缀
    assert identifier_factor(frozenset({"1.20"}), own) == MISMATCH
    assert identifier_factor(frozenset(), own) == MISSING
    assert identifier_factor(frozenset({"3"}), frozenset()) == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二十五号几点开始", "25号几点开始"),
        ("第三赛季奖励", "第3赛季奖励"),
        ("一服的公会", "1服的公会"),
        ("周三的课在哪", "周3的课在哪"),
        ("礼拜六几点集合", "周6几点集合"),
        ("星期天有课吗", "周7有课吗"),
        ("拾寸照片", "10寸照片"),
        # 不是编号的中文数字不动
        ("上周一个网址这周又换了", "上周一个网址这周又换了"),
        ("等一下 三天了", "等一下 三天了"),
    ],
)
def test_arabic_numbers(text: str, expected: str) -> None:
    assert arabic_numbers(text) == expected


def test_written_and_arabic_numbers_share_the_same_text() -> None:
    assert prepare("二十五号晚上有活动吗") == prepare("25号晚上有活动吗")


def test_letter_prefix_may_be_left_out() -> None:
    assert identifier_factor(frozenset({"1"}), frozenset({"s1"})) == MATCHED
    assert identifier_factor(frozenset({"3.4"}), frozenset({"v3.4"})) == MATCHED
    assert identifier_factor(frozenset({"a1"}), frozenset({"s1"})) == MISMATCH
    # 光一个整数不是版本号的前缀：第3季不是 3.3 版
    assert identifier_factor(frozenset({"3"}), frozenset({"3.3"})) == MISMATCH

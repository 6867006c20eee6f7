"""一条消息能让扫描做多少事（issue 16 第 2 条）：每一步线性、每种消息段都受同一份预算限制。

不量时间：数每一步拿到多少字、被调用多少次，证明工作量有固定上限、与恶意输入的大小无关。
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import extract, scan, scan_cost, scanner, segments
from cardguard.links.segments import MAX_RAW_CHARS, MAX_SEGMENTS, pieces_from

PARENS = "http://a/" + ")" * 19_980


def _json_cards(count: int, urls_per_card: int = 3) -> list[dict[str, Any]]:
    card = json.dumps({"meta": {f"url{i}": PARENS for i in range(urls_per_card)}})
    return [{"type": "json", "data": {"data": card}} for _ in range(count)]


@contextmanager
def _sizes(module: Any, name: str) -> Iterator[list[int]]:
    """记下 module.name(text, ...) 每次拿到的第一个参数的长度。"""
    seen: list[int] = []
    original: Callable[..., Any] = getattr(module, name)

    def spy(text: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(len(text) if isinstance(text, str) else 0)
        return original(text, *args, **kwargs)

    setattr(module, name, spy)
    try:
        yield seen
    finally:
        setattr(module, name, original)


@pytest.mark.parametrize("cards", [10, 40])
def test_json_cards_full_of_parentheses_cost_a_bounded_amount(
    cards: int, rules: DomainRules
) -> None:
    """十张（或四十张）json 卡片，每张三个 http://a/ + 19,980 个“)”：处理的字数封顶。"""
    message = _json_cards(cards)
    raw = sum(len(seg["data"]["data"]) for seg in message)
    assert raw > 3 * MAX_RAW_CHARS
    with _sizes(segments.json, "loads") as parsed, _sizes(scanner, "links_in_text") as scanned:
        result = scan(message, rules)
    assert result.verdict == "quiet"
    assert sum(parsed) <= MAX_RAW_CHARS
    assert sum(scanned) <= scanner.MAX_SCAN_CHARS


def test_forty_cards_do_no_more_work_than_ten(rules: DomainRules) -> None:
    work = []
    for cards in (10, 40):
        with _sizes(segments.json, "loads") as parsed, _sizes(scanner, "links_in_text") as seen:
            scan(_json_cards(cards), rules)
        work.append((sum(parsed), sum(seen)))
    assert work[0] == work[1]


def test_trailing_parentheses_are_trimmed_in_one_pass() -> None:
    """去掉尾部“)”时不在循环里反复数括号：数一数 str.count 被调用了几次。"""
    calls = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "c_call" and getattr(arg, "__name__", "") == "count":
            calls += 1

    sys.setprofile(profile)
    try:
        trimmed = extract._trim(PARENS)
    finally:
        sys.setprofile(None)
    assert trimmed == "http://a/"
    assert calls <= 2


@pytest.mark.parametrize(
    "segment",
    [
        {"type": "markdown", "data": {"content": "x" * 1_000_000}},
        {"type": "xml", "data": {"data": "<msg url='x'/>" * 100_000}},
        {"type": "share", "data": {"url": "https://a.example.com/" + "b" * 1_000_000}},
        {"type": "text", "data": {"text": "kami " * 400_000}},
    ],
    ids=["markdown", "xml", "share", "text"],
)
def test_every_segment_type_draws_from_the_same_budget(segment: dict[str, Any]) -> None:
    pieces = pieces_from([segment, segment, segment])
    assert sum(len(p.text) for p in pieces) <= MAX_RAW_CHARS + 2 * segments.MAX_CLAIM


def test_nested_forward_nodes_share_the_segment_budget() -> None:
    """转发消息里套转发：200 × 200 × 200 个消息段也只看 MAX_SEGMENTS 个。"""
    leaf = [{"type": "text", "data": {"text": "a"}}] * 200
    middle = [{"type": "node", "data": {"content": leaf}}] * 200
    top = [{"type": "node", "data": {"content": middle}}] * 200
    visited = 0
    original = segments.kind_and_data

    def counting(segment: Any) -> tuple[str, Any]:
        nonlocal visited
        visited += 1
        return original(segment)

    segments.kind_and_data = counting
    try:
        pieces_from(top)
    finally:
        segments.kind_and_data = original
    assert visited <= MAX_SEGMENTS


def test_extra_texts_are_capped(rules: DomainRules) -> None:
    extra = ["https://a.example.com/" + ")" * 50_000] * 100
    with _sizes(scanner, "links_in_text") as scanned:
        scan("看图", rules, extra_texts=extra)
    assert sum(scanned) <= scanner.MAX_SCAN_CHARS


def test_scan_cost_is_cheap_and_bounded() -> None:
    assert scan_cost("你好") == 2
    small = scan_cost([{"type": "text", "data": {"text": "https://a.example.com/buy/1"}}])
    big = scan_cost(_json_cards(40))
    assert small < 100 < MAX_RAW_CHARS == big
    nested = [{"type": "node", "data": {"content": _json_cards(10)}}]
    assert scan_cost(nested) == MAX_RAW_CHARS
    assert scan_cost([{"type": "json", "data": {"data": {"meta": {}}}}]) == segments.MAPPING_COST


def test_a_shop_link_before_the_junk_is_still_found(rules: DomainRules) -> None:
    """预算只截掉后面的部分：前面的卡盟链接照样提醒。"""
    message = [
        {"type": "text", "data": {"text": "卡密 https://kami88.top/buy/1"}},
        *_json_cards(10),
    ]
    assert scan(message, rules).verdict == "warn"

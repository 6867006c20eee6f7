"""性质测试：任意文本/消息段都不会让扫描出错；超长的对抗输入也能很快跑完（线性）；
预检 `might_have_link` 从不放过 `scan` 会提醒的消息。"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardguard.knowledge.domains import DomainRules
from cardguard.links import load_rules, might_have_link, scan
from cardguard.links.deobfuscate import MAX_CHARS, deobfuscate
from cardguard.links.extract import MAX_LINKS, links_in_text

RULES: DomainRules = load_rules()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# 能拼出网址和各种伪装的零件，加上普通中文、表情、不可见字符。
TOKENS = [
    "kami", "88", "faka", "steam", "qq", "pay", "top", "xyz", "com", "cc", "md", "www", "x",
    ".", "。", "｡", "．", "点", "點", "丶", "・", "·", "dot", "DOT", "ｄｏｔ", "[.]", "(dot)",
    "【点】", " ", "  ", "\t", "\n", "/", "／", "buy", "/buy/3", "?mod=buy&tid=1", ":8888",
    "http://", "https://", "hxxp://", "h**p://", "ht tp://", "@", "xn--", "-", "_",
    "\u200b", "\u200d", "\x01", "\u3000", "🔥", "😂", "\ufffc", "ｋ", "Ａ", "８", "е", "ѕ",
    "自动发卡", "卡密", "全网最低", "秒发", "的", "了", "，", "！", "1.2.3.4", "3.14", "v2.5",
    "a", "b", "1", "0",
    # 对抗测试后加的零件：全角括号、更多点的替身、代替点的表情、形近后缀、编码、怪 IP、代码。
    "（", "）", "［", "］", "‧", "•", "⋅", "･", "🔸", "⭕", "c0m", "tοp", "%2F", "%3A%2F%2F", "%6B",
    "0x", "0xCB007108", "3232235777", "[", "]", "::", "Mr", "()", "(x)", "_", "&", "=",
]  # fmt: skip
token_text = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
any_text = st.text(max_size=300)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text | token_text,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["url", "jumpUrl", "title", "desc", "prompt", "preview", "meta", "x"])
            | any_text,
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)
json_strings = json_values.map(lambda v: json.dumps(v, ensure_ascii=False)) | any_text | token_text
xml_strings = st.lists(
    st.sampled_from(
        ['<msg url="', '">', "<title>", "</title>", "&amp;", "'", '"', "url=", "brief="]
    )
    | token_text,
    max_size=20,
).map("".join)
segment = st.one_of(
    st.builds(lambda t: {"type": "text", "data": {"text": t}}, token_text | any_text),
    st.builds(lambda d: {"type": "json", "data": {"data": d}}, json_strings),
    st.builds(lambda d: {"type": "xml", "data": {"data": d}}, xml_strings),
    st.builds(lambda u, t: {"type": "share", "data": {"url": u, "title": t}}, token_text, any_text),
    st.builds(lambda: {"type": "face", "data": {"id": "1"}}),
    st.builds(
        lambda d: {"type": "image", "data": d}, st.dictionaries(any_text, json_values, max_size=3)
    ),
    st.dictionaries(any_text, json_values, max_size=3),
)


@FUZZ
@given(st.one_of(token_text, any_text))
def test_scan_never_crashes_on_text(text: str) -> None:
    result = scan(text, RULES)
    assert result.verdict in ("warn", "log", "quiet")
    assert 0 <= result.score <= 100
    assert len(result.links) <= MAX_LINKS
    for link in result.links:
        assert "://" not in link.defanged


@FUZZ
@given(st.lists(segment, max_size=8))
def test_scan_never_crashes_on_segments(segments: list[dict[str, Any]]) -> None:
    result = scan(segments, RULES)
    assert result.verdict in ("warn", "log", "quiet")
    assert set(result.to_dict()) == {"verdict", "score", "links"}


@FUZZ
@given(st.one_of(token_text, any_text))
def test_fast_path_never_skips_a_link(text: str) -> None:
    """比“会提醒”更强：只要能找到任何网址，预检就必须返回 True。"""
    if not might_have_link(text):
        assert links_in_text(text, RULES)[1] == []
        assert scan(text, RULES).verdict == "quiet"


@FUZZ
@given(token_text)
def test_cq_strings_never_crash(text: str) -> None:
    scan(f"[CQ:share,url={text},title={text}]{text}[CQ:json,data={text}]", RULES)


ADVERSARIAL = [
    "a." * 100_000,
    "点" * 200_000,
    "a点" * 100_000,
    "[.]" * 70_000,
    "(dot)" * 40_000,
    "k " * 100_000,
    "a . " * 50_000,
    "a" * 200_000 + ".top",
    "1." * 100_000,
    "a-" * 100_000 + ".com",
    "xn--" * 50_000,
    "http://" * 30_000,
    "hxxp" * 50_000,
    "https://" + "a" * 200_000,
    "kami88.top/" + "a/" * 100_000,
    "🔥a" * 100_000,
    "\u200b" * 200_000 + "kami88.top",
    "ｋ" * 200_000,
    "@a." * 60_000,
    "[CQ:" * 50_000,
    "[CQ:share" + ",url=x" * 30_000 + "]",
    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z." * 4_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_adversarial_long_text_finishes_with_bounded_output(text: str) -> None:
    cleaned, links = links_in_text(text, RULES)
    assert len(cleaned.text) <= 2 * MAX_CHARS
    assert len(links) <= MAX_LINKS
    result = scan(text, RULES)
    assert len(result.links) <= MAX_LINKS


def test_deobfuscate_output_is_bounded() -> None:
    for text in ADVERSARIAL:
        assert len(deobfuscate(text).text) <= 2 * MAX_CHARS


@pytest.mark.parametrize(
    "raw",
    [
        '{"a":' * 1000 + '"https://kami88.top/buy/1"' + "}" * 1000,
        "[" * 100_000,
        '{"url":"' + "a" * 200_000 + '"}',
        json.dumps({"meta": [{"jumpUrl": f"https://kami{i}.top/buy/1"} for i in range(5_000)]}),
    ],
    ids=["deep", "open-brackets", "huge-string", "many-urls"],
)
def test_adversarial_cards_finish_with_bounded_output(raw: str) -> None:
    for kind in ("json", "xml"):
        result = scan([{"type": kind, "data": {"data": raw}}], RULES)
        assert len(result.links) <= MAX_LINKS


def test_links_per_message_are_capped() -> None:
    card = json.dumps({"meta": [{"jumpUrl": f"https://k{i}.top/buy/1"} for i in range(400)]})
    segments = [{"type": "json", "data": {"data": card}}] * 50
    assert len(scan(segments, RULES).links) == MAX_LINKS


def test_many_segments_are_capped() -> None:
    segments = [{"type": "text", "data": {"text": "kami88.top "}}] * 10_000
    assert len(scan(segments, RULES).links) <= MAX_LINKS

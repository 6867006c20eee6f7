"""找网址：每种伪装都能还原并记下来；不凭空造链接；卡片、分享、CQ 码里的网址都能找到。"""

from __future__ import annotations

import json

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import load_rules
from cardguard.links.deobfuscate import MAX_CHARS, Disguise, deobfuscate, disguise_names
from cardguard.links.extract import links_in_text
from cardguard.links.segments import Piece, json_card, parse_cq, pieces_from, xml_card


def _urls(text: str, rules: DomainRules) -> list[str]:
    return [link.url for link in links_in_text(text, rules)[1]]


DISGUISED = [
    ("k a m i 8 8 . t o p", Disguise.SPACED_LETTERS),
    ("kami🔥88.top", Disguise.EMOJI),
    ("kami88\u200b.top", Disguise.INVISIBLE),
    ("ｋａｍｉ８８．ｔｏｐ", Disguise.FULLWIDTH),
    ("kami88点top", Disguise.DOT_WORD),
    ("kami88點top", Disguise.DOT_WORD),
    ("kami88丶top", Disguise.DOT_WORD),
    ("kami88。top", Disguise.DOT_WORD),
    ("kami88｡top", Disguise.DOT_WORD),
    ("kami88・top", Disguise.DOT_WORD),
    ("kami88 点 top", Disguise.DOT_WORD),
    ("kami88 dot top", Disguise.DOT_WORD),
    ("kami88[.]top", Disguise.BRACKET_DOT),
    ("kami88(.)top", Disguise.BRACKET_DOT),
    ("kami88(dot)top", Disguise.BRACKET_DOT),
    ("kami88「.」top", Disguise.BRACKET_DOT),
    ("kami88『点』top", Disguise.BRACKET_DOT),
    ("kami88《.》top", Disguise.BRACKET_DOT),
    ("kami88[dot]top", Disguise.BRACKET_DOT),
    ("kami88{dot}top", Disguise.BRACKET_DOT),
    ("kami88【点】top", Disguise.BRACKET_DOT),
    ("kami88 . top", Disguise.SPACED_DOT),
    ("KAMI88.TOP", Disguise.UPPER),
]


@pytest.mark.parametrize(("text", "flag"), DISGUISED)
def test_each_disguise_is_undone_and_recorded(
    text: str, flag: Disguise, rules: DomainRules
) -> None:
    (link,) = links_in_text(f"买卡来 {text} 看看", rules)[1]
    assert link.host == "kami88.top"
    assert link.disguises & flag, disguise_names(link.disguises)


@pytest.mark.parametrize(
    "text", ["hxxp://kami88.top/buy/3", "h**p://kami88.top/buy/3", "ht tp://kami88.top/buy/3"]
)
def test_disguised_scheme(text: str, rules: DomainRules) -> None:
    (link,) = links_in_text(text, rules)[1]
    assert link.url == "http://kami88.top/buy/3"
    assert link.disguises & Disguise.SCHEME


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("s h o p . e x a m p l e . t o p / b u y / 3", "shop.example.top/buy/3"),
        ("e x a m p l e . c n / ? m o d = b u y & t i d = 7", "example.cn/?mod=buy&tid=7"),
        ("w w w . e x a m p l e . c n / item / 33 便宜", "www.example.cn/item/33"),
        (
            "p a y . e x a m p l e . c n / p a y / q r c o d e /20261207153012845/",
            "pay.example.cn/pay/qrcode/20261207153012845/",
        ),
        (
            "h t t p s : / / e x a m p l e . s t o r e / p r o d u c t s /vip-1",
            "https://example.store/products/vip-1",
        ),
        ("e x a m p l e . v i p / # / 2 / d e t a i l", "example.vip/#/2/detail"),
    ],
)
def test_spaced_out_links_keep_their_path(text: str, url: str, rules: DomainRules) -> None:
    """字母间加空格的网址：路径和查询串也要还原，路径特征才认得出。"""
    (link,) = links_in_text(text, rules)[1]
    assert link.url == url
    assert link.disguises & Disguise.SPACED_LETTERS


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("example 点 top / product / 12.html", "example.top/product/12.html"),
        ("example点top/ buy/ 3", "example.top/buy/3"),
        ("example[.]top / item / 7 便宜", "example.top/item/7"),
        ("ｅｘａｍｐｌｅ．ｔｏｐ / buy / 3", "example.top/buy/3"),
    ],
)
def test_spaced_path_after_a_disguised_host(text: str, url: str, rules: DomainRules) -> None:
    """主机已经伪装过时，斜杠两边加空格的路径也接回去。"""
    (link,) = links_in_text(text, rules)[1]
    assert link.url == url


@pytest.mark.parametrize(
    "text",
    [
        "p a y . q q . c o m / k a m i 8 8 . t o p",
        "pay点qq点com / kami88点top",
        "kami99[.]top / pay[.]qq[.]com",
    ],
)
def test_a_second_host_is_never_swallowed_as_a_path(text: str, rules: DomainRules) -> None:
    """“白名单网站 / 发卡站”不能接成一个网址，让发卡站躲进白名单网站的路径里。"""
    hosts = {link.host for link in links_in_text(text, rules)[1]}
    assert hosts >= {"pay.qq.com"} and ("kami88.top" in hosts or "kami99.top" in hosts), hosts


def test_spacing_around_slashes_alone_does_not_merge_separate_links(rules: DomainRules) -> None:
    """“a.com / b.com” 是两个网址：只有主机本身拆开写时，后面的“ / 词”才接成路径。"""
    assert _urls("备用 kami88.top / kami99.top / kami77.top", rules) == [
        "kami88.top",
        "kami99.top",
        "kami77.top",
    ]


def test_full_width_slashes_and_path(rules: DomainRules) -> None:
    (link,) = links_in_text("ｈｔｔｐｓ：／／ｋａｍｉ８８．ｔｏｐ／ｂｕｙ／３", rules)[1]
    assert link.url == "https://kami88.top/buy/3"


def test_plain_link_has_no_disguise_even_with_full_width_punctuation_nearby(
    rules: DomainRules,
) -> None:
    (link,) = links_in_text("卡密，看这里：kami88.top！", rules)[1]
    assert link.url == "kami88.top"
    assert link.disguises == Disguise.NONE


def test_punycode_and_unicode_hosts(rules: DomainRules) -> None:
    (puny,) = links_in_text("https://xn--stam-w4d.com/gift", rules)[1]
    assert puny.unicode_host == "stеam.com" and puny.disguises & Disguise.IDN
    (uni,) = links_in_text("https://stеam.com/gift", rules)[1]
    assert uni.host == "xn--stam-w4d.com" and uni.disguises & Disguise.IDN


def test_userinfo_trick_points_to_the_real_host(rules: DomainRules) -> None:
    (link,) = links_in_text("https://pay.qq.com@faka-king.xyz/x", rules)[1]
    assert link.host == "faka-king.xyz"
    assert link.disguises & Disguise.USERINFO


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("看 kami88.top/buy/3 吧", ["kami88.top/buy/3"]),
        ("www.x.com", ["www.x.com"]),
        ("http://1.2.3.4:8888/", ["http://1.2.3.4:8888/"]),
        ("1.2.3.4:8888", ["1.2.3.4:8888"]),
        ("(见 kami88.top/buy/3)", ["kami88.top/buy/3"]),
        ("https://kami88.top购买", ["https://kami88.top"]),
        ("https://b23.tv/abc123。", ["https://b23.tv/abc123"]),
        ("a.example.com,b.example.org", ["a.example.com", "b.example.org"]),
        ("x.github.io", ["x.github.io"]),
        ("kami88.cc", ["kami88.cc"]),
        ("kami88点cc", ["kami88.cc"]),
    ],
)
def test_links_found(text: str, expected: list[str], rules: DomainRules) -> None:
    assert _urls(text, rules) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我的邮箱 someone.name@example.com",
        "mail: a@kami88.top",
        "v2.5.0",
        "1.2.3",
        "1.2.3.4",
        "3.14",
        "readme.md",
        "config.py",
        "main.cc",
        "setup.exe",
        "a.zip",
        "my_file.py",
        "node.js 和 vue.js",
        "下午3点30分",
        "晚上8点fun一下",
        "hello world. Top quality",
        "e.g. i.e.",
        "发卡网都是骗子别信",
        "ok...",
    ],
)
def test_non_links_are_not_invented(text: str, rules: DomainRules) -> None:
    assert _urls(text, rules) == []


def test_site_uses_private_suffixes(rules: DomainRules) -> None:
    (link,) = links_in_text("https://someone.github.io/blog", rules)[1]
    assert (link.site, link.suffix) == ("someone.github.io", "github.io")
    (link,) = links_in_text("https://shop.kami88.com.cn/", rules)[1]
    assert (link.site, link.suffix) == ("kami88.com.cn", "com.cn")


def test_input_is_capped(rules: DomainRules) -> None:
    cleaned = deobfuscate("x" * (MAX_CHARS + 100) + " kami88.top")
    assert cleaned.truncated and len(cleaned.text) == MAX_CHARS


# ---------------- 消息段 ----------------

NEWS_CARD = {
    "app": "com.tencent.structmsg",
    "prompt": "[分享]腾讯充值中心",
    "meta": {
        "news": {
            "title": "腾讯充值中心",
            "desc": "Q币低价",
            "jumpUrl": "https://kami88.top/buy/1",
            "preview": "https://img.kami-cdn.top/a.png",
            "tag_icon": "https://icon.kami-cdn.top/b.png",
        }
    },
}


def test_json_card_urls_titles_and_preview_images() -> None:
    pieces = list(json_card(json.dumps(NEWS_CARD)))
    urls = [p.text for p in pieces if not p.words]
    assert urls == ["https://kami88.top/buy/1"]
    claims = {p.claim for p in pieces}
    assert claims == {"[分享]腾讯充值中心 腾讯充值中心 Q币低价"}


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "{",
        "[" * 5000 + "]" * 5000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        "null",
        "123",
        '"string"',
        json.dumps({"url": 5, "title": None, "meta": [1, 2, {"jumpUrl": ""}]}),
    ],
)
def test_broken_json_cards_do_not_crash(raw: str) -> None:
    pieces = list(json_card(raw))
    assert all(isinstance(p, Piece) for p in pieces)


def test_deep_json_is_walked_to_a_limit() -> None:
    nested: dict[str, object] = {"jumpUrl": "https://kami88.top/deep"}
    for _ in range(200):
        nested = {"x": nested}
    assert list(json_card(json.dumps(nested))) == []
    shallow = {"a": {"b": {"c": {"jumpUrl": "https://kami88.top/ok"}}}}
    assert [p.text for p in json_card(json.dumps(shallow))] == ["https://kami88.top/ok"]


def test_xml_card_attributes_and_broken_xml() -> None:
    raw = (
        '<msg serviceID="1" url="https://faka-king.xyz/buy/8?a=1&amp;b=2" brief="Steam">'
        "<item><title>Steam 礼品卡</title><picture cover='https://img.example.com/c.png'/>"
    )
    pieces = list(xml_card(raw))
    assert pieces[0].text == "https://faka-king.xyz/buy/8?a=1&b=2"
    assert pieces[0].claim == "Steam Steam 礼品卡"
    assert list(xml_card("<msg url='unterminated")) == []
    assert list(xml_card(None)) == []


def test_segments_text_faces_share_and_unknown_types() -> None:
    segments = [
        {"type": "text", "data": {"text": "kami88"}},
        {"type": "face", "data": {"id": "14"}},
        {"type": "text", "data": {"text": ".top"}},
        {"type": "at", "data": {"qq": "123"}},
        {"type": "share", "data": {"url": "https://a.example.com/", "title": "标题"}},
        {"type": "video", "data": {"url": "https://v.example.com/v.mp4"}},
        {"type": "text", "data": None},
        "garbage",
        {"data": {}},
    ]
    pieces = pieces_from(segments)  # type: ignore[arg-type]
    assert pieces[0].text == "kami88\ufffc.top"
    assert Piece("https://a.example.com/", "card", "标题", words=False, title="标题") in pieces
    assert all(p.text for p in pieces)
    assert all("v.mp4" not in p.text for p in pieces)


def test_segment_objects_with_type_and_data_attributes() -> None:
    class Segment:  # 形如 NoneBot 的 MessageSegment
        def __init__(self, type: str, data: dict[str, str]) -> None:
            self.type, self.data = type, data

    pieces = pieces_from([Segment("text", {"text": "kami88.top"})])  # type: ignore[list-item]
    assert pieces == [Piece("kami88.top")]


def test_cq_code_strings_are_parsed() -> None:
    segments = parse_cq("看[CQ:share,url=https://x.example.com/?a=1&amp;b=2&#44;3,title=t]后面")
    assert segments[0] == {"type": "text", "data": {"text": "看"}}
    assert segments[1] == {
        "type": "share",
        "data": {"url": "https://x.example.com/?a=1&b=2,3", "title": "t"},
    }
    assert segments[2]["data"]["text"] == "后面"


def test_path_characters_are_printable_ascii_except_the_quote_like_ones() -> None:
    """路径字符类与它的定义（控制、空白、非 ASCII 和 <>"'`,\\ 以外的一切）逐个码位一致。"""
    import re

    from cardguard.links.extract import _REST_RE

    definition = re.compile(r"[/?#][^\x00-\x20\x7f-\U0010ffff<>\"'`,\\]*")
    differ = [
        c
        for c in (*range(0xD800), *range(0xE000, 0x10000), 0x1F600, 0x10FFFF)
        if (definition.fullmatch("/" + chr(c)) is None)
        != (_REST_RE.fullmatch("/" + chr(c)) is None)
    ]
    assert differ == []
    assert _urls("看这个 kami88.top/buy?id=3&x=1，快", load_rules()) == ["kami88.top/buy?id=3&x=1"]

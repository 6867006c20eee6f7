"""打分和结论：用户能看到的行为——什么提醒、什么不提醒、理由写得清楚、展示的网址点不开。"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import ScanResult, defang, might_have_link, scan

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _reasons(result: ScanResult) -> str:
    assert result.top is not None
    return " | ".join(result.top.reasons)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("https://shop.faka-sample.example.org/buy/3", "域名在拦截名单中"),
        ("https://kami-sample.example.net/", "域名在拦截名单中"),
        ("https://www.example.com/buy/3", "典型发卡系统的下单页（独角数卡 /buy/3）"),
        ("https://www.example.com/order-search", "独角数卡"),
        ("https://www.example.com/?mod=buy&tid=3", "彩虹云商城"),
        ("https://www.example.com/submit.php?pid=1&out_trade_no=2", "彩虹易支付"),
        ("kami88.top", "域名含发卡相关词 kami"),
        ("fakaking.xyz", "域名含发卡相关词 faka"),
        ("https://steamcornmunity.com/", "仿冒官方品牌 steamcommunity（steamcornmunity）"),
        ("https://steampovvered.com/", "仿冒官方品牌 steampowered"),
        ("https://tencnet.com/", "一字之差"),
        ("https://stеam.com/", "仿冒官方品牌 steam"),
        ("https://pay.qq.com.kami88.top/", "网址开头冒充官方网站 pay.qq.com"),
        ("steam-gift.top", "域名里带官方品牌名 steam"),
        (
            "https://steamcommunity.net/id/x",
            "冒充官方网站 steamcommunity.com（换了后缀：steamcommunity[.]net）",
        ),
        ("kami88点top", "网址用了伪装写法"),
        ("自动发卡 全网最低 kami88.top", "消息里有卡盟话术：自动发卡、全网最低"),
        ("https://t.cn/abc 卡密", "短链接隐藏了真实地址"),
        ("自动发卡 http://1.2.3.4:8888/", "直接用 IP 地址访问"),
        ("自动发卡 http://1.2.3.4:8888/", "非常用端口 8888"),
        ("kami88.top", "廉价域名后缀 .top"),
    ],
)
def test_warns_with_a_plain_chinese_reason(text: str, reason: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict == "warn", _reasons(result)
    assert reason in _reasons(result)
    assert result.top is not None
    assert all(_CJK.search(r) for r in result.top.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "abc.top",  # 只有廉价后缀
        "http://example.com:8888/",  # 只有端口
        "卡密无效怎么办 https://www.example.com/help",  # 话术 + 普通网址
        "自动发卡 https://www.example.com/",  # 只有一个话术词 + 普通网址
        "kami88.com",  # 只有发卡词
        "https://t.cn/abc",  # 只有短链接
        "http://1.2.3.4:8888/",  # 只有 IP 和端口
        "some-blog点com",  # 只有伪装
        "https://steamdb.info/app/730",
        "https://www.example.com/item/3",  # 通用的商城路径
        "https://www.steamgifts.com/",  # 品牌名套在别人域名里，但没有别的信号
        "https://sony.jp/",  # 可能是官方的地区网站
    ],
)
def test_single_weak_signal_does_not_warn(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict != "warn"


@pytest.mark.parametrize(
    "text",
    [
        "自动发卡 abc.top",  # 话术 + 廉价后缀
        "卡密 kami88.com",  # 话术 + 发卡词
        "kami88.top",  # 发卡词 + 廉价后缀
        "abc点top",  # 伪装 + 廉价后缀
        "自动发卡 some-blog点com",  # 话术 + 伪装
    ],
)
def test_two_signals_together_warn(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict == "warn"


def test_free_subdomain_services_count_like_a_cheap_suffix(rules: DomainRules) -> None:
    """x.us.kg、x.qzz.io 这类谁都能免费申请的主机名：单独不提醒，是通用特征要的第二信号。"""
    alone = scan("https://store.example.qzz.io/", rules)
    assert alone.verdict != "warn" and "免费二级域名 qzz.io" in _reasons(alone)
    assert scan("https://store.example.qzz.io/item/8", rules).verdict == "warn"
    assert scan("https://shop.example.us.kg/product/3.html", rules).verdict == "warn"
    assert scan("https://www.example.com/item/8", rules).verdict != "warn"
    assert scan("https://us.kg/", rules).score == 0  # 服务自己的网站


def test_weak_but_notable_links_are_logged(rules: DomainRules) -> None:
    result = scan("https://t.cn/abc", rules)
    assert result.verdict == "log" and result.to_dict()["verdict"] == "quiet"


@pytest.mark.parametrize(
    "text",
    [
        "pay。qq。com 全网最低 自动发卡",
        "ｐａｙ．ｑｑ．ｃｏｍ／ｂｕｙ／３ 卡密",
        "p a y . q q . c o m 秒发",
        "https://store.steampowered.com/buy/3 代充",
        "hxxps://b23.tv/abc 卡盟",
        "HTTPS://WWW.BILIBILI.COM/",
        "https://github.com/kami/faka 发卡网源码",
    ],
)
def test_allow_listed_sites_are_never_warned(text: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict == "quiet"
    assert result.top is not None and result.top.reasons == ("官方或常用网站（白名单）",)


def test_block_list_beats_allow_list(rules: DomainRules) -> None:
    assert scan("https://kami-sample.example.net/", rules, allow=["example.net"]).verdict == "warn"


def test_group_allow_list_silences_a_false_alarm(rules: DomainRules) -> None:
    text = "kami88.top/buy/3"
    assert scan(text, rules).verdict == "warn"
    assert scan(text, rules, allow=["kami88.top"]).verdict == "quiet"
    assert scan(text, rules, allow=["WWW.Kami88.top."]).verdict == "quiet"


def test_user_content_hosts_are_neutral(rules: DomainRules) -> None:
    assert scan("https://someone.github.io/posts/hello", rules).score == 0
    assert scan("https://docs.qq.com/doc/abc", rules).score == 0
    assert scan("https://kami88.github.io/buy/3", rules).verdict == "warn"
    assert scan("https://docs.qq.com/doc/abc 24小时自动发货 全网最低 卡密", rules).verdict != "warn"


@pytest.mark.parametrize(
    "text", ["发卡网都是骗子别信", "卡密无效怎么办", "24小时自动发卡 全网最低 秒发 代充 卡盟", ""]
)
def test_no_link_no_warning_whatever_the_words(text: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict == "quiet" and result.links == () and result.top is None


def test_to_dict_shape_is_exact(rules: DomainRules) -> None:
    result = scan("自动发卡 kami88点top https://b23.tv/x", rules)
    data = result.to_dict()
    assert list(data) == ["verdict", "score", "links"]
    assert data["verdict"] == "warn" and data["score"] == result.score
    for link in data["links"]:
        assert list(link) == ["url", "host", "score", "reasons"]
        assert isinstance(link["reasons"], list)
    assert [x["host"] for x in data["links"]] == ["kami88.top", "b23.tv"]
    json.dumps(data, ensure_ascii=False)
    assert scan("没有链接", rules).to_dict() == {"verdict": "quiet", "score": 0, "links": []}


@pytest.mark.parametrize(
    "url",
    [
        "https://kami88.top/buy/3",
        "http://1.2.3.4:8888/?u=http://evil.example.com/x.html",
        "kami88.top",
        "https://" + "a" * 300 + ".example.com/",
    ],
)
def test_defanged_form_is_not_clickable(url: str) -> None:
    shown = defang(url)
    assert "://" not in shown
    assert not re.search(r"[a-z0-9]\.[a-z0-9]", shown)
    assert len(shown) <= 130


def test_report_fields(rules: DomainRules) -> None:
    result = scan("看 hxxps://KAMI88.top/buy/3 秒发", rules)
    top = result.top
    assert top is not None
    assert (top.url, top.host, top.site) == ("https://kami88.top/buy/3", "kami88.top", "kami88.top")
    assert top.defanged == "kami88[.]top/buy/3"
    assert 0 <= top.score <= 100 and top.score == result.score
    assert "risk-fraud" in top.risk_ids
    assert "hxxp 之类的变形协议头" in result.disguises


def test_card_claiming_to_be_tencent(rules: DomainRules) -> None:
    card = {
        "prompt": "[分享]腾讯充值中心",
        "meta": {"news": {"title": "腾讯充值中心", "jumpUrl": "https://recharge.example.com/"}},
    }
    segments: list[dict[str, Any]] = [{"type": "json", "data": {"data": json.dumps(card)}}]
    result = scan(segments, rules)
    assert result.verdict == "warn"
    assert "分享卡片标题冒充“腾讯充值中心”，实际指向 example[.]com" in _reasons(result)
    assert "risk-payment" in result.links[0].risk_ids
    card["meta"]["news"]["jumpUrl"] = "https://pay.qq.com/"  # type: ignore[index]
    segments = [{"type": "json", "data": {"data": json.dumps(card)}}]
    assert scan(segments, rules).verdict == "quiet"


def test_card_merely_mentioning_a_brand_is_not_enough(rules: DomainRules) -> None:
    share = {"url": "https://blog.example.com/p/1", "title": "我的 Steam 游戏库"}
    assert scan([{"type": "share", "data": share}], rules).verdict != "warn"


def test_qr_texts_are_scanned_with_the_message(rules: DomainRules) -> None:
    assert scan("扫码", rules).verdict == "quiet"
    assert scan("扫码", rules, extra_texts=["https://kami88.top/buy/7"]).verdict == "warn"


def test_fast_path(rules: DomainRules) -> None:
    for chatter in ("今天吃什么。", "哈哈哈😂", "ok 好的", "明天见！", ""):
        assert not might_have_link(chatter)
    for linky in (
        "kami88.top",
        "kami88点top",
        "ｋａｍｉ８８．ｔｏｐ",
        "kami88 dot top",
        "k\x01ami88 d\x01ot top",
    ):
        assert might_have_link(linky)

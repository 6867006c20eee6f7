"""对抗测试里找到的漏洞：每条一个小测试，防止改回去。"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import might_have_link, scan
from cardguard.links.deobfuscate import Disguise, deobfuscate
from cardguard.links.extract import links_in_text
from cardguard.links.segments import json_card


def _one(text: str, rules: DomainRules) -> Any:
    (link,) = links_in_text(text, rules)[1]
    return link


# ---------------- 预检和去伪装 ----------------


@pytest.mark.parametrize("text", ["kami88（点）top", "kami88［.］top", "kami88｛点｝top"])
def test_fast_path_sees_dots_in_full_width_brackets(text: str, rules: DomainRules) -> None:
    """全角括号不会被预检做 NFKC，以前预检直接放过，scan 从不看这条消息。"""
    assert might_have_link(text)
    assert scan(f"卡密 {text}", rules).verdict == "warn"


@pytest.mark.parametrize("dot", ["‧", "•", "∙", "⋅", "･"])
def test_more_dot_standins(dot: str, rules: DomainRules) -> None:
    text = f"kami88{dot}top"
    assert might_have_link(text)
    link = _one(text, rules)
    assert link.host == "kami88.top" and link.disguises & Disguise.DOT_WORD


@pytest.mark.parametrize("text", ["kami88点 top", "kami88 点top", "kami88點 top"])
def test_spaces_on_one_side_of_a_word_dot(text: str, rules: DomainRules) -> None:
    assert _one(text, rules).host == "kami88.top"


def test_clock_times_with_a_space_are_still_not_links(rules: DomainRules) -> None:
    assert links_in_text("晚上8点 fun 一下，上午10点 app 更新", rules)[1] == []


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("k a m i 88.top", "kami88.top"),
        ("kami 8 8 . t o p", "kami88.top"),
        ("I am a b c.com", "I am a b c.com"),
    ],
)
def test_spaced_letters_with_an_unsplit_head_or_tail(text: str, joined: str) -> None:
    assert deobfuscate(text).text == joined


# ---------------- 主机名写法 ----------------


@pytest.mark.parametrize(
    ("text", "host"), [("kami88点c0m", "kami88.com"), ("kami88.tοp", "kami88.top")]
)
def test_lookalike_characters_in_the_suffix(text: str, host: str, rules: DomainRules) -> None:
    link = _one(text, rules)
    assert link.host == host and link.disguises & Disguise.LOOKALIKE_TLD


@pytest.mark.parametrize("text", ["v1.0 和 1.10", "3.1o", "x.c0"])
def test_suffix_repair_does_not_invent_links(text: str, rules: DomainRules) -> None:
    assert links_in_text(text, rules)[1] == []


def test_percent_encoded_host(rules: DomainRules) -> None:
    link = _one("https://%6B%61%6D%69.top/", rules)
    assert link.host == "kami.top" and link.disguises & Disguise.PERCENT


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("http://3232235777/", "192.168.1.1"),
        ("http://0xCB007108/buy/1", "203.0.113.8"),
        ("http://0300.0250.1.1/", "192.168.1.1"),
        ("http://203.0.113.8/", "203.0.113.8"),
    ],
)
def test_numeric_ipv4_forms(text: str, host: str, rules: DomainRules) -> None:
    assert might_have_link(text)
    link = _one(text, rules)
    assert link.is_ip and link.host == host
    assert bool(link.disguises & Disguise.NUMERIC_IP) == (host not in text)


def test_bare_numbers_are_not_ips(rules: DomainRules) -> None:
    assert links_in_text("QQ 3232235777 加我", rules)[1] == []


def test_ipv6_literal(rules: DomainRules) -> None:
    link = _one("https://[2001:db8::1]:8080/buy/1", rules)
    assert (link.host, link.port, link.is_ip) == ("2001:db8::1", 8080, True)
    assert scan("https://[2001:db8::1]:8080/buy/1", rules).verdict == "warn"
    assert scan("http://[::1]:8080/", rules).verdict == "quiet"


def test_documentation_ip_ranges_count_as_public(rules: DomainRules) -> None:
    """192.0.2.0/24 这类保留段在公网上不该出现，按公网 IP 对待；只有局域网/本机算弱信号。"""
    assert scan("http://192.0.2.45 自助下单", rules).verdict == "warn"
    assert scan("http://192.168.1.1 自助下单", rules).verdict != "warn"
    assert scan("http://127.0.0.1:8080/api 报错了", rules).verdict == "quiet"


# ---------------- 仿冒 ----------------


def test_cyrillic_supplement_letters_are_mixed_script(rules: DomainRules) -> None:
    """ԛ（U+051B）在西里尔补充区，以前不算混用文字，qԛ.com 只得 20 分。"""
    result = scan("https://xn--q-o6b.com/vip", rules)
    assert result.verdict == "warn"
    assert "仿冒官方品牌 qq" in " ".join(result.links[0].reasons)


def test_short_brands_still_ignore_ascii_digit_swaps(rules: DomainRules) -> None:
    assert scan("https://q0.com", rules).verdict == "quiet"


@pytest.mark.parametrize("host", ["steampoweredd.com", "steampowere.com", "wechatt.com"])
def test_long_or_doubled_tail_typos_warn(host: str, rules: DomainRules) -> None:
    assert scan(f"https://{host}/login", rules).verdict == "warn"


@pytest.mark.parametrize("host", ["weixing.com", "tencents.com"])
def test_short_tail_typos_alone_do_not_warn(host: str, rules: DomainRules) -> None:
    assert scan(f"https://{host}/", rules).verdict != "warn"


# ---------------- 域名里的发卡词 ----------------


def test_chinese_host_with_shop_words(rules: DomainRules) -> None:
    result = scan("https://xn--hlry7bt5cc5f.xyz", rules)  # 卡密商城.xyz
    assert result.verdict == "warn"
    assert any(r.startswith("中文域名里有卡盟词 卡密") for r in result.links[0].reasons)


@pytest.mark.parametrize("host", ["www.ka-shop.com", "fa-ka.cc"])
def test_tokens_split_by_hyphens(host: str, rules: DomainRules) -> None:
    result = scan(f"https://{host} 自动发卡", rules)
    assert result.verdict == "warn", result.links[0].reasons


@pytest.mark.parametrize("host", ["okami-fans.top", "kamila-photo.top", "kamisama.github.io"])
def test_ordinary_words_containing_kami(host: str, rules: DomainRules) -> None:
    assert scan(f"https://{host}/gallery", rules).verdict == "quiet"


# ---------------- 话术 ----------------


@pytest.mark.parametrize(
    "text",
    [
        "卡密 秒发 https://abc.example.com",
        "卡密自助下单 全网最低 https://www.happy-goods.example.com",
        "自動發卡 全網最低 https://www.example.com/",
    ],
)
def test_ad_copy_with_a_plain_link_warns(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict == "warn"


@pytest.mark.parametrize(
    "text",
    [
        "别信什么卡密秒发全网最低，都是骗子 https://www.example.com/",  # 在提醒别人
        "卡密秒发 全网最低的套路 https://news.example.com/2024/05/scam.html",  # 文章链接
        "https://docs.qq.com/doc/abc 卡密秒发 全网最低",  # 用户内容网站
        "自动发卡 https://www.example.com/",  # 只有一个词
    ],
)
def test_discussion_with_a_plain_link_stays_quiet(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict != "warn"


@pytest.mark.parametrize(
    "text", ["卡 密 秒 发 https://abc.example.com", "卡💎密 秒-发 https://abc.example.com"]
)
def test_shop_words_split_by_spaces_or_symbols(text: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict == "warn"
    assert "消息里有卡盟话术：卡密、秒发" in result.links[0].reasons


def test_sentence_punctuation_does_not_join_words(rules: DomainRules) -> None:
    result = scan("我的卡，密码是 123 https://abc.example.com", rules)
    assert result.score == 0


# ---------------- 卡片 ----------------


def test_music_card_jump_urls_are_not_treated_as_images(rules: DomainRules) -> None:
    """meta.music 里的 jumpUrl/pcJumpUrl 以前因为外层键叫 music 被当成图片跳过。"""
    card = {
        "app": "com.tencent.structmsg",
        "meta": {
            "music": {
                "title": "米哈游官方",
                "jumpUrl": "https://www.bilibili.com",
                "pcJumpUrl": "https://mihoyo-kami.example.com/item?mid=3",
                "musicUrl": "https://cdn.example.com/a.mp3",
                "preview": "https://cdn.example.com/a.jpg",
            }
        },
    }
    urls = [p.text for p in json_card(json.dumps(card)) if not p.words]
    assert sorted(urls) == [
        "https://mihoyo-kami.example.com/item?mid=3",
        "https://www.bilibili.com",
    ]
    assert scan([{"type": "json", "data": {"data": json.dumps(card)}}], rules).verdict == "warn"


def test_images_listed_under_an_image_key_stay_images() -> None:
    card = {
        "meta": {
            "pics": [{"url": "https://img.example.com/1.png"}],
            "jumpUrl": "https://a.example.com",
        }
    }
    assert [p.text for p in json_card(json.dumps(card)) if not p.words] == ["https://a.example.com"]


# ---------------- 第二轮 ----------------


def test_cc_names_count_as_links_when_the_message_sells_cards(rules: DomainRules) -> None:
    """.cc 同时是文件扩展名和卡盟常用后缀：有卡盟话术时 xiaoka.cc 算网址，main.cc 仍是文件。"""
    assert scan("点卡低价 xiaoka.cc", rules).verdict == "warn"
    assert scan("编译 main.cc 报错", rules).links == ()
    assert scan("卡密在 config.py 里", rules).links == ()


@pytest.mark.parametrize("host", ["qqchongzhi.xyz", "qqpay.top", "jdpay.xyz", "freesteam.top"])
def test_short_brand_glued_to_a_lure_word(host: str, rules: DomainRules) -> None:
    result = scan(f"https://{host}", rules)
    assert result.verdict == "warn"
    assert "域名里带官方品牌名" in " ".join(result.links[0].reasons)


@pytest.mark.parametrize("host", ["qqmusic-fan.top", "pineapple.top"])
def test_brand_letters_inside_other_words_are_not_brands(host: str, rules: DomainRules) -> None:
    assert scan(f"https://{host}", rules).verdict == "quiet"


@pytest.mark.parametrize(
    "text",
    [
        "https://link.zhihu.com/?target=https%3A%2F%2Fkami88.top%2Fbuy%2F1",
        "https://c.pc.qq.com/middlem.html?pfurl=https%3A%2F%2Fkami88.top&pfuin=1",
        "https://example.com/?redirect=http%3A%2F%2F198.51.100.2%3A8888%2Fbuy%2F1",
    ],
)
def test_encoded_targets_of_redirect_links(text: str, rules: DomainRules) -> None:
    """白名单网站的跳转页也不能把卡盟网址“洗白”：解码一层，按真实目标打分。"""
    result = scan(text, rules)
    assert result.verdict == "warn"
    assert result.top is not None and "%" not in result.top.url


def test_encoded_harmless_targets_stay_quiet(rules: DomainRules) -> None:
    assert scan("https://link.zhihu.com/?target=https%3A%2F%2Fgithub.com%2Fa", rules).score == 0
    nested = "https://link.zhihu.com/?target=https%3A%2F%2Fblog.example.com%2Fa 卡密"
    assert scan(nested, rules).verdict != "warn"  # 嵌套网址不算伪装


# ---------------- 提醒文字用到的字段 ----------------


@pytest.mark.parametrize(
    "text",
    [
        "https://pay.qq.com.kami88.top/",
        "https://steamcommunity.net/id/x",
        "https://xn--q-o6b.com/vip",
        "https://xn--hlry7bt5cc5f.xyz",
    ],
)
def test_reasons_never_contain_a_clickable_suspicious_host(text: str, rules: DomainRules) -> None:
    """理由会原样写进群里的提醒；里面的可疑域名也必须点不开（kami88[.]top）。"""
    top = scan(text, rules).top
    assert top is not None
    suspicious = {top.site, top.host} - {"qq.com", "steamcommunity.com"}
    for reason in top.reasons:
        assert not any(name in reason for name in suspicious), reason


def test_card_claim_reason_is_defanged(rules: DomainRules) -> None:
    card = {"meta": {"news": {"title": "腾讯充值中心", "jumpUrl": "https://kami88.top/buy/1"}}}
    result = scan([{"type": "json", "data": {"data": json.dumps(card)}}], rules)
    assert any("实际指向 kami88[.]top" in r for r in result.links[0].reasons)


@pytest.mark.parametrize("text", ["Mr.Wang 卖卡密吗", "Dr.Li 有卡密吗", "pq.top() 返回堆顶 卡密"])
def test_titles_and_method_calls_are_not_links(text: str, rules: DomainRules) -> None:
    """.wang/.top 都是真后缀：Mr.Wang、heap.top() 以前配上一个话术就会提醒，而消息里根本没有链接。"""
    assert scan(text, rules).links == ()


def test_underscores_after_a_scheme(rules: DomainRules) -> None:
    assert scan("https://kami_88.top", rules).verdict == "warn"
    assert links_in_text("my_file.py some_var.name", rules)[1] == []


@pytest.mark.parametrize("host", ["kаmi88.com", "fаka.cn"])  # 西里尔 а
def test_shop_tokens_behind_lookalike_letters(host: str, rules: DomainRules) -> None:
    result = scan(f"https://{host}", rules)
    assert result.verdict == "warn"
    assert any("域名含发卡相关词" in r for r in result.links[0].reasons)


def test_more_caution_phrases(rules: DomainRules) -> None:
    assert scan("别找代充，全网最低都是坑 https://www.example.com/", rules).verdict != "warn"


def _news(title: str, url: str, desc: str = "") -> list[dict[str, Any]]:
    card = {"meta": {"news": {"title": title, "desc": desc, "jumpUrl": url}}}
    return [{"type": "json", "data": {"data": json.dumps(card, ensure_ascii=False)}}]


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Steam 官方公告汉化", "https://api.heybox.example.cn/v3/bbs/app/api/web/share?link_id=1"),
        ("原神官方充值双倍活动开启", "https://www.games.example.com/news/202401/1.shtml"),
        ("米哈游官方发布新角色演示", "https://www.games.example.com/2024/01/02/x.html"),
    ],
)
def test_article_cards_quoting_official_news_do_not_warn(
    title: str, url: str, rules: DomainRules
) -> None:
    """资讯站分享的文章卡片常写“官方”：长标题、文章网址都只是转述，不是冒充。"""
    assert scan(_news(title, url), rules).verdict != "warn"


@pytest.mark.parametrize(
    ("title", "desc"),
    [
        ("腾讯官方", ""),
        ("哔哩哔哩", "新番免费看"),
        ("QQ安全中心", "账号异常"),
        ("Steam 礼品卡领取", ""),
    ],
)
def test_cards_posing_as_a_service_warn(title: str, desc: str, rules: DomainRules) -> None:
    result = scan(_news(title, "https://portal.example.com/", desc), rules)
    assert result.verdict == "warn"
    assert "分享卡片标题冒充" in result.links[0].reasons[0]


def test_double_escaped_xml_urls() -> None:
    from cardguard.links.segments import xml_card

    raw = '<msg url="https://kami88.top/?mod=buy&amp;amp;tid=1"><title>x</title></msg>'
    assert next(iter(xml_card(raw))).text == "https://kami88.top/?mod=buy&tid=1"


@pytest.mark.parametrize("text", ["Steam.app 打不开，卡密兑换不了", "电子书 book.mobi 发我"])
def test_more_extension_suffixes_are_file_names(text: str, rules: DomainRules) -> None:
    """.app（macOS 应用）、.mobi（电子书）也是后缀；单独写出来是文件名，不是网址。"""
    assert scan(text, rules).links == ()


@pytest.mark.parametrize("text", ["kami88🔸top", "kami88 ⭕ top/buy/1", "kami88\ufffccom"])
def test_emoji_standing_in_for_the_dot(text: str, rules: DomainRules) -> None:
    assert might_have_link(text)
    link = _one(text, rules)
    assert link.host in ("kami88.top", "kami88.com") and link.disguises & Disguise.EMOJI


@pytest.mark.parametrize(
    ("text", "joined"), [("k🔥a🔥m🔥i🔥88.top", "kami88.top"), ("我爱🔥top", "我爱🔥top")]
)
def test_emoji_between_letters_is_still_just_removed(text: str, joined: str) -> None:
    assert deobfuscate(text).text == joined


@pytest.mark.parametrize(
    ("text", "official", "shown"),
    [
        ("https://steamcommunlty.com/gift", "steampowered.com", "steamcommunlty[.]com"),
        ("https://xn--q-o6b.com/vip", "qq.com", "qԛ[.]com"),
        ("https://steamcommunity.net/id/x", "steamcommunity.com", "steamcommunity[.]net"),
        ("kami88.top/buy/1", "", "kami88[.]top"),
    ],
)
def test_reports_name_the_imitated_official_site(
    text: str, official: str, shown: str, rules: DomainRules
) -> None:
    """提醒可以说“请走 steampowered.com”，并把 punycode 显示成用户看到的样子。"""
    top = scan(text, rules).top
    assert top is not None and (top.official, top.shown_host) == (official, shown)


@pytest.mark.parametrize(
    "text",
    [
        "QQ会员 超级会员 低至3折 https://vip-club.example.xyz",
        "发卡地址：http://fk.example.top",
        "点券充值 官方授权 https://dq-official.top",
        "王者荣耀 点券 便宜出 wzry-dq.xyz",
    ],
)
def test_more_selling_phrases(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict == "warn"

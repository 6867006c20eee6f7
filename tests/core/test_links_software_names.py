"""链接守卫第六轮（issue 14）：点名发卡程序的广告、拉人返佣配邀请参数、fakanet 等程序的路由、
首页广告的新话术。每条规则都有一条安静的对照。

主机名都是自己编的（example.*），不是开发集里的句子。
"""

from __future__ import annotations

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import scan


def _why(text: str, rules: DomainRules) -> str:
    result = scan(text, rules)
    return f"{result.score} 分：" + "；".join(result.links[0].reasons) if result.links else "无链接"


def _warns(text: str, rules: DomainRules) -> bool:
    return scan(text, rules).verdict == "warn"


# ---------------- 点名发卡程序 ----------------


@pytest.mark.parametrize(
    "text",
    [
        # 程序名 + 卖货口吻 + 普通首页：在告诉买家这是发卡站
        "独角数卡搭的 现货 https://www.example.com/",
        "异次元发卡 秒发 https://www.example.com/",
        # 程序名 + 网址本身像发卡站（域名里有 kami），没说卖货也算
        "zfaka 老站 https://kami-example.com/",
    ],
)
def test_naming_the_shop_software_in_an_ad_warns(text: str, rules: DomainRules) -> None:
    assert _warns(text, rules), _why(text, rules)
    assert "消息里有卡盟话术" in _why(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        # 在讨论程序本身：教程、配置、插件
        "独角数卡搭建教程 现货 https://www.example.com/",
        "异次元发卡的插件怎么配置 秒发 https://www.example.com/",
        # 在提醒别人
        "异次元发卡搭的站跑路了 现货 https://www.example.com/",
        # 只在网址里出现（仓库、文档的路径）
        "现货 https://www.example.com/zfaka/",
        # 没有卖货口吻、网址也不像发卡站：只是提到程序
        "zfaka 老站 https://www.example.com/",
        # 廉价后缀不算“网址像发卡站”
        "zfaka 老站 https://www.example.top/",
    ],
)
def test_software_name_in_talk_stays_quiet(text: str, rules: DomainRules) -> None:
    assert not _warns(text, rules), _why(text, rules)
    assert "zfaka、" not in _why(text, rules) and "发卡、" not in _why(text, rules)


# ---------------- 拉人返佣 + 邀请参数 ----------------


@pytest.mark.parametrize(
    ("ad", "no_words", "no_param"),
    [
        (
            "注册下单送余额 https://www.example.com/products/abc?aff=AB12CD",
            "https://www.example.com/products/abc?aff=AB12CD",
            "注册下单送余额 https://www.example.com/products/abc",
        ),
        (
            "推广赚佣金 https://www.example.com/me/affiliate",
            "https://www.example.com/me/affiliate",
            "推广赚佣金 https://www.example.com/me/orders",
        ),
    ],
)
def test_referral_talk_backs_a_shop_page_with_an_invite(
    ad: str, no_words: str, no_param: str, rules: DomainRules
) -> None:
    assert _warns(ad, rules), _why(ad, rules)
    assert not _warns(no_words, rules), _why(no_words, rules)
    assert not _warns(no_param, rules), _why(no_param, rules)


def test_referral_talk_alone_never_warns(rules: DomainRules) -> None:
    """返佣、邀请码自己不计分：普通网站带邀请参数不算。"""
    for text in (
        "邀请码注册送 返佣 https://www.example.com/?aff=AB12CD",
        "返利 https://www.example.com/?from=12",
        "注册送会员 https://www.example.top/invite",
    ):
        assert not _warns(text, rules), _why(text, rules)


# ---------------- fakanet、qs-faka、LinLinQi 的路由 ----------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/lin/go.php?orderid=2026120312345",
        "https://www.example.com/cay/req.php",
        "https://www.example.com/lin/report.php?action=search",
    ],
)
def test_fakanet_pay_pages_warn_alone(url: str, rules: DomainRules) -> None:
    assert _warns(url, rules), _why(url, rules)
    assert "发卡网平台" in _why(url, rules)


@pytest.mark.parametrize(
    ("alone", "with_second"),
    [
        ("https://www.example.com/cay/ABCDEF123456", "hxxp://www.example.com/cay/ABCDEF123456"),
        ("https://www.example.com/lin/AbC123", "https://www.example.top/lin/AbC123"),
        ("https://www.example.com/usr/login.php", "https://fk-example.com/usr/login.php"),
        ("https://www.example.com/cate/news", "https://faka-example.com/cate/news"),
        (
            "https://www.example.com/order?orderId=A1234567",
            "https://www.example.top/order?orderId=A1234567",
        ),
        ("https://www.example.com/reseller/", "https://www.example.shop/reseller/"),
    ],
)
def test_generic_program_routes_need_a_second_signal(
    alone: str, with_second: str, rules: DomainRules
) -> None:
    quiet = scan(alone, rules)
    assert quiet.verdict != "warn", _why(alone, rules)
    assert quiet.score > 0, "这个形状应该被认出来"
    assert _warns(with_second, rules), _why(with_second, rules)


@pytest.mark.parametrize(
    "text",
    [
        # 消息里的话术不能给最泛的形状作证
        "卡密 https://www.example.com/cate/news",
        "卡密 https://www.example.com/order?orderId=A1234567",
        "代理 卡密 https://www.example.com/reseller/",
    ],
)
def test_broad_program_routes_ignore_message_words(text: str, rules: DomainRules) -> None:
    assert not _warns(text, rules), _why(text, rules)


def test_fkw_initials_count_as_a_host_token(rules: DomainRules) -> None:
    """fkw 是“发卡网”的拼音首字母：给查单页作证，自己不提醒。"""
    assert _warns("https://fkw-example.com/order?orderId=A1234567", rules)
    assert not _warns("https://fkw-example.com/", rules)


def test_kamifaka_detail_api_with_sales_tone(rules: DomainRules) -> None:
    url = "https://www.example.com/api/v2/detail/11"
    assert not _warns(url, rules), _why(url, rules)
    assert _warns(f"{url} 秒发", rules), _why(f"{url} 秒发", rules)


# ---------------- 首页广告的新话术 ----------------


@pytest.mark.parametrize(
    ("ad", "quiet"),
    [
        # 新站上线是零售口吻：和卡密一起才是卡盟广告，和普通折扣一起不是
        ("新站上线 卡密 https://www.example.com/", "新站上线 全场八折 https://www.example.com/"),
        # 欢迎上车（合租会员的招呼）是卡盟说法；单说上车只是零售口吻
        (
            "全网最低 自动发货 欢迎上车 https://www.example.com/",
            "全网最低 自动发货 快上车 https://www.example.com/",
        ),
        ("涨粉 自助下单 https://www.example.com/", "涨粉 https://www.example.com/"),
        ("卡联盟 货源对接 https://www.example.com/", "卡联盟 https://www.example.com/"),
        # 拿货是零售口吻（1688 也说）：网址本身有发卡词时才够
        ("代理拿货 https://faka-example.com/", "去义乌拿货 全网最低 https://www.example.com/"),
        ("首单九折 https://kawang-example.xyz/", "首单九折 https://www.example.com/"),
        # 数字写的折扣和中文的一样是普通买卖用语：配上程序名才是卡盟广告
        ("佰阅发卡搭的 https://www.example.com/ 全场 9 折", "全场 9 折 https://www.example.com/"),
    ],
)
def test_homepage_ad_wording(ad: str, quiet: str, rules: DomainRules) -> None:
    assert _warns(ad, rules), _why(ad, rules)
    assert not _warns(quiet, rules), _why(quiet, rules)


def test_boarding_counts_only_for_shared_memberships(rules: DomainRules) -> None:
    """“上车”只在点了别家会员（网飞、油管…）时算零售口吻；日常的“快上车”不算。"""
    assert _warns("网飞 油管 上车 https://www.example.top/", rules)
    assert not _warns("快上车 https://www.example.top/", rules)
    assert not _warns("抄底上车 现货 https://www.example.com/", rules)


def test_software_name_needs_a_real_shop_token(rules: DomainRules) -> None:
    """程序名配“网址像发卡站”时，域名发卡词要够重（kami、faka）；问句是在问程序。"""
    assert not _warns("独角数卡 老站 https://dujiaoka.example.com/", rules)
    assert not _warns("zfaka 现在还能用吗 https://kami-example.com/", rules)
    assert _warns("zfaka 老站 https://kami-example.com/", rules)


@pytest.mark.parametrize("word", ["协议号", "实名号", "直登号", "接码平台", "货源站"])
def test_grey_account_jargon_is_card_shop_wording(word: str, rules: DomainRules) -> None:
    """灰色账号的行话是卡盟词：配上卖货口吻就是广告；单独一个词配普通网址只记日志。"""
    assert _warns(f"{word} 批发 https://www.example.com/", rules)
    alone = scan(f"{word} https://www.example.com/", rules)
    assert alone.verdict == "log", _why(f"{word} https://www.example.com/", rules)


def test_referral_needs_the_shop_softwares_own_invite_parameter(rules: DomainRules) -> None:
    """?ref=、小写的 ?aff= 是正规商店、云服务推广链接的写法，不算发卡程序的邀请参数。"""
    assert not _warns("推广链接 https://www.example.com/products/abc?ref=me", rules)
    assert not _warns("推广链接 https://www.example.com/products/abc?aff=alice", rules)
    assert _warns("推广链接 https://www.example.com/products/abc?aff=ALICE", rules)

"""shops.yaml 的特征、托管平台、三种经典伪装、共享拦截名单：每条规则的边界。"""

from __future__ import annotations

from pathlib import Path

import pytest

from cardguard.knowledge.domains import DomainRules, read_rules
from cardguard.knowledge.errors import KnowledgeError
from cardguard.knowledge.loader import DEFAULT_DIR
from cardguard.links import HostList, scan

from .links_kit import reasons

DOMAINS = DEFAULT_DIR / "domains.yaml"


# ---------------- 特征：强特征单独提醒，通用形状要第二信号 ----------------


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example.com/buy/12",  # 独角数卡
        "https://shop.example.com/pay-gateway/yipay/alipay/ABCD1234EFGH5678",
        "https://shop.example.com/guest/orders/20260826124530A7K2MQ9XB4",  # Dujiao-Next
        "https://shop.example.com/user/pay/order.202605211455237310.1",  # 异次元
        "https://shop.example.com/product/query/?zlkbmethod=auto&orderid=zlkb202406151230451",
        "https://shop.example.com/?mod=buy&tid=3",  # 彩虹
        "https://shop.example.com/user/regsite.php",
        "https://pay.example.com/pay/qrcode/2026080415404122212/",  # 易支付
        "https://pay.example.com/cashier.php?trade_no=2026010112304598765",
        "https://shop.example.com/liebiao/8H2KQ4TZ",  # 多商户平台
        # 源码里读出来、之前没收的形状
        "https://shop.example.com/pay-gateway/%252Fpay%252Falipay/aliweb/KD8JX2PQ1V7N3M5R",
        "https://shop.example.com/pay/yipay/return_url?order_id=KD8JX2PQ1V7N3M5R",
        "https://shop.example.com/user/personal/purchaseRecord?tradeNo=2612071602113377",
        "https://shop.example.com/user/api/index/commodity",
        "https://shop.example.com/?mod=fzjs",
        "https://shop.example.com/shop/?mod=gywm",
        "https://shop.example.com/other/epay_return.php?trade_no=1",
        "https://shop.example.com/user/siteinfo.php",
        "https://pay.example.com/pay/h5/2026120716001293017/",
        "https://pay.example.com/pay/wxpay/qrcode/2026120716001293017/?sitename=x",
        "https://pay.example.com/submit2.php?typeid=2&trade_no=2026120715301284562",
        "https://pay.example.com/user/onecode.php",
        "https://shop.example.com/index.php?s=/user/index/item&mid=5",  # 异次元没开伪静态
        "https://shop.example.com/ajax.php?act=gettool&cid=1",  # 彩虹下单页接口
        "https://pay.example.com/api.php?act=query&pid=1001&key=abc",  # 易支付商户接口
        "https://pay.example.com/payPage/pay.html?orderId=2026120712345",  # V免签
    ],
)
def test_distinctive_routes_warn_alone(url: str, rules: DomainRules) -> None:
    assert scan(url, rules).verdict == "warn", reasons(url, rules)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/item/12",
        "https://www.example.com/cat/3",
        "https://www.example.com/product/7.html",
        "https://www.example.com/products/chatgpt-plus",
        "https://www.example.com/3/detail",
        "https://www.example.com/reseller/apply",  # Dujiao-Next 分销
        "https://www.example.com/auth/login?redirect=%2Fme%2Forders",
        "https://www.example.com/member/register/",  # ZFAKA 会员
        "https://www.example.com/member/profiles",
        "https://www.example.com/?mod=article&id=3",  # 彩虹首页上的普通页面
        "https://www.example.com/?i=A8K3P",  # 彩虹邀请码
        "https://www.example.com/shop/S790246",  # 托管平台的店铺码
        "https://www.example.com/user/reg.php",
    ],
)
def test_generic_routes_need_a_second_signal(url: str, rules: DomainRules) -> None:
    alone = scan(url, rules)
    assert 0 < alone.score < rules.warn, alone.top
    assert scan(url.replace("example.com", "example.top"), rules).verdict == "warn"
    assert scan(url.replace("www.example.com", "198.51.100.7:8000"), rules).verdict == "warn"
    with_words = scan(f"卡密 {url}", rules)
    if alone.score >= rules.log:
        assert with_words.verdict == "warn"
    else:
        # 低于 log 线的最泛形状（/member/register、/?i=码）哪个网站都有：话术说明不了这个网址，
        # 只认网址本身的第二信号（见 test_links_other_shops 的 /cart、/recharge）
        assert with_words.verdict != "warn", with_words.top


def test_retail_words_are_not_a_second_signal(rules: DomainRules) -> None:
    """“现货、质保”正规商城也说：只有它们时，通用形状加话术也到不了 warn。"""
    result = scan("现货 质保 全网最低 https://www.example.com/product/7.html", rules)
    assert result.verdict == "log"
    assert "消息里有卖货话术" in "；".join(result.links[0].reasons)
    assert scan("成品号 现货 https://www.example.com/product/7.html", rules).verdict == "warn"


def test_sales_tone_alone_does_not_corroborate_a_store_shape(rules: DomainRules) -> None:
    """正规数字商店的商品页也说“秒发”：只有零售口吻时，/products/3 这类商城形状到不了 warn；
    说到卡盟货品（卡密）、或网址本身可疑（廉价后缀）时照样提醒。"""
    result = scan("周末特惠 正版激活码秒发 https://www.example.com/products/4107", rules)
    assert result.verdict != "warn", result.top
    assert "消息里有卖货话术：秒发" in "；".join(result.links[0].reasons)
    assert scan("卡密秒发 https://www.example.com/products/4107", rules).verdict == "warn"
    # 自助下单、提卡是发卡站的说法，正规商店不这么说：算第二信号
    assert scan("自助下单 https://www.example.com/products/4107", rules).verdict == "warn"
    assert scan("正版激活码秒发 https://www.example.top/products/4107", rules).verdict == "warn"
    # 几乎只有发卡程序才有的形状（kamiFaka 的 /#/5/detail），卖货口吻也算第二信号
    assert scan("新站 https://shop.example.de/#/5/detail 一手", rules).verdict == "warn"


def test_well_known_digital_stores_are_allow_listed(rules: DomainRules) -> None:
    """杉果、Humble、GOG 这类正规数字商品商店和 qq.com 一样在白名单里（产品决定）。"""
    for url in (
        "https://www.sonkwo.cn/products/4107",
        "https://www.humblebundle.com/store/hades",
        "https://www.gog.com/zh/game/the_witcher_3",
    ):
        assert scan(f"正版激活码秒发 卡密 {url}", rules).verdict == "quiet", url


def test_a_fingerprint_can_also_require_a_host_shape(rules: DomainRules) -> None:
    """/user/reg.php 到处都有；在 pay.某某、某某pay 这种支付网关主机上，它就是易支付的商户注册页。"""
    for url in (
        "https://pay.example.cn/user/reg.php",
        "https://zf.example.cn/user/login.php",
        "https://epay.examplepay.top/mapi.php",
    ):
        assert scan(url, rules).verdict == "warn", reasons(url, rules)
    assert scan("https://www.example.cn/user/reg.php", rules).verdict != "warn"
    assert scan("https://www.example.cn/mapi.php", rules).verdict != "warn"


def test_a_broken_host_pattern_names_file_and_line(tmp_path: Path) -> None:
    shops = tmp_path / "shops.yaml"
    shops.write_text(
        "fingerprints:\n"
        "  - system: X\n    page: pay\n    source: s\n    pattern: '^/x'\n"
        "    host: '(pay'\n    weight: 60\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as info:
        read_rules(DOMAINS, shops)
    text = str(info.value)
    assert text.startswith(f"{shops}:6") and "host" in text and "正则" in text


def test_forum_mod_parameters_are_not_caihong(rules: DomainRules) -> None:
    """彩虹的 ?mod= 挂在首页（./、index.php）上；Discuz 的 home.php?mod=invite 不是。"""
    for url in (
        "https://bbs.example.com/home.php?mod=invite&id=3",
        "https://bbs.example.com/forum.php?mod=viewthread&tid=3",
    ):
        assert scan(url, rules).score == 0, reasons(url, rules)
    assert scan("https://x.example.com/ds/index.php?mod=kf", rules).verdict == "warn"


def test_long_store_ids_are_not_shop_ids(rules: DomainRules) -> None:
    """大商城的长编号（华为商城、速卖通）不算发卡程序的自增 id。"""
    for url in (
        "https://www.vmall.com/product/10086207867286.html",
        "https://www.aliexpress.com/item/2251832539521487.html",
    ):
        assert scan(url, rules).score == 0, reasons(url, rules)


def test_a_payment_page_in_the_same_message_corroborates(rules: DomainRules) -> None:
    text = "https://a.example.com/item/12 付款走 https://pay.example.net/pay/submit/2025120312000154321/"
    result = scan(text, rules)
    item = next(r for r in result.links if "item" in r.url)
    assert item.score >= rules.warn
    assert "又有其他可疑特征" in "；".join(item.reasons)


# ---------------- 托管发卡平台 ----------------


def test_hosted_platform_shop_pages_warn_and_the_homepage_is_grey(rules: DomainRules) -> None:
    assert scan("https://pay.ldxp.cn/shop/AYCDCCFE", rules).verdict == "warn"
    assert scan("https://catfk.com/item/vk898s", rules).verdict == "warn"
    home = scan("https://www.ldxp.cn/", rules)
    assert home.verdict == "log" and "链动小铺" in home.links[0].reasons[0]


def test_platform_domains_cannot_be_allow_listed(tmp_path: Path) -> None:
    domains = tmp_path / "domains.yaml"
    domains.write_text("thresholds: {warn: 60, log: 30}\nallow: [ldxp.cn]\n", encoding="utf-8")
    shops = tmp_path / "shops.yaml"
    shops.write_text(
        "platforms:\n"
        "  - name: 链动小铺\n"
        "    kind: shop\n"
        "    domains: [pay.ldxp.cn]\n"
        "    weight: 70\n"
        "    source: 测试\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as info:
        read_rules(domains, shops)
    (line,) = str(info.value).splitlines()
    assert line.startswith(f"{shops}:2 [链动小铺]") and "白名单" in line


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - system: X\n    page: buy\n    pattern: '^/x'\n    weight: 60\n", "缺少 source"),
        (
            "  - system: X\n    page: buy\n    source: s\n    pattern: '/x'\n    weight: 60\n",
            "以 ^ 开头",
        ),
        (
            "  - system: X\n    page: shelf\n    source: s\n    pattern: '^/x'\n    weight: 60\n",
            "page",
        ),
    ],
)
def test_broken_fingerprints_name_file_and_line(tmp_path: Path, entry: str, message: str) -> None:
    shops = tmp_path / "shops.yaml"
    shops.write_text("fingerprints:\n" + entry, encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        read_rules(DOMAINS, shops)
    text = str(info.value)
    assert text.startswith(f"{shops}:") and message in text


# ---------------- 三种经典伪装 ----------------


@pytest.mark.parametrize(
    "host",
    [
        "pay-qq.com.abc123.top",
        "qq-pay.com.kami.top",
        "steam-gift.com.gift-abc.xyz",
        "mihoyo-pay.cn.abc.site",
        "wx-pay.com.cn.xyzabc.top",
        "qq-hongbao.com.lingqu.cc",
        "pay-qq.com.example.net",
    ],
)
def test_brand_dressed_as_a_whole_domain_in_a_subdomain(host: str, rules: DomainRules) -> None:
    result = scan(f"https://{host}/", rules)
    assert result.verdict == "warn", reasons(f"https://{host}/", rules)
    assert result.links[0].official


@pytest.mark.parametrize(
    "host", ["mirrors.tuna.tsinghua.edu.cn", "www.example.com.cn", "news.sina.com.cn"]
)
def test_ordinary_multi_label_hosts_are_not_embedded_domains(host: str, rules: DomainRules) -> None:
    assert scan(f"https://{host}/", rules).verdict == "quiet"


@pytest.mark.parametrize(
    ("name", "brand"),
    [
        ("腾讯充值", True),
        ("王者荣耀", True),
        ("原神充值", True),
        ("点券领取", False),
        ("充值中心", False),
    ],
)
def test_punycode_hosts_are_read_after_decoding(name: str, brand: bool, rules: DomainRules) -> None:
    ascii_host = f"{name}.com".encode("idna").decode("ascii")
    result = scan(f"https://{ascii_host}/", rules)
    assert result.verdict == "warn", result.top
    assert bool(result.links[0].official) == brand
    assert name in result.links[0].shown_host


def test_a_chinese_name_without_shop_words_stays_quiet(rules: DomainRules) -> None:
    assert scan("https://中国互联网络信息中心.中国/", rules).verdict == "quiet"


@pytest.mark.parametrize(
    ("host", "verdict"),
    [
        ("qbidichong.com", "warn"),  # 两个拼音黑话
        ("daichong-qb.top", "warn"),
        ("dichongqb.xyz", "warn"),
        ("dianquan-vip.top", "warn"),
        ("dichong.com", "log"),  # 只有一个词、没有别的信号：灰色地带
        ("qbittorrent.org", "quiet"),  # 普通单词里的字母不算
    ],
)
def test_pinyin_recharge_words_in_hosts(host: str, verdict: str, rules: DomainRules) -> None:
    assert scan(f"https://{host}/", rules).verdict == verdict, reasons(f"https://{host}/", rules)


@pytest.mark.parametrize(
    ("host", "hit"),
    [
        ("xiaoyuka.cn", "ka"),  # 某某卡
        ("douka66.cn", "ka"),
        ("yun-ka.net", "ka"),
        ("ka.leyou8.net", "ka"),
        ("faka.example.com", "faka"),  # faka 里的 ka 不再单算
        (
            "my-dujiaoka.net",
            "ka",
        ),  # 用发卡程序名起的站：只有 ka，单独不提醒（官方文档站 dujiaoka.com 在白名单）
        ("kafka.apache.org", ""),  # 同样结尾的外文词
        ("www.osaka-info.jp", ""),
        ("kaspersky.com", ""),  # 只在字母段结尾才算
    ],
)
def test_ka_for_card_at_the_end_of_a_label(host: str, hit: str, rules: DomainRules) -> None:
    """“卡”的拼音 ka 结尾的域名（xiaoyuka）：通用特征的第二信号，单独不提醒。"""
    labels = host.split(".")[:-1]
    tokens = [token for token, _ in rules.shop_token_hits(labels)]
    assert (tokens[0] if tokens else "") == hit, tokens
    if hit == "ka":
        assert scan(f"https://{host}/", rules).verdict == "quiet"
        assert scan(f"https://{host}/item/8", rules).verdict == "warn"
        assert scan(f"https://{host}/member/register/", rules).verdict == "warn"


# ---------------- 共享拦截名单 ----------------


class _Lists:
    """最小的 HostList：列表里的域名及其子域名命中。"""

    def __init__(self, name: str, hosts: set[str]) -> None:
        self.name, self.hosts = name, hosts

    def match(self, host: str) -> str | None:
        parts = host.split(".")
        suffixes = {".".join(parts[i:]) for i in range(len(parts))}
        return self.name if suffixes & self.hosts else None


def test_a_shared_block_list_hit_warns_and_names_the_list(rules: DomainRules) -> None:
    lists: HostList = _Lists("反诈名单", {"quiet-shop.example.org"})
    result = scan("看看 https://www.quiet-shop.example.org/", rules, blocklist=lists)
    assert result.verdict == "warn" and result.score == 100
    assert "共享拦截名单“反诈名单”" in result.links[0].reasons[0]
    assert scan("https://www.quiet-shop.example.org/", rules).verdict == "quiet"


def test_allow_lists_win_over_shared_block_lists(rules: DomainRules) -> None:
    lists = _Lists("上游名单", {"qq.com", "partner.example.org"})
    assert scan("https://pay.qq.com/", rules, blocklist=lists).verdict == "quiet"
    group_allowed = scan(
        "https://partner.example.org/", rules, blocklist=lists, allow=["partner.example.org"]
    )
    assert group_allowed.verdict == "quiet"


# ---------------- 第二信号的边界 ----------------


def test_local_addresses_never_warn(rules: DomainRules) -> None:
    """自己电脑、局域网上搭的发卡程序（调试、学习）：群友打不开，只记日志。"""
    for url in ("http://127.0.0.1:8000/buy/1", "http://192.168.1.100:8080/item/3"):
        assert scan(url, rules).verdict == "log", reasons(url, rules)
    assert scan("http://203.0.113.9:8080/item/3", rules).verdict == "warn"


def test_a_plain_shop_subdomain_is_not_a_second_signal(rules: DomainRules) -> None:
    """shop.某某 正规商城也常用：域名里只有 shop（10 分）不足以让 /product/3.html 提醒。"""
    result = scan("https://shop.example.com.cn/product/123.html 官方 质保", rules)
    assert result.verdict == "log", result.top
    assert scan("https://faka.example.com.cn/product/123.html", rules).verdict == "warn"


def test_overlapping_words_count_once(rules: DomainRules) -> None:
    """“Plus 代充”在原文里匹配“代充”、去掉空格后又匹配“plus代充”：只算一个词。"""
    assert rules.find_words("plus 代充\nplus代充") == ["plus代充"]


def test_a_compound_ad_phrase_counts_as_both_of_its_parts(rules: DomainRules) -> None:
    """“点卡批发”“会员批发”一个词里就有卡盟词和卖货口吻：和分开写（“点卡 批发”）一样算广告。"""
    assert rules.find_words("点卡批发") == ["点卡批发", "点卡"]
    assert rules.find_words("会员批发") == ["会员批发", "批发"]
    for text in ("点卡批发 https://www.example.com/", "点卡 批发 https://www.example.com/"):
        assert scan(text, rules).verdict == "warn", reasons(text, rules)
    # 同一类的词包在一起不算两个（plus代充 里的 代充）
    assert rules.find_words("plus代充") == ["plus代充"]
    assert scan("plus代充 https://www.example.com/", rules).verdict != "warn"
    # 提醒别人时不加卖货分
    assert scan("别信那些点卡批发 https://www.example.com/", rules).verdict != "warn"


@pytest.mark.parametrize(
    "text",
    [
        "海外社媒号批发 https://www.example.com/",
        "美区id 独享id 自动发货 https://www.example.com/",
        "个人免签 秒结算 https://www.example.com/",
        "QQ代挂 刷钻 自助下单 https://www.example.com/",
    ],
)
def test_account_and_gateway_ad_wording(text: str, rules: DomainRules) -> None:
    """账号类货品、免签收款、代挂刷钻的广告：两个话术带卖货口吻，配普通网址也提醒。"""
    assert scan(text, rules).verdict == "warn", reasons(text, rules)

"""从发卡程序源码里补读的网址形状（issue 14 续）：彩虹的 mod 值和供货商后台、异次元的分享链接、
易支付网关的伪静态页、AjieShop、qfk-faka 的店铺页，以及“大小写和源码不同的路由不算强特征”。

主机名都是自己编的（example.*），不是开发集里的句子。
"""

from __future__ import annotations

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import scan

from .links_kit import assert_needs_second_signal, assert_warns_as, reasons


@pytest.mark.parametrize(
    ("url", "system"),
    [
        # 彩虹云商城分支：砍价、拼团、公众号版页面、上传收款码（只有彩虹系才有的 mod 值）
        ("https://www.example.com/?mod=cutshop", "彩虹云商城"),
        ("https://www.example.com/?mod=groupshop", "彩虹云商城"),
        ("https://www.example.com/?mod=weixin&v_mod=seckill", "彩虹云商城"),
        ("https://www.example.com/shop/?mod=upwxqrcode", "彩虹云商城"),
        # 彩虹云商城的供货商后台（卡密、上架、保证金）
        ("https://www.example.com/sup/fakalist.php", "彩虹云商城"),
        ("https://www.example.com/sup/bond.php", "彩虹云商城"),
        # 异次元发卡：登录后商品页上的分享链接 /item/{id}?from={用户 id}；付款页写成斜杠的
        ("https://www.example.com/item/12?from=345", "异次元发卡"),
        ("https://www.example.com/cat/recommend?from=9", "异次元发卡"),
        ("https://www.example.com/user/pay/order/20261207123456789/1", "异次元发卡"),
        # AjieShop：选付款方式页（带商品 id 和价格）、接彩虹易支付的付款脚本
        ("https://www.example.com/choose_pay.php?id=2&price=9.90", "AjieShop"),
        ("https://www.example.com/rainbow_pay.php", "AjieShop"),
    ],
)
def test_distinctive_routes_warn_alone(url: str, system: str, rules: DomainRules) -> None:
    assert_warns_as(url, system, rules)


@pytest.mark.parametrize(
    ("alone", "with_second"),
    [
        # 独角数卡只出小写带连字符的 /order-search；orderSearch 是物流、快递这类正规网站的写法，
        # 单独只记日志，网址再有一个可疑之处（廉价后缀）才提醒
        (
            "https://www.example.com/orderSearch?waybillCodes=AB0123456789",
            "https://www.example.top/orderSearch",
        ),
        # 彩虹的 mod=seckill|coupon|user：名字通用
        ("https://www.example.com/?mod=seckill", "https://daishua.example.com/?mod=seckill"),
        ("https://www.example.com/?mod=coupon", "https://www.example.top/?mod=coupon"),
        # 彩虹分站后台的通用文件名、供货商登录
        ("https://www.example.com/user/shop.php", "https://www.example.top/user/shop.php"),
        ("https://www.example.com/sup/login.php", "https://www.example.xyz/sup/login.php"),
        # 异次元：首页推广链接带分类
        ("https://www.example.com/?from=12&cid=4", "https://www.example.top/?from=12&cid=4"),
        # 易支付网关（主机名带 pay）伪静态的文档页、邀请链接：正规支付公司也可能有
        ("https://pay.example.com/doc.html", "https://pay.example.top/doc.html"),
        ("https://pay.example.com/?invite=AB12CD", "https://pay.example.top/?invite=AB12CD"),
        # AjieShop 的查单页、老式 PHP 商品页
        ("https://www.example.com/order_query.php", "https://www.example.vip/order_query.php"),
        ("https://www.example.com/product.php?id=3", "https://www.example.shop/product.php?id=3"),
        # qfk-faka 的店铺首页 /s/:slug：网盘、公众号文章也是 /s/，只认网址本身的第二信号
        ("https://www.example.com/s/myshop", "https://www.example.top/s/myshop"),
    ],
)
def test_generic_routes_need_a_second_signal(
    alone: str, with_second: str, rules: DomainRules
) -> None:
    assert_needs_second_signal(alone, with_second, rules)


@pytest.mark.parametrize(
    "text",
    [
        # 消息里的话术不能给最泛的形状作证：/product.php?id=、/s/ 是谁都有的
        "卡密问题看这里 https://www.example.com/product.php?id=3",
        "自动发卡教程 https://www.example.com/s/tutorial",
        # 易支付的伪静态页只在支付网关式的主机名上才算；学校缴费平台不算
        "https://www.example.top/doc.html",
        "https://pay.example.edu.cn/doc.html",
        # 网盘的分享链接（白名单）
        "https://pan.baidu.com/s/1AbCdEfGh",
    ],
)
def test_broad_shapes_stay_quiet(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict != "warn", reasons(text, rules)


@pytest.mark.parametrize(
    ("hinted", "plain"),
    [
        ("https://ds.example.com/user/reg.php", "https://www.example.com/user/reg.php"),
        ("https://dsw.example.com/group/3.html", "https://www.example.com/group/3.html"),
        (
            "https://ds-88.example.com/user/recharge.php",
            "https://www.example.com/user/recharge.php",
        ),
    ],
)
def test_daishua_host_hint_backs_a_store_shape(hinted: str, plain: str, rules: DomainRules) -> None:
    """ds、dsw（代刷、代刷网）不计分，只给 30 分以上的商城形状作第二信号。"""
    assert scan(hinted, rules).verdict == "warn", reasons(hinted, rules)
    assert scan(plain, rules).verdict != "warn", reasons(plain, rules)


@pytest.mark.parametrize(
    "text",
    [
        "https://ds.example.com/",  # 只有缩写，没有商城形状
        "https://ds.example.com/cart",  # 最泛的形状不认它
        "https://ds.example.top/",  # 缩写不和廉价后缀叠加
        "卡密 https://ds.example.com/docs",  # 也不和话术叠加
    ],
)
def test_daishua_host_hint_alone_never_warns(text: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict != "warn", reasons(text, rules)
    assert "代刷网常用的缩写" not in reasons(text, rules)


def test_wholesale_price_words_back_a_reseller_page(rules: DomainRules) -> None:
    """“拿货价”“进货价”是分站/代理进货的说法，给分销注册页作证；只说“进货”不算。"""
    url = "https://www.example.com/reseller/apply"
    assert scan(url, rules).verdict != "warn"
    assert scan(f"代理入口 {url} 拿货价更低", rules).verdict == "warn"
    assert scan(f"分站 {url} 进货价另算", rules).verdict == "warn"
    assert scan(f"去批发市场进货 {url}", rules).verdict != "warn"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://www.example.com/links/a1b2c3d4", "商品直链"),
        ("https://www.example.com/merchant/register", "商户入驻 0 押金"),
        ("https://www.example.com/merchant/login", "下单链接"),
    ],
)
def test_platform_wording_backs_a_platform_page(url: str, words: str, rules: DomainRules) -> None:
    """多商户发卡平台的说法（商品直链、商户入驻）给平台的店铺、商户页作证。"""
    assert scan(url, rules).verdict != "warn", reasons(url, rules)
    assert scan(f"{words} {url}", rules).verdict == "warn", reasons(f"{words} {url}", rules)
    assert scan(f"{words} https://www.example.com/about", rules).verdict != "warn"

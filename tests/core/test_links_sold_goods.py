"""消息点名卖别家的会员/授权时给商店形状作证，以及从源码补读的几种网址（issue 14 续）。

易支付兼容网关（EzPay 文档）的 /api/submit?pid=&type=&money=、/cashier/{单号}、易支付的 /pay/return/{单号}/，
骑士发卡旧版的 /shop/pay?trade_no=，ThinkPHP 多商户发卡平台的 /index/pay/payment?trade_no=，链动小铺同款的
/shopApi/Pay/payment，ZFAKA 代理模块的 /agent/…。主机名都是自己编的（example.*）。
"""

from __future__ import annotations

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import scan

from .links_kit import assert_needs_second_signal, assert_warns_as, reasons


@pytest.mark.parametrize(
    ("sold", "plain"),
    [
        # 消息点名别家的会员（品牌 + 会员种类），网址是商店形状：算第二信号
        (
            "爱奇艺黄金会员 年卡 https://www.example.com/product/detail/?pid=15",
            "看看这个 https://www.example.com/product/detail/?pid=15",
        ),
        # 没有卖货口吻、只有价格也算：消息自己在点名别家的会员
        (
            "腾讯视频月卡 9.9 https://mall.example.com/item/31",
            "9.9 https://mall.example.com/item/31",
        ),
        # 软件授权：Adobe 全家桶、Windows 激活码
        (
            "Adobe 全家桶 一年 https://www.example.com/product/9.html",
            "一年 https://www.example.com/product/9.html",
        ),
        (
            "Windows 激活码 https://www.example.com/item/12",
            "https://www.example.com/item/12",
        ),
        # “Spotify 家庭会员”：品牌后面是带修饰的会员种类
        (
            "Spotify 家庭会员 https://www.example.com/products/family-plan",
            "家庭 https://www.example.com/products/family-plan",
        ),
    ],
)
def test_named_third_party_goods_corroborate_shop_shape(
    sold: str, plain: str, rules: DomainRules
) -> None:
    loud = scan(sold, rules)
    assert loud.verdict == "warn", reasons(sold, rules)
    assert "别家的订阅或账号" in reasons(sold, rules)
    quiet = scan(plain, rules)
    assert quiet.verdict != "warn", reasons(plain, rules)


@pytest.mark.parametrize(
    "text",
    [
        # 提醒别人的：点名的会员只是在说骗局
        "小心骗子 说卖爱奇艺黄金会员 https://www.example.com/product/detail/?pid=15",
        # 最泛的形状（/cart）：消息点名会员也说明不了这个网址
        "腾讯视频会员 https://www.example.com/cart",
        # 没有商店形状的网址：点名会员不加分
        "爱奇艺黄金会员 https://www.example.com/about",
        # 在问别家会员的事（教程、被盗、退订），不是在卖
        "Office 永久版 安装教程 https://www.example.com/item/12",
        "求助 爱奇艺黄金会员 被盗了 https://www.example.com/product/3.html",
        "爱奇艺会员 怎么退订 https://help.example.com/item/12",
        # 只是路径里有商品名、消息什么也没说（产品目录站）
        "https://www.example.com/products/spotify-premium",
    ],
)
def test_named_goods_stay_quiet_without_a_shop_shape(text: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict != "warn", reasons(text, rules)


@pytest.mark.parametrize(
    ("url", "system"),
    [
        # 易支付兼容网关的 /api/submit、/api/mapi：商户号、付款方式、金额一起出现
        ("https://pay.example.com/api/submit?pid=1001&type=alipay&money=9.9", "彩虹易支付"),
        ("https://www.example.com/api/mapi?type=wxpay&money=10&pid=2002", "彩虹易支付"),
        ("https://www.example.com/submit.php?money=5&pid=3&type=qqpay", "彩虹易支付"),
        # 骑士发卡旧版去付款页，订单号合源码格式（前缀 + 12 位时间 + 8 位十六进制）
        ("https://www.example.com/shop/pay?trade_no=QS2612061234565f3a9c1e", "骑士发卡"),
        # ThinkPHP 多商户发卡平台：模块/控制器/方法写法的付款页
        ("https://www.example.com/index/pay/payment?trade_no=T2026120712345", "多商户发卡平台"),
        ("https://www.example.com/index/pay/wx_jspay_page?trade_no=T202612071", "多商户发卡平台"),
        # 链动小铺同款程序的收银台
        ("https://shop.example.com/shopApi/Pay/payment?trade_no=LD261207AB12CD", "链动小铺"),
    ],
)
def test_source_routes_warn_alone(url: str, system: str, rules: DomainRules) -> None:
    assert_warns_as(url, system, rules)


@pytest.mark.parametrize(
    "url",
    [
        # 只有其中一两个参数的接口地址不算易支付协议
        "https://www.example.com/api/submit?type=form",
        "https://www.example.com/api/submit?pid=12&type=post",
        # 没有订单号的付款页地址
        "https://www.example.com/index/pay/payment",
        "https://www.example.com/index/pay/payment?method=card",
    ],
)
def test_partial_epay_parameters_stay_quiet(url: str, rules: DomainRules) -> None:
    result = scan(url, rules)
    assert result.verdict != "warn", reasons(url, rules)


@pytest.mark.parametrize(
    ("alone", "with_second"),
    [
        # 骑士发卡旧版 /shop/pay?trade_no=：单号不合源码格式时，正规商店的付款页也可能这么叫
        (
            "https://www.example.com/shop/pay?trade_no=AB12345678",
            "https://www.example-faka.com/shop/pay?trade_no=AB12345678",
        ),
        # EzPay 收银台
        (
            "https://www.example.com/cashier/20231211123456789abc",
            "https://www.example.top/cashier/20231211123456789abc",
        ),
        # ThinkPHP 多商户发卡平台 route.php 的短写法 pay/payment
        (
            "https://www.example.com/pay/payment?trade_no=AB12345678",
            "https://www.example.vip/pay/payment?trade_no=AB12345678",
        ),
        # 易支付的付款回跳 /pay/return/{单号}/：单号不合源码格式时是通用形状
        (
            "https://www.example.com/pay/return/AB12345678/",
            "https://www.example.top/pay/return/AB12345678/",
        ),
        # ZFAKA 代理模块：路径名通用，只认网址本身的第二信号
        ("https://www.example.com/agent/product", "https://www.example.site/agent/product"),
        ("https://www.example.com/agent/user/add", "https://www.example.xyz/agent/user/add"),
    ],
)
def test_generic_source_routes_need_a_second_signal(
    alone: str, with_second: str, rules: DomainRules
) -> None:
    assert_needs_second_signal(alone, with_second, rules)

"""目录外的发卡程序（骑士发卡、CardSystem、玖伍社区、新一代单页商店…）：从源码读出的网址形状。

强特征单独提醒；通用形状单独只进灰色地带（记日志、交给页面探测），有第二信号才提醒；
最泛的形状（/cart、/recharge）只认网址本身的第二信号，消息里的话术不算。
"""

from __future__ import annotations

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import scan

from .links_kit import reasons


@pytest.mark.parametrize(
    "url",
    [
        # 骑士发卡（qs-faka）：付款页、带它的订单号格式的查单页
        "https://www.example.com/home/pay/pay?trade_no=QS2612071430553f9c21e0",
        "https://www.example.com/order?orderId=QS2612071430553f9c21e0",
        # ThinkPHP 多商户平台的店铺接口
        "https://www.example.com/ajax/getgoodinfo?token=AB12",
        "https://www.example.com/checkgoods",
        # 玖伍社区：带 goods_type 的商品页、卡密页
        "https://www.example.com/index.php?m=Home&c=Goods&a=detail&id=3206&goods_type=215",
        "https://www.example.com/index.php?m=Home&c=Card&a=cardinfo&id=25914&goods_type=215",
        # 货源站对接接口
        "https://www.example.com/dockapi/index/getallgoods.html",
        "https://www.example.com/api/UserCommdity/GetCommodityList?userName=a",
        # CardSystem：YmdHis + 5 位的订单号、fragment 路由里的查单/投诉
        "https://www.example.com/pay/20261207143055aB3dE",
        "https://www.example.com/qrcode/pay/20261207143055aB3dE/alipay",
        "https://www.example.com/s#/record",
        "https://www.example.com/?theme=Material#/report",
        # kamiFaka 的接口
        "https://www.example.com/api/v2/get_pay_url",
        # 易支付网关上的商户邀请页和商户后台首页
        "https://pay.example.com/user/invite.php",
        "https://epay.example.net/user/",
    ],
)
def test_distinctive_routes_from_other_shop_software_warn_alone(
    url: str, rules: DomainRules
) -> None:
    assert scan(url, rules).verdict == "warn", reasons(url, rules)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/links/5d41402a",  # 骑士发卡的 8 位十六进制店铺码
        "https://www.example.com/index.php?m=Home&c=Goods&a=detail&id=3206",
        "https://www.example.com/orders/lookup",  # 游客查单
        "https://www.example.com/order/search",
        "https://www.example.com/order/PO20261207143055123",  # 时间戳订单号的结果页
        "https://www.example.com/product/17",
        "https://www.example.com/product/claude-pro",
        "https://www.example.com/buyer/product/1024",
        "https://www.example.com/distributor/register",
        "https://www.example.com/api/v2/detail/27",
        "https://www.example.com/merchant/register",
    ],
)
def test_generic_routes_are_grey_alone_and_warn_with_a_second_signal(
    url: str, rules: DomainRules
) -> None:
    alone = scan(url, rules)
    assert rules.log <= alone.score < rules.warn, reasons(url, rules)
    assert scan(url.replace("example.com", "example.top"), rules).verdict == "warn"
    assert scan(f"卡密 {url}", rules).verdict == "warn"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/cart",
        "https://www.example.com/checkout",
        "https://www.example.com/redeem",
        "https://www.example.com/recharge",
        "https://www.example.com/?from=1024",  # 异次元的推广链接
    ],
)
def test_the_barest_shapes_take_only_url_evidence(url: str, rules: DomainRules) -> None:
    """哪个网站都有 /recharge：“别找代充，去官方充值”里的“代充”说明不了这个网址。"""
    assert scan(url, rules).verdict == "quiet"
    assert scan(f"别找代充 卡密 {url}", rules).verdict != "warn", reasons(url, rules)
    assert scan(url.replace("example.com", "example.top"), rules).verdict == "warn"
    assert scan(url.replace("www.example.com", "198.51.100.7:8000"), rules).verdict == "warn"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/order?orderId=20261207143055123456",  # 纯数字：哪家商城都有
        "https://www.example.com/links/",
        "https://www.example.com/pay/2026120714305",  # 位数不对
        "https://bbs.example.com/index.php?m=home&c=forum&a=detail&id=3",
        "https://www.example.com/product/ecs.html",
        "https://www.example.com/s/search?q=1",
        "https://pay.example.edu.cn/user/",  # 学校缴费平台
        "https://pay.example.gov/user/login.php",
    ],
)
def test_near_misses_stay_below_warn(url: str, rules: DomainRules) -> None:
    assert scan(url, rules).verdict != "warn", reasons(url, rules)


def test_campus_payment_hosts_are_not_epay_gateways(rules: DomainRules) -> None:
    assert scan("https://pay.example.com/user/login.php", rules).verdict == "warn"
    assert scan("https://pay.example.edu.cn/user/login.php", rules).verdict != "warn"

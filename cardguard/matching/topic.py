"""话题判断：被动回答前，这句话必须明显在谈发卡网/卡盟/虚拟商品交易安全。

单独一个“卡”字不算：显卡、银行卡、抽卡、卡池、公交卡、网卡、卡顿都不是我们的话题。
"""

from __future__ import annotations

import re

from .features import concepts

# 强话题词：出现一个就说明在谈卡网/虚拟商品交易。
STRONG_TERMS = (
    "发卡",
    "卡网",
    "卡盟",
    "卡密",
    "自助下单",
    "自动发货",
    "自动发卡",
    "点卡",
    "代充",
    "低价充",
    "黑卡",
    "cdk",
    "激活码",
    "充值卡",
    "礼品卡",
    "钱包卡",
    "分站",
    "招代理",
    "当代理",
    "做代理",
    "刷单",
    "盗版",
    "正版",
    "qb",
    "游戏币",
    "皮肤",
    "月卡",
    "卡券",
    "虚拟商品",
    "虚拟物品",
)
# 弱话题词：需要和较高的匹配分一起出现。
WEAK_TERMS = (
    "key",
    "steam",
    "充值",
    "会员",
    "被骗",
    "骗子",
    "诈骗",
    "退款",
    "举报",
    "投诉",
    "封号",
    "盗号",
    "被盗",
    "泄露",
    "帮信",
    "流水",
    "令牌",
    "设备锁",
    "二次验证",
    "异地登录",
    "验证码",
    "扫码",
    "二维码",
    "实名",
    "身份证",
    "个人信息",
    "付款",
    "付钱",
    "转账",
    "收款码",
    "网站",
    "平台",
    "商家",
    "便宜",
    "低价",
    "官方",
    "机器人",
    "bot",
    "违法",
    "犯法",
    "坐牢",
    "监管",
    "账号",
)
_STRONG_RE = re.compile("|".join(map(re.escape, STRONG_TERMS)))
_WEAK_RE = re.compile("|".join(map(re.escape, WEAK_TERMS)))
# 概念特征里，单独出现就说明在谈卡网交易的几类。
STRONG_CONCEPTS = frozenset({"#shop", "#code", "#pirate", "#agent"})
# 容易撞车的说法：银行卡密码里的“卡密”、编程里的 key、游戏活动的兑换码、手机卡号。
_AMBIGUOUS_RE = re.compile(r"卡密码|(?<![a-z])key(?![a-z])|卡号|序号|兑换码")
# 正规电商/快递/外卖、公交卡话费这类充值、开挂被封：都不是卡网的话题。
_LEGIT_SHOPPING_RE = re.compile(
    r"淘宝|京东|拼多多|天猫|快递|外卖|闲鱼|美团|物流|唯品会|抖音商城|"
    r"公交卡|交通卡|校园卡|饭卡|水卡|电费|水费|话费|流量|开挂|外挂"
)
_BUYING_RE = re.compile(r"买|卖|付|充|花了|下单|购|多少钱|价")
_GAME_STORE_RE = re.compile(r"steam|epic|游戏|dlc|激活|uplay|xbox|switch|ps\d|windows|office")


def topic_strength(prepared: str) -> int:
    """话题强度：2 = 明显在谈卡网/虚拟商品交易，1 = 沾边（弱话题词或两类以上相关概念），0 = 无关。

    输入须已预处理（`prepare`）。歧义词（key、兑换码、卡号）要有购买或失效的上下文才算数。
    """
    plain = _AMBIGUOUS_RE.sub(" ", prepared)
    if _STRONG_RE.search(plain) or set(concepts(plain)) & STRONG_CONCEPTS:
        return 2
    if _LEGIT_SHOPPING_RE.search(prepared):
        return 0
    found = set(concepts(prepared))
    if "#nodeliver" in found:
        return 2
    if "#code" in found and _ambiguous_code_in_context(prepared, found):
        return 2
    if _WEAK_RE.search(prepared) or len(found) >= 2:
        return 1
    return 0


def _ambiguous_code_in_context(prepared: str, found: set[str]) -> bool:
    """key 要和购买或游戏商店一起出现；兑换码、卡号还可以和“失效/已使用”一起出现。"""
    buying = bool(_BUYING_RE.search(prepared))
    if re.search(r"(?<![a-z])key(?![a-z])", prepared):
        return buying or bool(_GAME_STORE_RE.search(prepared))
    return buying or "#invalid" in found

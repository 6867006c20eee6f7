"""给每条网址打 0–100 分，并用中文说明理由。

权重（发卡词、系统特征的权重在 domains.yaml 里）：

| 信号 | 分 | 说明 |
|---|---|---|
| 拦截名单 | 100 | 发布的 block 列表，或 `scan(blocklist=...)` 的共享名单（共享名单不压过白名单） |
| 发卡系统特征 | shops.yaml | 只有发卡软件才有的网址（独角数卡 /buy/<n>）≥ warn；通用的（/item/<n>）低于 warn |
| 通用特征 + 第二信号 | 补到 warn | 通用特征再加上话术、域名发卡词、廉价后缀、IP、端口、伪装、仿冒、托管平台，或同一条消息里有付款页；正规商城也有的形状（≤40 分）只有卖货口吻不算 |
| 托管发卡平台/支付网关 | shops.yaml | 平台上的店铺/商品/付款页面（pay.ldxp.cn/shop/…）；平台别的页面低一些 |
| 仿冒品牌 | 30–70 | 形近字母 70，一字之差/子域名冒充官方 60，品牌名套在别人域名里 45 |
| 卡片冒充 | 60 / 20 | 标题像官方服务（腾讯充值中心、QQ钱包）或就是品牌名却指向别处 60；只提到品牌、或指向文章 20 |
| 伪装写法 | 40 | 全角、零宽、点代替.、hxxp、@ 藏地址、%xx 主机名、整数 IP…（单纯大写不计分） |
| 拉人返佣 | 0，作证 | 消息说返佣、送余额、邀请码，网址又带邀请参数（?aff=、?from=、?invite=）或是推广页：给 ≥30 分的商城形状作第二信号 |
| 发卡程序名 | 话术 | 消息点名异次元发卡、独角数卡、zfaka…：有卖货口吻或网址本身像发卡站时算一个卡盟话术；提醒别人、讨论程序、只在网址里时不算 |
| 代刷网缩写 | 0，作证 | 域名里有 ds、dsw（shop_hint_tokens）：不计分，只给 ≥30 分的商城形状作第二信号 |
| 域名含发卡词 | yaml | kami/faka 40，km 15 …（连字符拆开、形近字母也认）；两个不同的词再加 15 |
| 直接用 IP | 35 / 10 | 公网（含文档保留段）/ 局域网、本机 |
| 短链接 | 30 | |
| 国际化域名 | 20 / 40 | punycode / 混用形近文字 |
| 廉价后缀 | 20 | 含免费二级域名/动态域名（x.us.kg、x.qzz.io、x.duckdns.org） |
| 非常用端口 | 15 | |
| 卡盟话术 | 30/40/50 | 消息里 1/2/≥3 个词；网址本身还有别的信号时再加 10；≥2 个词、有卖货口吻且有卡盟特有的词再加 20；指向文章/帖子（/posts/、/2024/05/）又没有发卡特征时只算 30 |
| 普通买卖用语 | ≤45 | 只有“现货、质保、全网最低”这类正规商店也用的词：同上计分但封顶 45，不算第二信号 |
| 只有零售口吻 | ≤45 | 只有“秒发、批发、自动发货”这类正规数字商店也说的：同上封顶 45，不算商城形状要的第二信号（路径卖的是别家订阅时除外） |
| 中文域名含话术 | 40 | 卡密商城.xyz、充值中心.top（punycode 解码后找） |
| 中文域名含品牌 | 60 | 腾讯客服.com（解码后是品牌的中文名，又不是官方网站） |
| 最泛的形状 | <30 | /cart、/recharge、/?from=12：只认网址本身的第二信号（廉价后缀、发卡词、IP…），话术不算 |
| 卖别家的订阅 | 作证 | 路径（/products/claude-max）点名卖别家的会员时，卖货口吻也算商城形状的第二信号；消息自己点名（腾讯视频月卡、Adobe 全家桶）时本身就算（最泛的形状、提醒别人、问怎么退订的不算） |
| 机构后缀 | 封顶 59 | edu.cn、org.cn、ac.uk、.gov…（institution_suffixes）：网址本身没到 warn 时，话术再多也只记日志 |

单个弱信号（只有廉价后缀、只有端口、只有一个话术词配普通网址）达不到 warn=60；
话术 + 任何可疑网址、任一强特征、拦截名单、仿冒、发卡词 + 廉价后缀、伪装 + 廉价后缀、
通用发卡特征 + 任一第二信号、卖货口吻的广告（≥2 个话术含卖货词）配普通网址都会达到。
在提醒别人（骗子、举报…）、指向文章、或在用户内容网站上时，话术不加卖货分。
白名单网站（含 `scan(allow=...)` 的群内白名单）永远 0 分，拦截名单优先于白名单。
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..knowledge.domains import BrandInfo, DomainRules
from ..knowledge.shops import Fingerprint
from ..text import fold
from . import lookalike
from .deobfuscate import CONFUSABLE, Disguise, disguise_names
from .extract import Link
from .report import HostList, defang_host

W_BLOCK = 100
W_DISGUISE = 40
W_PUBLIC_IP = 35
W_PRIVATE_IP = 10
W_SHORTENER = 30
W_IDN = 20
W_MIXED_SCRIPT = 40
W_CHEAP_TLD = 20
W_PORT = 15
W_CLAIM = 60
W_CLAIM_WEAK = 20
W_WORDS = (0, 30, 40, 50)
W_WORDS_COMBO = 10
W_COMMERCE_MAX = 45  # 只有普通买卖用语时话术最多这么多分
W_SALES = 20  # ≥2 个话术里有卖货口吻（自助下单、全网最低…），又不是在提醒别人、也不是文章链接
W_HOST_WORDS = 40
W_HOST_BRAND = 60  # 中文域名就是品牌名（腾讯充值.com）
W_TOKEN_PAIR = 15  # 域名里有两个不同的发卡词（qbi + dichong）
PAGE_NAMES = {
    "product": "下单页",
    "buy": "下单页",
    "category": "商品分类页",
    "query": "查单页",
    "pay": "付款页",
    "signup": "代理/分站注册页",
    "user": "用户中心",
    "home": "首页",
}
# 通用的发卡系统特征（/item/3）有了这些信号之一就补到 warn；太弱的（域名里只有 shop、card
# 这种正规商城也常用的词，10 分）不算。
MIN_SECOND_WEIGHT = 15
SECOND_SIGNALS = frozenset(
    {
        "shop_words",
        "shop_token",
        "cheap_tld",
        "platform",
        "ip",
        "port",
        "disguise",
        "idn",
        "lookalike",
        "card_claim",
        "companion",
        "host_hint",
        "referral",
    }
)
# 网址本身的信号；话术、卡片标题这类“消息怎么说”的不算
_MESSAGE_KINDS = frozenset(
    {"shop_words", "sales_words", "commerce_words", "card_claim", "companion", "referral"}
)
# 通用特征分两档：≤ 这个分数的是正规商城也常见的形状（/item/3、/products/3、/product/3.html），
# 只有卖货口吻（秒发、批发）不够，要说到卡盟货品或网址本身可疑；更高的（kamiFaka 的 /#/3/detail、
# ZFAKA 的 /product/detail/?pid=）几乎只有发卡程序才有，卖货口吻也算第二信号。
STORE_SHAPE_MAX = 40
# 最泛的形状（/cart、/recharge、/?from=12，低于 log 线）：哪个网站都可能有，消息里的话术
# （“别找代充，去官方充值”）说明不了这个网址，只认网址本身的第二信号（廉价后缀、发卡词、IP…）
BARE_SHAPE_MAX = 29
_URL_SECOND_SIGNALS = SECOND_SIGNALS - {"shop_words", "card_claim", "host_hint", "referral"}
# 不计分、只给商城形状作证的信号（同一条消息里的付款页、域名里的代刷网缩写）
_ZERO_WEIGHT_KINDS = frozenset({"companion", "host_hint", "referral"})
ALLOWED_REASON = "官方或常用网站（白名单）"
_NEAR_SECOND_SIGNALS = SECOND_SIGNALS | {"sales_words"}
_GOODS_SECOND_SIGNALS = frozenset({"sales_words", "commerce_words"})
_SILENT = Disguise.UPPER | Disguise.IDN


@dataclass(frozen=True)
class Signal:
    """一个打分信号：种类（对应 signal_risks 的键）、分数、中文理由。"""

    kind: str
    weight: int
    reason: str
    official: str = ""  # 仿冒/冒充类信号：被冒充的官方网站


@dataclass(frozen=True)
class Scored:
    """一条网址的打分结果。"""

    score: int
    signals: tuple[Signal, ...]
    allowed: bool
    risk_ids: tuple[str, ...]

    @property
    def official(self) -> str:
        """这条网址像在冒充的官方网站（取分数最高的仿冒类信号；没有则为空串）。"""
        return next((s.official for s in self.signals if s.official), "")

    @property
    def reasons(self) -> tuple[str, ...]:
        """给人看的理由（按分数从高到低）。"""
        if self.allowed:
            return (ALLOWED_REASON,)
        return tuple(s.reason for s in self.signals)


def is_allowed(link: Link, rules: DomainRules, extra: Collection[str] = ()) -> bool:
    """白名单（含群内临时白名单）里的网站；拦截名单优先。"""
    if rules.block_hit(link.host, link.path) is not None:
        return False
    if any(link.host == a or link.host.endswith("." + a) or link.site == a for a in extra):
        return True
    kind = rules.site_kind(link.host)
    return kind is not None and kind[0] == "allow"


def score_link(
    link: Link,
    rules: DomainRules,
    *,
    words: Sequence[str] = (),
    claim: str = "",
    title: str = "",
    allow: Collection[str] = (),
    caution: bool = False,
    blocklist: HostList | None = None,
    companion: str = "",
    goods: str = "",
    referral: bool = False,
) -> Scored:
    """给一条网址打分。

    words：消息里的卡盟话术；claim：所在卡片的标题/描述；title：卡片标题；
    caution：消息是在提醒别人（骗子、举报…），这时话术不再额外加分；
    blocklist：共享拦截名单；companion：同一条消息里另一条网址是发卡/付款页面时写它的说明；
    goods：消息里点名卖的别家会员/订阅（腾讯视频月卡），见 `DomainRules.goods_in_text`；
    referral：消息在拉人注册、推广返佣（返佣、送余额、邀请码）。
    """
    if is_allowed(link, rules, allow):
        return Scored(0, (), True, ())
    signals = _link_signals(link, rules)
    if blocklist is not None:
        signals.extend(_shared_block(link, blocklist))
    if claim:
        signals.extend(_claim_signals(link, claim, title or claim, rules))
    if words:
        signals.append(_words_signal(link, words, signals, rules, caution=caution))
    if companion:
        signals.append(Signal("companion", 0, f"同一条消息里还有{companion}"))
    if referral and _REFERRAL_RE.search(_path(link)) and not _ROOT_RE.match(_path(link)):
        # 首页的邀请链接（/?aff=AB12）谁家都有（主机商、机场的推广），只有邀请参数本身不算商城形状
        signals.append(Signal("referral", 0, "消息在拉人注册返佣，网址带着邀请参数或是推广页"))
    signals = _corroborate(
        [s for s in signals if s.weight > 0 or s.kind in _ZERO_WEIGHT_KINDS],
        rules,
        _path(link),
        goods,
        caution=caution,
    )
    signals = sorted((s for s in signals if s.weight > 0), key=lambda s: -s.weight)
    score = min(100, sum(s.weight for s in signals))
    institution = rules.institution(link.host)
    if institution and sum(s.weight for s in signals if s.kind not in _MESSAGE_KINDS) < rules.warn:
        # 只许机构注册的后缀（edu.cn、ac.uk、.gov）：网址本身没到 warn 时，消息里的话术再多
        # 也只记日志——大学、协会的页面不会因为有人在旁边说“卡密”就成了发卡网
        score = min(score, rules.warn - 1)
    if is_local(link) and not any(s.kind in ("block", "disguise") for s in signals):
        # 本机/局域网地址别人打不开（自己搭的测试站、路由器后台）：最多记日志。
        # 写成整数/十六进制这类伪装的不算：没人这样写自己的路由器地址
        score = min(score, rules.warn - 1)
    return Scored(score, tuple(signals), False, _risks(link, signals, rules))


def _corroborate(
    signals: list[Signal],
    rules: DomainRules,
    path: str = "",
    named: str = "",
    *,
    caution: bool = False,
) -> list[Signal]:
    """通用的发卡系统特征（/item/3、/product/3.html）要有第二个信号才提醒。

    有第二信号（话术、域名发卡词、廉价后缀、IP…）时补到 warn；路径点名卖的是别人家的
    会员/订阅（/products/claude-max）时，卖货口吻也算第二信号；消息自己点名卖别家的会员、
    授权（“爱奇艺黄金会员”“Adobe 全家桶”“Spotify 家庭会员”）时，这件事本身就算第二信号
    （最泛的形状除外，提醒别人时也不算）。
    没有时（只有普通买卖用语，或什么都没有），这条特征最多把总分带到 warn 以下：
    正规商城也有 /product/3.html。
    """
    generic = next(
        (s for s in signals if s.kind == "fingerprint" and 0 < s.weight < rules.warn), None
    )
    if generic is None:
        return signals
    if generic.weight <= BARE_SHAPE_MAX:
        kinds = _URL_SECOND_SIGNALS
    elif generic.weight <= STORE_SHAPE_MAX:
        kinds = SECOND_SIGNALS
    else:
        kinds = _NEAR_SECOND_SIGNALS
    others: Sequence[object] = _seconds(signals, generic, kinds)
    sold = ""
    goods = None if others else (rules.goods_in_path(path) if path else None) or named or None
    if goods and named and not caution and generic.weight > BARE_SHAPE_MAX:
        # 消息点名卖的是别家的会员、授权（爱奇艺黄金会员、Adobe 全家桶），网址又是商店形状：
        # 正规商店的商品页不会配这样的话单独转发；只有路径里有商品名的（产品目录站）不算
        others = [named]
        sold = f"，卖的是别家的订阅或账号（{named}）"
    elif goods:
        # 商店形状的网址卖的是别人家的订阅/账号（/products/claude-max），消息又在卖货（现货、
        # 自动发货）：正规商店不转卖这些，卖货口吻也算第二信号。只有形状没有卖货口吻的
        # （产品目录站 /products/chatgpt）不算
        others = _seconds(signals, generic, kinds | _GOODS_SECOND_SIGNALS)
        sold = f"，卖的是别家的订阅或账号（{goods}）" if others else ""
    total = sum(s.weight for s in signals)
    if others and total < rules.warn:
        weight = generic.weight + rules.warn - total
        reason = f"{generic.reason}{sold}，又有其他可疑特征"
    elif others and sold:
        weight, reason = generic.weight, f"{generic.reason}{sold}"
    elif not others and total >= rules.warn:
        weight = max(0, generic.weight - (total - rules.warn + 1))
        reason = generic.reason
    else:
        return signals
    replaced = Signal("fingerprint", weight, reason)
    return [replaced if s is generic else s for s in signals]


def _seconds(signals: Sequence[Signal], generic: Signal, kinds: Collection[str]) -> list[Signal]:
    """能给通用特征作证的其他信号（太弱的域名词不算；同一条消息里的付款页不论分数都算）。"""
    return [
        s
        for s in signals
        if s is not generic
        and s.kind in kinds
        and (s.weight >= MIN_SECOND_WEIGHT or s.kind in _ZERO_WEIGHT_KINDS)
    ]


def _shared_block(link: Link, blocklist: HostList) -> list[Signal]:
    name = blocklist.match(link.host)
    if not name:
        return []
    return [Signal("block", W_BLOCK, f"域名在共享拦截名单“{name}”中")]


def shop_page(link: Link, rules: DomainRules) -> str:
    """这条网址本身就是发卡/付款页面（强特征或托管平台的店铺页）时，返回给人看的说明。"""
    if is_allowed(link, rules):
        return ""
    fp = _best_fingerprint(link, rules)
    if fp is not None and (fp.weight >= rules.warn or fp.page == "pay"):
        return f"{fp.system}的页面（{defang_host(link.host)}）"
    platform = rules.platform_for(link.host)
    if platform is not None and platform.page_hit(_path(link)):
        return f"{platform.name}的页面"
    return ""


# 发卡程序的邀请参数和推广页：Dujiao-Next 任何页面的 ?aff=邀请码、异次元的 ?from=用户id、
# 易支付的 ?invite=、彩虹云商城的 ?i=；推广页 /me/affiliate、/user/agent/promote、tuiguang.php
# （通用的 ?ref=、?code= 不算：正规商店、云服务的推广链接都用它们）
_REFERRAL_RE = re.compile(
    r"[?&](?:aff=(?-i:[A-Z0-9]{4,32})|from=\d{1,8}|invite=\w{4,32}|i=\w{3,16})(?:&|$|#)"
    r"|/(?:affiliate|promote|tuiguang(?:\.php)?)(?:$|[/?#])",
    re.I,
)


_ROOT_RE = re.compile(r"/(?:index\.(?:php|html?))?(?:[?#]|$)", re.I)


# 文章/帖子的网址：话术多半是在讨论，不是在卖货。
_ARTICLE_RE = re.compile(
    r"/(?:articles?|news|blogs?|posts?|p|threads?|read|questions?|answers?|wiki|zhuanlan|column)"
    r"(?:[/._-]|$)|/20\d\d[/-]|\.s?html?(?:$|[?#])",
    re.I,
)


# 文章、帖子的目录式路径（不含 .html：发卡站的静态页也常是 .html）。
_POST_RE = re.compile(
    r"/(?:articles?|news|blogs?|posts?|p|threads?|questions?|answers?|wiki|zhuanlan|column)"
    r"(?:[/._-]|$)|/20\d\d[/-]\d\d",
    re.I,
)


def _words_signal(
    link: Link,
    words: Sequence[str],
    signals: Sequence[Signal],
    rules: DomainRules,
    *,
    caution: bool,
) -> Signal:
    words = _backed_words(words, signals, rules)
    if not words:
        return Signal("shop_words", 0, "")
    weight = W_WORDS[min(len(words), 3)]
    article = _POST_RE.search(link.path) is not None
    if article and not any(s.kind == "fingerprint" for s in signals):
        # 指向文章、帖子：话术多半是文章在讲的事，不是这个网站在卖的东西——只算一个词的分，
        # 也不和域名的弱信号叠加（技术博客常用 .top、.tech 这类后缀）
        weight = W_WORDS[1]
    elif any(s.weight > 0 for s in signals):
        weight += W_WORDS_COMBO
    if _selling(link, words, rules, caution=caution):
        weight += W_SALES
    if all(word in rules.commerce for word in words):
        # 只有“现货、质保、全网最低”这类正规商店也用的词：算广告口吻，但单靠它们到不了 warn，
        # 也不算通用特征要的第二信号
        weight = min(weight, W_COMMERCE_MAX)
        return Signal("commerce_words", weight, f"消息里有卖货话术：{'、'.join(words[:4])}")
    if all(word in rules.retail or word in rules.commerce for word in words):
        # 只有正规数字商店也会说的卖货口吻（秒发、批发、自动发货），没说到卡密、代充、自助下单
        # 这类卡盟的说法：和普通买卖用语一样封顶（大商城首页“现货 秒发 批发”到不了提醒线），
        # 也不算商城形状（/products/3）要的第二信号
        weight = min(weight, W_COMMERCE_MAX)
        return Signal("sales_words", weight, f"消息里有卖货话术：{'、'.join(words[:4])}")
    return Signal("shop_words", weight, f"消息里有卡盟话术：{'、'.join(words[:4])}")


# 域名发卡词至少这么重（kami、faka、daichong），程序名才算话术：dujiaoka.某某 里的 ka 结尾（15）
# 多半是程序的演示站或在聊程序
SOFTWARE_TOKEN_MIN = 25
# 网址本身像发卡站的信号：程序名（异次元发卡、zfaka）配上它们才算话术
_SHOP_SELF_KINDS = frozenset({"shop_token", "fingerprint", "platform", "block"})


def _backed_words(
    words: Sequence[str], signals: Sequence[Signal], rules: DomainRules
) -> Sequence[str]:
    """发卡程序的名字只在有卖货口吻、或网址本身像发卡站（域名发卡词、系统特征、托管平台）时算话术。

    “异次元发卡 秒发 <网址>”“zfaka 老站 <kami 域名>”是广告；只说程序名配普通网址的多半在聊程序。
    """
    if not rules.software or not any(w in rules.software for w in words):
        return words
    sold = any(w in rules.sales or w in rules.commerce for w in words)
    shoppy = any(
        s.kind in _SHOP_SELF_KINDS
        and s.weight >= (SOFTWARE_TOKEN_MIN if s.kind == "shop_token" else MIN_SECOND_WEIGHT)
        for s in signals
    )
    if sold or shoppy:
        return words
    return [w for w in words if w not in rules.software]


def _selling(link: Link, words: Sequence[str], rules: DomainRules, *, caution: bool) -> bool:
    """像卖货广告：≥2 个话术且有卖货口吻；不是提醒别人，不是文章，也不在用户内容网站上
    （群文档、公众号文章里的话术不算网址本身的特征）。"""
    if caution or not rules.is_ad(words):
        return False
    if _ARTICLE_RE.search(link.path):
        return False
    kind = rules.site_kind(link.host)
    return kind is None or kind[0] != "user_content"


def _link_signals(link: Link, rules: DomainRules) -> list[Signal]:
    signals = [
        *_block(link, rules),
        *_fingerprint(link, rules),
        *_platform(link, rules),
        *_host_kind(link, rules),
        *_disguise(link),
        *_port(link),
    ]
    if link.is_ip:
        return [*signals, *_ip(link)]
    signals.extend(_idn(link))
    signals.extend(_tokens(link, rules))
    found = lookalike.check(link, rules)
    if found:
        signals.append(Signal("lookalike", found.weight, found.reason, found.official))
    tld = link.suffix.rsplit(".", 1)[-1]
    free = rules.free_host(link.host)
    if free is not None:
        # 谁都能免费随手申请的二级域名，和廉价后缀一样：单独不提醒，和别的信号叠加
        signals.append(Signal("cheap_tld", W_CHEAP_TLD, f"免费二级域名 {free}"))
    elif tld in rules.cheap_tlds:
        signals.append(Signal("cheap_tld", W_CHEAP_TLD, f"廉价域名后缀 .{tld}"))
    return signals


def _block(link: Link, rules: DomainRules) -> list[Signal]:
    entry = rules.block_hit(link.host, link.path)
    if entry is None:
        return []
    return [Signal("block", W_BLOCK, f"域名在拦截名单中（{entry.note}）")]


def _path(link: Link) -> str:
    return link.path if link.path.startswith("/") else "/" + link.path


def _best_fingerprint(link: Link, rules: DomainRules) -> Fingerprint | None:
    path = _path(link)
    if path == "/" or rules.fingerprint_any is None or not rules.fingerprint_any.search(path):
        return None
    best: Fingerprint | None = None
    for fp, rx, host in rules.fingerprints:
        better = best is None or fp.weight > best.weight
        if better and rx.search(path) and (host is None or host.search(link.host)):
            best = fp
    return best


def _fingerprint(link: Link, rules: DomainRules) -> list[Signal]:
    fp = _best_fingerprint(link, rules)
    if fp is None:
        return []
    shown = _path(link)[:40]
    page = PAGE_NAMES.get(fp.page or "", "页面")
    text = f"网址是典型发卡系统的{page}" if fp.weight >= rules.warn else f"网址像发卡系统的{page}"
    return [Signal("fingerprint", fp.weight, f"{text}（{fp.system} {shown}）")]


def _platform(link: Link, rules: DomainRules) -> list[Signal]:
    platform = rules.platform_for(link.host)
    if platform is None:
        return []
    what = "发卡平台" if platform.kind == "shop" else "支付网关"
    if platform.page_hit(_path(link)):
        page = "店铺/商品页" if platform.kind == "shop" else "付款页"
        return [Signal("platform", platform.weight, f"网址是{what}{platform.name}上的{page}")]
    if platform.home_weight:
        return [Signal("platform", platform.home_weight, f"网址是{what}{platform.name}的网站")]
    return []


def _host_kind(link: Link, rules: DomainRules) -> list[Signal]:
    kind = rules.site_kind(link.host)
    if kind is not None and kind[0] == "shortener":
        return [Signal("shortener", W_SHORTENER, f"短链接隐藏了真实地址（{kind[1]}）")]
    return []


def _disguise(link: Link) -> list[Signal]:
    used = link.disguises & ~_SILENT
    if not used:
        return []
    return [
        Signal("disguise", W_DISGUISE, f"网址用了伪装写法（{'、'.join(disguise_names(used))}）")
    ]


def _port(link: Link) -> list[Signal]:
    if link.port is None or link.port in (80, 443):
        return []
    return [Signal("port", W_PORT, f"非常用端口 {link.port}")]


# 局域网、本机、运营商内网：路由器后台、本地调试常见，只算弱信号。
# 其余地址（含文档保留段这类在公网上不该出现的）和公网 IP 一样对待。
_LAN_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)


def is_local(link: Link) -> bool:
    """网址指向本机、局域网或运营商内网：群友打不开，多半是在调试或看路由器。"""
    if not link.is_ip:
        return False
    try:
        address = ipaddress.ip_address(link.host)
    except ValueError:
        return False
    lan = address.is_loopback or address.is_link_local or address.is_unspecified
    return lan or any(address.version == n.version and address in n for n in _LAN_NETS)


def _ip(link: Link) -> list[Signal]:
    if is_local(link):
        return [Signal("ip", W_PRIVATE_IP, "直接用内网或本机 IP 地址访问")]
    return [Signal("ip", W_PUBLIC_IP, "直接用 IP 地址访问")]


def _idn(link: Link) -> list[Signal]:
    if not link.disguises & Disguise.IDN:
        return []
    if any(lookalike.is_mixed_script(label) for label in link.unicode_host.split(".")):
        reason = f"域名混用了不同文字的形近字母（{defang_host(link.unicode_host)}）"
        return [Signal("idn", W_MIXED_SCRIPT, reason)]
    return [Signal("idn", W_IDN, f"国际化域名/punycode（显示为 {defang_host(link.unicode_host)}）")]


def _tokens(link: Link, rules: DomainRules) -> list[Signal]:
    """域名里的发卡词；形近字母（kаmi 里的西里尔 а）先还原成拉丁字母再找。"""
    labels = link.host.split(".")
    if not link.unicode_host.isascii():
        labels = [label.translate(CONFUSABLE) for label in link.unicode_host.split(".")]
    keep = len(labels) - (link.suffix.count(".") + 1)
    own = labels[: max(keep, 0)]
    hits = rules.shop_token_hits(own)
    signals: list[Signal] = []
    if hits:
        tokens = [token for token, _ in hits]
        # kami 和 kamis 同时命中时只说 kami（用户在网址里认得出来的那段）
        distinct = [t for t in tokens if not any(o != t and o in t for o in tokens)]
        names = "、".join(distinct[:3])
        weight = hits[0][1] + (W_TOKEN_PAIR if len(distinct) > 1 else 0)
        signals.append(Signal("shop_token", weight, f"域名含发卡相关词 {names}"))
    elif rules.shop_hint_tokens:
        hints = rules.shop_hints(own)
        if hints:
            # ds（代刷）、dsw（代刷网）这类缩写别的网站也用：自己不计分，只给商城形状作证
            reason = f"域名里有代刷网常用的缩写 {'、'.join(hints[:2])}"
            signals.append(Signal("host_hint", 0, reason))
    if not link.unicode_host.isascii():
        signals.extend(_host_words(link, own, rules))
    return signals


def _host_words(link: Link, own: Sequence[str], rules: DomainRules) -> list[Signal]:
    """中文（punycode）域名解码后的词：品牌的中文名（腾讯、王者荣耀）算冒充，卡盟/充值词算发卡词。"""
    if rules.host_words_re is None:
        return []
    folded = fold("".join(label for label in own if not label.isascii()))
    if not folded:
        return []
    found = list(dict.fromkeys(rules.host_words_re.findall(folded)))
    if not found:
        return []
    shown = defang_host(link.unicode_host)
    brands = lookalike.claimed_brands(folded, rules)
    if brands:
        brand = brands[0][0]
        reason = f"中文域名冒充{brand.name}（{shown}），不是官方网站"
        return [Signal("lookalike", W_HOST_BRAND, reason, brand.home)]
    return [Signal("shop_token", W_HOST_WORDS, f"中文域名里有卡盟词 {'、'.join(found[:3])}")]


# 卡片指向文章/帖子（资讯站分享“原神官方公告”）时，标题里的品牌和“官方”只是在转述。
_CLAIM_ARTICLE_RE = re.compile(
    r"/(?:articles?|news|blogs?|posts?|threads?|read|questions?|answers?|wiki|zhuanlan"
    r"|column|handbook|guides?|bbs|forum)(?:[/._-]|$)|/20\d\d[/-]?\d\d",
    re.I,
)
SHORT_TITLE = 8


def _claims_service(folded: str, title: str, rules: DomainRules) -> bool:
    """卡片像在冒充官方服务：有充值/钱包/客服这类词；只有“官方/中心/活动”时标题还得很短（腾讯官方）。"""
    if rules.official_re is not None and rules.official_re.search(folded):
        return True
    short = len("".join(title.split())) <= SHORT_TITLE
    return (
        short and rules.official_weak_re is not None and bool(rules.official_weak_re.search(folded))
    )


def _title_is_brand(title: str, brands: Sequence[tuple[BrandInfo, str]]) -> bool:
    """卡片标题就是品牌名（小程序卡片“哔哩哔哩”“QQ”）：它自称是这个品牌的应用。"""
    name = fold("".join(title.split()))
    return any(name == fold(b.name) or name in b.aliases for b, _ in brands)


def _claim_signals(link: Link, claim: str, title: str, rules: DomainRules) -> list[Signal]:
    folded = fold(claim)
    brands = [
        (b, a) for b, a in lookalike.claimed_brands(folded, rules) if link.site not in b.sites
    ]
    if not brands:
        return []
    title = title.strip()[:24]
    named = _title_is_brand(title, brands)
    if (named or _claims_service(folded, title, rules)) and not _CLAIM_ARTICLE_RE.search(link.path):
        reason = f"分享卡片标题冒充“{title}”，实际指向 {defang_host(link.site or link.host)}"
        return [Signal("card_claim", W_CLAIM, reason, brands[0][0].home)]
    names = "、".join(b.name for b, _ in brands[:2])
    return [
        Signal(
            "card_claim",
            W_CLAIM_WEAK,
            f"分享卡片提到{names}，但指向 {defang_host(link.site or link.host)}",
            brands[0][0].home,
        )
    ]


def _risks(link: Link, signals: Sequence[Signal], rules: DomainRules) -> tuple[str, ...]:
    ids: list[str] = []
    entry = rules.block_hit(link.host, link.path)
    if entry is not None:
        ids.extend(entry.risks)
    for signal in signals:
        ids.extend(rules.signal_risks.get(signal.kind, ()))
    return tuple(dict.fromkeys(ids))

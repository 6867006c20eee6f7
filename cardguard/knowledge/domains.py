"""knowledge/domains.yaml：链接识别规则的结构、校验（逐行报错）和查询。

`parse_domains(data, path)` 把 YAML 数据变成只读的 `DomainRules`；
有任何问题就抛出 `KnowledgeError`，每条问题一行，带 文件:行号 和条目。
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError, model_validator

from ..text import fold
from .errors import KnowledgeError, Problem
from .fields import Name, RiskId, Strict, Token, Weight, Word, problems_from
from .regex import Regex
from .shops import Fingerprint, PlatformInfo, ShopsFile, compile_platform, parse_shops
from .yamlio import load_yaml, locate

# score.py 里每种信号的名字；signal_risks 只能用这些键。
SIGNAL_KINDS = (
    "block",
    "fingerprint",
    "shop_token",
    "shop_words",
    "sales_words",
    "commerce_words",
    "lookalike",
    "card_claim",
    "shortener",
    "ip",
    "port",
    "cheap_tld",
    "disguise",
    "idn",
    "platform",
    "host_hint",
    "referral",
)


def _check_signal(value: str) -> str:
    if value not in SIGNAL_KINDS:
        raise ValueError(f"未知信号 {value}；可用：{', '.join(SIGNAL_KINDS)}")
    return value


SignalKind = Annotated[str, AfterValidator(_check_signal)]


class Thresholds(Strict):
    """两个分数线：达到 warn 就在群里提醒，达到 log 只记日志。"""

    warn: Annotated[int, Field(ge=1, le=100)]
    log: Annotated[int, Field(ge=1, le=100)]

    @model_validator(mode="after")
    def _order(self) -> Thresholds:
        if self.log > self.warn:
            raise ValueError("log 不能高于 warn")
        return self


class BlockEntry(Strict):
    """拦截名单的一条：host（只匹配这个主机）或 domain（它和所有子域名），可限路径前缀。"""

    host: Name | None = None
    domain: Name | None = None
    path: str | None = Field(default=None, pattern=r"^/")
    note: str = Field(min_length=2, description="为什么拦截（证据/来源）")
    risks: tuple[RiskId, ...] = ()

    @model_validator(mode="after")
    def _one_target(self) -> BlockEntry:
        if (self.host is None) == (self.domain is None):
            raise ValueError("host 和 domain 必须且只能写一个")
        return self

    @property
    def target(self) -> str:
        """这条规则针对的主机或域名。"""
        return self.host or self.domain or ""


class Brand(Strict):
    """一个常被仿冒的品牌：域名里的写法、中文/英文名（卡片标题用）和官方网站。"""

    name: str = Field(min_length=1)
    labels: tuple[Annotated[str, Field(pattern=r"^[a-z0-9-]+$")], ...] = Field(min_length=1)
    aliases: tuple[Word, ...] = ()
    sites: tuple[Name, ...] = Field(min_length=1)


class DomainsFile(Strict):
    """domains.yaml 的完整结构。"""

    version: int = 1
    thresholds: Thresholds
    block: tuple[BlockEntry, ...] = ()
    allow: tuple[Name, ...] = ()
    user_content: tuple[Name, ...] = ()
    shorteners: tuple[Name, ...] = ()
    cheap_tlds: tuple[Name, ...] = ()
    free_hosts: tuple[Name, ...] = ()
    file_extensions: tuple[Name, ...] = ()
    shop_tokens: dict[Token, Weight] = Field(default_factory=dict)
    shop_token_endings: dict[Token, Weight] = Field(default_factory=dict)
    shop_hint_tokens: tuple[Token, ...] = ()
    token_exceptions: tuple[Token, ...] = ()
    shop_words: tuple[Word, ...] = ()
    sales_words: tuple[Word, ...] = ()
    retail_sales_words: tuple[Word, ...] = ()
    commerce_words: tuple[Word, ...] = ()
    software_names: tuple[Word, ...] = ()
    software_talk_words: tuple[Word, ...] = ()
    referral_words: tuple[Word, ...] = ()
    membership_words: tuple[Word, ...] = ()
    caution_words: tuple[Word, ...] = ()
    caution_exceptions: tuple[Word, ...] = ()
    institution_suffixes: tuple[Name, ...] = ()
    goods_path_words: tuple[Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")], ...] = ()
    goods_brands: tuple[Word, ...] = ()
    goods_suffixes: tuple[Word, ...] = ()
    goods_talk_words: tuple[Word, ...] = ()
    official_words: tuple[Word, ...] = ()
    official_weak_words: tuple[Word, ...] = ()
    host_words: tuple[Word, ...] = ()
    fingerprints: tuple[Fingerprint, ...] = ()
    brands: tuple[Brand, ...] = ()
    brand_lures: tuple[Token, ...] = ()
    signal_risks: dict[SignalKind, tuple[RiskId, ...]] = Field(default_factory=dict)


@dataclass(frozen=True)
class BrandInfo:
    """编译后的品牌：域名写法、已折叠的别名和官方网站集合。"""

    name: str
    labels: tuple[str, ...]
    aliases: tuple[str, ...]
    sites: frozenset[str]
    home: str = ""  # 写在最前面的官方网站，提醒里当作“请走官方”的去处


@dataclass(frozen=True)
class DomainRules:
    """已校验、已编译的链接规则；只读，可在多个群之间共享。"""

    source: DomainsFile
    warn: int
    log: int
    allow: frozenset[str]
    user_content: frozenset[str]
    shorteners: frozenset[str]
    cheap_tlds: frozenset[str]
    file_extensions: frozenset[str]
    shop_tokens: Mapping[str, int]
    fingerprints: tuple[tuple[Fingerprint, Regex, Regex | None], ...]
    brands: tuple[BrandInfo, ...]
    signal_risks: Mapping[str, tuple[str, ...]]
    words_re: Regex | None
    official_re: Regex | None
    blocks: tuple[BlockEntry, ...] = field(default=())
    token_exceptions: tuple[str, ...] = ()
    sales: frozenset[str] = frozenset()
    commerce: frozenset[str] = frozenset()
    retail: frozenset[str] = frozenset()  # 卖货口吻里正规数字商店也会说的（秒发、自动发货、批发）
    # 发卡程序本身的名字（异次元发卡、独角数卡、zfaka）：有卖货口吻或网址本身像发卡站时才算话术
    software: frozenset[str] = frozenset()
    # 在讨论发卡程序（教程、安装、配置、插件）的说法：有这些词时程序名不算话术
    software_talk_re: Regex | None = None
    # 拉人注册、推广返佣的说法（返佣、送余额、邀请码）：配上带邀请参数的商城网址时作证
    referral_re: Regex | None = None
    # 合租会员的“上车”：消息还点了别家会员的名字（goods_brands_re）时才算零售口吻
    membership: frozenset[str] = frozenset()
    goods_brands_re: Regex | None = None
    # 问别家会员的事（怎么退订、被盗了、教程）：没有话术时，点名的会员不算在卖
    goods_talk_re: Regex | None = None
    caution_re: Regex | None = None
    brand_lures: frozenset[str] = frozenset()
    official_weak_re: Regex | None = None
    platforms: tuple[PlatformInfo, ...] = ()
    platform_domains: Mapping[str, PlatformInfo] = field(default_factory=dict)
    host_words_re: Regex | None = None
    fingerprint_any: Regex | None = None  # 所有特征合成一条：大多数网址一次就排除
    free_hosts: frozenset[str] = frozenset()
    shop_token_endings: Mapping[str, int] = field(default_factory=dict)
    # 代刷网常用的主机名缩写（ds、dsw）：自己不计分，只给发卡系统的商城形状作证
    shop_hint_tokens: frozenset[str] = frozenset()
    # 复合话术里包着的另一类话术：“点卡批发”（卖货口吻）里有“点卡”（卡盟词）
    word_parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # 看着像提醒、其实是广告自己的话（“绝不跑路”“补货提醒”）：找提醒口吻前先去掉
    caution_exceptions_re: Regex | None = None
    institution_suffixes: frozenset[str] = frozenset()
    goods_path_re: Regex | None = None
    goods_text_re: Regex | None = None

    def compile_now(self) -> None:
        """把全部正则编译好（后台预热时调用：第一条带链接的消息就不用等，见 `regex.Regex`）。"""
        for regex in self._regexes():
            regex.compiled  # noqa: B018

    def _regexes(self) -> Iterable[Regex]:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Regex):
                yield value
        for _, path, host in self.fingerprints:
            yield path
            if host is not None:
                yield host
        for platform in self.platforms:
            yield from platform.pages

    def institution(self, host: str) -> str | None:
        """主机在只许机构注册的后缀下（edu.cn、ac.uk、.gov…）时返回那个后缀，否则 None。"""
        return next((name for name in _suffixes(host) if name in self.institution_suffixes), None)

    def goods_in_text(self, folded: str) -> str | None:
        """消息（已 fold）里点名卖的“别人家的”会员、订阅（腾讯视频月卡、Claude Pro）；没有则 None。"""
        if self.goods_text_re is None:
            return None
        found = self.goods_text_re.search(folded)
        return found.group(0) if found else None

    def goods_in_path(self, path: str) -> str | None:
        """网址路径里点名的“别人家的订阅/账号”商品（claude-max、chatgpt-plus）；没有则 None。"""
        if self.goods_path_re is None:
            return None
        found = self.goods_path_re.search(path)
        return found.group(1).lower() if found else None

    def free_host(self, host: str) -> str | None:
        """主机在哪个免费二级域名/动态域名服务下面（x.us.kg → us.kg；服务自己的网站不算）。"""
        return next(
            (name for name in _suffixes(host) if name != host and name in self.free_hosts), None
        )

    def platform_for(self, host: str) -> PlatformInfo | None:
        """主机所在的托管发卡平台/支付网关（含子域名；没有则 None）。"""
        for name in _suffixes(host):
            found = self.platform_domains.get(name)
            if found is not None:
                return found
        return None

    def site_kind(self, host: str) -> tuple[str, str] | None:
        """主机最具体地落在哪个名单：("allow"|"user_content"|"shortener", 命中的名字)。"""
        for name in _suffixes(host):
            if name in self.user_content:
                return "user_content", name
            if name in self.allow:
                return "allow", name
            if name in self.shorteners:
                return "shortener", name
        return None

    def block_hit(self, host: str, path: str) -> BlockEntry | None:
        """拦截名单命中的条目（没有则 None）。"""
        for entry in self.blocks:
            if entry.host is not None and host != entry.host:
                continue
            if entry.domain is not None and not _under(host, entry.domain):
                continue
            if entry.path is None or path.lower().startswith(entry.path.lower()):
                return entry
        return None

    def shop_token_hits(self, labels: Iterable[str]) -> list[tuple[str, int]]:
        """域名各段里的发卡相关词。

        ≥4 个字母的可出现在词中间，也可被连字符拆开（fa-ka）；短词须是完整的字母段，
        或者是长词拿掉后剩下的整段（qbidichong 里去掉 dichong 剩下 qbi）。
        token_exceptions 里的普通词（okami、kamikaze）先去掉，不算命中。
        shop_token_endings 是字母段的结尾（xiaoyuka、douka66 里的 ka，即“卡”）：
        已经算作别的发卡词的部分（faka 里的 ka）不再算。
        """
        hits: dict[str, int] = {}
        for label in labels:
            for word in self.token_exceptions:
                label = label.replace(word, "|")
            joined = label.replace("-", "")
            rest = joined
            for token, weight in self.shop_tokens.items():
                if len(token) >= 4 and token in joined:
                    hits[token] = weight
                    rest = rest.replace(token, "|")
            runs = set(_ALPHA_RUN.findall(label)) | set(_ALPHA_RUN.findall(rest))
            for token, weight in self.shop_tokens.items():
                if len(token) < 4 and token in runs:
                    hits[token] = weight
            for ending, weight in self.shop_token_endings.items():
                if any(run.endswith(ending) for run in _ALPHA_RUN.findall(rest)):
                    hits.setdefault(ending, weight)
        return sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))

    def shop_hints(self, labels: Iterable[str]) -> list[str]:
        """域名各段里的代刷网缩写（完整的字母段才算：ds.example.com、dsw-88.com）。"""
        if not self.shop_hint_tokens:
            return []
        runs = {run for label in labels for run in _ALPHA_RUN.findall(label)}
        return sorted(runs & self.shop_hint_tokens)

    def sales_count(self, words: Iterable[str]) -> int:
        """其中有几个是“卖货口吻”的话术（自助下单、现货、批发…）。"""
        return sum(word in self.sales or word in self.commerce for word in words)

    def is_ad(self, words: Sequence[str]) -> bool:
        """像卖货广告：≥2 个话术，有卖货口吻，并且至少一个是卡盟特有的词。

        只有普通商业用语（现货、质保、全网最低）和正规数字商店也说的零售口吻（秒发、批发、
        自动发货）的，是在说别的买卖（大商城首页“现货 秒发”），不算卡盟广告。
        """
        if len(words) < 2 or self.sales_count(words) == 0:
            return False
        return any(word not in self.commerce and word not in self.retail for word in words)

    def has_caution(self, folded: str) -> bool:
        """消息（已 fold）是不是在提醒别人（骗子、举报、别信、谨慎…）。

        广告给自己打包票的话（绝不跑路、不骗人）和店铺通知（补货提醒）先去掉，不算提醒。
        """
        if self.caution_re is None:
            return False
        if self.caution_exceptions_re is not None:
            folded = self.caution_exceptions_re.sub("|", folded)
        return self.caution_re.search(folded) is not None

    def find_words(self, folded: str) -> list[str]:
        """消息（已 fold）里出现的卡盟话术，去掉被更长词包含的重复项。"""
        if self.words_re is None:
            return []
        words = list(dict.fromkeys(self.words_re.findall(folded)))
        # 原文和去掉空格的副本各找一遍，“代充”和“plus代充”可能都在：只留长的那个
        kept = [w for w in words if not any(w != other and w in other for other in words)]
        # “点卡批发”“会员代开”一个词里就有卡盟词和卖货口吻两类：按两个词算，和分开写一样
        parts = (part for word in kept for part in self.word_parts.get(word, ()))
        return list(dict.fromkeys([*kept, *parts]))


_ALPHA_RUN = re.compile(r"[a-z]+")


def _suffixes(host: str) -> Iterable[str]:
    parts = host.split(".")
    return (".".join(parts[i:]) for i in range(len(parts)))


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _alternation(words: Iterable[str]) -> Regex | None:
    folded = sorted({fold(w) for w in words if fold(w)}, key=len, reverse=True)
    return Regex.now("|".join(map(re.escape, folded))) if folded else None


def _any_of(patterns: Iterable[str]) -> Regex | None:
    joined = "|".join(f"(?:{p})" for p in patterns)
    return Regex.now(joined, re.I) if joined else None


def compile_rules(model: DomainsFile, shops: ShopsFile | None = None) -> DomainRules:
    """把校验好的 `DomainsFile`（和 `ShopsFile`）编译成可快速查询的 `DomainRules`。"""
    shops = shops or ShopsFile()
    brands = tuple(
        BrandInfo(
            b.name, b.labels, tuple(fold(a) for a in b.aliases), frozenset(b.sites), b.sites[0]
        )
        for b in model.brands
    )
    fingerprints = (*shops.fingerprints, *model.fingerprints)
    platforms = tuple(compile_platform(p) for p in shops.platforms)
    chinese_aliases = (a for b in model.brands for a in b.aliases if not a.isascii())
    # “上车”只在点了别家会员时才算，中文域名里的不算
    host_words = (
        *model.shop_words,
        *model.sales_words,
        *model.retail_sales_words,
        *model.host_words,
        *chinese_aliases,
    )
    sales_words = (*model.sales_words, *model.retail_sales_words, *model.membership_words)
    return DomainRules(
        source=model,
        warn=model.thresholds.warn,
        log=model.thresholds.log,
        allow=frozenset(model.allow),
        user_content=frozenset(model.user_content),
        shorteners=frozenset(model.shorteners),
        cheap_tlds=frozenset(model.cheap_tlds),
        file_extensions=frozenset(model.file_extensions),
        shop_tokens=dict(model.shop_tokens),
        fingerprints=tuple(
            (f, Regex.now(f.pattern, re.I), Regex.now(f.host, re.I) if f.host else None)
            for f in fingerprints
        ),
        brands=brands,
        signal_risks=dict(model.signal_risks),
        words_re=_alternation(
            (*model.shop_words, *sales_words, *model.commerce_words, *model.software_names)
        ),
        official_re=_alternation(model.official_words),
        blocks=model.block,
        token_exceptions=tuple(sorted(model.token_exceptions, key=len, reverse=True)),
        sales=frozenset(fold(w) for w in sales_words),
        commerce=frozenset(fold(w) for w in model.commerce_words),
        retail=frozenset(fold(w) for w in (*model.retail_sales_words, *model.membership_words)),
        software=frozenset(fold(w) for w in model.software_names),
        software_talk_re=_alternation(model.software_talk_words),
        referral_re=_alternation(model.referral_words),
        membership=frozenset(fold(w) for w in model.membership_words),
        goods_brands_re=_alternation(model.goods_brands),
        goods_talk_re=_alternation(model.goods_talk_words),
        caution_re=_alternation(model.caution_words),
        brand_lures=frozenset(model.brand_lures),
        official_weak_re=_alternation(model.official_weak_words),
        platforms=platforms,
        platform_domains={d: p for p in platforms for d in p.domains},
        host_words_re=_alternation(host_words),
        fingerprint_any=_any_of(f.pattern for f in fingerprints),
        free_hosts=frozenset(model.free_hosts),
        shop_token_endings=dict(model.shop_token_endings),
        shop_hint_tokens=frozenset(model.shop_hint_tokens),
        word_parts=_word_parts(model),
        caution_exceptions_re=_alternation(model.caution_exceptions),
        institution_suffixes=frozenset(model.institution_suffixes),
        goods_path_re=_goods_path_re(model.goods_path_words),
        goods_text_re=_goods_text_re(model.goods_brands, model.goods_suffixes),
    )


def _goods_text_re(brands: Iterable[str], suffixes: Iterable[str]) -> Regex | None:
    """品牌名紧跟会员/卡种（中间最多一个空格或连字符）：腾讯视频月卡、claude pro、奈飞会员。"""
    left, right = _alternation(brands), _alternation(suffixes)
    if left is None or right is None:
        return None
    return Regex.now(f"(?:{left.pattern})[ _-]?(?:{right.pattern})")


def _goods_path_re(words: Iterable[str]) -> Regex | None:
    """路径里以 - _ / . 隔开的整段商品名（claude-max 里的 claude，不是 claudette）。"""
    ordered = sorted(set(words), key=len, reverse=True)
    if not ordered:
        return None
    joined = "|".join(re.escape(w) for w in ordered)
    return Regex.now(rf"(?:^|[-_/.=])({joined})(?=$|[-_/.?#&\d])", re.I)


def _word_parts(model: DomainsFile) -> dict[str, tuple[str, ...]]:
    """每个话术里包着的、属于另一类（卡盟词/卖货口吻/普通买卖用语）的话术。"""
    roles: dict[str, str] = {}
    for role, words in (
        ("commerce", model.commerce_words),
        ("sales", (*model.sales_words, *model.retail_sales_words)),
        ("shop", model.shop_words),
    ):
        roles.update((fold(w), role) for w in words if fold(w))
    parts: dict[str, tuple[str, ...]] = {}
    for word, role in roles.items():
        inside = tuple(o for o, r in roles.items() if r != role and o != word and o in word)
        if inside:
            parts[word] = inside
    return parts


def read_rules(domains_path: Path, shops_path: Path | None = None) -> DomainRules:
    """读取并校验 domains.yaml（和 shops.yaml），编译成 `DomainRules`。

    两个文件的问题一起报告（每条一行，带 文件:行号）；有任何问题就抛出 `KnowledgeError`。
    """
    problems: list[Problem] = []
    model = _load_model(domains_path, problems)
    shops: ShopsFile | None = None
    if shops_path is not None:
        try:
            shops = parse_shops(load_yaml(shops_path), shops_path)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if model is not None and shops is not None:
        problems.extend(_platform_clashes(model, shops, shops_path or domains_path))
    if problems or model is None:
        raise KnowledgeError(problems)
    return compile_rules(model, shops)


def parse_domains(data: Any, path: Path, shops: ShopsFile | None = None) -> DomainRules:
    """校验 domains.yaml 的数据并编译；有问题时抛出 `KnowledgeError`（每条问题一行）。"""
    problems: list[Problem] = []
    model = _validate(data, path, problems)
    if problems or model is None:
        raise KnowledgeError(problems)
    return compile_rules(model, shops)


def _load_model(path: Path, problems: list[Problem]) -> DomainsFile | None:
    try:
        data = load_yaml(path)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
        return None
    return _validate(data, path, problems)


def _validate(data: Any, path: Path, problems: list[Problem]) -> DomainsFile | None:
    if not isinstance(data, dict):
        problems.append(Problem(str(path), locate(path, []), None, "顶层必须是映射"))
        return None
    try:
        model = DomainsFile.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, path, data))
        return None
    found = _cross_check(model, path)
    problems.extend(found)
    return None if found else model


def _cross_check(model: DomainsFile, path: Path) -> list[Problem]:
    """跨列表检查：同一个域名不能既在白名单又在拦截名单/短链接名单里。"""
    problems: list[Problem] = []
    others = {
        "user_content": model.user_content,
        "shorteners": model.shorteners,
        "free_hosts": model.free_hosts,
    }
    blocked = {e.target for e in model.block}
    for index, name in enumerate(model.allow):
        clash = [k for k, v in others.items() if name in v] + (["block"] if name in blocked else [])
        if clash:
            message = f"{name} 同时出现在 allow 和 {', '.join(clash)} 里"
            problems.append(Problem(str(path), locate(path, ["allow", index]), name, message))
    return problems


def _platform_clashes(model: DomainsFile, shops: ShopsFile, path: Path) -> list[Problem]:
    """托管发卡平台和支付网关与白名单分开：平台域名（或它的上级域名）不能在 allow 里。"""
    problems: list[Problem] = []
    trusted = set(model.allow) | set(model.user_content)
    for index, platform in enumerate(shops.platforms):
        for name in platform.domains:
            hit = next((s for s in _suffixes(name) if s in trusted), None)
            if hit is not None:
                line = locate(path, ["platforms", index])
                message = f"平台域名 {name} 落在 domains.yaml 的白名单/用户内容名单（{hit}）里"
                problems.append(Problem(str(path), line, platform.name, message))
    return problems

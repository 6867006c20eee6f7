"""仿冒品牌判断：形近字母、一字之差的错拼、品牌名套在别人的域名里、子域名冒充官方网站。"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from ..knowledge.domains import BrandInfo, DomainRules
from .deobfuscate import CONFUSABLE
from .extract import Link
from .report import defang_host

W_OFFICIAL_IN_SUBDOMAIN = 60
W_SUFFIX_SWAP = 60
W_CONFUSABLE = 70
W_TYPO = 60
W_TYPO_TAIL = 45  # 短品牌名末尾多/少一个字母（weixing、tencents）：常是别的词，单独不提醒
W_BRAND_IN_DOMAIN = 45
W_BRAND_IN_SUBDOMAIN = 30
W_EMBEDDED_DOMAIN = 30  # 子域名里嵌着一个像完整网址的名字（shop.com.abc.top），没有品牌
# 子域名里出现这些后缀时，前面那段是在装成一个完整的网址（pay-qq.com.abc.top）。
_EMBEDDED_TLDS = frozenset(
    ["com", "net", "org", "cn", "info", "io", "me", "co", "tv", "app", "pro", "gov", "edu"]
)
MIN_TYPO_LEN = 6
MIN_LONG_NAME = 8  # 这么长的品牌名末尾多/少一个字母，基本只会是错拼

_LOOKS_SAME = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l"})
_ALPHA_RUN = re.compile(r"[a-z]+")
_MIXED_RE = re.compile(r"[a-z]")


@dataclass(frozen=True)
class Finding:
    """一条仿冒判断：权重和中文理由。"""

    weight: int
    reason: str
    official: str = ""  # 被仿冒的官方网站


@lru_cache(maxsize=4096)
def skeleton(label: str) -> str:
    """“长得像”的骨架：形近字母归一（rn→m、vv→w、0→o、1/i→l），去掉连字符。"""
    text = label.lower().translate(CONFUSABLE)
    text = text.replace("rn", "m").replace("vv", "w")
    return text.translate(_LOOKS_SAME).replace("-", "")


def is_mixed_script(label: str) -> bool:
    """同一段里既有拉丁字母又有西里尔/希腊字母（典型的形近字攻击）。"""
    return bool(_MIXED_RE.search(label)) and any(
        "\u0370" <= ch <= "\u052f" or ch in "ɡıɑℓ" for ch in label
    )


def check(link: Link, rules: DomainRules) -> Finding | None:
    """对一个非官方网址做仿冒检查，返回最重的一条（没有则 None）。"""
    findings: list[Finding] = []
    official = _official_in_subdomain(link.host, link.site, rules)
    if official:
        reason = f"网址开头冒充官方网站 {official}，实际是 {defang_host(link.site)}"
        findings.append(Finding(W_OFFICIAL_IN_SUBDOMAIN, reason, official))
    else:
        embedded = _embedded_domain(link, rules)
        if embedded:
            findings.append(embedded)
    swapped = _suffix_swap(link, rules)
    if swapped:
        tld = link.suffix.rsplit(".", 1)[-1]
        country = len(tld) == 2 and tld not in rules.cheap_tlds  # 可能是官方的地区网站，如 sony.jp
        if country:
            reason = f"和官方网站 {swapped} 同名但后缀不同（{defang_host(link.site)}）"
            findings.append(Finding(W_BRAND_IN_DOMAIN, reason, swapped))
        else:
            reason = f"冒充官方网站 {swapped}（换了后缀：{defang_host(link.site)}）"
            findings.append(Finding(W_SUFFIX_SWAP, reason, swapped))
    labels = _own_labels(link, rules)
    site_label = labels[-1] if labels else ""
    for brand in rules.brands:
        if link.site in brand.sites:
            continue
        found = _brand_finding(brand, labels, site_label, rules.brand_lures)
        if found:
            findings.append(found)
    return max(findings, key=lambda f: f.weight, default=None)


def _suffix_swap(link: Link, rules: DomainRules) -> str | None:
    """steampowered.com.cn、qq.xyz：名字和官方网站一样，只是换了后缀。"""
    label = link.site.split(".", 1)[0]
    if label.isdigit():
        return None
    for brand in rules.brands:
        for site in brand.sites:
            if site != link.site and site.split(".", 1)[0] == label:
                return site
    return None


def _own_labels(link: Link, rules: DomainRules) -> list[str]:
    """主机里“自己起名”的各段：去掉公共后缀；用户内容网站（lanzoux.com）连同网站本身一起去掉。"""
    labels = link.unicode_host.split(".")
    kind = rules.site_kind(link.host)
    base = kind[1] if kind is not None and kind[0] == "user_content" else link.suffix
    keep = len(labels) - (base.count(".") + 1 if base else 0)
    return [label for label in labels[: max(keep, 0)] if label != "www"]


def _official_in_subdomain(host: str, site: str, rules: DomainRules) -> str | None:
    """pay.qq.com.kami88.top：子域名部分本身就是一个官方网站的名字。"""
    if host == site or not host.endswith("." + site):
        return None
    sub = host[: -len(site) - 1].split(".")
    for i in range(len(sub)):
        name = ".".join(sub[i:])
        kind = rules.site_kind(name) if "." in name else None
        if kind is not None and kind[0] == "allow":
            return name
    return None


def _embedded_domain(link: Link, rules: DomainRules) -> Finding | None:
    """pay-qq.com.abc.top：子域名部分本身像一个完整的网址（名字 + .com/.cn 这类后缀）。

    名字里带品牌（pay-qq）就是在冒充官方网站；不带品牌的也算伪装，但分数低。
    """
    if link.host == link.site or not link.host.endswith("." + link.site):
        return None
    sub = link.unicode_host[: -len(link.site) - 1].split(".")
    tlds = _EMBEDDED_TLDS | rules.cheap_tlds
    for index in range(1, len(sub)):
        if sub[index] not in tlds or sub[index - 1] in tlds:
            continue
        name = sub[index - 1]
        shown = defang_host(".".join(sub[index - 1 :]))
        where = defang_host(link.site)
        for brand in rules.brands:
            found = _brand_finding(brand, [name], name, rules.brand_lures)
            if found:
                reason = f"网址开头装成 {shown}（像{brand.name}的网站），实际是 {where}"
                return Finding(W_OFFICIAL_IN_SUBDOMAIN, reason, brand.home)
        reason = f"子域名里嵌着另一个网址 {shown}，实际是 {where}"
        return Finding(W_EMBEDDED_DOMAIN, reason)
    return None


def _brand_finding(
    brand: BrandInfo, labels: list[str], site_label: str, lures: frozenset[str]
) -> Finding | None:
    best: Finding | None = None
    for label in labels:
        for part in _parts(label):
            in_site = label == site_label or part == site_label
            found = _compare(brand, part, lures, in_site=in_site)
            if found and (best is None or found.weight > best.weight):
                best = found
    return best


def _parts(label: str) -> Iterable[str]:
    yield label
    if "-" in label:
        yield from (p for p in label.split("-") if p)


def _compare(
    brand: BrandInfo, part: str, lures: frozenset[str], *, in_site: bool
) -> Finding | None:
    low = part.lower()
    mixed = is_mixed_script(low)
    for name in brand.labels:
        if low == name:
            return _contains(brand, name, part, in_site)
        # 短品牌名（qq、jd）只认真正的形近字（qԛ），ASCII 的 0/1 替换太容易撞上普通名字。
        if (len(name) >= 4 or not low.isascii()) and skeleton(low) == skeleton(name):
            weight = W_CONFUSABLE if mixed or not low.isascii() else W_TYPO
            return Finding(weight, f"仿冒官方品牌 {name}（{part}）", brand.home)
        typo = _typo(name, low)
        if typo:
            return Finding(typo, f"仿冒官方品牌 {name}（{part}，一字之差）", brand.home)
    for name in brand.labels:
        if _embedded(name, low) or _with_lure(name, low, lures):
            return _contains(brand, name, part, in_site)
    return None


def _typo(name: str, part: str) -> int:
    if len(name) < MIN_TYPO_LEN or abs(len(name) - len(part)) > 1 or not part.isascii():
        return 0
    if DamerauLevenshtein.distance(name, part, score_cutoff=1) != 1:
        return 0
    tail = len(name) != len(part) and (part.startswith(name) or name.startswith(part))
    if tail and len(name) < MIN_LONG_NAME and not _doubled_end(name, part):
        return W_TYPO_TAIL
    return W_TYPO


def _doubled_end(name: str, part: str) -> bool:
    """末尾多打了一个重复字母（steampoweredd、wechatt）：这是手滑或故意的错拼，不是别的词。"""
    longer = part if len(part) > len(name) else name
    return len(longer) >= 2 and longer[-1] == longer[-2]


def _embedded(name: str, part: str) -> bool:
    """品牌名嵌在更长的词里：≥6 个字母可在任意位置；5 个字母须在开头；更短的须是完整字母段。"""
    runs = _ALPHA_RUN.findall(part)
    if name in runs:
        return True
    if len(name) >= 6:
        return name in part
    if len(name) == 5:
        return any(run.startswith(name) for run in runs)
    return False


def _with_lure(name: str, part: str, lures: frozenset[str]) -> bool:
    """品牌名直接连着诱饵词：qqpay、qqchongzhi、freesteam（短品牌名只有这样才算嵌在词里）。"""
    for run in _ALPHA_RUN.findall(part):
        if run.startswith(name) and run[len(name) :] in lures:
            return True
        if run.endswith(name) and run[: -len(name)] in lures:
            return True
    return False


def _contains(brand: BrandInfo, name: str, part: str, in_site: bool) -> Finding:
    if in_site:
        reason = f"域名里带官方品牌名 {name}（{part}），但不是{brand.name}的官方网站"
        return Finding(W_BRAND_IN_DOMAIN, reason, brand.home)
    return Finding(W_BRAND_IN_SUBDOMAIN, f"子域名里带官方品牌名 {name}（{part}）", brand.home)


@lru_cache(maxsize=512)
def _alias_re(alias: str) -> re.Pattern[str]:
    if alias.isascii():
        return re.compile(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])")
    return re.compile(re.escape(alias))


def claimed_brands(folded_claim: str, rules: DomainRules) -> list[tuple[BrandInfo, str]]:
    """卡片标题（已 fold）里提到的品牌：(品牌, 命中的叫法)。"""
    found: list[tuple[BrandInfo, str]] = []
    for brand in rules.brands:
        for alias in brand.aliases:
            if alias and _alias_re(alias).search(folded_claim):
                found.append((brand, alias))
                break
    return found

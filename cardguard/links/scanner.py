"""把一条消息（文本或 OneBot 消息段）扫成 `ScanResult`。"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ..knowledge.domains import DomainRules
from ..text import fold
from .deobfuscate import Disguise, disguise_names
from .extract import MAX_LINKS, Link, links_in_text
from .fast import might_have_link
from .report import QUIET, HostList, LinkReport, ScanResult, defang, defang_host, verdict_for
from .score import score_link, shop_page
from .segments import MAX_RAW_CHARS, Piece, pieces_from

log = logging.getLogger("cardguard.links")

MAX_WORD_TEXT = 20_000
MAX_PIECES = 300  # 一条消息最多检查这么多段文本/网址字段
MAX_SCAN_CHARS = 60_000  # 一条消息交给去伪装和找网址的文字合计上限
MAX_EXTRA = 20  # extra_texts（二维码内容等）最多看这么多段


def scan(
    message: str | Sequence[Mapping[str, Any]],
    rules: DomainRules,
    *,
    extra_texts: Sequence[str] = (),
    allow: Collection[str] = (),
    blocklist: HostList | None = None,
) -> ScanResult:
    """扫描一条消息里的网址并打分。

    message：纯文本、CQ 码字符串，或 OneBot v11 消息段列表（{"type": ..., "data": {...}}，
    有 .type/.data 属性的消息段对象也行）；
    extra_texts：额外要一起检查的文本，例如图片里解出的二维码内容；
    allow：这个群额外信任的主机/网站（处理误报用）；
    blocklist：共享拦截名单（有 `match(host) -> 名单名 | None` 的对象），命中按拦截处理，
    但白名单（发布的和群内的）优先。没有网址就不会提醒，不管说了什么。

    工作量有上限：最多看 `segments.MAX_RAW_CHARS` 字原文、`MAX_SCAN_CHARS` 字交给找网址，
    每一步都是线性的；`scan_cost(message)` 不解析就能估出大小。
    """
    pieces = pieces_from(message)
    pieces.extend(
        Piece(t[:MAX_RAW_CHARS], "extra")
        for t in extra_texts[:MAX_EXTRA]
        if isinstance(t, str) and t
    )
    if not any(p.origin != "text" or might_have_link(p.text) for p in pieces):
        return QUIET
    words, caution, goods, referral = _words(pieces, rules)
    found = _find(pieces, rules, shoppy=bool(words))
    if not found:
        return QUIET
    allow_set = _normalize_allow(allow)
    pages = [shop_page(link, rules) for link, _ in found]
    reports: dict[str, LinkReport] = {}
    disguises = Disguise.NONE
    for index, (link, piece) in enumerate(found):
        disguises |= link.disguises
        companion = next(
            (
                page
                for i, page in enumerate(pages)
                if page and i != index and found[i][0].host != link.host
            ),
            "",
        )
        report = _report(
            link, piece, words, caution, allow_set, rules, blocklist, companion, goods, referral
        )
        known = reports.get(report.url)
        if known is None or report.score > known.score:
            reports[report.url] = report
    ordered = tuple(sorted(reports.values(), key=lambda r: -r.score))
    score = ordered[0].score if ordered else 0
    return ScanResult(verdict_for(score, rules), score, ordered, disguise_names(disguises))


def _find(pieces: Sequence[Piece], rules: DomainRules, *, shoppy: bool) -> list[tuple[Link, Piece]]:
    found: list[tuple[Link, Piece]] = []
    budget = MAX_SCAN_CHARS
    for piece in pieces[:MAX_PIECES]:
        if piece.origin == "text" and not might_have_link(piece.text):
            continue
        text = piece.text[:budget]
        budget -= len(text)
        _, links = links_in_text(text, rules, shoppy=shoppy)
        found.extend((link, piece) for link in links)
        if len(found) >= MAX_LINKS or budget <= 0:
            break
    return found[:MAX_LINKS]


# 夹在两个汉字之间的空格、符号、表情（“卡 密”“自-动-发-卡”“卡💎密”）；不含句读标点。
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_WORD_GAP_RE = re.compile(
    rf"(?<=[{_CJK}])(?:[\s*_~\-|/\\·•.]|[^\w\s，。！？；：、,!?;:\"'“”‘’（）()《》【】\[\]]){{1,3}}(?=[{_CJK}])"
)


# 消息里的网址（带协议的整段，或 域名[/路径]）：找“点名卖的别家会员”时先去掉
_LINKISH_RE = re.compile(
    r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,15}://\S*"
    r"|(?<![a-z0-9.-])(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?",
    re.I,
)


# 英文和汉字之间的一个空格（“GPT 账号”“Plus 代充”）：话术表里是连着写的。
_MIXED_GAP_RE = re.compile(rf"(?<=[a-z0-9]) (?=[{_CJK}])|(?<=[{_CJK}]) (?=[a-z0-9])")


def _words(pieces: Sequence[Piece], rules: DomainRules) -> tuple[list[str], bool, str, bool]:
    """消息里的卡盟话术（汉字间插了空格/符号也认）、是不是在提醒别人、点名卖的别家会员，
    以及是不是在拉人注册、推广返佣。"""
    text = "\n".join(p.text for p in pieces if p.words)[:MAX_WORD_TEXT]
    if not text:
        return [], False, "", False
    folded = fold(text)
    compact = _MIXED_GAP_RE.sub("", _WORD_GAP_RE.sub("", folded))
    found = rules.find_words(folded if compact == folded else f"{folded}\n{compact}")
    # 只看话里点名的（网址里的 spotify-premium 由 goods_in_path 按路径另算）
    said = _MIXED_GAP_RE.sub("", _WORD_GAP_RE.sub("", _LINKISH_RE.sub(" ", folded)))
    goods = rules.goods_in_text(said) or ""
    if goods and not found and rules.goods_talk_re is not None and rules.goods_talk_re.search(said):
        # 没有卡盟话术、又在问别家会员的事（怎么退订、被盗了）：点名的会员不是在卖
        goods = ""
    caution = rules.has_caution(compact)
    if rules.software and any(w in rules.software for w in found):
        found = _software_words(found, compact, rules, caution=caution)
    if rules.membership and any(w in rules.membership for w in found):
        named = rules.goods_brands_re is not None and rules.goods_brands_re.search(compact)
        if not named:
            found = [w for w in found if w not in rules.membership]
    referral = rules.referral_re is not None and rules.referral_re.search(compact) is not None
    return found, caution, goods, referral and not caution


# 网址、路径这类带点或斜杠的一整段（github.com/…/zfaka）：程序名只算写在话里的
_URLISH_RE = re.compile(
    r"[^\s，。！？；：、,!?;:（）()【】\[\]《》\"“”]*[./][^\s，。！？；：、,!?;:（）()【】\[\]《》\"“”]*"
)


def _software_words(
    found: list[str], compact: str, rules: DomainRules, *, caution: bool
) -> list[str]:
    """发卡程序的名字：在提醒别人、讨论程序本身（教程、安装、配置…）或只出现在网址里时去掉。"""
    bare = _URLISH_RE.sub(" ", compact)
    talk = caution or (
        rules.software_talk_re is not None and bool(rules.software_talk_re.search(bare))
    )
    return [w for w in found if w not in rules.software or (not talk and w in bare)]


def _normalize_allow(allow: Collection[str]) -> frozenset[str]:
    names = (a.strip().lower().rstrip(".").removeprefix("www.") for a in allow if a)
    return frozenset(n for n in names if n)


def _report(
    link: Link,
    piece: Piece,
    words: Sequence[str],
    caution: bool,
    allow: Collection[str],
    rules: DomainRules,
    blocklist: HostList | None,
    companion: str,
    goods: str = "",
    referral: bool = False,
) -> LinkReport:
    scored = score_link(
        link,
        rules,
        words=words,
        claim=piece.claim,
        title=piece.title,
        allow=allow,
        caution=caution,
        blocklist=blocklist,
        companion=companion,
        goods=goods,
        referral=referral,
    )
    return LinkReport(
        url=link.url,
        host=link.host,
        site=link.site,
        score=scored.score,
        reasons=scored.reasons,
        defanged=defang(link.url),
        risk_ids=scored.risk_ids,
        official=scored.official,
        shown_host=defang_host(link.unicode_host),
    )

"""页面探测：分数落在灰色地带的网址，打开网页看一眼，认出发卡系统就加分。

用法（插件里，放在后台任务里跑，不要让它挡住回复）::

    from cardguard.links.probe import ProbeCache, apply_probe, needs_probe, probe, probe_options

    cache = ProbeCache()                                   # 全进程一个：每个主机一天只探一次
    options = probe_options(allow_private=config.cardguard_fetch_private)
    link = needs_probe(result, rules)                      # 不在灰色地带时为 None
    if link is not None:
        found = await probe(link.url, fetch_options=options, cache=cache)
        result = apply_probe(result, found, rules)         # 认出了才会变；verdict 可能变成 warn

限制：只连公网（每一跳都查），总时限 3 秒，最多读 256 KB，不带 Cookie；同一主机一天只探一次
（失败的一小时后才再试），同时最多 4 个、每分钟最多 30 个新探测；HTML 拆分和特征匹配在工作线程里做。
任何失败都安静地结束（结果里写明原因，不抛异常）。默认日志里不写网站名（DEBUG 级才写）。
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..net import FetchError, FetchOptions, fetch, parse_url, private_allowed, short_url
from ..net.fetch import decode_text
from .pagemarks import PageMarkers, Recognition, current_page_markers
from .report import LinkReport, ScanResult, verdict_for

if TYPE_CHECKING:
    from ..knowledge.domains import DomainRules

log = logging.getLogger("cardguard.links")

PROBE_TIMEOUT = 3.0
PROBE_BYTES = 256 * 1024
DAY = 86_400.0
FAILURE_TTL = 3_600.0
PAGE_TYPES = ("text/html", "application/xhtml+xml")
_KIND_PHRASE = {
    "software": "网页是用「{name}」发卡程序搭的店",
    "platform": "网页是开在「{name}」上的店铺",
    "gateway": "网页是「{name}」一类的聚合支付收款页",
    "generic": "网页有自动发卡店的典型内容",
}


def probe_options(allow_private: bool | None = None) -> FetchOptions:
    """页面探测的下载限制：3 秒、256 KB（超过就截断，不算失败）、只要网页、最多 5 次跳转。"""
    return FetchOptions(
        timeout=PROBE_TIMEOUT,
        max_bytes=PROBE_BYTES,
        max_redirects=5,
        allow_private=private_allowed(allow_private),
        truncate=True,
        content_types=PAGE_TYPES,
        accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    )


@dataclass(frozen=True)
class ProbeResult:
    """一次页面探测的结果。

    url：探测的网址；host：它的主机名（缓存按它算）；final_url：跳转后的网址；
    system / system_id / kind：认出的系统（没认出为空串）；weight：要加到链接分数上的分；
    evidence：命中的特征（中文）；error：没看成时的中文原因。
    """

    url: str
    host: str
    final_url: str = ""
    system: str = ""
    system_id: str = ""
    kind: str = ""
    weight: int = 0
    evidence: tuple[str, ...] = ()
    error: str = ""

    @property
    def recognised(self) -> bool:
        """认出了发卡系统。"""
        return bool(self.system_id) and self.weight > 0

    @property
    def reason(self) -> str:
        """写进提醒理由的一句话（没认出时为空串）。"""
        if not self.recognised:
            return ""
        head = _KIND_PHRASE.get(self.kind, _KIND_PHRASE["software"]).format(name=self.system)
        return f"{head}（{'；'.join(self.evidence[:2])}）"


class ProbeCache:
    """探测结果按主机缓存（认出/没认出缓存一天，失败缓存一小时），并限制并发和频率。

    全进程共用一个；只在事件循环里用（不是线程安全的）。clock 可换成假时钟测试。
    """

    def __init__(
        self,
        *,
        ttl: float = DAY,
        failure_ttl: float = FAILURE_TTL,
        max_entries: int = 4096,
        concurrency: int = 4,
        per_minute: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self.max_entries = max_entries
        self.per_minute = per_minute
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, ProbeResult]] = OrderedDict()
        self.in_flight: dict[str, asyncio.Future[ProbeResult]] = {}
        self._started: list[float] = []
        self._concurrency = concurrency
        self._slots: asyncio.Semaphore | None = None

    def get(self, host: str) -> ProbeResult | None:
        """没过期的缓存结果。"""
        entry = self._entries.get(host)
        if entry is None:
            return None
        if entry[0] <= self.clock():
            del self._entries[host]
            return None
        self._entries.move_to_end(host)
        return entry[1]

    def put(self, host: str, result: ProbeResult) -> None:
        """记下结果；失败的只记一小时。"""
        ttl = self.failure_ttl if result.error else self.ttl
        self._entries[host] = (self.clock() + ttl, result)
        self._entries.move_to_end(host)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def take_budget(self) -> bool:
        """这一分钟还能不能开始一次新探测（被刷屏时宁可不探，也不替别人去敲一堆网站）。"""
        now = self.clock()
        self._started = [t for t in self._started if now - t < 60.0]
        if len(self._started) >= self.per_minute:
            return False
        self._started.append(now)
        return True

    def slots(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._concurrency)
        return self._slots

    def __len__(self) -> int:
        return len(self._entries)


_default_cache: ProbeCache | None = None


def default_cache() -> ProbeCache:
    """没传 cache 时用的进程级缓存。"""
    global _default_cache
    if _default_cache is None:
        _default_cache = ProbeCache()
    return _default_cache


async def probe(
    url: str,
    *,
    fetch_options: FetchOptions | None = None,
    cache: ProbeCache | None = None,
    markers: PageMarkers | None = None,
) -> ProbeResult | None:
    """打开网页一次并认发卡系统；返回 None 表示这次没去看（网址不能探测、或被限频）。

    fetch_options 默认 `probe_options()`；cache 默认进程级缓存；markers 默认随程序发布的特征。
    从不抛异常：下载失败、不是网页、超时等都记在结果的 error 里（也会缓存，免得反复去敲）。
    """
    options = fetch_options or probe_options()
    cache = cache if cache is not None else default_cache()
    try:
        host = parse_url(url, allow_private=options.allow_private).host.lower()
    except FetchError as exc:
        log.debug("页面探测跳过：%s：%s", short_url(url), exc)
        return None
    cached = cache.get(host)
    if cached is not None:
        return _for_url(cached, url)
    running = cache.in_flight.get(host)
    if running is not None:  # 同一主机正在探：等它的结果，不再多开一次
        return _for_url(await asyncio.shield(running), url)
    if not cache.take_budget():
        log.info("页面探测太频繁（每分钟最多 %d 个新网站），这次跳过", cache.per_minute)
        return None
    future: asyncio.Future[ProbeResult] = asyncio.get_running_loop().create_future()
    cache.in_flight[host] = future
    result: ProbeResult | None = None
    try:
        async with cache.slots():
            result = await _probe_now(url, host, options, markers)
        cache.put(host, result)
        return result
    finally:
        cache.in_flight.pop(host, None)
        # 被取消时，等着同一主机的调用者也要醒来（这种结果不缓存）
        future.set_result(result or ProbeResult(url, host, error="探测被中断"))


def _for_url(result: ProbeResult, url: str) -> ProbeResult:
    """同一主机的结果拿来回答另一条网址时，把 url 换成这次问的（apply_probe 按它找网址）。"""
    return result if result.url == url else replace(result, url=url)


async def _probe_now(
    url: str, host: str, options: FetchOptions, markers: PageMarkers | None
) -> ProbeResult:
    try:
        fetched = await fetch(url, options)
    except FetchError as exc:
        log.debug("页面探测没打开：%s：%s", host, exc)
        return ProbeResult(url, host, error=str(exc))
    except Exception:  # 兜底：下载层的意外不能影响消息处理，但要留下现场
        log.exception("页面探测下载出错：%s", host)
        return ProbeResult(url, host, error="下载出错")
    if b"\x00" in fetched.content[:4096]:
        return ProbeResult(url, host, fetched.url, error="内容是二进制，不是网页")
    try:
        found = await asyncio.to_thread(_recognise, markers, fetched.content, fetched.charset)
    except Exception:  # 兜底：解析出了意外，不能影响消息处理，但要留下现场
        log.exception("页面探测分析出错：%s", host)
        return ProbeResult(url, host, fetched.url, error="分析网页出错")
    if found is None:
        return ProbeResult(url, host, fetched.url)
    recognition, max_add = found
    weight = min(recognition.score, max_add)
    system = recognition.system
    log.info("页面探测认出「%s」（加 %d 分）", system.name, weight)
    log.debug("页面探测认出「%s」的网站：%s", system.name, host)
    return ProbeResult(
        url, host, fetched.url, system.name, system.id, system.kind, weight, recognition.evidence
    )


def _recognise(
    markers: PageMarkers | None, content: bytes, charset: str | None
) -> tuple[Recognition, int] | None:
    """在工作线程里：（第一次）读特征文件、解码、拆区域、匹配。"""
    book = markers or current_page_markers()
    if book is None:
        return None
    found = book.recognise(decode_text(content, charset))
    return (found, book.max_add) if found is not None else None


def needs_probe(result: ScanResult, rules: DomainRules) -> LinkReport | None:
    """这条消息值得探测的网址：分数最高的那条落在灰色地带 [log, warn) 时返回它，否则 None。"""
    top = result.top
    if top is None or result.verdict != "log":
        return None
    return top if rules.log <= top.score < rules.warn else None


def apply_probe(result: ScanResult, found: ProbeResult | None, rules: DomainRules) -> ScanResult:
    """把探测结果并进扫描结果：认出了就给那条网址加分、加一条中文理由，重算结论。

    只改原本就在灰色地带（分数 ≥ rules.log 且 < rules.warn）的网址：白名单网站（0 分）
    和已经要提醒的网址都不动。没认出、找不到对应网址时原样返回。
    """
    if found is None or not found.recognised:
        return result
    target = next((r for r in result.links if r.url == found.url), None)
    if target is None:
        target = next((r for r in result.links if r.host == found.host), None)
    if target is None or not rules.log <= target.score < rules.warn:
        return result
    risks = tuple(dict.fromkeys((*target.risk_ids, *rules.signal_risks.get("fingerprint", ()))))
    upgraded = replace(
        target,
        score=min(100, target.score + found.weight),
        reasons=(found.reason, *target.reasons),
        risk_ids=risks,
    )
    links = tuple(
        sorted((upgraded if r is target else r for r in result.links), key=lambda r: -r.score)
    )
    score = links[0].score
    return replace(result, verdict=verdict_for(score, rules), score=score, links=links)

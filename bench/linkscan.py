"""链接识别基准：`cardguard.links.scan` 对比一条朴素的 `re.findall` 网址正则。

除了平均每条的耗时，还测每条带链接消息单独的耗时分布（p99），目标 ≤ 1 ms：
消息来自开发集和真实世界的链接集（tests/data/links*.yaml、real_*.yaml）。
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cardguard.knowledge import load_knowledge

from .datasets import DATA, load_chatter, load_link_messages
from .report import INFO, Figure, time_per_item, value_max

# 显而易见的替代做法：一条网址正则。
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|top|xyz|shop|vip|cc|me|io)\b",
    re.IGNORECASE,
)


class LinksUnavailable(RuntimeError):
    """`cardguard.links` 还不存在或接口不符。"""


@dataclass(frozen=True)
class ScanSettings:
    """重复次数：`repeats` 次取中位数，每次把整套消息跑 `inner` 遍。"""

    repeats: int = 7
    inner: int = 20


def _scanner() -> Any:
    try:
        from cardguard.links import scan
    except ImportError as exc:
        raise LinksUnavailable(f"cardguard.links 不可用：{exc}") from exc
    rules = load_knowledge().domains
    if rules is None:
        raise LinksUnavailable("knowledge/domains.yaml 不存在")
    # 与插件相同：按 OneBot v11 消息段传入。
    return lambda text: scan([{"type": "text", "data": {"text": text}}], rules)


def _baseline(text: str) -> list[str]:
    return URL_RE.findall(text)


def _figure(
    key: str, label: str, scan: Any, texts: Sequence[str], settings: ScanSettings, **extra: Any
) -> Figure:
    ours = time_per_item(scan, texts, settings.repeats, settings.inner)
    theirs = time_per_item(_baseline, texts, settings.repeats, settings.inner)
    verdicts: dict[str, int] = {}
    for text in texts:
        verdict = str(scan(text).verdict)
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    details = {
        "messages": len(texts),
        "samples_us": [round(s * 1e6, 2) for s in ours.cpu_samples],
        "wall_us": round(ours.wall * 1e6, 2),
        "verdicts": verdicts,
        **extra,
    }
    return Figure(
        key, label, "µs", ours.cpu * 1e6, theirs.cpu * 1e6, "re.findall 网址正则", details=details
    )


P99_FILES = ("links.yaml", "links_blind.yaml", "real_shops.yaml", "real_benign.yaml")


def _per_message_us(func: Callable[[str], object], texts: Sequence[str], inner: int) -> list[float]:
    """每条消息单独计时：跑 `inner` 遍取最短的一次（CPU 时间，微秒），排好序返回。"""
    clock = time.process_time_ns
    out: list[float] = []
    for text in texts:
        best = None
        for _ in range(max(1, inner)):
            start = clock()
            func(text)
            took = clock() - start
            best = took if best is None or took < best else best
        out.append((best or 0) / 1000)
    return sorted(out)


def _percentile(sorted_values: Sequence[float], share: float) -> float:
    index = min(len(sorted_values) - 1, int(share * len(sorted_values)))
    return sorted_values[index]


def _p99_figure(scan: Any, settings: ScanSettings) -> Figure:
    texts: list[str] = []
    for name in P99_FILES:
        texts.extend(load_link_messages(DATA / name)[0])
    for text in texts:  # 热身：第一次用到的正则、公共后缀表
        scan(text)
    ours = _per_message_us(scan, texts, settings.inner)
    theirs = _per_message_us(_baseline, texts, settings.inner)
    p99 = _percentile(ours, 0.99)
    details = {
        "messages": len(texts),
        "files": list(P99_FILES),
        "p50_us": round(_percentile(ours, 0.5), 2),
        "p90_us": round(_percentile(ours, 0.9), 2),
        "max_us": round(ours[-1], 2),
    }
    return Figure(
        "links.link_p99_us",
        "链接识别 带链接消息 p99",
        "µs",
        p99,
        _percentile(theirs, 0.99),
        "re.findall 网址正则",
        value_max(1000, "µs"),
        details,
    )


def run(settings: ScanSettings) -> list[Figure]:
    """闲聊（无链接）与带链接消息的每条耗时，以及带链接消息单条耗时的 p99。"""
    scan = _scanner()
    chatter = load_chatter()
    links, source = load_link_messages()
    quiet = _figure("links.chatter_us", "链接识别 每条无链接闲聊", scan, chatter, settings)
    quiet.target = value_max(30, "µs")
    loud = _figure("links.link_us", "链接识别 每条带链接消息", scan, links, settings, source=source)
    loud.target = INFO
    return [quiet, loud, _p99_figure(scan, settings)]

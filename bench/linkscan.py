"""链接识别基准：`cardguard.links.scan` 对比一条朴素的 `re.findall` 网址正则。"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cardguard.knowledge import load_knowledge

from .datasets import load_chatter, load_link_messages
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


def run(settings: ScanSettings) -> list[Figure]:
    """闲聊（无链接）与带链接消息的每条耗时。"""
    scan = _scanner()
    chatter = load_chatter()
    links, source = load_link_messages()
    quiet = _figure("links.chatter_us", "链接识别 每条无链接闲聊", scan, chatter, settings)
    quiet.target = value_max(30, "µs")
    loud = _figure("links.link_us", "链接识别 每条带链接消息", scan, links, settings, source=source)
    loud.target = INFO
    return [quiet, loud]

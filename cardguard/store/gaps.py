"""没答上的问题（缺口）：只保留最近 N 天，按相似度合并计数，告诉管理员下一条该写什么。"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from ..knowledge.yamlio import write_atomic
from ..matching import prepare
from .files import move_aside

log = logging.getLogger("cardguard.store")

# 只有这些算空白行（和 bytes.strip 一样）：str.strip 还会去掉 \x1c–\x1f 这些控制字符，
# 那样一行控制字符会被当成空行，改写文件时就悄悄丢了，而不是当坏行挪到一边。
BLANK = " \t\r\n\v\f"
DAY = 86400.0
MAX_TEXT = 200
MAX_KEPT = 20_000
SIMILAR = 75.0
MAX_DISTINCT = 1000
ALL_GROUPS = "*"


@dataclass(frozen=True)
class Gap:
    """一条没答上的提问；`wrong` 表示机器人答了、但群管理标记“答错了”。"""

    ts: float
    group: str | None
    text: str
    wrong: bool = False


@dataclass(frozen=True)
class GapGroup:
    """一组相似的提问：出现次数、最常见的说法、不同说法的数量。"""

    count: int
    example: str
    variants: tuple[str, ...]


class GapLog:
    """gaps.jsonl：追加写入；打开时和每小时清掉过期的。keep_days=0 时什么都不存。"""

    def __init__(self, path: Path, keep_days: int, now: Callable[[], float] = time.time) -> None:
        self.path = path
        self.keep_days = keep_days
        self.now = now
        self._items: list[Gap] = []
        self._pruned_at = 0.0
        self.notes: list[str] = []
        self._load()

    def _load(self) -> None:
        if self.keep_days <= 0:
            if self.path.exists():
                self.path.unlink()
                log.info("cardguard_keep_gaps_days=0：已删除 %s", self.path)
            return
        if not self.path.exists():
            return
        self._items, bad = _read(self.path)
        unfinished = not self.path.read_bytes().endswith(b"\n")
        if bad:
            self._set_aside(bad)
        self.prune(rewrite=bool(bad) or unfinished)

    def _set_aside(self, bad: int) -> None:
        """有读不懂的行（如写到一半被杀的最后一行）：原文件整个挪到一边，再只写回能读的。"""
        aside = move_aside(self.path)
        kept = len(self._items)
        note = (
            f"{self.path.name} 有 {bad} 行读不懂，原文件已挪到 {aside.name}，留下能读的 {kept} 条"
        )
        self.notes.append(note)
        log.error("%s", note)

    def record(self, group: str | None, text: str, *, wrong: bool = False) -> None:
        """记下一条没答上（`wrong`：答错了）的提问（太长的截断）。"""
        text = " ".join(text.split())[:MAX_TEXT]
        if self.keep_days <= 0 or len(text) < 2:
            return
        gap = Gap(round(self.now(), 1), group, text, wrong)
        self._items.append(gap)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(_line(gap))
        if self.now() - self._pruned_at >= 3600 or len(self._items) > MAX_KEPT:
            self.prune()

    def prune(self, *, rewrite: bool = False) -> None:
        """去掉超过保留天数的；条数过多时只留最近的一半。有变化才重写文件。"""
        self._pruned_at = self.now()
        cutoff = self._pruned_at - self.keep_days * DAY
        kept = [g for g in self._items if g.ts >= cutoff]
        if len(kept) > MAX_KEPT:
            kept = kept[-(MAX_KEPT // 2) :]
        if len(kept) == len(self._items) and not rewrite:
            return
        self._items = kept
        write_atomic(self.path, "".join(map(_line, kept)))

    def texts(self, group: str | None) -> list[str]:
        """保留期内的提问文本；group 为 ALL_GROUPS 时取全部群。"""
        return [g.text for g in self._kept(group)]

    def wrong_texts(self, group: str | None) -> set[str]:
        """其中被群管理标记“答错了”的那些。"""
        return {g.text for g in self._kept(group) if g.wrong}

    def _kept(self, group: str | None) -> list[Gap]:
        cutoff = self.now() - self.keep_days * DAY
        return [
            g for g in self._items if g.ts >= cutoff and (group == ALL_GROUPS or g.group == group)
        ]


def _line(gap: Gap) -> str:
    data = {"ts": gap.ts, "group": gap.group, "text": gap.text}
    if gap.wrong:  # 只有答错的才多一个键：旧文件、旧版本读起来都一样
        data["wrong"] = True
    return json.dumps(data, ensure_ascii=False) + "\n"


def _read(path: Path) -> tuple[list[Gap], int]:
    """读出全部缺口，返回（能读的，读不懂的行数）。"""
    gaps: list[Gap] = []
    bad = 0
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip(BLANK):
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise TypeError("一行不是对象")
                wrong = data.get("wrong") is True
                gaps.append(Gap(float(data["ts"]), data.get("group"), str(data["text"]), wrong))
            except (ValueError, KeyError, TypeError):
                bad += 1
    return gaps, bad


def cluster(texts: Iterable[str], similar: float = SIMILAR) -> list[GapGroup]:
    """把相似的提问合并：先按归一化后的文本计数，再用 rapidfuzz 贪心归组，按次数排序。"""
    counts: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = {}
    for text in texts:
        key = prepare(text) or text
        counts[key] += 1
        shown.setdefault(key, Counter())[text] += 1
    heads: list[str] = []
    members: dict[str, list[str]] = {}
    for key, _ in counts.most_common(MAX_DISTINCT):
        found = process.extractOne(key, heads, scorer=fuzz.WRatio, score_cutoff=similar)
        head = found[0] if found else key
        if not found:
            heads.append(key)
        members.setdefault(head, []).append(key)
    groups = [_group(keys, counts, shown) for keys in members.values()]
    groups.sort(key=lambda g: -g.count)
    return groups


def _group(keys: list[str], counts: Counter[str], shown: dict[str, Counter[str]]) -> GapGroup:
    total = sum(counts[k] for k in keys)
    variants = tuple(shown[k].most_common(1)[0][0] for k in keys)
    return GapGroup(total, variants[0], variants)

"""刷屏时合并提醒：第一条立即发，之后的攒成一批，到点合成一条。"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass
class Batch:
    """攒着还没发的一批：去重后的条目（最多 `limit` 个）和一共来了几条。"""

    limit: int
    items: list[Hashable] = field(default_factory=list)
    total: int = 0

    def add(self, item: Hashable) -> None:
        """加一条；重复的只计数，超过上限的只计数。"""
        self.total += 1
        if item not in self.items and len(self.items) < self.limit:
            self.items.append(item)


class BurstMerger:
    """刷屏时把同一个群的提醒合并：安静了 `window` 秒后的第一条立即单独发，
    之后来的攒成一批，离上一条至少 `window` 秒再合成一条发出。这样每个群每 `window`
    秒最多一条提醒，而且不会排队到几分钟以后。"""

    def __init__(self, window: float = 10.0, max_items: int = 20) -> None:
        self.window = window
        self.max_items = max_items
        self._last: dict[Hashable, float] = {}
        self._pending: dict[Hashable, Batch] = {}

    def offer(self, key: Hashable, item: Hashable, now: float) -> bool:
        """True：现在就单独发这一条；False：已放进待合并的一批（到点后调用方 `take`）。"""
        last = self._last.get(key)
        if key not in self._pending and (last is None or now - last >= self.window):
            self._last[key] = now
            return True
        self._pending.setdefault(key, Batch(self.max_items)).add(item)
        return False

    def retract(self, key: Hashable, now: float) -> None:
        """刚才说“现在就单独发”的那一条其实没发出去：当作没发过（已经攒着的一批照旧）。"""
        if key not in self._pending and self._last.get(key) == now:
            del self._last[key]

    def due_in(self, key: Hashable, now: float) -> float:
        """这个群攒着的一批还要等几秒才该发（0 表示现在就该发）。"""
        last = self._last.get(key)
        return 0.0 if last is None else max(0.0, last + self.window - now)

    def take(self, key: Hashable, now: float) -> Batch | None:
        """取走这个群攒着的一批并记为刚发过；没有时返回 None。"""
        batch = self._pending.pop(key, None)
        if batch is not None:
            self._last[key] = now
        return batch

    def forget_idle(self, now: float) -> None:
        """清掉早已安静、没有待发的群。"""
        idle = [k for k, t in self._last.items() if now - t >= self.window]
        for key in idle:
            if key not in self._pending:
                del self._last[key]

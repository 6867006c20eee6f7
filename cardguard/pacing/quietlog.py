"""只记一次的日志：同一类事一段时间内只写一行。"""

from __future__ import annotations

from collections.abc import Hashable


class QuietLog:
    """同一类事每 `period` 秒最多记一次日志；其间的只计数，下次记录时一并报出。"""

    def __init__(self, period: float = 600.0, max_keys: int = 10_000) -> None:
        self.period = period
        self.max_keys = max_keys
        self._last: dict[Hashable, float] = {}
        self._muted: dict[Hashable, int] = {}

    def tick(self, key: Hashable, now: float) -> int | None:
        """该记日志时返回上次以来被省略的次数（第一次是 0）；不该记时返回 None。"""
        last = self._last.get(key)
        if last is not None and now - last < self.period:
            self._muted[key] = self._muted.get(key, 0) + 1
            return None
        if len(self._last) >= self.max_keys:
            self._last.clear()
            self._muted.clear()
        self._last[key] = now
        return self._muted.pop(key, 0)

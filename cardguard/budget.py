"""发言预算与冷却：机器人绝不能刷屏（QQ 风控会封话多的号）。

纯逻辑，时间由调用方传入，便于测试。
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


class SendBudget:
    """每个群一个滑动窗口：`window` 秒内最多 `limit` 条机器人消息。各群互不影响。"""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._sent: dict[Hashable, deque[float]] = {}

    def _trim(self, key: Hashable, now: float) -> deque[float]:
        times = self._sent.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def remaining(self, key: Hashable, now: float) -> int:
        """这个群此刻还能发几条。"""
        return max(0, self.limit - len(self._trim(key, now)))

    def try_take(self, key: Hashable, now: float, cost: int = 1) -> bool:
        """要发 `cost` 条：预算够就记账并返回 True，不够返回 False（不排队）。"""
        times = self._trim(key, now)
        if self.limit - len(times) < cost:
            return False
        times.extend([now] * cost)
        return True

    def forget_idle(self, now: float) -> None:
        """清掉窗口外已空的群，防止内存随群数增长。"""
        for key in [k for k, v in self._sent.items() if not v or now - v[-1] >= self.window]:
            del self._sent[key]


class Cooldown:
    """同一个键在 `seconds` 秒内只放行一次（如：同群同条目、同群同站点、同一用户）。"""

    def __init__(self, seconds: float, max_keys: int = 50_000) -> None:
        self.seconds = seconds
        self.max_keys = max_keys
        self._last: dict[Hashable, float] = {}

    def ready(self, key: Hashable, now: float) -> bool:
        """是否已过冷却（不记账）。"""
        last = self._last.get(key)
        return last is None or now - last >= self.seconds

    def hit(self, key: Hashable, now: float) -> bool:
        """过了冷却就记账并返回 True，否则 False。"""
        if not self.ready(key, now):
            return False
        if len(self._last) >= self.max_keys:
            self._prune(now)
        self._last[key] = now
        return True

    def reset(self, key: Hashable) -> None:
        """取消某个键的冷却。"""
        self._last.pop(key, None)

    def _prune(self, now: float) -> None:
        expired = [k for k, t in self._last.items() if now - t >= self.seconds]
        for key in expired:
            del self._last[key]
        if len(self._last) >= self.max_keys:  # 全都没过期：丢掉最旧的一半
            for key in sorted(self._last, key=self._last.__getitem__)[: self.max_keys // 2]:
                del self._last[key]

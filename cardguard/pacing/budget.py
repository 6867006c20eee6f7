"""发言预算：每个群一个滑动窗口，可以给提醒留出名额。"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


class SendBudget:
    """每个键（群，或私聊的人）一个滑动窗口：`window` 秒内最多 `limit` 条。各键互不影响。

    `reserve` 让一部分名额只留给更要紧的消息：群友问出来的回答、帮助、拒绝都带着 reserve 来拿，
    用不到最后 `reserve` 条，所以无论群友怎么刷，卡盟链接的提醒（reserve=0）总还有名额。
    """

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
        """这个键此刻还能发几条（不计留出的名额）。"""
        return max(0, self.limit - len(self._trim(key, now)))

    def try_take(self, key: Hashable, now: float, *, reserve: int = 0) -> bool:
        """要发一条：除去留出的 `reserve` 条还有名额就记账并返回 True，否则 False（不排队）。"""
        times = self._trim(key, now)
        if self.limit - len(times) <= reserve:
            return False
        times.append(now)
        return True

    def give_back(self, key: Hashable) -> None:
        """刚记的一条其实没发出去（发送失败）：退回名额。"""
        times = self._sent.get(key)
        if times:
            times.pop()

    def forget_idle(self, now: float) -> None:
        """清掉窗口外已空的键，防止内存随群数增长。"""
        for key in [k for k, v in self._sent.items() if not v or now - v[-1] >= self.window]:
            del self._sent[key]

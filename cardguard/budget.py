"""发言预算、冷却、合并与排队：机器人绝不能刷屏（QQ 风控会封话多的号），一个群刷屏也不能拖慢别的群。

除 `GroupGate`（用 asyncio 排队）外都是纯逻辑，时间由调用方传入，便于测试。
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


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


# ---------- 按群排队 ----------

Release = Callable[[], None]


@dataclass
class _Lane:
    active: int = 0
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)


class GroupGate:
    """每个键（群，或私聊的人）最多 `slots` 条消息同时处理；其余按先来后到排队。"""

    def __init__(
        self, slots: int = 2, lease: float = 0.5, max_queue: int = 100, max_wait: float = 10.0
    ) -> None:
        self.slots = slots
        self.lease = lease
        self.max_queue = max_queue
        self.max_wait = max_wait
        self._lanes: dict[str, _Lane] = {}

    def waiting(self, key: str) -> int:
        """这个键现在有几条在排队。"""
        lane = self._lanes.get(key)
        return len(lane.waiting) if lane else 0

    async def enter(self, key: str, *, vip: bool = False) -> Release | None:
        """拿一个名额，返回用完时调用的函数；队太长或等太久返回 None（这条该跳过）。

        `vip`（管理员）的消息从不跳过，只排队。
        """
        lane = self._lanes.setdefault(key, _Lane())
        if lane.active < self.slots and not lane.waiting:
            lane.active += 1
            return self._ticket(key, lane)
        if not vip and len(lane.waiting) >= self.max_queue:
            return None
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lane.waiting.append(future)
        try:
            await asyncio.wait_for(asyncio.shield(future), None if vip else self.max_wait)
        except asyncio.TimeoutError:
            if future.done():  # 超时的同时刚好轮到：名额已交给我们，照常使用
                return self._ticket(key, lane)
            self._leave(key, lane, future)
            return None
        except asyncio.CancelledError:
            if future.done():  # 名额已交给我们，但这条被取消了：马上转交下一条
                self._ticket(key, lane)()
            else:
                self._leave(key, lane, future)
            raise
        return self._ticket(key, lane)

    def _leave(self, key: str, lane: _Lane, future: asyncio.Future[None]) -> None:
        """还没轮到就不等了：退出队伍。"""
        future.cancel()
        with contextlib.suppress(ValueError):
            lane.waiting.remove(future)
        self._drop_if_idle(key, lane)

    def _ticket(self, key: str, lane: _Lane) -> Release:
        done = False

        def release() -> None:
            nonlocal done
            if done:
                return
            done = True
            timer.cancel()
            self._pass_on(key, lane)

        timer = asyncio.get_running_loop().call_later(self.lease, release)
        return release

    def _pass_on(self, key: str, lane: _Lane) -> None:
        """名额用完：直接交给排在最前、还在等的那条；没人等就归还。"""
        while lane.waiting:
            future = lane.waiting.popleft()
            if not future.done():
                future.set_result(None)
                return
        lane.active -= 1
        self._drop_if_idle(key, lane)

    def _drop_if_idle(self, key: str, lane: _Lane) -> None:
        if lane.active <= 0 and not lane.waiting and self._lanes.get(key) is lane:
            del self._lanes[key]

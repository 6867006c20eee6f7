"""按群排队：一个群刷屏时自己排队，别的群照常秒回。"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

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

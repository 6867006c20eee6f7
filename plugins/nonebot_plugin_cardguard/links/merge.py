"""刷屏时合并提醒：每个群每 `window` 秒最多一条，多出来的攒成一条，窗口一到就发（绝不排队几分钟）。"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from nonebot.log import logger

from cardguard.pacing import Batch, BurstMerger

from ..view import Msg


@dataclass(frozen=True)
class Flush:
    """到点要发的一批：哪个群、攒下的内容、最后一条消息（用它找到发往哪里）。"""

    key: str
    batch: Batch
    msg: Msg


Sender = Callable[[Flush], Awaitable[None]]


class WarningMerger:
    """每个群每 `window` 秒最多一条提醒；多出来的合并成一条，窗口一到就发。"""

    def __init__(self, send: Sender, clock: Callable[[], float], window: float = 10.0) -> None:
        self.send = send
        self.clock = clock
        self.merger = BurstMerger(window)
        self._last: dict[str, Msg] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def offer(self, key: str, item: Hashable, msg: Msg) -> bool:
        """True：现在单独发；False：已并入下一条合并提醒。"""
        now = self.clock()
        if self.merger.offer(key, item, now):
            return True
        self._last[key] = msg
        if key not in self._timers:
            delay = self.merger.due_in(key, now)
            self._timers[key] = asyncio.get_running_loop().call_later(delay, self._due, key)
        return False

    def _due(self, key: str) -> None:
        self._timers.pop(key, None)
        batch = self.merger.take(key, self.clock())
        msg = self._last.pop(key, None)
        if batch is None or msg is None:
            return
        task = asyncio.create_task(self._send(Flush(key, batch, msg)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, flush: Flush) -> None:
        try:
            await self.send(flush)
        except Exception as exc:
            logger.opt(exception=exc).warning(f"群 {flush.key} 的合并提醒没发出去")

    async def close(self) -> None:
        """关机：取消还没到点的合并提醒。"""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._last.clear()
        for task in self._tasks:
            task.cancel()

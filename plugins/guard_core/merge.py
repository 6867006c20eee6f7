"""刷屏时合并提醒：第一条立即发，之后攒成一批，到点合成一条发出（绝不排队几分钟）。"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from nonebot.log import logger

from cardguard.budget import Batch, BurstMerger

from .runtime import Runtime


@dataclass(frozen=True)
class Flush:
    """到点要发的一批：哪个群、攒下的内容、用来回复的 bot 和最后一条事件。"""

    key: str
    batch: Batch
    bot: Any
    event: Any


Sender = Callable[[Flush], Awaitable[None]]


class WarningMerger:
    """每个群每 `window` 秒最多一条提醒；多出来的合并成一条，窗口一到就发。"""

    def __init__(self, runtime: Runtime, send: Sender, window: float = 10.0) -> None:
        self.runtime = runtime
        self.send = send
        self.merger = BurstMerger(window)
        self._context: dict[str, tuple[Any, Any]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def offer(self, key: str, item: Hashable, bot: Any, event: Any) -> bool:
        """True：现在单独发；False：已并入下一条合并提醒。"""
        now = self.runtime.now()
        if self.merger.offer(key, item, now):
            return True
        self._context[key] = (bot, event)
        if key not in self._timers:
            delay = self.merger.due_in(key, now)
            self._timers[key] = asyncio.get_running_loop().call_later(delay, self._due, key)
        return False

    def _due(self, key: str) -> None:
        self._timers.pop(key, None)
        batch = self.merger.take(key, self.runtime.now())
        bot, event = self._context.pop(key, (None, None))
        if batch is None or bot is None:
            return
        task = asyncio.create_task(self._send(Flush(key, batch, bot, event)))
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
        self._context.clear()
        for task in self._tasks:
            task.cancel()

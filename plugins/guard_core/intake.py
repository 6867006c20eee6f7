"""消息进门的两道关：整理怪异的消息段，再按群排队。都由 dispatch 的那一个事件响应器调用。

- 格式不对、没有消息内容的“消息事件”直接跳过；
- 消息段就地整理（见 tidy.py），每类问题只记一次日志；这一步在规则里、对每条消息都做，所以很便宜；
- 要处理的消息（命令、回答、链接扫描）每个群（私聊按人）同时最多处理几条，刷屏的群自己排队，
  别的群照常秒回；排队太久的跳过（群主、管理员和机器人管理员的消息从不跳过）。闲聊什么都不做，
  不用排队。

以前这两步是 NoneBot 的 event_preprocessor / event_postprocessor：每条消息（包括闲聊）各要建
一次任务组、解一次依赖。现在它们是普通的方法调用。
"""

from __future__ import annotations

from typing import Any

from nonebot.adapters import Bot, Event
from nonebot.log import logger

from cardguard.budget import GroupGate, QuietLog, Release

from .chat import ADMIN_ROLES
from .runtime import Runtime
from .tidy import is_tidy, tidy_message

try:
    from nonebot.adapters.onebot.v11 import Bot as OBBot
    from nonebot.adapters.onebot.v11 import GroupMessageEvent as OBGroupEvent
    from nonebot.adapters.onebot.v11 import MessageEvent as OBMessageEvent
except ImportError:  # pragma: no cover
    OBBot = OBGroupEvent = OBMessageEvent = None  # type: ignore[assignment, misc]

NOTE_PERIOD = 600.0
SKIP_PERIOD = 60.0
SWEEP_PERIOD = 600.0


class Intake:
    """进门的两道关的状态：按群排队的闸门和“只记一次”的日志。"""

    def __init__(self, runtime: Runtime, gate: GroupGate | None = None) -> None:
        self.runtime = runtime
        self.gate = gate or GroupGate()
        self.notes = QuietLog(NOTE_PERIOD)
        self.skips = QuietLog(SKIP_PERIOD)
        self._swept = runtime.now()

    def accept(self, bot: Bot, event: Event) -> bool:
        """规则里、每条消息事件都调用：OneBot 的消息整理好返回 True；没有消息内容的返回 False。"""
        if OBBot is not None and isinstance(bot, OBBot):
            if not isinstance(event, OBMessageEvent):
                self._note("收到没有消息内容的消息事件（OneBot 实现的问题），已跳过")
                return False
            self._tidy(event)
        return True

    async def enter(self, bot: Bot, event: Event) -> Release | None:
        """要处理的消息在本群的队里拿名额；返回用完时调用的函数，该跳过时返回 None。"""
        self._sweep()
        key, vip = lane_of(bot, event)
        release = await self.gate.enter(key, vip=vip)
        if release is None:
            self._skipped(key)
        return release

    def _sweep(self) -> None:
        """每 10 分钟清掉早已安静的群的发言记录，内存不随见过的群和人无限增长。"""
        now = self.runtime.now()
        if now - self._swept >= SWEEP_PERIOD:
            self._swept = now
            self.runtime.budget.forget_idle(now)

    def _tidy(self, event: Any) -> None:
        if is_tidy(event.message) and is_tidy(event.original_message):
            return
        notes = tidy_message(event.message) | tidy_message(event.original_message)
        for note in sorted(notes):
            self._note(note)

    def _note(self, note: str) -> None:
        muted = self.notes.tick(note, self.runtime.now())
        if muted is not None:
            more = f"（{NOTE_PERIOD / 60:.0f} 分钟内另有 {muted} 次）" if muted else ""
            logger.info(f"遇到怪异的消息：{note}{more}；同类情况 10 分钟内只记一次")

    def _skipped(self, key: str) -> None:
        muted = self.skips.tick(key, self.runtime.now())
        if muted is not None:
            more = f"，上次记录以来又跳过 {muted} 条" if muted else ""
            logger.warning(f"{key} 消息太多，排不上队的先跳过{more}；每分钟只记一次")


def lane_of(bot: Bot, event: Event) -> tuple[str, bool]:
    """排哪条队（群号，私聊为 user:QQ号）以及是不是管理员（从不跳过）。"""
    try:
        user = event.get_user_id()
    except ValueError:
        user = ""
    vip = user in bot.config.superusers
    if OBGroupEvent is not None and isinstance(event, OBGroupEvent):
        vip = vip or getattr(event.sender, "role", None) in ADMIN_ROLES
        return str(event.group_id), vip
    return f"user:{user}", vip

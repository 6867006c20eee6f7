"""消息进门的第一站（NoneBot 事件预处理）：整理怪异的消息段，再按群排队。

- 格式不对、没有消息内容的“消息事件”直接跳过；
- 消息段就地整理（见 tidy.py），每类问题只记一次日志；
- 每个群（私聊按人）同时最多处理几条，刷屏的群自己排队，别的群照常秒回；
  排队太久的跳过（群主、管理员和机器人管理员的消息从不跳过）。
"""

from __future__ import annotations

from typing import Any

from nonebot.adapters import Bot, Event
from nonebot.exception import IgnoredException
from nonebot.log import logger
from nonebot.message import event_postprocessor, event_preprocessor
from nonebot.typing import T_State

from cardguard.budget import GroupGate, QuietLog, Release

from .runtime import Runtime
from .tidy import tidy_message

try:
    from nonebot.adapters.onebot.v11 import Bot as OBBot
    from nonebot.adapters.onebot.v11 import GroupMessageEvent as OBGroupEvent
    from nonebot.adapters.onebot.v11 import MessageEvent as OBMessageEvent
except ImportError:  # pragma: no cover
    OBBot = OBGroupEvent = OBMessageEvent = None  # type: ignore[assignment, misc]

RELEASE_KEY = "cardguard.gate.release"
VIP_ROLES = frozenset({"owner", "admin"})
NOTE_PERIOD = 600.0
SKIP_PERIOD = 60.0
SWEEP_PERIOD = 600.0


class Intake:
    """事件预处理的状态：排队闸门和“只记一次”的日志。"""

    def __init__(self, runtime: Runtime, gate: GroupGate | None = None) -> None:
        self.runtime = runtime
        self.gate = gate or GroupGate()
        self.notes = QuietLog(NOTE_PERIOD)
        self.skips = QuietLog(SKIP_PERIOD)
        self._swept = runtime.now()

    async def admit(self, bot: Bot, event: Event, state: T_State) -> None:
        """整理消息并排队；该跳过时抛出 `IgnoredException`。"""
        if event.get_type() != "message":
            return
        self._sweep()
        if OBBot is not None and isinstance(bot, OBBot):
            if not isinstance(event, OBMessageEvent):
                self._note("收到没有消息内容的消息事件（OneBot 实现的问题），已跳过")
                raise IgnoredException("消息事件格式不对")
            self._tidy(event)
        key, vip = lane_of(bot, event)
        release = await self.gate.enter(key, vip=vip)
        if release is None:
            self._skipped(key)
            raise IgnoredException("这个群的消息太多，暂时跳过")
        state[RELEASE_KEY] = release

    def _sweep(self) -> None:
        """每 10 分钟清掉早已安静的群的发言记录，内存不随见过的群和人无限增长。"""
        now = self.runtime.now()
        if now - self._swept >= SWEEP_PERIOD:
            self._swept = now
            self.runtime.budget.forget_idle(now)

    @staticmethod
    def finish(state: T_State) -> None:
        """这条消息处理完了：归还名额。"""
        release: Release | None = state.pop(RELEASE_KEY, None)
        if release is not None:
            release()

    def _tidy(self, event: Any) -> None:
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
        vip = vip or getattr(event.sender, "role", None) in VIP_ROLES
        return str(event.group_id), vip
    return f"user:{user}", vip


def install(intake: Intake) -> None:
    """注册 NoneBot 的事件预处理和后处理。"""

    @event_preprocessor
    async def _admit(bot: Bot, event: Event, state: T_State) -> None:
        await intake.admit(bot, event, state)

    @event_postprocessor
    async def _finish(state: T_State) -> None:
        intake.finish(state)

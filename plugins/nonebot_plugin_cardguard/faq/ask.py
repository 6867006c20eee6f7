"""点名提问：/问、@机器人、私聊；/帮助；回一个数字选“你是不是想问”里的一条。

点名的问题总会回答（预算允许时）：同一个人换个问法马上再问也答；只有一模一样的话在
CARDGUARD_USER_COOLDOWN 秒内再问一遍才不理。真在刷屏的人（一分钟问出 4 个回答以上）
只收到一句“慢一点”，一分钟最多一次。
"""

from __future__ import annotations

import re

from cardguard.knowledge import Entry
from cardguard.matching import prepare
from cardguard.pacing import Cooldown

from ..app import outbox, router, runtime
from ..router import Job
from ..view import Msg
from . import state
from .render import (
    HELP_TEXT,
    SLOW_DOWN_TEXT,
    UNKNOWN_TEXT,
    answer_segments,
    answer_text,
    suggestions_text,
)
from .state import Answered, Choice, clock

_CHOICE_RE = re.compile(r"^\s*(?:第\s*)?([1-9])\s*(?:个|条|[.。、)）])?\s*$")


@router.command("帮助", "help")
async def _help(msg: Msg) -> None:
    await send_help(msg)


@router.command("问", "ask")
async def _ask(msg: Msg) -> None:
    assert msg.command is not None
    await answer_explicit(msg, msg.command.arg)


@router.route("mention", order=20)
def mention(msg: Msg) -> Job | None:
    """@机器人（或私聊）：点名提问。"""
    if not msg.to_me:
        return None
    return lambda: answer_explicit(msg, msg.text)


@router.route("choice", order=6)
def choice(msg: Msg) -> Job | None:
    """刚收到“你是不是想问”的人回了一个数字：给他那一条的回答。"""
    match = _CHOICE_RE.match(msg.text) if len(msg.text) <= 8 else None
    if match is None:
        return None
    offered = state.choices.peek(msg.lane, msg.user, clock())
    number = int(match.group(1))
    if offered is None or number > len(offered.entry_ids):
        return None
    return lambda: answer_choice(msg, offered, number)


async def send_help(msg: Msg) -> None:
    """/帮助（或空的 @）：每人 5 分钟最多一次。"""
    await send_once(msg, HELP_TEXT, state.help_cooldown)


async def send_once(msg: Msg, text: str, cooldown: Cooldown) -> None:
    """这个人在冷却期内只收到一次这句话；没发出去（预算、失败）就不算数。"""
    key = (msg.lane, msg.user)
    if cooldown.hit(key, clock()) and await outbox.send(msg, text, now=clock()) is None:
        cooldown.reset(key)


async def answer_explicit(msg: Msg, question: str) -> None:
    """回答点名的问题：答中就答；没把握给编号的建议；都没有就说不会。"""
    if msg.group is not None and not msg.settings.enabled:
        return
    question = question.strip()
    if not question:
        await send_help(msg)
        return
    now = clock()
    repeat = (msg.lane, msg.user, prepare(question))
    if not state.same_question.hit(repeat, now):
        return  # 一模一样的话刚问过
    if not msg.manager and not state.asks.try_take((msg.lane, msg.user), now):
        await slow_down(msg)
        return
    result = runtime.matcher.ask(question, scope=msg.group)
    if result.entry is not None:
        state.answer_cooldown.hit((msg.group, result.entry.id), now)
        if not await send_answer(msg, result.entry, question):
            state.same_question.reset(repeat)
        return
    runtime.record("unanswered", msg.group, question)
    entries = [e for e in (runtime.knowledge.get(i) for i in result.suggestions) if e is not None]
    if not entries:
        await outbox.send(msg, UNKNOWN_TEXT, now=now)
        return
    if await outbox.send(msg, suggestions_text(entries), now=now) is not None:
        ids = tuple(e.id for e in entries)
        state.choices.offer(msg.lane, msg.user, Choice(ids, question, now))


async def slow_down(msg: Msg) -> None:
    """刷屏的人：一分钟最多一句“慢一点”。"""
    await send_once(msg, SLOW_DOWN_TEXT, state.slow_down)


async def answer_choice(msg: Msg, offered: Choice, number: int) -> None:
    """按编号回答，并把他原来的问法记成这条的候选问法（群管理 /faq learn 审核后才生效）。"""
    state.choices.take(msg.lane, msg.user)
    entry = runtime.knowledge.get(offered.entry_ids[number - 1])
    if entry is None:
        return
    if await send_answer(msg, entry, offered.question):
        await runtime.learn(msg.group, msg.user, offered.question, entry)


async def send_answer(msg: Msg, entry: Entry, question: str) -> bool:
    """发一条回答（带本地图片），记统计，记下它以便群管理回复“答错了”。"""
    segments = answer_segments(msg, answer_text(entry), runtime.store.files_dir)
    sent = await outbox.send(msg, segments, now=clock())
    if sent is None:
        return False
    runtime.record("answered", msg.group, entry.id)
    state.answered.remember(sent, msg.group, Answered(msg.group, entry.id, question))
    return True

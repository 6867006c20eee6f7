"""发消息的唯一出口：只用消息段、经每个群的发言预算、失败时退回名额。

QQ 风控会封话多的号，所以每个群每分钟最多发 `CARDGUARD_GROUP_BUDGET` 条，超了就不发（不排队）。
群友能招来的回复（回答、帮助、拒绝、建议）拿名额时给提醒留出最后几条：无论群友怎么刷，
卡盟链接的提醒总还发得出去。
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from nonebot.adapters import Message, MessageSegment
from nonebot.log import logger

from cardguard.pacing import Cooldown, QuietLog, SendBudget

from .view import Msg

Kind = Literal["warning", "reply"]
T = TypeVar("T")
WINDOW = 60.0
REFUSAL_COOLDOWN = 60.0
REMEMBERED = 1_000  # 记住最近发出的这么多条文字的指纹：群友原样转贴时机器人不再接话


@dataclass(frozen=True)
class Sent:
    """一条已发出的消息；`message_id` 在平台返回时才有。"""

    message_id: int | None


def warning_reserve(limit: int) -> int:
    """每分钟的名额里留几条只给提醒：10 条留 3 条；只有 1 条时留不出来。"""
    return min(3, max(0, limit - 1), max(1, limit // 3))


class Outbox:
    """每个群（私聊按人）一个滑动窗口的发言预算，以及“预算用完丢了几条”的日志。"""

    def __init__(self, limit: int) -> None:
        self.budget = SendBudget(limit, WINDOW)
        self.reserve = warning_reserve(limit)
        self._dropped = QuietLog(WINDOW)
        self._refusals = Cooldown(REFUSAL_COOLDOWN)
        self._said: OrderedDict[str, None] = OrderedDict()

    async def send(
        self,
        msg: Msg,
        content: str | Iterable[MessageSegment],
        *,
        kind: Kind = "reply",
        quote: bool = True,
        now: float,
    ) -> Sent | None:
        """回复 `msg` 所在的群或私聊。文字只会变成文本段（`[CQ:...]` 原样显示）；
        预算不够就不发。发出返回 `Sent`，没发出（预算、平台失败）返回 None。"""
        key = msg.group or f"user:{msg.user}"
        if not self.budget.try_take(key, now, reserve=0 if kind == "warning" else self.reserve):
            self._log_dropped(key, now)
            return None
        message = build_message(msg, content, quote=quote)
        try:
            result = await msg.bot.send(msg.event, message)
        except Exception as exc:
            self.budget.give_back(key)
            logger.warning(f"向 {_where(msg)} 发送失败：{type(exc).__name__}")
            return None
        self._remember(message.extract_plain_text())
        return Sent(_message_id(result))

    def said(self, text: str) -> bool:
        """这段文字是不是机器人最近自己发过的（群友原样转贴机器人的提醒、回答时，不再接话）。"""
        return len(text) >= 8 and _fingerprint(text) in self._said

    def _remember(self, text: str) -> None:
        if text:
            self._said[_fingerprint(text)] = None
            while len(self._said) > REMEMBERED:
                self._said.popitem(last=False)

    async def refuse(self, msg: Msg, text: str, *, now: float) -> None:
        """一句拒绝（群友用了只有群管理能用的东西）：每人每分钟最多一句，别的都不回。"""
        key = (msg.lane, msg.user)
        if self._refusals.hit(key, now) and await self.send(msg, text, now=now) is None:
            self._refusals.reset(key)

    def remaining(self, group: str, now: float) -> int:
        """这个群这一分钟还能发几条。"""
        return self.budget.remaining(group, now)

    def _log_dropped(self, key: str, now: float) -> None:
        muted = self._dropped.tick(key, now)
        if muted is not None:
            more = f"，上次记录以来又丢弃 {muted} 条" if muted else ""
            where = "私聊" if key.startswith("user:") else f"群 {key}"
            logger.info(f"{where}这一分钟已发满 {self.budget.limit} 条，丢弃回复（不排队）{more}")

    def forget_idle(self, now: float) -> None:
        """清掉早已安静的群的记录，内存不随见过的群无限增长。"""
        self.budget.forget_idle(now)


_NUMBERED_RE = re.compile(r"(?m)^(\d{1,2}[.、)）]) ")


def build_message(
    msg: Msg, content: str | Iterable[MessageSegment], *, quote: bool = True
) -> Message:
    """回复消息：可选的引用段 + 文本段（或调用方给的消息段）。不解析任何 CQ 码。"""
    message_cls = type(msg.event.get_message())
    segment_cls: Any = message_cls.get_segment_class()
    segments = [segment_cls.text(content)] if isinstance(content, str) else list(content)
    if not hasattr(segment_cls, "reply"):
        # 终端试用：终端按空格折行，“1. ”后面一长串中文会被整段挤到下一行，编号孤零零留在上一行；
        # 去掉编号后的空格（不折行的空格在终端里也算空格）
        segments = [
            segment_cls.text(_NUMBERED_RE.sub("\\1", seg.data["text"]))
            if seg.type == "text"
            else seg
            for seg in segments
        ]
    if quote and msg.message_id is not None and hasattr(segment_cls, "reply"):
        segments.insert(0, segment_cls.reply(msg.message_id))
    return message_cls(segments)


def text_segments(msg: Msg, text: str) -> Message:
    """只有一个文本段的消息（私聊通知等不是回复的消息用）。"""
    message_cls = type(msg.event.get_message())
    return message_cls([message_cls.get_segment_class().text(text)])


def _fingerprint(text: str) -> str:
    return hashlib.sha1("".join(text.split()).encode("utf-8", "replace")).hexdigest()


def _where(msg: Msg) -> str:
    return f"群 {msg.group}" if msg.group else "私聊"


def _message_id(result: Any) -> int | None:
    if isinstance(result, dict) and isinstance(result.get("message_id"), int):
        return int(result["message_id"])
    return None


class RecentSent(Generic[T]):
    """机器人最近在群里发出的消息：消息 id →（群，它是什么），只留最近 `cap` 条。

    供群管理回复“误报”“答错了”、群友回复数字选建议时查找；只认同一个群里的回复。
    """

    def __init__(self, cap: int = 500) -> None:
        self.cap = cap
        self._items: OrderedDict[int, tuple[str | None, T]] = OrderedDict()

    def remember(self, sent: Sent | None, group: str | None, value: T) -> None:
        """记下发出的一条消息（平台给了消息 id 才记得住）。"""
        if sent is None or sent.message_id is None:
            return
        self._items[sent.message_id] = (group, value)
        while len(self._items) > self.cap:
            self._items.popitem(last=False)

    def replied(self, msg: Msg) -> T | None:
        """这条消息回复的是不是同一个群（或同一个私聊）里记下的一条；是的话返回它。"""
        for message_id in msg.reply_to:
            found = self._items.get(message_id)
            if found is not None and found[0] == msg.group:
                return found[1]
        return None

"""把不同适配器的事件变成统一的聊天上下文，把文本安全地发回去。"""

from __future__ import annotations

import sys
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nonebot.adapters import Bot, Event, Message
from nonebot.log import logger

from .runtime import Runtime

try:  # OneBot v11 是主要平台；控制台试用时也能工作
    from nonebot.adapters.onebot.v11 import GroupMessageEvent as OBGroupEvent
    from nonebot.adapters.onebot.v11 import MessageEvent as OBMessageEvent
    from nonebot.adapters.onebot.v11 import MessageSegment as OBSegment
except ImportError:  # pragma: no cover
    OBGroupEvent = OBMessageEvent = OBSegment = None  # type: ignore[assignment, misc]

ADMIN_ROLES = frozenset({"owner", "admin"})
T = TypeVar("T")


@dataclass(frozen=True)
class Chat:
    """一条消息的要点：群、人、角色、纯文本、原始段落和消息 id。"""

    group: str | None
    user: str
    role: str | None
    text: str
    segments: tuple[dict[str, Any], ...]
    message_id: int | None
    to_me: bool


def chat_of(event: Event) -> Chat:
    """从事件取出上下文；非 OneBot 事件只有纯文本。"""
    if OBMessageEvent is not None and isinstance(event, OBMessageEvent):
        group = str(event.group_id) if isinstance(event, OBGroupEvent) else None
        role = getattr(event.sender, "role", None) if group else None
        segments = tuple({"type": s.type, "data": dict(s.data)} for s in event.original_message)
        return Chat(
            group,
            str(event.user_id),
            role,
            event.get_plaintext(),
            segments,
            event.message_id,
            event.to_me,
        )
    try:
        text = event.get_plaintext()
        user, group, to_me = event.get_user_id(), _group_of(event), event.is_tome()
    except ValueError:  # 没有消息或没有发送者的“消息事件”：当成空的私聊，谁都不会理它
        return Chat(None, "", None, "", (), None, False)
    segments = ({"type": "text", "data": {"text": text}},)
    return Chat(group, user, None, text, segments, None, to_me)


def reply_id(segment: dict[str, Any]) -> int | None:
    """回复段指向的消息 id；不是回复段、或 id 不是 ASCII 数字（OneBot 实现偶尔这样）时为 None。"""
    if segment.get("type") != "reply":
        return None
    data = segment.get("data")
    raw = str(data.get("id", "") if isinstance(data, dict) else "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


def replied_to(chat: Chat) -> list[int]:
    """这条消息回复的消息 id（通常至多一个）。"""
    return [i for i in map(reply_id, chat.segments) if i is not None]


def can_manage(bot: Bot, chat: Chat) -> bool:
    """群主、群管理或机器人管理员（SUPERUSERS）。"""
    return chat.role in ADMIN_ROLES or chat.user in bot.config.superusers


class RecentSent(Generic[T]):
    """机器人最近在群里发出的消息：消息 id →（群，它是什么），只留最近 `cap` 条。

    供群管理回复“误报”“答错了”时查找；只认同一个群里的回复。
    """

    def __init__(self, cap: int = 500) -> None:
        self.cap = cap
        self._items: OrderedDict[int, tuple[str, T]] = OrderedDict()

    def remember(self, sent: Sent | None, group: str | None, value: T) -> None:
        """记下发到群里的一条消息（平台给了消息 id 才记得住）。"""
        if sent is None or sent.message_id is None or group is None:
            return
        self._items[sent.message_id] = (group, value)
        while len(self._items) > self.cap:
            self._items.popitem(last=False)

    def replied(self, chat: Chat) -> T | None:
        """这条消息回复的是不是本群里记下的一条；是的话返回它。"""
        for message_id in replied_to(chat):
            found = self._items.get(message_id)
            if found is not None and found[0] == chat.group:
                return found[1]
        return None


def _group_of(event: Event) -> str | None:
    """非 OneBot 事件的“群”：控制台的公共频道用频道 id，其他适配器看会话是否不只是这个人。"""
    console = sys.modules.get("nonebot.adapters.console.event")  # 只在控制台试用时已导入
    if console is not None and isinstance(event, console.MessageEvent):
        return None if isinstance(event, console.PrivateMessageEvent) else str(event.channel.id)
    session = event.get_session_id()
    return session if session != event.get_user_id() else None


def text_message(event: Event, text: str, *, quote: bool = True) -> Message:
    """只用文本段构造消息：用户或知识里的 `[CQ:...]` 原样显示，绝不被当成 CQ 码。"""
    if OBMessageEvent is not None and isinstance(event, OBMessageEvent):
        head = [OBSegment.reply(event.message_id)] if quote else []
        return event.message.__class__([*head, OBSegment.text(text)])
    message_cls = type(event.get_message())
    return message_cls([message_cls.get_segment_class().text(text)])  # type: ignore[attr-defined]


async def send_text(
    runtime: Runtime, bot: Bot, event: Event, text: str, *, quote: bool = True
) -> Sent | None:
    """经发言预算发送一条文本；预算用完就不发（不排队）。发出返回 `Sent`，否则 None。"""
    chat = chat_of(event)
    key = chat.group or f"user:{chat.user}"
    if not runtime.budget.try_take(key, runtime.now()):
        log_dropped(runtime, key)
        return None
    try:
        result = await bot.send(event, text_message(event, text, quote=quote))
    except Exception as exc:
        logger.warning(f"向 {key} 发送失败：{exc!r}")
        return None
    return Sent(_message_id(result))


def log_dropped(runtime: Runtime, key: str) -> None:
    """预算用完丢弃的回复：每个群每分钟只记一条日志，附上这期间丢了几条。"""
    muted = runtime.dropped.tick(key, runtime.now())
    if muted is not None:
        more = f"，上次记录以来又丢弃 {muted} 条" if muted else ""
        limit = runtime.budget.limit
        logger.info(f"{key} 这一分钟已发满 {limit} 条，丢弃回复（不排队）{more}")


@dataclass(frozen=True)
class Sent:
    """一条已发出的消息；`message_id` 在平台返回时才有。"""

    message_id: int | None


def _message_id(result: Any) -> int | None:
    if isinstance(result, dict) and isinstance(result.get("message_id"), int):
        return int(result["message_id"])
    return None

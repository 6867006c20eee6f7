"""构造 OneBot v11 测试事件。"""

from __future__ import annotations

import itertools
import time
from typing import Any, Literal

from nonebot.adapters.onebot.v11 import (
    GroupMessageEvent,
    Message,
    MessageSegment,
    PrivateMessageEvent,
)
from nonebot.adapters.onebot.v11.event import Sender

BOT_ID = "900000"
_ids = itertools.count(1000)

Role = Literal["owner", "admin", "member"]


def group_message(
    message: str | Message | MessageSegment,
    *,
    group: int = 1234567,
    user: int = 20001,
    role: Role = "member",
    to_me: bool = False,
    message_id: int | None = None,
) -> GroupMessageEvent:
    """一条群消息事件；字符串按纯文本处理（不解析 CQ 码）。"""
    if isinstance(message, str):
        message = Message(MessageSegment.text(message))
    elif isinstance(message, MessageSegment):
        message = Message(message)
    return GroupMessageEvent(
        time=int(time.time()),
        self_id=int(BOT_ID),
        post_type="message",
        sub_type="normal",
        user_id=user,
        message_type="group",
        group_id=group,
        message_id=message_id if message_id is not None else next(_ids),
        message=message,
        original_message=message.copy(),
        raw_message=str(message),
        font=0,
        sender=Sender(user_id=user, nickname=f"u{user}", role=role),
        to_me=to_me,
    )


def private_message(text: str, *, user: int = 20001) -> PrivateMessageEvent:
    """一条私聊消息事件。"""
    message = Message(MessageSegment.text(text))
    return PrivateMessageEvent(
        time=int(time.time()),
        self_id=int(BOT_ID),
        post_type="message",
        sub_type="friend",
        user_id=user,
        message_type="private",
        message_id=next(_ids),
        message=message,
        original_message=message.copy(),
        raw_message=text,
        font=0,
        sender=Sender(user_id=user, nickname=f"u{user}"),
        to_me=True,
    )


def reply_text(event: GroupMessageEvent | PrivateMessageEvent, text: str) -> Message:
    """机器人对这条消息的引用回复（文本段）。"""
    return Message([MessageSegment.reply(event.message_id), MessageSegment.text(text)])


def sent_text(message: Any) -> str:
    """取出发送内容里的全部文本。"""
    return "".join(seg.data.get("text", "") for seg in Message(message) if seg.type == "text")

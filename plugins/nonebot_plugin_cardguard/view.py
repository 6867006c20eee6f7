"""一条消息的“一个值”：进门时整理一次、读一次事件，之后每条规则、每个处理函数、每次发送都只用它。

QQ 偶尔会送来怪东西：文字里孤立的代理字符（无法编码成 UTF-8）、id 不是数字的回复段、几十万字的文字、
塞满括号的卡片、上千个消息段、一层套一层的转发。这里一律在线性时间里截断或修正，后面的代码不用个个设防。
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from nonebot.adapters import Bot, Event
from nonebot.consts import CMD_KEY, PREFIX_KEY, RAW_CMD_KEY
from nonebot.log import logger

from cardguard.pacing import QuietLog
from cardguard.settings import GroupSettings

try:  # OneBot v11 是主要平台；控制台试用时也能工作
    from nonebot.adapters.onebot.v11 import GroupMessageEvent as OBGroupEvent
    from nonebot.adapters.onebot.v11 import MessageEvent as OBMessageEvent
except ImportError:  # pragma: no cover
    OBGroupEvent = OBMessageEvent = None  # type: ignore[assignment, misc]

ADMIN_ROLES = frozenset({"owner", "admin"})
MAX_TEXT_CHARS = 20_000  # 文字：QQ 单条文字消息远小于这个数
MAX_DATA_CHARS = 40_000  # 卡片、转发等非文字段里的全部字符串加起来
MAX_SEGMENTS = 200
MAX_DEPTH = 4
MAX_ITEMS = 500  # 非文字段里的列表、字典项总数
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_PLAIN = (str, int, float, bool, type(None))
NOTE_PERIOD = 600.0
_notes = QuietLog(NOTE_PERIOD)


def _note(note: str) -> None:
    """整理时修正过的怪东西：每类 10 分钟只记一句日志（不带消息内容）。"""
    muted = _notes.tick(note, time.monotonic())
    if muted is not None:
        more = f"（10 分钟内另有 {muted} 次）" if muted else ""
        logger.info(f"遇到怪异的消息：{note}{more}；同类情况 10 分钟内只记一次")


@dataclass(frozen=True)
class Command:
    """NoneBot 认出的命令：规范名（注册时的第一个名字）、参数文字、参数里的非文字段（如图片）。"""

    name: str
    arg: str
    extras: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Msg:
    """一条消息的全部要点。便宜的字段读事件时就有；消息段整理、权限这些用到时才算（只算一次）。"""

    bot: Bot
    event: Event
    group: str | None
    user: str
    role: str | None
    text: str
    to_me: bool
    message_id: int | None
    settings: GroupSettings
    command: Command | None = None

    @cached_property
    def segments(self) -> tuple[dict[str, Any], ...]:
        """整理过的原始消息段（含 @、回复、图片、卡片），见 `tidy_segments`。"""
        original = getattr(self.event, "original_message", None) or self.event.get_message()
        segments, notes = tidy_segments(original)
        for note in notes:
            _note(note)
        return segments

    @cached_property
    def kinds(self) -> frozenset[str]:
        """消息段的种类（适配器解析过的消息段，type 一定是字符串，不用先整理）。"""
        original = getattr(self.event, "original_message", None) or self.event.get_message()
        return frozenset(segment.type for segment in original)

    @cached_property
    def superuser(self) -> bool:
        """机器人管理员（SUPERUSERS；和 NoneBot 的 SUPERUSER 权限一样，也认“适配器名:QQ号”）。"""
        superusers = self.bot.config.superusers
        if self.user in superusers:
            return True
        prefix = self.bot.adapter.get_name().split(maxsplit=1)[0].lower()
        return f"{prefix}:{self.user}" in superusers

    @property
    def manager(self) -> bool:
        """群主、群管理或机器人管理员。"""
        return self.role in ADMIN_ROLES or self.superuser

    @property
    def reply_to(self) -> tuple[int, ...]:
        """这条消息回复的消息 id（整理时已去掉 id 不是数字的回复段）。"""
        return tuple(int(s["data"]["id"]) for s in self.segments if s["type"] == "reply")

    @property
    def lane(self) -> str:
        """排队、预算用的键：群号，私聊为 user:QQ号。"""
        return self.group or f"user:{self.user}"


def read_event(event: Event) -> tuple[str | None, str, str | None, bool, int | None] | None:
    """（群，人，角色，是否 @机器人，消息 id）；不是消息事件时返回 None。"""
    if OBMessageEvent is not None and isinstance(event, OBMessageEvent):
        group = str(event.group_id) if isinstance(event, OBGroupEvent) else None
        role = getattr(event.sender, "role", None) if group else None
        return group, str(event.user_id), role, event.to_me, event.message_id
    try:
        user, to_me = event.get_user_id(), event.is_tome()
    except ValueError:
        return None
    return _other_group(event, user), user, None, to_me, None


def _other_group(event: Event, user: str) -> str | None:
    """非 OneBot 事件的“群”：控制台的公共频道用频道 id，其他适配器看会话是否不只是这个人。"""
    if type(event).__name__ == "PrivateMessageEvent":
        return None
    channel = getattr(event, "channel", None)  # 控制台：公共频道当群
    if channel is not None:
        return str(getattr(channel, "id", "console"))
    session = event.get_session_id()
    return session if session != user else None


# ---------- 整理 ----------


def clean_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """截到 `limit` 字；孤立的代理字符换成 U+FFFD（否则一编码成 UTF-8 就出错）。"""
    text = text[:limit]
    return _SURROGATE_RE.sub("\ufffd", text) if _SURROGATE_RE.search(text) else text


def tidy_segments(message: Iterable[Any]) -> tuple[tuple[dict[str, Any], ...], set[str]]:
    """把消息段整理成 {"type": str, "data": dict} 的元组，返回（消息段，做过的处理）。

    文字合计不超过 MAX_TEXT_CHARS，非文字段里的字符串合计不超过 MAX_DATA_CHARS，最多 MAX_SEGMENTS 段；
    id 不是 ASCII 数字的回复段去掉。规矩的消息段原样引用，不复制。
    """
    notes: set[str] = set()
    text_room, data_room = MAX_TEXT_CHARS, MAX_DATA_CHARS
    out: list[dict[str, Any]] = []
    for index, segment in enumerate(message):
        if index >= MAX_SEGMENTS:
            notes.add(f"消息段超过 {MAX_SEGMENTS} 个，只看前面的")
            break
        kind = segment.type if isinstance(segment.type, str) else "unknown"
        data = segment.data if isinstance(segment.data, Mapping) else {}
        if kind == "text":
            raw = data.get("text")
            text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
            if len(text) > text_room:
                notes.add(f"文字超过 {MAX_TEXT_CHARS} 字，只看前面的")
            text = clean_text(text, text_room)
            text_room -= len(text)
            out.append(segment_dict(kind, data, "text", text))
        elif kind == "reply":
            ident = str(data.get("id", "")).strip()
            if ident.isascii() and ident.isdigit():
                out.append(segment_dict(kind, data, "id", ident))
            else:
                notes.add("回复段的 id 不是数字")
        else:
            cleaned, data_room = _bounded(data, data_room, 0)
            if data_room <= 0:
                notes.add("卡片、转发里的内容太长，只看前面的")
            out.append({"type": kind, "data": cleaned if isinstance(cleaned, dict) else {}})
    return tuple(out), notes


def segment_dict(kind: str, data: Mapping[str, Any], key: str, value: str) -> dict[str, Any]:
    """文字段、回复段只留要紧的那一项；本来就只有这一项（绝大多数消息）时不复制。"""
    if type(data) is dict and len(data) == 1 and data.get(key) is value:
        return {"type": kind, "data": data}
    return {"type": kind, "data": {key: value}}


def _bounded(value: Any, room: int, depth: int) -> tuple[Any, int]:
    """把非文字段的数据截成一棵小树：字符串合计不超过 `room`，最多 MAX_DEPTH 层、MAX_ITEMS 项。"""
    if isinstance(value, str):
        return clean_text(value, max(room, 0)), room - len(value)
    if isinstance(value, _PLAIN):
        return value, room - 1
    if depth >= MAX_DEPTH or room <= 0:
        return None, room - 1
    if isinstance(value, Mapping):
        items: dict[str, Any] = {}
        for count, (key, item) in enumerate(value.items()):
            if count >= MAX_ITEMS or room <= 0:
                break
            items[clean_text(str(key), 200)], room = _bounded(item, room, depth + 1)
        return items, room
    if isinstance(value, list | tuple):
        kept: list[Any] = []
        for count, item in enumerate(value):
            if count >= MAX_ITEMS or room <= 0:
                break
            cleaned, room = _bounded(item, room, depth + 1)
            kept.append(cleaned)
        return kept, room
    return None, room - 1


def command_of(
    state: Mapping[str, Any],
    text: str,
    segments: tuple[dict[str, Any], ...],
    names: Mapping[tuple[str, ...], tuple[str, bool]],
) -> Command | None:
    """NoneBot 已经在分发前认出了命令（`TrieRule`，和 `on_command` 用的是同一棵前缀树）：
    这里只取它认出的命令名，参数从整理过的文字和消息段里取（不重新解析 CQ 码）。

    `names`：命令元组 → （规范名，是否要求命令和参数之间有空白）。
    """
    prefix = state.get(PREFIX_KEY) or {}
    found = names.get(prefix.get(CMD_KEY) or ())
    raw = prefix.get(RAW_CMD_KEY)
    if found is None or not raw:
        return None
    name, needs_space = found
    head = text.lstrip()
    if not head.startswith(raw):
        return None
    rest = head[len(raw) :]
    if needs_space and rest and not rest[0].isspace():
        return None
    extras = tuple(s for s in segments if s["type"] not in ("text", "reply", "at"))
    return Command(name, rest.strip(), extras)


def build_msg(
    bot: Bot,
    event: Event,
    settings_of: Any,
    state: Mapping[str, Any],
    commands: Mapping[tuple[str, ...], tuple[str, bool]],
) -> Msg | None:
    """读一次事件得到 `Msg`；不是消息、或是机器人自己发的，返回 None。

    `state` 里有 NoneBot 分发前认出的命令（见 `command_of`）；是我们的命令才整理消息段、取参数。
    """
    head = read_event(event)
    if head is None:
        return None
    group, user, role, to_me, message_id = head
    if user == str(bot.self_id):
        return None
    text = clean_text(event.get_plaintext())
    msg = Msg(bot, event, group, user, role, text, to_me, message_id, settings_of(group))
    prefix = state.get(PREFIX_KEY)
    if prefix and prefix.get(CMD_KEY) in commands:
        command = command_of(state, text, msg.segments, commands)
        if command is not None:
            return replace(msg, command=command)
    return msg

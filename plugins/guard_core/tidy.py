"""把怪异的消息段整理成规矩的样子，后面的插件就不用个个设防。

QQ 偶尔会送来：data 不是字典、文字不是字符串、被截断的表情留下的孤立代理字符（无法编码成
UTF-8）、id 不是数字的回复段、几十万字的文字、上千个消息段。这里一律就地修正或截断，
只花线性时间；返回做过哪些处理，供日志（每类只记一次）使用。
"""

from __future__ import annotations

import re
from collections.abc import MutableSequence
from typing import Any

MAX_TEXT_CHARS = 20_000  # 和链接识别检查的长度一致；QQ 单条文字消息远小于这个数
MAX_SEGMENTS = 200
MAX_DEPTH = 4
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """孤立的代理字符换成 U+FFFD（否则一编码成 UTF-8 就出错）。"""
    return _SURROGATE_RE.sub("\ufffd", text) if _SURROGATE_RE.search(text) else text


def _clean_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_value(v, depth + 1) for v in value]
    return value


_PLAIN_TYPES = (str, int, float, bool, type(None))


def _is_clean(data: dict[Any, Any]) -> bool:
    """data 里全是字符串键、简单值、没有孤立代理字符：不用重建（普通消息都是这样）。"""
    for key, value in data.items():
        if type(key) is not str or type(value) not in _PLAIN_TYPES:
            return False
        if (type(value) is str and _SURROGATE_RE.search(value)) or _SURROGATE_RE.search(key):
            return False
    return True


def _is_message_id(value: Any) -> bool:
    """回复段的 id 必须是 ASCII 数字（`²`、`١` 这类 isdigit() 认、int() 却不一定认的不算）。"""
    text = _as_text(value)
    return text.isascii() and text.isdigit()


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def is_tidy(message: MutableSequence[Any]) -> bool:
    """只看不改：每条消息都要过一遍，绝大多数本来就是规矩的，不必重建任何东西。"""
    if len(message) > MAX_SEGMENTS:
        return False
    room = MAX_TEXT_CHARS
    for segment in message:
        data = segment.data
        if type(data) is not dict:
            return False
        if segment.type == "text" and len(data) == 1:  # 最常见的：只有 text 的文字段
            text = data.get("text")
            if type(text) is not str or _SURROGATE_RE.search(text):
                return False
        elif _segment_is_tidy(segment.type, data):
            text = data["text"] if segment.type == "text" else ""
        else:
            return False
        room -= len(text)
        if room < 0:
            return False
    return True


def _segment_is_tidy(kind: str, data: dict[Any, Any]) -> bool:
    if not _is_clean(data):
        return False
    if kind == "text":
        return type(data.get("text")) is str
    return kind != "reply" or _is_message_id(data.get("id"))


def tidy_message(message: MutableSequence[Any]) -> set[str]:
    """就地整理一条消息（元素有 `.type` 和 `.data`），返回做过的处理。"""
    notes: set[str] = set()
    if is_tidy(message):
        return notes
    if len(message) > MAX_SEGMENTS:
        del message[MAX_SEGMENTS:]
        notes.add(f"消息段超过 {MAX_SEGMENTS} 个，只看前面的")
    room = MAX_TEXT_CHARS
    kept: list[Any] = []
    for segment in message:
        if not isinstance(segment.data, dict):
            segment.data = {}
            notes.add("消息段的 data 不是字典")
        if segment.type == "reply" and not _is_message_id(segment.data.get("id")):
            notes.add("回复段的 id 不是数字")
            continue
        if not _is_clean(segment.data):
            segment.data = _clean_value(segment.data)
        if segment.type == "text":
            room = _fit_text(segment.data, room, notes)
        kept.append(segment)
    if len(kept) != len(message):
        message[:] = kept
    return notes


def _fit_text(data: dict[str, Any], room: int, notes: set[str]) -> int:
    """文字段的 text 变成字符串、截到剩下的字数以内；返回还剩多少字。"""
    raw = data.get("text")
    text = _as_text(raw)
    if len(text) > room:
        text = text[:room]
        notes.add(f"文字超过 {MAX_TEXT_CHARS} 字，只看前面的")
    if text is not raw:
        data["text"] = text
    return room - len(text)

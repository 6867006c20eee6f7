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


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def tidy_message(message: MutableSequence[Any]) -> set[str]:
    """就地整理一条消息（元素有 `.type` 和 `.data`），返回做过的处理。"""
    notes: set[str] = set()
    if len(message) > MAX_SEGMENTS:
        del message[MAX_SEGMENTS:]
        notes.add(f"消息段超过 {MAX_SEGMENTS} 个，只看前面的")
    room = MAX_TEXT_CHARS
    kept: list[Any] = []
    for segment in message:
        if not isinstance(segment.data, dict):
            segment.data = {}
            notes.add("消息段的 data 不是字典")
        if segment.type == "reply" and not _as_text(segment.data.get("id")).isdigit():
            notes.add("回复段的 id 不是数字")
            continue
        segment.data = _clean_value(segment.data)
        if segment.type == "text":
            text = _as_text(segment.data.get("text"))
            if len(text) > room:
                text = text[:room]
                notes.add(f"文字超过 {MAX_TEXT_CHARS} 字，只看前面的")
            room -= len(text)
            segment.data["text"] = text
        kept.append(segment)
    if len(kept) != len(message):
        message[:] = kept
    return notes

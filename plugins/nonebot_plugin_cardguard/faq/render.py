"""回答、帮助、建议的文字（都以纯文本或本地图片段发出）。"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nonebot.adapters import MessageSegment

from cardguard.knowledge import Entry
from cardguard.store import image_file, split_answer

from ..view import Msg

MAX_ANSWER_CHARS = 600

HELP_TEXT = (
    "我是卡盟安全助手，专门回答发卡网、卡盟、自助下单平台的安全问题，"
    "也会提醒群里可疑的卡盟链接。\n"
    "· @我 + 问题，或发「/问 问题」：例如 /问 付了钱不发货怎么办\n"
    "· 群里有人问到相关问题时，我有把握才会主动回答\n"
    "· /帮助：看这段说明\n"
    "· 群管理：/faq、/link、/guard 管理问答和链接识别（发 /faq 看用法）\n"
    "被骗了先报警 110，反诈咨询 96110。"
)
UNKNOWN_TEXT = "这个我还不会回答。换个说法试试，或发 /帮助 看看我能回答什么。"
SLOW_DOWN_TEXT = "问得太快啦，慢一点，过一会儿再问我。"


def answer_text(entry: Entry) -> str:
    """答中时的回复：答案正文（过长截断）。"""
    answer = entry.answer.strip()
    if len(answer) > MAX_ANSWER_CHARS:
        answer = answer[: MAX_ANSWER_CHARS - 1] + "…"
    return answer


def suggestions_text(entries: Sequence[Entry]) -> str:
    """没把握时：最多 3 个编号的“你是不是想问”，回一个数字就能看答案。"""
    lines = ["没太看懂，你是不是想问："]
    lines += [f"{number}. {entry.question}" for number, entry in enumerate(entries, 1)]
    lines.append("回复数字（比如 1）就能看到回答。")
    return "\n".join(lines)


def answer_segments(msg: Msg, text: str, files_dir: Path | None) -> list[MessageSegment]:
    """答案的消息段：文字都是文本段；只有机器人自己存下的本地图片（[图片:名字]）变成图片段。"""
    segment_cls: Any = type(msg.event.get_message()).get_segment_class()
    segments: list[MessageSegment] = []
    for kind, value in split_answer(text):
        path = image_file(files_dir, value) if kind == "image" and files_dir else None
        if path is not None and hasattr(segment_cls, "image"):
            segments.append(segment_cls.image(path))
        elif kind == "image":
            segments.append(segment_cls.text("[图片已丢失]"))
        elif value.strip():
            segments.append(segment_cls.text(value))
    return segments

"""命令参数的拆分：子命令、编号、页码、问题与答案。"""

from __future__ import annotations

import re

_HEAD_RE = re.compile(r"(\S+)\s*(.*)", re.DOTALL)
# 末尾的“空白 + 1~4 位数字”：用 search，每个位置只看几个字符，长文本上也是线性的
# （原来的 `^(.*?)\s+(\d{1,4})$` 在一长串空白上是平方级）。
_PAGE_RE = re.compile(r"\s(\d{1,4})$")
MAX_NUMBER_DIGITS = 9
SEPARATORS = ("|", "｜")


def split_head(text: str) -> tuple[str, str]:
    """第一个词和其余部分（其余部分保留换行）。"""
    match = _HEAD_RE.match(text.strip())
    return (match.group(1), match.group(2).strip()) if match else ("", "")


def split_page(text: str) -> tuple[str, int]:
    """末尾的数字当页码：`退款 2` → (`退款`, 2)；只有一个数字时它是页码。"""
    text = text.strip()
    if text.isdecimal() and len(text) <= 4:
        return "", int(text)
    match = _PAGE_RE.search(text)
    return (text[: match.start()].strip(), int(match.group(1))) if match else (text, 1)


def split_question_answer(text: str) -> tuple[str, str]:
    """`问题 | 答案`，或第一行是问题、后面几行是答案。"""
    first, _, rest = text.strip().partition("\n")
    for sep in SEPARATORS:
        if sep in first:
            question, _, inline = first.partition(sep)
            answer = "\n".join(p for p in (inline.strip(), rest.strip()) if p)
            return question.strip(), answer
    return first.strip(), rest.strip()


def parse_number(text: str) -> int | None:
    """`3` 或 `#3` → 3。"""
    text = text.strip().lstrip("#＃")
    return int(text) if text.isdecimal() and len(text) <= MAX_NUMBER_DIGITS else None


def take_flag(text: str, flags: tuple[str, ...]) -> tuple[str, bool]:
    """去掉开头的开关词（如 -g），返回（剩余文字，是否有这个开关）。"""
    head, rest = split_head(text)
    if head.lower() in flags:
        return rest, True
    return text.strip(), False

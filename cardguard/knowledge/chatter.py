"""knowledge/chatter.yaml：机器人不该接话的群聊例句，用来学“什么不是我们的话题”。

格式：一个映射，键 `chatter` 下是一串字符串。文件可以没有（那时话题判断只用词表）。
群管理发现机器人误接了话，可以把那句话加进来。
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import KnowledgeError, Problem
from .yamlio import load_yaml, locate

CHATTER_FILE = "chatter.yaml"
MAX_LINE_CHARS = 300


def load_chatter(directory: Path, problems: list[Problem]) -> tuple[str, ...]:
    """读 chatter.yaml；有问题时记进 `problems`（文件:行号），返回空。"""
    path = directory / CHATTER_FILE
    if not path.exists():
        return ()
    try:
        data = load_yaml(path)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
        return ()
    return parse_chatter(data, path, problems)


def parse_chatter(data: Any, path: Path, problems: list[Problem]) -> tuple[str, ...]:
    """校验内容：顶层是带 `chatter` 列表的映射，每一项是不太长的非空文字。"""
    lines = data.get("chatter") if isinstance(data, dict) else None
    if not isinstance(lines, list):
        problems.append(Problem(str(path), 1, None, "顶层必须是映射，键 chatter 下是一串文字"))
        return ()
    good: list[str] = []
    for index, line in enumerate(lines):
        reason = _problem_with(line)
        if reason:
            problems.append(Problem(str(path), locate(path, ["chatter", index]), None, reason))
        else:
            good.append(str(line))
    return tuple(good)


def _problem_with(line: Any) -> str | None:
    if isinstance(line, bool) or not isinstance(line, str | int | float):
        return f"第 {line!r} 项不是一句文字"
    text = str(line).strip()
    if not text:
        return "有一项是空的"
    if len(text) > MAX_LINE_CHARS:
        return f"有一项太长（{len(text)} 字，最多 {MAX_LINE_CHARS}）"
    return None

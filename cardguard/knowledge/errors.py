"""知识库错误：每条错误都能指出文件、行号和条目。"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """一条知识库问题：哪个文件、第几行、哪个条目、错在哪里。"""

    file: str
    line: int | None
    entry: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        entry = f" [{self.entry}]" if self.entry else ""
        return f"{where}{entry}: {self.message}"


class KnowledgeError(Exception):
    """知识库无法加载；`problems` 列出每一处问题，每条一行。"""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def describe_error(err: Any) -> str:
    """把 pydantic 的一条错误说成一句中文。"""
    where = ".".join(str(p) for p in err["loc"]) or "条目"
    kind = err["type"]
    if kind == "missing":
        return f"缺少字段 {where}"
    if kind == "extra_forbidden":
        return f"未知字段 {where}（拼写错了吗？）"
    if kind in ("string_too_long", "too_long"):
        return f"{where} 太长：{err['msg']}"
    if kind in ("string_too_short", "too_short"):
        return f"{where} 太短或为空"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}：{msg}"

"""知识库错误：每条错误都能指出文件、行号和条目。"""

from __future__ import annotations

from dataclasses import dataclass


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

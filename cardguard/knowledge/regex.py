"""链接规则里的正则：从派生数据缓存读回时不马上编译。

一百多条正则逐条 `re.compile` 要几十毫秒，是重启时间里最大的一块之一；`pickle` 存 `re.Pattern`
时读回来就要重新编译。`Regex` 只存写法和标志，第一次用到（后台预热或第一条带链接的消息）才编译。
从 YAML 加载时用 `Regex.now` 立刻编译一次：写错的正则照样在加载时报出文件和行号。
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any


class Regex:
    """用到时才编译的正则，方法和 `re.Pattern` 的同名方法一样。"""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @classmethod
    def now(cls, pattern: str, flags: int = 0) -> Regex:
        """立刻编译（写错了在这里抛 `re.error`）。"""
        regex = cls(pattern, flags)
        regex._compiled = re.compile(pattern, flags)
        return regex

    @property
    def compiled(self) -> re.Pattern[str]:
        """编译好的正则（第一次访问时编译；两个线程同时编译也只是多编译一次）。"""
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.pattern, self.flags)
        return compiled

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string)

    def findall(self, string: str) -> list[Any]:
        return self.compiled.findall(string)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str) -> str:
        return self.compiled.sub(repl, string)

    def __getstate__(self) -> tuple[str, int]:
        return self.pattern, self.flags

    def __setstate__(self, state: tuple[str, int]) -> None:
        self.pattern, self.flags = state
        self._compiled = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Regex):
            return NotImplemented
        return (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"Regex({self.pattern!r}, {self.flags!r})"

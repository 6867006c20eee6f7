"""给管理员看的列表：分页、单行截断、模糊搜索。"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz

from ..knowledge import Entry
from ..text import normalize

T = TypeVar("T")
PAGE_SIZE = 10
SEARCH_MIN = 60.0


@dataclass(frozen=True)
class Page(Generic[T]):
    """一页：本页条目、页码（从 1 起）、总页数、总数。"""

    items: tuple[T, ...]
    number: int
    pages: int
    total: int


def paginate(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """取第 `number` 页（越界时取最近的一页）。"""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return Page(tuple(items[start : start + size]), number, pages, len(items))


def clip(text: str, limit: int = 40) -> str:
    """压成一行并截断到 `limit` 个字。"""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def search_entries(entries: Sequence[Entry], words: str) -> list[Entry]:
    """模糊搜索：id、问法、答案里包含关键词的排前面，其次是问法相似的。"""
    query = normalize(words)
    if not query:
        return []
    scored: list[tuple[float, int, Entry]] = []
    for order, entry in enumerate(entries):
        score = _score(entry, query)
        if score >= SEARCH_MIN:
            scored.append((score, order, entry))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [entry for _, _, entry in scored]


def _score(entry: Entry, query: str) -> float:
    phrasings = [normalize(p) for p in entry.phrasings]
    if query == entry.id or any(query in p for p in phrasings):
        return 300.0
    if query in normalize(entry.answer):
        return 200.0
    return max((fuzz.partial_ratio(query, p) for p in phrasings if p), default=0.0)

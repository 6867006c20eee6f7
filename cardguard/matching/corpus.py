"""语料与打分：索引版和穷举参考版共用同一个打分函数。"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from ..knowledge import Entry
from ..text import normalize_query
from .features import canonical, grams

# 打分权重（在 tests/data 的开发集上调定，留出集上复核）。
W_DICE = 0.30
W_COVER = 0.30
W_FUZZ = 0.25
W_PARTIAL = 0.15
KEYWORD_BONUS = 0.12
KEYWORD_CAP = 0.24


def prepare(text: str) -> str:
    """问题或问法的完整预处理：归一化、去口头语、统一口语写法。"""
    return canonical(normalize_query(text))


@dataclass(frozen=True, slots=True)
class Phrase:
    """一条问法：预处理后的文本和它的特征集合。"""

    entry: int
    text: str
    grams: frozenset[str]
    weight: float


@dataclass(frozen=True, slots=True)
class Query:
    """一次提问：预处理后的文本、特征和特征权重和。"""

    text: str
    grams: frozenset[str]
    weight: float


class Corpus:
    """条目的问法、关键词与特征权重（IDF）。"""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.scopes: list[str | None] = [e.scope for e in self.entries]
        texts = [self._texts(e) for e in self.entries]
        self.keywords: list[tuple[str, ...]] = [self._keywords(e) for e in self.entries]
        self.entry_grams: list[frozenset[str]] = [
            frozenset(g for t in (*ts, *ks) for g in grams(t))
            for ts, ks in zip(texts, self.keywords, strict=True)
        ]
        self.idf = self._idf()
        self.unknown_idf = math.log(len(self.entries) + 2.0)
        self.by_entry: list[list[Phrase]] = [
            [self._phrase(i, t) for t in ts] for i, ts in enumerate(texts)
        ]

    @staticmethod
    def _texts(entry: Entry) -> list[str]:
        return list(dict.fromkeys(t for t in map(prepare, entry.phrasings) if t))

    @staticmethod
    def _keywords(entry: Entry) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for k in map(prepare, entry.keywords) if k))

    def _phrase(self, index: int, text: str) -> Phrase:
        gram_set = frozenset(grams(text))
        return Phrase(index, text, gram_set, self.weight(gram_set))

    def _idf(self) -> dict[str, float]:
        df: dict[str, int] = {}
        for union in self.entry_grams:
            for gram in union:
                df[gram] = df.get(gram, 0) + 1
        n = len(self.entry_grams)
        return {g: math.log((n + 1.0) / (d + 0.5)) + 0.1 for g, d in df.items()}

    def weight(self, gram_set: frozenset[str]) -> float:
        """一组特征的 IDF 权重和；语料里没有的特征按最稀有计。"""
        idf, unknown = self.idf, self.unknown_idf
        return sum(idf.get(g, unknown) for g in gram_set)

    def query(self, text: str) -> Query:
        """把原始问题变成 `Query`。"""
        prepared = prepare(text)
        gram_set = frozenset(grams(prepared))
        return Query(prepared, gram_set, self.weight(gram_set))

    def score(self, query: Query, index: int) -> float:
        """条目对问题的置信度，0–100。"""
        if not query.text or query.weight <= 0:
            return 0.0
        common = query.grams & self.entry_grams[index]
        cover = self.weight(common) / query.weight if common else 0.0
        best = max((self._phrase_score(query, p) for p in self.by_entry[index]), default=0.0)
        bonus = min(KEYWORD_CAP, KEYWORD_BONUS * self._keyword_hits(query.text, index))
        return round(min(1.0, best + W_COVER * cover + bonus) * 100, 1)

    def _phrase_score(self, query: Query, phrase: Phrase) -> float:
        shared = query.grams & phrase.grams
        dice = 0.0
        if shared:
            w_shared = self.weight(shared)
            dice = 2 * w_shared / (query.weight + phrase.weight)
        ratio = fuzz.ratio(query.text, phrase.text) / 100
        partial = fuzz.partial_ratio(phrase.text, query.text) / 100 if len(phrase.text) > 3 else 0
        return W_DICE * dice + W_FUZZ * ratio + W_PARTIAL * partial

    def _keyword_hits(self, text: str, index: int) -> int:
        return sum(1 for k in self.keywords[index] if k in text)


def rank_exhaustive(
    corpus: Corpus, query: Query, limit: int = 5, scope: str | None = None
) -> list[tuple[int, float]]:
    """参考实现：给每个本群可见的条目打分后排序（慢但直观，用来检验索引）。"""
    visible = (i for i, s in enumerate(corpus.scopes) if s is None or s == scope)
    scored = [(i, corpus.score(query, i)) for i in visible]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]

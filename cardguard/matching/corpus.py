"""语料与打分：索引版和穷举参考版共用同一个打分函数。

每个条目把全部问法、关键词合成一个 TF-IDF 向量（中文单字、双字组、英文词、概念特征），
问题向量与之求余弦；再加上与最像的一条问法的 rapidfuzz 相似度。
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..knowledge import Entry
from ..text import normalize_query
from .features import canonical, features

# 打分权重（在 tests/data 的开发集上调定，留出集上复核）。
W_COSINE = 0.80
W_RATIO = 0.20
KEYWORD_REPEAT = 2
# 置信度刻度：余弦和相似度的加权和乘以这个系数再封顶 100。
SCALE = 200.0


def prepare(text: str) -> str:
    """问题或问法的完整预处理：归一化、去口头语、统一口语写法。"""
    return canonical(normalize_query(text))


@dataclass(frozen=True, slots=True)
class Query:
    """一次提问：预处理后的文本和归一化的特征向量。"""

    text: str
    vector: dict[str, float]


class Corpus:
    """条目的问法与 TF-IDF 向量。"""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.scopes: list[str | None] = [e.scope for e in self.entries]
        self.texts: list[list[str]] = [self._texts(e) for e in self.entries]
        counts = [self._counts(i, e) for i, e in enumerate(self.entries)]
        self.idf = self._idf(counts)
        self.unknown_idf = math.log(len(self.entries) + 2.0)
        self.vectors: list[dict[str, float]] = [self._vector(c) for c in counts]

    @staticmethod
    def _texts(entry: Entry) -> list[str]:
        return list(dict.fromkeys(t for t in map(prepare, entry.phrasings) if t))

    def _counts(self, index: int, entry: Entry) -> Counter[str]:
        counts: Counter[str] = Counter()
        for text in self.texts[index]:
            counts.update(features(text))
        for keyword in entry.keywords:
            for _ in range(KEYWORD_REPEAT):
                counts.update(features(prepare(keyword)))
        return counts

    @staticmethod
    def _idf(counts: Iterable[Counter[str]]) -> dict[str, float]:
        df: Counter[str] = Counter()
        n = 0
        for c in counts:
            df.update(c.keys())
            n += 1
        return {f: math.log((n + 1.0) / (d + 0.5)) for f, d in df.items()}

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        idf, unknown = self.idf, self.unknown_idf
        raw = {f: (1.0 + math.log(n)) * idf.get(f, unknown) for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
        return {f: v / norm for f, v in raw.items() if v > 0}

    def query(self, text: str) -> Query:
        """把原始问题变成 `Query`。"""
        prepared = prepare(text)
        return Query(prepared, self._vector(Counter(features(prepared))))

    def cosine(self, query: Query, index: int) -> float:
        """问题向量与条目向量的余弦。"""
        vector = self.vectors[index]
        return sum(w * vector.get(f, 0.0) for f, w in query.vector.items())

    def ratio(self, query: Query, index: int) -> float:
        """与该条目最像的一条问法的相似度（0–1）。"""
        best = process.extractOne(query.text, self.texts[index], scorer=fuzz.ratio)
        return best[1] / 100 if best else 0.0

    def score(self, query: Query, index: int, cosine: float | None = None) -> float:
        """条目对问题的置信度，0–100。"""
        if not query.text or not query.vector:
            return 0.0
        cos = self.cosine(query, index) if cosine is None else cosine
        raw = W_COSINE * cos + W_RATIO * self.ratio(query, index)
        return round(min(100.0, raw * SCALE), 1)


def rank_exhaustive(
    corpus: Corpus, query: Query, limit: int = 5, scope: str | None = None
) -> list[tuple[int, float]]:
    """参考实现：给每个本群可见的条目打分后排序（慢但直观，用来检验索引）。"""
    visible = (i for i, s in enumerate(corpus.scopes) if s is None or s == scope)
    scored = [(i, corpus.score(query, i)) for i in visible]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]

"""倒排索引：按特征的 TF-IDF 权重累加出少量候选，再用完整打分重排，耗时与知识量近似无关。"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from ..knowledge import Entry
from .corpus import Corpus, Query

CANDIDATES = 12
# 出现在太多条目里的特征（如“怎么”）不用来挑候选，只参与打分。
MAX_POSTING_SHARE = 0.02
MIN_POSTING_CAP = 256


class Index:
    """特征 → (条目, 权重) 的倒排表，加上候选重排。"""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.corpus = Corpus(entries)
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, vector in enumerate(self.corpus.vectors):
            for feature, weight in vector.items():
                postings.setdefault(feature, []).append((index, weight))
        self.postings = postings
        self.cap = max(MIN_POSTING_CAP, int(len(self.corpus.entries) * MAX_POSTING_SHARE))

    def candidates(self, query: Query, scope: str | None = None) -> list[tuple[int, float]]:
        """按稀有特征累加部分余弦，取前 `CANDIDATES` 个本群可见的条目。"""
        acc: dict[int, float] = {}
        scopes = self.corpus.scopes
        for feature, q_weight in query.vector.items():
            posting = self.postings.get(feature)
            if posting is None or len(posting) > self.cap:
                continue
            for index, weight in posting:
                if scopes[index] is None or scopes[index] == scope:
                    acc[index] = acc.get(index, 0.0) + q_weight * weight
        top = heapq.nlargest(CANDIDATES, acc.items(), key=lambda item: item[1])
        return top

    def rank(
        self, query: Query, limit: int = 5, scope: str | None = None
    ) -> list[tuple[int, float]]:
        """候选重排后的前 `limit` 个（条目下标，置信度）。"""
        score = self.corpus.score
        scored = [(i, score(query, i)) for i, _ in self.candidates(query, scope)]
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]

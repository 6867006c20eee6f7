"""倒排索引：先用稀有特征挑出少量候选，再用完整打分重排，耗时与知识量近似无关。"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from ..knowledge import Entry
from .corpus import Corpus, Query

CANDIDATES = 40
# 出现在太多条目里的特征（如“怎么”）不用来挑候选，只参与打分。
MAX_POSTING_SHARE = 0.02
MIN_POSTING_CAP = 64


class Index:
    """特征 → 条目的倒排表，加上候选重排。"""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.corpus = Corpus(entries)
        postings: dict[str, list[int]] = {}
        for index, gram_set in enumerate(self.corpus.entry_grams):
            for gram in gram_set:
                postings.setdefault(gram, []).append(index)
        self.postings = postings
        self.cap = max(MIN_POSTING_CAP, int(len(self.corpus.entries) * MAX_POSTING_SHARE))

    def candidates(self, query: Query, scope: str | None = None) -> list[int]:
        """按稀有特征的 IDF 累加，取前 `CANDIDATES` 个本群可见的条目。"""
        acc: dict[int, float] = {}
        idf, scopes = self.corpus.idf, self.corpus.scopes
        for gram in query.grams:
            posting = self.postings.get(gram)
            if posting is None or len(posting) > self.cap:
                continue
            weight = idf[gram]
            for index in posting:
                if scopes[index] is None or scopes[index] == scope:
                    acc[index] = acc.get(index, 0.0) + weight
        if len(acc) <= CANDIDATES:
            return list(acc)
        return heapq.nlargest(CANDIDATES, acc, key=acc.__getitem__)

    def rank(self, query: Query, limit: int = 5, scope: str | None = None) -> list[tuple[int, float]]:
        """候选重排后的前 `limit` 个（条目下标，置信度）。"""
        score = self.corpus.score
        scored = [(i, score(query, i)) for i in self.candidates(query, scope)]
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]

"""倒排索引：按特征的 TF-IDF 权重累加出少量候选，再用完整打分重排，耗时与知识量近似无关。

倒排表是紧凑的（CSC）：特征 f 的条目下标与权重在
`entries[offsets[f]:offsets[f+1]]`、`weights[...]`，按条目下标升序。
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise

from ..knowledge import Entry
from .corpus import Corpus, CorpusData, Query

CANDIDATES = 12
# 出现在太多条目里的特征（如“怎么”）不用来挑候选，只参与打分。
MAX_POSTING_SHARE = 0.02
MIN_POSTING_CAP = 256


@dataclass(slots=True)
class Postings:
    """特征 → 含它的条目（下标与权重）。"""

    offsets: array[int]
    entries: array[int]
    weights: array[float]


def build_postings(data: CorpusData) -> Postings:
    """由条目向量（CSR）转成倒排表（CSC）：先数每个特征的条目数，再按游标逐个放入。"""
    df = Counter(data.feats)
    offsets = array("l", [0])
    offsets.extend(accumulate(df[f] for f in range(len(data.vocab))))
    cursor = offsets.tolist()
    size = len(data.feats)
    entries, weights = array("i", bytes(4 * size)), array("d", bytes(8 * size))
    feats, vector_weights = data.feats, data.weights
    for index, (start, end) in enumerate(pairwise(data.offsets)):
        for position in range(start, end):
            feature = feats[position]
            slot = cursor[feature]
            cursor[feature] = slot + 1
            entries[slot] = index
            weights[slot] = vector_weights[position]
    return Postings(offsets, entries, weights)


class Index:
    """倒排表加上候选重排。"""

    def __init__(
        self,
        entries: Sequence[Entry],
        data: CorpusData | None = None,
        postings: Postings | None = None,
    ) -> None:
        self.corpus = Corpus(entries, data)
        self.postings = postings if postings is not None else build_postings(self.corpus.data)
        self.cap = max(MIN_POSTING_CAP, int(len(self.corpus.entries) * MAX_POSTING_SHARE))
        self.scoped = sum(1 for s in self.corpus.scopes if s is not None)

    def candidates(self, query: Query, scope: str | None = None) -> list[tuple[int, float]]:
        """按稀有特征累加部分余弦，取前 `CANDIDATES` 个本群可见的条目。"""
        acc = self._accumulate(query)
        if not self.scoped:
            return heapq.nlargest(CANDIDATES, acc.items(), key=_second)
        scopes = self.corpus.scopes
        # 先多取一些，再去掉别的群的条目（群条目很少，不值得在累加时逐个判断）
        top = heapq.nlargest(CANDIDATES + self.scoped, acc.items(), key=_second)
        visible = [(i, s) for i, s in top if scopes[i] is None or scopes[i] == scope]
        return visible[:CANDIDATES]

    def _accumulate(self, query: Query) -> dict[int, float]:
        post = self.postings
        offsets, entries, weights, cap = post.offsets, post.entries, post.weights, self.cap
        acc: dict[int, float] = {}
        get = acc.get
        for feature, q_weight in query.vector.items():
            start, end = offsets[feature], offsets[feature + 1]
            if end - start > cap:
                continue
            for index, weight in zip(entries[start:end], weights[start:end], strict=True):
                acc[index] = get(index, 0.0) + q_weight * weight
        return acc

    def rank(
        self, query: Query, limit: int = 5, scope: str | None = None
    ) -> list[tuple[int, float]]:
        """候选重排后的前 `limit` 个（条目下标，置信度）。"""
        score = self.corpus.score
        scored = [(i, score(query, i)) for i, _ in self.candidates(query, scope)]
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]


def _second(item: tuple[int, float]) -> float:
    return item[1]

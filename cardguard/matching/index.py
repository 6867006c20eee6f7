"""倒排索引：按特征的 TF-IDF 权重累加出少量候选，再用完整打分重排，耗时与知识量近似无关。

倒排表是紧凑的（CSC）：特征 f 的条目下标与权重在
`entries[offsets[f]:offsets[f+1]]`、`weights[...]`，按条目下标升序。
"""

from __future__ import annotations

import hashlib
import math
import sys
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from heapq import heappop, heappush, heapreplace
from itertools import accumulate, islice, pairwise
from operator import itemgetter
from pathlib import Path
from typing import TypeGuard

from ..knowledge import Entry
from ..knowledge.cache import DerivedCache, code_version, make_key
from .corpus import Corpus, CorpusData, Query, build_corpus_data

CANDIDATES = 6
COVER_CANDIDATES = 4
COVER_MAX = 32
COVER_POSTINGS = 32
# 出现在太多条目里的特征（如“怎么”）不用来挑候选，只参与打分。
MAX_POSTING_SHARE = 0.02
MIN_POSTING_CAP = 32
_SECOND = itemgetter(1)


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
    entries, weights = array("i", [0]) * size, array("f", [0.0]) * size
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

    def __init__(self, entries: Sequence[Entry], cache_dir: Path | None = None) -> None:
        entries = tuple(entries)
        data, postings = load_or_build(entries, cache_dir)
        self.corpus = Corpus(entries, data)
        self.postings = postings
        self.cap = max(MIN_POSTING_CAP, int(len(self.corpus.entries) * MAX_POSTING_SHARE))
        self.scoped = sum(1 for s in self.corpus.scopes if s is not None)
        self.phrases = PhraseTable(self.corpus)

    def _top(
        self,
        query: Query,
        acc: dict[int, float],
        cover: dict[int, float],
        scope: str | None,
        exact: list[int],
    ) -> list[tuple[int, float]]:
        """候选（条目下标，部分余弦）：几条路合起来，只留本群可见的。

        - 部分余弦最高的 `CANDIDATES` 个（余弦那一项）；
        - 覆盖问题里稀有特征最多的 `COVER_CANDIDATES` 个，与第 `COVER_CANDIDATES` 个覆盖得
          一样多的也算上（最多 `COVER_MAX` 个）：问法多的长条目向量被摊薄、部分余弦偏低，
          但和问题几乎一样的问法会让 rapidfuzz 那一项很高（短问题常见）；
        - 有一条问法和问题（预处理后）一字不差的条目；
        - 学出来的条目模型给了加分的条目（`Query.bonus`）。
        """
        extra = self.scoped  # 群条目很少：先多取几个，再去掉别的群的
        chosen = dict(sorted(acc.items(), key=_SECOND, reverse=True)[: CANDIDATES + extra])
        for index in _most_covering(cover, COVER_CANDIDATES + extra, COVER_MAX + extra):
            chosen.setdefault(index, acc[index])
        for index in exact:
            chosen.setdefault(index, acc.get(index, 0.0))
        for index in query.bonus:  # 学出来的模型看好的条目：余弦再低也要打分
            chosen.setdefault(index, acc.get(index, 0.0))
        if not extra:
            return list(chosen.items())
        scopes = self.corpus.scopes
        return [(i, s) for i, s in chosen.items() if scopes[i] is None or scopes[i] == scope]

    def _accumulate(
        self, query: Query
    ) -> tuple[dict[int, float], dict[int, float], list[tuple[int, int, float]]]:
        """稀有特征的部分余弦与覆盖度（条目下标 → 和），以及跳过的常见特征。

        常见特征以（倒排表起点，终点，问题权重）给出，留给候选逐个二分查找；
        覆盖度只数出现在至多 `COVER_POSTINGS` 个条目里的特征（少而准，也省时间）。
        """
        post = self.postings
        offsets, entries, weights, cap = post.offsets, post.entries, post.weights, self.cap
        acc: dict[int, float] = {}
        cover: dict[int, float] = {}
        common: list[tuple[int, int, float]] = []
        get, cover_get = acc.get, cover.get
        for feature, q_weight in query.vector.items():
            start, end = offsets[feature], offsets[feature + 1]
            if end - start > cap:
                common.append((start, end, q_weight))
                continue
            pairs = zip(entries[start:end], weights[start:end], strict=True)
            if end - start > COVER_POSTINGS:
                for index, weight in pairs:
                    acc[index] = get(index, 0.0) + q_weight * weight
                continue
            for index, weight in pairs:
                acc[index] = get(index, 0.0) + q_weight * weight
                cover[index] = cover_get(index, 0.0) + q_weight
        return acc, cover, common

    def _common_part(self, common: list[tuple[int, int, float]], index: int) -> float:
        """常见特征对条目 `index` 的余弦贡献（倒排表按条目下标有序，二分查找）。"""
        entries, weights = self.postings.entries, self.postings.weights
        total = 0.0
        for start, end, q_weight in common:
            slot = bisect_left(entries, index, start, end)
            if slot < end and entries[slot] == index:
                total += q_weight * weights[slot]
        return total

    def ranking(self, query: Query, scope: str | None = None) -> LazyRanking:
        """候选按置信度从高到低逐个给出（条目下标，置信度），顺序与全部打分后排序完全一样。

        打分里最贵的是 rapidfuzz 那一项，所以按需计算：候选先按分数上界（完整余弦、
        相似度的上限，见 `Corpus.bound`）排好；只有当下一个候选的上界已经低于算好的
        最高分时，才给出这个最高分，其余的等调用方要时再算。
        调用方通常只看前一两名，多数候选的相似度就不用算了；“第一名领先多少”也常常
        只看上界就知道（`LazyRanking.upper`），不用把第二名算出来。
        """
        acc, cover, common = self._accumulate(query)
        exact = self.phrases.find(query.text)
        part = self._common_part

        def cosine_of(index: int) -> float:
            return acc.get(index, 0.0) + part(common, index)

        candidates = [index for index, _ in self._top(query, acc, cover, scope, exact)]
        return LazyRanking(query, candidates, set(exact), self.corpus, cosine_of)

    def rank(
        self, query: Query, limit: int = 5, scope: str | None = None
    ) -> list[tuple[int, float]]:
        """前 `limit` 个（条目下标，置信度），与穷举打分完全一样。

        候选的余弦 = 累加出的部分余弦 + 常见特征的贡献（在倒排表里二分查到），
        与穷举逐项求和只差浮点求和的先后顺序（远小于分数保留的 0.1）。
        """
        return list(islice(self.ranking(query, scope), limit))


# 候选在 `LazyRanking` 的堆里的三种状态，越往后越准也越贵；分数相同时先处理还只是上界的。
LOOSE, TIGHT, EXACT = 0, 1, 2


class LazyRanking:
    """按需打分的排序：逐个给出（条目下标，置信度）；`upper()` 是还没给出的候选最高可能拿的分数。

    每个候选在一个堆里，键是它目前已知的最高分：先是只看长度的上界（`Corpus.bound`），
    到了堆顶再换成看字的上界（`by_chars`），又到堆顶才真打分（rapidfuzz）；真分数到了堆顶就给出。
    堆顶永远不低于任何候选的真分数，所以给出的顺序和全部打分后排序完全一样；
    落在后面的候选一直停在上界，不用花 rapidfuzz 的时间。
    """

    def __init__(
        self,
        query: Query,
        candidates: Iterable[int],
        exact: set[int],
        corpus: Corpus,
        cosine_of: Callable[[int], float],
    ) -> None:
        """`exact`：有问法和问题一字不差的条目；`cosine_of`：条目的余弦（用索引累加好的部分算）。"""
        self.query = query
        self.exact = exact
        self.corpus = corpus
        self.cosine_of = cosine_of
        self.cosines: dict[int, float] = {}
        self.heap: list[tuple[float, int, int]] = []  # （-已知最高分，状态，条目下标）
        self.add(candidates)

    def add(self, indices: Iterable[int]) -> None:
        """再加几个候选（已经是候选的不重复加）；调用方保证它们在这个群里看得见。

        它们和还没给出的候选一起按分数排；已经给出的不会重排，所以加进来的分数可能比已经给出的高
        （用它来找“对手”的调用方要接受领先为负数）。
        """
        corpus, query, heap = self.corpus, self.query, self.heap
        for index in indices:
            if index in self.cosines:
                continue
            cosine = self.cosines[index] = self.cosine_of(index)
            heappush(heap, (-corpus.bound(query, cosine, index, index in self.exact), LOOSE, index))

    def __iter__(self) -> LazyRanking:
        return self

    def __next__(self) -> tuple[int, float]:
        heap = self.heap
        while heap:
            negative, state, index = heap[0]
            if state == EXACT:
                heappop(heap)
                return index, -negative
            self._refine_top()
        raise StopIteration

    def below(self, limit: float) -> bool:
        """还没给出的候选是不是都低于 `limit`：按需收紧堆顶的上界，最多把下一名的真分数算出来。

        调用方只想知道“有没有谁能到 `limit`”时用它（旁听：第一名不到某个分数就一定不开口），
        常常只看字的上界就能回答，省下给第一名打分的 rapidfuzz；收紧过的上界留在堆里，接着排序时照用。
        """
        heap = self.heap
        while heap and -heap[0][0] >= limit:
            if heap[0][1] == EXACT:
                return False
            self._refine_top()
        return True

    def _refine_top(self) -> None:
        """堆顶的候选换成更准的分数：只看长度的上界 → 看字的上界 → 真分数。"""
        heap, corpus, query = self.heap, self.corpus, self.query
        _, state, index = heap[0]
        cosine = self.cosines[index]
        if state == LOOSE:
            better = corpus.bound(query, cosine, index, index in self.exact, by_chars=True)
            heapreplace(heap, (-better, TIGHT, index))
        else:
            heapreplace(heap, (-corpus.score(query, index, cosine), EXACT, index))

    def cosine(self, index: int) -> float | None:
        """候选 `index` 的余弦（打分时用的那个；不是候选为 None）。"""
        return self.cosines.get(index)

    def upper(self) -> float:
        """还没给出的候选里，最高可能的分数（没有了为负无穷）。"""
        return -self.heap[0][0] if self.heap else -math.inf


def _most_covering(cover: dict[int, float], count: int, most: int) -> list[int]:
    """覆盖度最高的 `count` 个条目，加上和第 `count` 个并列的（总共不超过 `most` 个）。"""
    ranked = sorted(cover.items(), key=_SECOND, reverse=True)[:most]
    if len(ranked) <= count:
        return [i for i, _ in ranked]
    last = ranked[count - 1][1]
    return [i for n, (i, c) in enumerate(ranked) if n < count or c == last]


class PhraseTable:
    """预处理后的问法（和问题里的小问）→ 含这条问法的条目下标；按字符串哈希排好序的两个数组，比字典省内存。"""

    def __init__(self, corpus: Corpus) -> None:
        pairs = sorted(
            (hash(text), index)
            for index in range(len(corpus.entries))
            for text in corpus.similarity_texts(index)
        )
        self.corpus = corpus
        self.hashes = array("q", (h for h, _ in pairs))
        self.entries = array("i", (i for _, i in pairs))

    def find(self, text: str) -> list[int]:
        """有一条问法恰好是 `text` 的条目（升序）。"""
        code, hashes = hash(text), self.hashes
        slot = bisect_left(hashes, code)
        found = []
        while slot < len(hashes) and hashes[slot] == code:
            index = self.entries[slot]
            if text in self.corpus.similarity_texts(index):
                found.append(index)
            slot += 1
        return found


INDEX_CACHE = "index"


def load_or_build(
    entries: Sequence[Entry], cache_dir: Path | None = None
) -> tuple[CorpusData, Postings]:
    """语料数据与倒排表：`cache_dir` 里有同样条目、同样代码算出的就直接用，否则现算并存起来。

    缓存键是条目内容（每条的问法与关键词，按顺序）的摘要加代码版本，与文件和覆盖层无关：
    管理员改了条目，摘要就变，不会用到旧索引。
    """
    if cache_dir is None:
        return _build(entries)
    cache = DerivedCache(cache_dir, INDEX_CACHE)
    key = make_key(_code_version(), entries_digest(entries))
    got = cache.get(key)
    if _fits(got, len(entries)):
        return got
    built = _build(entries)
    cache.put(key, built)
    return built


def _build(entries: Sequence[Entry]) -> tuple[CorpusData, Postings]:
    data = build_corpus_data(entries)
    return data, build_postings(data)


def _fits(value: object, size: int) -> TypeGuard[tuple[CorpusData, Postings]]:
    if not isinstance(value, tuple) or len(value) != 2:
        return False
    data, postings = value
    return (
        isinstance(data, CorpusData)
        and isinstance(postings, Postings)
        and len(data.offsets) == size + 1
        and len(data.typical) == size
        and len(postings.offsets) == len(data.vocab) + 1
    )


def entries_digest(entries: Iterable[Entry]) -> str:
    """决定索引内容的全部输入（每条的问法与关键词，按顺序）的摘要。"""
    digest = hashlib.blake2b(digest_size=20)
    for entry in entries:
        parts = (*entry.phrasings, "|", *entry.keywords)
        digest.update("".join(f"{len(p)}:{p}" for p in parts).encode())
        digest.update(b"\n")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_version() -> str:
    from .. import text
    from ..knowledge import cache
    from . import corpus, features, idents

    return code_version((text, features, corpus, idents, sys.modules[__name__], cache))

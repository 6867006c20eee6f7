"""语料与打分：索引版和穷举参考版共用同一个打分函数。

每个条目把全部问法、关键词合成一个 TF-IDF 向量（中文单字、双字组、英文词、概念特征），
问题向量与之求余弦；再加上与最像的一条问法的 rapidfuzz 相似度。

存储是紧凑的：特征先编成整数 id，条目向量按条目连续存放在 array 里（CSR），
不为每个条目保留一个 {特征字符串: 浮点数} 的字典。
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise, repeat
from operator import mul

from rapidfuzz import fuzz, process

from ..knowledge import Entry
from ..text import normalize_query
from .features import canonical, feature_weight, features

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
    """一次提问：预处理后的文本、已知特征的归一化权重（特征 id → 权重）和特征总数。"""

    text: str
    vector: dict[int, float]
    size: int = 0


@dataclass(slots=True)
class CorpusData:
    """语料的全部派生数据（可以原样缓存）：特征表、IDF（已乘 `feature_weight`）、条目向量、预处理后的问法。

    条目 i 的特征 id 与权重在 `feats[offsets[i]:offsets[i+1]]`、`weights[...]`；
    它的问法在 `texts[text_offsets[i]:text_offsets[i+1]]`。
    """

    vocab: dict[str, int]
    idf: array[float]
    unknown_idf: float
    offsets: array[int]
    feats: array[int]
    weights: array[float]
    text_offsets: array[int]
    texts: list[str]


class Corpus:
    """条目的问法与 TF-IDF 向量。"""

    def __init__(self, entries: Sequence[Entry], data: CorpusData | None = None) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.scopes: list[str | None] = [e.scope for e in self.entries]
        self.data = data if data is not None else build_corpus_data(self.entries)
        self._last: tuple[str, Query] | None = None

    def query(self, text: str) -> Query:
        """把原始问题变成 `Query`（同一句话连问两次只算一次）。"""
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        prepared = prepare(text)
        query = self._vector(prepared, Counter(features(prepared)))
        self._last = (text, query)
        return query

    def _vector(self, prepared: str, counts: Counter[str]) -> Query:
        data = self.data
        vocab, idf, unknown = data.vocab, data.idf, data.unknown_idf
        known: dict[int, float] = {}
        squares = 0.0
        for feature, n in counts.items():
            i = vocab.get(feature)
            weight = _tf(n) * (unknown * feature_weight(feature) if i is None else idf[i])
            squares += weight * weight
            if i is not None and weight > 0:
                known[i] = weight
        norm = math.sqrt(squares) or 1.0
        return Query(prepared, {i: w / norm for i, w in known.items()}, len(counts))

    def cosine(self, query: Query, index: int) -> float:
        """问题向量与条目向量的余弦。"""
        data = self.data
        start, end = data.offsets[index], data.offsets[index + 1]
        looked_up = map(query.vector.get, data.feats[start:end], repeat(0.0))
        return sum(map(mul, looked_up, data.weights[start:end]))

    def phrasings(self, index: int) -> list[str]:
        """条目预处理后的问法（去重、去空）。"""
        data = self.data
        return data.texts[data.text_offsets[index] : data.text_offsets[index + 1]]

    def ratio(self, query: Query, index: int) -> float:
        """与该条目最像的一条问法的相似度（0–1）。"""
        best = process.extractOne(query.text, self.phrasings(index), scorer=fuzz.ratio)
        return best[1] / 100 if best else 0.0

    def score(self, query: Query, index: int, cosine: float | None = None) -> float:
        """条目对问题的置信度，0–100；`cosine` 可由调用方给出（索引已经算好的余弦）。"""
        if not query.text or not query.size:
            return 0.0
        cos = self.cosine(query, index) if cosine is None else cosine
        return scaled(W_COSINE * cos + W_RATIO * self.ratio(query, index))


def scaled(raw: float) -> float:
    """余弦与相似度的加权和换算成 0–100 的置信度（保留一位小数）。"""
    return round(min(100.0, raw * SCALE), 1)


def score_bound(cosine: float) -> float:
    """余弦为 `cosine` 的条目最高能拿的置信度（相似度取满分 1）：`score` 不会超过它。"""
    return scaled(W_COSINE * cosine + W_RATIO)


def entry_texts(entry: Entry) -> list[str]:
    """条目参与匹配的问法：预处理后去重、去空。"""
    return list(dict.fromkeys(t for t in map(prepare, entry.phrasings) if t))


def entry_counts(entry: Entry, texts: Sequence[str]) -> Counter[str]:
    """条目的特征计数：每条问法一次，每个关键词 `KEYWORD_REPEAT` 次。"""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(features(text))
    for keyword in entry.keywords:
        found = features(prepare(keyword))
        for _ in range(KEYWORD_REPEAT):
            counts.update(found)
    return counts


# 1 + ln(n)：特征在一个条目里出现 n 次时的词频权重（常见的 n 先算好）。
_TF = (0.0, *(1.0 + math.log(n) for n in range(1, 256)))


def _tf(n: int) -> float:
    return _TF[n] if n < len(_TF) else 1.0 + math.log(n)


def idf_weight(df: int, n: int) -> float:
    """特征的 IDF：n 个条目里有 df 个含它（语料里存的还要乘 `feature_weight`）。"""
    return math.log((n + 1.0) / (df + 0.5))


def build_corpus_data(entries: Sequence[Entry]) -> CorpusData:
    """从条目算出全部派生数据：两遍，第一遍编号计数，第二遍按 IDF 归一化。"""
    vocab: dict[str, int] = {}
    offsets, feats, tfs = array("l", [0]), array("i"), array("d")
    text_offsets, texts = array("l", [0]), []
    for entry in entries:
        own = entry_texts(entry)
        texts.extend(own)
        text_offsets.append(len(texts))
        counts = entry_counts(entry, own)
        for feature in counts:
            if feature not in vocab:
                vocab[feature] = len(vocab)
        feats.extend(map(vocab.__getitem__, counts))
        tfs.extend(map(_tf, counts.values()))
        offsets.append(len(feats))
    n = len(entries)
    df = Counter(feats)
    idf = array("d", (idf_weight(df[i], n) * feature_weight(f) for f, i in vocab.items()))
    weights = _normalized(offsets, feats, tfs, idf)
    return CorpusData(vocab, idf, math.log(n + 2.0), offsets, feats, weights, text_offsets, texts)


def _normalized(
    offsets: array[int], feats: array[int], tfs: array[float], idf: array[float]
) -> array[float]:
    """每个条目的 tf·idf 除以该条目向量的长度；存成单精度（打分的精度远高于分数的 0.1）。"""
    weights = array("f", [0.0]) * len(feats)
    for start, end in pairwise(offsets):
        raw = list(map(mul, tfs[start:end], map(idf.__getitem__, feats[start:end])))
        norm = math.sqrt(sum(map(mul, raw, raw))) or 1.0
        weights[start:end] = array("f", [v / norm if v > 0 else 0.0 for v in raw])
    return weights


def rank_exhaustive(
    corpus: Corpus, query: Query, limit: int = 5, scope: str | None = None
) -> list[tuple[int, float]]:
    """参考实现：给每个本群可见的条目打分后排序（慢但直观，用来检验索引）。"""
    visible = (i for i, s in enumerate(corpus.scopes) if s is None or s == scope)
    scored = [(i, corpus.score(query, i)) for i in visible]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]

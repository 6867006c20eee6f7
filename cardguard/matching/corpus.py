"""语料与打分：索引版和穷举参考版共用同一个打分函数。

每个条目把全部问法、关键词合成一个 TF-IDF 向量（中文单字、双字组、英文词、概念特征），
问题向量与之求余弦；再加上与最像的一条问法的 rapidfuzz 相似度。

分数对问法多的条目和只有一句问法的条目是同一个意思（一个门槛管两种条目）：
- 余弦除以条目的“典型余弦”（它自己的问法和它的向量的平均余弦）：问法越多越杂，向量越“摊薄”，
  自己的问法和它的余弦也越低（发布的条目约 0.17，只有一句问法的管理员条目是 1）。
  除完以后，1 表示“和这条自己的问法一样像”，不论它有几句问法；
- 编号（一区/二区、v1/v2、甲3号）对不上时乘一个系数（见 `idents`）；
- 和某条问法（预处理后）一字不差时再加一点：条目的原话总是答到它自己。

存储是紧凑的：特征先编成整数 id，条目向量按条目连续存放在 array 里（CSR），
不为每个条目保留一个 {特征字符串: 浮点数} 的字典。
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise, repeat
from operator import mul

from rapidfuzz import fuzz, process

from ..knowledge import Entry
from ..text import normalize_query
from .features import canonical, feature_weight, features
from .idents import entry_identifiers, identifier_factor, identifiers

# 打分权重（在 tests/data 的开发集上调定）。
W_FIT = 0.10
W_RATIO = 0.20
# “像自己的问法”最多算到典型的这么多倍：再像也不该把别的证据全压过去。
FIT_CAP = 2.0
# 和某条问法一字不差时加的分（换算前）。
EXACT_BONUS = 0.2
KEYWORD_REPEAT = 2
# 置信度刻度：加权和乘以这个系数（不封顶，排序用；给人看时封顶 100）。
SCALE = 200.0
# 最多缓存多少个条目的字表（见 `Corpus.ratio_bound`）。
CHAR_PROFILES = 4096


def prepare(text: str) -> str:
    """问题或问法的完整预处理：归一化、去口头语、统一口语写法。"""
    return canonical(normalize_query(text))


@dataclass(frozen=True, slots=True)
class Query:
    """一次提问：预处理后的文本、已知特征的归一化权重（特征 id → 权重）和特征总数。"""

    text: str
    vector: dict[int, float]
    size: int = 0
    idents: frozenset[str] = frozenset()
    # 学出来的条目模型给的加分（条目下标 → 分数），由 `Matcher` 填；打分时加在最后。
    bonus: dict[int, float] = field(default_factory=dict)
    # 话题比问题弱的管理员条目（由 `Matcher` 填）：分数乘 `OFF_TOPIC_LOCAL`，见那里。
    damped: frozenset[int] = frozenset()
    # 问题里的字，和出现不止一次的字多出的次数：给相似度估上界用（见 `Corpus.ratio_bound_by_chars`）。
    chars: frozenset[str] = frozenset()
    repeats: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class CorpusData:
    """语料的全部派生数据（可以原样缓存）：特征表、IDF（已乘 `feature_weight`）、条目向量、预处理后的问法、
    每个条目的典型余弦，以及带编号的条目的编号（条目下标 → 编号）。

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
    typical: array[float]
    idents: dict[int, frozenset[str]]
    min_length: array[int]
    max_length: array[int]
    # 问题由几个小问组成的条目：各个小问（预处理后），只参加相似度（见 `question_clauses`）。
    clauses: dict[int, list[str]] = field(default_factory=dict)


class Corpus:
    """条目的问法与 TF-IDF 向量。"""

    def __init__(self, entries: Sequence[Entry], data: CorpusData | None = None) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.scopes: list[str | None] = [e.scope for e in self.entries]
        self.data = data if data is not None else build_corpus_data(self.entries)
        self._last: tuple[str, Query] | None = None
        # 条目的字表按需算、只留最近用过的一些：十万条时全存要几十 MB，而每次只有几十个候选要估上界。
        self._char_profile = lru_cache(maxsize=CHAR_PROFILES)(self._build_char_profile)

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
        vector = {i: w / norm for i, w in known.items()}
        repeats = {char: n - 1 for char, n in Counter(prepared).items() if n > 1}
        return Query(
            prepared,
            vector,
            len(counts),
            identifiers(prepared),
            chars=frozenset(prepared),
            repeats=repeats,
        )

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

    def similarity_texts(self, index: int) -> list[str]:
        """参加相似度的文字：条目的问法，加上问题里的各个小问（见 `question_clauses`）。"""
        clauses = self.data.clauses.get(index)
        texts = self.phrasings(index)
        return [*texts, *clauses] if clauses else texts

    def ratio(self, query: Query, index: int) -> float:
        """与该条目最像的一条问法（或问题里的一个小问）的相似度（0–1）。"""
        best = process.extractOne(query.text, self.similarity_texts(index), scorer=fuzz.ratio)
        return best[1] / 100 if best else 0.0

    def fit(self, cosine: float, index: int) -> float:
        """余弦换成“和这条自己的问法相比有多像”：除以典型余弦，封顶 `FIT_CAP`。"""
        return min(FIT_CAP, cosine / self.data.typical[index])

    def score(self, query: Query, index: int, cosine: float | None = None) -> float:
        """条目对问题的置信度（通常 0–100，一字不差时可以更高）；`cosine` 可由调用方给出。"""
        if not query.text or not query.size:
            return 0.0
        cos = self.cosine(query, index) if cosine is None else cosine
        ratio = self.ratio(query, index)
        raw = W_FIT * self.fit(cos, index) + W_RATIO * ratio
        raw *= identifier_factor(query.idents, self.data.idents.get(index, frozenset()))
        if index in query.damped:
            raw *= OFF_TOPIC_LOCAL
        if ratio >= 1.0:
            raw += EXACT_BONUS
        return with_bonus(scaled(raw), query.bonus.get(index, 0.0))

    def bound(
        self, query: Query, cosine: float, index: int, exact: bool, *, by_chars: bool = False
    ) -> float:
        """余弦为 `cosine` 的条目 `index` 最高能拿的置信度（相似度取上界）：`score` 不会超过它。

        `exact`：这个条目有没有和问题一字不差的问法（没有就拿不到那点加分）。
        `by_chars`：相似度上界也看对得上几个字（`ratio_bound_by_chars`，紧一些、贵一些），否则只看长度。
        """
        if exact:
            ratio = 1.0
        elif by_chars:
            ratio = self.ratio_bound_by_chars(query, index)
        else:
            ratio = self.ratio_bound(len(query.text), index)
        raw = W_FIT * self.fit(cosine, index) + W_RATIO * ratio
        raw *= identifier_factor(query.idents, self.data.idents.get(index, frozenset()))
        if index in query.damped:
            raw *= OFF_TOPIC_LOCAL
        return with_bonus(scaled(raw + EXACT_BONUS * exact), query.bonus.get(index, 0.0)) + 0.1

    def ratio_bound(self, length: int, index: int) -> float:
        """长度为 `length` 的问题和条目 `index` 的问法，rapidfuzz ratio（0–1）最高能有多少。

        ratio = 2·匹配字数 /（两串长度之和），匹配字数不超过较短的那串：问法的长度都比问题短很多
        （或长很多）时，相似度不可能高。只用条目问法的最短和最长长度，算起来不费事。
        """
        data = self.data
        shortest, longest = data.min_length[index], data.max_length[index]
        if length < shortest:
            return 2.0 * length / (length + shortest)
        if length > longest:
            return 2.0 * longest / (length + longest)
        return 1.0

    def ratio_bound_by_chars(self, query: Query, index: int) -> float:
        """同 `ratio_bound`，但还看问题里有几个字能在条目的问法里找到：不比它松，常常紧得多。

        ratio = 2·最长公共子序列 /（两串长度之和）。公共子序列的字数不超过 `common`：
        问题里在条目的某条问法里出现过的字数（问题里重复的字按问题里的次数算）。
        长度为 L 的问法最多 2·min(common, L)/(n + L)，L 在条目问法的最短和最长长度之间，
        取最接近 `common` 的那个时最大。问法多的条目长度从短到长都有，只看长度的上界总是 1.0；
        闲聊和它们通常只有几个字对得上。
        """
        data = self.data
        length = len(query.text)
        shortest, longest = data.min_length[index], data.max_length[index]
        shared = self._char_profile(index).intersection(query.chars)
        common = len(shared) + sum(n for char, n in query.repeats.items() if char in shared)
        best = min(max(common, shortest), longest)  # 最有利的问法长度
        if best + length == 0:
            return 0.0
        return 2.0 * min(common, best) / (length + best)

    def _build_char_profile(self, index: int) -> frozenset[str]:
        """条目参加相似度的文字里出现过的所有字。"""
        return frozenset("".join(self.similarity_texts(index)))


# 问题明显在谈卡网（话题强度高于条目的问法）而管理员条目讲的是别的事（公会、器材、群规）时，
# 管理员条目的分数乘这个系数：字面上撞了几个字（“冒充…借钱”“本群推荐”）不该抢走内置条目该答的问题。
# 0.6：三套管理员开发集上内置条目一题不少（0.8 时少一题），换个说法各少答 0–1 句。
# 条目自己的原话和它同一个话题强度，不受影响。
OFF_TOPIC_LOCAL = 0.6


# 条目模型的加分要有字面上的支撑：匹配分到这么高才给满，更低时按比例给。
# 逻辑回归只在发布的条目和闲聊之间挑，碰到别的话题（管理员加的“2区怎么连”）也会很自信地指向某条；
# 字面上几乎不沾边的条目不该靠它翻身。
MODEL_SUPPORT = 40.0


def with_bonus(base: float, bonus: float) -> float:
    """匹配分加上条目模型的加分（按字面支撑打折，见 `MODEL_SUPPORT`），保留一位小数。"""
    if bonus <= 0:
        return base
    return round(base + bonus * min(1.0, max(0.0, base) / MODEL_SUPPORT), 1)


def scaled(raw: float) -> float:
    """加权和换算成置信度（保留一位小数；不封顶，见 `SCALE`）。"""
    return round(raw * SCALE, 1)


# 一个问题里的几个小问（“怎么举报骗人的发卡网？被骗了找谁？”）：问号、分号、句号分开。
_CLAUSE_RE = re.compile(r"[？?；;。!！]+")


def question_clauses(question: str) -> list[str]:
    """问题由几个小问组成时的各个小问（预处理后）；只有一个小问时为空。

    它们只参加相似度（rapidfuzz）：只问其中一句（“被骗了找谁”）的人和那句几乎一样，
    不该因为整句更长就输给字面上沾边的条目。不进向量、不进条目模型（那样试过，开发集更差）。
    """
    parts = [p for p in (prepare(c) for c in _CLAUSE_RE.split(question)) if p]
    return parts if len(parts) > 1 else []


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
    idents: dict[int, frozenset[str]] = {}
    clauses: dict[int, list[str]] = {}
    for number, entry in enumerate(entries):
        own = entry_texts(entry)
        parts = [c for c in question_clauses(entry.question) if c not in own]
        if parts:
            clauses[number] = parts
        texts.extend(own)
        text_offsets.append(len(texts))
        found = entry_identifiers(own)
        if found:
            idents[number] = found
        counts = entry_counts(entry, own)
        for feature in counts:
            if feature not in vocab:
                vocab[feature] = len(vocab)
        feats.extend(map(vocab.__getitem__, counts))
        tfs.extend(map(_tf, counts.values()))
        offsets.append(len(feats))
    # IDF 只数问法多的全局条目（见 `_idf_population`）。
    counted = _idf_population(entries, text_offsets)
    n = len(counted)
    df: Counter[int] = Counter()
    for i in counted:
        df.update(feats[offsets[i] : offsets[i + 1]])
    idf = array("d", (idf_weight(df[i], n) * feature_weight(f) for f, i in vocab.items()))
    weights, norms = _normalized(offsets, feats, tfs, idf)
    data = CorpusData(
        vocab,
        idf,
        math.log(n + 2.0),
        offsets,
        feats,
        weights,
        text_offsets,
        texts,
        array("f"),
        idents,
        array(
            "H", (min(map(len, t), default=0) for t in _with_clauses(text_offsets, texts, clauses))
        ),
        array(
            "H", (max(map(len, t), default=0) for t in _with_clauses(text_offsets, texts, clauses))
        ),
        clauses,
    )
    data.typical = _typical(data, norms)
    return data


def _with_clauses(
    offsets: array[int], texts: list[str], clauses: dict[int, list[str]]
) -> Iterator[list[str]]:
    """每个条目参加相似度的全部文字：问法加上问题里的小问（长度上下界要把它们也算进去）。"""
    for index, own in enumerate(_entry_text_lists(offsets, texts)):
        yield [*own, *(c[:65535] for c in clauses.get(index, ()))]


def _entry_text_lists(offsets: array[int], texts: list[str]) -> Iterator[list[str]]:
    """每个条目的问法（按条目顺序）；问法长度存成无符号短整数，超过 65535 字的截到上限。"""
    for start, end in pairwise(offsets):
        yield [t[:65535] for t in texts[start:end]]


# 典型余弦的下限：防止除以很小的数（条目只有关键词、问法全是空的这类怪情况）。
MIN_TYPICAL = 0.05
# 先验：一句没见过的换个说法和条目唯一一句问法的余弦通常有多大。只有一句问法的条目（管理员加的）
# 没法自己估计，就用它；问法多的条目以它为先验、按问法数加权（`PRIOR_WEIGHT` 句的分量）。
# 0.25：发布的条目只留 question 时开发集问题与之的余弦（中位 0.17）和管理员开发集里
# 换个说法与原问题的余弦（中位 0.31）之间。
TYPICAL_PRIOR = 0.25
PRIOR_WEIGHT = 2.0


def _typical(data: CorpusData, norms: Sequence[float]) -> array[float]:
    """每个条目的典型余弦：它的每句问法和“其余问法合成的向量”的余弦（留一）的平均，向先验收缩。

    不留一的话，问法少的条目自己的问法就在向量里，余弦虚高（只有一句时恒为 1），
    问法多的条目和问法少的条目就不可比了。`norms` 是每个条目 tf·idf 向量归一化前的长度。
    """
    typical = array("f")
    for index, (start, end) in enumerate(pairwise(data.text_offsets)):
        texts = data.texts[start:end]
        if len(texts) > 1:
            entry = _RawEntry(data, index, norms[index])
            total = sum(entry.left_out_cosine(text) for text in texts)
            value = (total + PRIOR_WEIGHT * TYPICAL_PRIOR) / (len(texts) + PRIOR_WEIGHT)
        else:
            value = TYPICAL_PRIOR
        typical.append(max(MIN_TYPICAL, value))
    return typical


class _RawEntry:
    """一个条目的原始 tf·idf（由存下的单位向量乘回原长度），用来算留一余弦。"""

    def __init__(self, data: CorpusData, index: int, norm: float) -> None:
        start, end = data.offsets[index], data.offsets[index + 1]
        self.data = data
        self.raw = {
            f: w * norm for f, w in zip(data.feats[start:end], data.weights[start:end], strict=True)
        }
        self.norm_sq = norm * norm

    def left_out_cosine(self, text: str) -> float:
        """问法 `text` 和去掉它以后的条目向量的余弦（只有这句问法含有的特征会变）。"""
        vocab, idf, raw = self.data.vocab, self.data.idf, self.raw
        dot = query_sq = 0.0
        norm_sq = self.norm_sq
        for feature, n in Counter(features(text)).items():
            fid = vocab.get(feature)
            if fid is None or idf[fid] <= 0:
                continue
            weight = _tf(n) * idf[fid]
            query_sq += weight * weight
            before = raw.get(fid, 0.0)
            count = round(math.exp(before / idf[fid] - 1.0)) if before > 0 else 0
            after = _tf(count - n) * idf[fid] if count > n else 0.0
            norm_sq -= before * before - after * after
            dot += weight * after
        if query_sq <= 0 or norm_sq <= 1e-12:
            return 0.0
        return dot / math.sqrt(query_sq * norm_sq)


# 问法至少这么多句的全局条目（发布的条目）才算进 IDF 的“人口”（见 `_idf_population`）。
IDF_MIN_PHRASINGS = 20


def _idf_population(entries: Sequence[Entry], text_offsets: array[int]) -> Sequence[int]:
    """哪些条目算进 IDF：问法多的全局条目；没有时全部全局条目；再没有时全部条目。

    群管理加的条目（只有一句问法）和合成的大批条目都不改变 IDF：原来答得对的问题，
    不会因为别人加了条目、权重挪了位置而答错。它们自己的特征照样有 IDF（没人用过的最高）。
    """
    rich = [
        i
        for i, e in enumerate(entries)
        if e.scope is None and text_offsets[i + 1] - text_offsets[i] >= IDF_MIN_PHRASINGS
    ]
    return rich or [i for i, e in enumerate(entries) if e.scope is None] or range(len(entries))


def _normalized(
    offsets: array[int], feats: array[int], tfs: array[float], idf: array[float]
) -> tuple[array[float], list[float]]:
    """每个条目的 tf·idf 除以该条目向量的长度（存成单精度：打分的精度远高于分数的 0.1），和各条的长度。"""
    weights = array("f", [0.0]) * len(feats)
    norms: list[float] = []
    for start, end in pairwise(offsets):
        raw = list(map(mul, tfs[start:end], map(idf.__getitem__, feats[start:end])))
        norm = math.sqrt(sum(map(mul, raw, raw))) or 1.0
        norms.append(norm)
        weights[start:end] = array("f", [v / norm if v > 0 else 0.0 for v in raw])
    return weights, norms


def rank_exhaustive(
    corpus: Corpus, query: Query, limit: int = 5, scope: str | None = None
) -> list[tuple[int, float]]:
    """参考实现：给每个本群可见的条目打分后排序（慢但直观，用来检验索引）。"""
    visible = (i for i, s in enumerate(corpus.scopes) if s is None or s == scope)
    scored = [(i, corpus.score(query, i)) for i in visible]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]

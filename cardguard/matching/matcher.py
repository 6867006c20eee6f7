"""两种决定：被点名时尽量回答，群聊旁听时只在很有把握时开口。"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path

from ..knowledge import Entry, Knowledge
from ..text import looks_like_question, looks_like_trouble
from .corpus import Query, prepare, rank_exhaustive
from .index import Index
from .topic import TopicModel

# 阈值（0–100），在开发集上调定。
EXPLICIT_MIN = 20.0
EXPLICIT_OFF_TOPIC_MIN = 30.0
SUGGEST_MIN = 20.0
PASSIVE_STRONG_MIN = 28.0
PASSIVE_WEAK_MIN = 50.0
PASSIVE_MARGIN = 5.0
PASSIVE_STATEMENT_MIN = 45.0
PASSIVE_STATEMENT_MARGIN = 8.0
PASSIVE_OFF_TOPIC_MIN = 62.0
PASSIVE_OFF_TOPIC_MARGIN = 10.0
MAX_SUGGESTIONS = 3
# 点名时第一名和（不相关的）第二名几乎打平：说不准问的是哪条，给建议而不是猜一个。
EXPLICIT_TIE_MARGIN = 0.5
# 问法少于这么多句的条目，话题模型（拿全局条目的问法学的）说了不算。
TOPIC_MIN_PHRASINGS = 5
MAX_QUERY_CHARS = 300


@dataclass(frozen=True)
class MatchResult:
    """一次匹配的结果：答中的条目（或无）、置信度和“你是不是想问”。"""

    id: str | None
    score: float
    entry: Entry | None = None
    suggestions: tuple[str, ...] = ()
    ranked: tuple[tuple[str, float], ...] = field(default=(), repr=False)

    @property
    def answer(self) -> str | None:
        """答案文本；没答中时为 None。"""
        return self.entry.answer if self.entry else None

    def to_dict(self) -> dict[str, object]:
        """命令行 `ask --json` 的输出格式。"""
        return {
            "id": self.id,
            "score": round(min(100.0, self.score)),
            "answer": self.answer,
            "suggestions": list(self.suggestions),
        }


class Matcher:
    """知识条目的匹配器：索引找候选，打分，决定答或不答。"""

    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        cache_dir: Path | None = None,
        off_topic: Sequence[str] = (),
    ) -> None:
        """`cache_dir`：建好的索引存在那里，条目没变时下次直接读（见 `index.load_or_build`）。

        `off_topic`：不该接话的群聊例句（knowledge/chatter.yaml），用来学话题判断；为空时只用词表。
        """
        self.index = Index(entries, cache_dir)
        self.corpus = self.index.corpus
        self._off_topic = tuple(off_topic)

    @classmethod
    def for_knowledge(cls, knowledge: Knowledge, *, cache_dir: Path | None = None) -> Matcher:
        """给一份知识建匹配器：条目 + chatter.yaml 里的闲聊例句。"""
        return cls(knowledge.entries, cache_dir=cache_dir, off_topic=knowledge.chatter)

    @cached_property
    def topic(self) -> TopicModel:
        """话题模型：第一次旁听判断时才建（全局条目的问法 vs 闲聊例句）。"""
        return TopicModel(self._on_topic(), (prepare(line) for line in self._off_topic))

    def _on_topic(self) -> list[str]:
        """话题模型的正例：全局条目预处理后的问法。"""
        corpus = self.corpus
        return [
            text
            for index, scope in enumerate(corpus.scopes)
            if scope is None
            for text in corpus.phrasings(index)
        ]

    def serves(self, knowledge: Knowledge) -> bool:
        """这个匹配器就是为 `knowledge` 建的：条目和闲聊例句都一样（比如只改了群设置）。"""
        return self.entries == knowledge.entries and self._off_topic == tuple(knowledge.chatter)

    def reuse_topic(self, previous: Matcher) -> bool:
        """全局问法和闲聊例句都没变（比如只改了某个群的条目）时沿用 `previous` 建好的话题模型。

        话题模型建一次约 0.1 秒，否则改完条目后的第一句问话要在事件循环里等它。
        """
        built = previous.__dict__.get("topic")
        if built is None or previous._off_topic != self._off_topic:
            return False
        if previous._on_topic() != self._on_topic():
            return False
        self.__dict__["topic"] = built
        return True

    @property
    def entries(self) -> tuple[Entry, ...]:
        """参与匹配的全部条目。"""
        return self.corpus.entries

    def query(self, text: str) -> Query:
        """预处理一条问题（过长的只取开头）。"""
        return self.corpus.query(text[:MAX_QUERY_CHARS])

    def rank(
        self, text: str, limit: int = 5, scope: str | None = None, *, exhaustive: bool = False
    ) -> list[tuple[str, float]]:
        """按置信度排序的（条目 id，置信度）；同 id 只留最高的一个。"""
        entries = self.corpus.entries
        ranking = self._ranking(text, scope, exhaustive)
        return [(entries[i].id, s) for i, s in islice(ranking, limit)]

    def _ranking(
        self, text: str, scope: str | None, exhaustive: bool = False
    ) -> Iterator[tuple[int, float]]:
        """（条目下标，置信度）从高到低，同 id 只给第一个；索引版按需打分（见 `Index.ranking`）。"""
        query = self.query(text)
        if exhaustive:
            raw: Iterable[tuple[int, float]] = rank_exhaustive(
                self.corpus, query, len(self.corpus.entries), scope
            )
        else:
            raw = self.index.ranking(query, scope)
        seen: set[str] = set()
        entries = self.corpus.entries
        for index, score in raw:
            entry_id = entries[index].id
            if entry_id not in seen:
                seen.add(entry_id)
                yield index, score

    def _pairs(self, ranked: Iterable[tuple[int, float]]) -> tuple[tuple[str, float], ...]:
        entries = self.corpus.entries
        return tuple((entries[i].id, s) for i, s in ranked)

    def ask(self, text: str, scope: str | None = None) -> MatchResult:
        """被点名提问：最佳条目过低门槛就答，否则给最多 3 个建议。"""
        ranking = self._ranking(text, scope)
        first = next(ranking, None)
        if first is None:
            return MatchResult(None, 0.0)
        on_topic = (
            not self._topic_judges(first[0]) or self.topic.strength(self.query(text).text) > 0
        )
        bar = EXPLICIT_MIN if on_topic else EXPLICIT_OFF_TOPIC_MIN
        rest = list(islice(ranking, MAX_SUGGESTIONS - 1))
        if first[1] >= bar and self._clear_lead(first, iter(rest), EXPLICIT_TIE_MARGIN):
            entry = self.corpus.entries[first[0]]
            return MatchResult(entry.id, first[1], entry, (), self._pairs([first]))
        shown = [first, *rest] if first[1] >= SUGGEST_MIN else []
        pairs = self._pairs(shown)
        suggestions = tuple(i for i, s in pairs if s >= SUGGEST_MIN)
        return MatchResult(None, first[1], None, suggestions, pairs)

    def passive(self, text: str, scope: str | None = None) -> MatchResult:
        """群聊旁听：在话题上、像问句或诉苦、而且很有把握时才答（不给建议）。"""
        asking = looks_like_question(text)
        shaped = asking or looks_like_trouble(text)
        prepared = prepare(text[:MAX_QUERY_CHARS])  # 话题判断只要文本；向量等要匹配时再算
        if self.topic.off_topic(prepared):
            return MatchResult(None, 0.0)
        bar = _passive_bar(self.topic.strength(prepared), asking, shaped)
        if bar is None:
            return MatchResult(None, 0.0)
        ranking = self._ranking(text, scope)
        first = next(ranking, None)
        if first is None:
            return MatchResult(None, 0.0)
        pairs = self._pairs([first])
        if first[1] < bar[0] or not self._clear_lead(first, ranking, bar[1]):
            return MatchResult(None, first[1], None, (), pairs)
        entry = self.corpus.entries[first[0]]
        return MatchResult(entry.id, first[1], entry, (), pairs)

    def _topic_judges(self, index: int) -> bool:
        """话题模型管得了这个条目：它是全局条目、问法够多（话题模型就是拿这些问法学的）。

        群条目和只有一两句问法的管理员条目讲的常常是别的事（服务器地址、群规），
        “不在卡网话题上”不能成为不答它们的理由。
        """
        corpus = self.corpus
        if corpus.scopes[index] is not None:
            return False
        start, end = corpus.data.text_offsets[index], corpus.data.text_offsets[index + 1]
        return end - start >= TOPIC_MIN_PHRASINGS

    def _clear_lead(
        self, first: tuple[int, float], rest: Iterator[tuple[int, float]], margin: float
    ) -> bool:
        """第一名领先最强“对手”至少 `margin`：和第一名互相 related 的条目答哪条都不算错，不算对手。

        只看紧随其后的三名；分数已经落后 `margin` 的不用再看（后面的只会更低，也不用算）。
        """
        entries = self.corpus.entries
        top = entries[first[0]]
        for index, score in islice(rest, 3):
            if first[1] - score >= margin:
                return True
            other = entries[index]
            if other.id not in top.related and top.id not in other.related:
                return False
        return True


def _passive_bar(strength: int, asking: bool, shaped: bool) -> tuple[float, float] | None:
    """旁听回答的（最低分，领先第二名的分差）；None 表示这句话不该旁听回答。

    话题越明确、越像在求助，门槛越低：
    明显在谈卡网的问句/诉苦 < 沾边的问句 < 明显在谈卡网的陈述句 < 不在话题上的问句。
    """
    if strength == 2 and shaped:
        return PASSIVE_STRONG_MIN, PASSIVE_MARGIN
    if strength == 1 and asking:
        return PASSIVE_WEAK_MIN, PASSIVE_MARGIN
    if strength == 2:
        return PASSIVE_STATEMENT_MIN, PASSIVE_STATEMENT_MARGIN
    if shaped:
        return PASSIVE_OFF_TOPIC_MIN, PASSIVE_OFF_TOPIC_MARGIN
    return None

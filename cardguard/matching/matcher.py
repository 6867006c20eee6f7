"""两种决定：被点名时尽量回答，群聊旁听时只在很有把握时开口。"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
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
            "score": round(self.score),
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
        corpus = self.corpus
        on_topic = (
            text
            for index, scope in enumerate(corpus.scopes)
            if scope is None
            for text in corpus.phrasings(index)
        )
        return TopicModel(on_topic, (prepare(line) for line in self._off_topic))

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
        return [(entries[i].id, s) for i, s in self._ranked(text, limit, scope, exhaustive)]

    def _ranked(
        self, text: str, limit: int, scope: str | None, exhaustive: bool = False
    ) -> list[tuple[int, float]]:
        query = self.query(text)
        if exhaustive:
            raw = rank_exhaustive(self.corpus, query, limit * 2, scope)
        else:
            raw = self.index.rank(query, limit * 2, scope)
        seen: dict[str, tuple[int, float]] = {}
        for index, score in raw:
            seen.setdefault(self.corpus.entries[index].id, (index, score))
        return list(seen.values())[:limit]

    def _result(self, ranked: list[tuple[int, float]], hit: bool) -> MatchResult:
        entries = self.corpus.entries
        pairs = tuple((entries[i].id, s) for i, s in ranked)
        if hit:
            index, score = ranked[0]
            return MatchResult(entries[index].id, score, entries[index], (), pairs)
        best = ranked[0][1] if ranked else 0.0
        suggestions = tuple(i for i, s in pairs[:MAX_SUGGESTIONS] if s >= SUGGEST_MIN)
        return MatchResult(None, best, None, suggestions, pairs)

    def ask(self, text: str, scope: str | None = None) -> MatchResult:
        """被点名提问：最佳条目过低门槛就答，否则给最多 3 个建议。"""
        ranked = self._ranked(text, MAX_SUGGESTIONS + 1, scope)
        on_topic = self.topic.strength(self.query(text).text) > 0
        bar = EXPLICIT_MIN if on_topic else EXPLICIT_OFF_TOPIC_MIN
        return self._result(ranked, bool(ranked) and ranked[0][1] >= bar)

    def _rival(self, ranked: list[tuple[int, float]]) -> float:
        """第一名最强的“对手”分：和第一名互相 related 的条目答哪条都不算错，不算对手。"""
        entries = self.corpus.entries
        top = entries[ranked[0][0]]
        for index, score in ranked[1:]:
            other = entries[index]
            if other.id not in top.related and top.id not in other.related:
                return score
        return 0.0

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
        ranked = self._ranked(text, 4, scope)
        if not ranked:
            return MatchResult(None, 0.0)
        best = ranked[0][1]
        hit = best >= bar[0] and best - self._rival(ranked) >= bar[1]
        result = self._result(ranked, hit)
        return result if hit else MatchResult(None, best, None, (), result.ranked)


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

"""索引按需打分靠两个不等式：分数上界不低于真分数；旁听判断里“领先多少”（和匹配分）的权重为正。

任何一个不成立，索引就会跳过本该打分的条目（第一名或对手算错），决定和穷举参考不一样；
旁听提前放弃（`Matcher._hopeless_below`）也会放走本该回答的问题。
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cardguard.knowledge import Entry, load_knowledge
from cardguard.matching import Matcher
from cardguard.matching.corpus import Corpus
from cardguard.matching.index import Index
from cardguard.matching.matcher import (
    LEAD_CAP,
    PASSIVE_DECISION,
    PASSIVE_WEIGHTS,
    lead_needed,
    passive_decision,
)

# 字母表小：随机问法和问题才会有足够多相同的字（相似度不总是接近 0）。
CHARS = "卡网发货退款骗怎么办号码密充值钱ab12 "
texts = st.text(alphabet=CHARS, min_size=2, max_size=30).filter(str.strip)


def _entry(number: int, phrasings: list[str]) -> Entry:
    return Entry(
        id=f"e{number}",
        question=phrasings[0].strip() + "吗",
        answer="答案",
        aliases=tuple(phrasings[1:]),
    )


@settings(max_examples=200, deadline=None)
@given(
    entries=st.lists(st.lists(texts, min_size=1, max_size=8), min_size=1, max_size=5),
    question=texts,
)
def test_bound_is_never_below_the_score(entries: list[list[str]], question: str) -> None:
    corpus = Corpus([_entry(n, p) for n, p in enumerate(entries)])
    query = corpus.query(question)
    for index in range(len(entries)):
        cosine = corpus.cosine(query, index)
        exact = query.text in corpus.similarity_texts(index)
        bound = corpus.ratio_bound_by_chars(query, index)
        assert corpus.ratio(query, index) <= bound + 1e-9
        assert bound <= corpus.ratio_bound(len(query.text), index) + 1e-9
        score = corpus.score(query, index, cosine)
        assert score <= corpus.bound(query, cosine, index, exact, by_chars=True)
        assert score <= corpus.bound(query, cosine, index, exact)


def test_a_bigger_lead_never_lowers_the_passive_decision() -> None:
    """`Matcher.passive` 只在需要时才算“领先多少”，前提是领先越多越该开口。"""
    assert PASSIVE_WEIGHTS["lead"] > 0


def test_lead_needed_is_where_the_decision_crosses_the_bar() -> None:
    signals = {name: 0.5 for name in PASSIVE_WEIGHTS if name != "lead"}
    needed = lead_needed(signals)
    for lead in (needed - 0.01, needed + 0.01):
        passes = passive_decision({**signals, "lead": lead}) >= 0.5
        assert passes == (lead >= needed)
    assert LEAD_CAP > 0


@settings(max_examples=200, deadline=None)
@given(
    entries=st.lists(st.lists(texts, min_size=1, max_size=8), min_size=1, max_size=5),
    question=texts,
    limit=st.floats(min_value=0, max_value=120),
)
def test_below_says_whether_any_candidate_reaches_the_limit(
    entries: list[list[str]], question: str, limit: float
) -> None:
    index = Index([_entry(n, p) for n, p in enumerate(entries)])
    query = index.corpus.query(question)
    scores = [score for _, score in index.ranking(query)]
    ranking = index.ranking(query)
    assert ranking.below(limit) == all(score < limit for score in scores)
    assert [score for _, score in ranking] == scores  # 收紧过的上界不改变接着排出来的顺序


def test_giving_up_early_only_drops_lines_the_full_decision_rejects() -> None:
    """`passive` 不开口、`passive_view`（第一名和领先都算足）的线性判断也一定不过门槛。"""
    knowledge = load_knowledge()
    matcher = Matcher.for_knowledge(knowledge)
    lines = [*knowledge.chatter[::7], *(e.question for e in knowledge.entries)]
    checked = 0
    for text in lines:
        if matcher.passive(text).entry is not None:
            continue
        view = matcher.passive_view(text)
        if view.signals is not None:
            assert passive_decision(view.signals) < PASSIVE_DECISION, text
            checked += 1
    assert checked > 0

"""倒排索引与穷举参考实现给出同样的回答：开发集、留出集，以及 10k 条合成知识上的抽样。"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from cardguard.knowledge import Entry, load_knowledge
from cardguard.knowledge.yamlio import load_yaml
from cardguard.matching import Matcher
from cardguard.matching.matcher import SUGGEST_MIN

DATA = Path(__file__).resolve().parents[1] / "data"
SYNTH_SIZE = 10_000
SYNTH_SAMPLE = 30


def _questions(name: str) -> list[str]:
    data = load_yaml(DATA / name) or {}
    return [str(q["text"]) for q in data.get("questions") or []]


def _visible_top(ranked: Sequence[tuple[str, float]]) -> tuple[str, float] | None:
    """用户看得到的结果：最高分的条目（分数低到连建议都不给时算“没有”）。"""
    if not ranked or ranked[0][1] < SUGGEST_MIN:
        return None
    return ranked[0]


def _disagreements(matcher: Matcher, questions: Sequence[str]) -> list[str]:
    bad = []
    for text in questions:
        indexed = _visible_top(matcher.rank(text, 4))
        reference = _visible_top(matcher.rank(text, 4, exhaustive=True))
        if indexed != reference:
            bad.append(f"{text!r}: 索引 {indexed} ≠ 穷举 {reference}")
    return bad


@pytest.fixture(scope="module")
def real_entries() -> tuple[Entry, ...]:
    return load_knowledge().entries


@pytest.mark.parametrize("name", ["questions.yaml", "questions_holdout.yaml"])
def test_index_matches_exhaustive_on_labelled_sets(
    real_entries: tuple[Entry, ...], name: str
) -> None:
    questions = _questions(name)
    assert questions, f"{name} 里没有问题"
    bad = _disagreements(Matcher(real_entries), questions)
    assert not bad, "\n".join(bad)


def test_index_matches_exhaustive_at_10k_entries(real_entries: tuple[Entry, ...]) -> None:
    from bench.datasets import spread
    from bench.synth import sized_entries

    entries = sized_entries(real_entries, SYNTH_SIZE)
    assert len(entries) == SYNTH_SIZE
    questions = spread(_questions("questions.yaml"), SYNTH_SAMPLE // 2)
    questions += spread(_questions("questions_holdout.yaml"), SYNTH_SAMPLE // 2)
    questions.append(entries[-1].aliases[0])  # 一条合成问法：答案只在合成条目里
    bad = _disagreements(Matcher(entries), questions)
    assert not bad, "\n".join(bad)

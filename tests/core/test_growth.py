"""知识变多不能让原来答得对的问题答错：加了合成条目后，开发集的点名 top-1 不低于只有真实条目时。

基准（`python -m bench`）在 100 / 1k / 10k / 100k 条上量这件事；这里在 10k 条上守住它（建索引约 2 秒）。
合成条目的话题避开真实知识库（见 bench/synth.py），它们只是噪声。
"""

from __future__ import annotations

import pytest

from bench.datasets import QUESTIONS, load_questions
from bench.synth import sized_entries
from cardguard.knowledge import Entry, load_knowledge
from cardguard.matching import Matcher
from cardguard.matching import features as features_module
from cardguard.matching.corpus import Corpus, idf_weight
from cardguard.matching.features import CONCEPT_WEIGHT, feature_weight

GROWN_SIZE = 10_000


def _hits(matcher: Matcher) -> list[str]:
    """答对的开发集问题。"""
    return [q.text for q in load_questions(QUESTIONS) if matcher.ask(q.text).id in q.ids]


def test_growth_to_10k_entries_costs_no_dev_accuracy() -> None:
    real = load_knowledge().entries
    alone, grown = _hits(Matcher(real)), _hits(Matcher(sized_entries(real, GROWN_SIZE)))
    lost = sorted(set(alone) - set(grown))
    assert len(grown) >= len(alone), (
        f"{GROWN_SIZE} 条时少答对 {len(alone) - len(grown)} 题；丢了：{lost}"
    )


def test_concept_features_weigh_more_than_plain_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """概念特征的 IDF 乘 `CONCEPT_WEIGHT`，别的特征不乘；问题里有、条目里都没有的概念也一样加权。"""
    assert feature_weight("#illegal") == CONCEPT_WEIGHT > 1.0
    assert feature_weight("违法") == feature_weight("违") == feature_weight("steam") == 1.0
    entries = [
        Entry(id="a", question="卡盟违法吗", aliases=(), answer="回答甲"),
        Entry(id="b", question="买东西违法吗", aliases=(), answer="回答乙"),
    ]
    corpus = Matcher(entries).corpus
    data = corpus.data
    for feature, i in data.vocab.items():
        df = sum(1 for f in data.feats if f == i)
        assert data.idf[i] == pytest.approx(idf_weight(df, 2) * feature_weight(feature)), feature
    # “机器人”是 #bot，两个条目里都没有：它只占问题向量的长度，加权后“违法”在问题里的权重更小
    illegal = data.vocab["违法"]
    weighted = corpus.query("违法机器人").vector[illegal]
    monkeypatch.setattr(features_module, "CONCEPT_WEIGHT", 1.0)
    unweighted = (
        Corpus(entries, data).query("违法机器人").vector[illegal]
    )  # 同一份 IDF，新的查询缓存
    assert unweighted > weighted

"""盲测对抗集 tests/data/links_blind.yaml：先写消息、后看开发集格式写成的对抗样本。

每条卡盟消息都要提醒，没有一条正常消息被提醒；和开发集一样，预检也不能放过要提醒的文本。
"""

from __future__ import annotations

from pathlib import Path

from cardguard.knowledge.domains import DomainRules
from cardguard.links import might_have_link
from cardguard.links.evaluate import evaluate_links, format_link_eval, load_cases

BLIND = Path(__file__).resolve().parents[1] / "data" / "links_blind.yaml"


def test_blind_set_is_big_and_balanced() -> None:
    cases = [case for _, case in load_cases(BLIND)]
    warn = sum(case.expect == "warn" for case in cases)
    assert len(cases) >= 150
    assert 0.4 <= warn / len(cases) <= 0.6
    assert sum(case.segments is not None for case in cases) >= 15


def test_blind_set_all_correct(rules: DomainRules) -> None:
    result = evaluate_links(BLIND, rules)
    assert result["warn_missed"] == 0 and result["quiet_false_warn"] == 0, format_link_eval(result)


def test_fast_path_never_skips_a_blind_warning() -> None:
    for _, case in load_cases(BLIND):
        if case.expect == "warn" and case.text is not None and not case.extra_texts:
            assert might_have_link(case.text), case.text

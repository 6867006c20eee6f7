"""链接标注集 tests/data/links.yaml：该提醒的全部提醒，不该提醒的一条都不提醒。"""

from __future__ import annotations

from pathlib import Path

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.knowledge.errors import KnowledgeError
from cardguard.links import might_have_link
from cardguard.links.evaluate import evaluate_links, format_link_eval, load_cases

DEVSET = Path(__file__).resolve().parents[1] / "data" / "links.yaml"


def test_devset_is_big_and_balanced() -> None:
    cases = [case for _, case in load_cases(DEVSET)]
    warn = sum(case.expect == "warn" for case in cases)
    assert len(cases) >= 90
    assert 0.4 <= warn / len(cases) <= 0.6
    assert sum(case.segments is not None for case in cases) >= 10


def test_devset_all_correct(rules: DomainRules) -> None:
    result = evaluate_links(DEVSET, rules)
    assert result["warn_missed"] == 0 and result["quiet_false_warn"] == 0, format_link_eval(result)
    assert result["accuracy"] == 1.0


def test_fast_path_never_skips_a_devset_warning() -> None:
    for _, case in load_cases(DEVSET):
        if case.expect == "warn" and case.text is not None and not case.extra_texts:
            assert might_have_link(case.text), case.text


def test_format_mentions_misses(tmp_path: Path, rules: DomainRules) -> None:
    path = tmp_path / "links.yaml"
    path.write_text(
        'links:\n  - text: "abc.top"\n    expect: warn\n  - text: "kami88.top"\n    expect: quiet\n',
        encoding="utf-8",
    )
    result = evaluate_links(path, rules)
    assert (result["warn_missed"], result["quiet_false_warn"]) == (1, 1)
    text = format_link_eval(result)
    assert "[漏报] 第 2 行" in text and "[误报] 第 4 行" in text and "廉价域名后缀" in text


def test_bad_devset_entries_are_reported_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "links.yaml"
    path.write_text(
        'links:\n  - text: "x"\n    expect: maybe\n  - expect: warn\n', encoding="utf-8"
    )
    with pytest.raises(KnowledgeError) as info:
        load_cases(path)
    lines = str(info.value).splitlines()
    assert lines[0].startswith(f"{path}:2 [links[0]]")
    assert lines[1].startswith(f"{path}:4 [links[1]]") and "只能写一个" in lines[1]

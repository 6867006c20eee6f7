"""真实世界的链接集：真实发卡软件的网址形状 + 公开资料里的真实主机，以及真实的正常网址。

目标（issue 14）：每个发卡系统家族的召回 ≥ 0.95；正常网址和“难的正常消息”0 条误报。
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import might_have_link
from cardguard.links.evaluate import evaluate_links, format_link_eval, load_cases

DATA = Path(__file__).resolve().parents[1] / "data"
SHOPS = DATA / "real_shops.yaml"
BENIGN = DATA / "real_benign.yaml"
HARD = DATA / "real_hard_benign.yaml"
SYSTEM_FAMILIES = {"dujiaoka", "dujiao-next", "acg-faka", "zfaka", "kamifaka", "caihong", "epay"}


def test_shop_set_covers_every_family_with_sourced_cases() -> None:
    cases = [case for _, case in load_cases(SHOPS)]
    families = {case.family for case in cases}
    assert SYSTEM_FAMILIES | {"hosted", "homepage"} <= families
    assert all(case.expect == "warn" and case.source for case in cases)
    for family in families:
        assert sum(case.family == family for case in cases) >= 7, family


def test_benign_sets_are_big_enough() -> None:
    benign = [case for _, case in load_cases(BENIGN)]
    hard = [case for _, case in load_cases(HARD)]
    assert len(benign) >= 400 and len(hard) >= 30
    assert all(case.expect == "quiet" and case.source for case in benign + hard)


def test_recall_in_every_family(rules: DomainRules) -> None:
    result = evaluate_links(SHOPS, rules)
    for family, counts in result["families"].items():
        recall = counts["warned"] / counts["warn"]
        assert recall >= 0.95, f"{family}: {recall:.2f}\n{format_link_eval(result)}"


@pytest.mark.parametrize("path", [BENIGN, HARD], ids=["benign", "hard"])
def test_no_false_warnings(path: Path, rules: DomainRules) -> None:
    result = evaluate_links(path, rules)
    assert result["quiet_false_warn"] == 0, format_link_eval(result)


def test_fast_path_never_skips_a_real_shop() -> None:
    for _, case in load_cases(SHOPS):
        assert case.text is not None and might_have_link(case.text), case.text


def test_source_keys_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        'sources:\n  A: x\nlinks:\n  - {text: "a.top", expect: warn, source: A+B}\n',
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"set\.yaml:4 .*\['B'\]"):
        load_cases(path)


# 真实链接开发集（原来的封存集，见各文件开头）：正常网址和难例一条也不许提醒；召回守住现在的水平
# （底线比实测低一点点，只防倒退；目标是新的封存集上 ≥ 0.85）。
DEV_RECALL_FLOORS = {
    "real_links_dev.yaml": 0.97,
    "real_links_dev2.yaml": 0.95,
    "real_links_dev3.yaml": 0.92,
    "real_links_dev4.yaml": 0.95,
    "real_links_dev5.yaml": 0.88,
    "real_links_dev6.yaml": 0.90,
}


@pytest.mark.parametrize("name", sorted(DEV_RECALL_FLOORS))
def test_dev_sets_hold_their_recall_with_no_false_warnings(name: str, rules: DomainRules) -> None:
    result = evaluate_links(DATA / name, rules)
    assert result["quiet_false_warn"] == 0, format_link_eval(result)
    assert result["recall"] >= DEV_RECALL_FLOORS[name], format_link_eval(result)

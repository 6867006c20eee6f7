"""知识库：发布的内容完整可用；写坏的文件给出一行一处、带文件行号的报错，绝不加载一半。"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cardguard.knowledge import (
    Entry,
    Knowledge,
    KnowledgeError,
    RiskEntry,
    load_knowledge,
    merge_entries,
    validate,
)

from .kbdirs import BROKEN, GOOD_FAQ, Broken, write_dir

FAQ_IDS = (
    "what-is-faka",
    "platform-risks",
    "protect-personal-info",
    "bought-pirated",
    "paid-no-delivery",
    "invalid-code",
    "identify-unsafe-shop",
    "safe-payment",
    "too-cheap",
    "account-ban-risk",
    "report-platform",
    "official-channels",
    "account-security",
    "legal-liability",
    "regulation",
    "traditional-business-impact",
    "seller-recruitment",
    "bot-help",
)
RISK_IDS = (
    "risk-personal-info",
    "risk-pirated-goods",
    "risk-fraud",
    "risk-no-oversight",
    "risk-payment",
)
CHANNELS = ("110", "96110", "12321", "12315")
LINE_RE = re.compile(r"^\S+:\d+( \[[^\]]+\])?: \S.*$")


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    """随程序发布的知识库。"""
    return load_knowledge()


# ---------- 发布的知识 ----------


def test_shipped_knowledge_has_every_required_faq(shipped: Knowledge) -> None:
    missing = [i for i in FAQ_IDS if shipped.get(i) is None]
    assert not missing, f"缺少 FAQ 条目：{missing}"
    assert all(shipped.by_id[i].kind == "faq" for i in FAQ_IDS)


def test_shipped_risks_have_title_and_signs(shipped: Knowledge) -> None:
    for risk_id in RISK_IDS:
        entry = shipped.get(risk_id)
        assert isinstance(entry, RiskEntry), f"{risk_id} 不是风险点"
        assert entry.title and len(entry.title) >= 2, risk_id
        assert entry.signs, f"{risk_id} 没有警示信号"


def test_every_entry_has_enough_aliases_and_a_short_answer(shipped: Knowledge) -> None:
    few = [e.id for e in shipped.entries if len(e.aliases) < 5]
    long = [(e.id, len(e.answer)) for e in shipped.entries if len(e.answer) > 300]
    assert not few, f"别名少于 5 条：{few}"
    assert not long, f"回答超过 300 字：{long}"


def test_answers_name_real_report_channels(shipped: Knowledge) -> None:
    answers = "\n".join(e.answer for e in shipped.entries)
    for number in CHANNELS:
        assert re.search(rf"(?<!\d){number}(?!\d)", answers), f"没有条目提到 {number}"
    report = shipped.by_id["report-platform"].answer
    assert "110" in report and "12321" in report


def test_shipped_ids_are_unique_and_related_resolve(shipped: Knowledge) -> None:
    ids = [e.id for e in shipped.entries]
    assert len(ids) == len(set(ids))
    dangling = [(e.id, r) for e in shipped.entries for r in e.related if r not in shipped.by_id]
    assert not dangling
    assert all(e.scope is None for e in shipped.entries), "发布的条目必须是全局的"


def test_validate_of_shipped_knowledge_is_clean() -> None:
    assert validate() == []


# ---------- 最小条目与自定义目录 ----------


def test_entry_with_only_required_fields_is_valid(tmp_path: Path) -> None:
    knowledge = load_knowledge(write_dir(tmp_path, {"faq.yaml": GOOD_FAQ}))
    assert [e.id for e in knowledge.entries] == ["good-one"]
    entry = knowledge.by_id["good-one"]
    assert entry.kind == "faq" and entry.scope is None
    assert entry.aliases == ("暗号是啥", "群暗号", "进群暗号是什么")


def test_folder_without_domains_uses_the_shipped_link_rules(tmp_path: Path) -> None:
    # 自己的知识目录可以只写问答；链接识别照常用随程序发布的规则，而不是没有规则、每条链接都出错。
    from cardguard.links import scan

    knowledge = load_knowledge(write_dir(tmp_path, {"faq.yaml": GOOD_FAQ}))
    assert knowledge.domains is not None
    assert scan("看看 https://www.bilibili.com/video/1", knowledge.domains).verdict == "quiet"
    assert (
        scan("卡密秒发 https://kami-sample.example.net/buy/1", knowledge.domains).verdict == "warn"
    )


def test_missing_faq_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    assert len(info.value.problems) == 1
    assert "faq.yaml" in str(info.value) and "不存在" in str(info.value)


# ---------- 写坏的文件 ----------


@pytest.mark.parametrize("case", list(BROKEN.values()), ids=list(BROKEN))
def test_broken_file_gives_one_clear_line(tmp_path: Path, case: Broken) -> None:
    directory = write_dir(tmp_path, case.files)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(directory)
    problems = info.value.problems
    assert len(problems) == 1, f"应当只有一处问题：{[str(p) for p in problems]}"
    line = str(problems[0])
    assert "\n" not in line and LINE_RE.match(line), line
    assert line.startswith(case.expected_prefix(directory)), line
    assert case.fragment in line, line
    assert str(info.value) == line


@pytest.mark.parametrize("case", list(BROKEN.values()), ids=list(BROKEN))
def test_validate_reports_the_same_problems(tmp_path: Path, case: Broken) -> None:
    directory = write_dir(tmp_path, case.files)
    problems = validate(directory)
    assert [str(p).startswith(case.expected_prefix(directory)) for p in problems] == [True]


def test_nothing_is_half_loaded(tmp_path: Path) -> None:
    """faq.yaml 完好、risks.yaml 坏了：整份拒绝，不能只带着 FAQ 启动。"""
    assert load_knowledge(write_dir(tmp_path / "faq-only", {"faq.yaml": GOOD_FAQ})).entries
    broken_risk = "entries:\n  - id: risk-x\n    question: 有风险吗\n    aliases: [甲]\n"
    broken_risk += "    answer: 有风险的\n"  # 风险点缺 title 和 signs
    directory = write_dir(tmp_path / "both", {"faq.yaml": GOOD_FAQ, "risks.yaml": broken_risk})
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(directory)
    assert [(Path(p.file).name, p.line, p.entry) for p in info.value.problems] == [
        ("risks.yaml", 2, "risk-x")
    ]


def test_every_broken_entry_is_reported_once(tmp_path: Path) -> None:
    """两处错误在两个条目里：各报一行，不漏不重。"""
    text = (
        GOOD_FAQ
        + "  - id: no-answer\n    question: 卡盟是什么\n    aliases: [甲]\n"
        + "  - id: Bad_ID\n    question: 卡盟是啥\n    aliases: [乙]\n    answer: 好的好的\n"
    )
    directory = write_dir(tmp_path, {"faq.yaml": text})
    problems = validate(directory)
    assert [(p.line, p.entry) for p in problems] == [(6, "no-answer"), (9, "Bad_ID")]


def test_duplicate_in_same_file_points_at_the_second_copy(tmp_path: Path) -> None:
    text = GOOD_FAQ + "  - id: good-one\n    question: 卡盟是什么\n    aliases: [甲]\n"
    text += "    answer: 好的好的\n"
    directory = write_dir(tmp_path, {"faq.yaml": text})
    problems = validate(directory)
    assert [(p.line, p.entry) for p in problems] == [(6, "good-one")]


# ---------- 管理员覆盖层合并 ----------


def _entry(entry_id: str, answer: str = "默认回答", scope: str | None = None) -> Entry:
    return Entry(id=entry_id, question="测试问题", aliases=("测试",), answer=answer, scope=scope)


def test_merge_overlay_replaces_same_id_and_scope() -> None:
    base = [_entry("a-one"), _entry("b-two")]
    overlay = [_entry("a-one", "改过的回答"), _entry("a-one", "本群回答", scope="123")]
    merged = merge_entries(base, overlay, removed=set())
    got = {(e.id, e.scope): e.answer for e in merged}
    assert got == {
        ("a-one", None): "改过的回答",
        ("b-two", None): "默认回答",
        ("a-one", "123"): "本群回答",
    }


def test_merge_drops_removed_ids() -> None:
    merged = merge_entries([_entry("a-one"), _entry("b-two")], [], removed={"b-two"})
    assert [e.id for e in merged] == ["a-one"]


def test_an_unclosed_bracket_is_reported_where_it_opened(tmp_path: Path) -> None:
    faq = (
        "entries:\n  - id: a-b\n    question: 第一个问题\n    aliases: [一, 二\n"
        + ("    answer: 一个答案\n" * 1)
        + "  - id: c-d\n    question: 第二个问题\n    answer: 另一个答案\n"
    )
    (tmp_path / "faq.yaml").write_text(faq, encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    (problem,) = info.value.problems
    assert problem.line == 4, problem
    assert "方括号 [ 没有配对的 ]" in problem.message and "才发现" in problem.message


def test_a_broken_faq_file_does_not_add_false_reference_errors(tmp_path: Path) -> None:
    import shutil

    from cardguard.knowledge import default_knowledge_dir

    for name in ("faq.yaml", "risks.yaml"):
        shutil.copy(default_knowledge_dir() / name, tmp_path / name)
    faq = (tmp_path / "faq.yaml").read_text(encoding="utf-8")
    (tmp_path / "faq.yaml").write_text(faq.replace("entries:", "entries: [", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 1 and "YAML 写法有误" in messages[0], messages
    assert not any("related" in m for m in messages)

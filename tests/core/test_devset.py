"""开发集与留出集：点名准确率、旁听召回和误触发的底线；失败时打印每一条失误。"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cardguard.knowledge import load_knowledge
from cardguard.knowledge.yamlio import load_yaml
from cardguard.matching import Matcher
from cardguard.matching.evaluate import QuestionEval, evaluate_questions, format_question_eval

DATA = Path(__file__).resolve().parents[1] / "data"
TOP1_MIN = 0.95
# 当前底线 0.80（实测 0.806）；issue 的目标是 0.85，达到后把这里提上去。
PASSIVE_RECALL_MIN = 0.80
HOLDOUT_TOP1_MIN = 0.70


def _load(name: str, key: str) -> list[Any]:
    return list(load_yaml(DATA / name).get(key) or [])


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    """用发布的知识库建的匹配器。"""
    return Matcher(load_knowledge().entries)


@pytest.fixture(scope="module")
def dev(matcher: Matcher) -> QuestionEval:
    """questions.yaml + chatter.yaml 的评测结果。"""
    questions = _load("questions.yaml", "questions")
    chatter = _load("chatter.yaml", "chatter")
    assert questions and chatter, "开发集是空的"
    return evaluate_questions(matcher, questions, chatter)


def test_explicit_top1(dev: QuestionEval) -> None:
    assert dev.top1 >= TOP1_MIN, format_question_eval(dev)


def test_passive_never_triggers_on_chatter(dev: QuestionEval) -> None:
    assert dev.false_triggers == 0, format_question_eval(dev)


def test_passive_never_gives_a_wrong_answer(dev: QuestionEval) -> None:
    # 旁听答错比沉默更糟：最多 1%（目前 1 条：“密码泄露”落到了 risk-personal-info）。
    assert dev.passive_wrong <= dev.passive_total // 100, format_question_eval(dev)


def test_passive_recall(dev: QuestionEval) -> None:
    assert dev.passive_recall >= PASSIVE_RECALL_MIN, format_question_eval(dev)


def test_holdout_top1(matcher: Matcher) -> None:
    holdout = evaluate_questions(matcher, _load("questions_holdout.yaml", "questions"), [])
    assert holdout.questions > 0
    assert holdout.top1 >= HOLDOUT_TOP1_MIN, format_question_eval(holdout)

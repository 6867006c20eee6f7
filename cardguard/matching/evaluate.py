"""开发集评测：点名回答 top-1、旁听召回、旁听误触发，以及每一条失误。"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .matcher import Matcher


@dataclass
class Miss:
    """一条失误：原话、期望的 id、实际给出的 id 与分数。"""

    kind: str
    text: str
    expected: tuple[str, ...]
    got: str | None
    score: float


@dataclass
class QuestionEval:
    """问题集与闲聊集的评测结果。"""

    questions: int = 0
    top1_hits: int = 0
    passive_total: int = 0
    passive_hits: int = 0
    passive_wrong: int = 0
    chatter: int = 0
    false_triggers: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def top1(self) -> float:
        """点名提问的 top-1 准确率。"""
        return self.top1_hits / self.questions if self.questions else 0.0

    @property
    def passive_recall(self) -> float:
        """旁听模式下答对的比例。"""
        return self.passive_hits / self.passive_total if self.passive_total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON 友好的汇总。"""
        return {
            "questions": self.questions,
            "top1": round(self.top1, 4),
            "passive_recall": round(self.passive_recall, 4),
            "passive_wrong": self.passive_wrong,
            "chatter": self.chatter,
            "passive_false_triggers": self.false_triggers,
            "misses": [m.__dict__ for m in self.misses],
        }


def evaluate_questions(
    matcher: Matcher, questions: Sequence[dict[str, Any]], chatter: Sequence[str]
) -> QuestionEval:
    """跑一遍问题集和闲聊集。"""
    result = QuestionEval()
    for item in questions:
        _eval_question(matcher, item, result)
    for line in chatter:
        result.chatter += 1
        got = matcher.passive(str(line))
        if got.id is not None:
            result.false_triggers += 1
            result.misses.append(Miss("chatter", str(line), (), got.id, got.score))
    return result


def _eval_question(matcher: Matcher, item: dict[str, Any], result: QuestionEval) -> None:
    text, ids = str(item["text"]), tuple(item["ids"])
    result.questions += 1
    asked = matcher.ask(text)
    if asked.id in ids:
        result.top1_hits += 1
    else:
        result.misses.append(Miss("explicit", text, ids, asked.id, asked.score))
    if not item.get("passive", True):
        return
    result.passive_total += 1
    heard = matcher.passive(text)
    if heard.id in ids:
        result.passive_hits += 1
    elif heard.id is not None:
        result.passive_wrong += 1
        result.misses.append(Miss("passive-wrong", text, ids, heard.id, heard.score))
    else:
        result.misses.append(Miss("passive-silent", text, ids, None, heard.score))


def format_question_eval(result: QuestionEval) -> str:
    """人读的评测报告。"""
    lines = [
        f"explicit top-1:          {result.top1:.3f}  ({result.top1_hits}/{result.questions})",
        f"passive recall:          {result.passive_recall:.3f}"
        f"  ({result.passive_hits}/{result.passive_total})",
        f"passive wrong answers:   {result.passive_wrong}",
        f"passive false triggers:  {result.false_triggers}  (of {result.chatter} chatter lines)",
    ]
    if result.misses:
        lines.append("misses:")
        for m in result.misses:
            want = "/".join(m.expected) or "-"
            lines.append(f"  [{m.kind}] {m.text}  want={want} got={m.got} ({m.score:.0f})")
    return "\n".join(lines)

"""标注集评测：点名答对/答错、旁听答对/答错、闲聊误答，以及每一条失误。"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .matcher import Matcher, MatchResult

# 失误种类 → 报告里的中文说法。
MISS_KINDS = {
    "explicit-wrong": "点名答错",
    "explicit-silent": "点名没答",
    "passive-wrong": "旁听答错",
    "passive-silent": "旁听没开口",
    "chatter": "闲聊误答",
}


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
    explicit_wrong: int = 0
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
    def explicit_wrong_rate(self) -> float:
        """点名提问答了、但答的不是标注条目的比例。"""
        return self.explicit_wrong / self.questions if self.questions else 0.0

    @property
    def passive_recall(self) -> float:
        """旁听模式下答对的比例。"""
        return self.passive_hits / self.passive_total if self.passive_total else 0.0

    def add(self, other: QuestionEval) -> None:
        """把另一份结果累加进来（多个文件的合计）。"""
        for name in (
            "questions",
            "top1_hits",
            "explicit_wrong",
            "passive_total",
            "passive_hits",
            "passive_wrong",
            "chatter",
            "false_triggers",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses.extend(other.misses)

    def to_dict(self) -> dict[str, Any]:
        """JSON 友好的汇总。"""
        return {
            "questions": self.questions,
            "top1": round(self.top1, 4),
            "explicit_wrong": self.explicit_wrong,
            "explicit_wrong_rate": round(self.explicit_wrong_rate, 4),
            "passive_total": self.passive_total,
            "passive_recall": round(self.passive_recall, 4),
            "passive_wrong": self.passive_wrong,
            "chatter": self.chatter,
            "passive_false_triggers": self.false_triggers,
            "misses": [m.__dict__ for m in self.misses],
        }


def evaluate_questions(
    matcher: Matcher, questions: Sequence[dict[str, Any]], chatter: Iterable[object]
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
    elif asked.id is not None:
        result.explicit_wrong += 1
        result.misses.append(Miss("explicit-wrong", text, ids, asked.id, asked.score))
    else:
        result.misses.append(Miss("explicit-silent", text, ids, None, asked.score))
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
        # `passive` 确定不会开口时不一定算出第一名的分数；这里要给人看差多少，向 `passive_view` 要。
        first = matcher.passive_view(text).first
        score = MatchResult(None, first[1]).score if first else 0.0  # 和 `passive` 一样封在 0–100
        result.misses.append(Miss("passive-silent", text, ids, None, score))


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}  ({part}/{whole})" if whole else "-  （没有这类题）"


def format_summary(result: QuestionEval) -> list[str]:
    """汇总的几行：数字在前，每行后面一句话说明它量的是什么。"""
    lines = []
    if result.questions:
        lines += [
            f"  点名答对   {_share(result.top1_hits, result.questions)}"
            "  —— @机器人或 /问 时，给出的答案正是标注的条目",
            f"  点名答错   {_share(result.explicit_wrong, result.questions)}"
            "  —— 点名时给了标注以外的条目（比只给建议更糟；其余的是只给了建议）",
            f"  旁听答对   {_share(result.passive_hits, result.passive_total)}"
            "  —— 没点名时机器人主动开口并且答对（passive: false 的题不算）",
            f"  旁听答错   {_share(result.passive_wrong, result.passive_total)}"
            "  —— 没点名时开口了，答的却不是标注的条目",
        ]
    if result.chatter:
        lines.append(
            f"  闲聊误答   {result.false_triggers} / {result.chatter} 句"
            "  —— 和卡网无关的群聊，机器人却接了话（应该是 0）"
        )
    return lines


def format_misses(result: QuestionEval) -> list[str]:
    """每一条失误一行：种类、原话、标注的条目、实际给出的条目和分数。"""
    lines = []
    for m in result.misses:
        want = "/".join(m.expected) or "-"
        got = m.got or "（没答）"
        kind = MISS_KINDS.get(m.kind, m.kind)
        lines.append(f"  [{kind}] {m.text}  应为 {want}，给了 {got}（{m.score:.0f} 分）")
    return lines


def format_question_eval(result: QuestionEval, *, misses: bool = True) -> str:
    """人读的评测报告（中文）。"""
    lines = format_summary(result)
    if misses and result.misses:
        lines += ["失误：", *format_misses(result)]
    return "\n".join(lines)

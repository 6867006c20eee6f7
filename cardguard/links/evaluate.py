"""链接标注集评测：`python -m cardguard eval FILE`（顶层键 links:）用它。

文件格式::

    links:
      - text: "24小时自动发卡 全网最低 kami88点top"   # 或 segments: [OneBot 消息段...]
        expect: warn                                  # warn 或 quiet
        note: 可选说明
        extra_texts: [可选，例如二维码内容]
        allow: [可选，群内白名单]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ..knowledge.domains import DomainRules
from ..knowledge.errors import KnowledgeError, Problem, describe_error
from ..knowledge.yamlio import load_yaml, locate
from .scanner import scan


class LinkCase(BaseModel):
    """标注集里的一条：文本或消息段，加上期望结论。"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str | None = None
    segments: list[dict[str, Any]] | None = None
    expect: Literal["warn", "quiet"]
    note: str | None = None
    extra_texts: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one_message(self) -> LinkCase:
        if (self.text is None) == (self.segments is None):
            raise ValueError("text 和 segments 必须且只能写一个")
        return self

    @property
    def message(self) -> str | list[dict[str, Any]]:
        """交给 scan 的消息。"""
        return self.text if self.text is not None else list(self.segments or [])


def load_cases(path: Path) -> list[tuple[int | None, LinkCase]]:
    """读取并校验标注集；返回 (行号, 条目)。有问题抛 `KnowledgeError`（逐条带行号）。"""
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("links"), list):
        raise KnowledgeError([Problem(str(path), 1, None, "顶层必须有列表键 links")])
    cases: list[tuple[int | None, LinkCase]] = []
    problems: list[Problem] = []
    for index, raw in enumerate(data["links"]):
        line = locate(path, ["links", index])
        try:
            cases.append((line, LinkCase.model_validate(raw)))
        except ValidationError as exc:
            entry = f"links[{index}]"
            problems.extend(
                Problem(str(path), line, entry, describe_error(e)) for e in exc.errors()
            )
    if problems:
        raise KnowledgeError(problems)
    return cases


def evaluate_links(path: Path, rules: DomainRules) -> dict[str, Any]:
    """逐条扫描标注集，统计命中/漏报/误报；misses 里是判错的条目（含分数和理由）。"""
    counts = {"warn_ok": 0, "warn_missed": 0, "quiet_ok": 0, "quiet_false_warn": 0}
    misses: list[dict[str, Any]] = []
    cases = load_cases(path)
    for line, case in cases:
        result = scan(case.message, rules, extra_texts=case.extra_texts, allow=case.allow)
        got = result.to_dict()["verdict"]
        if case.expect == "warn":
            counts["warn_ok" if got == "warn" else "warn_missed"] += 1
        else:
            counts["quiet_ok" if got == "quiet" else "quiet_false_warn"] += 1
        if got != case.expect:
            misses.append(_miss(line, case, got, result.score, result.top))
    return _summary(str(path), len(cases), counts, misses)


def _miss(line: int | None, case: LinkCase, got: str, score: int, top: Any) -> dict[str, Any]:
    shown = case.text if case.text is not None else f"<{len(case.segments or [])} 个消息段>"
    return {
        "line": line,
        "message": shown[:80],
        "expect": case.expect,
        "got": got,
        "score": score,
        "url": top.url if top else None,
        "reasons": list(top.reasons) if top else [],
        "note": case.note,
    }


def _summary(
    file: str, total: int, counts: dict[str, int], misses: list[dict[str, Any]]
) -> dict[str, Any]:
    warned = counts["warn_ok"] + counts["quiet_false_warn"]
    expected = counts["warn_ok"] + counts["warn_missed"]
    correct = counts["warn_ok"] + counts["quiet_ok"]
    return {
        "kind": "links",
        "file": file,
        "total": total,
        **counts,
        "accuracy": round(correct / total, 4) if total else 1.0,
        "precision": round(counts["warn_ok"] / warned, 4) if warned else 1.0,
        "recall": round(counts["warn_ok"] / expected, 4) if expected else 1.0,
        "misses": misses,
    }


def format_link_eval(result: dict[str, Any]) -> str:
    """把评测结果写成几行人能读的文字。"""
    lines = [
        f"链接标注集 {result['file']}：共 {result['total']} 条，"
        f"准确率 {result['accuracy']:.1%}，精确率 {result['precision']:.1%}，召回率 {result['recall']:.1%}",
        f"  应提醒：命中 {result['warn_ok']}，漏报 {result['warn_missed']}；"
        f"不应提醒：正确 {result['quiet_ok']}，误报 {result['quiet_false_warn']}",
    ]
    for miss in result["misses"]:
        kind = "漏报" if miss["expect"] == "warn" else "误报"
        where = f"第 {miss['line']} 行" if miss["line"] else "?"
        lines.append(f"  [{kind}] {where} 分数 {miss['score']}：{miss['message']}")
        if miss["reasons"]:
            lines.append(f"         理由：{'；'.join(miss['reasons'])}")
    if not result["misses"]:
        lines.append("  全部判对。")
    return "\n".join(lines)

"""链接标注集评测：`python -m cardguard eval FILE` 和 `eval-links FILE...` 用它。

文件格式::

    sources:                                          # 可选：出处说明，条目里用键引用
      R-dj-web: assimon/dujiaoka routes/common/web.php
    links:
      - text: "24小时自动发卡 全网最低 kami88点top"   # 或 segments: [OneBot 消息段...]
        expect: warn                                  # warn 或 quiet
        family: dujiaoka                              # 可选：按家族分别统计召回/误报
        source: R-dj-web                              # 可选：sources 里的键，多个用 + 连接
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
from ..knowledge.yamlio import load_yaml, locate_items
from .scanner import scan


class LinkCase(BaseModel):
    """标注集里的一条：文本或消息段，加上期望结论。"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str | None = None
    segments: list[dict[str, Any]] | None = None
    expect: Literal["warn", "quiet"]
    family: str | None = None
    source: str | None = None
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
    """读取并校验标注集；返回 (行号, 条目)。有问题抛 `KnowledgeError`（逐条带行号）。

    文件有 sources: 时，每条的 source 必须是其中的键（多个用 + 连接）。
    """
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("links"), list):
        raise KnowledgeError([Problem(str(path), 1, None, "顶层必须有列表键 links")])
    sources = data.get("sources")
    known = set(sources) if isinstance(sources, dict) else None
    cases: list[tuple[int | None, LinkCase]] = []
    problems: list[Problem] = []
    lines = locate_items(path, ["links"])
    for index, raw in enumerate(data["links"]):
        line = lines[index] if index < len(lines) else None
        entry = f"links[{index}]"
        try:
            case = LinkCase.model_validate(raw)
        except ValidationError as exc:
            problems.extend(
                Problem(str(path), line, entry, describe_error(e)) for e in exc.errors()
            )
            continue
        unknown = _unknown_sources(case, known)
        if unknown:
            problems.append(
                Problem(str(path), line, entry, f"source 里的键不在 sources 里：{unknown}")
            )
        cases.append((line, case))
    if problems:
        raise KnowledgeError(problems)
    return cases


def _unknown_sources(case: LinkCase, known: set[str] | None) -> list[str]:
    if known is None or case.source is None:
        return []
    return [key for key in case.source.split("+") if key.strip() not in known]


def evaluate_links(path: Path, rules: DomainRules) -> dict[str, Any]:
    """逐条扫描标注集，统计命中/漏报/误报；misses 里是判错的条目（含分数和理由）。

    families 按条目的 family（没写的记作 "-"）分别统计：应提醒的看召回，不应提醒的看误报数。
    """
    counts = {"warn_ok": 0, "warn_missed": 0, "quiet_ok": 0, "quiet_false_warn": 0}
    families: dict[str, dict[str, int]] = {}
    misses: list[dict[str, Any]] = []
    cases = load_cases(path)
    for line, case in cases:
        result = scan(case.message, rules, extra_texts=case.extra_texts, allow=case.allow)
        got = result.to_dict()["verdict"]
        if case.expect == "warn":
            counts["warn_ok" if got == "warn" else "warn_missed"] += 1
        else:
            counts["quiet_ok" if got == "quiet" else "quiet_false_warn"] += 1
        family = families.setdefault(case.family or "-", {"warn": 0, "quiet": 0, "warned": 0})
        family[case.expect] += 1
        family["warned"] += got == "warn"
        if got != case.expect:
            misses.append(_miss(line, case, got, result.score, result.top))
    summary = _summary(str(path), len(cases), counts, misses)
    summary["families"] = families
    return summary


def merge_families(results: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """把几个文件的 families 按家族名加起来。"""
    merged: dict[str, dict[str, int]] = {}
    for result in results:
        for name, counts in result.get("families", {}).items():
            into = merged.setdefault(name, {"warn": 0, "quiet": 0, "warned": 0})
            for key, value in counts.items():
                into[key] += value
    return merged


def family_rows(families: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """每个家族一行：应提醒的给召回率，不应提醒的给误报数（混合的两样都给）。"""
    rows: list[dict[str, Any]] = []
    for name in sorted(families):
        counts = families[name]
        warn, quiet, warned = counts["warn"], counts["quiet"], counts["warned"]
        # 混合家族里分不清 warned 来自哪一类，只在纯家族里给数字
        row: dict[str, Any] = {"family": name, "total": warn + quiet}
        if warn and not quiet:
            row["recall"] = round(warned / warn, 4)
            row["warned"] = warned
        elif quiet and not warn:
            row["false_warnings"] = warned
        else:
            row["warned"] = warned
        rows.append(row)
    return rows


def format_families(families: dict[str, dict[str, int]]) -> str:
    """按家族的表：召回率（应提醒的家族）或误报条数（不应提醒的家族）。"""
    lines = ["  家族                 条数   结果"]
    for row in family_rows(families):
        if "recall" in row:
            result = f"召回 {row['recall']:.1%}（{row['warned']}/{row['total']}）"
        elif "false_warnings" in row:
            result = f"误报 {row['false_warnings']}/{row['total']}"
        else:
            result = f"提醒 {row['warned']}/{row['total']}（混合）"
        lines.append(f"  {row['family']:<20} {row['total']:>5}   {result}")
    return "\n".join(lines)


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
        "family": case.family,
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
    if len(result.get("families", {})) > 1 or "-" not in result.get("families", {"-": 0}):
        lines.append(format_families(result["families"]))
    for miss in result["misses"]:
        kind = "漏报" if miss["expect"] == "warn" else "误报"
        where = f"第 {miss['line']} 行" if miss["line"] else "?"
        lines.append(f"  [{kind}] {where} 分数 {miss['score']}：{miss['message']}")
        if miss["reasons"]:
            lines.append(f"         理由：{'；'.join(miss['reasons'])}")
    if not result["misses"]:
        lines.append("  全部判对。")
    return "\n".join(lines)

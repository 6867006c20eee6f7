"""数据文件的格式：entries.yaml（问答覆盖层）、groups.yaml（各群设置）、pending.yaml（审核队列）。

都是人能读、能提交到仓库的 YAML；读入时逐项校验，出错给出文件和行号。
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..knowledge import Entry, KnowledgeError, Problem, RiskEntry, parse_entries
from ..knowledge.errors import describe_error
from ..knowledge.schema import MAX_ANSWER, MAX_QUESTION
from ..knowledge.yamlio import dump_yaml, locate
from ..settings import LINK_MODES
from .errors import LimitError

Key = tuple[str, str | None]
MAX_ALIASES = 150  # 发布的条目有七八十种问法；管理员在此基础上还能再加

ENTRIES_HEADER = (
    "# 卡盟安全助手：管理员在群里添加/修改的问答，启动时合并到 knowledge/ 上。\n"
    "# scope 为群号的条目只在那个群生效；removed 里是被删掉的内置条目。\n"
    "# 新的改动先记在 audit.jsonl，攒够一批（或关机时）才写进这里；journal_seq 是写到的序号。\n"
    "# 可以手工编辑，改完在群里发 /faq reload。\n"
)
GROUPS_HEADER = "# 卡盟安全助手：各群的设置（/guard、/link 命令写入），只记改过的项。\n"
PENDING_HEADER = "# 卡盟安全助手：等机器人管理员审核的问答（/faq pending、/faq approve）。\n"


@dataclass
class Overlay:
    """管理员覆盖层：条目、被删的内置条目、新 id 的计数器。"""

    entries: dict[Key, Entry] = field(default_factory=dict)
    removed: set[Key] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)


@dataclass
class Pending:
    """审核队列：编号 → 待审内容。"""

    next: int = 1
    items: dict[int, dict[str, Any]] = field(default_factory=dict)


# ---------- 条目 ----------


def dump_entry(entry: Entry) -> dict[str, Any]:
    """条目写成 YAML 用的字典（省略默认值，但总写 aliases；风险点写明 kind）。"""
    data = entry.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("aliases", [])
    if entry.kind != "faq":
        data["kind"] = entry.kind
    order = list(Entry.model_fields)
    return {k: data[k] for k in sorted(data, key=order.index)}


def load_entry(data: dict[str, Any]) -> Entry:
    """从字典还原条目（风险点还原成 `RiskEntry`）。"""
    model = RiskEntry if data.get("kind") == "risk" else Entry
    return model.model_validate(data)


def check_lengths(question: str | None = None, answer: str | None = None) -> None:
    """问题和答案的长度检查，超出时给出清楚的一句话。"""
    if question is not None:
        _check_length("问题", question.strip(), MAX_QUESTION)
    if answer is not None:
        _check_length("答案", answer.strip(), MAX_ANSWER)


def _check_length(what: str, text: str, limit: int) -> None:
    if len(text) < 2:
        raise LimitError(f"{what}太短了，至少要 2 个字。")
    if len(text) > limit:
        raise LimitError(f"{what}太长了：最多 {limit} 字，现在 {len(text)} 字。")


def build_entry(data: dict[str, Any]) -> Entry:
    """校验并生成条目；不合规时抛出 `LimitError`（一句中文）。"""
    check_lengths(data.get("question"), data.get("answer"))
    if len(data.get("aliases") or ()) > MAX_ALIASES:
        raise LimitError(f"问法太多了：一条最多 {MAX_ALIASES} 个别名。")
    try:
        return load_entry(data)
    except ValidationError as exc:
        raise LimitError(describe_error(exc.errors()[0])) from exc


def group_prefix(scope: str | None) -> str:
    """新条目 id 的前缀：全局 custom，群条目 g<群号>。"""
    if scope is None:
        return "custom"
    return "g" + (re.sub(r"[^a-z0-9]+", "-", scope.lower()).strip("-") or "group")


# ---------- entries.yaml ----------


def parse_overlay(data: Any, path: Path) -> Overlay:
    """校验 entries.yaml；任何问题都抛出带行号的 `KnowledgeError`。"""
    if data is None:
        return Overlay()
    if not isinstance(data, dict):
        raise KnowledgeError([Problem(str(path), 1, None, "顶层必须是映射（entries / removed）")])
    raw = {"entries": data.get("entries") or []}
    good, problems = parse_entries(raw, path, Entry)
    overlay = Overlay()
    for index, entry in enumerate(good):
        key = (entry.id, entry.scope)
        if key in overlay.entries:
            line = locate(path, ["entries", index])
            problems.append(Problem(str(path), line, entry.id, "同一作用域里 id 重复"))
        overlay.entries[key] = _restore_kind(entry, path, problems)
    overlay.removed = _parse_removed(data.get("removed") or [], path, problems)
    overlay.counters = _parse_counters(data.get("next_number") or {}, path, problems)
    if problems:
        raise KnowledgeError(problems)
    return overlay


def _restore_kind(entry: Entry, path: Path, problems: list[Problem]) -> Entry:
    if entry.kind != "risk":
        return entry
    try:
        return RiskEntry.model_validate(entry.model_dump())
    except ValidationError as exc:
        problems.append(Problem(str(path), None, entry.id, describe_error(exc.errors()[0])))
        return entry


def _parse_removed(raw: Any, path: Path, problems: list[Problem]) -> set[Key]:
    removed: set[Key] = set()
    if not isinstance(raw, list):
        problems.append(Problem(str(path), locate(path, ["removed"]), None, "removed 必须是列表"))
        return removed
    for index, item in enumerate(raw):
        ok = isinstance(item, dict) and isinstance(item.get("id"), str)
        scope = item.get("scope") if isinstance(item, dict) else None
        if not ok or not (scope is None or isinstance(scope, str | int)):
            line = locate(path, ["removed", index])
            problems.append(
                Problem(str(path), line, None, "removed 的每项要有 id（和可选的 scope）")
            )
            continue
        removed.add((item["id"], None if scope is None else str(scope)))
    return removed


def _parse_counters(raw: Any, path: Path, problems: list[Problem]) -> dict[str, int]:
    if isinstance(raw, dict) and all(isinstance(v, int) for v in raw.values()):
        return {str(k): v for k, v in raw.items()}
    line = locate(path, ["next_number"])
    problems.append(Problem(str(path), line, None, "next_number 必须是 前缀: 数字 的映射"))
    return {}


def render_overlay(overlay: Overlay, journal_seq: int = 0) -> str:
    """entries.yaml 的全文；`journal_seq`：审计日志里到这一号为止的改动都已写进来。"""
    data: dict[str, Any] = {
        "journal_seq": journal_seq,
        "entries": [dump_entry(e) for e in overlay.entries.values()],
        "removed": [{"id": i, "scope": s} for i, s in sorted(overlay.removed, key=_key_order)],
        "next_number": dict(sorted(overlay.counters.items())),
    }
    return ENTRIES_HEADER + dump_yaml(data)


def render_entries(entries: Iterable[Entry]) -> str:
    """导出用：和 knowledge/faq.yaml 相同的格式。"""
    return ENTRIES_HEADER + dump_yaml({"entries": [dump_entry(e) for e in entries]})


def _key_order(key: Key) -> tuple[str, str]:
    return (key[1] or "", key[0])


# ---------- groups.yaml ----------

GROUP_FIELDS: dict[str, type] = {
    "enabled": bool,
    "passive": bool,
    "link_guard": bool,
    "link_mode": str,
    "allow_sites": list,
    "block_sites": list,
    "quiet_questions": list,
    "false_alarms": list,
}


def parse_groups(data: Any, path: Path) -> dict[str, dict[str, Any]]:
    """校验 groups.yaml：群号 → 改过的设置项。"""
    if data is None:
        return {}
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, dict):
        raise KnowledgeError([Problem(str(path), 1, None, "顶层必须是映射，并有一个键 groups")])
    problems: list[Problem] = []
    result: dict[str, dict[str, Any]] = {}
    for group, values in groups.items():
        message = _group_problem(values)
        if message:
            line = locate(path, ["groups", group])
            problems.append(Problem(str(path), line, str(group), message))
            continue
        result[str(group)] = dict(values)
    if problems:
        raise KnowledgeError(problems)
    return result


def _group_problem(values: Any) -> str | None:
    if not isinstance(values, dict):
        return "每个群的设置必须是映射"
    for name, value in values.items():
        expected = GROUP_FIELDS.get(name)
        if expected is None:
            return f"未知设置 {name}"
        if not isinstance(value, expected):
            return f"{name} 的类型不对"
    if values.get("link_mode", "warn") not in LINK_MODES:
        return f"link_mode 只能是 {' / '.join(LINK_MODES)}"
    return None


def render_groups(groups: dict[str, dict[str, Any]], journal_seq: int = 0) -> str:
    """groups.yaml 的全文。"""
    data = {"journal_seq": journal_seq, "groups": dict(sorted(groups.items()))}
    return GROUPS_HEADER + dump_yaml(data)


# ---------- pending.yaml ----------


def parse_pending(data: Any, path: Path) -> Pending:
    """校验 pending.yaml。"""
    if data is None:
        return Pending()
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not isinstance(data.get("next", 1), int):
        raise KnowledgeError(
            [Problem(str(path), 1, None, "顶层必须有 next（数字）和 items（列表）")]
        )
    pending = Pending(next=data.get("next", 1))
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("number"), int):
            line = locate(path, ["items", index])
            raise KnowledgeError([Problem(str(path), line, None, "每个待审项要有数字 number")])
        pending.items[item["number"]] = item
    pending.next = max(pending.next, *(n + 1 for n in pending.items), 1)
    return pending


def render_pending(pending: Pending, journal_seq: int = 0) -> str:
    """pending.yaml 的全文。"""
    items = [pending.items[n] for n in sorted(pending.items)]
    data = {"journal_seq": journal_seq, "next": pending.next, "items": items}
    return PENDING_HEADER + dump_yaml(data)


def journal_seq(data: Any) -> int | None:
    """数据文件记下的审计日志序号（旧版本写的文件没有这一项）。"""
    seq = data.get("journal_seq") if isinstance(data, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None

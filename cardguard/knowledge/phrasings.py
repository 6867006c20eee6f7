"""knowledge/phrasings/<id>.yaml：条目的问法（训练数据），和条目本身分开放。

faq.yaml、risks.yaml 里每条只留人要改的字段（问题、答案、关键词……），一屏读得完；
群友可能的各种问法放在 phrasings/ 下，一个条目一个文件：

    id: paid-no-delivery
    phrasings:
      - 付了钱一直不发货
      - 卡盟收钱不给卡密

加载时这些问法接在条目自己的 `aliases` 后面（条目里照样可以直接写 aliases）。
没有问法文件的条目也完全合法：只靠它的 question 和共享的匹配规则。
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import KnowledgeError, Problem
from .schema import MAX_QUESTION, Entry
from .yamlio import load_yaml, locate

PHRASINGS_DIR = "phrasings"


def phrasing_files(directory: Path) -> list[Path]:
    """问法文件（按文件名排序）；没有 phrasings/ 目录时为空。"""
    folder = directory / PHRASINGS_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.yaml"))


def attach_phrasings(
    entries: Sequence[Entry], directory: Path, problems: list[Problem]
) -> list[Entry]:
    """读 phrasings/ 下的问法，接到同 id 条目的 aliases 后面；有问题记进 `problems`（文件:行号）。"""
    by_id = {e.id: n for n, e in enumerate(entries)}
    extra: dict[str, list[str]] = {}
    for path in phrasing_files(directory):
        try:
            data = load_yaml(path)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            continue
        found = parse_phrasings(data, path, problems)
        if found is None:
            continue
        entry_id, lines = found
        if entry_id not in by_id:
            line = locate(path, ["id"])
            message = f"没有 id 为 {entry_id} 的条目（faq.yaml、risks.yaml 里都找不到）"
            problems.append(Problem(str(path), line, entry_id, message))
            continue
        extra.setdefault(entry_id, []).extend(lines)
    out = list(entries)
    for entry_id, lines in extra.items():
        n = by_id[entry_id]
        entry = out[n]
        known = set(entry.aliases)
        added = [t for t in dict.fromkeys(lines) if t not in known]
        out[n] = entry.model_copy(update={"aliases": (*entry.aliases, *added)})
    return out


def parse_phrasings(data: Any, path: Path, problems: list[Problem]) -> tuple[str, list[str]] | None:
    """校验一个问法文件：顶层映射，`id` 与文件名一致，`phrasings` 是一串不太长的非空文字。"""
    name = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("phrasings"), list):
        line = locate(path, []) if data is not None else 1
        problems.append(Problem(name, line, None, "顶层必须是映射：id 和一个列表键 phrasings"))
        return None
    entry_id = data.get("id")
    if not isinstance(entry_id, str) or not entry_id.strip():
        problems.append(Problem(name, locate(path, []), None, "缺少字段 id（条目的编号）"))
        return None
    entry_id = entry_id.strip()
    if entry_id != path.stem:
        line = locate(path, ["id"])
        message = f"文件名应该和 id 一样：id 是 {entry_id}，文件叫 {path.name}"
        problems.append(Problem(name, line, entry_id, message))
        return None
    good: list[str] = []
    for index, item in enumerate(data["phrasings"]):
        reason = _problem_with(item)
        if reason:
            line = locate(path, ["phrasings", index])
            problems.append(Problem(name, line, entry_id, reason))
        else:
            good.append(str(item).strip())
    return entry_id, good


def _problem_with(item: Any) -> str | None:
    if isinstance(item, bool) or not isinstance(item, str | int | float):
        return f"第 {item!r} 项不是一句文字（列表里每项写一种问法）"
    text = str(item).strip()
    if len(text) < 2:
        return "有一项是空的或只有一个字"
    if len(text) > MAX_QUESTION:
        return f"有一项太长（{len(text)} 字，最多 {MAX_QUESTION}）"
    return None

"""管理命令看到的条目：按 id 找、这里能看到哪些、能不能改、有几条。"""

from __future__ import annotations

from cardguard.knowledge import Entry
from cardguard.text import normalize

from ..app import runtime


def find(entry_id: str, group: str | None) -> Entry | None:
    """按 id 找当前生效的条目：群里优先本群的，再全局；私聊先全局再任意群。"""
    found = [e for e in runtime.knowledge.entries if e.id == entry_id]
    for scope in (group, None) if group is not None else (None,):
        for entry in found:
            if entry.scope == scope:
                return entry
    return found[0] if found and group is None else None


def in_base(entry: Entry) -> bool:
    """发布的知识里是否有这个条目（同 id 同作用域）。"""
    return any(e.id == entry.id and e.scope == entry.scope for e in runtime.shipped.entries)


def shipped_version(entry: Entry) -> Entry | None:
    """这个条目在发布的知识里的样子（管理员没改过时就是它本身）。"""
    return next(
        (e for e in runtime.shipped.entries if e.id == entry.id and e.scope == entry.scope), None
    )


def visible(group: str | None) -> list[Entry]:
    """这里能看到的条目：本群的、管理员加的全局的、内置的（私聊看全部）。"""
    entries = [e for e in runtime.knowledge.entries if group is None or e.scope in (None, group)]
    return sorted(entries, key=lambda e: _order(e, group))


def _order(entry: Entry, group: str | None) -> int:
    if entry.scope is not None and entry.scope == group:
        return 0
    return 1 if runtime.store.is_custom(entry) else 2


def counts(group: str | None) -> tuple[int, int, int]:
    """（内置条数，管理员加的全局条数，本群条数）。"""
    custom = runtime.store.custom_entries()
    glob = sum(1 for e in custom if e.scope is None)
    local = sum(1 for e in custom if group is not None and e.scope == group)
    return len(runtime.shipped.entries), glob, local


def duplicate_of(question: str, scope: str | None) -> Entry | None:
    """同一范围里已有完全相同的问法时返回那条。"""
    wanted = normalize(question)
    for entry in runtime.knowledge.entries:
        if entry.scope in (None, scope) and any(normalize(p) == wanted for p in entry.phrasings):
            return entry
    return None

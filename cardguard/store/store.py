"""管理员数据的唯一入口：问答覆盖层、各群设置、审核队列、审计日志、缺口。

每次修改：在锁里算出改动 → 写文件（留 .bak、原子替换、fsync）→ 追加审计日志（fsync）→ 返回。
返回之后（向管理员确认之后）即使进程被 kill -9，改动也还在。
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..knowledge import Entry, KnowledgeError, merge_entries
from ..knowledge.yamlio import write_atomic
from .audit import AuditLog, Change, Record
from .errors import ConflictError, NotFoundError
from .files import (
    load_or_recover,
    move_aside,
    parse_file,
    remove_stale_temps,
    save_with_backup,
)
from .formats import (
    Key,
    Overlay,
    Pending,
    build_entry,
    dump_entry,
    group_prefix,
    parse_groups,
    parse_overlay,
    parse_pending,
    render_entries,
    render_groups,
    render_overlay,
    render_pending,
)
from .gaps import GapLog

ENTRIES_FILE = "entries.yaml"
GROUPS_FILE = "groups.yaml"
PENDING_FILE = "pending.yaml"
AUDIT_FILE = "audit.jsonl"
GAPS_FILE = "gaps.jsonl"
FILES_DIR = "files"
EXPORT_DIR = "exports"
MAX_FALSE_ALARMS = 100


@dataclass(frozen=True)
class Actor:
    """谁在哪里发的命令：用户 QQ 号和所在群（私聊为 None）。"""

    user: str
    group: str | None


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(
        b, sort_keys=True, ensure_ascii=False
    )


class Store:
    """一个数据目录里的全部管理员数据；所有方法线程安全，修改互相串行。"""

    def __init__(
        self, data_dir: Path, *, keep_gaps_days: int = 30, now: Callable[[], float] = time.time
    ) -> None:
        self.dir = data_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.notes: list[str] = []
        remove_stale_temps(self.dir, (ENTRIES_FILE, GROUPS_FILE, PENDING_FILE, GAPS_FILE))
        self.overlay = self._load(ENTRIES_FILE, parse_overlay, Overlay)
        self.groups = self._load(GROUPS_FILE, parse_groups, dict)
        self.pending = self._load(PENDING_FILE, parse_pending, Pending)
        self.audit = AuditLog(self.dir / AUDIT_FILE)
        self.notes.extend(self.audit.notes)
        self.gaps = GapLog(self.dir / GAPS_FILE, keep_gaps_days, now)
        self.notes.extend(self.gaps.notes)

    def _load(self, name: str, parse: Callable[[Any, Path], Any], empty: Callable[[], Any]) -> Any:
        value, notes = load_or_recover(self.dir / name, parse, empty)
        self.notes.extend(notes)
        return value

    @property
    def files_dir(self) -> Path:
        """答案图片存放的目录。"""
        return self.dir / FILES_DIR

    # ---------- 读 ----------

    def custom_entries(self) -> list[Entry]:
        """管理员加的或改过的条目。"""
        with self._lock:
            return list(self.overlay.entries.values())

    def is_custom(self, entry: Entry) -> bool:
        """这个条目是否来自管理员（而不是内置知识）。"""
        return (entry.id, entry.scope) in self.overlay.entries

    def merge(self, base: Iterable[Entry]) -> list[Entry]:
        """内置知识 + 覆盖层：同 id 同作用域替换，删掉的去掉。"""
        with self._lock:
            merged = merge_entries(base, self.overlay.entries.values(), set())
            removed = set(self.overlay.removed)
        return [e for e in merged if (e.id, e.scope) not in removed]

    def group_overrides(self) -> dict[str, dict[str, Any]]:
        """各群改过的设置（副本）。"""
        with self._lock:
            return {g: dict(v) for g, v in self.groups.items()}

    def pending_items(self) -> list[dict[str, Any]]:
        """待审核的内容，按编号排序。"""
        with self._lock:
            return [dict(self.pending.items[n]) for n in sorted(self.pending.items)]

    def pending_item(self, number: int) -> dict[str, Any]:
        """一条待审内容；没有时抛出 `NotFoundError`。"""
        with self._lock:
            item = self.pending.items.get(number)
        if item is None:
            raise NotFoundError(f"没有编号为 {number} 的待审内容。")
        return dict(item)

    def history(self, entry_id: str | None = None, group: str | None = None) -> list[Record]:
        """改动记录，新的在前；可按条目或群过滤（group=None 表示全部）。"""
        records = [r for r in self.audit.records() if _matches(r, entry_id, group)]
        records.reverse()
        return records

    # ---------- 写：条目 ----------

    def add_entry(
        self,
        actor: Actor,
        data: dict[str, Any],
        *,
        command: str = "faq add",
        take_pending: int | None = None,
    ) -> tuple[Entry, Record]:
        """新增条目（自动分配 id），返回（条目，审计记录）。"""
        with self._lock:
            scope = data.get("scope")
            entry = build_entry({**data, "id": self._next_id(scope)})
            change = Change("entry", entry.id, scope, None, {"entry": dump_entry(entry)})
            counters = dict(self.overlay.counters)
            self.overlay.counters[group_prefix(scope)] = int(entry.id.rsplit("-", 1)[1])
            try:
                record = self._commit(actor, command, [change], take_pending)
            except Exception:
                self.overlay.counters = counters
                raise
            return entry, record

    def put_entry(
        self, actor: Actor, entry: Entry, *, command: str, take_pending: int | None = None
    ) -> Record:
        """用新版本替换（或覆盖内置的）同 id 同作用域的条目。"""
        with self._lock:
            entry = build_entry(dump_entry(entry))
            before = self._state("entry", entry.id, entry.scope)
            after = {"entry": dump_entry(entry)}
            change = Change("entry", entry.id, entry.scope, before, after)
            return self._commit(actor, command, [change], take_pending)

    def delete_entry(self, actor: Actor, entry: Entry, *, in_base: bool) -> Record:
        """删除条目；内置条目留下删除标记（撤销可恢复）。"""
        with self._lock:
            before = self._state("entry", entry.id, entry.scope)
            if before is None and not in_base:
                raise NotFoundError(f"没有这条：{entry.id}")
            after = {"removed": True} if in_base else None
            change = Change("entry", entry.id, entry.scope, before, after)
            return self._commit(actor, "faq del", [change])

    def _next_id(self, scope: str | None) -> str:
        prefix = group_prefix(scope)
        number = self.overlay.counters.get(prefix, 0) + 1
        taken = {key[0] for key in self.overlay.entries}
        while f"{prefix}-{number}" in taken:
            number += 1
        return f"{prefix}-{number}"

    # ---------- 写：群设置、审核 ----------

    def set_group(self, actor: Actor, group: str, command: str, **values: Any) -> Record | None:
        """改一个群的设置项；没有实际变化时不写、返回 None。"""
        with self._lock:
            before = self._state("group", group, None)
            after = {**(before or {}), **values}
            if _same(before, after):
                return None
            return self._commit(actor, command, [Change("group", group, None, before, after)])

    def false_alarms(self, group: str, hosts: Iterable[str], user: str) -> list[dict[str, Any]]:
        """这个群的误报记录加上新的几条（最多留 100 条），供 `set_group` 写入。"""
        with self._lock:
            reports = list((self.groups.get(group) or {}).get("false_alarms", []))
        now = round(time.time())
        reports += [{"host": h, "user": user, "ts": now} for h in hosts]
        return reports[-MAX_FALSE_ALARMS:]

    def submit(self, actor: Actor, item: dict[str, Any]) -> int:
        """放进审核队列，返回审核编号。"""
        with self._lock:
            number = self.pending.next
            item = {"number": number, "user": actor.user, "group": actor.group, **item}
            item["ts"] = round(time.time())
            self.pending.next += 1
            self._commit(actor, "faq submit", [Change("pending", str(number), None, None, item)])
            return number

    def reject(self, actor: Actor, number: int) -> Record:
        """驳回一条待审内容。"""
        with self._lock:
            item = self.pending_item(number)
            return self._commit(actor, "faq reject", [Change("pending", str(number), None, item)])

    # ---------- 撤销 ----------

    def undo(self, actor: Actor) -> Record:
        """撤销这个人在这里（同一群/私聊）的上一次修改；之后又被别人改过就拒绝。"""
        with self._lock:
            target = self._last_undoable(actor)
            for change in target.changes:
                current = self._state(change.target, change.id, change.scope)
                if not _same(current, change.after):
                    raise ConflictError(_conflict_message(change))
            inverse = [c.inverse() for c in reversed(target.changes)]
            return self._commit(actor, "faq undo", inverse, undoes=target.seq, note=target.command)

    def _last_undoable(self, actor: Actor) -> Record:
        records = list(self.audit.records())
        undone = {r.undoes for r in records if r.undoes is not None}
        for record in reversed(records):
            mine = record.actor == actor.user and record.group == actor.group
            if mine and record.undoes is None and record.seq not in undone:
                return record
        raise NotFoundError("你在这里还没有可以撤销的修改。")

    # ---------- 提交 ----------

    def _commit(
        self,
        actor: Actor,
        command: str,
        changes: list[Change],
        take_pending: int | None = None,
        *,
        undoes: int | None = None,
        note: str = "",
    ) -> Record:
        if take_pending is not None:
            item = self.pending_item(take_pending)
            changes = [*changes, Change("pending", str(take_pending), None, item, None)]
        for change in changes:
            self._set_state(change, change.after)
        try:
            self._save({c.target for c in changes})
        except Exception:
            for change in reversed(changes):
                self._set_state(change, change.before)
            raise
        return self.audit.append(
            actor.user, actor.group, command, tuple(changes), undoes=undoes, note=note
        )

    def _state(self, target: str, key: str, scope: str | None) -> Any:
        if target == "entry":
            entry = self.overlay.entries.get((key, scope))
            if entry is not None:
                return {"entry": dump_entry(entry)}
            return {"removed": True} if (key, scope) in self.overlay.removed else None
        if target == "group":
            found = self.groups.get(key)
            return dict(found) if found is not None else None
        found = self.pending.items.get(int(key))
        return dict(found) if found is not None else None

    def _set_state(self, change: Change, state: Any) -> None:
        if change.target == "entry":
            self._set_entry((change.id, change.scope), state)
        elif change.target == "group":
            _put(self.groups, change.id, dict(state) if state is not None else None)
        else:
            _put(self.pending.items, int(change.id), dict(state) if state is not None else None)

    def _set_entry(self, key: Key, state: Any) -> None:
        self.overlay.entries.pop(key, None)
        self.overlay.removed.discard(key)
        if state is None:
            return
        if "entry" in state:
            self.overlay.entries[key] = build_entry(state["entry"])
        elif state.get("removed"):
            self.overlay.removed.add(key)

    def _save(self, targets: set[str]) -> None:
        if "entry" in targets:
            save_with_backup(self.dir / ENTRIES_FILE, render_overlay(self.overlay))
        if "group" in targets:
            save_with_backup(self.dir / GROUPS_FILE, render_groups(self.groups))
        if "pending" in targets:
            save_with_backup(self.dir / PENDING_FILE, render_pending(self.pending))

    # ---------- 导出、重读 ----------

    def export(self, scopes: Sequence[str | None] | None = None) -> tuple[Path, int]:
        """把管理员的条目（可只取某些作用域）写成 YAML 到 exports/，返回（路径，条数）。"""
        with self._lock:
            entries = [
                e for e in self.overlay.entries.values() if scopes is None or e.scope in scopes
            ]
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.dir / EXPORT_DIR / f"entries-{stamp}.yaml"
        write_atomic(path, render_entries(entries))
        return path, len(entries)

    def reload_entries(self) -> int:
        """重读 entries.yaml（手工改过时用）。有错：坏文件挪到一边、写回当前好的版本，再抛出错误。"""
        path = self.dir / ENTRIES_FILE
        with self._lock:
            if not path.exists():
                return len(self.overlay.entries)
            try:
                fresh = parse_file(path, parse_overlay)
            except KnowledgeError:
                aside = move_aside(path)
                write_atomic(path, render_overlay(self.overlay))
                self.notes.append(f"{ENTRIES_FILE} 有错，已挪到 {aside.name}，继续用上一版")
                raise
            for prefix, number in self.overlay.counters.items():
                fresh.counters[prefix] = max(number, fresh.counters.get(prefix, 0))
            self.overlay = fresh
            return len(fresh.entries)


def _put(mapping: dict[Any, Any], key: Any, value: Any) -> None:
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def _matches(record: Record, entry_id: str | None, group: str | None) -> bool:
    if entry_id is not None and not record.touches(entry_id):
        return False
    if group is None:
        return True
    return record.group == group or any(
        c.scope == group or (c.target == "group" and c.id == group) for c in record.changes
    )


def _conflict_message(change: Change) -> str:
    if change.target == "entry":
        return (
            f"{change.id} 在你改过之后又被改过了，不能直接撤销。发 /faq history {change.id} 看看。"
        )
    if change.target == "group":
        return "本群设置在你改过之后又被改过了，不能直接撤销。"
    return f"待审内容 {change.id} 已经被处理了，不能撤销。"

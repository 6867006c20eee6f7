"""管理员数据的唯一入口：问答覆盖层、各群设置、审核队列、审计日志、缺口。

每次修改：在锁里算出改动、检查配额 → 追加审计日志（fsync）→ 返回。审计日志就是预写日志：
返回之后（向管理员确认之后）即使进程被 kill -9，改动也还在，下次启动时从日志重放。
entries.yaml / groups.yaml / pending.yaml 是快照，记着写到了日志的哪一号（journal_seq），
攒够 `COMPACT_EVERY` 次改动或关机时才整体重写（留 .bak、原子替换、fsync）。
所以加一条问答只追加一行，不会每次重写几 MB 的文件。
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..knowledge import Entry, KnowledgeError, merge_entries
from ..knowledge.yamlio import load_yaml, write_atomic
from ..text import normalize
from .audit import AuditLog, Change, Record
from .errors import ConflictError, LimitError, NotFoundError
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
    journal_seq,
    parse_groups,
    parse_overlay,
    parse_pending,
    render_entries,
    render_groups,
    render_overlay,
    render_pending,
)
from .gaps import GapLog

log = logging.getLogger("cardguard.store")

ENTRIES_FILE = "entries.yaml"
GROUPS_FILE = "groups.yaml"
PENDING_FILE = "pending.yaml"
AUDIT_FILE = "audit.jsonl"
GAPS_FILE = "gaps.jsonl"
FILES_DIR = "files"
EXPORT_DIR = "exports"
MAX_FALSE_ALARMS = 100
COMPACT_EVERY = 200  # 攒这么多次改动就把快照重写一次
SNAPSHOTS = {"entry": ENTRIES_FILE, "group": GROUPS_FILE, "pending": PENDING_FILE}
SITE_LISTS = ("allow_sites", "block_sites")


@dataclass(frozen=True)
class Limits:
    """每个群的配额：管理员条目数、每条的别名数、拉黑/放行站点数。"""

    group_entries: int = 200
    entry_aliases: int = 50
    group_sites: int = 200


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
        self,
        data_dir: Path,
        *,
        keep_gaps_days: int = 30,
        limits: Limits | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.dir = data_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.limits = limits or Limits()
        self._lock = threading.RLock()
        self.notes: list[str] = []
        self._stamps: dict[str, tuple[int, int] | None] = {}
        remove_stale_temps(self.dir, (ENTRIES_FILE, GROUPS_FILE, PENDING_FILE, GAPS_FILE))
        self.audit = AuditLog(self.dir / AUDIT_FILE)
        self.notes.extend(self.audit.notes)
        seqs: dict[str, int] = {}
        self.overlay = self._load(ENTRIES_FILE, parse_overlay, Overlay, seqs)
        self.groups = self._load(GROUPS_FILE, parse_groups, dict, seqs)
        self.pending = self._load(PENDING_FILE, parse_pending, Pending, seqs)
        # 审计日志被清空或截短过：新记录的序号也要排在快照之后，否则下次启动不会重放它们
        self.audit.last_seq = max(self.audit.last_seq, *seqs.values())
        self._dirty = self._replay(seqs)
        self.gaps = GapLog(self.dir / GAPS_FILE, keep_gaps_days, now)
        self.notes.extend(self.gaps.notes)

    def _load(
        self,
        name: str,
        parse: Callable[[Any, Path], Any],
        empty: Callable[[], Any],
        seqs: dict[str, int],
    ) -> Any:
        """读一个快照，记下它写到了审计日志的哪一号，之后的改动由 `_replay` 补上。

        没有文件、或文件是空的（挪开了）：从头重放。文件里没写 journal_seq（旧版本写的，或者是手工写的）：
        比文件更新的改动照样算数——旧版本先写文件再记日志，重放这几条只是把同样的内容再写一遍。
        """
        found: list[int] = []

        def parse_with_seq(data: Any, path: Path) -> Any:
            seq = journal_seq(data)
            found.append(seq if seq is not None else self._seq_before(path.stat().st_mtime))
            return parse(data, path)

        value, notes = load_or_recover(
            self.dir / name, parse_with_seq, empty, expect_content=self.audit.last_seq > 0
        )
        self.notes.extend(notes)
        seqs[name] = found[-1] if found else 0
        self._stamps[name] = _stamp(self.dir / name)
        return value

    def _seq_before(self, mtime: float) -> int:
        """审计日志里在这个时刻之前写下的最后一号。"""
        seq = 0
        for record in self.audit.records():
            if record.ts < mtime:
                seq = record.seq
        return seq

    def _replay(self, seqs: dict[str, int]) -> int:
        """把快照之后审计日志里的改动重放到内存里，返回重放了几条（还没写进快照的改动数）。"""
        pending = 0
        for record in self.audit.records():
            later = [c for c in record.changes if record.seq > seqs[SNAPSHOTS[c.target]]]
            for change in later:
                self._set_state(change, change.after)
            pending += bool(later)
        return pending

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

    def history(
        self, entry_id: str | None = None, group: str | None = None, *, everything: bool = False
    ) -> list[Record]:
        """改动记录，新的在前。

        `everything`（机器人管理员私聊）看全部；否则只看 `group` 这个群看得到的：按条目查时，
        本群的条目和全局条目；不按条目查时，本群里做的、或改了本群东西的改动。
        别的群的条目、作者一概不给看。
        """
        records = [
            r
            for r in self.audit.records()
            if (entry_id is None or r.touches(entry_id))
            and (everything or (_visible(r, group) and (entry_id or _concerns(r, group))))
        ]
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
            self._check_room(scope)
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

    def _check_room(self, scope: str | None) -> None:
        """一个群（或全局）的管理员条目不能超过配额。"""
        count = sum(1 for _, s in self.overlay.entries if s == scope)
        if count >= self.limits.group_entries:
            where = "本群" if scope is not None else "全局"
            raise LimitError(
                f"{where}最多 {self.limits.group_entries} 条自定义问答，已经满了。"
                "可以先 /faq del 删掉不用的，或合并成一条。"
            )

    def check_aliases(self, entry: Entry, base: Entry | None = None) -> None:
        """管理员给一条问答加的别名不能超过配额（内置条目本来就有的问法不算）。"""
        added = len(entry.aliases) - (len(base.aliases) if base is not None else 0)
        if added > self.limits.entry_aliases:
            raise LimitError(f"一条问答最多加 {self.limits.entry_aliases} 个问法。")

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
            for name in SITE_LISTS:
                if len(values.get(name, ())) > self.limits.group_sites:
                    raise LimitError(
                        f"本群最多 {self.limits.group_sites} 个拉黑/放行站点，已经满了。"
                        "可以先 /link remove 去掉不用的。"
                    )
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

    def suggest_alias(
        self, actor: Actor, entry_id: str, scope: str | None, phrasing: str
    ) -> int | None:
        """群友选了“你是不是想问”里的一条：把他原来的问法记成这条的候选问法（待审，kind=learn）。

        同一条、同一个说法再出现就只加次数。不改变匹配，直到群管理 /faq learn ok。
        这个群的候选满了（配额）返回 None。
        """
        key = normalize(phrasing)
        with self._lock:
            for number, item in self.pending.items.items():
                same = item.get("kind") == "learn" and item.get("entry_id") == entry_id
                if same and item.get("scope") == scope and normalize(item["phrasing"]) == key:
                    after = {**item, "count": int(item.get("count", 1)) + 1}
                    change = Change("pending", str(number), None, dict(item), after)
                    self._commit(actor, "faq learn", [change])
                    return number
            mine = [i for i in self.pending.items.values() if i.get("kind") == "learn"]
            if sum(1 for i in mine if i.get("group") == actor.group) >= self.limits.group_entries:
                return None
            number = self.pending.next
            item = {
                "number": number,
                "kind": "learn",
                "user": actor.user,
                "group": actor.group,
                "entry_id": entry_id,
                "scope": scope,
                "phrasing": phrasing,
                "count": 1,
                "ts": round(time.time()),
            }
            self.pending.next += 1
            self._commit(actor, "faq learn", [Change("pending", str(number), None, None, item)])
            return number

    def reject(self, actor: Actor, number: int, *, command: str = "faq reject") -> Record:
        """驳回一条待审内容。"""
        with self._lock:
            item = self.pending_item(number)
            return self._commit(actor, command, [Change("pending", str(number), None, item)])

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
            record = self.audit.append(
                actor.user, actor.group, command, tuple(changes), undoes=undoes, note=note
            )
        except Exception:
            for change in reversed(changes):
                self._set_state(change, change.before)
            raise
        self._dirty += 1
        if self._dirty >= COMPACT_EVERY:
            self.compact()
        return record

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
            self._count_id(key)
        elif state.get("removed"):
            self.overlay.removed.add(key)

    def _count_id(self, key: Key) -> None:
        """重放日志时让新 id 的计数器跟上（g123-7 → g123 至少 7）。"""
        prefix, _, number = key[0].rpartition("-")
        if prefix == group_prefix(key[1]) and number.isdigit():
            counters = self.overlay.counters
            counters[prefix] = max(counters.get(prefix, 0), int(number))

    # ---------- 快照 ----------

    def compact(self) -> None:
        """把内存里的全部数据写成快照（记下写到的日志序号）；之后启动不用再重放这些改动。"""
        with self._lock:
            seq = self.audit.last_seq
            self._write(ENTRIES_FILE, render_overlay(self.overlay, seq))
            self._write(GROUPS_FILE, render_groups(self.groups, seq))
            self._write(PENDING_FILE, render_pending(self.pending, seq))
            self._dirty = 0

    def close(self) -> None:
        """关机：还有没写进快照的改动就写一次（不写也不丢：下次启动会重放日志）。"""
        with self._lock:
            if self._dirty:
                self.compact()

    def _write(self, name: str, text: str) -> None:
        """重写一个快照；文件在我们上次读写之后被人手工改过，就先把那一版挪到一边，不悄悄覆盖。"""
        path = self.dir / name
        if path.exists() and _stamp(path) != self._stamps.get(name):
            aside = move_aside(path, label="edited")
            note = f"{name} 在机器人运行时被手工改过，那一版已挪到 {aside.name}（改完请发 /faq reload）"
            self.notes.append(note)
            log.warning("%s", note)
        save_with_backup(path, text)
        self._stamps[name] = _stamp(path)

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
                write_atomic(path, render_overlay(self.overlay, self.audit.last_seq))
                self._stamps[ENTRIES_FILE] = _stamp(path)
                self.notes.append(f"{ENTRIES_FILE} 有错，已挪到 {aside.name}，继续用上一版")
                raise
            for prefix, number in self.overlay.counters.items():
                fresh.counters[prefix] = max(number, fresh.counters.get(prefix, 0))
            self.overlay = fresh
            self._stamps[ENTRIES_FILE] = _stamp(path)
            seq = journal_seq(load_yaml(path))
            for record in self.audit.records():  # 文件之后日志里的改动照样算数
                if seq is not None and record.seq > seq:
                    for change in record.changes:
                        if change.target == "entry":
                            self._set_state(change, change.after)
            return len(self.overlay.entries)


def _put(mapping: dict[Any, Any], key: Any, value: Any) -> None:
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def _visible(record: Record, group: str | None) -> bool:
    """这条记录在 `group`（私聊为 None）里能不能看：每一处改动都得是这里看得到的东西。"""
    for change in record.changes:
        if change.target == "entry" and change.scope not in (None, group):
            return False
        if change.target == "group" and change.id != group:
            return False
        if change.target == "pending" and record.group != group:
            return False
    return bool(record.changes) or record.group == group


def _concerns(record: Record, group: str | None) -> bool:
    """这条记录是这个群里做的，或者改的是这个群的东西。"""
    return record.group == group or any(
        c.scope == group or (c.target == "group" and c.id == group) for c in record.changes
    )


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_mtime_ns, info.st_size


def _conflict_message(change: Change) -> str:
    if change.target == "entry":
        return (
            f"{change.id} 在你改过之后又被改过了，不能直接撤销。发 /faq history {change.id} 看看。"
        )
    if change.target == "group":
        return "本群设置在你改过之后又被改过了，不能直接撤销。"
    return f"待审内容 {change.id} 已经被处理了，不能撤销。"

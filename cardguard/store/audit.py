"""只追加的审计日志 audit.jsonl：谁、何时、在哪个群、什么命令、改前改后。撤销和历史都靠它。"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .files import fsync_dir, move_aside

log = logging.getLogger("cardguard.store")


@dataclass(frozen=True)
class Change:
    """一处改动：目标（entry / group / pending）、键、改前、改后（None 表示没有）。"""

    target: str
    id: str
    scope: str | None = None
    before: Any = None
    after: Any = None

    def inverse(self) -> Change:
        """反向改动（撤销用）。"""
        return Change(self.target, self.id, self.scope, self.after, self.before)


@dataclass(frozen=True)
class Record:
    """审计日志的一行。"""

    seq: int
    ts: float
    actor: str
    group: str | None
    command: str
    changes: tuple[Change, ...]
    undoes: int | None = None
    note: str = ""
    time: str = field(default="", compare=False)

    def touches(self, entry_id: str) -> bool:
        """这条记录是否改过某个条目。"""
        return any(c.target == "entry" and c.id == entry_id for c in self.changes)

    def to_json(self) -> str:
        """一行 JSON（中文不转义，方便人看）。"""
        data = asdict(self)
        data["changes"] = [asdict(c) for c in self.changes]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Record:
        """解析一行；格式不对抛出 ValueError / KeyError / TypeError。"""
        data = json.loads(line)
        if not isinstance(data, dict):
            raise TypeError("一行不是对象")
        changes = tuple(Change(**c) for c in data.pop("changes"))
        return cls(changes=changes, **data)


class AuditLog:
    """audit.jsonl：每次追加一行并 fsync 后才算写成。"""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        self._repair_tail()
        self.last_seq = max((r.seq for r in self.records()), default=0)

    def _repair_tail(self) -> None:
        """上次写到一半被杀：把残缺的最后一行存到一边，文件截到最后一个换行。"""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if not data or data.endswith(b"\n"):
            return
        cut = data.rfind(b"\n") + 1
        aside = self.path.with_name(self.path.name + ".tail")
        aside.write_bytes(data[cut:])
        kept = move_aside(aside)
        with self.path.open("r+b") as fh:
            fh.truncate(cut)
            fh.flush()
            os.fsync(fh.fileno())
        note = f"审计日志最后一行不完整（写入时被中断），已截去并存到 {kept.name}"
        self.notes.append(note)
        log.warning("%s", note)

    def records(self) -> Iterator[Record]:
        """按顺序读出全部记录；读不懂的行记日志后跳过（不会改动文件）。"""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield Record.from_json(line)
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("%s 第 %d 行读不懂，跳过：%r", self.path.name, number, exc)

    def append(
        self,
        actor: str,
        group: str | None,
        command: str,
        changes: tuple[Change, ...],
        *,
        undoes: int | None = None,
        note: str = "",
    ) -> Record:
        """追加一条记录，fsync 后返回。"""
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        record = Record(self.last_seq + 1, now, actor, group, command, changes, undoes, note, stamp)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(record.to_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if created:
            fsync_dir(self.path.parent)
        self.last_seq = record.seq
        return record

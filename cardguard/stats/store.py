"""统计库：按天、按群计数，存在本地 sqlite；只存计数，不存消息内容和 QQ 号。"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..store.files import move_aside

_log = logging.getLogger("cardguard.stats")

KINDS: tuple[str, ...] = (
    "answered",
    "unanswered",
    "warned",
    "false_alarm",
    "recalled",
    "wrong_answer",
)
KEYED_KINDS = frozenset({"answered", "warned", "false_alarm", "wrong_answer"})
KIND_NAMES: dict[str, str] = {
    "answered": "答了",
    "unanswered": "没答上",
    "warned": "警告",
    "false_alarm": "误报",
    "recalled": "撤回",
    "wrong_answer": "答错",
}
DB_NAME = "stats.sqlite3"
PRIVATE = ""  # 私聊（没有群号）记在这个“群”下
MAX_KEY_CHARS = 80
TOP_N = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counts (
    day TEXT NOT NULL,
    grp TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, grp, kind, key)
) WITHOUT ROWID
"""
_UPSERT = (
    "INSERT INTO counts (day, grp, kind, key, n) VALUES (?, ?, ?, ?, 1) "
    "ON CONFLICT (day, grp, kind, key) DO UPDATE SET n = n + 1"
)


class StatsError(Exception):
    """统计库打不开、写不进，或参数不对。"""


class StatsStore:
    """一份统计库。一个事件循环里用一个实例；内部有锁，偶尔被线程调用也安全。"""

    def __init__(
        self,
        path: Path,
        keep_days: int = 90,
        *,
        today: Callable[[], date] = date.today,
        readonly: bool = False,
    ) -> None:
        if keep_days < 1:
            raise StatsError(f"统计保留天数至少 1 天，收到 {keep_days}")
        self.path = Path(path)
        self.keep_days = keep_days
        self.readonly = readonly
        self._today = today
        self._lock = threading.Lock()
        self._purged_on: date | None = None
        self._db = _connect(self.path, readonly) if readonly else _open_or_replace(self.path)
        if not readonly:
            self.purge()

    def record(self, kind: str, group: str | None, key: str = "") -> None:
        """记一次：`kind` 见 KINDS；只有 KEYED_KINDS 保留键（条目 id 或站点），其余只计数。"""
        if kind not in KINDS:
            raise StatsError(f"未知的统计种类：{kind!r}")
        if self.readonly:
            raise StatsError(f"统计库以只读方式打开：{self.path}")
        key = key.strip()[:MAX_KEY_CHARS] if kind in KEYED_KINDS else ""
        today = self._today()
        if self._purged_on != today:
            self.purge()
        self._write(_UPSERT, (today.isoformat(), group or PRIVATE, kind, key))

    def purge(self) -> int:
        """删掉超过保留天数的记录，返回删掉的行数。"""
        today = self._today()
        cutoff = (today - timedelta(days=self.keep_days - 1)).isoformat()
        removed = self._write("DELETE FROM counts WHERE day < ?", (cutoff,))
        self._purged_on = today
        return max(removed, 0)

    def report(self, group: str | None, days: int) -> dict[str, Any]:
        """最近 `days` 天（含今天）的汇总；`group=None` 表示所有群合计并列出各群。"""
        if days < 1:
            raise StatsError(f"天数至少 1 天，收到 {days}")
        until = self._today()
        since = until - timedelta(days=days - 1)
        where, params = _where(group, since, until)
        report: dict[str, Any] = {
            "group": group,
            "days": days,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "totals": _zeros()
            | dict(self._rows(f"SELECT kind, SUM(n) {where} GROUP BY kind", params)),
            "daily": self._daily(where, params),
            "top_entries": self._top(where, params, "answered"),
            "top_sites": self._top(where, params, "warned"),
            "false_alarm_sites": self._top(where, params, "false_alarm"),
        }
        if group is None:
            report["groups"] = self._groups(where, params)
        return report

    def close(self) -> None:
        """关闭数据库连接。"""
        with self._lock:
            self._db.close()

    def __enter__(self) -> StatsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        """执行一条写语句（自动提交），返回影响的行数。"""
        with self._lock:
            try:
                return self._db.execute(sql, params).rowcount
            except sqlite3.Error as exc:
                raise StatsError(f"写统计库失败（{self.path}）：{exc}") from exc

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StatsError(f"读统计库失败（{self.path}）：{exc}") from exc

    def _daily(self, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        by_day: dict[str, dict[str, Any]] = {}
        for day, kind, n in self._rows(
            f"SELECT day, kind, SUM(n) {where} GROUP BY day, kind", params
        ):
            by_day.setdefault(day, {"day": day} | _zeros())[kind] = n
        return [by_day[day] for day in sorted(by_day)]

    def _top(self, where: str, params: tuple[Any, ...], kind: str) -> list[dict[str, Any]]:
        sql = (
            f"SELECT key, SUM(n) AS c {where} AND kind = ? "
            f"GROUP BY key ORDER BY c DESC, key LIMIT {TOP_N}"
        )
        return [{"key": key, "count": c} for key, c in self._rows(sql, (*params, kind))]

    def _groups(self, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        by_group: dict[str, dict[str, Any]] = {}
        for grp, kind, n in self._rows(
            f"SELECT grp, kind, SUM(n) {where} GROUP BY grp, kind", params
        ):
            by_group.setdefault(grp, {"group": grp or None} | _zeros())[kind] = n
        return sorted(
            by_group.values(),
            key=lambda g: (-sum(g[k] for k in KINDS), g["group"] is None, g["group"] or ""),
        )


def _open_or_replace(path: Path) -> sqlite3.Connection:
    """打开可写的统计库；文件损坏时挪到一边（stats.sqlite3.corrupt-时间）并新建一个，记一行日志。

    统计只是计数，丢了可以重来；但坏文件留着，方便有需要的人查看。
    """
    try:
        db = _connect(path, readonly=False)
        db.execute("SELECT count(*) FROM counts").fetchone()
        return db
    except (StatsError, sqlite3.Error) as exc:
        if not path.is_file():
            raise
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        aside = move_aside(path)
        _log.warning("统计库损坏（%s），已挪到 %s，重新开始计数", exc, aside.name)
        return _connect(path, readonly=False)


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """打开（必要时创建）统计库：WAL 模式，自动提交。"""
    try:
        if readonly:
            if not path.is_file():
                raise StatsError(f"找不到统计库：{path}")
            uri = f"{path.resolve().as_uri()}?mode=ro"
            return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(_SCHEMA)
        return db
    except (sqlite3.Error, OSError) as exc:
        raise StatsError(f"打不开统计库（{path}）：{exc}") from exc


def _where(group: str | None, since: date, until: date) -> tuple[str, tuple[Any, ...]]:
    sql = "FROM counts WHERE day >= ? AND day <= ?"
    params: tuple[Any, ...] = (since.isoformat(), until.isoformat())
    if group is not None:
        sql += " AND grp = ?"
        params = (*params, group)
    return sql, params


def _zeros() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)

"""把 `runtime.record(...)` 的事件写进统计库，并给 /guard stats 生成文字。"""

from __future__ import annotations

from nonebot import get_driver
from nonebot.log import logger

from cardguard.stats import DB_NAME, KINDS, StatsStore, format_report
from plugins.guard_core import plugin_dir, runtime

DEFAULT_DAYS = 7


def _open_store() -> StatsStore:
    """在 localstore 给本插件的数据目录里打开统计库。"""
    path = plugin_dir("data", __name__) / DB_NAME
    store = StatsStore(path, keep_days=runtime.config.cardguard_stats_days)
    logger.info(f"统计库：{path}（保留 {store.keep_days} 天）")
    return store


stats_store: StatsStore = _open_store()


def observe(kind: str, group: str | None, detail: str = "") -> None:
    """runtime 的观察者：只计数；没答上的问题原文不进统计库。"""
    if kind not in KINDS:
        return
    stats_store.record(kind, group, detail)


def stats_text(group: str | None, days: int = DEFAULT_DAYS) -> str:
    """/guard stats 的回复：`group` 为 None 时统计所有群；天数限制在 1 到保留天数之间。"""
    days = min(max(days, 1), stats_store.keep_days)
    report = stats_store.report(group, days)
    titles = {entry.id: entry.question for entry in runtime.knowledge.entries}
    return format_report(report, titles)


runtime.observers.append(observe)


@get_driver().on_shutdown
async def _close_store() -> None:
    runtime.observers[:] = [o for o in runtime.observers if o is not observe]
    stats_store.close()

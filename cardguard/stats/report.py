"""把统计库的汇总写成几行简短的中文（/guard stats 和命令行共用）。"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .store import KIND_NAMES, KINDS, TOP_N


def format_report(
    report: Mapping[str, Any], titles: Mapping[str, str] | None = None, *, max_days: int = 7
) -> str:
    """把 `report()` 的结果写成几行简短的中文；`titles` 把条目 id 换成问题原文。"""
    totals = report["totals"]
    where = "本群" if report["group"] else "所有群"
    head = f"近 {report['days']} 天{where}统计（{report['since'][5:]} 至 {report['until'][5:]}）"
    if not any(totals.values()):
        return f"{head}：还没有记录，没人提问，也没有警告过链接。"
    lines = [
        f"{head}：",
        f"答了 {totals['answered']} 次，没答上 {totals['unanswered']} 次",
        f"警告链接 {totals['warned']} 次，撤回 {totals['recalled']} 条，"
        f"误报反馈 {totals['false_alarm']} 次",
    ]
    if totals["wrong_answer"]:
        lines.append(f"群管理标记答错 {totals['wrong_answer']} 次")
    lines += _top_line("问得最多", report["top_entries"], titles or {})
    lines += _top_line("警告最多的站点", report["top_sites"], {})
    lines += _top_line("被报误报的站点", report["false_alarm_sites"], {})
    if report.get("groups"):
        groups = [
            {"key": g["group"] or "私聊", "count": sum(g[k] for k in KINDS)}
            for g in report["groups"]
        ]
        lines += _top_line("最活跃的群", groups[:TOP_N], {})
    lines += _daily_lines(report["daily"], max_days)
    return "\n".join(lines)


def _top_line(
    label: str, items: Iterable[Mapping[str, Any]], titles: Mapping[str, str]
) -> list[str]:
    parts = [f"{_title(i['key'], titles)} {i['count']}" for i in items]
    return [f"{label}：{'、'.join(parts)}"] if parts else []


def _title(key: str, titles: Mapping[str, str], limit: int = 16) -> str:
    """条目 id 换成问题原文（过长截断）；站点、群号原样显示。"""
    text = titles.get(key)
    if text is None:
        return key
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _daily_lines(daily: list[Mapping[str, Any]], max_days: int) -> list[str]:
    if not daily:
        return []
    shown = daily[-max_days:][::-1]
    header = "按天（" + "/".join(KIND_NAMES[k] for k in KINDS) + "）"
    if len(daily) > len(shown):
        header += f"，只列最近 {len(shown)} 天"
    rows = [f"{d['day'][5:]}  " + "/".join(str(d[k]) for k in KINDS) for d in shown]
    return [f"{header}：", *rows]

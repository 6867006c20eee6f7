"""统计：runtime.record 的事件进统计库（只计数）；/问 的真实回答被计数；/guard stats 给出中文汇总。"""

from __future__ import annotations

import sqlite3

from nonebug import App

from .events import group_message, reply_text


def totals(group: str) -> dict[str, int]:
    from nonebot_plugin_cardguard import runtime

    return runtime.stats.report(group, 1)["totals"]


def test_observer_counts_what_runtime_records(runtime) -> None:  # type: ignore[no-untyped-def]
    runtime.record("answered", "7001", "paid-no-delivery")
    runtime.record("answered", "7001", "paid-no-delivery")
    runtime.record("warned", "7001", "evil-faka.top")
    runtime.record("false_alarm", "7001", "evil-faka.top")
    runtime.record("recalled", "7001", "evil-faka.top")
    runtime.record("unanswered", "7001", "怎么做番茄炒蛋")
    runtime.record("wrong_answer", "7001", "too-cheap")
    runtime.record("wrong_question", "7001", "这条原话不进统计库")

    assert totals("7001") == {
        "answered": 2,
        "unanswered": 1,
        "warned": 1,
        "false_alarm": 1,
        "recalled": 1,
        "wrong_answer": 1,
    }


def test_unanswered_question_text_is_not_kept(runtime) -> None:  # type: ignore[no-untyped-def]
    runtime.record("unanswered", "7002", "我家住在幸福路 8 号，怎么退款")

    with sqlite3.connect(runtime.stats.path) as db:
        keys = db.execute("SELECT key FROM counts WHERE grp = '7002'").fetchall()
    assert keys == [("",)]


def test_other_kinds_are_ignored(runtime) -> None:  # type: ignore[no-untyped-def]
    runtime.record("approved", "7003", "something")

    assert sum(totals("7003").values()) == 0


async def test_real_answer_shows_up_in_stats(app: App, runtime) -> None:  # type: ignore[no-untyped-def]
    event = group_message("/问 付了钱一直不发货怎么办", group=7004)
    entry = runtime.knowledge.get("paid-no-delivery")
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)
        ctx.should_call_send(event, reply_text(event, entry.answer.strip()), result=None)

    text = stats_text(runtime, "7004", 7)

    assert totals("7004")["answered"] == 1
    assert text.startswith("近 7 天本群统计")
    assert "答了 1 次，没答上 0 次" in text
    assert f"问得最多：{entry.question[:15]}" in text


def stats_text(runtime, group: str | None, days: int) -> str:  # type: ignore[no-untyped-def]
    from cardguard.stats import format_report

    titles = {e.id: e.question for e in runtime.knowledge.entries}
    return format_report(runtime.stats.report(group, days), titles)


def test_stats_for_all_groups(runtime) -> None:  # type: ignore[no-untyped-def]
    runtime.record("warned", "7006", "evil-faka.top")

    text = stats_text(runtime, None, 1)
    report = runtime.stats.report(None, 1)

    assert text.startswith("近 1 天所有群统计")
    assert f"警告链接 {report['totals']['warned']} 次" in text
    assert "7006" in {g["group"] for g in report["groups"]}

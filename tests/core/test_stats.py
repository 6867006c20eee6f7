"""统计库：按天按群计数、只存计数不存原话、保留天数、报告文字、命令行 stats。"""

from __future__ import annotations

import argparse
import json
import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from cardguard import cli
from cardguard.stats import (
    DB_NAME,
    StatsError,
    StatsStore,
    format_report,
)

DAY = date(2024, 11, 28)


class Clock:
    """可拨动的“今天”。"""

    def __init__(self, today: date = DAY) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> StatsStore:
    with StatsStore(tmp_path / DB_NAME, keep_days=30, today=clock) as opened:
        yield opened  # type: ignore[misc]


def all_rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT day, grp, kind, key, n FROM counts").fetchall()


def test_counts_per_group_and_day(store: StatsStore, clock: Clock) -> None:
    clock.today = DAY - timedelta(days=1)
    store.record("answered", "111", "paid-no-delivery")
    clock.today = DAY
    store.record("answered", "111", "paid-no-delivery")
    store.record("answered", "111", "invalid-code")
    store.record("unanswered", "111", "今天吃什么")
    store.record("warned", "222", "evil-faka.top")

    report = store.report("111", 7)

    assert report["totals"] == {
        "answered": 3,
        "unanswered": 1,
        "warned": 0,
        "false_alarm": 0,
        "recalled": 0,
        "wrong_answer": 0,
    }
    assert [d["day"] for d in report["daily"]] == ["2024-11-27", "2024-11-28"]
    assert report["daily"][1]["answered"] == 2
    assert report["top_entries"][0] == {"key": "paid-no-delivery", "count": 2}
    assert report["top_sites"] == []


def test_all_groups_report_lists_groups_by_activity(store: StatsStore) -> None:
    for _ in range(3):
        store.record("warned", "222", "a-rather-long-card-shop-name.top")
    store.record("false_alarm", "222", "good-shop.com")
    store.record("answered", "111", "what-is-faka")
    store.record("recalled", None, "evil-faka.top")

    report = store.report(None, 7)

    assert [g["group"] for g in report["groups"]] == ["222", "111", None]
    assert report["top_sites"] == [{"key": "a-rather-long-card-shop-name.top", "count": 3}]
    assert "警告最多的站点：a-rather-long-card-shop-name.top 3" in format_report(report)
    assert report["false_alarm_sites"] == [{"key": "good-shop.com", "count": 1}]
    assert report["totals"]["recalled"] == 1


def test_question_text_is_never_stored(store: StatsStore) -> None:
    store.record("unanswered", "111", "我的QQ是123456，怎么退款")
    store.record("recalled", "111", "evil-faka.top")

    assert sorted(all_rows(store.path)) == [
        ("2024-11-28", "111", "recalled", "", 1),
        ("2024-11-28", "111", "unanswered", "", 1),
    ]
    raw = b"".join(p.read_bytes() for p in store.path.parent.iterdir())
    assert "退款".encode() not in raw


def test_old_days_are_purged_after_retention(tmp_path: Path, clock: Clock) -> None:
    with StatsStore(tmp_path / DB_NAME, keep_days=3, today=clock) as store:
        store.record("answered", "111", "what-is-faka")
        clock.today = DAY + timedelta(days=2)
        store.record("answered", "111", "what-is-faka")
        assert len(all_rows(store.path)) == 2  # 第 3 天还在保留期内
        clock.today = DAY + timedelta(days=3)
        store.record("warned", "111", "evil-faka.top")

        assert {row[0] for row in all_rows(store.path)} == {"2024-11-30", "2024-12-01"}
        assert store.report("111", 3)["totals"]["answered"] == 1


def test_purge_on_open(tmp_path: Path, clock: Clock) -> None:
    with StatsStore(tmp_path / DB_NAME, keep_days=30, today=clock) as store:
        store.record("answered", "111", "what-is-faka")
    clock.today = DAY + timedelta(days=40)
    with StatsStore(tmp_path / DB_NAME, keep_days=30, today=clock):
        assert all_rows(tmp_path / DB_NAME) == []


def test_report_window_excludes_older_days(store: StatsStore, clock: Clock) -> None:
    clock.today = DAY - timedelta(days=7)
    store.record("answered", "111", "what-is-faka")
    clock.today = DAY

    assert store.report("111", 7)["totals"]["answered"] == 0
    assert store.report("111", 8)["totals"]["answered"] == 1


def test_bad_input_is_rejected(store: StatsStore, tmp_path: Path) -> None:
    with pytest.raises(StatsError, match="未知的统计种类"):
        store.record("clicked", "111", "x")
    with pytest.raises(StatsError, match="天数"):
        store.report("111", 0)
    with pytest.raises(StatsError, match="找不到统计库"):
        StatsStore(tmp_path / "missing" / DB_NAME, readonly=True)


def test_long_keys_are_clipped(store: StatsStore) -> None:
    store.record("warned", "111", "x" * 500 + ".top")

    (key,) = [row[3] for row in all_rows(store.path)]
    assert len(key) == 80


def test_concurrent_records_all_counted(store: StatsStore) -> None:
    def hammer() -> None:
        for _ in range(100):
            store.record("answered", "111", "what-is-faka")

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert store.report("111", 1)["totals"]["answered"] == 400


def test_readonly_store_sees_writes_of_running_bot(store: StatsStore) -> None:
    store.record("answered", "111", "what-is-faka")

    with StatsStore(store.path, readonly=True, today=lambda: DAY) as reader:
        assert reader.report("111", 1)["totals"]["answered"] == 1
        with pytest.raises(StatsError):
            reader.record("answered", "111", "what-is-faka")


# ---------- 报告文字 ----------


def test_format_report_for_a_quiet_group(store: StatsStore) -> None:
    text = format_report(store.report("111", 7))

    assert text == "近 7 天本群统计（11-22 至 11-28）：还没有记录，没人提问，也没有警告过链接。"


def test_format_report_shows_figures_titles_and_days(store: StatsStore, clock: Clock) -> None:
    for back in range(9):
        clock.today = DAY - timedelta(days=back)
        store.record("answered", "111", "paid-no-delivery")
    store.record("unanswered", "111")
    store.record("warned", "111", "evil-faka.top")
    clock.today = DAY

    text = format_report(
        store.report("111", 30), {"paid-no-delivery": "在发卡网付了钱一直不发货该怎么办？"}
    )
    lines = text.splitlines()

    assert lines[0] == "近 30 天本群统计（10-30 至 11-28）："
    assert lines[1] == "答了 9 次，没答上 1 次"
    assert lines[2] == "警告链接 1 次，撤回 0 条，误报反馈 0 次"
    assert lines[3] == "问得最多：在发卡网付了钱一直不发货该怎么… 9"
    assert lines[4] == "警告最多的站点：evil-faka.top 1"
    assert lines[5] == "按天（答了/没答上/警告/误报/撤回/答错），只列最近 7 天："
    assert lines[6] == "11-28  1/0/0/0/0/0"
    assert lines[-1] == "11-22  1/0/0/0/0/0"  # 11-20 那天的警告只在合计里
    assert len(lines) == 13


def test_format_report_all_groups_names_private_chats(store: StatsStore) -> None:
    store.record("answered", None, "what-is-faka")
    store.record("answered", "111", "what-is-faka")
    store.record("answered", "111", "what-is-faka")

    text = format_report(store.report(None, 7))

    assert text.startswith("近 7 天所有群统计")
    assert "最活跃的群：111 2、私聊 1" in text


# ---------- 命令行 ----------


def fill(directory: Path) -> None:
    with StatsStore(directory / DB_NAME) as store:
        store.record("answered", "111", "paid-no-delivery")
        store.record("warned", "222", "evil-faka.top")


def test_cli_stats_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(tmp_path)

    code = cli.main(["stats", "--data", str(tmp_path), "--days", "3", "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["days"] == 3
    assert data["totals"]["answered"] == 1
    assert data["top_sites"] == [{"key": "evil-faka.top", "count": 1}]
    assert {g["group"] for g in data["groups"]} == {"111", "222"}


def test_cli_stats_text_for_one_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fill(tmp_path)

    code = cli.main(["stats", "--data", str(tmp_path), "--group", "111"])

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("近 7 天本群统计")
    assert any(line.startswith("问得最多：") and line.endswith(" 1") for line in out.splitlines())
    assert "答了 1 次" in out
    assert "警告链接 0 次" in out


def test_cli_stats_without_data_explains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["stats", "--data", str(tmp_path / "nowhere")])

    err = capsys.readouterr().err
    assert code == 1
    assert "找不到统计库" in err
    assert "--data" in err


def test_every_subcommand_has_chinese_help() -> None:
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    assert set(subparsers.choices) >= {"ask", "check", "validate", "eval", "stats"}
    for name, sub in subparsers.choices.items():
        assert _chinese(sub.description or ""), name
        for action in sub._actions:
            if action.help and action.help != argparse.SUPPRESS:
                assert _chinese(action.help), f"{name} {action.dest}: {action.help}"
        assert "用法：" in sub.format_help() and "usage:" not in sub.format_help()


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_days_out_of_range_is_one_chinese_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["stats", "--days", "1000000"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "天数要写 1 到 3650 之间的整数" in err and "Traceback" not in err


def test_corrupt_database_is_moved_aside_and_counting_restarts(tmp_path: Path) -> None:
    # 统计库坏了：坏文件改名留在旁边，新库照常计数（以前启动时直接抛错，统计从此停掉）。
    path = tmp_path / "stats.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = StatsStore(path)
    store.record("answered", "1", "paid-no-delivery")
    assert list(tmp_path.glob("stats.sqlite3.corrupt-*")), "坏文件应留在旁边"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM counts").fetchone() == (1,)
    store.close()

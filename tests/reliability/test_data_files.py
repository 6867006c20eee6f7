"""数据文件坏了：挪到一边（原样保留）、写一条说明、能恢复的恢复上一版，绝不悄悄丢掉。"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from cardguard.store import Actor, Store

WHO = Actor("20001", "9")


def entry(question: str) -> dict[str, object]:
    return {"question": question, "answer": "答案写在这里", "aliases": [], "scope": "9"}


def test_emptied_entries_file_is_set_aside_and_last_good_copy_restored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(tmp_path)
    first, _ = store.add_entry(WHO, entry("第一条问题是什么"))
    store.compact()
    second, _ = store.add_entry(WHO, entry("第二条问题是什么"))
    store.compact()  # 这一步把只含第一条的版本留成 .bak
    (tmp_path / "entries.yaml").write_text("# 被编辑器清空了\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="cardguard.store"):
        reopened = Store(tmp_path)
    # 上一版只有第一条；第二条从审计日志重放回来
    assert [e.id for e in reopened.custom_entries()] == [first.id, second.id]
    (aside,) = tmp_path.glob("entries.yaml.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "# 被编辑器清空了\n"
    assert any("entries.yaml" in note and aside.name in note for note in reopened.notes)
    assert "已用上一版 entries.yaml.bak 恢复" in caplog.text


def test_emptied_snapshot_without_backup_is_rebuilt_from_the_journal(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first, _ = store.add_entry(WHO, entry("第一条问题是什么"))
    (tmp_path / "entries.yaml").write_text("", encoding="utf-8")
    reopened = Store(tmp_path)
    assert [e.id for e in reopened.custom_entries()] == [first.id]
    assert list(tmp_path.glob("entries.yaml.corrupt-*")), "空文件也原样留一份"


def test_unreadable_gap_lines_are_kept_aside_not_dropped(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.gaps.record("9", "第一个没答上的问题")
    store.gaps.record("9", "第二个没答上的问题")
    path = tmp_path / "gaps.jsonl"
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    path.write_text(lines[0] + "{这一行坏了\n" + lines[1] + '{"ts": 1', encoding="utf-8")
    damaged = path.read_bytes()
    reopened = Store(tmp_path)
    assert reopened.gaps.texts("9") == ["第一个没答上的问题", "第二个没答上的问题"]
    (aside,) = tmp_path.glob("gaps.jsonl.corrupt-*")
    assert aside.read_bytes() == damaged
    assert any("2 行读不懂" in note for note in reopened.notes)
    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line)


def test_a_clean_gap_file_is_left_alone(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.gaps.record("9", "一个没答上的问题")
    before = (tmp_path / "gaps.jsonl").read_bytes()
    reopened = Store(tmp_path)
    assert (tmp_path / "gaps.jsonl").read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*")) and reopened.notes == []

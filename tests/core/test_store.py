"""cardguard.store：覆盖层合并、撤销、历史、坏文件恢复、审计日志残行、缺口、搜索与分页、站点写法。"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml

from cardguard.knowledge import Entry, load_knowledge
from cardguard.store import (
    Actor,
    ConflictError,
    GapLog,
    LimitError,
    Limits,
    NotFoundError,
    Store,
    cluster,
    paginate,
    search_entries,
    split_answer,
)
from cardguard.store.images import ImageError, save_image
from cardguard.store.sites import normalize_host

SUPER = Actor("10001", None)
ADMIN = Actor("20001", "555")


def add(
    store: Store, actor: Actor, question: str, answer: str = "一个答案。", scope: str | None = None
) -> Entry:
    entry, _ = store.add_entry(
        actor, {"question": question, "answer": answer, "aliases": [], "scope": scope}
    )
    return entry


def test_ids_are_stable_and_never_reused(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = add(store, SUPER, "第一个问题")
    local = add(store, ADMIN, "群里的问题", scope="555")
    store.delete_entry(SUPER, first, in_base=False)
    again = add(store, SUPER, "第三个问题")
    assert (first.id, local.id, again.id) == ("custom-1", "g555-1", "custom-2")
    reopened = Store(tmp_path)
    assert add(reopened, SUPER, "第四个问题").id == "custom-3"


def test_merge_overrides_and_hides_shipped_entries(tmp_path: Path) -> None:
    base = load_knowledge().entries
    shipped = next(e for e in base if e.id == "paid-no-delivery")
    store = Store(tmp_path)
    store.put_entry(SUPER, shipped.model_copy(update={"answer": "新的答案。"}), command="faq edit")
    merged = {e.id: e for e in store.merge(base)}
    assert merged["paid-no-delivery"].answer == "新的答案。" and len(merged) == len(base)
    store.delete_entry(SUPER, merged["paid-no-delivery"], in_base=True)
    assert "paid-no-delivery" not in {e.id for e in Store(tmp_path).merge(base)}
    store.compact()
    data = yaml.safe_load((tmp_path / "entries.yaml").read_text(encoding="utf-8"))
    assert data["removed"] == [{"id": "paid-no-delivery", "scope": None}]
    store.undo(SUPER)
    store.undo(SUPER)
    assert {e.id: e for e in store.merge(base)}["paid-no-delivery"] == shipped


def test_risk_entries_keep_their_kind(tmp_path: Path) -> None:
    risk = next(e for e in load_knowledge().entries if e.kind == "risk")
    Store(tmp_path).put_entry(
        SUPER, risk.model_copy(update={"answer": "改过的风险说明。"}), command="faq edit"
    )
    (again,) = Store(tmp_path).custom_entries()
    assert type(again) is type(risk) and again.kind == "risk" and again.signs == risk.signs


def test_limits_are_clear(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with pytest.raises(LimitError, match="问题太长了：最多 120 字，现在 121 字。"):
        add(store, SUPER, "问" * 121)
    with pytest.raises(LimitError, match="答案太短了"):
        add(store, SUPER, "正常问题", " ")
    assert store.custom_entries() == [] and not (tmp_path / "audit.jsonl").exists()


def test_undo_is_per_actor_and_place_and_refuses_conflicts(tmp_path: Path) -> None:
    store = Store(tmp_path)
    entry = add(store, ADMIN, "群里的问题", scope="555")
    with pytest.raises(NotFoundError):
        store.undo(Actor("20001", "666"))  # 同一个人，另一个群
    other = Actor("20002", "555")
    store.put_entry(
        other, entry.model_copy(update={"answer": "别人改的答案。"}), command="faq edit"
    )
    with pytest.raises(ConflictError, match="又被改过了"):
        store.undo(ADMIN)
    record = store.undo(other)
    assert record.undoes == 2 and record.note == "faq edit"
    store.undo(ADMIN)
    assert store.custom_entries() == []


def test_history_is_newest_first_and_filterable(tmp_path: Path) -> None:
    store = Store(tmp_path)
    entry = add(store, ADMIN, "群里的问题", scope="555")
    add(store, SUPER, "全局的问题")
    store.set_group(ADMIN, "555", "guard off", enabled=False)
    store.put_entry(ADMIN, entry.model_copy(update={"answer": "第二版。"}), command="faq edit")
    reopened = Store(tmp_path)
    assert [r.command for r in reopened.history(entry.id, everything=True)] == [
        "faq edit",
        "faq add",
    ]
    assert [r.command for r in reopened.history(entry.id, "555")] == ["faq edit", "faq add"]
    assert reopened.history(entry.id, "556") == []  # 别的群看不到这个群的条目的历史
    assert reopened.history(entry.id) == []  # 私聊（非机器人管理员）也看不到
    assert [r.command for r in reopened.history(group="555")] == [
        "faq edit",
        "guard off",
        "faq add",
    ]
    assert len(reopened.history(everything=True)) == 4
    line = json.loads((tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert line["actor"] == "20001" and line["group"] == "555" and line["command"] == "faq edit"
    change = line["changes"][0]
    assert change["before"]["entry"]["answer"] == "一个答案。"
    assert change["after"]["entry"]["answer"] == "第二版。"


def test_group_settings_only_record_real_changes(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.set_group(ADMIN, "555", "guard off", enabled=False) is not None
    assert store.set_group(ADMIN, "555", "guard off", enabled=False) is None
    assert Store(tmp_path).group_overrides() == {"555": {"enabled": False}}


def test_corrupt_file_is_moved_aside_and_backup_plus_journal_restored(tmp_path: Path) -> None:
    store = Store(tmp_path)
    add(store, SUPER, "第一个问题")
    store.compact()
    add(store, SUPER, "第二个问题")
    store.compact()
    add(store, SUPER, "第三个问题")  # 只在审计日志里
    path = tmp_path / "entries.yaml"
    path.write_text("entries: [oops\n", encoding="utf-8")
    reopened = Store(tmp_path)
    # .bak 是只有第一条的那一版；其后的两条从审计日志重放回来：什么都没丢
    assert [e.question for e in reopened.custom_entries()] == [
        "第一个问题",
        "第二个问题",
        "第三个问题",
    ]
    (aside,) = tmp_path.glob("entries.yaml.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "entries: [oops\n"
    assert "已挪到" in reopened.notes[0] and "已用上一版" in reopened.notes[1]
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["entries"][0]["id"] == "custom-1"


def test_an_add_only_appends_to_the_journal(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for n in range(3):
        add(store, SUPER, f"第{n}个问题")
    store.compact()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    add(store, SUPER, "又一个问题")
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after.keys() == before.keys()
    changed = [name for name in before if after[name] != before[name]]
    assert changed == ["audit.jsonl"] and after["audit.jsonl"].startswith(before["audit.jsonl"])
    assert "又一个问题" in [e.question for e in Store(tmp_path).custom_entries()]


def test_quotas_refuse_with_a_clear_message(tmp_path: Path) -> None:
    store = Store(tmp_path, limits=Limits(group_entries=2, group_sites=1))
    add(store, ADMIN, "第一问", scope="555")
    add(store, ADMIN, "第二问", scope="555")
    with pytest.raises(LimitError, match="本群最多 2 条"):
        add(store, ADMIN, "第三问", scope="555")
    add(store, ADMIN, "别的群", scope="556")  # 配额按群算
    with pytest.raises(LimitError, match="最多 1 个"):
        store.set_group(ADMIN, "555", "link block", block_sites=["a.com", "b.com"])
    assert len(Store(tmp_path).custom_entries()) == 3


def test_a_hand_edit_is_not_silently_overwritten(tmp_path: Path) -> None:
    store = Store(tmp_path)
    add(store, SUPER, "第一个问题")
    store.compact()
    path = tmp_path / "entries.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# 手工改过\n", encoding="utf-8")
    add(store, SUPER, "第二个问题")
    store.compact()
    (aside,) = tmp_path.glob("entries.yaml.edited-*")
    assert "# 手工改过" in aside.read_text(encoding="utf-8")
    assert any("手工改过" in note for note in store.notes)


def test_invalid_entry_counts_as_corrupt_and_without_backup_starts_empty(tmp_path: Path) -> None:
    (tmp_path / "groups.yaml").write_text(
        "groups:\n  '1':\n    link_mode: explode\n", encoding="utf-8"
    )
    store = Store(tmp_path)
    assert store.group_overrides() == {}
    assert any("没有上一版" in note for note in store.notes)
    assert list(tmp_path.glob("groups.yaml.corrupt-*"))


def test_torn_audit_line_is_cut_and_kept_aside(tmp_path: Path) -> None:
    store = Store(tmp_path)
    add(store, SUPER, "第一个问题")
    with (tmp_path / "audit.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"seq": 2, "ts": 1')
    reopened = Store(tmp_path)
    assert [r.seq for r in reopened.audit.records()] == [1]
    assert (tmp_path / "audit.jsonl").read_text(encoding="utf-8").endswith("}\n")
    (tail,) = tmp_path.glob("audit.jsonl.tail.corrupt-*")
    assert tail.read_text(encoding="utf-8") == '{"seq": 2, "ts": 1'
    add(reopened, SUPER, "第二个问题")
    assert [r.seq for r in reopened.audit.records()] == [1, 2]


def test_threads_adding_at_once_get_unique_ids(tmp_path: Path) -> None:
    store = Store(tmp_path)
    threads = [
        threading.Thread(target=add, args=(store, SUPER, f"线程问题{n}号")) for n in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = sorted(e.id for e in Store(tmp_path).custom_entries())
    assert ids == sorted(f"custom-{n}" for n in range(1, 11))


def test_pending_approve_and_reject(tmp_path: Path) -> None:
    store = Store(tmp_path)
    number = store.submit(
        ADMIN, {"kind": "add", "question": "待审问题", "answer": "待审答案。", "scope": "555"}
    )
    other = store.submit(
        ADMIN, {"kind": "add", "question": "另一个", "answer": "另一个答案。", "scope": "555"}
    )
    item = store.pending_item(number)
    data = {
        "question": item["question"],
        "answer": item["answer"],
        "scope": item["scope"],
        "aliases": [],
    }
    entry, _ = store.add_entry(SUPER, data, take_pending=number)
    store.reject(SUPER, other)
    reopened = Store(tmp_path)
    assert reopened.pending_items() == [] and [e.id for e in reopened.custom_entries()] == [
        entry.id
    ]
    reopened.undo(SUPER)  # 撤销驳回：回到队列
    assert [i["number"] for i in reopened.pending_items()] == [other]


def test_export_writes_only_requested_scopes(tmp_path: Path) -> None:
    store = Store(tmp_path)
    add(store, SUPER, "全局问题")
    add(store, ADMIN, "群里问题", scope="555")
    path, count = store.export(["555"])
    assert count == 1 and path.parent == tmp_path / "exports"
    assert [e["question"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]] == [
        "群里问题"
    ]


# ---------- 缺口 ----------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_gaps_expire_after_keep_days(tmp_path: Path) -> None:
    clock = Clock()
    gaps = GapLog(tmp_path / "gaps.jsonl", keep_days=2, now=clock)
    gaps.record("1", "旧问题是什么")
    clock.now += 3 * 86400
    gaps.record("1", "新问题是什么")
    assert gaps.texts("1") == ["新问题是什么"]
    reopened = GapLog(tmp_path / "gaps.jsonl", keep_days=2, now=clock)
    assert reopened.texts("1") == ["新问题是什么"]
    assert "旧问题" not in (tmp_path / "gaps.jsonl").read_text(encoding="utf-8")


def test_gaps_keep_nothing_when_days_is_zero(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    GapLog(path, keep_days=5).record("1", "以前记下的问题")
    gaps = GapLog(path, keep_days=0)
    gaps.record("1", "不该记的问题")
    assert gaps.texts("1") == [] and not path.exists()


def test_cluster_merges_similar_questions_and_counts() -> None:
    asked = [
        "怎么退款",
        "怎么退款啊",
        "发卡网怎么退款",
        "卡密被封了怎么办",
        "卡密被封号了咋办",
        "今天吃什么",
    ]
    groups = cluster(asked)
    assert [(g.count, g.example) for g in groups] == [
        (3, "怎么退款"),
        (2, "卡密被封了怎么办"),
        (1, "今天吃什么"),
    ]


# ---------- 搜索、分页、图片、站点 ----------


def test_search_finds_substrings_first_then_fuzzy() -> None:
    entries = load_knowledge().entries
    ids = [e.id for e in search_entries(entries, "不发货")]
    assert ids[0] == "paid-no-delivery"
    assert search_entries(entries, "量子力学") == []


def test_paginate_clamps_page_numbers() -> None:
    page = paginate(list(range(23)), 9)
    assert (page.number, page.pages, page.total, page.items) == (3, 3, 23, (20, 21, 22))
    assert paginate([], 1).pages == 1


def test_split_answer_keeps_order_and_ignores_other_markers() -> None:
    text = "先看这里[图片:0123456789abcdef.png]然后[图片:../../etc/passwd]"
    assert split_answer(text) == [
        ("text", "先看这里"),
        ("image", "0123456789abcdef.png"),
        ("text", "然后[图片:../../etc/passwd]"),
    ]


def test_save_image_rejects_non_images(tmp_path: Path) -> None:
    with pytest.raises(ImageError):
        save_image(tmp_path, b"<html>not an image</html>")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("https://WWW.Example.com/path?x=1", "example.com"),
        ("hxxps://evil-shop[.]top/buy", "evil-shop.top"),
        ("ｋａｍｅｎｇ．ｃｏｍ", "kameng.com"),
        ("卡盟.中国", "xn--hlrw93f.xn--fiqs8s"),
        ("1.2.3.4", "1.2.3.4"),
        ("不是网址", None),
        ("a..b", None),
    ],
)
def test_normalize_host(text: str, host: str | None) -> None:
    assert normalize_host(text) == host


def test_gaps_marked_wrong_survive_a_reopen_and_old_lines_still_load(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text('{"ts": 1.0, "group": "1", "text": "旧版本写的一行"}\n', encoding="utf-8")
    gaps = GapLog(path, keep_days=5, now=lambda: 2.0)
    gaps.record("1", "机器人答错的那句", wrong=True)
    gaps.record("1", "没答上的那句")
    reopened = GapLog(path, keep_days=5, now=lambda: 3.0)
    assert reopened.texts("1") == ["旧版本写的一行", "机器人答错的那句", "没答上的那句"]
    assert reopened.wrong_texts("1") == {"机器人答错的那句"}
    assert reopened.wrong_texts("2") == set()


def test_data_lines_that_are_json_but_not_objects_are_skipped(tmp_path: Path) -> None:
    """手改或损坏后剩下 `1.5`、`[1]`、`"x"` 这样的行：当作读不懂的行跳过，其余照读。"""
    path = tmp_path / "gaps.jsonl"
    path.write_text('1.5\n[1]\n"x"\n{"ts": 1.0, "group": "1", "text": "好的一行"}\n', "utf-8")
    assert GapLog(path, keep_days=5, now=lambda: 2.0).texts("1") == ["好的一行"]

    store = Store(tmp_path / "data")
    add(store, SUPER, "第一个问题")
    with (store.audit.path).open("a", encoding="utf-8") as fh:
        fh.write('1.5\n[1]\n"x"\n')
    assert [r.seq for r in store.audit.records()] == [1]


def test_a_line_of_control_characters_is_set_aside_not_dropped(tmp_path: Path) -> None:
    """`\\x1c` 在 str.strip 眼里是空白：曾被当成空行，改写 gaps.jsonl 时内容就丢了（fuzz 找到的）。"""
    path = tmp_path / "gaps.jsonl"
    path.write_bytes(b"\x1c")
    gaps = GapLog(path, keep_days=5, now=lambda: 2.0)
    gaps.record("1", "之后的一句")
    kept = [p.read_bytes() for p in tmp_path.iterdir() if p.name != "gaps.jsonl"]
    assert b"\x1c" in kept, "读不懂的行应原样挪到一边"
    assert GapLog(path, keep_days=5, now=lambda: 3.0).texts("1") == ["之后的一句"]

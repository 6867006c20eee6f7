"""/faq gaps、export、reload、审核队列；重启后条目还在且作用域正确；20 个并发添加。"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from nonebug import App

from cardguard.knowledge import default_knowledge_dir

from .admin_kit import ADMIN, SUPER, fresh_service, restart, say
from .events import group_message, private_message

G1 = 720001
G2 = 720002


@pytest.fixture
def admin(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_service(runtime, tmp_path, monkeypatch)


def by_admin(text: str, group: int = G1) -> Any:
    return group_message(text, group=group, user=ADMIN, role="admin")


def by_super(text: str, group: int = G1) -> Any:
    return group_message(text, group=group, user=SUPER)


_askers = itertools.count(60001)


async def answer(app: App, question: str, group: int = G1) -> str:
    """群友点名提问（每次换一个人：同一个人几秒内把同一句话问两遍，机器人只答一次）。"""
    return await say(app, group_message(f"/问 {question}", group=group, user=next(_askers)))


# ---------- 没答上的问题 ----------


async def test_gaps_groups_similar_unanswered_questions(app: App, admin: Any) -> None:
    for question in ("本群几点开黑", "本群几点开黑啊", "咱们本群几点开黑", "今晚谁请奶茶"):
        await answer(app, question)
    await answer(app, "别的群的问题几点开黑", G2)
    reply = await say(app, by_admin("/faq gaps"))
    lines = reply.splitlines()
    assert lines[0].startswith("最近 30 天没答上的问题（第 1/1 页，共 2 条）")
    assert lines[1] == "1. 「本群几点开黑」3 次，2 种说法"
    assert lines[2] == "2. 「今晚谁请奶茶」1 次"
    assert "别的群" not in reply

    await say(app, by_admin("/faq add 本群几点开黑 | 每晚八点。"))
    assert "本群几点开黑" not in await say(app, by_admin("/faq 缺口"))  # 补上了就不再列出
    all_groups = await say(app, private_message("/faq gaps", user=SUPER))
    assert "别的群的问题几点开黑" in all_groups


async def test_gaps_survive_restart(app: App, admin: Any) -> None:
    await answer(app, "群主今天生日吗")
    restart(admin)
    assert "群主今天生日吗" in await say(app, by_admin("/faq gaps"))


# ---------- 导出、重新加载 ----------


async def test_export_writes_readable_yaml_into_data_folder(app: App, admin: Any) -> None:
    assert "没什么可导出的" in await say(app, by_admin("/faq export"))
    await say(app, by_admin("/faq add 本群的规矩是什么 | 不发广告。"))
    await say(app, by_admin("/faq add 二群的规矩是什么 | 不刷屏。", G2))
    reply = await say(app, by_admin("/faq export"))
    assert reply.startswith("已导出 1 条管理员问答，文件 entries-")
    assert str(admin.store.dir) not in reply, "群里的回复不能暴露服务器上的路径"
    name = reply.split("文件 ", 1)[1].split("，", 1)[0]
    path = admin.store.dir / "exports" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e["question"] for e in data["entries"]] == ["本群的规矩是什么"]
    everything = await say(app, by_super("/faq export"))
    assert everything.startswith("已导出 2 条")


def broken_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "faq.yaml").write_text(
        "entries:\n  - id: Bad_Id\n    question: 问\n", encoding="utf-8"
    )
    return folder


async def test_reload_with_broken_knowledge_keeps_last_good(
    app: App, admin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await say(app, by_admin("/faq add 本群客服是谁 | 群主。"))
    config = admin.runtime.config
    monkeypatch.setattr(config, "cardguard_knowledge_dir", broken_knowledge(tmp_path))
    reply = await say(app, by_super("/faq reload"))
    assert reply.startswith("知识有错，继续用上一版。要改的地方：\n· ")
    assert "faq.yaml:2 [Bad_Id]" in reply
    assert admin.runtime.knowledge.get("paid-no-delivery") is not None
    assert await answer(app, "本群客服是谁") == "群主。"


async def test_reload_picks_up_edits_to_the_shipped_knowledge(
    app: App, admin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """改了 knowledge/ 里的文件，/faq reload 之后新条目马上能答，管理员加的条目也还在。"""
    await say(app, by_admin("/faq add 本群客服是谁 | 群主。"))
    folder = tmp_path / "knowledge"
    shutil.copytree(admin.runtime.config.cardguard_knowledge_dir or default_knowledge_dir(), folder)
    faq = folder / "faq.yaml"
    faq.write_text(
        faq.read_text(encoding="utf-8")
        + "  - id: test-new-entry\n    question: 群里的月度抽奖是真的吗\n"
        + "    aliases: [月度抽奖靠谱吗]\n    answer: 是群主办的，不收任何费用。\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(admin.runtime.config, "cardguard_knowledge_dir", folder)
    assert (await say(app, by_super("/faq reload"))).startswith("已重新加载：内置")
    assert await answer(app, "群里的月度抽奖是真的吗") == "是群主办的，不收任何费用。"
    assert await answer(app, "本群客服是谁") == "群主。"


async def test_reload_picks_up_hand_edits_and_reports_broken_ones(app: App, admin: Any) -> None:
    await say(app, by_admin("/faq add 本群客服是谁 | 群主。"))
    admin.store.compact()  # 机器人安静一分钟后自己会写一次快照
    path = admin.store.dir / "entries.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("群主。", "管理员小王。"), encoding="utf-8"
    )
    assert (await say(app, by_super("/faq reload"))).startswith("已重新加载：内置")
    assert await answer(app, "本群客服是谁") == "管理员小王。"

    path.write_text("entries:\n  - id: custom-9\n    question: 缺答案\n", encoding="utf-8")
    reply = await say(app, by_super("/faq 重载"))
    assert "entries.yaml:2 [custom-9]" in reply and "已挪到 entries.yaml.corrupt-" in reply
    assert await answer(app, "本群客服是谁") == "管理员小王。"
    assert list(admin.store.dir.glob("entries.yaml.corrupt-*"))
    assert "管理员小王" in path.read_text(encoding="utf-8")  # 写回了上一版好的


# ---------- 审核队列 ----------


async def test_review_queue_holds_group_admin_changes(
    app: App, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin.runtime.config, "cardguard_review_queue", True)
    assert await say(app, by_admin("/faq add 本群收不收小号 | 不收。")) == (
        "已提交审核（#1），机器人管理员通过后生效。"
    )
    assert "不收" not in await answer(app, "本群收不收小号")
    pending = await say(app, private_message("/faq pending", user=SUPER))
    assert f"#1 群{G1} {ADMIN} 新增：本群收不收小号" in pending
    assert (await say(app, private_message("/faq approve 1", user=SUPER))).startswith(
        "已通过 #1：g720001-1"
    )
    assert await answer(app, "本群收不收小号") == "不收。"

    assert "#2" in await say(app, by_admin("/faq edit g720001-1\n收，但要实名。"))
    assert "#3" in await say(app, by_admin("/faq alias g720001-1 小号能进吗"))
    assert await say(app, private_message("/faq reject 2", user=SUPER)) == "已驳回 #2。"
    await say(app, private_message("/faq 通过 #3", user=SUPER))
    assert await answer(app, "小号能进吗") == "不收。"
    assert (await say(app, private_message("/faq pending", user=SUPER))).startswith(
        "没有待审核的问答。"
    )


async def test_superuser_changes_skip_the_review_queue(
    app: App, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin.runtime.config, "cardguard_review_queue", True)
    assert "已添加 custom-1" in await say(app, by_super("/faq add 超管加的问题是啥 | 直接生效。"))


# ---------- 重启 ----------


async def test_fresh_runtime_from_same_folder_finds_entries_in_right_scope(
    app: App, admin: Any
) -> None:
    from cardguard.knowledge import load_knowledge
    from cardguard.store import Store
    from nonebot_plugin_cardguard.runtime import Runtime

    await say(app, by_admin("/faq add 本群的暗号是什么 | 天王盖地虎。"))
    await say(app, by_super("/faq add 全局新增的问题是啥 | 全局的答案。"))
    await say(app, by_admin("/guard passive off"))

    store = Store(admin.store.dir)  # 新进程：同一个数据目录，只靠审计日志和快照
    runtime = Runtime(admin.runtime.config, shipped=load_knowledge(), store=store, stats=None)
    local = runtime.matcher.ask("本群的暗号是什么", scope=str(G1))
    assert local.entry is not None and local.entry.answer == "天王盖地虎。"
    elsewhere = runtime.matcher.ask("本群的暗号是什么", scope=str(G2))
    assert elsewhere.id != "g720001-1"
    assert all(e.id != "g720001-1" for e in runtime.matcher.entries if e.scope == str(G2))
    assert runtime.matcher.ask("全局新增的问题是啥", scope=str(G2)).id == "custom-1"
    assert runtime.settings(str(G1)).passive is False
    assert runtime.settings(str(G2)).passive is True


# ---------- 并发 ----------


async def add_quietly(text: str) -> list[str]:
    """不经过 QQ：直接交给 /faq add 的处理函数，把回复收下来。"""
    from nonebot_plugin_cardguard.admin import context
    from nonebot_plugin_cardguard.admin.faq_edit import faq_add

    said: list[str] = []

    async def reply(self: Any, text: str) -> None:
        said.append(text)

    msg = SimpleNamespace(user=str(ADMIN), group=str(G1), command=SimpleNamespace(extras=()))
    ctx = context.Ctx(msg, "admin", text)  # type: ignore[arg-type]
    ctx.reply = reply.__get__(ctx)  # type: ignore[method-assign]
    await faq_add(ctx)
    return said


WORDS = [
    "苹果",
    "香蕉",
    "橘子",
    "葡萄",
    "西瓜",
    "芒果",
    "草莓",
    "樱桃",
    "菠萝",
    "柠檬",
    "石榴",
    "椰子",
    "荔枝",
    "龙眼",
    "枇杷",
    "杨梅",
    "山竹",
    "榴莲",
    "蓝莓",
    "桑葚",
]


async def test_twenty_concurrent_adds_all_land_with_unique_ids(admin: Any) -> None:
    said = await asyncio.gather(*(add_quietly(f"本群{w}怎么分 | 按{w}规则分。") for w in WORDS))
    assert all(s and s[0].startswith("已添加 g720001-") for s in said)
    ids = [s[0].split()[1].split("（")[0] for s in said]
    assert len(set(ids)) == 20
    admin.store.compact()
    data = yaml.safe_load((admin.store.dir / "entries.yaml").read_text(encoding="utf-8"))
    assert sorted(e["id"] for e in data["entries"]) == sorted(ids)
    assert len(list(admin.store.audit.records())) == 20
    for word in WORDS:
        result = admin.runtime.matcher.ask(f"本群{word}怎么分", scope=str(G1))
        assert result.entry is not None and result.entry.answer == f"按{word}规则分。"

"""/faq：添加、别名、修改、删除、查看、列表、搜索、撤销、历史，以及不同身份的权限。"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nonebug import App

from .admin_kit import ADMIN, MEMBER, OWNER, SUPER, fresh_service, restart, say, swap_store, talk
from .events import group_message, private_message

G1 = 710001
G2 = 710002
FAQ_REFUSAL = "只有群主、群管理或机器人管理员可以修改问答。"


@pytest.fixture
def admin(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_service(runtime, tmp_path, monkeypatch)


def msg(text: str, group: int = G1, *, user: int = 40001, role: str = "member") -> Any:
    return group_message(text, group=group, user=user, role=role)  # type: ignore[arg-type]


def by_admin(text: str, group: int = G1) -> Any:
    return msg(text, group, user=ADMIN, role="admin")


def by_owner(text: str, group: int = G1) -> Any:
    return msg(text, group, user=OWNER, role="owner")


def by_super(text: str, group: int = G1) -> Any:
    return msg(text, group, user=SUPER, role="member")


_askers = itertools.count(50001)


async def answer(app: App, question: str, group: int = G1) -> str:
    """群友点名提问（每次换一个人：同一个人几秒内把同一句话问两遍，机器人只答一次）。"""
    return await say(app, msg(f"/问 {question}", group, user=next(_askers)))


# ---------- 添加：身份与作用域 ----------


async def test_group_admin_entry_answers_at_once_only_in_that_group(app: App, admin: Any) -> None:
    reply = await say(app, by_admin("/faq add 本群的担保交易找谁 | 找群主小明，别私下转账。"))
    assert "已添加 g710001-1" in reply and "只在本群生效" in reply
    assert await answer(app, "本群的担保交易找谁") == "找群主小明，别私下转账。"
    assert "找群主小明" not in await answer(app, "本群的担保交易找谁", G2)


async def test_owner_adds_multiline_answer(app: App, admin: Any) -> None:
    reply = await say(
        app, by_owner("/问答 添加 群里代充靠谱吗\n不靠谱。\n代充大多是盗刷来的，会被追回。")
    )
    assert "已添加" in reply
    assert await answer(app, "群里代充靠谱吗") == "不靠谱。\n代充大多是盗刷来的，会被追回。"


async def test_superuser_entries_are_global_unless_flagged_local(app: App, admin: Any) -> None:
    reply = await say(app, by_super("/faq add 机器人是谁维护的 | 由群主们一起维护。"))
    assert "已添加 custom-1" in reply and "所有群都生效" in reply
    assert await answer(app, "机器人是谁维护的", G2) == "由群主们一起维护。"
    reply = await say(app, by_super("/faq add -g 本群群规在哪看 | 看群公告第一条。"))
    assert "g710001-" in reply and "只在本群生效" in reply
    assert "群公告第一条" not in await answer(app, "本群群规在哪看", G2)


async def test_superuser_can_add_in_private_chat(app: App, admin: Any) -> None:
    reply = await say(
        app, private_message("/faq add 私聊加的问题是什么 | 私聊加的答案。", user=SUPER)
    )
    assert "已添加 custom-1" in reply
    assert await answer(app, "私聊加的问题是什么", G2) == "私聊加的答案。"


# ---------- 拒绝：成员、私聊陌生人、群管理越权 ----------


async def test_member_is_refused_once_and_nothing_changes(app: App, admin: Any) -> None:
    assert await say(app, msg("/faq add 成员想加的问题 | 成员的答案", user=MEMBER)) == FAQ_REFUSAL
    await talk(
        app, msg("/faq del paid-no-delivery", user=MEMBER), replies=0
    )  # 一分钟内不再重复拒绝
    assert admin.store.custom_entries() == []
    assert not (admin.store.dir / "entries.yaml").exists()
    assert admin.runtime.knowledge.get("paid-no-delivery") is not None


async def test_private_non_superuser_is_refused(app: App, admin: Any) -> None:
    reply = await say(app, private_message("/faq list", user=MEMBER))
    assert reply == "私聊里只有机器人管理员能用这个命令；群管理请在群里发。"


async def test_group_admin_cannot_touch_global_entries(app: App, admin: Any) -> None:
    before = admin.runtime.knowledge.get("paid-no-delivery")
    reply = await say(app, by_admin("/faq del paid-no-delivery"))
    assert reply == "paid-no-delivery 是全局问答，只有机器人管理员能改。"
    reply = await say(app, by_admin("/faq edit paid-no-delivery\n乱改的答案"))
    assert "只有机器人管理员能改" in reply
    assert admin.runtime.knowledge.get("paid-no-delivery") == before


async def test_group_admin_cannot_see_other_groups_entries(app: App, admin: Any) -> None:
    await say(app, by_admin("/faq add 二群专属的问题 | 二群专属的答案", G2))
    assert "没找到 g710002-1" in await say(app, by_admin("/faq del g710002-1", G1))
    assert "二群专属的答案" in await answer(app, "二群专属的问题", G2)


async def test_superuser_only_commands_refuse_group_admins(app: App, admin: Any) -> None:
    assert await say(app, by_admin("/faq reload")) == "这个命令只有机器人管理员能用。"
    assert await say(app, by_owner("/faq approve 1")) == "这个命令只有机器人管理员能用。"


# ---------- 用法与长度限制 ----------


async def test_bad_input_shows_usage(app: App, admin: Any) -> None:
    assert "/faq add 问题 | 答案" in await say(app, by_admin("/faq"))
    assert "/faq add 问题 | 答案" in await say(app, by_admin("/faq 不存在的子命令"))
    assert (await say(app, by_admin("/faq add 只有问题没有答案"))).startswith("用法：/faq add")
    assert (await say(app, by_admin("/faq edit"))).startswith("用法：/faq edit")
    assert (await say(app, by_admin("/faq alias custom-1"))).startswith("用法：/faq alias")


async def test_length_limits_are_explained(app: App, admin: Any) -> None:
    long_question = "卡" * 121
    reply = await say(app, by_admin(f"/faq add {long_question} | 答案"))
    assert reply == "问题太长了：最多 120 字，现在 121 字。"
    reply = await say(app, by_admin("/faq add 正常的问题 | " + "答" * 1501))
    assert reply == "答案太长了：最多 1500 字，现在 1501 字。"
    assert admin.store.custom_entries() == []


async def test_duplicate_question_points_to_existing_entry(app: App, admin: Any) -> None:
    await say(app, by_admin("/faq add 本群禁止什么 | 禁止发卡盟链接。"))
    reply = await say(app, by_admin("/faq add 本群禁止什么？ | 另一个答案"))
    assert reply == "已经有这个问题了：g710001-1。要改答案发 /faq edit g710001-1"


# ---------- 别名、修改、删除、查看 ----------


async def test_alias_edit_show_and_delete(app: App, admin: Any) -> None:
    await say(app, by_admin("/faq add 入群要交钱吗 | 不用交钱。"))
    assert "已给 g710001-1 加上问法" in await say(app, by_admin("/faq alias g710001-1 进群收费吗"))
    assert await answer(app, "进群收费吗") == "不用交钱。"
    assert "已经有这个问法了" in await say(app, by_admin("/faq 别名 g710001-1 进群收费吗"))

    reply = await say(app, by_owner("/faq edit g710001-1\n完全免费。\n收钱的都是骗子。"))
    assert "已修改 g710001-1 的答案" in reply
    assert await answer(app, "入群要交钱吗") == "完全免费。\n收钱的都是骗子。"

    shown = await say(app, by_admin("/faq show g710001-1"))
    assert "问题：入群要交钱吗" in shown and "其他问法：进群收费吗" in shown
    assert shown.endswith("完全免费。\n收钱的都是骗子。")

    assert "已删除 g710001-1" in await say(app, by_admin("/faq del g710001-1"))
    assert "完全免费" not in await answer(app, "入群要交钱吗")


async def test_superuser_edits_and_deletes_shipped_entries_reversibly(app: App, admin: Any) -> None:
    original = admin.runtime.knowledge.get("paid-no-delivery").answer.strip()
    await say(app, by_super("/faq edit paid-no-delivery\n先截图留证，再找平台客服和支付渠道投诉。"))
    assert await answer(app, "付了钱一直不发货怎么办") == "先截图留证，再找平台客服和支付渠道投诉。"
    await say(app, by_super("/faq del paid-no-delivery"))
    assert admin.runtime.knowledge.get("paid-no-delivery") is None
    assert "已撤销你上一次的删除" in await say(app, by_super("/faq undo"))
    assert "已撤销你上一次的改答案" in await say(app, by_super("/faq undo"))
    assert await answer(app, "付了钱一直不发货怎么办") == original


# ---------- 列表、搜索（分页） ----------


def seed(admin: Any, count: int, group: int = G1) -> None:
    from cardguard.store import Actor

    actor = Actor(str(ADMIN), str(group))
    for n in range(count):
        data = {
            "question": f"测试条目第{n + 1}号是什么",
            "answer": f"第{n + 1}号答案",
            "aliases": [],
        }
        admin.store.add_entry(actor, {**data, "scope": str(group)})
    swap_store(admin.runtime, admin.store)


async def test_list_is_paged_ten_at_a_time(app: App, admin: Any) -> None:
    seed(admin, 12)
    first = await say(app, by_admin("/faq list"))
    lines = first.splitlines()
    assert lines[0].startswith("问答列表（第 1/") and lines[1].startswith("1. g710001-1「")
    assert sum(1 for line in lines if line[:1].isdigit()) == 10
    assert lines[-1] == "下一页：/faq list 2"
    second = await say(app, by_admin("/faq 列表 2"))
    assert "11. g710001-11「" in second and "12. g710001-12「" in second


async def test_search_is_fuzzy_and_paged(app: App, admin: Any) -> None:
    seed(admin, 12)
    reply = await say(app, by_admin("/faq search 测试条目"))
    assert reply.startswith("搜索「测试条目」（第 1/2 页，共 12 条）")
    assert reply.endswith("下一页：/faq search 测试条目 2")
    assert "共 12 条" in await say(app, by_admin("/faq search 测试条目 2"))
    assert "paid-no-delivery" in await say(app, by_admin("/faq 搜索 不发货"))
    assert await say(app, by_admin("/faq search 量子力学")) == "没找到和「量子力学」有关的问答。"


# ---------- 撤销与历史（跨重启） ----------


async def test_undo_and_history_survive_restart(app: App, admin: Any) -> None:
    await say(app, by_admin("/faq add 本群发车时间 | 每晚八点。"))
    await say(app, by_admin("/faq edit g710001-1\n每晚九点。"))
    restart(admin)
    assert await answer(app, "本群发车时间") == "每晚九点。"
    history = await say(app, by_admin("/faq history g710001-1"))
    assert f"{ADMIN} 改答案 g710001-1「本群发车时间」" in history
    assert f"{ADMIN} 添加 g710001-1「本群发车时间」" in history
    assert history.index("改答案") < history.index("添加")  # 新的在前

    assert "已撤销你上一次的改答案" in await say(app, by_admin("/faq undo"))
    restart(admin)
    assert await answer(app, "本群发车时间") == "每晚八点。"
    assert "已撤销你上一次的添加" in await say(app, by_admin("/faq 撤销"))
    assert await say(app, by_admin("/faq undo")) == "你在这里还没有可以撤销的修改。"
    assert "每晚" not in await answer(app, "本群发车时间")
    assert "撤销了" in await say(app, by_admin("/faq history"))


async def test_undo_refuses_when_someone_changed_it_since(app: App, admin: Any) -> None:
    await say(app, by_admin("/faq add 本群管理是谁 | 小红。"))
    await say(app, by_owner("/faq edit g710001-1\n小红和小蓝。"))
    reply = await say(app, by_admin("/faq undo"))
    assert reply.startswith("g710001-1 在你改过之后又被改过了，不能直接撤销。")
    assert await answer(app, "本群管理是谁") == "小红和小蓝。"


async def test_undo_is_per_person(app: App, admin: Any) -> None:
    await say(app, by_admin("/faq add 群主的生日是哪天 | 保密。"))
    assert await say(app, by_owner("/faq undo")) == "你在这里还没有可以撤销的修改。"
    assert await answer(app, "群主的生日是哪天") == "保密。"


async def test_dropped_faq_show_replies_are_logged_once_per_minute(
    app: App, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nonebot.log import logger

    from cardguard.pacing import SendBudget

    group = 710009
    from nonebot_plugin_cardguard.app import outbox

    monkeypatch.setattr(outbox, "budget", SendBudget(1, 60.0))
    monkeypatch.setattr(outbox, "reserve", 0)
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), level="INFO")
    try:
        shown = await say(app, by_admin("/faq show paid-no-delivery", group))
        for _ in range(4):
            await talk(app, by_admin("/faq show paid-no-delivery", group), replies=0)
    finally:
        logger.remove(sink)
    assert shown.startswith("编号：paid-no-delivery")
    dropped = [line for line in lines if "丢弃" in line and str(group) in line]
    assert len(dropped) == 1, dropped


# ---------- 改动之后重建什么 ----------


async def test_edits_rebuild_only_what_they_change(app: App, admin: Any) -> None:
    """改群设置不重建匹配器；加本群条目要重建索引但沿用话题模型；改全局条目两样都重建。"""
    runtime = admin.runtime
    assert runtime.matcher.passive("卡盟买的点卡被封号了怎么办").id is not None
    before = runtime.matcher
    topic = before.topic
    assert "旁听回答：关" in await say(app, by_admin("/guard passive off"))
    assert runtime.matcher is before
    await say(app, by_admin("/faq add 本群的担保交易找谁 | 找群主小明，别私下转账。"))
    assert runtime.matcher is not before and runtime.matcher.topic is topic
    assert await answer(app, "本群的担保交易找谁") == "找群主小明，别私下转账。"
    await say(app, by_super("/faq alias paid-no-delivery 付完钱卖家装死"))
    assert runtime.matcher.topic is not topic
    assert runtime.matcher.rank("付完钱卖家装死", 1)[0][0] == "paid-no-delivery"


async def test_edits_build_the_new_index_off_the_event_loop(
    app: App, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """知识很大时建索引要一两秒：在工作线程里建，事件循环照常处理别的群的消息。"""
    from cardguard.matching import Matcher

    admin.runtime.matcher  # noqa: B018  索引已经建过（机器人启动后就是这样）
    built = Matcher.for_knowledge
    threads: list[str] = []

    def recording(knowledge: Any, **kwargs: Any) -> Matcher:
        threads.append(threading.current_thread().name)
        return built(knowledge, **kwargs)

    monkeypatch.setattr(Matcher, "for_knowledge", recording)
    await say(app, by_admin("/faq add 本群的担保交易找谁 | 找群主小明，别私下转账。"))
    assert threads and threading.main_thread().name not in threads, threads
    assert await answer(app, "本群的担保交易找谁") == "找群主小明，别私下转账。"

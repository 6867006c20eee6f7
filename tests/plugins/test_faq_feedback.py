"""群管理回复机器人的回答“答错了”：本群不再旁听回答类似的话、原话进 /faq gaps、可撤销、重启后还在。"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from .admin_kit import ADMIN, MEMBER, Capture, fresh_service, restart, say, texts
from .events import group_message

G = 740001
OTHER = 740002
QUESTION = "付了钱卡密一直不发货怎么办"
ANSWER_ID = 515151


@pytest.fixture
def admin(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_service(runtime, tmp_path, monkeypatch)


async def passive(app: App, runtime: Any, text: str, group: int = G, answer_id: int = 0) -> str:
    """群友不 @ 机器人地问一句；返回机器人主动回答的文字（没回答是空串）。"""
    from nonebot_plugin_cardguard.faq import state

    state.answer_cooldown.reset((str(group), "paid-no-delivery"))
    state.same_question.reset((str(group), "40001", "passive"))
    event = group_message(text, group=group, user=40001)
    capture = Capture()
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)
        if answer_id:
            ctx.should_call_send(event, capture, result={"message_id": answer_id})
    return texts(capture.got[0]) if capture.got else ""


def report(word: str = "答错了", role: str = "admin", user: int = ADMIN, to: int = ANSWER_ID):
    """回复机器人的那条回答。"""
    message = Message([MessageSegment.reply(to), MessageSegment.text(word)])
    return group_message(message, group=G, user=user, role=role)  # type: ignore[arg-type]


async def test_admin_marks_a_passive_answer_wrong_and_the_group_stops_hearing_it(
    app: App, admin: Any, runtime: Any
) -> None:
    assert "截图" in await passive(app, runtime, QUESTION, answer_id=ANSWER_ID)
    reply = await say(app, report())
    assert "记下了" in reply and "/faq undo" in reply
    # 同一句、换个标点的同一句：本群都不再主动回答
    assert await passive(app, runtime, QUESTION) == ""
    assert await passive(app, runtime, "付了钱，卡密一直不发货怎么办？") == ""
    # 别的群照常；本群点名提问照常
    assert "截图" in await passive(app, runtime, QUESTION, group=OTHER, answer_id=ANSWER_ID + 1)
    asked = group_message(f"/问 {QUESTION}", group=G, user=40002)
    assert "截图" in await say(app, asked)
    # 原话进了缺口列表，方便补一条对的
    gaps = await say(app, group_message("/faq gaps", group=G, user=ADMIN, role="admin"))
    assert QUESTION in gaps and "被标记答错" in gaps


async def test_undo_and_restart(app: App, admin: Any, runtime: Any) -> None:
    await passive(app, runtime, QUESTION, answer_id=ANSWER_ID)
    await say(app, report("误报"))  # 回复的是回答，不是链接提醒：也算“答错了”
    restart(admin)
    assert await passive(app, runtime, QUESTION) == "", "重启后标记应该还在"
    history = await say(app, group_message("/faq history", group=G, user=ADMIN, role="admin"))
    assert "答错" in history
    await say(app, group_message("/faq undo", group=G, user=ADMIN, role="admin"))
    assert "截图" in await passive(app, runtime, QUESTION, answer_id=ANSWER_ID + 2)


async def test_member_cannot_mark_an_answer_wrong(app: App, admin: Any, runtime: Any) -> None:
    await passive(app, runtime, QUESTION, answer_id=ANSWER_ID)
    reply = await say(app, report(role="member", user=MEMBER))
    assert reply == "只有群主或管理员可以标记答错。"
    assert runtime.settings(str(G)).quiet_questions == frozenset()
    assert "截图" in await passive(app, runtime, QUESTION, answer_id=ANSWER_ID + 3)


async def test_reply_to_something_else_is_not_taken_as_a_wrong_answer(
    app: App, admin: Any, runtime: Any
) -> None:
    # 回复的不是机器人的回答：这里不管（“误报”交给链接识别，它会说明怎么用）
    reply = await say(app, report("误报", to=999_999))
    assert "请直接回复我的那条提醒" in reply
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, report("答错了", to=999_999))  # 没有预期的发送：机器人不开口
    assert runtime.settings(str(G)).quiet_questions == frozenset()

"""faq 插件：点名回答、/问、/帮助、旁听、闲聊沉默、CQ 码不被解析。"""

from __future__ import annotations

from nonebug import App

from .events import group_message, reply_text


def answer_of(runtime, entry_id: str) -> str:  # type: ignore[no-untyped-def]
    entry = runtime.knowledge.get(entry_id)
    assert entry is not None
    return entry.answer.strip()


async def test_slash_ask_answers_with_reply_quote(app: App, runtime) -> None:  # type: ignore[no-untyped-def]
    event = group_message("/问 付了钱一直不发货怎么办", group=3001)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)
        ctx.should_call_send(
            event, reply_text(event, answer_of(runtime, "paid-no-delivery")), result=None
        )


async def test_mention_answers(app: App, runtime) -> None:  # type: ignore[no-untyped-def]
    event = group_message("发卡网买的cdk激活不了", group=3002, to_me=True)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)
        ctx.should_call_send(
            event, reply_text(event, answer_of(runtime, "invalid-code")), result=None
        )


async def test_chatter_is_ignored(app: App) -> None:
    event = group_message("我的显卡好卡啊怎么办", group=3003)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)  # 没有预期的发送：机器人若开口，nonebug 会报错

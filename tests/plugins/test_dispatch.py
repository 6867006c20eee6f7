"""消息路由（router）：一条消息交给哪些处理、按什么顺序；命令由 NoneBot 的前缀树认出来。

全部通过 nonebug 发真实的 OneBot v11 事件，看机器人说了什么（或者什么都没说）。
"""

from __future__ import annotations

from typing import Any

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from .admin_kit import ADMIN, say, talk, texts
from .events import group_message

SHOP_LINK = "24小时自动发卡 全网最低 kami88点top/buy/3"
FAQ_USAGE_HEAD = "问答管理（/faq 或 /问答）"


def is_warning(text: str) -> bool:
    return text.startswith("⚠️ 注意：")


async def test_a_link_inside_a_question_to_the_bot_gets_a_warning_then_an_answer(
    app: App,
) -> None:
    event = group_message(f"这个网站能买吗 {SHOP_LINK}", group=4301, to_me=True)
    warning, answer = (texts(m) for m in await talk(app, event, replies=2))
    assert is_warning(warning) and "kami88[.]top" in warning
    assert answer and not is_warning(answer)


async def test_commands_are_not_scanned_for_links(app: App) -> None:
    reply = await say(app, group_message(f"/问 {SHOP_LINK} 是什么", group=4302))
    assert not is_warning(reply)


async def test_ask_works_without_a_space_after_the_command(app: App, runtime: Any) -> None:
    entry = runtime.knowledge.get("paid-no-delivery")
    reply = await say(app, group_message("/问付了钱一直不发货怎么办", group=4303))
    assert reply == entry.answer.strip()


async def test_admin_commands_need_a_space_before_their_arguments(app: App) -> None:
    event = group_message("/faqlist", group=4304, user=ADMIN, role="admin")
    await talk(app, event, replies=0)  # 不是 /faq 命令，也不像问句：一句话都不说


async def test_chinese_alias_and_newline_after_the_command(app: App) -> None:
    usage = await say(app, group_message("/问答", group=4305, user=ADMIN, role="admin"))
    assert usage.startswith(FAQ_USAGE_HEAD)
    listing = await say(app, group_message("/问答\nlist", group=4305, user=ADMIN, role="admin"))
    assert listing.startswith("问答列表")


async def test_command_after_an_at_segment_is_not_a_command(app: App) -> None:
    """和 NoneBot 的 on_command 一样只看第一个消息段（OneBot 适配器会先去掉开头的 @机器人）。"""
    message = Message([MessageSegment.at(1), MessageSegment.text("/问答")])
    await talk(app, group_message(message, group=4306, user=ADMIN, role="admin"), replies=0)


async def test_a_broken_link_scanner_does_not_silence_the_answer(
    app: App, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nonebot.log import logger

    from nonebot_plugin_cardguard.links import guard

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("scanner exploded")

    monkeypatch.setattr(guard, "scan", broken)
    errors: list[str] = []
    sink = logger.add(lambda m: errors.append(str(m)), level="ERROR", diagnose=False)
    try:
        event = group_message(f"付了钱一直不发货怎么办 {SHOP_LINK}", group=4307, to_me=True)
        reply = await say(app, event)
    finally:
        logger.remove(sink)
    assert reply and not is_warning(reply)
    assert any("link scan" in line and "scanner exploded" in line for line in errors)
    assert not any("付了钱" in line for line in errors), "出错日志里带了群友的原话"


def test_command_arguments_come_from_the_tidied_text() -> None:
    """NoneBot 认出是哪个命令（前缀树，命令前缀取自 COMMAND_START）；参数从整理过的文字里取。"""
    from nonebot.consts import CMD_KEY, PREFIX_KEY, RAW_CMD_KEY

    from nonebot_plugin_cardguard.view import Command, command_of

    names = {("问",): ("问", False), ("ask",): ("问", False), ("faq",): ("faq", True)}

    def parsed(text: str, command: str, raw: str) -> Command | None:
        state = {PREFIX_KEY: {CMD_KEY: (command,), RAW_CMD_KEY: raw}}
        return command_of(state, text, (), names)

    assert parsed("！问 怎么退款", "问", "！问") == Command("问", "怎么退款")
    assert parsed("/ask怎么退款", "ask", "/ask") == Command("问", "怎么退款")
    assert parsed("  /faq list 2", "faq", "/faq") == Command("faq", "list 2")
    assert parsed("/faqlist", "faq", "/faq") is None, "/faq 和参数之间要有空白"
    assert parsed("/问 [CQ:face,id=1]", "问", "/问") == Command("问", "[CQ:face,id=1]")
    assert command_of({}, "/问 怎么退款", (), names) is None, "NoneBot 没认出命令就不是命令"


async def test_cq_codes_in_a_question_stay_text(app: App) -> None:
    reply = await say(app, group_message("/问 [CQ:at,qq=all] 付了钱不发货怎么办", group=4308))
    assert reply and "[CQ:" not in reply


PASSIVE_QUESTION = "在卡盟买东西安全吗"


async def test_passive_answer_once_per_group_then_cooldown(app: App, runtime: Any) -> None:
    expected = runtime.matcher.passive(PASSIVE_QUESTION, scope="4310")
    assert expected.entry is not None, "前提：这句旁听有把握回答"
    first = await say(app, group_message(PASSIVE_QUESTION, group=4310, user=52001))
    assert first == expected.answer.strip()
    await talk(app, group_message(PASSIVE_QUESTION, group=4310, user=52002), replies=0)
    other = await say(app, group_message(PASSIVE_QUESTION, group=4311, user=52003))
    assert other == first, "冷却只在本群"


async def test_passive_stays_quiet_for_chatter_and_when_switched_off(
    app: App, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cardguard.settings import GroupSettings

    for text in ("显卡驱动怎么更新啊", "银行卡密码忘了怎么办", "今天吃什么"):
        await talk(app, group_message(text, group=4312), replies=0)
    monkeypatch.setitem(runtime._settings, "4313", GroupSettings(passive=False))
    await talk(app, group_message(PASSIVE_QUESTION, group=4313), replies=0)


async def test_a_broken_route_does_not_silence_the_others(
    app: App, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """一条路由的判断出错只记日志：排在它后面的链接提醒照发，旁听出错也不会让机器人崩。"""
    from nonebot.log import logger

    from nonebot_plugin_cardguard.app import router
    from nonebot_plugin_cardguard.router import Route

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("route exploded")

    boom = Route("boom", 7, True, broken)  # 在链接识别（10）之前
    monkeypatch.setattr(router, "routes", sorted([*router.routes, boom], key=lambda r: r.order))
    monkeypatch.setattr(runtime.matcher, "passive", broken)
    errors: list[str] = []
    sink = logger.add(lambda m: errors.append(str(m)), level="ERROR", diagnose=False)
    try:
        reply = await say(app, group_message(f"便宜卡密 自动发货 {SHOP_LINK}", group=4314))
        await talk(app, group_message(PASSIVE_QUESTION, group=4314), replies=0)
    finally:
        logger.remove(sink)
    assert is_warning(reply)
    assert any("boom" in line and "route exploded" in line for line in errors)
    assert any("passive" in line and "route exploded" in line for line in errors)


async def test_passive_does_not_answer_a_message_the_link_guard_warns_on(app: App) -> None:
    """一条消息只说一次话：带卡网链接的问题只得到链接提醒，旁听不再另答一条。"""
    reply = await say(app, group_message(f"这网站靠谱吗 {SHOP_LINK}", group=4315))
    assert is_warning(reply)


def test_one_message_matcher_registered_like_on_message() -> None:
    """唯一的事件响应器和 on_message 建的一样登记在插件名下（NoneBot 的日志和插件信息靠它）。"""
    import nonebot

    from nonebot_plugin_cardguard.router import PRIORITY, PlanRule

    (matcher,) = nonebot.get_plugin("nonebot_plugin_cardguard").matcher  # type: ignore[union-attr]
    assert matcher.type == "message" and matcher.priority == PRIORITY
    assert not matcher.block and not matcher.temp
    assert isinstance(matcher.rule, PlanRule)
    assert matcher.plugin_id == "nonebot_plugin_cardguard"
    assert matcher.module_name == "nonebot_plugin_cardguard.router"

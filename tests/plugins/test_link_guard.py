"""link_guard 插件：可疑链接一条去链接化的提醒、正常链接不打扰、冷却、分享卡片、误报放行。"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from cardguard.settings import GroupSettings
from tests.loopback import serve_bytes

from .events import group_message, sent_text


def warning_of(ctx, event) -> dict:  # type: ignore[no-untyped-def]
    """期望机器人引用这条消息发一条提醒；返回收到的文字（通过 nonebug 的回调断言）。"""
    box: dict = {}

    def check(message) -> bool:  # type: ignore[no-untyped-def]
        msg = Message(message)
        box["kinds"] = [seg.type for seg in msg]
        box["text"] = sent_text(msg)
        return True

    ctx.should_call_send(event, _Matching(check), result={"message_id": 424242})
    return box


class _Matching:
    """nonebug 用 == 比较期望的消息；这里把比较交给回调，并记录实际内容。"""

    def __init__(self, check) -> None:  # type: ignore[no-untyped-def]
        self.check = check

    def __eq__(self, other: object) -> bool:
        return bool(self.check(other))


async def test_disguised_shop_link_gets_one_defanged_warning(app: App) -> None:
    event = group_message("24小时自动发卡 全网最低 kami88点top/buy/3", group=4101)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)
        box = warning_of(ctx, event)
    assert box["kinds"] == ["reply", "text"]
    assert "kami88[.]top" in box["text"]
    assert "://" not in box["text"] and "kami88.top" not in box["text"]
    assert "原因" in box["text"] and "110" in box["text"]


async def test_ordinary_links_draw_nothing(app: App) -> None:
    for text in (
        "b站这个视频不错 https://b23.tv/abc123",
        "官方充值在 https://pay.qq.com 这里",
        "项目地址 github.com/nonebot/nonebot2 版本 v2.5.0",
    ):
        event = group_message(text, group=4102)
        async with app.test_matcher() as ctx:
            bot = ctx.create_bot()
            ctx.receive_event(bot, event)  # 若机器人开口，nonebug 会报“意外的调用”


async def test_same_site_is_not_warned_twice_within_cooldown(app: App) -> None:
    first = group_message("便宜点卡 自动发货 faka-king.xyz/buy/8", group=4103)
    again = group_message("再发一次 faka-king.xyz/buy/9", group=4103)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, first)
        warning_of(ctx, first)
        ctx.receive_event(bot, again)


async def test_share_card_pointing_to_shop_is_warned(app: App) -> None:
    card = {
        "app": "com.tencent.structmsg",
        "meta": {
            "news": {
                "title": "腾讯充值中心",
                "desc": "Q币 8 折",
                "jumpUrl": "https://qb-pay8.top/product/detail?id=3",
            }
        },
    }
    segment = MessageSegment("json", {"data": json.dumps(card, ensure_ascii=False)})
    event = group_message(Message(segment), group=4104)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)
        box = warning_of(ctx, event)
    assert "qb-pay8[.]top" in box["text"]


async def test_admin_false_alarm_reply_allows_site_for_group(app: App, runtime) -> None:  # type: ignore[no-untyped-def]
    post = group_message("自动发卡 秒发 cheapkeys.shop/buy/1", group=4105)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, post)
        warning_of(ctx, post)
    report = group_message(
        Message([MessageSegment.reply(424242), MessageSegment.text("误报")]),
        group=4105,
        role="admin",
    )
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, report)
        box = warning_of(ctx, report)
    assert "cheapkeys[.]shop" in box["text"] and "放行名单" in box["text"]
    assert "cheapkeys.shop" in runtime.settings("4105").allow_sites
    from nonebot_plugin_cardguard.links import guard

    guard.link_cooldown.reset(("4105", "cheapkeys.shop"))
    again = group_message("自动发卡 秒发 cheapkeys.shop/buy/2", group=4105)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, again)  # 已放行：不再提醒


async def test_member_cannot_mark_false_alarm(app: App, runtime) -> None:  # type: ignore[no-untyped-def]
    report = group_message(
        Message([MessageSegment.reply(1), MessageSegment.text("误报")]), group=4106, role="member"
    )
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, report)
        box = warning_of(ctx, report)
    assert "只有群主或管理员" in box["text"]
    assert runtime.settings("4106").allow_sites == frozenset()


async def test_false_alarm_reply_with_an_odd_id_gets_the_guidance(app: App, runtime) -> None:  # type: ignore[no-untyped-def]
    for odd in ("²", "abc", "", "١٢"):
        report = group_message(
            Message([MessageSegment("reply", {"id": odd}), MessageSegment.text("误报")]),
            group=4107,
            role="admin",
        )
        async with app.test_matcher() as ctx:
            bot = ctx.create_bot()
            ctx.receive_event(bot, report)
            box = warning_of(ctx, report)
        assert "请直接回复我的那条提醒" in box["text"], odd
    assert runtime.settings("4107").allow_sites == frozenset()


async def test_reported_site_ignores_reply_ids_that_are_not_numbers(app: App) -> None:
    from nonebot_plugin_cardguard.links.false_alarm import reported_site, warned
    from nonebot_plugin_cardguard.outbox import Sent
    from nonebot_plugin_cardguard.view import build_msg

    warned.remember(Sent(777), "4108", "shop.top")
    async with app.test_api() as ctx:
        bot = ctx.create_bot()
        for odd in ("²", "abc", "7 7 7", "777"):
            message = Message([MessageSegment("reply", {"id": odd}), MessageSegment.text("误报")])
            event = group_message(message, group=4108, role="admin")
            msg = build_msg(bot, event, lambda g: GroupSettings(), {}, {})
            assert msg is not None
            assert reported_site(msg) == ("shop.top" if odd == "777" else None), odd


@pytest.fixture
def qr_server() -> Iterator[str]:
    """127.0.0.1 上的图片服务器：/shop.png 是指向卡盟的二维码，/plain.png 是普通网址的二维码。

    服务器在本机：测试的设置打开了 CARDGUARD_FETCH_PRIVATE（见 tests/conftest.py；默认不连本机/内网地址）。
    """
    import segno

    def png(text: str) -> bytes:
        buffer = io.BytesIO()
        segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
        return buffer.getvalue()

    bodies = {
        "/shop.png": png("https://qr-kami9.top/buy/7"),
        "/plain.png": png("https://www.bilibili.com/video/BV1xx411c7mD"),
    }

    with serve_bytes(bodies) as url:
        yield url


def image(url: str) -> MessageSegment:
    return MessageSegment("image", {"file": "qr.png", "url": url})


async def test_qr_code_pointing_to_a_shop_is_warned(app: App, qr_server: str) -> None:
    event = group_message(Message(image(f"{qr_server}/shop.png")), group=4109)
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)
        box = warning_of(ctx, event)
    assert "qr-kami9[.]top" in box["text"] and "://" not in box["text"]


async def test_qr_code_with_an_ordinary_link_draws_nothing(app: App, qr_server: str) -> None:
    event = group_message(Message([MessageSegment.text("看这个"), image(f"{qr_server}/plain.png")]))
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)

"""插件的可靠性零件：日志隐私、私聊不留原话、合并提醒的发送、消息段整理。"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nonebug import App

from tests.plugins.admin_kit import fresh_service, say
from tests.plugins.events import group_message, private_message

UNKNOWN = "量子计算机散热要用多少升液氮才够呢"

# ---------- 日志里不留 QQ 号和原文 ----------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "OneBot V11 900000 | [message.group.normal]: Message 5 from 123456@[群:7001] '身份证'",
            "OneBot V11 900000 | [message.group.normal]: Message 5 @[群:7001]",
        ),
        (
            "OneBot V11 900000 | [message.private.friend]: Message 6 from 123456 '我的密码'",
            "OneBot V11 900000 | [message.private.friend]: Message 6 （私聊）",
        ),
        (
            "OneBot V11 900000 | [notice.group_increase.approve]: {'user_id': 123456}",
            "OneBot V11 900000 | [notice.group_increase.approve]: （内容已隐去）",
        ),
        ("没有事件头的普通日志", "没有事件头的普通日志"),
    ],
)
def test_event_log_lines_lose_numbers_and_text(line: str, expected: str) -> None:
    from nonebot_plugin_cardguard.logs import redact_event_line, redact_raw

    assert redact_event_line(line) == expected
    assert redact_raw("Failed to parse event. Raw: {'message': '秘密'}") == (
        "Failed to parse event. （内容已隐去）"
    )


def test_event_log_redaction_is_linear_on_huge_lines() -> None:
    from nonebot_plugin_cardguard.logs import redact_event_line

    huge = "OneBot V11 1 | [message.group.normal]: Message 1 from 2@[群:3] '" + "啊" * 200_000
    assert redact_event_line(huge).endswith("Message 1 @[群:3]")
    assert redact_event_line("| [" * 100_000) == "| [" * 100_000


# ---------- 私聊的问题不进 /faq gaps ----------


@pytest.fixture
def admin(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_service(runtime, tmp_path, monkeypatch)


async def test_unanswered_private_question_is_counted_but_its_text_never_kept(
    app: App, admin: Any
) -> None:
    from cardguard.store import ALL_GROUPS

    await say(app, private_message(f"/问 {UNKNOWN}", user=40002))
    await say(app, group_message(f"/问 {UNKNOWN}？", group=760001, user=40003))
    assert admin.store.gaps.texts(ALL_GROUPS) == [f"{UNKNOWN}？"], "只有群里的问题留原话"
    content = (admin.store.dir / "gaps.jsonl").read_text(encoding="utf-8")
    assert "40003" not in content and "40002" not in content


def test_runtime_strips_private_text_before_recording(admin: Any) -> None:
    from cardguard.store import ALL_GROUPS

    runtime = admin.runtime
    before = runtime.stats.report(None, 1)["totals"]["unanswered"]
    runtime.record("unanswered", None, "私聊里的原话")
    runtime.record("unanswered", "1", "群里的原话")
    assert admin.store.gaps.texts(ALL_GROUPS) == ["群里的原话"]
    assert runtime.stats.report(None, 1)["totals"]["unanswered"] == before + 2


# ---------- 合并提醒 ----------


class StubBot:
    """记下发出的消息和 API 调用的假 bot。"""

    def __init__(self, admins: int = 5) -> None:
        self.sent: list[str] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.admins = admins

    async def send(self, event: Any, message: Any) -> dict[str, int]:
        self.sent.append("".join(s.data.get("text", "") for s in message if s.type == "text"))
        return {"message_id": 1}

    async def call_api(self, api: str, **data: Any) -> Any:
        self.calls.append((api, data))
        if api == "get_group_member_list":
            return [{"user_id": 500 + n, "role": "admin"} for n in range(self.admins)]
        return {"message_id": 2}


def stub_msg(bot: Any, group: int, settings: Any) -> Any:
    from nonebot_plugin_cardguard.view import Msg

    event = group_message("x", group=group)
    return Msg(bot, event, str(group), "1", "member", "x", False, event.message_id, settings)


async def test_merger_sends_one_digest_when_the_window_closes() -> None:
    from cardguard.settings import GroupSettings
    from nonebot_plugin_cardguard.links.merge import Flush, WarningMerger

    flushed: list[Flush] = []

    async def send(flush: Flush) -> None:
        flushed.append(flush)

    clock = asyncio.get_running_loop().time
    merger = WarningMerger(send, clock, window=0.05)
    msgs = {s: stub_msg(StubBot(), 1, GroupSettings()) for s in ("a.top", "b.top", "c.top")}
    try:
        assert merger.offer("g", "a.top", msgs["a.top"]) is True
        assert [merger.offer("g", s, msgs[s]) for s in ("b.top", "c.top")] == [False] * 2
        await asyncio.sleep(0.15)
    finally:
        await merger.close()
    (flush,) = flushed
    assert flush.key == "g" and flush.batch.items == ["b.top", "c.top"]
    assert flush.msg is msgs["c.top"], "用最后一条消息的上下文发"


async def test_digest_in_notify_mode_tells_admins_once(runtime: Any, monkeypatch: Any) -> None:
    from cardguard.pacing import Batch
    from cardguard.settings import GroupSettings
    from nonebot_plugin_cardguard.links import guard
    from nonebot_plugin_cardguard.links.merge import Flush

    notify = GroupSettings(link_mode="notify")
    monkeypatch.setitem(runtime._settings, "770001", notify)
    batch = Batch(20)
    for n in range(7):
        batch.add(f"shop{n}.top")
    bot = StubBot()
    await guard.send_digest(Flush("770001", batch, stub_msg(bot, 770001, notify)))
    (digest,) = bot.sent
    assert digest.startswith("⚠️ 刚才又有 7 条") and "shop0[.]top" in digest
    assert "shop5[.]top" not in digest and "等 7 个网站" in digest
    private = [data for api, data in bot.calls if api == "send_private_msg"]
    assert len(private) == 3, "最多私聊 3 位管理员，每位一条"
    assert all("shop0[.]top" in data["message"].extract_plain_text() for data in private)
    assert all(seg.type == "text" for data in private for seg in data["message"])


# ---------- 消息段整理 ----------


class Seg:
    def __init__(self, kind: str, data: Any) -> None:
        self.type, self.data = kind, data


def test_tidy_fixes_segments_without_touching_the_originals() -> None:
    from nonebot_plugin_cardguard.view import MAX_TEXT_CHARS, tidy_segments

    message = [
        Seg("text", {"text": "表情被截断\ud83d"}),
        Seg("image", None),
        Seg("reply", {"id": "abc"}),
        Seg("text", {"text": 42}),
        Seg("json", {"data": '{"x": "\udc00"}'}),
        Seg("text", {"text": "啊" * (MAX_TEXT_CHARS + 10)}),
        Seg("text", {"text": "超出部分"}),
    ]
    tidied, notes = tidy_segments(message)
    assert [s["type"] for s in tidied] == ["text", "image", "text", "json", "text", "text"]
    assert tidied[0]["data"]["text"] == "表情被截断\ufffd" and tidied[1]["data"] == {}
    assert tidied[2]["data"]["text"] == "42" and tidied[3]["data"]["data"] == '{"x": "\ufffd"}'
    total = sum(len(s["data"]["text"]) for s in tidied if s["type"] == "text")
    assert total == MAX_TEXT_CHARS and tidied[5]["data"]["text"] == ""
    assert notes == {"回复段的 id 不是数字", f"文字超过 {MAX_TEXT_CHARS} 字，只看前面的"}
    assert message[0].data["text"].endswith("\ud83d"), "原来的消息段不被改动"


def test_tidy_leaves_ordinary_messages_alone() -> None:
    from nonebot_plugin_cardguard.view import tidy_segments

    message = [Seg("reply", {"id": "12"}), Seg("text", {"text": "付了钱不发货怎么办"})]
    tidied, notes = tidy_segments(message)
    assert notes == set()
    assert [(s["type"], s["data"]) for s in tidied] == [
        ("reply", {"id": "12"}),
        ("text", {"text": "付了钱不发货怎么办"}),
    ]

"""每条消息都走的快速路径与完整路径严格一致。

- `is_tidy` 说“不用整理”的消息，`tidy_message` 确实一点都不改；
- `bot.tidy_frame` 的快速判断与逐段整理结果相同；
- `bot.fast_event` 解析出的事件与 OneBot 适配器自己解析的相同；
- `bot.drop_quiet_logs_early` 之后日志输出不变，只是低级别的记录不再先建好再扔掉。
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


class Seg:
    def __init__(self, kind: str, data: Any) -> None:
        self.type, self.data = kind, data

    def state(self) -> tuple[str, Any]:
        return self.type, copy.deepcopy(self.data)


text = st.text(alphabet=st.characters() | st.sampled_from(["\ud800", "\udfff", "卡"]), max_size=30)
value = st.none() | st.booleans() | st.integers() | text | st.lists(text, max_size=2)
data = st.dictionaries(st.sampled_from(["text", "id", "url", "\ud800"]), value, max_size=3)
plain = st.text(alphabet=st.sampled_from("卡密 ok?1"), max_size=10)
segment = st.one_of(
    st.builds(Seg, st.just("text"), st.fixed_dictionaries({"text": plain})),
    st.builds(Seg, st.just("reply"), st.fixed_dictionaries({"id": plain})),
    st.builds(Seg, st.sampled_from(["text", "reply", "image", "json"]), data | st.none() | text),
)


@FUZZ
@given(st.lists(segment, max_size=6))
def test_quick_check_agrees_with_the_full_tidy(message: list[Seg]) -> None:
    from plugins.guard_core.tidy import is_tidy, tidy_message

    before = [s.state() for s in message]
    quick = is_tidy(message)
    notes = tidy_message(message)
    if quick:
        assert notes == set()
        assert [s.state() for s in message] == before, "快速检查放过了需要整理的消息"


def test_long_text_is_not_considered_tidy() -> None:
    from plugins.guard_core.tidy import MAX_TEXT_CHARS, is_tidy

    assert is_tidy([Seg("text", {"text": "啊" * MAX_TEXT_CHARS})])
    assert not is_tidy([Seg("text", {"text": "啊" * MAX_TEXT_CHARS}), Seg("text", {"text": "x"})])
    assert not is_tidy([Seg("face", {"id": "1"})] * 201)


frame_segment = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("text"), "data": st.fixed_dictionaries({"text": plain})}
    ),
    st.fixed_dictionaries({"type": st.just("reply"), "data": st.fixed_dictionaries({"id": plain})}),
    st.dictionaries(st.sampled_from(["type", "data", "extra"]), value | data, max_size=3),
    value,
)


@FUZZ
@given(st.lists(frame_segment, max_size=6))
def test_tidy_frame_quick_path_gives_the_same_segments(message: list[Any]) -> None:
    import bot

    full = [bot.tidy_segment(s) for s in message if isinstance(s, dict)]
    expected = [s for s in full if not bot._bad_reply(s)]
    assert bot.tidy_frame({"message": copy.deepcopy(message)})["message"] == expected


# ---------- 事件解析：bot.fast_event 与适配器自己的解析结果一样 ----------

scalar = st.none() | st.booleans() | st.integers(-3, 2**40) | plain
seg_data = st.dictionaries(st.sampled_from(["text", "id", "url", "qq", "file"]), scalar, max_size=3)
raw_segment = st.fixed_dictionaries(
    {"type": st.sampled_from(["text", "image", "at", "reply", "json", "wtf"]), "data": seg_data}
)
group_or_private = st.sampled_from([("group", "normal"), ("private", "friend"), ("group", None)])


@st.composite
def raw_event(draw: st.DrawFn) -> dict[str, Any]:
    """OneBot v11 的几类事件，字段有时缺、有时类型不对、有时多出来。"""
    base: dict[str, Any] = {"time": 1, "self_id": 900000}
    kind = draw(st.sampled_from(["message", "message_sent", "notice", "meta_event", "request"]))
    if kind in ("message", "message_sent"):
        message_type, sub_type = draw(group_or_private)
        base |= {
            "post_type": kind,
            "message_type": message_type,
            "message_id": draw(st.integers(1, 99)),
            "user_id": 2,
            "message": draw(st.lists(raw_segment, max_size=5)),
            "raw_message": draw(plain),
            "font": 0,
            "sender": draw(st.sampled_from([{"user_id": 2, "role": "admin"}, {}, {"nickname": 1}])),
        }
        if sub_type is not None:
            base["sub_type"] = sub_type
        if message_type == "group":
            base["group_id"] = draw(st.sampled_from([3, "3", None]))
    elif kind == "notice":
        base |= {"post_type": kind, "notice_type": draw(st.sampled_from(["group_recall", "poke"]))}
        base |= {"group_id": 3, "user_id": 2, "operator_id": 2, "message_id": 5}
    elif kind == "meta_event":
        base |= {"post_type": kind, "meta_event_type": draw(st.sampled_from(["heartbeat", "x"]))}
        base |= {"status": {"online": True, "good": True}, "interval": 5000}
    else:
        base |= {"post_type": kind, "request_type": "friend", "user_id": 2, "flag": "f"}
    extra = draw(st.dictionaries(st.sampled_from(["to_me", "target_id", "anonymous"]), scalar))
    return base | extra


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw_event())
def test_fast_event_parses_exactly_like_the_adapter(frame: dict[str, Any]) -> None:
    from nonebot.adapters.onebot.v11 import Adapter

    import bot

    tidy = bot.tidy_frame(copy.deepcopy(frame))
    expected = Adapter.json_to_event(copy.deepcopy(tidy))
    fast = bot.fast_event(Adapter, copy.deepcopy(tidy))
    if fast is None:  # 快速路径放弃了：bot.py 交回适配器原来的路径，结果自然一样
        return
    assert type(fast) is type(expected)
    assert dict(fast) == dict(expected)
    if hasattr(fast, "message"):
        assert fast.get_log_string() == expected.get_log_string()


def test_the_bot_adapter_uses_the_fast_path_and_keeps_the_message() -> None:
    from nonebot.adapters.onebot.v11 import Adapter, GroupMessageEvent, MessageSegment

    import bot

    frame = {
        "time": 1, "self_id": 900000, "post_type": "message", "message_type": "group",
        "sub_type": "normal", "message_id": 7, "user_id": 2, "group_id": 3,
        "message": [{"type": "text", "data": {"text": "[CQ:at,qq=all] 卡密"}},
                    {"type": "image", "data": {"file": "a.png"}}],
        "raw_message": "", "font": 0, "sender": {"user_id": 2, "role": "member"},
    }  # fmt: skip
    assert isinstance(
        bot.fast_event(Adapter, bot.tidy_frame(copy.deepcopy(frame))), GroupMessageEvent
    )
    event = bot.onebot_adapter().json_to_event(frame)
    assert isinstance(event, GroupMessageEvent)
    assert list(event.message) == [
        MessageSegment.text("[CQ:at,qq=all] 卡密"),
        MessageSegment("image", {"file": "a.png"}),
    ]
    assert event.original_message == event.message and event.original_message is not event.message


# ---------- 日志：低于 LOG_LEVEL 的记录在入口就丢掉，输出不变 ----------


@pytest.fixture
def nonebot_log_handler() -> Iterator[Any]:
    """测试结束后把 NoneBot 的日志处理器恢复成它自己装的样子。"""
    from nonebot import log

    yield log
    log.logger.remove(log.logger_id)
    log.logger_id = log.logger.add(
        sys.stdout, level=0, diagnose=False, filter=log.default_filter, format=log.default_format
    )


def test_quiet_log_records_are_not_even_built(
    nonebot_log_handler: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot

    log = nonebot_log_handler
    assert not bot.drop_quiet_logs_early("NO_SUCH_LEVEL"), "写错的级别不该动处理器"
    assert bot.drop_quiet_logs_early("WARNING")
    built: list[str] = []
    counting = log.logger.patch(lambda record: built.append(record["level"].name))
    counting.debug("调试：看不见")
    counting.info("消息：看不见")
    counting.warning("警告：看得见")
    out = capsys.readouterr().out
    assert "警告：看得见" in out and "看不见" not in out
    assert built == ["WARNING"], "低于 LOG_LEVEL 的日志不该先建好记录再扔掉"

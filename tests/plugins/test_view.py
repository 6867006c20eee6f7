"""每条消息都走的整理和解析：结果总是规矩的、有上限的，快速路径和完整路径一致。

- `view.tidy_segments`：无论送来什么，出来的都是 {type: str, data: dict}，文字和卡片内容有上限，
  回复段的 id 都是数字，没有孤立的代理字符；不改动原来的消息段；
- `bot_adapter.parseable_frame` 只修形状；`fast_event` 解析出的事件与 OneBot 适配器自己解析的相同；
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


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@FUZZ
@given(st.lists(segment, max_size=6))
def test_tidy_always_gives_well_formed_bounded_segments(message: list[Seg]) -> None:
    from nonebot_plugin_cardguard.view import MAX_DATA_CHARS, MAX_TEXT_CHARS, tidy_segments

    before = [s.state() for s in message]
    tidied, _ = tidy_segments(message)
    assert [s.state() for s in message] == before, "整理不该改动原来的消息段"
    texts = 0
    for seg in tidied:
        assert isinstance(seg["type"], str) and isinstance(seg["data"], dict)
        if seg["type"] == "text":
            assert isinstance(seg["data"]["text"], str)
            texts += len(seg["data"]["text"])
        if seg["type"] == "reply":
            assert seg["data"]["id"].isascii() and seg["data"]["id"].isdigit()
        for piece in _strings(seg["data"]):
            assert not any("\ud800" <= ch <= "\udfff" for ch in piece)
    assert texts <= MAX_TEXT_CHARS
    others = sum(len(p) for seg in tidied if seg["type"] != "text" for p in _strings(seg["data"]))
    assert others <= MAX_DATA_CHARS + 200 * 50


def test_tidy_caps_text_cards_and_segment_count() -> None:
    from nonebot_plugin_cardguard.view import MAX_SEGMENTS, MAX_TEXT_CHARS, tidy_segments

    long_text = [Seg("text", {"text": "啊" * MAX_TEXT_CHARS}), Seg("text", {"text": "x" * 10})]
    tidied, notes = tidy_segments(long_text)
    assert sum(len(s["data"]["text"]) for s in tidied) == MAX_TEXT_CHARS and notes
    cards = [Seg("json", {"data": "http://a/" + ")" * 19_980}) for _ in range(10)]
    tidied, notes = tidy_segments(cards)
    assert sum(len(s["data"].get("data") or "") for s in tidied) <= 40_000 and notes
    many, notes = tidy_segments([Seg("face", {"id": "1"})] * 5000)
    assert len(many) == MAX_SEGMENTS and notes
    deep: Any = "x"
    for _ in range(50):
        deep = [deep]
    (node,), _ = tidy_segments([Seg("node", {"content": deep})])
    depth, value = 0, node["data"]["content"]
    while isinstance(value, list) and value:
        depth, value = depth + 1, value[0]
    assert depth <= 4


def test_ordinary_text_is_passed_through_without_copying() -> None:
    from nonebot_plugin_cardguard.view import tidy_segments

    data = {"text": "今天天气不错"}
    ((seg,), notes) = tidy_segments([Seg("text", data)])
    assert seg["data"] is data and not notes


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
def test_parseable_frame_only_fixes_the_shape(message: list[Any]) -> None:
    import bot_adapter

    fixed = bot_adapter.parseable_frame({"message": copy.deepcopy(message)})["message"]
    expected = [bot_adapter.parseable_segment(s) for s in copy.deepcopy(message)]
    assert fixed == [s for s in expected if s is not None]
    for seg in fixed:
        assert isinstance(seg["type"], str) and isinstance(seg["data"], dict)


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

    import bot_adapter

    tidy = bot_adapter.parseable_frame(copy.deepcopy(frame))
    expected = Adapter.json_to_event(copy.deepcopy(tidy))
    fast = bot_adapter.fast_event(Adapter, copy.deepcopy(tidy))
    if fast is None:  # 快速路径放弃了：bot.py 交回适配器原来的路径，结果自然一样
        return
    assert type(fast) is type(expected)
    assert dict(fast) == dict(expected)
    if hasattr(fast, "message"):
        assert fast.get_log_string() == expected.get_log_string()


def test_the_bot_adapter_uses_the_fast_path_and_keeps_the_message() -> None:
    from nonebot.adapters.onebot.v11 import Adapter, GroupMessageEvent, MessageSegment

    import bot
    import bot_adapter

    frame = {
        "time": 1, "self_id": 900000, "post_type": "message", "message_type": "group",
        "sub_type": "normal", "message_id": 7, "user_id": 2, "group_id": 3,
        "message": [{"type": "text", "data": {"text": "[CQ:at,qq=all] 卡密"}},
                    {"type": "image", "data": {"file": "a.png"}}],
        "raw_message": "", "font": 0, "sender": {"user_id": 2, "role": "member"},
    }  # fmt: skip
    assert isinstance(
        bot_adapter.fast_event(Adapter, bot_adapter.parseable_frame(copy.deepcopy(frame))),
        GroupMessageEvent,
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

"""整理消息段的快速检查：`is_tidy` 说“不用整理”的消息，`tidy_message` 确实一点都不改。

快速检查对每条消息都跑，它放过的东西后面的插件就直接用了，所以要和完整整理严格一致。
"""

from __future__ import annotations

import copy
from typing import Any

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

"""旁听：群里没 @ 机器人的消息，像在求助、又很有把握时才回答；闲聊一律不插嘴。

要不要开口全由 `Matcher.passive` 决定（和 `python -m cardguard ask --passive`、`eval` 量的是同一个判断；
像不像问句、诉苦是它的信号之一，闲聊在它的第一步就结束）。匹配在规则里做，不答就不用运行处理函数；同一个群同一条答案
CARDGUARD_ANSWER_COOLDOWN 秒内只答一次，同一个人被旁听回答后 CARDGUARD_USER_COOLDOWN 秒内不再旁听答他。
"""

from __future__ import annotations

from cardguard.matching import MatchResult, is_quieted

from ..app import router, runtime
from ..router import Job
from ..view import Msg
from . import state
from .ask import send_answer
from .state import clock


def is_candidate(msg: Msg) -> bool:
    """便宜的预检：群消息、没 @机器人、有文字、本群开着旁听。"""
    if msg.to_me or msg.group is None or not msg.text:
        return False
    return msg.settings.enabled and msg.settings.passive


@router.route("passive", order=90, block=False, unless=("link scan",))
def passive(msg: Msg) -> Job | None:
    """匹配；有把握、这条答案和这个人都不在冷却里、群管理没标记过“答错了”，才交给处理函数。"""
    if not is_candidate(msg):
        return None
    result = runtime.matcher.passive(msg.text, scope=msg.group)
    if result.entry is None:
        return None
    now = clock()
    if not state.answer_cooldown.ready((msg.group, result.entry.id), now):
        return None
    if not state.same_question.ready((msg.lane, msg.user, "passive"), now):
        return None
    if is_quieted(msg.text, msg.settings.quiet_questions):
        return None
    return lambda: answer_passive(msg, result)


async def answer_passive(msg: Msg, result: MatchResult) -> None:
    """发旁听回答；冷却在发之前占住，没发出去就退回。"""
    assert result.entry is not None
    now = clock()
    topic, person = (msg.group, result.entry.id), (msg.lane, msg.user, "passive")
    if not state.answer_cooldown.hit(topic, now):
        return  # 排队期间同一条答案刚被答过
    state.same_question.hit(person, now)
    if not await send_answer(msg, result.entry, msg.text):
        state.answer_cooldown.reset(topic)
        state.same_question.reset(person)

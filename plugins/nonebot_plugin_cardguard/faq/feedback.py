"""群管理回复机器人的回答“答错了”：本群以后不再旁听回答像这样的话，并把原话记进 /faq gaps。

和链接提醒的“误报”一样只要一步：回复那条回答、发“答错了”。改动写进管理员数据、记审计日志，
/faq history 能看到，/faq undo 能撤销。群友发“答错了”只收到一句拒绝（每人每分钟最多一句）。
"""

from __future__ import annotations

from nonebot.log import logger

from cardguard.matching import quiet_key
from cardguard.store import Actor

from ..app import outbox, router, runtime
from ..router import Job
from ..view import Msg
from . import state
from .state import Answered, clock

WRONG_WORDS = frozenset({"答错了", "答错", "答错啦", "回答错了", "答非所问"})
FALSE_ALARM_WORDS = frozenset({"误报", "誤報"})  # 回复的是回答时也算“答错了”；回复提醒的交给 links
MAX_QUIET = 300  # 每个群最多标记这么多句
COMMAND = "faq 答错了"
REFUSAL = "只有群主或管理员可以标记答错。"


@router.route("wrong answer", order=3)
def wrong_answer(msg: Msg) -> Job | None:
    """第一个词是“答错了”之类：回复的是本群机器人的一条回答就处理；群友发的给一句拒绝。"""
    head = msg.text.strip().split(" ", 1)[0]
    if msg.group is None or head not in WRONG_WORDS | FALSE_ALARM_WORDS:
        return None
    target = state.answered.replied(msg)
    if head in FALSE_ALARM_WORDS and target is None:
        return None  # 链接提醒的“误报”
    if not msg.manager:
        return lambda: outbox.refuse(msg, REFUSAL, now=clock())
    if target is None:
        return None
    return lambda: mark_wrong(msg, target)


async def mark_wrong(msg: Msg, target: Answered) -> None:
    """把提问的原话加进本群的“不再旁听回答”，记进缺口列表。"""
    assert msg.group is not None
    quiet = msg.settings.quiet_questions
    key = quiet_key(target.question)
    if key not in quiet and len(quiet) >= MAX_QUIET:
        text = f"本群已经标记了 {MAX_QUIET} 句，不能再加；可以发 /guard passive off。"
        await outbox.send(msg, text, now=clock())
        return
    actor = Actor(msg.user, msg.group)
    await runtime.change_settings(msg.group, actor, COMMAND, quiet_questions=quiet | {key})
    runtime.record("wrong_answer", msg.group, target.entry_id)
    runtime.record("wrong_question", msg.group, target.question)
    logger.info(f"群 {msg.group} 的群管理标记了 {target.entry_id} 的一次回答为答错")
    text = (
        "好的，记下了：本群以后有人说类似的话，我不再主动回答。"
        "这句也记进了 /faq gaps，方便补一条对的回答；标错了发 /faq undo 撤销。"
    )
    await outbox.send(msg, text, now=clock())

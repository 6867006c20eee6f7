"""群管理回复机器人的回答“答错了”：本群以后不再旁听回答像这样的话，并把原话记进 /faq gaps。

和链接提醒的“误报”一样只要一步：回复那条回答、发“答错了”（或“误报”）。改动经 admin 插件写盘、
记审计日志，`/faq history` 能看到，`/faq undo` 能撤销。
"""

from __future__ import annotations

from dataclasses import dataclass

from nonebot.adapters import Bot, Event
from nonebot.log import logger

from cardguard.matching import quiet_key
from plugins.guard_core import (
    Glance,
    RecentSent,
    Sent,
    can_manage,
    chat_of,
    router,
    runtime,
    send_text,
)

WRONG_WORDS = frozenset({"答错了", "答错", "答错啦", "回答错了", "答非所问", "误报", "誤報"})
MAX_QUIET = 300  # 每个群最多标记这么多句
COMMAND = "faq 答错了"


@dataclass(frozen=True)
class Answered:
    """机器人回答过的一句话：哪个群、用了哪条、提问的原话。"""

    group: str
    entry_id: str
    question: str


answered: RecentSent[Answered] = RecentSent()  # 最近 500 条回答可以被标记


def remember_answer(sent: Sent | None, group: str | None, entry_id: str, question: str) -> None:
    """记下群里刚发出的一条回答（平台给了消息 id 才记得住）。"""
    if group is not None:
        answered.remember(sent, group, Answered(group, entry_id, question))


def reported_answer(glance: Glance) -> Answered | None:
    """回复本群一条回答、第一个词是“答错了”之类：返回被标记的那条回答。"""
    if glance.group is None or "reply" not in glance.kinds or not glance.text:
        return None
    if glance.text.strip().split(" ", 1)[0] not in WRONG_WORDS:
        return None
    return answered.replied(chat_of(glance.event))


# 排在链接的“误报”（4）之前：回复的是回答就归这里，回复的是链接提醒就交给 link_guard。
@router.decision("wrong answer", order=3, block=True, decide=reported_answer)
async def _wrong_answer(bot: Bot, event: Event, target: Answered) -> None:
    chat = chat_of(event)
    if not can_manage(bot, chat):
        await send_text(runtime, bot, event, "只有群主或管理员可以标记答错。")
        return
    if not quiet(target, chat.user):
        await send_text(
            runtime,
            bot,
            event,
            f"本群已经标记了 {MAX_QUIET} 句，不能再加；可以发 /guard passive off。",
        )
        return
    runtime.record("wrong_answer", target.group, target.entry_id)
    runtime.record("wrong_question", target.group, target.question)  # 进 /faq gaps，提醒补一条对的
    logger.info(f"群 {target.group} 的 {chat.user} 标记了 {target.entry_id} 的一次回答为答错")
    await send_text(
        runtime,
        bot,
        event,
        "好的，记下了：本群以后有人说类似的话，我不再主动回答。"
        "这句也记进了 /faq gaps，方便补一条对的回答；标错了发 /faq undo 撤销。",
    )


def quiet(target: Answered, actor: str) -> bool:
    """把提问的原话加进本群的“不再旁听回答”；满了返回 False。"""
    settings = runtime.settings(target.group)
    key = quiet_key(target.question)
    if key in settings.quiet_questions:
        return True
    if len(settings.quiet_questions) >= MAX_QUIET:
        return False
    changed = settings.with_changes(quiet_questions=settings.quiet_questions | {key})
    runtime.change_settings(target.group, changed, actor=actor, command=COMMAND)
    return True

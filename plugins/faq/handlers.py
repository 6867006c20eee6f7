"""事件处理：点名提问、/问、/帮助、旁听回答（经 guard_core 的路由，见 dispatch.py）。"""

from __future__ import annotations

from nonebot.adapters import Bot, Event, Message

from cardguard.matching import MatchResult, is_quieted
from cardguard.text import wants_help
from plugins.guard_core import Chat, Glance, chat_of, router, runtime, send_text

from .answer import HELP_TEXT, render_answer, render_unknown
from .feedback import remember_answer


def is_mention(glance: Glance) -> bool:
    """@机器人（或私聊）：点名提问。"""
    return glance.to_me


def is_passive_candidate(glance: Glance) -> bool:
    """便宜的预检：群消息、没 @机器人、本群开了旁听、看起来是问句。"""
    if glance.to_me or glance.group is None or not glance.text:
        return False
    settings = glance.settings
    return settings.enabled and settings.passive and wants_help(glance.text)


@router.command("帮助", "help")
async def _help(bot: Bot, event: Event, arg: Message) -> None:
    await send_text(runtime, bot, event, HELP_TEXT)


@router.command("问", "ask")
async def _ask(bot: Bot, event: Event, arg: Message) -> None:
    await _answer_explicit(bot, event, arg.extract_plain_text())


@router.route("mention", order=20, block=True, wants=is_mention)
async def _mention(bot: Bot, event: Event) -> None:
    await _answer_explicit(bot, event, event.get_plaintext())


async def _answer_explicit(bot: Bot, event: Event, question: str) -> None:
    chat = chat_of(event)
    if chat.group is not None and not runtime.settings(chat.group).enabled:
        return
    question = question.strip()
    if not question:
        await send_text(runtime, bot, event, HELP_TEXT)
        return
    if not runtime.user_cooldown.hit(("ask", chat.user), runtime.now()):
        return
    result = runtime.matcher.ask(question, scope=chat.group)
    if result.entry is None:
        runtime.record("unanswered", chat.group, question)
        await send_text(runtime, bot, event, render_unknown(result, runtime.matcher))
        return
    runtime.answer_cooldown.hit((chat.group, result.id), runtime.now())
    runtime.record("answered", chat.group, result.id or "")
    sent = await send_text(runtime, bot, event, render_answer(result))
    remember_answer(sent, chat.group, result.id or "", question)


def passive_answer(glance: Glance) -> MatchResult | None:
    """旁听：像问句的群消息先匹配，有把握、这条答案在本群不在冷却里才交给处理函数。

    在规则里算（见 guard_core.dispatch.Decision）：大多数像问句的闲聊到这里就结束，不用运行处理函数。
    """
    if not is_passive_candidate(glance):
        return None
    result = runtime.matcher.passive(glance.text, scope=glance.group)
    if result.entry is None:
        return None
    if not runtime.answer_cooldown.ready((glance.group, result.id), runtime.now()):
        return None
    if is_quieted(glance.text, glance.settings.quiet_questions):  # 群管理标记过“答错了”
        return None
    return result


@router.decision("passive", order=90, block=False, decide=passive_answer)
async def _passive(bot: Bot, event: Event, result: MatchResult) -> None:
    chat: Chat = chat_of(event)
    now = runtime.now()
    if not runtime.answer_cooldown.ready((chat.group, result.id), now):
        return  # 排队期间同一条答案刚被答过
    if not runtime.user_cooldown.hit(("ask", chat.user), now):
        return
    runtime.answer_cooldown.hit((chat.group, result.id), now)
    runtime.record("answered", chat.group, result.id or "")
    sent = await send_text(runtime, bot, event, render_answer(result))
    remember_answer(sent, chat.group, result.id or "", chat.text)

"""事件处理：点名提问、/问、/帮助、旁听回答。"""

from __future__ import annotations

from nonebot import on_command, on_message
from nonebot.adapters import Bot, Event, Message
from nonebot.params import CommandArg
from nonebot.rule import Rule, to_me

from cardguard.text import wants_help
from plugins.guard_core import Chat, chat_of, runtime, send_text

from .answer import HELP_TEXT, render_answer, render_unknown

help_cmd = on_command("帮助", aliases={"help"}, priority=5, block=True)
ask_cmd = on_command("问", aliases={"ask"}, priority=5, block=True)
mention = on_message(rule=to_me(), priority=20, block=True)


async def _is_passive_candidate(event: Event) -> bool:
    """便宜的预检：群消息、本群开了旁听、看起来是问句。"""
    if event.get_type() != "message" or event.is_tome():
        return False
    chat = chat_of(event)
    if chat.group is None or not chat.text:
        return False
    settings = runtime.settings(chat.group)
    return settings.enabled and settings.passive and wants_help(chat.text)


passive = on_message(rule=Rule(_is_passive_candidate), priority=90, block=False)


@help_cmd.handle()
async def _help(bot: Bot, event: Event) -> None:
    await send_text(runtime, bot, event, HELP_TEXT)


@ask_cmd.handle()
async def _ask(bot: Bot, event: Event, arg: Message = CommandArg()) -> None:
    await _answer_explicit(bot, event, arg.extract_plain_text())


@mention.handle()
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
    await send_text(runtime, bot, event, render_answer(result))


@passive.handle()
async def _passive(bot: Bot, event: Event) -> None:
    chat: Chat = chat_of(event)
    result = runtime.matcher.passive(chat.text, scope=chat.group)
    if result.entry is None:
        return
    now = runtime.now()
    if not runtime.answer_cooldown.ready((chat.group, result.id), now):
        return
    if not runtime.user_cooldown.hit(("ask", chat.user), now):
        return
    runtime.answer_cooldown.hit((chat.group, result.id), now)
    runtime.record("answered", chat.group, result.id or "")
    await send_text(runtime, bot, event, render_answer(result))

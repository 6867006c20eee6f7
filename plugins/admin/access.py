"""谁能用管理命令：机器人管理员（SUPERUSERS）、本群群主/管理；其他人一句话拒绝。"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from nonebot.adapters import Bot, Event, Message
from nonebot.permission import SUPERUSER

from cardguard.store import Actor
from plugins.guard_core import ADMIN_ROLES, Chat, chat_of, runtime, send_text

from .service import AdminService

Level = Literal["super", "admin", "member", "stranger"]
PRIVATE_REFUSAL = "私聊里只有机器人管理员能用这个命令；群管理请在群里发。"
SUPER_ONLY = "这个命令只有机器人管理员能用。"
GROUP_ONLY = "请在要设置的群里发这个命令。"


async def level_of(bot: Bot, event: Event, chat: Chat) -> Level:
    """权限等级：super（机器人管理员）/ admin（本群群主或管理）/ member / stranger（私聊）。"""
    if await SUPERUSER(bot, event):
        return "super"
    if chat.group is None:
        return "stranger"
    return "admin" if chat.role in ADMIN_ROLES else "member"


@dataclass
class Ctx:
    """一次管理命令的上下文：谁、在哪、什么权限、参数。"""

    bot: Bot
    event: Event
    chat: Chat
    level: Level
    args: str
    message: Message
    service: AdminService

    @property
    def actor(self) -> Actor:
        """审计日志里的操作人。"""
        return Actor(self.chat.user, self.chat.group)

    @property
    def is_super(self) -> bool:
        """是否机器人管理员。"""
        return self.level == "super"

    @property
    def group(self) -> str | None:
        """所在群（私聊为 None）。"""
        return self.chat.group

    async def reply(self, text: str) -> None:
        """回复一条文本（经发言预算，只含文本段）。"""
        await send_text(runtime, self.bot, self.event, text)


async def admit(ctx: Ctx, refusal: str) -> bool:
    """权限检查：够格返回 True；不够格的人每分钟最多收到一次拒绝，什么都不改。"""
    if ctx.level in ("super", "admin"):
        return True
    key = (ctx.chat.group, ctx.chat.user)
    if ctx.service.refusals.hit(key, runtime.now()):
        await ctx.reply(refusal if ctx.level == "member" else PRIVATE_REFUSAL)
    return False


async def make_ctx(bot: Bot, event: Event, arg: Message, service: AdminService) -> Ctx:
    """收集上下文。"""
    chat = chat_of(event)
    level = await level_of(bot, event, chat)
    return Ctx(bot, event, chat, level, arg.extract_plain_text().strip(), arg, service)

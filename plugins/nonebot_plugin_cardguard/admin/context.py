"""管理命令的共同部分：谁能用（权限等级）、一次命令的上下文、子命令的登记。

子命令就是 NoneBot 的命令：`/faq add` 整个登记进 NoneBot 的命令前缀树（和 `/faq` 一样），
最长前缀匹配自然选中子命令；`/faq` 本身（或看不懂的子命令）回用法。
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Literal

from nonebot.log import logger

from cardguard.store import Actor, StoreError

from ..app import outbox, router, runtime
from ..router import Handler
from ..view import Msg

Level = Literal["super", "admin", "member", "stranger"]
Action = Callable[["Ctx"], Awaitable[None]]
PRIVATE_REFUSAL = "私聊里只有机器人管理员能用这个命令；群管理请在群里发。"
SUPER_ONLY = "这个命令只有机器人管理员能用。"
GROUP_ONLY = "请在要设置的群里发这个命令。"
PARENTS = {"faq": ("faq", "问答"), "link": ("link", "链接"), "guard": ("guard", "守卫")}


def level_of(msg: Msg) -> Level:
    """权限等级：super（机器人管理员）/ admin（本群群主或管理）/ member / stranger（私聊）。"""
    if msg.superuser:
        return "super"
    if msg.group is None:
        return "stranger"
    return "admin" if msg.manager else "member"


@dataclass
class Ctx:
    """一次管理命令：哪条消息、什么权限、参数。"""

    msg: Msg
    level: Level
    args: str

    @property
    def actor(self) -> Actor:
        """审计日志里的操作人。"""
        return Actor(self.msg.user, self.msg.group)

    @property
    def is_super(self) -> bool:
        """是否机器人管理员。"""
        return self.level == "super"

    @property
    def group(self) -> str | None:
        """所在群（私聊为 None）。"""
        return self.msg.group

    async def reply(self, text: str) -> None:
        """回复一条文本（只含文本段，经发言预算）。"""
        await outbox.send(self.msg, text, now=runtime.now())


def admin_command(
    parent: str, *subs: str, refusal: str, super_only: bool = False
) -> Callable[[Action], Action]:
    """登记一个管理子命令（装饰器）：`admin_command("faq", "add", "添加")` 认 /faq add、/问答 添加……

    没有子命令名时登记的是父命令本身。群友只收到一句 `refusal`（每人每分钟最多一句）；
    存储给出的中文错误（找不到、太长、满了）原样回给管理员，意外错误记日志并告诉管理员。
    """
    names = [f"{p} {s}" for p in PARENTS[parent] for s in subs] if subs else list(PARENTS[parent])

    def register(action: Action) -> Action:
        @router.command(*names, whitespace=True)
        async def handle(msg: Msg) -> None:
            assert msg.command is not None
            ctx = Ctx(msg, level_of(msg), msg.command.arg)
            if ctx.level in ("member", "stranger"):
                text = refusal if ctx.level == "member" else PRIVATE_REFUSAL
                await outbox.refuse(msg, text, now=runtime.now())
                return
            if super_only and not ctx.is_super:
                await ctx.reply(SUPER_ONLY)
                return
            await run(action, ctx)

        return action

    return register


async def run(action: Action, ctx: Ctx) -> None:
    """执行子命令；预料中的问题回一句话，意外的写进日志并告诉管理员。"""
    try:
        await action(ctx)
    except StoreError as exc:
        await ctx.reply(str(exc))
    except OSError as exc:
        where = f"群 {ctx.group}" if ctx.group else "私聊"
        logger.opt(exception=exc).error(f"保存管理员数据失败（{where}）")
        await ctx.reply("保存失败了，这次没有改动。请联系机器人管理员看日志。")


def dispatch_sub(parent: str, ctx: Ctx) -> tuple[Handler, Msg] | None:
    """`/faq  add`、`/faq ADD` 这类前缀树没认出来的写法：按第一个词找已登记的子命令。"""
    head, _, rest = ctx.args.partition(" ")
    found = router.commands.get((f"{PARENTS[parent][0]} {head.strip().lower()}",))
    if found is None or not head.strip() or ctx.msg.command is None:
        return None
    command = replace(ctx.msg.command, arg=rest.strip())
    return router.handlers[found[0]], replace(ctx.msg, command=command)

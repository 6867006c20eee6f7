"""/faq（/问答）命令：权限检查在先，再按子命令分派。"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nonebot.adapters import Bot, Event, Message
from nonebot.log import logger

from cardguard.store import StoreError
from plugins.guard_core import router

from . import faq_edit as edit
from . import faq_view as view
from .access import SUPER_ONLY, Ctx, admit, make_ctx
from .parsing import split_head
from .replies import FAQ_REFUSAL, FAQ_USAGE
from .state import service

Handler = Callable[[Ctx], Awaitable[None]]

COMMANDS: dict[str, Handler] = {}
SUPER_ONLY_COMMANDS: set[Handler] = {
    view.faq_reload,
    view.faq_pending,
    edit.faq_approve,
    edit.faq_reject,
}
NAMES: dict[Handler, tuple[str, ...]] = {
    edit.faq_add: ("add", "添加", "新增", "加"),
    edit.faq_alias: ("alias", "别名", "问法"),
    edit.faq_edit: ("edit", "修改", "编辑", "改"),
    edit.faq_del: ("del", "delete", "rm", "删除", "删"),
    edit.faq_undo: ("undo", "撤销"),
    edit.faq_approve: ("approve", "通过", "批准"),
    edit.faq_reject: ("reject", "驳回", "拒绝"),
    view.faq_show: ("show", "查看", "看"),
    view.faq_list: ("list", "ls", "列表"),
    view.faq_search: ("search", "find", "搜索", "搜", "查找"),
    view.faq_history: ("history", "历史", "记录"),
    view.faq_gaps: ("gaps", "缺口", "没答上"),
    view.faq_export: ("export", "导出"),
    view.faq_reload: ("reload", "重载", "重新加载"),
    view.faq_pending: ("pending", "待审", "审核"),
}
for _handler, _names in NAMES.items():
    COMMANDS.update(dict.fromkeys(_names, _handler))


@router.command("faq", "问答", force_whitespace=True)
async def _faq(bot: Bot, event: Event, arg: Message) -> None:
    ctx = await make_ctx(bot, event, arg, service)
    if not await admit(ctx, FAQ_REFUSAL):
        return
    name, rest = split_head(ctx.args)
    handler = COMMANDS.get(name.lower())
    if handler is None:
        await ctx.reply(FAQ_USAGE)
        return
    if handler in SUPER_ONLY_COMMANDS and not ctx.is_super:
        await ctx.reply(SUPER_ONLY)
        return
    ctx.args = rest
    await run(handler, ctx)


async def run(handler: Handler, ctx: Ctx) -> None:
    """执行子命令；预料中的问题（找不到、太长、冲突）回一句话，意外错误记日志并告诉管理员。"""
    try:
        await handler(ctx)
    except StoreError as exc:
        await ctx.reply(str(exc))
    except OSError as exc:
        logger.opt(exception=exc).error(f"保存管理员数据失败（{ctx.chat.group} {ctx.chat.user}）")
        await ctx.reply("保存失败了，这次没有改动。请联系机器人管理员看日志。")

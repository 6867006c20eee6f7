"""/faq learn：群友从“你是不是想问”里选中的条目，把他原来的问法变成候选问法；群管理一步通过或驳回。

候选不改变匹配，通过后才成为那条问答的问法（审计日志里记着，/faq undo 能撤销）。
本群的条目由本群群管理审核；全局条目只有机器人管理员能加问法。
"""

from __future__ import annotations

from typing import Any

from cardguard.store import NotFoundError, clip

from ..app import runtime
from .context import Ctx, admin_command
from .entries import find
from .faq_edit import UNDO_HINT, with_alias
from .parsing import parse_number, split_head, split_page
from .replies import FAQ_REFUSAL, paged

USAGE = (
    "候选问法（群友选“你是不是想问”时用的说法）：\n"
    "/faq learn [页码] —— 看候选，次数多的在前\n"
    "/faq learn ok 编号 —— 通过：成为那条问答的问法\n"
    "/faq learn no 编号 —— 驳回"
)
OK_WORDS = {"ok", "yes", "通过", "批准", "好"}
NO_WORDS = {"no", "reject", "驳回", "拒绝", "不"}


def candidates(ctx: Ctx) -> list[dict[str, Any]]:
    """这里能审的候选：本群群友选出来的（机器人管理员私聊看全部），次数多的在前。"""
    items = [
        i
        for i in runtime.store.pending_items()
        if i.get("kind") == "learn"
        and ((ctx.is_super and ctx.group is None) or i.get("group") == ctx.group)
    ]
    return sorted(items, key=lambda i: (-int(i.get("count", 1)), i["number"]))


def candidate_line(item: dict[str, Any]) -> str:
    """列表里的一行：#编号「说法」→ 条目（次数）。"""
    entry = runtime.knowledge.get(item["entry_id"])
    target = f"{item['entry_id']}「{clip(entry.question, 14)}」" if entry else item["entry_id"]
    return f"#{item['number']}「{clip(item['phrasing'], 24)}」→ {target} {item.get('count', 1)} 次"


@admin_command("faq", "learn", "学习", "候选", refusal=FAQ_REFUSAL)
async def faq_learn(ctx: Ctx) -> None:
    """/faq learn [页码] | ok 编号 | no 编号。"""
    head, rest = split_head(ctx.args)
    if head.lower() in OK_WORDS:
        await decide(ctx, rest, approve=True)
        return
    if head.lower() in NO_WORDS:
        await decide(ctx, rest, approve=False)
        return
    _, page = split_page(ctx.args)
    items = candidates(ctx)
    if not items:
        await ctx.reply("还没有候选问法。群友从“你是不是想问”里回数字选中一条时，会记在这里。")
        return
    text = paged("候选问法", items, page, candidate_line, "/faq learn")
    await ctx.reply(text + "\n通过：/faq learn ok 编号；驳回：/faq learn no 编号")


async def decide(ctx: Ctx, rest: str, *, approve: bool) -> None:
    """通过（加成问法）或驳回一条候选。"""
    number = parse_number(rest)
    item = next((i for i in candidates(ctx) if i["number"] == number), None)
    if number is None or item is None:
        await ctx.reply(f"没有这个候选编号。{USAGE}")
        return
    if not approve:
        await runtime.edit(runtime.store.reject, ctx.actor, number, command="faq learn no")
        await ctx.reply(f"已驳回 #{number}。{UNDO_HINT}")
        return
    entry = find(item["entry_id"], item.get("scope"))
    if entry is None:
        raise NotFoundError(
            f"#{number} 对应的 {item['entry_id']} 已经不在了，可以 /faq learn no {number}。"
        )
    if entry.scope is None and not ctx.is_super:
        await ctx.reply(f"{entry.id} 是全局问答，只有机器人管理员能给它加问法。")
        return
    revised = with_alias(entry, item["phrasing"])
    await runtime.edit(
        runtime.store.put_entry, ctx.actor, revised, command="faq learn ok", take_pending=number
    )
    await ctx.reply(
        f"已通过 #{number}：「{clip(item['phrasing'], 24)}」现在会答 {entry.id}。{UNDO_HINT}"
    )

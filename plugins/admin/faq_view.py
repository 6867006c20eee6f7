"""看问答的子命令：show、list、search、history、gaps、export、reload、pending。"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from functools import partial

from cardguard.knowledge import Entry, KnowledgeError, Problem
from cardguard.store import ALL_GROUPS, GapGroup, clip, cluster, search_entries
from plugins.guard_core import runtime

from .access import Ctx
from .media import send_answer
from .parsing import split_head, split_page
from .replies import ID_USAGE, entry_line, limit, paged, pending_line, record_line, show_entry

MAX_PROBLEMS = 8


async def faq_show(ctx: Ctx) -> None:
    """/faq show 编号：问题、问法、答案（带图）。"""
    entry_id, _ = split_head(ctx.args)
    if not entry_id:
        await ctx.reply(ID_USAGE.format(verb="show"))
        return
    entry = ctx.service.find(entry_id, ctx.group)
    if entry is None:
        await ctx.reply(f"没找到 {entry_id}。编号可以用 /faq search 关键词 查。")
        return
    text = limit(show_entry(entry, ctx.service.store.is_custom(entry)), 2500)
    await send_answer(runtime, ctx.bot, ctx.event, text)


def line_maker(ctx: Ctx) -> Callable[[Entry], str]:
    """列表/搜索结果里每条的写法（标出本群、别的群、管理员加的、内置的）。"""
    store = ctx.service.store
    return lambda entry: entry_line(entry, store.is_custom(entry), ctx.group)


async def faq_list(ctx: Ctx) -> None:
    """/faq list [页码]：本群能用的问答，本群的和管理员加的排前面。"""
    _, page = split_page(ctx.args)
    entries = ctx.service.visible(ctx.group)
    await ctx.reply(paged("问答列表", entries, page, line_maker(ctx), "/faq list"))


async def faq_search(ctx: Ctx) -> None:
    """/faq search 关键词 [页码]：模糊搜索，每页最多 10 条。"""
    words, page = split_page(ctx.args)
    if not words:
        await ctx.reply("用法：/faq search 关键词 [页码]")
        return
    found = search_entries(ctx.service.visible(ctx.group), words)
    if not found:
        await ctx.reply(f"没找到和「{clip(words, 20)}」有关的问答。")
        return
    title = f"搜索「{clip(words, 20)}」"
    more = f"/faq search {clip(words, 40)}"
    await ctx.reply(paged(title, found, page, line_maker(ctx), more))


async def faq_history(ctx: Ctx) -> None:
    """/faq history [编号] [页码]：改动记录，新的在前。"""
    words, page = split_page(ctx.args)
    entry_id, _ = split_head(words)
    group = None if entry_id or (ctx.is_super and ctx.group is None) else ctx.group
    store = ctx.service.store
    records = await asyncio.to_thread(store.history, entry_id or None, group)
    if not records:
        await ctx.reply("还没有改动记录。")
        return
    title = f"{entry_id} 的改动记录" if entry_id else "改动记录"
    more = f"/faq history {entry_id}".rstrip()
    await ctx.reply(paged(title, records, page, record_line, more))


async def faq_gaps(ctx: Ctx) -> None:
    """/faq gaps [页码]：大家问了但没答上的问题，相似的合在一起计数。"""
    _, page = split_page(ctx.args)
    days = runtime.config.cardguard_keep_gaps_days
    if days <= 0:
        await ctx.reply("没有记录没答上的问题（cardguard_keep_gaps_days=0）。")
        return
    scope = ALL_GROUPS if ctx.is_super and ctx.group is None else ctx.group
    texts = ctx.service.store.gaps.texts(scope)
    wrong = ctx.service.store.gaps.wrong_texts(scope)
    groups = await asyncio.to_thread(cluster, texts)
    # 现在答得上的不再列出；被标记答错的照样列出（机器人还会那样答）
    groups = [
        g
        for g in groups
        if not wrong.isdisjoint(g.variants)
        or runtime.matcher.ask(g.example, scope=ctx.group).entry is None
    ]
    if not groups:
        await ctx.reply(f"最近 {days} 天没有答不上来的问题。")
        return
    line = partial(gap_line, wrong=wrong)
    text = paged(f"最近 {days} 天没答上的问题", groups, page, line, "/faq gaps")
    await ctx.reply(limit(text + "\n补上一条：/faq add 问题 | 答案"))


def gap_line(group: GapGroup, wrong: Collection[str] = ()) -> str:
    """缺口的一行：「问题」×次数（几种说法）；群管理标记过答错的注明（该改条目，不是新加）。"""
    variants = f"，{len(group.variants)} 种说法" if len(group.variants) > 1 else ""
    marked = "，被标记答错" if any(v in wrong for v in group.variants) else ""
    return f"「{clip(group.example, 30)}」{group.count} 次{variants}{marked}"


async def faq_export(ctx: Ctx) -> None:
    """/faq export：把管理员加的问答写成 YAML 放进数据目录。"""
    store = ctx.service.store
    scopes = None if ctx.is_super else [ctx.group]
    if not any(scopes is None or e.scope in scopes for e in store.custom_entries()):
        await ctx.reply("还没有管理员加的问答，没什么可导出的。")
        return
    path, count = await asyncio.to_thread(store.export, scopes)
    await ctx.reply(f"已导出 {count} 条管理员问答到：\n{path}")


async def faq_reload(ctx: Ctx) -> None:
    """/faq reload：重读 knowledge/ 和 entries.yaml；有错就继续用上一版，并把错处告诉管理员。"""
    service = ctx.service
    problems: list[Problem] = []
    async with service.lock:
        try:
            await asyncio.to_thread(service.store.reload_entries)
        except KnowledgeError as exc:
            problems += [*exc.problems, Problem("", None, None, service.store.notes[-1])]
        try:
            runtime.shipped = await asyncio.to_thread(runtime.read_shipped)
        except KnowledgeError as exc:
            problems += exc.problems
        await service.rebuild()
    if problems:
        await ctx.reply(problem_report(problems))
        return
    shipped, glob, _ = service.counts(None)
    custom = len(service.store.custom_entries())
    await ctx.reply(f"已重新加载：内置 {shipped} 条，管理员加的 {custom} 条（全局 {glob} 条）。")


def problem_report(problems: list[Problem]) -> str:
    """加载出错时给管理员看的清单（最多 8 条）。"""
    lines = ["知识有错，继续用上一版。要改的地方："]
    lines += [f"· {str(p).removeprefix(': ')}" for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        lines.append(f"……还有 {len(problems) - MAX_PROBLEMS} 处")
    return limit("\n".join(lines))


async def faq_pending(ctx: Ctx) -> None:
    """/faq pending [页码]：待审核的问答。"""
    _, page = split_page(ctx.args)
    items = ctx.service.store.pending_items()
    if not items:
        await ctx.reply("没有待审核的问答。")
        return
    text = paged("待审核", items, page, pending_line, "/faq pending")
    await ctx.reply(text + "\n通过：/faq approve 编号；驳回：/faq reject 编号")

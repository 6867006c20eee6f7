"""看问答：/faq（用法）、show、list、search、history、gaps、export、reload、pending。"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from functools import partial

from cardguard.knowledge import Entry, KnowledgeError, Problem
from cardguard.store import ALL_GROUPS, GapGroup, clip, cluster, search_entries

from ..app import config, outbox, runtime
from ..faq.render import answer_segments
from .context import Ctx, admin_command, dispatch_sub
from .entries import counts, find, visible
from .parsing import split_head, split_page
from .replies import (
    FAQ_REFUSAL,
    FAQ_USAGE,
    ID_USAGE,
    entry_line,
    limit,
    paged,
    pending_line,
    record_line,
    show_entry,
)

MAX_PROBLEMS = 8


@admin_command("faq", refusal=FAQ_REFUSAL)
async def faq_usage(ctx: Ctx) -> None:
    """/faq 不带子命令（或子命令看不懂）：回用法。"""
    found = dispatch_sub("faq", ctx)
    if found is not None:
        handler, msg = found
        await handler(msg)
        return
    await ctx.reply(FAQ_USAGE)


@admin_command("faq", "show", "查看", "看", refusal=FAQ_REFUSAL)
async def faq_show(ctx: Ctx) -> None:
    """/faq show 编号：问题、问法、答案（带图）。"""
    entry_id, _ = split_head(ctx.args)
    if not entry_id:
        await ctx.reply(ID_USAGE.format(verb="show"))
        return
    entry = find(entry_id, ctx.group)
    if entry is None:
        await ctx.reply(f"没找到 {entry_id}。编号可以用 /faq search 关键词 查。")
        return
    text = limit(show_entry(entry, runtime.store.is_custom(entry)), 2500)
    segments = answer_segments(ctx.msg, text, runtime.store.files_dir)
    await outbox.send(ctx.msg, segments, now=runtime.now())


def line_maker(ctx: Ctx) -> Callable[[Entry], str]:
    """列表/搜索结果里每条的写法（标出本群、别的群、管理员加的、内置的）。"""
    return lambda entry: entry_line(entry, runtime.store.is_custom(entry), ctx.group)


@admin_command("faq", "list", "ls", "列表", refusal=FAQ_REFUSAL)
async def faq_list(ctx: Ctx) -> None:
    """/faq list [页码]：本群能用的问答，本群的和管理员加的排前面。"""
    _, page = split_page(ctx.args)
    await ctx.reply(paged("问答列表", visible(ctx.group), page, line_maker(ctx), "/faq list"))


@admin_command("faq", "search", "find", "搜索", "搜", "查找", refusal=FAQ_REFUSAL)
async def faq_search(ctx: Ctx) -> None:
    """/faq search 关键词 [页码]：模糊搜索，每页最多 10 条。"""
    words, page = split_page(ctx.args)
    if not words:
        await ctx.reply("用法：/faq search 关键词 [页码]")
        return
    found = search_entries(visible(ctx.group), words)
    if not found:
        await ctx.reply(f"没找到和「{clip(words, 20)}」有关的问答。")
        return
    more = f"/faq search {clip(words, 40)}"
    await ctx.reply(paged(f"搜索「{clip(words, 20)}」", found, page, line_maker(ctx), more))


@admin_command("faq", "history", "历史", "记录", refusal=FAQ_REFUSAL)
async def faq_history(ctx: Ctx) -> None:
    """/faq history [编号] [页码]：改动记录，新的在前；只给看这里看得到的条目和设置。"""
    words, page = split_page(ctx.args)
    entry_id, _ = split_head(words)
    everything = ctx.is_super and ctx.group is None
    store = runtime.store
    records = await asyncio.to_thread(
        store.history, entry_id or None, ctx.group, everything=everything
    )
    if not records:
        await ctx.reply("没有这里能看的改动记录。")
        return
    title = f"{entry_id} 的改动记录" if entry_id else "改动记录"
    more = f"/faq history {entry_id}".rstrip()
    await ctx.reply(paged(title, records, page, record_line, more))


@admin_command("faq", "gaps", "缺口", "没答上", refusal=FAQ_REFUSAL)
async def faq_gaps(ctx: Ctx) -> None:
    """/faq gaps [页码]：大家问了但没答上的问题，相似的合在一起计数，问得多的在前。"""
    _, page = split_page(ctx.args)
    days = config.cardguard_keep_gaps_days
    if days <= 0:
        await ctx.reply("没有记录没答上的问题（CARDGUARD_KEEP_GAPS_DAYS=0）。")
        return
    scope = ALL_GROUPS if ctx.is_super and ctx.group is None else ctx.group
    gaps = runtime.store.gaps
    texts, wrong = gaps.texts(scope), gaps.wrong_texts(scope)
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


@admin_command("faq", "export", "导出", refusal=FAQ_REFUSAL)
async def faq_export(ctx: Ctx) -> None:
    """/faq export：把管理员加的问答写成 YAML 放进数据目录（回复里只有文件名，不暴露服务器路径）。"""
    store = runtime.store
    scopes = None if ctx.is_super else [ctx.group]
    if not any(scopes is None or e.scope in scopes for e in store.custom_entries()):
        await ctx.reply("还没有管理员加的问答，没什么可导出的。")
        return
    path, count = await asyncio.to_thread(store.export, scopes)
    await ctx.reply(
        f"已导出 {count} 条管理员问答，文件 {path.name}，在机器人数据目录的 exports 文件夹里。"
    )


@admin_command("faq", "reload", "重载", "重新加载", refusal=FAQ_REFUSAL, super_only=True)
async def faq_reload(ctx: Ctx) -> None:
    """/faq reload：重读 knowledge/ 和 entries.yaml；有错就继续用上一版，并把错处告诉管理员。"""
    problems: list[Problem] = []
    store = runtime.store
    try:
        await asyncio.to_thread(store.reload_entries)
    except KnowledgeError as exc:
        problems += [*exc.problems, Problem("", None, None, store.notes[-1])]
    try:
        await runtime.refresh(reread=True)
    except KnowledgeError as exc:
        problems += exc.problems
        await runtime.refresh()
    runtime.forget_settings()
    if problems:
        await ctx.reply(problem_report(problems))
        return
    shipped, glob, _ = counts(None)
    custom = len(store.custom_entries())
    await ctx.reply(f"已重新加载：内置 {shipped} 条，管理员加的 {custom} 条（全局 {glob} 条）。")


def problem_report(problems: list[Problem]) -> str:
    """加载出错时给管理员看的清单（最多 8 条；只写文件名，不写服务器上的路径）。"""
    lines = ["知识有错，继续用上一版。要改的地方："]
    lines += [f"· {problem_line(p)}" for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        lines.append(f"……还有 {len(problems) - MAX_PROBLEMS} 处")
    return limit("\n".join(lines))


def problem_line(problem: Problem) -> str:
    """一处错误：文件名:行号 条目 说明。"""
    from pathlib import PurePath

    shown = PurePath(problem.file).name if problem.file else ""
    return str(Problem(shown, problem.line, problem.entry, problem.message)).removeprefix(": ")


@admin_command("faq", "pending", "待审", "审核", refusal=FAQ_REFUSAL, super_only=True)
async def faq_pending(ctx: Ctx) -> None:
    """/faq pending [页码]：待审核的问答。"""
    _, page = split_page(ctx.args)
    items = [i for i in runtime.store.pending_items() if i.get("kind") != "learn"]
    if not items:
        await ctx.reply("没有待审核的问答。（群友选出来的候选问法看 /faq learn）")
        return
    text = paged("待审核", items, page, pending_line, "/faq pending")
    await ctx.reply(text + "\n通过：/faq approve 编号；驳回：/faq reject 编号")

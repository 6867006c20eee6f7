"""/guard 与 /link：本群的守卫开关和模式、状态、统计；站点拉黑/放行、链接检查。"""

from __future__ import annotations

import asyncio
from typing import Any

from cardguard.links import scan
from cardguard.settings import LINK_MODES, GroupSettings
from cardguard.stats import format_report
from cardguard.store import clip
from cardguard.store.sites import normalize_host

from ..app import config, outbox, runtime
from .context import GROUP_ONLY, Ctx, admin_command, dispatch_sub
from .entries import counts
from .parsing import split_head
from .replies import GUARD_USAGE, LINK_USAGE, SETTINGS_REFUSAL, STATS_USAGE, limit

ON = {"on", "开", "开启", "打开", "启用"}
OFF = {"off", "关", "关闭", "停用"}
MODE_WORDS = {"警告": "warn", "提醒": "warn", "撤回": "recall", "通知": "notify"}
MODE_NAMES = {
    "warn": "提醒",
    "recall": "撤回",
    "notify": "私聊通知管理",
    "recall+notify": "撤回并通知管理",
}
SHOW_SITES = 10
DEFAULT_STATS_DAYS = 7
VERDICTS = {"warn": "会提醒", "log": "只记录，不提醒", "quiet": "没问题"}


# ---------- /guard ----------


@admin_command("guard", refusal=SETTINGS_REFUSAL)
async def guard_usage(ctx: Ctx) -> None:
    """/guard：看状态（或子命令看不懂时回用法）。"""
    found = dispatch_sub("guard", ctx)
    if found is not None:
        handler, msg = found
        await handler(msg)
    elif ctx.args:
        await ctx.reply(GUARD_USAGE)
    else:
        await ctx.reply(status_text(ctx))


@admin_command("guard", "status", "状态", refusal=SETTINGS_REFUSAL)
async def guard_status(ctx: Ctx) -> None:
    """/guard status：本群设置、知识条数、发言预算。"""
    await ctx.reply(status_text(ctx))


@admin_command("guard", "on", "开", "开启", "打开", "启用", refusal=SETTINGS_REFUSAL)
async def guard_on(ctx: Ctx) -> None:
    """/guard on：本群打开守卫。"""
    await set_group(ctx, "guard on", enabled=True)


@admin_command("guard", "off", "关", "关闭", "停用", refusal=SETTINGS_REFUSAL)
async def guard_off(ctx: Ctx) -> None:
    """/guard off：本群关掉守卫（不回答、不扫链接）。"""
    await set_group(ctx, "guard off", enabled=False)


@admin_command("guard", "passive", "旁听", refusal=SETTINGS_REFUSAL)
async def guard_passive(ctx: Ctx) -> None:
    """/guard passive on|off：有把握时不 @ 也回答。"""
    await _switch(ctx, "guard passive", "passive")


@admin_command("guard", "link", "链接", refusal=SETTINGS_REFUSAL)
async def guard_link(ctx: Ctx) -> None:
    """/guard link on|off：本群的卡盟链接识别（关掉时不扫链接、不下载图片）。"""
    await _switch(ctx, "guard link", "link_guard")


async def _switch(ctx: Ctx, command: str, setting: str) -> None:
    """on|off 两个字的开关：认得就改本群的 `setting`，不认得就给用法。"""
    word = ctx.args.strip().lower()
    if word not in ON | OFF:
        await ctx.reply(GUARD_USAGE)
        return
    await set_group(ctx, command, **{setting: word in ON})


@admin_command("guard", "mode", "模式", refusal=SETTINGS_REFUSAL)
async def guard_mode(ctx: Ctx) -> None:
    """/guard mode warn|recall|notify|recall+notify。"""
    mode = mode_of(ctx.args)
    if mode is None:
        await ctx.reply(GUARD_USAGE)
        return
    await set_group(ctx, "guard mode", link_mode=mode)


@admin_command("guard", "stats", "统计", refusal=SETTINGS_REFUSAL)
async def guard_stats(ctx: Ctx) -> None:
    """/guard stats [天数]：群里看本群，机器人管理员私聊看所有群（只有计数，不含聊天内容）。"""
    days = parse_days(ctx.args)
    if days is None:
        await ctx.reply(STATS_USAGE)
        return
    if runtime.stats is None:
        await ctx.reply("统计库没打开，看不了统计（机器人管理员可以看日志）。")
        return
    days = min(days, runtime.stats.keep_days)
    report = await asyncio.to_thread(runtime.stats.report, ctx.group, days)
    titles = {entry.id: entry.question for entry in runtime.knowledge.entries}
    await ctx.reply(limit(format_report(report, titles)))


def parse_days(text: str) -> int | None:
    """`` → 默认 7 天；`30`、`30天`、`30 天` → 30；别的写法返回 None。"""
    text = text.strip().removesuffix("天").strip()
    if not text:
        return DEFAULT_STATS_DAYS
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or int(text) < 1:
        return None
    return int(text)


def mode_of(text: str) -> str | None:
    """`recall+notify`、`撤回+通知` 等写法 → 规范的模式名。"""
    parts = [
        MODE_WORDS.get(p.strip(), p.strip().lower()) for p in text.replace("＋", "+").split("+")
    ]
    mode = "+".join(dict.fromkeys(p for p in parts if p))
    return mode if mode in LINK_MODES else None


async def set_group(ctx: Ctx, command: str, **values: Any) -> None:
    """改本群设置并回一句现在的状态。"""
    if ctx.group is None:
        await ctx.reply(GROUP_ONLY)
        return
    settings = await runtime.change_settings(ctx.group, ctx.actor, command, **values)
    await ctx.reply(f"好了。{settings_summary(settings)}\n撤销发 /faq undo。")


def settings_summary(settings: GroupSettings) -> str:
    """一行设置摘要。"""
    mode = MODE_NAMES.get(settings.link_mode, settings.link_mode)
    links = f"发现卡盟链接：{mode}" if settings.link_guard else "链接识别：关"
    return (
        f"守卫：{'开' if settings.enabled else '关'}；旁听回答：{'开' if settings.passive else '关'}；"
        f"{links}"
    )


def status_text(ctx: Ctx) -> str:
    """/guard status：设置、知识条数、发言预算（机器人管理员还能看到数据文件问题）。"""
    shipped, glob, local = counts(ctx.group)
    pending = len(runtime.store.pending_items())
    lines = [
        f"知识：内置 {shipped} 条，管理员加的全局 {glob} 条，本群 {local} 条；待审 {pending} 条"
    ]
    if ctx.group is not None:
        settings = runtime.settings(ctx.group)
        left = outbox.remaining(ctx.group, runtime.now())
        lines = [
            "本群设置：" + settings_summary(settings),
            "放行站点：" + sites_text(settings.allow_sites),
            "拉黑站点：" + sites_text(settings.block_sites),
            *lines,
            f"发言预算：这一分钟还能发 {left}/{config.cardguard_group_budget} 条",
        ]
    if ctx.is_super and runtime.store.notes:
        lines.append("数据文件提示：" + "；".join(runtime.store.notes[-3:]))
    return limit("\n".join(lines))


def sites_text(sites: frozenset[str]) -> str:
    """站点列表（最多显示 10 个）。"""
    if not sites:
        return "无"
    shown = "、".join(sorted(sites)[:SHOW_SITES])
    return shown + (f" 等 {len(sites)} 个" if len(sites) > SHOW_SITES else "")


# ---------- /link ----------

LINK_DONE = {
    "link block": "已拉黑 {host}：本群再有人发，我会提醒。",
    "link allow": "已放行 {host}：本群不再提醒这个站点。",
    "link remove": "已把 {host} 从本群的拉黑和放行里去掉。",
}


@admin_command("link", refusal=SETTINGS_REFUSAL)
async def link_usage(ctx: Ctx) -> None:
    """/link：回用法（或子命令看不懂时）。"""
    found = dispatch_sub("link", ctx)
    if found is not None:
        handler, msg = found
        await handler(msg)
        return
    await ctx.reply(LINK_USAGE)


async def link_sites(ctx: Ctx, add_to: str | None, verb: str) -> None:
    """把站点放进拉黑或放行（另一边去掉），add_to=None 表示两边都去掉。"""
    if ctx.group is None:
        await ctx.reply(GROUP_ONLY)
        return
    host = normalize_host(split_head(ctx.args)[0]) if ctx.args else None
    if host is None:
        await ctx.reply(f"看不懂这个网址：{clip(ctx.args, 40) or '（空）'}\n" + LINK_USAGE)
        return
    current = runtime.settings(ctx.group)
    lists = {"allow_sites": set(current.allow_sites), "block_sites": set(current.block_sites)}
    for name, sites in lists.items():
        sites.discard(host)
        if name == add_to:
            sites.add(host)
    await runtime.change_settings(ctx.group, ctx.actor, verb, **lists)
    await ctx.reply(LINK_DONE[verb].format(host=host) + "撤销发 /faq undo。")


@admin_command("link", "block", "拉黑", "屏蔽", refusal=SETTINGS_REFUSAL)
async def link_block(ctx: Ctx) -> None:
    """/link block 网址。"""
    await link_sites(ctx, "block_sites", "link block")


@admin_command("link", "allow", "放行", "白名单", refusal=SETTINGS_REFUSAL)
async def link_allow(ctx: Ctx) -> None:
    """/link allow 网址。"""
    await link_sites(ctx, "allow_sites", "link allow")


@admin_command("link", "remove", "unblock", "移除", "取消", refusal=SETTINGS_REFUSAL)
async def link_remove(ctx: Ctx) -> None:
    """/link remove 网址。"""
    await link_sites(ctx, None, "link remove")


@admin_command("link", "list", "列表", refusal=SETTINGS_REFUSAL)
async def link_list(ctx: Ctx) -> None:
    """/link list：本群的拉黑和放行。"""
    settings = runtime.settings(ctx.group)
    await ctx.reply(
        f"放行：{sites_text(settings.allow_sites)}\n拉黑：{sites_text(settings.block_sites)}"
    )


@admin_command("link", "check", "检查", refusal=SETTINGS_REFUSAL)
async def link_check(ctx: Ctx) -> None:
    """/link check 文字：给出判断和理由（不会真的提醒或撤回）。"""
    if not ctx.args:
        await ctx.reply("用法：/link check 要检查的文字或网址")
        return
    settings = runtime.settings(ctx.group)
    result = await asyncio.to_thread(scan, ctx.args, runtime.rules, allow=settings.allow_sites)
    await ctx.reply(check_report(result, settings.block_sites))


def check_report(result: Any, blocked: frozenset[str]) -> str:
    """检查结果：总判断，加每个链接的站点、分数和理由（最多 5 个）。"""
    verdict = result.verdict
    hits = [link for link in result.links if {link.host, link.site} & blocked]
    if hits:
        verdict = "warn"
    lines = [f"判断：{VERDICTS.get(verdict, verdict)}"]
    if not result.links:
        lines.append("没找到链接。")
    for link in list(result.links)[:5]:
        reasons = list(link.reasons) + (["本群已拉黑"] if link in hits else [])
        lines.append(f"· {link.defanged}（{link.score} 分）：{'；'.join(reasons) or '无'}")
    return limit("\n".join(lines))

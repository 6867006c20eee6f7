"""/link 与 /guard：本群的站点拉黑/放行、链接检查、守卫开关和模式、状态、统计。"""

from __future__ import annotations

import asyncio
from typing import Any

from nonebot import get_plugin_by_module_name
from nonebot.adapters import Bot, Event, Message
from nonebot.log import logger

from cardguard.settings import LINK_MODES
from cardguard.store import clip
from cardguard.store.sites import normalize_host
from plugins.guard_core import router, runtime

from .access import GROUP_ONLY, Ctx, admit, make_ctx
from .parsing import split_head
from .replies import GUARD_USAGE, LINK_USAGE, SETTINGS_REFUSAL, STATS_USAGE, limit
from .state import service

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
STATS_WORDS = {"stats", "统计"}
DEFAULT_STATS_DAYS = 7


@router.command("link", "链接", force_whitespace=True)
async def _link(bot: Bot, event: Event, arg: Message) -> None:
    ctx = await make_ctx(bot, event, arg, service)
    if not await admit(ctx, SETTINGS_REFUSAL):
        return
    name, rest = split_head(ctx.args)
    action = LINK_ACTIONS.get(name.lower())
    if action is None:
        await ctx.reply(LINK_USAGE)
        return
    await action(ctx, rest)


@router.command("guard", "守卫", force_whitespace=True)
async def _guard(bot: Bot, event: Event, arg: Message) -> None:
    ctx = await make_ctx(bot, event, arg, service)
    if not await admit(ctx, SETTINGS_REFUSAL):
        return
    name, rest = split_head(ctx.args)
    name = name.lower()
    if name in ("status", "状态", ""):
        await ctx.reply(status_text(ctx))
        return
    if name in STATS_WORDS:
        await guard_stats(ctx, rest)
        return
    if ctx.group is None:
        await ctx.reply(GROUP_ONLY)
        return
    if name in ON | OFF:
        await set_group(ctx, f"guard {'on' if name in ON else 'off'}", enabled=name in ON)
    elif name in ("passive", "旁听") and rest.lower() in ON | OFF:
        await set_group(ctx, "guard passive", passive=rest.lower() in ON)
    elif name in ("mode", "模式") and mode_of(rest):
        await set_group(ctx, "guard mode", link_mode=mode_of(rest))
    else:
        await ctx.reply(GUARD_USAGE)


async def guard_stats(ctx: Ctx, rest: str) -> None:
    """/guard stats [天数]：群里看本群，机器人管理员私聊看所有群（只有计数，不含聊天内容）。"""
    days = parse_days(rest)
    if days is None:
        await ctx.reply(STATS_USAGE)
        return
    stats = get_plugin_by_module_name("plugins.stats")
    if stats is None:
        await ctx.reply("统计插件没有加载，看不了统计。")
        return
    text = await asyncio.to_thread(stats.module.stats_text, ctx.group, days)
    await ctx.reply(limit(text))


def parse_days(text: str) -> int | None:
    """`` → 默认 7 天；`30`、`30天`、`30 天` → 30；别的写法返回 None。"""
    text = text.strip().removesuffix("天").strip()
    if not text:
        return DEFAULT_STATS_DAYS
    if not (text.isascii() and text.isdigit()) or len(text) > 5:
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
    assert ctx.group is not None
    store = ctx.service.store
    await ctx.service.change(store.set_group, ctx.actor, ctx.group, command, **values)
    settings = runtime.settings(ctx.group)
    await ctx.reply(f"好了。{settings_summary(settings)}\n撤销发 /faq undo。")


def settings_summary(settings: Any) -> str:
    """一行设置摘要。"""
    mode = MODE_NAMES.get(settings.link_mode, settings.link_mode)
    return (
        f"守卫：{'开' if settings.enabled else '关'}；旁听回答：{'开' if settings.passive else '关'}；"
        f"发现卡盟链接：{mode}"
    )


def status_text(ctx: Ctx) -> str:
    """/guard status：设置、知识条数、发言预算（机器人管理员还能看到数据文件问题）。"""
    service = ctx.service
    shipped, glob, local = service.counts(ctx.group)
    pending = len(service.store.pending_items())
    lines = [
        f"知识：内置 {shipped} 条，管理员加的全局 {glob} 条，本群 {local} 条；待审 {pending} 条"
    ]
    if ctx.group is not None:
        settings = runtime.settings(ctx.group)
        left = runtime.budget.remaining(ctx.group, runtime.now())
        lines = [
            "本群设置：" + settings_summary(settings),
            "放行站点：" + sites_text(settings.allow_sites),
            "拉黑站点：" + sites_text(settings.block_sites),
            *lines,
            f"发言预算：这一分钟还能发 {left}/{runtime.budget.limit} 条",
        ]
    if ctx.is_super and service.store.notes:
        lines.append("数据文件提示：" + "；".join(service.store.notes[-3:]))
    return limit("\n".join(lines))


def sites_text(sites: frozenset[str]) -> str:
    """站点列表（最多显示 10 个）。"""
    if not sites:
        return "无"
    shown = "、".join(sorted(sites)[:SHOW_SITES])
    return shown + (f" 等 {len(sites)} 个" if len(sites) > SHOW_SITES else "")


# ---------- /link ----------


async def link_sites(ctx: Ctx, rest: str, add_to: str | None, verb: str) -> None:
    """把站点放进拉黑或放行（另一边去掉），add_to=None 表示两边都去掉。"""
    if ctx.group is None:
        await ctx.reply(GROUP_ONLY)
        return
    host = normalize_host(split_head(rest)[0]) if rest else None
    if host is None:
        await ctx.reply(f"看不懂这个网址：{clip(rest, 40) or '（空）'}\n" + LINK_USAGE)
        return
    current = runtime.settings(ctx.group)
    lists = {"allow_sites": set(current.allow_sites), "block_sites": set(current.block_sites)}
    for name, sites in lists.items():
        sites.discard(host)
        if name == add_to:
            sites.add(host)
    values = {k: sorted(v) for k, v in lists.items()}
    store = ctx.service.store
    await ctx.service.change(store.set_group, ctx.actor, ctx.group, verb, **values)
    await ctx.reply(LINK_DONE[verb].format(host=host) + "撤销发 /faq undo。")


LINK_DONE = {
    "link block": "已拉黑 {host}：本群再有人发，我会提醒。",
    "link allow": "已放行 {host}：本群不再提醒这个站点。",
    "link remove": "已把 {host} 从本群的拉黑和放行里去掉。",
}


async def link_block(ctx: Ctx, rest: str) -> None:
    """/link block 网址。"""
    await link_sites(ctx, rest, "block_sites", "link block")


async def link_allow(ctx: Ctx, rest: str) -> None:
    """/link allow 网址。"""
    await link_sites(ctx, rest, "allow_sites", "link allow")


async def link_remove(ctx: Ctx, rest: str) -> None:
    """/link remove 网址。"""
    await link_sites(ctx, rest, None, "link remove")


async def link_list(ctx: Ctx, rest: str) -> None:
    """/link list：本群的拉黑和放行。"""
    settings = runtime.settings(ctx.group)
    text = f"放行：{sites_text(settings.allow_sites)}\n拉黑：{sites_text(settings.block_sites)}"
    await ctx.reply(text)


async def link_check(ctx: Ctx, rest: str) -> None:
    """/link check 文字：给出判断和理由（不会真的警告或撤回）。"""
    if not rest:
        await ctx.reply("用法：/link check 要检查的文字或网址")
        return
    try:
        from cardguard.links import scan
    except ImportError as exc:
        logger.error(f"链接识别模块不可用：{exc!r}")
        await ctx.reply("链接识别模块还没装好，暂时不能检查。")
        return
    settings = runtime.settings(ctx.group)
    result = scan(rest, runtime.knowledge.domains, extra_texts=(), allow=settings.allow_sites)
    await ctx.reply(check_report(result, settings.block_sites))


VERDICTS = {"warn": "会提醒", "log": "只记录，不提醒", "quiet": "没问题"}


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


LINK_ACTIONS = {
    "block": link_block,
    "拉黑": link_block,
    "屏蔽": link_block,
    "allow": link_allow,
    "放行": link_allow,
    "白名单": link_allow,
    "remove": link_remove,
    "unblock": link_remove,
    "移除": link_remove,
    "取消": link_remove,
    "list": link_list,
    "列表": link_list,
    "check": link_check,
    "检查": link_check,
}

"""事件处理：扫描群消息里的链接并提醒；群管理回复“误报”放行站点（经 guard_core 的路由）。"""

from __future__ import annotations

from dataclasses import dataclass

from nonebot import get_driver
from nonebot.adapters import Bot, Event
from nonebot.log import logger

from cardguard.links import LinkReport, ScanResult, might_have_link, scan
from cardguard.links.qr import fetch_qr_texts, image_urls
from plugins.guard_core import (
    ADMIN_ROLES,
    Chat,
    Flush,
    Glance,
    RecentSent,
    WarningMerger,
    can_manage,
    chat_of,
    router,
    runtime,
    send_text,
)

from .warning import OFFICIAL_HINT, render_warning

CARRIER_TYPES = frozenset({"json", "xml", "share", "image"})
FALSE_ALARM_WORDS = frozenset({"误报", "误报了", "这是误报", "誤報"})
MAX_NOTIFY = 3
MERGE_WINDOW = 10.0  # 每个群每 10 秒最多一条链接提醒，多的合并
DIGEST_SITES = 5

# 机器人发出的提醒：消息 id →（群，站点），供“误报”回复查找。
warned: RecentSent[str] = RecentSent()


def _may_carry_link(glance: Glance) -> bool:
    if not CARRIER_TYPES.isdisjoint(glance.kinds):
        return True
    return might_have_link(glance.text)


def is_scan_candidate(glance: Glance) -> bool:
    """便宜的预检：群消息、本群开着、可能带链接、不是“误报”回复。"""
    if glance.group is None or not glance.settings.enabled:
        return False
    return _may_carry_link(glance) and glance.text.strip() not in FALSE_ALARM_WORDS


def is_false_alarm(glance: Glance) -> bool:
    """群里第一个词是“误报”：可能是群管理在回复机器人的提醒。"""
    if glance.group is None or not glance.text:
        return False
    return glance.text.strip().split(" ", 1)[0] in FALSE_ALARM_WORDS


@dataclass(frozen=True)
class Finding:
    """规则里扫出来的结果：要提醒的链接；`top` 为 None 表示还得先下载图片、识别二维码再扫。"""

    top: LinkReport | None


NEEDS_QR = Finding(None)


def link_finding(glance: Glance) -> Finding | None:
    """在规则里扫文字和卡片（纯计算，几十微秒）；不用提醒、或这个站点在本群刚提醒过，就到此为止。

    带图片又开着二维码识别的消息要下载图片（要等），交给处理函数去扫。
    """
    if not is_scan_candidate(glance):
        return None
    chat = chat_of(glance.event)
    if runtime.config.cardguard_qr_scan and image_urls(list(chat.segments)):
        return NEEDS_QR
    return _finding(chat, [])


def _finding(chat: Chat, qr_texts: list[str]) -> Finding | None:
    settings = runtime.settings(chat.group)
    result = scan(
        list(chat.segments),
        runtime.knowledge.domains,
        extra_texts=qr_texts,
        allow=settings.allow_sites,
    )
    top = _blocked_link(result, settings.block_sites)
    if top is None and result.verdict == "warn":
        top = result.top
    if top is None:
        if result.verdict == "log":
            logger.info(
                f"群 {chat.group} 可疑度偏低，只记日志：{[lk.defanged for lk in result.links]}"
            )
        return None
    if not runtime.link_cooldown.ready((chat.group, top.site), runtime.now()):
        return None
    return Finding(top)


@router.decision("link scan", order=10, block=False, decide=link_finding)
async def _scan(bot: Bot, event: Event, finding: Finding) -> None:
    chat = chat_of(event)
    if finding.top is None:
        found = _finding(chat, await _qr_texts(chat))
        if found is None or found.top is None:
            return
        finding = found
    await _warn(bot, event, chat, finding.top)


def _blocked_link(result: ScanResult, block_sites: frozenset[str]) -> LinkReport | None:
    if not block_sites:
        return None
    for link in result.links:
        if link.site in block_sites or link.host in block_sites:
            return link
    return None


async def _qr_texts(chat: Chat) -> list[str]:
    if not runtime.config.cardguard_qr_scan:
        return []
    urls = image_urls(list(chat.segments))
    if not urls:
        return []
    return await fetch_qr_texts(
        urls,
        timeout=runtime.config.cardguard_qr_timeout,
        max_bytes=runtime.config.cardguard_qr_max_bytes,
    )


async def _warn(bot: Bot, event: Event, chat: Chat, top: LinkReport) -> None:
    if not runtime.link_cooldown.hit((chat.group, top.site), runtime.now()):
        return
    settings = runtime.settings(chat.group)
    recalled = await _recall(bot, chat) if settings.recall else None
    runtime.record("warned", chat.group, top.site)
    if recalled:
        runtime.record("recalled", chat.group, top.site)
    if chat.group is not None and not merger.offer(chat.group, top.site, bot, event):
        return  # 刚提醒过：并入稍后的合并提醒
    text = render_warning(top, runtime.knowledge, recalled=recalled)
    sent = await send_text(runtime, bot, event, text, quote=not recalled)
    warned.remember(sent, chat.group, top.site)
    if settings.notify:
        await _notify_admins(bot, chat, top.defanged)


def render_digest(sites: list[str], total: int) -> str:
    """合并提醒：刚才又有几条带卡盟链接的消息、是哪些网站（最多列 5 个）。"""
    shown = "、".join(_defang(site) for site in sites[:DIGEST_SITES])
    more = f" 等 {len(sites)} 个网站" if len(sites) > DIGEST_SITES else ""
    return (
        f"⚠️ 刚才又有 {total} 条消息带着像卡盟/自动发卡网的链接：{shown}{more}。\n"
        f"别点、别付钱。{OFFICIAL_HINT}"
    )


async def _send_digest(flush: Flush) -> None:
    """到点发出合并提醒；开了私聊通知的群也只通知一次。"""
    sites = [str(site) for site in flush.batch.items]
    await send_text(
        runtime, flush.bot, flush.event, render_digest(sites, flush.batch.total), quote=False
    )
    if runtime.settings(flush.key).notify:
        chat = chat_of(flush.event)
        await _notify_admins(flush.bot, chat, "、".join(_defang(s) for s in sites[:DIGEST_SITES]))


merger = WarningMerger(runtime, _send_digest, MERGE_WINDOW)
get_driver().on_shutdown(merger.close)


async def _recall(bot: Bot, chat: Chat) -> bool:
    """撤回原消息（需要机器人是群管理）；不支持或失败返回 False。"""
    if chat.message_id is None:
        return False
    try:
        await bot.call_api("delete_msg", message_id=chat.message_id)
    except Exception as exc:
        logger.info(f"群 {chat.group} 撤回消息 {chat.message_id} 失败：{exc!r}")
        return False
    return True


async def _notify_admins(bot: Bot, chat: Chat, defanged: str) -> None:
    """私聊通知本群群主和管理员（最多 3 位）。"""
    try:
        members = await bot.call_api("get_group_member_list", group_id=int(chat.group or 0))
    except Exception as exc:
        logger.info(f"群 {chat.group} 取管理员列表失败：{exc!r}")
        return
    admins = [m["user_id"] for m in members or [] if m.get("role") in ADMIN_ROLES]
    text = f"群 {chat.group} 有人发了可疑卡盟链接 {defanged}，我已在群里提醒。"
    for user_id in admins[:MAX_NOTIFY]:
        try:
            await bot.call_api("send_private_msg", user_id=user_id, message=text)
        except Exception as exc:
            logger.info(f"私聊通知管理员 {user_id} 失败：{exc!r}")


@router.route("false alarm", order=4, block=True, wants=is_false_alarm)
async def _false_alarm(bot: Bot, event: Event) -> None:
    chat = chat_of(event)
    if not can_manage(bot, chat):
        await send_text(runtime, bot, event, "只有群主或管理员可以标记误报。")
        return
    site = _reported_site(chat)
    if site is None or chat.group is None:
        await send_text(runtime, bot, event, "请直接回复我的那条提醒并发送“误报”。")
        return
    allow_site(chat.group, site, chat.user)
    runtime.record("false_alarm", chat.group, site)
    logger.info(f"群 {chat.group} 的 {chat.user} 把 {site} 标为误报，已加入本群白名单")
    await send_text(
        runtime, bot, event, f"好的，已把 {_defang(site)} 加入本群白名单，之后不再提醒。"
    )


def _reported_site(chat: Chat) -> str | None:
    site = warned.replied(chat)
    if site is not None:
        return site
    words = chat.text.strip().split()
    return words[1].lower().strip("/") if len(words) > 1 else None


def _defang(site: str) -> str:
    return site.replace(".", "[.]")


def allow_site(group: str, site: str, actor: str) -> None:
    """把站点加入本群白名单（有存储时持久化并写审计日志）。"""
    settings = runtime.settings(group)
    changed = settings.with_changes(allow_sites=settings.allow_sites | {site})
    runtime.change_settings(group, changed, actor=actor, command="link 误报")

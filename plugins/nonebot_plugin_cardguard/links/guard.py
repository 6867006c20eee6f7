"""扫描群消息里的卡盟链接并处理：撤回（每一条都撤）、提醒（同一站点一段时间只提醒一次，刷屏时合并）、
私聊告诉群管理。

便宜的消息（只有文字、不长）在规则里直接扫；带卡片、图片或很长的消息交给处理函数，
在工作线程里扫、有截止时间——一个群里的怪消息拖不住别的群。
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from nonebot.log import logger

from cardguard.links import LinkReport, ScanResult, might_have_link, scan, scan_cost
from cardguard.links.blocklist import BlockLists, list_fetch_options
from cardguard.links.probe import ProbeCache, apply_probe, needs_probe, probe, probe_options
from cardguard.links.qr import fetch_qr_texts, image_urls
from cardguard.pacing import Cooldown, QuietLog

from ..app import config, outbox, router, runtime
from ..outbox import Sent, text_segments
from ..router import Job
from ..view import ADMIN_ROLES, Msg
from .merge import Flush, WarningMerger
from .warning import OFFICIAL_HINT, render_warning

CARRIER_TYPES = frozenset({"json", "xml", "share", "image", "markdown", "forward", "node"})
INLINE_COST = 4_000  # 要看的字数不超过这么多的消息在规则里直接扫（1 毫秒以内）
SCAN_DEADLINE = 3.0  # 交给工作线程的扫描最多等这么久
MERGE_WINDOW = 10.0  # 每个群每 10 秒最多一条链接提醒，多的合并
MAX_NOTIFY = 3
DIGEST_SITES = 5


@dataclass(frozen=True)
class Finding:
    """扫描的结论：要处理的链接（分数最高的，或本群拉黑的）；或者拿不准、值得打开网页看一眼的结果。"""

    top: LinkReport | None = None
    grey: ScanResult | None = None


link_cooldown = Cooldown(config.cardguard_link_cooldown)
_quiet = QuietLog(600.0)
blocklists = BlockLists.from_setting(
    config.cardguard_blocklists,
    (runtime.data_dir or runtime.store.dir) / "blocklists",
    fetch_options=list_fetch_options(allow_private=config.cardguard_fetch_private),
)
probe_cache = ProbeCache()
_probe_options = probe_options(allow_private=config.cardguard_fetch_private)
_probes: set[asyncio.Task[None]] = set()


def clock() -> float:
    """单调时钟。"""
    return runtime.now()


@router.route("link scan", order=10, block=False)
def link_scan(msg: Msg) -> Job | None:
    """本群开着链接识别、消息可能带链接时才扫；便宜的消息当场扫完。"""
    settings = msg.settings
    if msg.group is None or not settings.enabled or not settings.link_guard:
        return None
    carriers = not CARRIER_TYPES.isdisjoint(msg.kinds)
    if not carriers and not might_have_link(msg.text):
        return None
    if "image" in msg.kinds or scan_cost(msg.segments) > INLINE_COST:
        return lambda: scan_later(msg)
    finding = find(msg, [])
    if finding is None:
        return None
    top = finding.top
    if top and not settings.recall and not link_cooldown.ready((msg.group, top.site), clock()):
        return None  # 刚提醒过这个站点，也不用撤回
    return lambda: act(msg, finding)


async def scan_later(msg: Msg) -> None:
    """带卡片、图片或很长的消息：先下载图片识别二维码，再在工作线程里扫。"""
    texts = await qr_texts(msg)
    try:
        finding = await asyncio.wait_for(asyncio.to_thread(find, msg, texts), SCAN_DEADLINE)
    except TimeoutError:
        if _quiet.tick("slow scan", clock()) is not None:
            logger.warning(f"群 {msg.group} 的一条消息扫描超过 {SCAN_DEADLINE:.0f} 秒，已放弃")
        return
    if finding is not None:
        await act(msg, finding)


async def qr_texts(msg: Msg) -> list[str]:
    """消息里图片中的二维码内容（开了二维码识别时）。"""
    if not config.cardguard_qr_scan:
        return []
    urls = image_urls(list(msg.segments))
    if not urls:
        return []
    return await fetch_qr_texts(
        urls,
        timeout=config.cardguard_qr_timeout,
        max_bytes=config.cardguard_qr_max_bytes,
        allow_private=config.cardguard_fetch_private,
    )


def find(msg: Msg, extra_texts: list[str]) -> Finding | None:
    """扫描：本群拉黑的站点一定处理；否则分数到了提醒线才处理。纯计算。"""
    settings = msg.settings
    result = scan(
        list(msg.segments),
        runtime.rules,
        extra_texts=extra_texts,
        allow=settings.allow_sites,
        blocklist=blocklists or None,
    )
    top = _blocked_link(result, settings.block_sites)
    if top is None and result.verdict == "warn":
        top = result.top
    if top is not None:
        return Finding(top)
    if result.verdict != "log":
        return None
    _log_low(msg, result)
    if config.cardguard_link_probe and needs_probe(result, runtime.rules):
        return Finding(grey=result)
    return None


def _log_low(msg: Msg, result: ScanResult) -> None:
    """可疑度偏低的只记日志；网址只在 CARDGUARD_LOG_MESSAGES=true 时写进去。"""
    detail = f"：{[lk.defanged for lk in result.links]}" if config.cardguard_log_messages else ""
    logger.info(f"群 {msg.group} 有一条链接可疑度偏低（{result.score} 分），只记日志{detail}")


def _blocked_link(result: ScanResult, block_sites: frozenset[str]) -> LinkReport | None:
    if not block_sites:
        return None
    return next((lk for lk in result.links if {lk.site, lk.host} & block_sites), None)


async def act(msg: Msg, finding: Finding) -> None:
    """撤回（撤回模式下每一条都撤）、提醒（同一站点冷却期内只提醒一次）；拿不准的交给页面探测。"""
    if finding.grey is not None:
        start_probe(msg, finding.grey)
        return
    assert finding.top is not None
    recalled = await recall(msg) if msg.settings.recall else None
    if recalled:
        runtime.record("recalled", msg.group, finding.top.site)
    await warn(msg, finding.top, recalled)


def start_probe(msg: Msg, result: ScanResult) -> None:
    """在后台打开网页看一眼（不占着本群的队，也不等它）；认出发卡系统再按正常的路子处理。"""
    task = asyncio.create_task(probe_then_act(msg, result))
    _probes.add(task)
    task.add_done_callback(_probes.discard)


async def probe_then_act(msg: Msg, result: ScanResult) -> None:
    """页面探测：每个站点一天一次、只连公网、3 秒 256 KB 为限（见 cardguard.links.probe）。"""
    rules = runtime.rules
    link = needs_probe(result, rules)
    if link is None:
        return
    try:
        found = await probe(link.url, fetch_options=_probe_options, cache=probe_cache)
    except Exception as exc:  # 探测自己不抛异常；这里兜底，不能让后台任务悄悄死掉
        logger.opt(exception=exc).warning(f"群 {msg.group} 的页面探测出错")
        return
    upgraded = apply_probe(result, found, rules)
    if upgraded.verdict == "warn" and upgraded.top is not None:
        await act(msg, Finding(upgraded.top))


async def start_blocklists() -> None:
    """订阅了共享拦截名单时：读入上次存下的，开始每天更新（后台）。"""
    if blocklists:
        task = asyncio.create_task(blocklists.run())
        _probes.add(task)
        task.add_done_callback(_probes.discard)


async def stop_background() -> None:
    """关机：停掉拦截名单的更新和还没探完的网页。"""
    for task in list(_probes):
        task.cancel()


async def warn(msg: Msg, top: LinkReport, recalled: bool | None) -> None:
    """发提醒；冷却在发之前占住，没发出去就退回（不会因为一次发送失败让这个站点沉默 10 分钟）。"""
    assert msg.group is not None
    key, now = (msg.group, top.site), clock()
    if not link_cooldown.hit(key, now):
        return
    if not merger.offer(msg.group, top.site, msg):
        runtime.record("warned", msg.group, top.site)
        return  # 刚提醒过别的站点：并入稍后的合并提醒
    text = render_warning(top, runtime.knowledge, recalled=recalled)
    sent = await outbox.send(msg, text, kind="warning", quote=not recalled, now=now)
    if sent is None:
        link_cooldown.reset(key)
        merger.merger.retract(msg.group, now)
        return
    runtime.record("warned", msg.group, top.site)
    remember_warning(sent, msg, text, top.site)
    if msg.settings.notify:
        await notify_admins(msg, top.defanged)


def remember_warning(sent: Sent, msg: Msg, text: str, site: str) -> None:
    """记下发出的提醒：群管理回复“误报”时用。"""
    from .false_alarm import warned

    warned.remember(sent, msg.group, site)


def render_digest(sites: list[str], total: int) -> str:
    """合并提醒：刚才又有几条带卡盟链接的消息、是哪些网站（最多列 5 个）。"""
    shown = "、".join(defang_site(site) for site in sites[:DIGEST_SITES])
    more = f" 等 {len(sites)} 个网站" if len(sites) > DIGEST_SITES else ""
    return (
        f"⚠️ 刚才又有 {total} 条消息带着像卡盟/自动发卡网的链接：{shown}{more}。\n"
        f"别点、别付钱。{OFFICIAL_HINT}"
    )


def defang_site(site: str) -> str:
    """站点名去链接化：kami88.top → kami88[.]top。"""
    return site.replace(".", "[.]")


async def send_digest(flush: Flush) -> None:
    """到点发出合并提醒；开了私聊通知的群也只通知一次。"""
    sites = [str(site) for site in flush.batch.items]
    text = render_digest(sites, flush.batch.total)
    sent = await outbox.send(flush.msg, text, kind="warning", quote=False, now=clock())
    if sent is None:
        return
    if runtime.settings(flush.key).notify:
        await notify_admins(flush.msg, "、".join(defang_site(s) for s in sites[:DIGEST_SITES]))


merger = WarningMerger(send_digest, clock, MERGE_WINDOW)


async def recall(msg: Msg) -> bool:
    """撤回原消息（需要机器人是群管理）；不支持或失败返回 False。"""
    if msg.message_id is None:
        return False
    try:
        await msg.bot.call_api("delete_msg", message_id=msg.message_id)
    except Exception as exc:
        logger.info(f"群 {msg.group} 撤回消息 {msg.message_id} 失败：{type(exc).__name__}")
        return False
    return True


async def notify_admins(msg: Msg, defanged: str) -> None:
    """私聊通知本群群主和管理员（最多 3 位）；消息只含文本段。"""
    try:
        members = await msg.bot.call_api("get_group_member_list", group_id=int(msg.group or 0))
    except Exception as exc:
        logger.info(f"群 {msg.group} 取管理员列表失败：{type(exc).__name__}")
        return
    admins = [m.get("user_id") for m in members or [] if isinstance(m, dict)]
    roles = [m.get("role") for m in members or [] if isinstance(m, dict)]
    chosen = [a for a, r in zip(admins, roles, strict=True) if r in ADMIN_ROLES][:MAX_NOTIFY]
    message = text_segments(
        msg, f"群 {msg.group} 有人发了可疑卡盟链接 {defanged}，我已在群里提醒。"
    )
    for user_id in chosen:
        try:
            await msg.bot.call_api("send_private_msg", user_id=user_id, message=message)
        except Exception as exc:
            logger.info(f"私聊通知群 {msg.group} 的管理员失败：{type(exc).__name__}")

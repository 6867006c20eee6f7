"""群管理回复机器人的提醒“误报”：把那个站点加进本群的放行名单，之后不再提醒（可 /faq undo）。"""

from __future__ import annotations

from nonebot.log import logger

from cardguard.store import Actor, StoreError
from cardguard.store.sites import normalize_host

from ..app import outbox, router, runtime
from ..outbox import RecentSent
from ..router import Job
from ..view import Msg

FALSE_ALARM_WORDS = frozenset({"误报", "误报了", "这是误报", "誤報"})
COMMAND = "link 误报"
REFUSAL = "只有群主或管理员可以标记误报。"

warned: RecentSent[str] = RecentSent()  # 机器人发出的提醒：消息 id →（群，站点）


@router.route("false alarm", order=4)
def false_alarm(msg: Msg) -> Job | None:
    """群里第一个词是“误报”：群管理在回复机器人的提醒（群友发的给一句拒绝）。"""
    if msg.group is None or msg.text.strip().split(" ", 1)[0] not in FALSE_ALARM_WORDS:
        return None
    if not msg.manager:
        return lambda: outbox.refuse(msg, REFUSAL, now=runtime.now())
    return lambda: mark_false_alarm(msg)


async def mark_false_alarm(msg: Msg) -> None:
    """放行被报误报的站点，记进统计和审计日志。"""
    assert msg.group is not None
    site = reported_site(msg)
    if site is None:
        await outbox.send(msg, "请直接回复我的那条提醒并发送“误报”。", now=runtime.now())
        return
    actor = Actor(msg.user, msg.group)
    allow = msg.settings.allow_sites | {site}
    alarms = runtime.store.false_alarms(msg.group, [site], msg.user)
    try:
        await runtime.change_settings(
            msg.group, actor, COMMAND, allow_sites=allow, false_alarms=alarms
        )
    except StoreError as exc:
        await outbox.send(msg, str(exc), now=runtime.now())
        return
    runtime.record("false_alarm", msg.group, site)
    logger.info(f"群 {msg.group} 的群管理把一个站点标为误报，已加入本群放行名单")
    shown = site.replace(".", "[.]")
    text = f"好的，已把 {shown} 加入本群放行名单，之后不再提醒。标错了发 /faq undo 撤销。"
    await outbox.send(msg, text, now=runtime.now())


def reported_site(msg: Msg) -> str | None:
    """回复的那条提醒说的站点；没有回复时看“误报 网址”的网址。"""
    site = warned.replied(msg)
    if site is not None:
        return site
    words = msg.text.strip().split()
    return normalize_host(words[1]) if len(words) > 1 else None

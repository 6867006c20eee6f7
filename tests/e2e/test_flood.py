"""刷屏：真实的 bot.py + 真实的 WebSocket。

一个群几秒内来了 60 条卡盟链接和 30 个问题：这一分钟机器人在这个群最多说 10 句话，
提醒合并成一条而不是十条；与此同时另一个群的提问照样在一秒内得到回答。
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from cardguard.knowledge import load_knowledge

from .onebot_peer import Call, bot_process, connected_peer, group_frame

TOKEN = "flood-secret"
FLOODED, QUIET, SPAMMED, WARMUP = 8101, 8102, 8103, 8104
QUESTION = "付了钱一直不发货怎么办"
MERGE_WINDOW = 10.0  # plugins/link_guard 的合并窗口
BUDGET = 10


def shop_link(n: int) -> str:
    return f"低价卡密 自动发货 https://kami{n % 20}.top/buy/{n}"


def flood_frames() -> list[dict]:
    """60 条链接（20 个站点各 3 次）夹着 30 个 @ 提问（30 个人）。"""
    frames = []
    for n in range(60):
        frames.append(group_frame(shop_link(n), group=FLOODED, user=41000 + n))
        if n % 2:
            frames.append(group_frame(QUESTION, group=FLOODED, user=42000 + n, at_bot=True))
    return frames


@dataclass
class Outcome:
    """一次刷屏的结果：发出 B 群提问的时刻、B 群的回答、各群收到的消息。"""

    asked_quiet: float
    quiet_answer: Call | None
    flooded: list[Call]
    spammed: list[Call]
    started: float


@pytest.fixture(scope="module")
async def outcome() -> AsyncIterator[Outcome]:
    with bot_process(token=TOKEN) as bot:
        async with connected_peer(bot.port, TOKEN) as peer:
            await peer.send(group_frame(QUESTION, group=WARMUP, user=40000, at_bot=True))
            assert await peer.wait_for(lambda c: c.group == WARMUP, timeout=15), "没有回答预热提问"
            frames = flood_frames()
            started = await peer.send(frames[0])
            for frame in frames[1:60]:
                await peer.send(frame)
            for n in range(6):  # 另一个群：6 个不同的卡盟站点
                await peer.send(group_frame(f"卡密秒发 https://fk{n}.xyz/buy/1", group=SPAMMED))
            asked = await peer.send(group_frame(QUESTION, group=QUIET, user=43000, at_bot=True))
            for frame in frames[60:]:
                await peer.send(frame)
            answer = await peer.wait_for(lambda c: c.group == QUIET, timeout=10)
            await asyncio.sleep(MERGE_WINDOW + 2.0)
            yield Outcome(asked, answer, peer.sent_to(FLOODED), peer.sent_to(SPAMMED), started)


def is_warning(call: Call) -> bool:
    return call.text.startswith("⚠️ 注意：")


def is_digest(call: Call) -> bool:
    return call.text.startswith("⚠️ 刚才又有")


async def test_another_group_is_answered_within_a_second(outcome: Outcome) -> None:
    expected = load_knowledge().get("paid-no-delivery")
    assert expected is not None
    assert outcome.quiet_answer is not None, "刷屏期间另一个群的提问没有得到回答"
    assert outcome.quiet_answer.text == expected.answer.strip()
    waited = outcome.quiet_answer.at - outcome.asked_quiet
    assert waited < 1.0, f"另一个群等了 {waited:.2f} 秒才得到回答"


async def test_flooded_group_gets_at_most_the_budget_and_one_merged_warning(
    outcome: Outcome,
) -> None:
    sent = outcome.flooded
    assert 0 < len(sent) <= BUDGET, f"刷屏的群这一分钟收到了 {len(sent)} 条"
    warnings = [c for c in sent if is_warning(c)]
    assert len(warnings) == 1, "刷屏时提醒应该合并，而不是一条接一条"
    answers = [c for c in sent if not is_warning(c) and not is_digest(c)]
    assert answers, "刷屏的群里的提问一个都没回答"
    late = [c for c in sent if c.at - outcome.started > MERGE_WINDOW + 1.5]
    assert not late, "有消息排队到很久以后才发"


async def test_many_shop_links_become_one_warning_and_one_digest(outcome: Outcome) -> None:
    sites = {f"fk{n}[.]xyz" for n in range(6)}
    first, *rest = outcome.spammed
    assert is_warning(first), first.text
    (warned,) = [site for site in sites if site in first.text]
    assert len(rest) == 1 and is_digest(rest[0]), [c.text for c in outcome.spammed]
    digest = rest[0]
    assert digest.text.startswith("⚠️ 刚才又有 5 条")
    assert all(site in digest.text for site in sites - {warned})
    assert warned not in digest.text and "://" not in digest.text
    assert digest.params["message"][0]["type"] == "text", "合并提醒不引用某一条消息"
    assert MERGE_WINDOW - 1.0 <= digest.at - first.at <= MERGE_WINDOW + 1.5

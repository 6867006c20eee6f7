"""刷屏控制的零件：合并提醒的时机、“只记一次”的日志、按群排队的闸门。"""

from __future__ import annotations

import asyncio

import pytest

from cardguard.pacing import BurstMerger, GroupGate, QuietLog

# ---------- 合并提醒 ----------


def test_first_warning_goes_out_at_once_and_the_rest_wait_for_the_window() -> None:
    merger = BurstMerger(window=10.0)
    assert merger.offer("g", "a.top", 0.0) is True
    assert [merger.offer("g", site, 1.0) for site in ("b.top", "c.top", "b.top")] == [False] * 3
    assert merger.due_in("g", 1.0) == pytest.approx(9.0)
    batch = merger.take("g", 10.0)
    assert batch is not None and batch.items == ["b.top", "c.top"] and batch.total == 3
    assert merger.take("g", 10.0) is None, "取走之后就没有了"


def test_after_a_digest_the_next_batch_waits_a_full_window_again() -> None:
    merger = BurstMerger(window=10.0)
    merger.offer("g", "a", 0.0)
    merger.offer("g", "b", 2.0)
    merger.take("g", 10.0)
    assert merger.offer("g", "c", 12.0) is False, "上一条合并提醒才过 2 秒"
    assert merger.due_in("g", 12.0) == pytest.approx(8.0)
    merger.take("g", 20.0)
    assert merger.offer("g", "d", 31.0) is True, "安静了一整个窗口，又能单独提醒"


def test_groups_are_merged_independently() -> None:
    merger = BurstMerger(window=10.0)
    assert merger.offer("g1", "a", 0.0) and merger.offer("g2", "a", 0.5)
    assert not merger.offer("g1", "b", 1.0)
    assert merger.take("g2", 5.0) is None


def test_a_batch_keeps_at_most_max_items_but_counts_all() -> None:
    merger = BurstMerger(window=10.0, max_items=3)
    merger.offer("g", "first", 0.0)
    for n in range(50):
        merger.offer("g", f"s{n}", 1.0)
    batch = merger.take("g", 10.0)
    assert batch is not None and batch.items == ["s0", "s1", "s2"] and batch.total == 50


def test_forget_idle_keeps_groups_with_pending_batches() -> None:
    merger = BurstMerger(window=10.0)
    merger.offer("quiet", "a", 0.0)
    merger.offer("busy", "a", 0.0)
    merger.offer("busy", "b", 1.0)
    merger.forget_idle(100.0)
    assert merger.offer("quiet", "c", 100.0) is True
    assert merger.take("busy", 100.0) is not None


# ---------- 只记一次 ----------


def test_quiet_log_reports_once_per_period_with_the_muted_count() -> None:
    quiet = QuietLog(period=600.0)
    assert quiet.tick("json 卡片无法解析", 0.0) == 0
    assert [quiet.tick("json 卡片无法解析", t) for t in (1.0, 2.0, 599.0)] == [None] * 3
    assert quiet.tick("另一类", 3.0) == 0, "不同的事各记各的"
    assert quiet.tick("json 卡片无法解析", 600.0) == 3, "下一次记录报出中间省略了几次"
    assert quiet.tick("json 卡片无法解析", 1300.0) == 0


def test_quiet_log_memory_is_bounded() -> None:
    quiet = QuietLog(period=600.0, max_keys=100)
    for n in range(1000):
        quiet.tick(n, 0.0)
    assert len(quiet._last) <= 100


# ---------- 按群排队 ----------


async def test_gate_queues_beyond_its_slots_in_arrival_order() -> None:
    gate = GroupGate(slots=2, lease=30.0)
    first, second = await gate.enter("g"), await gate.enter("g")
    assert first and second
    order: list[int] = []

    async def waiter(n: int) -> None:
        release = await gate.enter("g")
        assert release is not None
        order.append(n)
        release()

    tasks = [asyncio.create_task(waiter(n)) for n in range(3)]
    await asyncio.sleep(0.01)
    assert order == [] and gate.waiting("g") == 3
    other = await asyncio.wait_for(gate.enter("other"), 0.1)
    assert other is not None, "别的群不用排这个群的队"
    first()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2]
    second()
    other()
    assert gate._lanes == {}, "都用完之后不留状态"


async def test_gate_lease_frees_a_slot_held_by_a_slow_message() -> None:
    gate = GroupGate(slots=1, lease=0.05)
    held = await gate.enter("g")  # 比如在等一张永远下载不完的图片
    assert held is not None
    nxt = await asyncio.wait_for(gate.enter("g"), 1.0)
    assert nxt is not None, "占着名额太久的消息不能挡住后面的"
    held()  # 迟到的归还不会多放一个名额
    nxt()


async def test_gate_skips_when_the_queue_is_too_long_or_the_wait_too_long() -> None:
    gate = GroupGate(slots=1, lease=30.0, max_queue=2, max_wait=0.05)
    held = await gate.enter("g")
    waiting = [asyncio.create_task(gate.enter("g")) for _ in range(2)]
    await asyncio.sleep(0)
    assert await gate.enter("g") is None, "队已经满了：跳过"
    assert await asyncio.gather(*waiting) == [None, None], "等太久：跳过"
    assert held is not None
    held()


async def test_gate_never_skips_vips() -> None:
    gate = GroupGate(slots=1, lease=30.0, max_queue=0, max_wait=0.01)
    held = await gate.enter("g")
    assert held is not None
    vip = asyncio.create_task(gate.enter("g", vip=True))
    await asyncio.sleep(0.05)
    assert not vip.done(), "管理员的消息排队等，不会被跳过"
    held()
    release = await asyncio.wait_for(vip, 1.0)
    assert release is not None
    release()


async def test_cancelled_waiter_does_not_leak_its_place() -> None:
    gate = GroupGate(slots=1, lease=30.0)
    held = await gate.enter("g")
    assert held is not None
    waiter = asyncio.create_task(gate.enter("g"))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    held()
    again = await asyncio.wait_for(gate.enter("g"), 0.1)
    assert again is not None
    again()
    assert gate._lanes == {}

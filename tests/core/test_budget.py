"""发言预算与冷却：每个群一个窗口，群与群互不影响；同一件事冷却期内不重复说。"""

from __future__ import annotations

from cardguard.pacing import Cooldown, SendBudget


def test_budget_limits_messages_per_group_within_the_window() -> None:
    budget = SendBudget(limit=3, window=60.0)
    assert [budget.try_take("g1", t) for t in (0.0, 1.0, 2.0, 3.0, 59.0)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert budget.remaining("g1", 59.0) == 0


def test_budget_window_slides() -> None:
    budget = SendBudget(limit=2, window=60.0)
    assert budget.try_take("g1", 0.0) and budget.try_take("g1", 30.0)
    assert not budget.try_take("g1", 59.9)
    assert budget.try_take("g1", 60.0), "第一条滑出窗口后应能再发一条"
    assert not budget.try_take("g1", 60.0)
    assert budget.remaining("g1", 90.0) == 1


def test_groups_have_independent_budgets() -> None:
    budget = SendBudget(limit=2, window=60.0)
    assert budget.try_take("g1", 0.0) and budget.try_take("g1", 0.0)
    assert not budget.try_take("g1", 1.0)
    assert budget.try_take("g2", 1.0), "一个群用完预算不应影响另一个群"
    assert budget.remaining("g2", 1.0) == 1
    assert budget.remaining("g3", 1.0) == 2


def test_reserve_keeps_the_last_places_for_warnings() -> None:
    budget = SendBudget(limit=4, window=60.0)
    assert budget.try_take("g1", 0.0, reserve=2) and budget.try_take("g1", 0.0, reserve=2)
    assert not budget.try_take("g1", 1.0, reserve=2), "群友招来的回复用不到留给提醒的名额"
    assert budget.remaining("g1", 1.0) == 2, "被拒绝的一条不应记账"
    assert budget.try_take("g1", 1.0) and budget.try_take("g1", 1.0), "提醒可以用留出的名额"
    assert not budget.try_take("g1", 1.0)


def test_a_send_that_failed_gives_its_place_back() -> None:
    budget = SendBudget(limit=1, window=60.0)
    assert budget.try_take("g1", 0.0)
    budget.give_back("g1")
    assert budget.try_take("g1", 0.5)


def test_forget_idle_keeps_busy_groups_limited() -> None:
    budget = SendBudget(limit=1, window=60.0)
    budget.try_take("idle", 0.0)
    budget.try_take("busy", 50.0)
    budget.forget_idle(70.0)
    assert budget.remaining("idle", 70.0) == 1
    assert not budget.try_take("busy", 70.0), "还在窗口里的群不能被清掉"


def test_cooldown_lets_a_key_through_once_per_period() -> None:
    cooldown = Cooldown(seconds=10.0)
    assert cooldown.hit("g1:faq", 0.0)
    assert not cooldown.hit("g1:faq", 5.0)
    assert not cooldown.ready("g1:faq", 9.9)
    assert cooldown.ready("g1:faq", 10.0)
    assert cooldown.hit("g1:faq", 10.0)
    assert not cooldown.hit("g1:faq", 15.0), "放行后重新计时"


def test_cooldown_keys_are_independent_and_ready_does_not_record() -> None:
    cooldown = Cooldown(seconds=10.0)
    assert cooldown.ready("a", 0.0) and cooldown.ready("a", 1.0)
    assert cooldown.hit("a", 1.0)
    assert cooldown.hit("b", 2.0), "另一个键不受影响"


def test_cooldown_reset() -> None:
    cooldown = Cooldown(seconds=10.0)
    cooldown.hit("a", 0.0)
    cooldown.reset("a")
    assert cooldown.hit("a", 1.0)
    cooldown.reset("never-seen")


def test_cooldown_stays_bounded_and_keeps_recent_keys_cooling() -> None:
    cooldown = Cooldown(seconds=100.0, max_keys=4)
    for n in range(4):
        assert cooldown.hit(f"k{n}", float(n))
    assert cooldown.hit("k4", 4.0), "键满了也要放行新键"
    assert not cooldown.hit("k3", 5.0), "最近的键仍在冷却"
    assert not cooldown.hit("k4", 5.0)
    assert cooldown.hit("k0", 5.0), "最旧的键被清掉后重新放行"


def test_cooldown_prunes_expired_keys_first() -> None:
    cooldown = Cooldown(seconds=10.0, max_keys=3)
    cooldown.hit("old", 0.0)
    cooldown.hit("new1", 15.0)
    cooldown.hit("new2", 16.0)
    assert cooldown.hit("new3", 17.0)
    assert not cooldown.hit("new1", 18.0), "未过期的键不应因为清理而失去冷却"
    assert not cooldown.hit("new2", 18.0)

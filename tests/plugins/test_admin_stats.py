"""/guard stats：群管理看本群的真实数字，机器人管理员私聊看所有群；群友和陌生人看不了。"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nonebug import App

from .admin_kit import ADMIN, MEMBER, OWNER, SUPER, fresh_service, say
from .events import group_message, private_message

GROUP = 731001
QUIET_GROUP = 731002
REFUSAL = "只有群主、群管理或机器人管理员可以修改设置。"


@pytest.fixture
def admin(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_service(runtime, tmp_path, monkeypatch)


def by(text: str, user: int = ADMIN, role: str = "admin", group: int = GROUP) -> Any:
    return group_message(text, group=group, user=user, role=role)  # type: ignore[arg-type]


async def test_stats_show_a_real_answered_question(app: App, admin: Any, runtime: Any) -> None:
    entry = runtime.knowledge.get("paid-no-delivery")
    answer = await say(app, by("/问 付了钱一直不发货怎么办", user=31001, role="member"))
    assert answer == entry.answer.strip()
    await say(app, by("/问 量子计算机散热要用多少升液氮", user=31002, role="member"))

    stats = await say(app, by("/guard stats"))
    assert stats.startswith("近 7 天本群统计（")
    assert "答了 1 次，没答上 1 次" in stats
    assert f"问得最多：{entry.question[:15]}" in stats
    assert "液氮" not in stats and "31001" not in stats, "统计里不该有群友的原话和 QQ 号"

    owner_view = await say(app, by("/守卫 统计 30天", user=OWNER, role="owner"))
    assert owner_view.startswith("近 30 天本群统计（") and "答了 1 次" in owner_view


async def test_a_quiet_group_has_no_figures_yet(app: App, admin: Any) -> None:
    stats = await say(app, by("/guard stats 3", group=QUIET_GROUP))
    assert stats.startswith("近 3 天本群统计") and "还没有记录" in stats


async def test_superuser_in_private_sees_all_groups(app: App, admin: Any) -> None:
    await say(app, by("/问 付了钱一直不发货怎么办", user=31003, role="member"))
    stats = await say(app, private_message("/guard stats 30", user=SUPER))
    assert stats.startswith("近 30 天所有群统计（")
    assert "答了" in stats and "最活跃的群" in stats


async def test_members_and_strangers_cannot_see_stats(app: App, admin: Any) -> None:
    assert await say(app, by("/guard stats", user=MEMBER, role="member")) == REFUSAL
    private = await say(app, private_message("/guard stats", user=MEMBER))
    assert private.startswith("私聊里只有机器人管理员能用")


async def test_bad_day_counts_get_the_usage(app: App, admin: Any) -> None:
    for text in ("/guard stats 七天", "/guard stats -3", "/guard stats " + "9" * 5000):
        assert (await say(app, by(text))).startswith("用法：/guard stats [天数]")
    assert "/guard stats [天数]" in await say(app, by("/guard 乱写"))

"""没把握时给编号的建议；群友回数字得到那条回答，原来的问法成为候选问法；群管理 /faq learn 一步通过或驳回。"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nonebug import App

from cardguard.matching import MatchResult

from .admin_kit import ADMIN, SUPER, fresh_service, say
from .events import group_message

G = 780001
ASKER = 48001
VAGUE = "那个东西到底咋整啊"


@pytest.fixture
def admin(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_service(runtime, tmp_path, monkeypatch)


@pytest.fixture
def unsure(runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """让匹配器对 VAGUE 没把握，给出三个建议（插件怎么处理建议和匹配器怎么打分无关）。"""
    real = runtime.matcher.ask

    def ask(text: str, scope: str | None = None) -> MatchResult:
        if text == VAGUE:
            ids = ("paid-no-delivery", "invalid-code", "report-platform")
            return MatchResult(None, 25.0, None, ids)
        return real(text, scope)

    monkeypatch.setattr(runtime.matcher, "ask", ask)


async def test_a_number_after_suggestions_answers_and_becomes_a_candidate(
    app: App, admin: Any, runtime: Any, unsure: None
) -> None:
    offer = await say(app, group_message(f"/问 {VAGUE}", group=G, user=ASKER))
    lines = offer.splitlines()
    assert lines[0] == "没太看懂，你是不是想问："
    assert lines[1].startswith("1. ") and lines[2].startswith("2. ") and lines[3].startswith("3. ")
    assert "回复数字" in lines[-1]
    answer = await say(app, group_message("2", group=G, user=ASKER))
    assert answer == runtime.knowledge.get("invalid-code").answer.strip()
    # 别人回数字、过后再回数字：都不当作选建议
    await say_nothing(app, group_message("2", group=G, user=ASKER + 1))
    await say_nothing(app, group_message("1", group=G, user=ASKER))

    listing = await say(app, group_message("/faq learn", group=G, user=ADMIN, role="admin"))
    assert f"「{VAGUE}」→ invalid-code" in listing and "1 次" in listing
    number = int(listing.split("#", 1)[1].split("「", 1)[0])
    # 候选不改变匹配；invalid-code 是全局条目：群管理不能通过，机器人管理员可以
    refused = await say(
        app, group_message(f"/faq learn ok {number}", group=G, user=ADMIN, role="admin")
    )
    assert "只有机器人管理员" in refused
    ok = await say(app, group_message(f"/faq learn ok {number}", group=G, user=SUPER))
    assert ok.startswith(f"已通过 #{number}") and "invalid-code" in ok
    assert VAGUE in runtime.knowledge.get("invalid-code").aliases
    undone = await say(app, group_message("/faq undo", group=G, user=SUPER))
    assert "撤销" in undone and VAGUE not in runtime.knowledge.get("invalid-code").aliases


async def test_candidates_count_repeats_and_can_be_rejected(
    app: App, admin: Any, runtime: Any, unsure: None
) -> None:
    for asker in (ASKER + 10, ASKER + 11):
        await say(app, group_message(f"/问 {VAGUE}", group=G, user=asker))
        await say(app, group_message("1", group=G, user=asker))
    listing = await say(app, group_message("/faq learn", group=G, user=ADMIN, role="admin"))
    assert f"「{VAGUE}」→ paid-no-delivery" in listing and "2 次" in listing
    number = int(listing.split("#", 1)[1].split("「", 1)[0])
    rejected = await say(
        app, group_message(f"/faq learn no {number}", group=G, user=ADMIN, role="admin")
    )
    assert rejected.startswith(f"已驳回 #{number}")
    after = await say(app, group_message("/faq learn", group=G, user=ADMIN, role="admin"))
    assert "还没有候选问法" in after
    assert VAGUE not in runtime.knowledge.get("paid-no-delivery").aliases


async def say_nothing(app: App, event: Any) -> None:
    from .admin_kit import talk

    await talk(app, event, replies=0)

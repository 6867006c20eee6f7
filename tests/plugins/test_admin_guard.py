"""/guard 与 /link：开关、旁听、模式、状态、站点拉黑/放行、链接检查；权限与重启后仍在。"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nonebug import App

from .admin_kit import ADMIN, MEMBER, OWNER, SUPER, fresh_service, restart, say, talk
from .events import group_message, private_message

G1 = 730001
G2 = 730002
REFUSAL = "只有群主、群管理或机器人管理员可以修改设置。"


@pytest.fixture
def admin(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_service(runtime, tmp_path, monkeypatch)


def by(text: str, user: int = ADMIN, role: str = "admin", group: int = G1) -> Any:
    return group_message(text, group=group, user=user, role=role)  # type: ignore[arg-type]


def settings(admin: Any, group: int = G1) -> Any:
    return admin.runtime.settings(str(group))


async def test_guard_off_silences_the_group_and_on_restores(app: App, admin: Any) -> None:
    reply = await say(app, by("/guard off"))
    assert reply.startswith("好了。守卫：关；") and reply.endswith("撤销发 /faq undo。")
    assert settings(admin).enabled is False and settings(admin, G2).enabled is True
    await talk(app, by("/问 付了钱一直不发货怎么办", MEMBER, "member"), replies=0)
    await say(app, by("/守卫 开", OWNER, "owner"))
    assert settings(admin).enabled is True


async def test_passive_and_mode_settings(app: App, admin: Any) -> None:
    assert "旁听回答：关" in await say(app, by("/guard passive off"))
    assert settings(admin).passive is False
    assert "撤回并通知管理" in await say(app, by("/guard mode recall+notify"))
    assert settings(admin).link_mode == "recall+notify"
    await say(app, by("/守卫 模式 撤回"))
    assert settings(admin).link_mode == "recall"
    assert (await say(app, by("/guard mode 乱写"))).startswith("守卫设置（/guard")
    assert settings(admin).link_mode == "recall"


async def test_status_shows_settings_knowledge_and_budget(app: App, admin: Any) -> None:
    await say(app, by("/link block evil-shop.top"))
    await say(app, by("/faq add 本群状态测试问题 | 答案。"))
    status = await say(app, by("/guard status"))
    assert status.startswith("本群设置：守卫：开；旁听回答：开；发现卡盟链接：提醒")
    assert "拉黑站点：evil-shop.top" in status and "放行站点：无" in status
    assert "管理员加的全局 0 条，本群 1 条" in status
    assert "发言预算：这一分钟还能发" in status
    private = await say(app, private_message("/guard status", user=SUPER))
    assert private.startswith("知识：内置 ")


async def test_members_and_strangers_are_refused(app: App, admin: Any) -> None:
    assert await say(app, by("/guard off", MEMBER, "member")) == REFUSAL
    await talk(app, by("/link block evil.top", MEMBER, "member"), replies=0)
    assert settings(admin).enabled is True and not settings(admin).block_sites
    reply = await say(app, private_message("/guard off", user=MEMBER))
    assert reply == "私聊里只有机器人管理员能用这个命令；群管理请在群里发。"
    assert admin.store.group_overrides() == {}


async def test_group_commands_need_a_group(app: App, admin: Any) -> None:
    assert (
        await say(app, private_message("/guard off", user=SUPER)) == "请在要设置的群里发这个命令。"
    )
    assert await say(app, private_message("/link block a.com", user=SUPER)) == (
        "请在要设置的群里发这个命令。"
    )


async def test_block_allow_remove_sites_and_persist(app: App, admin: Any) -> None:
    reply = await say(app, by("/link block https://WWW.Kami-Shop.top/buy?id=3"))
    assert reply.startswith("已拉黑 kami-shop.top")
    await say(app, by("/链接 放行 hxxps://safe-store[.]com"))
    assert settings(admin).block_sites == {"kami-shop.top"}
    assert settings(admin).allow_sites == {"safe-store.com"}
    await say(app, by("/link allow kami-shop.top"))  # 放行会从拉黑里拿掉
    assert settings(admin).block_sites == frozenset()
    assert settings(admin).allow_sites == {"safe-store.com", "kami-shop.top"}
    await say(app, by("/link remove safe-store.com"))
    assert (await say(app, by("/link list"))) == "放行：kami-shop.top\n拉黑：无"
    assert (await say(app, by("/link block 不是网址"))).startswith("看不懂这个网址：不是网址")
    restart(admin)
    assert settings(admin).allow_sites == {"kami-shop.top"}
    assert settings(admin, G2).allow_sites == frozenset()


async def test_settings_changes_can_be_undone_after_restart(app: App, admin: Any) -> None:
    await say(app, by("/guard passive off"))
    restart(admin)
    assert "已撤销你上一次的设置旁听" in await say(app, by("/faq undo"))
    assert settings(admin).passive is True


def test_false_alarm_hook_persists_allow_and_report(admin: Any) -> None:
    current = admin.runtime.settings(str(G1))
    changed = current.with_changes(allow_sites=current.allow_sites | {"ok-shop.com"})
    admin.runtime.save_settings(str(G1), changed, actor=str(OWNER), command="link 误报")
    restart(admin)
    assert "ok-shop.com" in settings(admin).allow_sites
    reports = admin.store.group_overrides()[str(G1)]["false_alarms"]
    assert [(r["host"], r["user"]) for r in reports] == [("ok-shop.com", str(OWNER))]


async def test_link_check_shows_verdict_and_reasons(app: App, admin: Any) -> None:
    quiet = await say(app, by("/link check 今天天气不错"))
    assert quiet.startswith("判断：没问题")
    await say(app, by("/link block my-blocked-shop.top"))
    blocked = await say(app, by("/link check 来 my-blocked-shop.top 买点卡"))
    assert blocked.startswith("判断：会提醒")
    assert "my-blocked-shop[.]top" in blocked and "本群已拉黑" in blocked

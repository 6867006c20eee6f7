"""权限矩阵：机器人管理员 / 群主 / 群管理 / 普通群友 × 每一个管理命令。

- 群友：每个命令恰好一句简短的拒绝，数据目录、群设置、知识一点都不变；
- 群主、群管理：能用本群的命令；只有机器人管理员能用的（reload、pending、approve、reject）
  收到一句说明，同样什么都不变；
- 机器人管理员：全部能用。
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nonebug import App

from tests.plugins.admin_kit import ADMIN, MEMBER, OWNER, SUPER, Service, say, swap_store
from tests.plugins.events import group_message

GROUP = 750001
ENTRY = f"g{GROUP}-1"
FAQ_REFUSAL = "只有群主、群管理或机器人管理员可以修改问答。"
SETTINGS_REFUSAL = "只有群主、群管理或机器人管理员可以修改设置。"
SUPER_ONLY = "这个命令只有机器人管理员能用。"

ROLES: dict[str, tuple[int, str]] = {
    "member": (MEMBER, "member"),
    "owner": (OWNER, "owner"),
    "admin": (ADMIN, "admin"),
    "superuser": (SUPER, "member"),
}
COMMANDS: dict[str, str] = {
    "faq": "/faq",
    "faq add": "/faq add 权限矩阵里的新问题是什么 | 这是权限矩阵的答案。",
    "faq alias": f"/faq alias {ENTRY} 权限矩阵的另一种问法",
    "faq edit": f"/faq edit {ENTRY}\n权限矩阵改过的答案。",
    "faq del": f"/faq del {ENTRY}",
    "faq show": f"/faq show {ENTRY}",
    "faq list": "/faq list",
    "faq search": "/faq search 矩阵",
    "faq undo": "/faq undo",
    "faq history": "/faq history",
    "faq gaps": "/faq gaps",
    "faq export": "/faq export",
    "faq reload": "/faq reload",
    "faq pending": "/faq pending",
    "faq approve": "/faq approve 1",
    "faq reject": "/faq reject 1",
    "link": "/link",
    "link block": "/link block bad-matrix-shop.top",
    "link allow": "/link allow matrix.example.com",
    "link remove": "/link remove bad-matrix-shop.top",
    "link list": "/link list",
    "link check": "/link check 卡密秒发 kami-matrix.top/buy/1",
    "guard": "/guard",
    "guard on": "/guard on",
    "guard off": "/guard off",
    "guard passive": "/guard passive off",
    "guard mode": "/guard mode recall",
    "guard status": "/guard status",
    "guard stats": "/guard stats",
}
SUPER_ONLY_COMMANDS = {"faq reload", "faq pending", "faq approve", "faq reject"}
STATS_COMMANDS = {"guard stats"}  # 回复统计，不是 /guard 的用法


@pytest.fixture(scope="module")
def matrix(load_plugins: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """整个矩阵共用 admin 插件；预算放宽，结束后恢复原状。返回（service，种子数据目录）。"""
    from cardguard.store import Store
    from nonebot_plugin_cardguard import runtime

    template = tmp_path_factory.mktemp("matrix") / "admin"
    seed(Store(template, keep_gaps_days=30))
    old_store = runtime.store
    try:
        yield Service(runtime), template
    finally:
        swap_store(runtime, old_store)


@pytest.fixture
def admin(matrix: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """每个格子一份全新的种子数据：本群一条问答、一条待审。"""
    from cardguard.pacing import SendBudget
    from cardguard.store import Store
    from nonebot_plugin_cardguard.app import outbox

    service, template = matrix
    monkeypatch.setattr(outbox, "budget", SendBudget(10_000, 60.0))
    ours = service.store.dir.parent.parent == tmp_path.parent  # 本矩阵建的数据目录
    if ours and files_in(service.store.dir) == files_in(template):
        return service  # 上一格什么都没改（比如群友被拒绝）：接着用，省去重建索引
    shutil.copytree(template, tmp_path / "admin")
    swap_store(service.runtime, Store(tmp_path / "admin", keep_gaps_days=30))
    return service


def files_in(directory: Path) -> dict[Path, bytes]:
    """目录里每个文件的内容（按相对路径）。"""
    return {
        p.relative_to(directory): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def seed(store: Any) -> None:
    from cardguard.store import Actor

    who = Actor(str(ADMIN), str(GROUP))
    data = {"question": "权限矩阵的种子问题是什么", "answer": "种子答案。", "aliases": []}
    store.add_entry(who, {**data, "scope": str(GROUP)})
    pending = {"kind": "add", "question": "待审的问题", "answer": "待审的答案。"}
    store.submit(who, {**pending, "scope": str(GROUP)})


def snapshot(service: Any) -> tuple[Any, ...]:
    """群友能不能改动任何东西：数据目录里每个文件、本群设置、当前知识。"""
    files = files_in(service.store.dir)
    knowledge = [(e.id, e.scope, e.answer, e.aliases) for e in service.runtime.knowledge.entries]
    return files, service.runtime.settings(str(GROUP)), knowledge


def refusal_for(command: str) -> str:
    return FAQ_REFUSAL if command.startswith("faq") else SETTINGS_REFUSAL


def cases() -> Iterator[Any]:
    for role in ROLES:
        for command in COMMANDS:
            yield pytest.param(role, command, id=f"{role}-{command}")


@pytest.mark.parametrize(("role", "command"), list(cases()))
async def test_permission_matrix(app: App, admin: Any, role: str, command: str) -> None:
    user, sender_role = ROLES[role]
    before = snapshot(admin)
    event = group_message(COMMANDS[command], group=GROUP, user=user, role=sender_role)  # type: ignore[arg-type]
    reply = await say(app, event)  # 恰好一条回复，只有引用和文本段
    if role == "member":
        assert reply == refusal_for(command)
        assert len(reply) <= 30
        assert snapshot(admin) == before, "群友的命令改动了东西"
    elif command in SUPER_ONLY_COMMANDS and role != "superuser":
        assert reply == SUPER_ONLY
        assert snapshot(admin) == before
    else:
        assert reply not in (FAQ_REFUSAL, SETTINGS_REFUSAL, SUPER_ONLY)
        if command in STATS_COMMANDS:
            assert reply.startswith("近 7 天本群统计") and not reply.startswith("守卫设置（")

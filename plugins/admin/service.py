"""admin 插件的运行状态：数据目录里的 Store、改动串行化、知识重建、缺口记录。"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from nonebot.log import LoguruHandler, logger

from cardguard.budget import Cooldown
from cardguard.knowledge import Entry, Knowledge
from cardguard.settings import GroupSettings
from cardguard.store import Actor, Store
from plugins.guard_core import Runtime

T = TypeVar("T")
SETTING_FIELDS = (
    "enabled",
    "passive",
    "link_mode",
    "allow_sites",
    "block_sites",
    "quiet_questions",
)
SET_FIELDS = ("allow_sites", "block_sites", "quiet_questions")
REFUSAL_COOLDOWN = 60.0


class AdminService:
    """把 Store 接到运行时上：覆盖层、各群设置、缺口观察者；所有修改经过一把锁。"""

    def __init__(self, runtime: Runtime, store: Store) -> None:
        self.runtime = runtime
        self.store = store
        self.lock = asyncio.Lock()
        self.refusals = Cooldown(REFUSAL_COOLDOWN)
        self._managed: set[str] = set()

    @property
    def review(self) -> bool:
        """群管理新增/修改的问答是否要先审核。"""
        return self.runtime.config.cardguard_review_queue

    def attach(self) -> None:
        """接到运行时：叠加覆盖层、同步群设置、开始记录没答上的问题。"""
        self.runtime.overlay = self.overlay
        self.runtime.media_dir = self.store.files_dir
        self.runtime.save_settings = self.save_settings
        if self.observe not in self.runtime.observers:
            self.runtime.observers.append(self.observe)
        self.refresh()

    def detach(self) -> None:
        """从运行时上拿下来（测试里换数据目录时用）。"""
        if self.observe in self.runtime.observers:
            self.runtime.observers.remove(self.observe)
        for group in self._managed:
            self.runtime.groups.pop(group, None)
        self._managed.clear()

    def overlay(self, base: Knowledge) -> Knowledge:
        """发布的知识 + 管理员覆盖层。"""
        return replace(base, entries=tuple(self.store.merge(base.entries)))

    def refresh(self) -> None:
        """按当前数据重建知识、同步各群设置。"""
        self.runtime.refresh()
        self._sync_groups()

    async def rebuild(self) -> None:
        """同 `refresh`，但索引和话题模型在工作线程里建：知识很大时（10k 条约 2 秒）事件循环照常
        处理别的消息（用旧的知识），建好后一次性换上。"""
        runtime = self.runtime
        knowledge = runtime.compose()
        runtime.install(
            knowledge, await asyncio.to_thread(runtime.prepare_matcher, knowledge, with_topic=True)
        )
        self._sync_groups()

    def _sync_groups(self) -> None:
        overrides = self.store.group_overrides()
        for group in self._managed - overrides.keys():
            self.runtime.groups.pop(group, None)
        for group, values in overrides.items():
            self.runtime.groups[group] = self.settings_from(values)
        self._managed = set(overrides)

    def settings_from(self, values: dict[str, Any]) -> GroupSettings:
        """改过的项叠在配置默认值上。"""
        changes: dict[str, Any] = {k: v for k, v in values.items() if k in SETTING_FIELDS}
        for name in SET_FIELDS:
            if name in changes:
                changes[name] = frozenset(changes[name])
        return self.runtime.default_settings().with_changes(**changes)

    def save_settings(
        self, group: str, settings: GroupSettings, *, actor: str, command: str = "settings"
    ) -> None:
        """其他插件（link_guard 的“误报”、faq 的“答错了”）改群设置：写盘、记审计日志、立即生效。

        `command` 是审计日志里的命令名（如 "link 误报"），/faq history 和 /faq undo 都认它。
        """
        current = self.runtime.settings(group)
        values = {
            name: _plain(getattr(settings, name))
            for name in SETTING_FIELDS
            if getattr(settings, name) != getattr(current, name)
        }
        if not values:
            return
        if command == "link 误报":
            added = sorted(settings.allow_sites - current.allow_sites)
            values["false_alarms"] = self.store.false_alarms(group, added, actor)
        who = Actor(actor, group)
        self.store.set_group(who, group, command, **values)
        self.refresh()

    def observe(self, kind: str, group: str | None, detail: str) -> None:
        """运行时观察者：把没答上的、被标记答错的问题记进缺口列表。"""
        if kind in ("unanswered", "wrong_question") and detail:
            self.store.gaps.record(group, detail, wrong=kind == "wrong_question")

    async def change(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """串行执行一次修改（文件读写放到线程里），之后立即重建知识（也在线程里）。

        改条目的都走这里、持有同一把锁，所以两次重建不会交错；只改群设置的 `save_settings`
        不改条目，它同步的 `refresh` 插在中间也不会让知识倒退。
        """
        async with self.lock:
            try:
                return await asyncio.to_thread(fn, *args, **kwargs)
            finally:
                await self.rebuild()

    # ---------- 查条目 ----------

    def find(self, entry_id: str, group: str | None) -> Entry | None:
        """按 id 找当前生效的条目：群里优先本群的，再全局；私聊先全局再任意群。"""
        found = [e for e in self.runtime.knowledge.entries if e.id == entry_id]
        order = [group, None] if group is not None else [None]
        for scope in order:
            for entry in found:
                if entry.scope == scope:
                    return entry
        return found[0] if found and group is None else None

    def in_base(self, entry: Entry) -> bool:
        """发布的知识里是否有这个条目（同 id 同作用域）。"""
        shipped = self.runtime.shipped
        return shipped is not None and any(
            e.id == entry.id and e.scope == entry.scope for e in shipped.entries
        )

    def visible(self, group: str | None) -> list[Entry]:
        """这里能看到的条目：本群的、管理员加的全局的、内置的（私聊看全部）。"""
        entries = [
            e for e in self.runtime.knowledge.entries if group is None or e.scope in (None, group)
        ]
        return sorted(entries, key=lambda e: self._order(e, group))

    def _order(self, entry: Entry, group: str | None) -> int:
        if entry.scope is not None and entry.scope == group:
            return 0
        return 1 if self.store.is_custom(entry) else 2

    def counts(self, group: str | None) -> tuple[int, int, int]:
        """（内置条数，管理员加的全局条数，本群条数）。"""
        custom = self.store.custom_entries()
        shipped = len(self.runtime.shipped.entries) if self.runtime.shipped else 0
        glob = sum(1 for e in custom if e.scope is None)
        local = sum(1 for e in custom if group is not None and e.scope == group)
        return shipped, glob, local


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, frozenset) else value


def bridge_logging() -> None:
    """让 cardguard.store（标准 logging）的日志进 NoneBot 的日志（数据文件损坏等要让人看到）。"""
    core = logging.getLogger("cardguard.store")
    if not any(isinstance(h, LoguruHandler) for h in core.handlers):
        core.addHandler(LoguruHandler())
        core.setLevel(logging.INFO)


def create_service(runtime: Runtime, data_dir: Path) -> AdminService:
    """打开数据目录、接到运行时；数据文件有问题时 Store 会记错误日志（不会中断启动）。"""
    bridge_logging()
    store = Store(data_dir, keep_gaps_days=runtime.config.cardguard_keep_gaps_days)
    service = AdminService(runtime, store)
    service.attach()
    logger.info(f"管理员数据目录：{data_dir}（自定义问答 {len(store.custom_entries())} 条）")
    return service

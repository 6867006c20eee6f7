"""运行时：插件的全部长期状态——知识与匹配器、各群设置、管理员数据、统计。

启动时由 `create_runtime` 一次建好（知识有错就带着逐行的错误停下，不会带着半套知识开始监听）。
知识只有一个换法：`refresh()`（管理员改了条目、/faq reload 之后调用），在工作线程里建好新的
匹配器再一次换上，读者永远看到一整套新的或一整套旧的。
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from nonebot.log import logger

from cardguard.knowledge import Entry, Knowledge, KnowledgeError, load_knowledge
from cardguard.knowledge.domains import DomainRules
from cardguard.matching import Matcher
from cardguard.settings import GroupSettings
from cardguard.stats import DB_NAME, StatsError, StatsStore
from cardguard.store import Actor, Limits, Store, StoreError
from cardguard.text import normalize

from .config import Config

PRIVATE_TEXT_KINDS = frozenset({"unanswered", "wrong_question"})  # detail 是群友原话的事件
T = TypeVar("T")
COMPACT_IDLE = 60.0


class Runtime:
    """插件之间共享的一份状态。"""

    def __init__(
        self,
        config: Config,
        *,
        shipped: Knowledge,
        store: Store,
        stats: StatsStore | None,
        data_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.stats = stats
        self.data_dir = data_dir
        self.cache_dir = cache_dir
        self.shipped = shipped
        self.knowledge = self._compose(shipped)
        self._matcher: Matcher | None = None
        self._build_lock = threading.Lock()
        self._refresh_lock = asyncio.Lock()
        self._edit_lock = asyncio.Lock()
        self._defaults = GroupSettings(
            passive=config.cardguard_passive,
            link_guard=config.cardguard_link_guard,
            link_mode=config.cardguard_link_mode,
        )
        self._settings: dict[str, GroupSettings] = {}
        self._compact_timer: asyncio.TimerHandle | None = None

    # ---------- 知识 ----------

    @property
    def rules(self) -> DomainRules:
        """当前的链接规则（知识目录里没有 domains.yaml 时用随程序发布的那份，所以总是有的）。"""
        rules = self.knowledge.domains
        if rules is None:
            raise RuntimeError("知识里没有链接规则")
        return rules

    def _compose(self, shipped: Knowledge) -> Knowledge:
        """发布的知识叠上管理员覆盖层。"""
        return replace(shipped, entries=tuple(self.store.merge(shipped.entries)))

    @property
    def matcher(self) -> Matcher:
        """当前知识的匹配器；第一次用到时才建（启动后由后台预热先建好，两边同时要时只建一次）。"""
        matcher = self._matcher
        if matcher is None:
            with self._build_lock:
                matcher = self._matcher
                if matcher is None:
                    matcher = Matcher.for_knowledge(self.knowledge, cache_dir=self.cache_dir)
                    self._matcher = matcher
        return matcher

    async def refresh(self, *, reread: bool = False) -> None:
        """换知识的唯一办法：（`reread` 时先重读 knowledge/）叠上当前的管理员数据，
        在工作线程里建好匹配器，再一次换上。重读出错时抛出 `KnowledgeError`，继续用原来的。"""
        async with self._refresh_lock:
            shipped = await asyncio.to_thread(self._read_shipped) if reread else self.shipped
            knowledge = self._compose(shipped)
            matcher = await asyncio.to_thread(self._matcher_for, knowledge)
            with self._build_lock:
                self.shipped, self.knowledge, self._matcher = shipped, knowledge, matcher

    def _read_shipped(self) -> Knowledge:
        return load_knowledge(self.config.cardguard_knowledge_dir, cache_dir=self.cache_dir)

    def _matcher_for(self, knowledge: Knowledge) -> Matcher:
        """给新知识建匹配器：条目没变（只改了群设置）就沿用；全局条目没变就沿用话题模型。"""
        current = self.matcher
        if current.serves(knowledge):
            return current
        matcher = Matcher.for_knowledge(knowledge, cache_dir=self.cache_dir)
        if not matcher.reuse_topic(current):
            matcher.topic  # noqa: B018 - 话题模型也在工作线程里建好
        return matcher

    def warm_up(self) -> None:
        """后台线程里先建好匹配器和话题模型、编译链接规则（第一条消息就不用等）。"""
        self.rules.compile_now()
        self.matcher.topic  # noqa: B018

    # ---------- 管理员的改动 ----------

    async def edit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """串行执行一次管理员数据的修改（在工作线程里写日志），之后换上新知识、重读各群设置。"""
        async with self._edit_lock:
            try:
                return await asyncio.to_thread(fn, *args, **kwargs)
            finally:
                self.forget_settings()
                self._compact_when_idle()
                await self.refresh()

    def _compact_when_idle(self) -> None:
        """改动先只追加进审计日志；安静 `COMPACT_IDLE` 秒后再在后台把快照（entries.yaml 等）写一次，
        这样想手工改文件的人看到的是最新的，一连串的添加也只重写一次。"""
        if self._compact_timer is not None:
            self._compact_timer.cancel()
        loop = asyncio.get_running_loop()
        self._compact_timer = loop.call_later(
            COMPACT_IDLE, lambda: loop.create_task(asyncio.to_thread(self.store.compact))
        )

    # ---------- 各群设置 ----------

    def settings(self, group: str | None) -> GroupSettings:
        """一个群的设置（没改过的群用配置里的默认值；私聊也是默认值）。"""
        if group is None:
            return self._defaults
        found = self._settings.get(group)
        if found is None:
            values = self.store.group_overrides().get(group, {})
            found = (
                GroupSettings.from_overrides(self._defaults, values) if values else self._defaults
            )
            self._settings[group] = found
        return found

    async def change_settings(
        self, group: str, actor: Actor, command: str, **values: Any
    ) -> GroupSettings:
        """改一个群的设置：写进管理员数据（审计日志里记着 `command`，可 /faq undo）、立即生效。"""
        plain = {k: sorted(v) if isinstance(v, frozenset | set) else v for k, v in values.items()}
        async with self._edit_lock:
            try:
                await asyncio.to_thread(self.store.set_group, actor, group, command, **plain)
            finally:
                self.forget_settings()
                self._compact_when_idle()
        return self.settings(group)

    def forget_settings(self) -> None:
        """各群设置在管理员数据里变了（改设置、撤销）：下次用到时重新读。"""
        self._settings.clear()

    # ---------- 记录 ----------

    def record(self, kind: str, group: str | None, detail: str = "") -> None:
        """记一件事给统计（只计数）和 /faq gaps（没答上、答错的原话，私聊的不留原文）。"""
        if group is None and kind in PRIVATE_TEXT_KINDS:
            detail = ""
        try:
            if kind in PRIVATE_TEXT_KINDS and detail:
                self.store.gaps.record(group, detail, wrong=kind == "wrong_question")
            if self.stats is not None and kind != "wrong_question":
                self.stats.record(kind, group, detail if kind != "unanswered" else "")
        except (OSError, StatsError) as exc:
            logger.warning(f"记录 {kind} 失败：{exc}")

    async def learn(self, group: str | None, user: str, question: str, entry: Entry) -> None:
        """群友回数字选中了一条：原来的问法成为这条的候选问法（/faq learn 审核后才生效）。"""
        if any(normalize(p) == normalize(question) for p in entry.phrasings):
            return
        actor = Actor(user, group)
        try:
            await asyncio.to_thread(
                self.store.suggest_alias, actor, entry.id, entry.scope, question
            )
        except (OSError, StoreError) as exc:
            logger.warning(f"记候选问法失败：{exc}")

    def close(self) -> None:
        """关机：把还没写进快照的管理员改动写一次，关掉统计库。"""
        if self._compact_timer is not None:
            self._compact_timer.cancel()
        self.store.close()
        if self.stats is not None:
            self.stats.close()

    @staticmethod
    def now() -> float:
        """单调时钟，冷却和预算都用它。"""
        return time.monotonic()


def create_runtime(config: Config, data_dir: Path, cache_dir: Path) -> Runtime:
    """启动时创建运行时；知识有错就逐行打印并退出（不带 traceback）。"""
    try:
        shipped = load_knowledge(config.cardguard_knowledge_dir, cache_dir=cache_dir)
    except KnowledgeError as exc:
        for problem in exc.problems:
            logger.error(f"知识库错误 {problem}")
        raise SystemExit(1) from None
    limits = Limits(
        group_entries=config.cardguard_group_max_entries,
        entry_aliases=config.cardguard_entry_max_aliases,
        group_sites=config.cardguard_group_max_sites,
    )
    store = Store(data_dir / "admin", keep_gaps_days=config.cardguard_keep_gaps_days, limits=limits)
    for note in store.notes:
        logger.warning(f"管理员数据：{note}")
    try:
        stats: StatsStore | None = StatsStore(
            data_dir / "stats" / DB_NAME, keep_days=config.cardguard_stats_days
        )
    except StatsError as exc:
        logger.error(f"统计库打不开，这次不记统计：{exc}")
        stats = None
    return Runtime(
        config, shipped=shipped, store=store, stats=stats, data_dir=data_dir, cache_dir=cache_dir
    )

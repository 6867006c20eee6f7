"""运行时状态：当前知识与匹配器、各群设置、发言预算和冷却。"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nonebot.log import logger

from cardguard.budget import Cooldown, QuietLog, SendBudget
from cardguard.knowledge import Knowledge, KnowledgeError, load_knowledge
from cardguard.matching import Matcher
from cardguard.settings import GroupSettings

from .config import Config

PRIVATE_TEXT_KINDS = frozenset({"unanswered", "wrong_question"})  # detail 是群友原话的事件


@dataclass
class Runtime:
    """插件之间共享的一份状态；知识更新时整体替换匹配器（读者不会看到半新半旧）。"""

    config: Config
    knowledge: Knowledge
    budget: SendBudget
    answer_cooldown: Cooldown
    user_cooldown: Cooldown
    link_cooldown: Cooldown
    dropped: QuietLog = field(default_factory=lambda: QuietLog(60.0))  # 预算丢弃的日志每分钟一条
    groups: dict[str, GroupSettings] = field(default_factory=dict)
    observers: list[Callable[[str, str | None, str], None]] = field(default_factory=list)
    shipped: Knowledge | None = None  # 发布的知识（还没叠加管理员覆盖层）
    overlay: Callable[[Knowledge], Knowledge] | None = None  # 管理员覆盖层（admin 插件设置）
    media_dir: Path | None = None  # 答案图片目录：答案里的 [图片:名字] 指向这里
    # 持久化一个群的设置：save_settings(group, settings, actor=QQ号, command=说明)；admin 插件设置
    save_settings: Callable[..., None] | None = None
    _defaults: tuple[tuple[bool, str], GroupSettings] | None = field(default=None, repr=False)
    _matcher: Matcher | None = field(default=None, repr=False)
    _first_build: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # 派生数据缓存目录（校验过的条目、建好的索引）；文件或条目一变就自动重建，可以随时删
    cache_dir: Path | None = None

    @classmethod
    def create(cls, config: Config, cache_dir: Path | None = None) -> Runtime:
        """按配置加载知识；索引第一次用到时才建（启动时先叠好管理员覆盖层，只建一次）。"""
        knowledge = load_knowledge(config.cardguard_knowledge_dir, cache_dir=cache_dir)
        return cls(
            config=config,
            cache_dir=cache_dir,
            knowledge=knowledge,
            shipped=knowledge,
            budget=SendBudget(config.cardguard_group_budget, 60.0),
            answer_cooldown=Cooldown(config.cardguard_answer_cooldown),
            user_cooldown=Cooldown(config.cardguard_user_cooldown),
            link_cooldown=Cooldown(config.cardguard_link_cooldown),
        )

    def settings(self, group: str | None) -> GroupSettings:
        """一个群的设置（没改过的群用配置里的默认值）。"""
        if group is None:
            return self.default_settings()
        found = self.groups.get(group)
        return found if found is not None else self.default_settings()

    def change_settings(
        self, group: str, settings: GroupSettings, *, actor: str, command: str
    ) -> None:
        """改一个群的设置：有 admin 插件时写盘、记审计日志（`command` 是日志里的命令名，
        /faq history、/faq undo 都认它）；没有时只在内存里改。"""
        if self.save_settings is not None:
            self.save_settings(group, settings, actor=actor, command=command)
        else:
            self.groups[group] = settings

    def default_settings(self) -> GroupSettings:
        """配置给出的默认设置（不可变，按配置缓存：每条消息都要查，不必每次新建）。"""
        cfg = self.config
        key = (cfg.cardguard_passive, cfg.cardguard_link_mode)
        cached = self._defaults
        if cached is None or cached[0] != key:
            settings = GroupSettings(enabled=True, passive=key[0], link_mode=key[1])
            cached = self._defaults = (key, settings)
        return cached[1]

    @property
    def matcher(self) -> Matcher:
        """当前知识的匹配器；第一次用到时才建（启动后由后台预热线程先建，两边同时要时只建一次）。"""
        matcher = self._matcher
        if matcher is None:
            with self._first_build:
                matcher = self._matcher
                if matcher is None:
                    knowledge = self.knowledge
                    matcher = Matcher.for_knowledge(knowledge, cache_dir=self.cache_dir)
                    self._matcher = matcher
        return matcher

    def use_knowledge(self, knowledge: Knowledge) -> None:
        """换上新知识：先建好索引再一次性替换（在调用方的线程里建，见 `prepare_matcher`）。"""
        self.install(knowledge, self.prepare_matcher(knowledge))

    def prepare_matcher(self, knowledge: Knowledge, *, with_topic: bool = False) -> Matcher | None:
        """给 `knowledge` 建好匹配器（可以在工作线程里调用）；不用换时返回 None。

        不用换：还没建过索引（用到时再建），或者条目和闲聊例句都没变（只改了群设置）。
        全局条目没变时沿用原来的话题模型；`with_topic` 时顺便建好新的话题模型。
        """
        current = self._matcher
        if current is None or current.serves(knowledge):
            return None
        matcher = Matcher.for_knowledge(knowledge, cache_dir=self.cache_dir)
        if not matcher.reuse_topic(current) and with_topic:
            matcher.topic  # noqa: B018
        return matcher

    def install(self, knowledge: Knowledge, matcher: Matcher | None) -> None:
        """换上 `knowledge` 和为它建好的匹配器（None：沿用当前的，见 `prepare_matcher`）。

        第一次建索引（后台预热）还没建完时先等它：它建的是换之前的知识，不合用就丢掉，用到时重建。
        """
        with self._first_build:
            if matcher is None:
                matcher = self._matcher
                if matcher is not None and not matcher.serves(knowledge):
                    matcher = None  # 预热建的是换之前的知识
            self.knowledge, self._matcher = knowledge, matcher

    def read_shipped(self, directory: Path | None = None) -> Knowledge:
        """重新读取知识目录（可以在工作线程里调用），不换上；出错时抛出 `KnowledgeError`。"""
        directory = directory or self.config.cardguard_knowledge_dir
        return load_knowledge(directory, cache_dir=self.cache_dir)

    def compose(self) -> Knowledge:
        """发布的知识叠上当前的管理员覆盖层（不重读文件）。"""
        base = self.shipped if self.shipped is not None else self.knowledge
        return self.overlay(base) if self.overlay else base

    def refresh(self) -> Knowledge:
        """管理员改动之后：用发布的知识和当前覆盖层重建。"""
        knowledge = self.compose()
        self.use_knowledge(knowledge)
        return knowledge

    def record(self, kind: str, group: str | None, detail: str = "") -> None:
        """记一件事（answered / unanswered / warned / false_alarm …）给统计和缺口列表。

        私聊（group 为 None）的内容从不交出去：没答上的私聊问题只计数、不留原文。
        """
        if group is None and kind in PRIVATE_TEXT_KINDS:
            detail = ""
        for observer in self.observers:
            try:
                observer(kind, group, detail)
            except Exception as exc:
                logger.opt(exception=exc).warning(f"记录 {kind} 失败（群 {group}）")

    @staticmethod
    def now() -> float:
        """单调时钟，冷却和预算都用它。"""
        return time.monotonic()


def create_runtime(config: Config, cache_dir: Path | None = None) -> Runtime:
    """启动时创建运行时；知识有错就逐行打印并退出，不带 traceback。"""
    try:
        return Runtime.create(config, cache_dir)
    except KnowledgeError as exc:
        for problem in exc.problems:
            logger.error(f"知识库错误 {problem}")
        raise SystemExit(1) from None

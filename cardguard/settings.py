"""每个群的开关与模式。"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

LinkMode = Literal["warn", "recall", "notify", "recall+notify"]
LINK_MODES: tuple[str, ...] = ("warn", "recall", "notify", "recall+notify")


@dataclass(frozen=True)
class GroupSettings:
    """一个群的设置：总开关、旁听回答、链接识别开关与处理方式、本群放行/拉黑的站点、本群不再旁听回答的话。"""

    enabled: bool = True
    passive: bool = True
    link_guard: bool = True
    link_mode: LinkMode = "warn"
    allow_sites: frozenset[str] = field(default_factory=frozenset)
    block_sites: frozenset[str] = field(default_factory=frozenset)
    quiet_questions: frozenset[str] = field(default_factory=frozenset)
    """群管理回复“答错了”标记过的话（预处理后的文本）：像这样的话本群不再旁听回答。"""

    @property
    def recall(self) -> bool:
        """警告时是否同时撤回（需要机器人是管理员）。"""
        return "recall" in self.link_mode

    @property
    def notify(self) -> bool:
        """警告时是否私聊通知群管理。"""
        return "notify" in self.link_mode

    def with_changes(self, **changes: object) -> GroupSettings:
        """返回修改后的副本。"""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_overrides(cls, defaults: GroupSettings, values: dict[str, object]) -> GroupSettings:
        """在默认设置上叠加一个群改过的项（数据文件里存的是列表，这里变回集合）。"""
        changes: dict[str, object] = {k: v for k, v in values.items() if k in SETTING_FIELDS}
        for name in SET_FIELDS:
            listed = changes.get(name)
            if isinstance(listed, list | tuple | set | frozenset):
                changes[name] = frozenset(listed)
        return defaults.with_changes(**changes)


SETTING_FIELDS = (
    "enabled",
    "passive",
    "link_guard",
    "link_mode",
    "allow_sites",
    "block_sites",
    "quiet_questions",
)
SET_FIELDS = ("allow_sites", "block_sites", "quiet_questions")

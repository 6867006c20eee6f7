"""问答功能的短期记忆和节奏：都只在内存里，重启就清空。"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from cardguard.pacing import Cooldown, SendBudget

from ..app import config
from ..outbox import RecentSent

ASKS_PER_MINUTE = 4  # 一个人一分钟里最多问出几个回答（群主、群管理不受限）
HELP_COOLDOWN = 300.0  # 一个人 5 分钟里最多看一次 /帮助
CHOICE_TTL = 300.0  # “你是不是想问”发出后 5 分钟内回数字有效
MAX_CHOICES = 2_000


@dataclass(frozen=True)
class Answered:
    """机器人回答过的一句话：哪个群、用了哪条、提问的原话。"""

    group: str | None
    entry_id: str
    question: str


@dataclass(frozen=True)
class Choice:
    """发给某人的“你是不是想问”：候选条目和他原来的问法。"""

    entry_ids: tuple[str, ...]
    question: str
    at: float


class Choices:
    """每个人最近一次收到的建议（按 群/私聊 + 人 记），过期或被用掉就忘。"""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str], Choice] = OrderedDict()

    def offer(self, lane: str, user: str, choice: Choice) -> None:
        """记下发给这个人的建议。"""
        self._items[(lane, user)] = choice
        self._items.move_to_end((lane, user))
        while len(self._items) > MAX_CHOICES:
            self._items.popitem(last=False)

    def peek(self, lane: str, user: str, now: float) -> Choice | None:
        """这个人手上还有效的建议。"""
        found = self._items.get((lane, user))
        if found is None or now - found.at > CHOICE_TTL:
            return None
        return found

    def take(self, lane: str, user: str) -> None:
        """用掉了（回过数字）。"""
        self._items.pop((lane, user), None)


answered: RecentSent[Answered] = RecentSent()  # 最近 500 条回答：群管理可以回复“答错了”
choices = Choices()
asks = SendBudget(ASKS_PER_MINUTE, 60.0)
slow_down = Cooldown(60.0)
same_question = Cooldown(config.cardguard_user_cooldown)
help_cooldown = Cooldown(HELP_COOLDOWN)
answer_cooldown = Cooldown(config.cardguard_answer_cooldown)


def clock() -> float:
    """单调时钟。"""
    return time.monotonic()

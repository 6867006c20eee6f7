"""admin 插件测试的公共部分：收下机器人发出的消息、给每个测试一个全新的数据目录。"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from nonebot.adapters.onebot.v11 import Message
from nonebug import App

SUPER = 10001
OWNER = 30001
ADMIN = 30002
MEMBER = 30003


@dataclass
class Capture:
    """nonebug 的“期望消息”：不预设内容，而是把实际发出的消息收下来，供测试断言。"""

    got: list[Message] = field(default_factory=list)

    def __eq__(self, other: object) -> bool:
        self.got.append(Message(other))  # type: ignore[arg-type]
        return True

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def texts(message: Message) -> str:
    """消息里全部文本段拼起来。"""
    return "".join(seg.data.get("text", "") for seg in message if seg.type == "text")


def kinds(message: Message) -> list[str]:
    """消息里每一段的类型。"""
    return [seg.type for seg in message]


async def talk(app: App, event: Any, replies: int = 1) -> list[Message]:
    """把一条事件交给机器人，收下它发出的 `replies` 条消息（多发或少发都算失败）。"""
    captures = [Capture() for _ in range(replies)]
    async with app.test_matcher() as ctx:
        bot = ctx.create_bot()
        ctx.receive_event(bot, event)
        for capture in captures:
            ctx.should_call_send(event, capture, result=None)
    return [c.got[0] for c in captures]


async def say(app: App, event: Any) -> str:
    """发一条、收一条回复，返回回复的文本（并检查它只由引用和文本段组成）。"""
    (message,) = await talk(app, event)
    assert set(kinds(message)) <= {"reply", "text"}, kinds(message)
    return texts(message)


def fresh_service(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """（给 fixture 用）插件换到一个全新的管理员数据目录；预算放宽，测试结束后恢复原状。

    返回的对象有 `.runtime` 和 `.store` 两个属性。
    """
    from cardguard.pacing import SendBudget
    from cardguard.store import Store
    from nonebot_plugin_cardguard.app import outbox

    old_store = runtime.store
    monkeypatch.setattr(outbox, "budget", SendBudget(10_000, 60.0))
    swap_store(runtime, Store(tmp_path / "admin", keep_gaps_days=30))
    try:
        yield Service(runtime)
    finally:
        swap_store(runtime, old_store)


class Service:
    """测试里的“管理员数据”视角：运行时和它当前的存储。"""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    @property
    def store(self) -> Any:
        """运行时当前用的存储。"""
        return self.runtime.store


def swap_store(runtime: Any, store: Any) -> None:
    """换上另一份管理员数据，重建知识、清掉各群设置的缓存（和启动时一样，只是不重读 knowledge/）。"""
    from dataclasses import replace

    runtime.store = store
    runtime.forget_settings()
    runtime.knowledge = replace(
        runtime.shipped, entries=tuple(store.merge(runtime.shipped.entries))
    )
    runtime._matcher = None


def restart(service: Any) -> None:
    """模拟重启：丢掉内存里的一切，从同一个数据目录重新打开。"""
    from cardguard.store import Store

    data_dir = service.store.dir
    service.store.close()
    swap_store(service.runtime, Store(data_dir, keep_gaps_days=30))

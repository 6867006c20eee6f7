"""运行时的索引：第一次用到时才建（启动后由后台线程先建），建的途中换了知识也不会用上旧索引。"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest


def test_knowledge_swapped_during_the_first_index_build_is_not_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cardguard.matching import Matcher
    from plugins.guard_core.config import Config
    from plugins.guard_core.runtime import Runtime

    runtime = Runtime.create(Config())
    started, release = threading.Event(), threading.Event()
    real = Matcher.for_knowledge

    def slow(knowledge: Any, **kwargs: Any) -> Matcher:
        started.set()
        release.wait(10)
        return real(knowledge, **kwargs)

    monkeypatch.setattr(Matcher, "for_knowledge", slow)
    builder = threading.Thread(target=lambda: runtime.matcher)  # 后台预热建第一份索引
    builder.start()
    assert started.wait(10)
    newer = replace(runtime.knowledge, entries=runtime.knowledge.entries[:-1])
    swapper = threading.Thread(target=runtime.use_knowledge, args=(newer,))  # 这时管理员改了知识
    swapper.start()
    release.set()
    builder.join(10)
    swapper.join(10)
    assert runtime.knowledge is newer
    assert runtime.matcher.entries == newer.entries, "用上了换知识之前建的索引"


def test_concurrent_first_uses_build_the_index_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from cardguard.matching import Matcher
    from plugins.guard_core.config import Config
    from plugins.guard_core.runtime import Runtime

    runtime = Runtime.create(Config())
    builds: list[int] = []
    real = Matcher.for_knowledge

    def counting(knowledge: Any, **kwargs: Any) -> Matcher:
        builds.append(1)
        return real(knowledge, **kwargs)

    monkeypatch.setattr(Matcher, "for_knowledge", counting)
    got: list[Matcher] = []
    threads = [threading.Thread(target=lambda: got.append(runtime.matcher)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(builds) == 1 and len({id(m) for m in got}) == 1

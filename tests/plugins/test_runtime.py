"""运行时的知识：匹配器第一次用到时才建（启动后由后台线程先建）；建的途中管理员改了知识也不会用上旧索引。"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from cardguard.config import Config
from cardguard.knowledge import load_knowledge
from cardguard.matching import Matcher
from cardguard.store import Actor, Store


def fresh_runtime(tmp_path: Path) -> Any:
    from nonebot_plugin_cardguard.runtime import Runtime

    store = Store(tmp_path / "admin")
    return Runtime(Config(), shipped=load_knowledge(), store=store, stats=None)


def test_knowledge_changed_during_the_first_index_build_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = fresh_runtime(tmp_path)
    started, release = threading.Event(), threading.Event()
    real = Matcher.for_knowledge

    def slow(knowledge: Any, **kwargs: Any) -> Matcher:
        started.set()
        release.wait(10)
        return real(knowledge, **kwargs)

    monkeypatch.setattr(Matcher, "for_knowledge", slow)
    builder = threading.Thread(target=runtime.warm_up)  # 后台预热建第一份索引
    builder.start()
    assert started.wait(10)
    entry = runtime.knowledge.get("paid-no-delivery")
    runtime.store.delete_entry(Actor("1", None), entry, in_base=True)  # 这时管理员删了一条
    editor = threading.Thread(target=lambda: asyncio.run(runtime.refresh()))
    editor.start()
    release.set()
    builder.join(10)
    editor.join(10)
    assert runtime.knowledge.get("paid-no-delivery") is None
    assert "paid-no-delivery" not in {e.id for e in runtime.matcher.entries}, "用上了改之前建的索引"


def test_concurrent_first_uses_build_the_index_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = fresh_runtime(tmp_path)
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
        thread.join(30)
    assert len(builds) == 1 and len({id(m) for m in got}) == 1


def test_legacy_data_folders_are_moved_once(tmp_path: Path) -> None:
    from nonebot_plugin_cardguard.app import move_legacy_data

    base, target = tmp_path / "base", tmp_path / "base" / "nonebot_plugin_cardguard"
    (base / "admin").mkdir(parents=True)
    (base / "admin" / "audit.jsonl").write_text("{}\n", encoding="utf-8")
    (base / "stats").mkdir()
    target.mkdir()
    move_legacy_data(base, target)
    assert (target / "admin" / "audit.jsonl").read_text(encoding="utf-8") == "{}\n"
    assert not (base / "admin").exists() and not (target / "stats").exists()  # 空的不搬
    (base / "admin").mkdir()
    (base / "admin" / "audit.jsonl").write_text("新的\n", encoding="utf-8")
    move_legacy_data(base, target)  # 新目录里已经有了：不覆盖
    assert (target / "admin" / "audit.jsonl").read_text(encoding="utf-8") == "{}\n"

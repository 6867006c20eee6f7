"""派生数据缓存：第二次启动读缓存，结果与不用缓存时一样；文件改了、缓存坏了、代码变了都会重算。"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cardguard.knowledge import KnowledgeError, load_knowledge
from cardguard.knowledge import loader as loader_module
from cardguard.knowledge.cache import DerivedCache
from cardguard.knowledge.yamlio import load_yaml
from cardguard.matching import Matcher
from cardguard.matching import index as index_module

from .kbdirs import GOOD_FAQ

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"


def _questions() -> list[str]:
    return [str(q["text"]) for q in load_yaml(QUESTIONS)["questions"]][::4]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """随程序发布的知识的一份拷贝（可以随便改）。"""
    target = tmp_path / "knowledge"
    shutil.copytree(loader_module.default_knowledge_dir(), target)
    return target


def _forbid(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{name} 不该被调用：应该读缓存")

    monkeypatch.setattr(module, name, fail)


def _cache_files(cache: Path, name: str) -> list[Path]:
    return sorted(cache.glob(f"{name}-*.pickle"))


def test_second_load_reads_the_cache_and_gives_the_same_entries(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    plain = load_knowledge(kb)
    first = load_knowledge(kb, cache_dir=cache)
    assert len(_cache_files(cache, "entries")) == 1
    assert len(_cache_files(cache, "domains")) == 1
    assert len(_cache_files(cache, "chatter")) == 1
    _forbid(monkeypatch, loader_module, "_read_entries")
    _forbid(monkeypatch, loader_module, "_read_domains")
    _forbid(monkeypatch, loader_module, "load_chatter")
    second = load_knowledge(kb, cache_dir=cache)
    assert second.entries == first.entries == plain.entries
    assert second.chatter == first.chatter == plain.chatter and len(plain.chatter) > 500
    assert second.domains == first.domains == plain.domains
    assert second.domains.brands[0].aliases == plain.domains.brands[0].aliases  # 繁简折叠过的别名


def test_edited_domains_file_is_compiled_again(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = load_knowledge(kb, cache_dir=cache).domains
    domains = kb / "domains.yaml"
    text = domains.read_text(encoding="utf-8")
    domains.write_text(
        text.replace("allow:", "allow:\n  - my-own-site.example", 1), encoding="utf-8"
    )
    after = load_knowledge(kb, cache_dir=cache).domains
    assert "my-own-site.example" in after.allow and "my-own-site.example" not in before.allow


def test_edited_shops_file_is_compiled_again(kb: Path, tmp_path: Path) -> None:
    """shops.yaml 和 domains.yaml 编进同一份链接规则：改了 shops.yaml，缓存也要作废。"""
    cache = tmp_path / "cache"
    before = load_knowledge(kb, cache_dir=cache).domains
    shops = kb / "shops.yaml"
    text = shops.read_text(encoding="utf-8")
    shops.write_text(text.replace("domains: [catfk.com]", "domains: [catfk.example]"), "utf-8")
    after = load_knowledge(kb, cache_dir=cache).domains
    assert before is not None and after is not None
    assert before.platform_for("catfk.com") is not None
    assert after.platform_for("catfk.com") is None and after.platform_for("catfk.example")


def test_broken_shops_file_reports_its_line(kb: Path, tmp_path: Path) -> None:
    (kb / "shops.yaml").write_text("fingerprints:\n  - system: 坏\n    weight: 60\n", "utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb, cache_dir=tmp_path / "cache")
    assert str(info.value).startswith(f"{kb / 'shops.yaml'}:")


def test_edited_chatter_file_is_read_again(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = load_knowledge(kb, cache_dir=cache).chatter
    chatter = kb / "chatter.yaml"
    chatter.write_text("chatter:\n  - 今晚开黑吗\n", encoding="utf-8")
    assert load_knowledge(kb, cache_dir=cache).chatter == ("今晚开黑吗",) != before


def test_broken_domains_file_is_never_cached(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (kb / "domains.yaml").write_text("allow: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(KnowledgeError, match=r"domains\.yaml"):
            load_knowledge(kb, cache_dir=cache)
    assert _cache_files(cache, "domains") == []


def test_edited_file_is_read_again(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_knowledge(kb, cache_dir=cache)
    faq = kb / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    faq.write_text(text.replace("entries:", "entries:\n" + GOOD_FAQ.split("\n", 1)[1], 1))
    stat = faq.stat()
    os.utime(faq, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    reloaded = load_knowledge(kb, cache_dir=cache)
    assert reloaded.get("good-one") is not None
    assert reloaded.entries == load_knowledge(kb).entries


def test_broken_knowledge_is_never_cached(kb: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (kb / "faq.yaml").write_text("entries: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(KnowledgeError):
            load_knowledge(kb, cache_dir=cache)
    assert _cache_files(cache, "entries") == []


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_corrupt_entries_cache_is_rebuilt_silently(
    kb: Path, tmp_path: Path, garbage: bytes
) -> None:
    cache = tmp_path / "cache"
    want = load_knowledge(kb, cache_dir=cache).entries
    (path,) = _cache_files(cache, "entries")
    path.write_bytes(garbage)
    assert load_knowledge(kb, cache_dir=cache).entries == want
    assert path.read_bytes() != garbage  # 重新写好了


def test_code_change_invalidates_the_cache(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    load_knowledge(kb, cache_dir=cache)
    monkeypatch.setattr(loader_module, "_code_version", lambda: "another version")
    calls: list[int] = []
    real = loader_module._read_entries

    def counting(*args: object) -> object:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader_module, "_read_entries", counting)
    load_knowledge(kb, cache_dir=cache)
    assert calls == [1]


def test_index_cache_gives_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    entries = load_knowledge().entries
    plain = Matcher(entries)
    Matcher(entries, cache_dir=cache)
    assert len(_cache_files(cache, "index")) == 1
    _forbid(monkeypatch, index_module, "_build")
    warm = Matcher(entries, cache_dir=cache)
    for text in _questions():
        assert warm.rank(text, 4) == plain.rank(text, 4), text


def test_changed_entries_do_not_use_the_old_index(tmp_path: Path) -> None:
    """管理员覆盖层改了条目：内容摘要不同，用新建的索引。"""
    cache = tmp_path / "cache"
    entries = list(load_knowledge().entries)
    Matcher(entries, cache_dir=cache)
    changed = entries[0].model_copy(update={"aliases": ("本群暗号是什么",)})
    edited = [changed, *entries[1:]]
    got = Matcher(edited, cache_dir=cache).rank("本群暗号是什么", 1)
    assert got == Matcher(edited).rank("本群暗号是什么", 1)
    assert got[0][0] == changed.id


def test_corrupt_index_cache_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    entries = load_knowledge().entries
    Matcher(entries, cache_dir=cache)
    (path,) = _cache_files(cache, "index")
    path.write_bytes(path.read_bytes()[:1000])  # 写到一半断电
    text = _questions()[0]
    assert Matcher(entries, cache_dir=cache).rank(text, 4) == Matcher(entries).rank(text, 4)


def test_cache_writes_are_atomic_and_old_files_pruned(tmp_path: Path) -> None:
    cache = DerivedCache(tmp_path, "thing", keep=2)
    for number in range(5):
        cache.put(f"key{number}", {"n": number})
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and "thing-key4.pickle" in files
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    assert cache.get("key4") == {"n": 4}
    assert cache.get("key0") is None


def test_unwritable_cache_dir_only_costs_the_cache(kb: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    assert load_knowledge(kb, cache_dir=blocker / "cache").entries == load_knowledge(kb).entries

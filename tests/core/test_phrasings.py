"""knowledge/phrasings/<id>.yaml：问法和条目分开放；逐行报错；旧写法（条目里直接写 aliases）照样有效。"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cardguard.knowledge import KnowledgeError, load_knowledge
from cardguard.knowledge.loader import DEFAULT_DIR, FAQ_FILE, RISK_FILE
from cardguard.knowledge.yamlio import load_yaml
from cardguard.matching import Matcher

from .kbdirs import GOOD_FAQ, write_dir

PLAIN_FAQ = """\
entries:
  - id: good-one
    question: 本群的暗号是什么
    answer: 暗号是天王盖地虎，只在测试里用。
"""


def _phrasings(root: Path, name: str, text: str) -> Path:
    folder = root / "phrasings"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_entry_without_aliases_is_valid(tmp_path: Path) -> None:
    write_dir(tmp_path, {"faq.yaml": PLAIN_FAQ})
    entry = load_knowledge(tmp_path).get("good-one")
    assert entry is not None and entry.aliases == ()
    assert Matcher(load_knowledge(tmp_path).entries).ask("本群的暗号是什么").id == "good-one"


def test_inline_aliases_still_work(tmp_path: Path) -> None:
    write_dir(tmp_path, {"faq.yaml": GOOD_FAQ})
    entry = load_knowledge(tmp_path).get("good-one")
    assert entry is not None and "群暗号" in entry.aliases


def test_phrasing_file_adds_to_the_entry(tmp_path: Path) -> None:
    write_dir(tmp_path, {"faq.yaml": GOOD_FAQ})
    _phrasings(
        tmp_path, "good-one.yaml", "id: good-one\nphrasings:\n  - 接头暗号是啥\n  - 群暗号\n"
    )
    entry = load_knowledge(tmp_path).get("good-one")
    assert entry is not None
    # 条目里写的在前，文件里的接在后面，重复的只留一次
    assert entry.aliases == ("暗号是啥", "群暗号", "进群暗号是什么", "接头暗号是啥")


@pytest.mark.parametrize(
    ("name", "text", "line", "fragment"),
    [
        ("no-such.yaml", "id: no-such\nphrasings:\n  - 问法一\n", 1, "没有 id 为 no-such 的条目"),
        ("good-one.yaml", "id: other-one\nphrasings:\n  - 问法一\n", 1, "文件名应该和 id 一样"),
        (
            "good-one.yaml",
            "id: good-one\nphrasings:\n  - 问法一\n  - [不是, 一句话]\n",
            4,
            "不是一句文字",
        ),
        ("good-one.yaml", "id: good-one\nphrasings:\n  - 问法一\n  - 甲\n", 4, "只有一个字"),
        ("good-one.yaml", "- 问法一\n", 1, "顶层必须是映射"),
        ("good-one.yaml", "phrasings:\n  - 问法一\n", 1, "缺少字段 id"),
        ("good-one.yaml", "id: good-one\nphrasings: [问法一\n", None, "YAML"),
    ],
    ids=["unknown-id", "name-mismatch", "not-text", "too-short", "top-level", "no-id", "syntax"],
)
def test_broken_phrasing_file_names_file_and_line(
    tmp_path: Path, name: str, text: str, line: int | None, fragment: str
) -> None:
    write_dir(tmp_path, {"faq.yaml": GOOD_FAQ})
    path = _phrasings(tmp_path, name, text)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert fragment in problem.message, problem
    if line is not None:
        assert problem.line == line, problem


def test_edited_phrasing_file_is_read_again(tmp_path: Path) -> None:
    kb = write_dir(tmp_path / "kb", {"faq.yaml": GOOD_FAQ})
    path = _phrasings(kb, "good-one.yaml", "id: good-one\nphrasings:\n  - 接头暗号是啥\n")
    cache = tmp_path / "cache"
    assert "接头暗号是啥" in load_knowledge(kb, cache_dir=cache).entries[0].aliases
    path.write_text("id: good-one\nphrasings:\n  - 对暗号\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    aliases = load_knowledge(kb, cache_dir=cache).entries[0].aliases
    assert "对暗号" in aliases and "接头暗号是啥" not in aliases
    path.unlink()  # 删掉文件也算变了
    assert "对暗号" not in load_knowledge(kb, cache_dir=cache).entries[0].aliases


def test_shipped_knowledge_keeps_phrasings_out_of_the_entry_files() -> None:
    # faq.yaml 和 risks.yaml 只留人要改的字段；问法都在 phrasings/ 下，每条一个文件。
    for name in (FAQ_FILE, RISK_FILE):
        for raw in load_yaml(DEFAULT_DIR / name)["entries"]:
            assert "aliases" not in raw, f"{name}: {raw['id']} 的问法应该放进 phrasings/"
            assert not set(raw) - {
                "id",
                "question",
                "answer",
                "keywords",
                "related",
                "tags",
                "source",
                "title",
                "signs",
            }, raw["id"]
    knowledge = load_knowledge()
    files = {p.stem for p in (DEFAULT_DIR / "phrasings").glob("*.yaml")}
    assert files == {e.id for e in knowledge.entries}
    assert all(len(e.aliases) >= 20 for e in knowledge.entries)
    lines = sum(1 for _ in (DEFAULT_DIR / FAQ_FILE).open(encoding="utf-8"))
    assert lines < 20 * len([e for e in knowledge.entries if e.kind == "faq"])

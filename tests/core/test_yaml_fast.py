"""快速 YAML 路径（由 libyaml 事件直接搭对象）与标准 `yaml.load(CSafeLoader)` 的结果完全一样。"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cardguard.knowledge.yamlio import _Loader, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
REPO_YAML = sorted(
    p for d in ("knowledge", "tests/data") for p in (ROOT / d).rglob("*.yaml") if p.is_file()
)

FRAGMENTS = (
    "",
    "a: 1",
    "- 1\n- 2.5\n- .inf\n- ~\n- null\n- yes\n- 'yes'\n- 0x1f\n- 0o17\n- 1_000\n- ''\n-\n",
    "- 2024-01-02\n- 2024-01-02 10:00:00\n- 1:30\n",
    "1: a\n1.5: b\ntrue: c\n~: d\n",
    "a: |\n  第一行\n  第二行\n",
    "a: >-\n  折叠\n  的文本\n",
    "a: [1, {b: c}]\n",
    "\ufeffa: 1",
    "dup: 1\ndup: 2\n",
    # 快路径不处理、交给标准加载器的写法：
    "a: &x 1\nb: *x",
    "base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n",
    "!!str 1",
    "a: !!int '3'",
    "=: 1",
)
BROKEN = ("[", "a: b: c", "--- 1\n--- 2", "a: 'x", "a: =", "? [1]\n: 2")


def _reference(text: str) -> object:
    return yaml.load(text, Loader=_Loader)


@pytest.mark.parametrize("text", FRAGMENTS)
def test_fragments_parse_like_the_standard_loader(text: str) -> None:
    got, want = parse_yaml(text), _reference(text)
    assert got == want
    assert repr(got) == repr(want)  # 类型也一样（1 与 1.0 与 True 不混）


@pytest.mark.parametrize("text", BROKEN)
def test_errors_are_the_standard_loaders_errors(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as want:
        _reference(text)
    with pytest.raises(type(want.value)) as got:
        parse_yaml(text)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("path", REPO_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_yaml_files_parse_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert parse_yaml(text) == _reference(text)

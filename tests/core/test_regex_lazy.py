"""`Regex`：从缓存读回的链接规则用到时才编译，用起来和编译好的一样。"""

from __future__ import annotations

import pickle
import re

import pytest

from cardguard.knowledge import load_knowledge
from cardguard.knowledge.regex import Regex


def test_a_pickled_regex_comes_back_uncompiled_and_still_matches() -> None:
    original = Regex.now(r"(?:^|/)buy/(\d+)", re.I)
    copy = pickle.loads(pickle.dumps(original))
    assert copy._compiled is None
    assert copy == original
    found = copy.search("https://shop.example/BUY/42")
    assert found is not None and found.group(1) == "42"
    assert copy._compiled is not None
    assert copy.sub("#", "a/buy/1") == "a#"
    assert copy.findall("/buy/1 /buy/2") == ["1", "2"]


def test_a_wrong_pattern_fails_when_loaded_from_yaml() -> None:
    with pytest.raises(re.error):
        Regex.now(r"(unclosed")


def test_rules_read_back_from_the_cache_compile_on_warm_up() -> None:
    rules = load_knowledge().domains
    assert rules is not None
    copy = pickle.loads(pickle.dumps(rules))
    lazy = list(copy._regexes())
    assert lazy and all(r._compiled is None for r in lazy)
    copy.compile_now()
    assert all(r._compiled is not None for r in lazy)
    assert len(lazy) == len(list(rules._regexes()))

"""tests/core 共用的夹具。"""

from __future__ import annotations

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import load_rules


@pytest.fixture(scope="session")
def rules() -> DomainRules:
    """随程序发布的链接规则（knowledge/ 里的 domains.yaml、shops.yaml）。"""
    return load_rules()

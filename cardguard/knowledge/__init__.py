"""知识库：条目结构、加载、校验（逐行报错）与管理员覆盖层合并。"""

from .errors import KnowledgeError, Problem
from .loader import (
    DOMAINS_FILE,
    FAQ_FILE,
    RISK_FILE,
    Knowledge,
    default_knowledge_dir,
    load_knowledge,
    merge_entries,
    parse_entries,
    validate,
)
from .schema import Entry, RiskEntry
from .shops import SHOPS_FILE

__all__ = [
    "DOMAINS_FILE",
    "FAQ_FILE",
    "RISK_FILE",
    "SHOPS_FILE",
    "Entry",
    "Knowledge",
    "KnowledgeError",
    "Problem",
    "RiskEntry",
    "default_knowledge_dir",
    "load_knowledge",
    "merge_entries",
    "parse_entries",
    "validate",
]

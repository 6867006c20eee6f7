"""问题匹配：归一化 + 倒排索引挑候选 + rapidfuzz 重排，给出答案或建议。"""

from .corpus import Corpus, Query, prepare, rank_exhaustive
from .index import Index
from .matcher import Matcher, MatchResult
from .quiet import is_quieted, quiet_key
from .topic import topic_strength

__all__ = [
    "Corpus",
    "Index",
    "MatchResult",
    "Matcher",
    "Query",
    "is_quieted",
    "prepare",
    "quiet_key",
    "rank_exhaustive",
    "topic_strength",
]

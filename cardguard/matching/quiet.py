"""群管理标记“答错了”的话：本群以后不再旁听回答像这样的话。"""

from __future__ import annotations

from collections.abc import Collection

from rapidfuzz import fuzz, process

from .corpus import prepare

# 和标记过的话相似到这个程度（rapidfuzz ratio，0–100）就算“像这样的话”。
QUIET_SIMILARITY = 85.0
MAX_QUIET_CHARS = 120


def quiet_key(text: str) -> str:
    """记下来的形式：预处理后的文本（截到 120 字）。"""
    return prepare(text)[:MAX_QUIET_CHARS]


def is_quieted(text: str, quiet: Collection[str], cutoff: float = QUIET_SIMILARITY) -> bool:
    """这句话是不是和标记过的某句话一样或很像。"""
    if not quiet:
        return False
    key = quiet_key(text)
    if key in quiet:
        return True
    return process.extractOne(key, list(quiet), scorer=fuzz.ratio, score_cutoff=cutoff) is not None

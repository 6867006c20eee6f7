"""匹配特征：中文双字组、英文词、常见口语同义替换。"""

from __future__ import annotations

import re

# 口语、错别字和同义说法统一成一种写法；只收通用的说法，不收针对某条问题的特例。
_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("咋整", "怎么办"),
    ("咋办", "怎么办"),
    ("怎么整", "怎么办"),
    ("怎么搞", "怎么办"),
    ("怎办", "怎么办"),
    ("肿么办", "怎么办"),
    ("咋弄", "怎么办"),
    ("咋回事", "怎么回事"),
    ("咋", "怎么"),
    ("肿么", "怎么"),
    ("啥", "什么"),
    ("木有", "没有"),
    ("没得", "没有"),
    ("冲值", "充值"),
    ("冲钱", "充钱"),
    ("卡蒙", "卡盟"),
    ("卡萌", "卡盟"),
    ("发卡忘", "发卡网"),
    ("发卡王", "发卡网"),
    ("激火码", "激活码"),
    ("cd key", "cdk"),
    ("cdkey", "cdk"),
    ("q币", "qb"),
    ("扣币", "qb"),
    ("俺", "我"),
    ("滴", "的"),
    ("嘛", "吗"),
)
_SYN_RE = re.compile("|".join(re.escape(a) for a, _ in _SYNONYMS))
_SYN_MAP = dict(_SYNONYMS)
_RUN_RE = re.compile(r"[a-z0-9]+|[^\sa-z0-9]+")


def canonical(normalized: str) -> str:
    """把口语/错字替换成统一写法（输入须已归一化）。"""
    return _SYN_RE.sub(lambda m: _SYN_MAP[m.group()], normalized)


def grams(text: str) -> list[str]:
    """特征：英文/数字整词，中文连续段的双字组（单字段取单字）。"""
    out: list[str] = []
    for match in _RUN_RE.finditer(text):
        run = match.group()
        if run.isascii() or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out

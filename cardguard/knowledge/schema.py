"""知识条目的数据结构与校验规则。"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_QUESTION = 120
MAX_ANSWER = 1500

Kind = Literal["faq", "risk"]


class Entry(BaseModel):
    """一条可匹配的知识：FAQ 或风险点。只有 id/question/answer 必填。"""

    # defer_build：校验器第一次校验时才建（约 5 毫秒）。重启时条目和规则都从缓存读出，根本用不到它。
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )

    id: str = Field(description="稳定的 kebab-case 标识")
    question: str = Field(min_length=2, max_length=MAX_QUESTION)
    aliases: tuple[str, ...] = Field(
        default=(), description="其他问法（可选；发布的问法在 phrasings/ 里）"
    )
    answer: str = Field(min_length=2, max_length=MAX_ANSWER)
    keywords: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str | None = None
    title: str | None = None
    signs: tuple[str, ...] = ()
    kind: Kind = "faq"
    scope: str | None = Field(default=None, description="None 为全局；否则为群号字符串")

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("id 只能用小写字母、数字和连字符（kebab-case），例如 paid-no-delivery")
        return value

    @field_validator("aliases", "keywords", "tags", "related", "signs")
    @classmethod
    def _check_strings(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(v.strip() for v in value)
        if any(not v for v in cleaned):
            raise ValueError("列表里有空字符串")
        return cleaned

    def model_post_init(self, context: Any, /) -> None:
        """同一组“给出了哪些字段”的条目共用一个集合（每条各存一个要 700 多字节，条目多时很占内存）。

        条目是冻结的，这个集合只会被复制（model_copy）而不会被原地修改，所以共用是安全的。
        """
        object.__setattr__(self, "__pydantic_fields_set__", _shared(self.__pydantic_fields_set__))

    @property
    def phrasings(self) -> tuple[str, ...]:
        """用于匹配的全部问法：标题、问题、别名。"""
        head = (self.title,) if self.title else ()
        return (*head, self.question, *self.aliases)


_FIELD_SETS: dict[frozenset[str], set[str]] = {}


def _shared(fields: set[str]) -> set[str]:
    key = frozenset(fields)
    found = _FIELD_SETS.get(key)
    if found is None:
        found = _FIELD_SETS.setdefault(key, set(key))
    return found


class RiskEntry(Entry):
    """风险点：比 FAQ 多一个标题和具体的警示信号。"""

    title: str = Field(min_length=2, max_length=60)
    signs: tuple[str, ...] = Field(min_length=1)
    kind: Kind = "risk"

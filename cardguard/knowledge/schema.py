"""知识条目的数据结构与校验规则。"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_QUESTION = 120
MAX_ANSWER = 1500

Kind = Literal["faq", "risk"]


class Entry(BaseModel):
    """一条可匹配的知识：FAQ 或风险点。只有 id/question/aliases/answer 必填。"""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(description="稳定的 kebab-case 标识")
    question: str = Field(min_length=2, max_length=MAX_QUESTION)
    aliases: tuple[str, ...] = Field(description="其他问法")
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

    @property
    def phrasings(self) -> tuple[str, ...]:
        """用于匹配的全部问法：标题、问题、别名。"""
        head = (self.title,) if self.title else ()
        return (*head, self.question, *self.aliases)


class RiskEntry(Entry):
    """风险点：比 FAQ 多一个标题和具体的警示信号。"""

    title: str = Field(min_length=2, max_length=60)  # type: ignore[assignment]
    signs: tuple[str, ...] = Field(min_length=1)
    kind: Kind = "risk"

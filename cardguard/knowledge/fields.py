"""链接规则文件（domains.yaml、shops.yaml）共用的字段类型和报错工具。

字段写错时，`problems_from` 把 pydantic 的错误变成一条条带 文件:行号 和条目名的 `Problem`。
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from .errors import Problem, describe_error
from .yamlio import locate

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_RISK_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_name(value: str) -> str:
    """域名/后缀写法检查：小写、无协议、无路径，每段合法；中文域名转成 punycode。"""
    name = value.strip().lower().rstrip(".")
    if "://" in name or "/" in name or " " in name:
        raise ValueError(f"“{value}” 不是域名：不要写协议、路径或空格")
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"“{value}” 不是合法的国际化域名") from exc
    if not all(_LABEL_RE.match(label) for label in name.split(".")):
        raise ValueError(f"“{value}” 不是合法域名（每段只能有字母、数字、连字符）")
    return name


def _check_word(value: str) -> str:
    word = value.strip()
    if not word:
        raise ValueError("空字符串")
    return word


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"正则表达式写错了：{exc}") from exc
    return value


def _check_path_regex(value: str) -> str:
    """网址特征只从路径开头匹配（以 ^ 开头），免得一条规则在长路径中间到处试。"""
    _check_regex(value)
    if not value.startswith("^"):
        raise ValueError("路径特征要以 ^ 开头（从路径开头匹配）")
    return value


def _check_risk(value: str) -> str:
    if not _RISK_ID_RE.match(value):
        raise ValueError(f"风险 id “{value}” 只能用小写字母、数字和连字符")
    return value


def _check_token(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]{2,}", value):
        raise ValueError(f"发卡词 “{value}” 只能是 2 个以上的小写字母/数字")
    return value


Name = Annotated[str, AfterValidator(check_name)]
Token = Annotated[str, AfterValidator(_check_token)]
Word = Annotated[str, AfterValidator(_check_word)]
Pattern = Annotated[str, AfterValidator(_check_regex)]
PathPattern = Annotated[str, AfterValidator(_check_path_regex)]
RiskId = Annotated[str, AfterValidator(_check_risk)]
Weight = Annotated[int, Field(ge=0, le=100)]


class Strict(BaseModel):
    """规则文件里的结构：不认识的字段报错，值只读。"""

    # defer_build：校验器第一次校验时才建（约 5 毫秒）。重启时条目和规则都从缓存读出，根本用不到它。
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


def problems_from(exc: ValidationError, path: Path, data: Any) -> list[Problem]:
    """pydantic 的每条错误 → 一条带 文件:行号 和条目名的问题。"""
    return [_problem(path, data, err) for err in exc.errors()]


def _problem(path: Path, data: Any, err: Any) -> Problem:
    loc = [p for p in err["loc"] if isinstance(p, str | int)]
    keys = _yaml_keys(data, loc)
    return Problem(str(path), locate(path, keys), _label(data, keys), describe_error(err))


def _yaml_keys(data: Any, loc: list[str | int]) -> list[str | int]:
    """pydantic 的错误位置里可能夹着 "[key]" 之类的内部名字；只保留 YAML 里真实存在的键。"""
    keys: list[str | int] = []
    node = data
    for key in loc:
        if _has(node, key):
            node = node[key]
            keys.append(key)
    return keys


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)


def _label(data: Any, keys: list[str | int]) -> str | None:
    """出错条目的名字：到第一个列表下标（或映射里的键）为止的路径，再加上条目本身的名字。"""
    if len(keys) < 2:
        return None
    node, path = data, ""
    for depth, key in enumerate(keys):
        node = node[key]
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
        if isinstance(key, int) or depth == len(keys) - 1:
            break
    name = _item_name(node)
    return f"{path} {name}" if name else path


def _item_name(item: Any) -> str | None:
    if isinstance(item, dict):
        keys = ("host", "domain", "system", "name")
        return next((str(item[k]) for k in keys if item.get(k)), None)
    return item if isinstance(item, str) else None

"""knowledge/page_markers.yaml：发卡系统在网页上露出的特征（页面探测用）的结构、校验和匹配。

每个系统有若干特征：在哪个区域（见 `pagezones.ZONES`）找什么正则、值多少分、怎么用中文说。
同一系统命中的特征分数相加（每条只算一次），达到 `threshold`、并且至少有一条不是
“可引用”（quotable）的特征时才算认出——教程、新闻、反诈文章可以提到项目地址、
“Powered by 某某”、程序名，但不会真的加载那套程序的资源、带它的下单表单。
加到链接分数上的分是这个和，最多 `max_add`。出错时抛 `KnowledgeError`，每条问题带 文件:行号。
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..knowledge.errors import KnowledgeError, Problem
from ..knowledge.fields import Pattern
from ..knowledge.loader import default_knowledge_dir, describe_error
from ..knowledge.yamlio import load_yaml, locate
from .pagezones import LIST_ZONES, ZONES, PageZones, split_page

log = logging.getLogger("cardguard.links")

MARKERS_FILE = "page_markers.yaml"
SystemKind = Literal["software", "platform", "gateway", "generic"]

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _check_zone(value: str) -> str:
    if value not in ZONES:
        raise ValueError(f"未知区域 {value}；可用：{', '.join(ZONES)}")
    return value


def _check_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(f"id “{value}” 只能用小写字母、数字和连字符")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


class MarkerModel(_Strict):
    """一条页面特征。"""

    zone: Annotated[str, AfterValidator(_check_zone)]
    pattern: Annotated[Pattern, Field(min_length=1, max_length=300)]
    weight: Annotated[int, Field(ge=1, le=100)]
    says: Annotated[str, Field(min_length=2, max_length=60)]
    quotable: bool = False


class SystemModel(_Strict):
    """一个发卡系统 / 平台 / 支付网关的页面特征。"""

    id: Annotated[str, AfterValidator(_check_id)]
    name: Annotated[str, Field(min_length=1, max_length=30)]
    kind: SystemKind
    source: Annotated[str, Field(min_length=10, max_length=400)]
    markers: Annotated[list[MarkerModel], Field(min_length=1, max_length=60)]


class MarkersFile(_Strict):
    """整个 page_markers.yaml。"""

    version: Literal[1]
    threshold: Annotated[int, Field(ge=10, le=100)]
    max_add: Annotated[int, Field(ge=10, le=100)]
    systems: Annotated[list[SystemModel], Field(min_length=1)]


@dataclass(frozen=True)
class Marker:
    """编译好的一条特征。"""

    zone: str
    regex: re.Pattern[str]
    weight: int
    says: str
    quotable: bool = False


@dataclass(frozen=True)
class System:
    """编译好的一个系统。"""

    id: str
    name: str
    kind: str
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class Recognition:
    """认出的结果：哪个系统、总分、命中的特征（中文，按分数从高到低）。"""

    system: System
    score: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class PageMarkers:
    """整套页面特征；`recognise(page)` 在工作线程里调用（纯 CPU，几毫秒）。"""

    threshold: int
    max_add: int
    systems: tuple[System, ...]
    source: str = ""

    def recognise(self, page: str | PageZones) -> Recognition | None:
        """认出这页是哪个系统；哪个都不够分时返回 None。分数相同取文件里靠前的。"""
        zones = page if isinstance(page, PageZones) else split_page(page)
        best: Recognition | None = None
        for system in self.systems:
            hits = [m for m in system.markers if m.regex.search(zones.zone(m.zone))]
            if not hits:
                continue
            hits.sort(key=lambda m: -m.weight)
            score = min(100, sum(m.weight for m in hits))
            if score < self.threshold or all(m.quotable for m in hits):
                continue  # 分不够，或者全是文章里也可能出现的“提到”
            if best is None or score > best.score:
                says = tuple(dict.fromkeys(m.says for m in hits))
                best = Recognition(system, score, says)
        return best


def parse_page_markers(data: Any, path: Path) -> PageMarkers:
    """校验 page_markers.yaml 的数据并编译；有问题时抛出 `KnowledgeError`（每条问题一行）。"""
    name = str(path)
    if not isinstance(data, dict):
        raise KnowledgeError([Problem(name, locate(path, []), None, "顶层必须是映射")])
    try:
        model = MarkersFile.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError([_problem(path, data, err) for err in exc.errors()]) from None
    problems = _duplicates(model, path)
    if problems:
        raise KnowledgeError(problems)
    systems = tuple(
        System(
            s.id,
            s.name,
            s.kind,
            tuple(
                Marker(m.zone, _compile(m.zone, m.pattern), m.weight, m.says, m.quotable)
                for m in s.markers
            ),
        )
        for s in model.systems
    )
    return PageMarkers(model.threshold, model.max_add, systems, name)


def _compile(zone: str, pattern: str) -> re.Pattern[str]:
    """一行一项的区域按行匹配：^ 和 $ 指每一行的开头和结尾。"""
    return re.compile(pattern, re.MULTILINE if zone in LIST_ZONES else 0)


def load_page_markers(directory: Path | None = None) -> PageMarkers:
    """读取并校验知识目录里的 page_markers.yaml（目录里没有时用随程序发布的那份）。

    出错抛 `KnowledgeError`；调用方应当保留上一份好的结果继续用。
    """
    path = markers_path(directory)
    stat = path.stat()
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


def markers_path(directory: Path | None = None) -> Path:
    """特征文件的位置：`directory` 里有就用它，否则用随程序发布的。"""
    if directory is not None and (directory / MARKERS_FILE).exists():
        return directory / MARKERS_FILE
    return default_knowledge_dir() / MARKERS_FILE


_last_good: dict[str, PageMarkers] = {}
_reported: set[tuple[str, int]] = set()


def current_page_markers(directory: Path | None = None) -> PageMarkers | None:
    """现在该用的特征：文件好就用它；文件改坏了就记一次 文件:行号 的错误，继续用上一份好的。

    从没成功读过（例如启动时文件就是坏的）时返回 None，这时页面探测只下载不认系统。
    """
    path = markers_path(directory)
    key = str(path)
    try:
        markers = load_page_markers(directory)
    except KnowledgeError as exc:
        stamp = (key, _mtime(path))
        if stamp not in _reported:
            _reported.add(stamp)
            for problem in exc.problems:
                log.error("页面特征文件有错，继续用上一份：%s", problem)
        return _last_good.get(key)
    except OSError as exc:
        log.error("页面特征文件读不了，继续用上一份：%s：%s", key, exc)
        return _last_good.get(key)
    _last_good[key] = markers
    return markers


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=4)
def _load_cached(path: str, _mtime: int, _size: int) -> PageMarkers:
    return parse_page_markers(load_yaml(Path(path)), Path(path))


def _problem(path: Path, data: Any, err: Any) -> Problem:
    loc = [p for p in err["loc"] if isinstance(p, str | int)]
    keys: list[str | int] = []
    node = data
    for key in loc:
        if not _has(node, key):
            break
        node = node[key]
        keys.append(key)
    return Problem(str(path), locate(path, keys), _label(data, keys), describe_error(err))


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)


def _label(data: Any, keys: list[str | int]) -> str | None:
    """出错的系统 id（如果错在某个系统里面）。"""
    if len(keys) >= 2 and keys[0] == "systems" and isinstance(keys[1], int):
        system = data["systems"][keys[1]]
        if isinstance(system, dict) and system.get("id"):
            return str(system["id"])
    return None


def _duplicates(model: MarkersFile, path: Path) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, system in enumerate(model.systems):
        if system.id in seen:
            line = locate(path, ["systems", index, "id"])
            problems.append(Problem(str(path), line, system.id, f"id 重复：{system.id}"))
        seen.add(system.id)
    return problems

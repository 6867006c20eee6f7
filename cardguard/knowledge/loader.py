"""加载并校验 knowledge/ 目录：要么全部成功，要么给出逐行的错误，绝不加载一半。"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, cast

from pydantic import ValidationError

from .cache import DerivedCache, code_version, file_stamp, make_key
from .chatter import CHATTER_FILE, load_chatter
from .domains import DomainRules, read_rules
from .errors import KnowledgeError, Problem, describe_error
from .phrasings import attach_phrasings, phrasing_files
from .schema import Entry, RiskEntry
from .shops import SHOPS_FILE
from .yamlio import load_yaml, locate

FAQ_FILE = "faq.yaml"
RISK_FILE = "risks.yaml"
DOMAINS_FILE = "domains.yaml"


def _shipped_dir() -> Path:
    """随程序发布的知识：在仓库里（含 pip install -e）是仓库的 knowledge/；
    装成 wheel（插件装进别人的机器人）时是包里的 cardguard/shipped/。"""
    repo = Path(__file__).resolve().parents[2] / "knowledge"
    return repo if (repo / FAQ_FILE).is_file() else Path(__file__).resolve().parents[1] / "shipped"


DEFAULT_DIR = _shipped_dir()
T = TypeVar("T")


@dataclass(frozen=True)
class Knowledge:
    """一份已校验的知识：条目（FAQ 与风险点）和链接规则。"""

    entries: tuple[Entry, ...]
    domains: DomainRules | None = None
    directory: Path | None = None
    chatter: tuple[str, ...] = ()  # 不该接话的群聊例句（chatter.yaml），话题判断用
    by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {e.id: e for e in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        """按 id 取条目。"""
        return self.by_id.get(entry_id)


def default_knowledge_dir() -> Path:
    """随程序发布的 knowledge/ 目录。"""
    return DEFAULT_DIR


def load_knowledge(directory: Path | None = None, *, cache_dir: Path | None = None) -> Knowledge:
    """加载 faq.yaml、risks.yaml（和 domains.yaml）；有任何问题就抛出 `KnowledgeError`。

    给了 `cache_dir` 时，校验过的条目、编译好的链接规则和闲聊例句存进那里（键是源文件的路径、
    大小、mtime_ns 和代码版本）；文件没变就直接读缓存，跳过 YAML 解析、校验和编译。
    """
    directory = directory or DEFAULT_DIR
    problems: list[Problem] = []
    entries = _cached(
        cache_dir,
        ENTRIES_CACHE,
        lambda: _entries_key(directory),
        lambda: _read_entries(directory, problems),
        problems,
    )
    domains_path = _rules_path(directory, DOMAINS_FILE)
    shops_path = _rules_path(directory, SHOPS_FILE)
    domains = (
        _cached(
            cache_dir,
            DOMAINS_CACHE,
            lambda: _domains_key(domains_path, shops_path),
            lambda: _read_domains(domains_path, shops_path, problems),
            problems,
        )
        if domains_path is not None
        else None
    )
    chatter = _cached(
        cache_dir,
        CHATTER_CACHE,
        lambda: _chatter_key(directory),
        lambda: load_chatter(directory, problems),
        problems,
    )
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(entries, domains, directory, chatter)


def _cached(
    cache_dir: Path | None,
    name: str,
    key: Callable[[], str],
    compute: Callable[[], T],
    problems: list[Problem],
) -> T:
    """有缓存读缓存，否则 `compute()`；算的时候没出问题、源文件也没变过，才写缓存。"""
    if cache_dir is None:
        return compute()
    cache = DerivedCache(cache_dir, name)
    before = key()
    cached = cache.get(before)
    if cached is not None:
        return cast(T, cached)
    seen = len(problems)
    value = compute()
    if len(problems) == seen and key() == before:
        cache.put(before, value)
    return value


def _read_entries(directory: Path, problems: list[Problem]) -> tuple[Entry, ...]:
    entries: list[Entry] = []
    for name, model in ((FAQ_FILE, Entry), (RISK_FILE, RiskEntry)):
        path = directory / name
        if not path.exists():
            if name == FAQ_FILE:
                problems.append(Problem(str(path), None, None, "文件不存在"))
            continue
        try:
            got, bad = parse_entries(load_yaml(path), path, model, consume=True)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            continue
        entries.extend(got)
        problems.extend(bad)
    # 有文件读不了、或有条目没通过校验时，不再报“related 指向不存在的条目”：指向的多半就是那些没读进来的
    problems.extend(check_references(entries, directory, related=not problems))
    return tuple(attach_phrasings(entries, directory, problems))


ENTRIES_CACHE = "entries"
DOMAINS_CACHE = "domains"
CHATTER_CACHE = "chatter"


def _entries_key(directory: Path) -> str:
    """条目缓存的键：faq.yaml、risks.yaml 和每个问法文件的身份 + 解析/校验代码的版本。"""
    paths = (directory / FAQ_FILE, directory / RISK_FILE, *phrasing_files(directory))
    return make_key(_code_version(), *map(file_stamp, paths))


@lru_cache(maxsize=1)
def _code_version() -> str:
    from . import cache as cache_module
    from . import errors, phrasings, schema, yamlio

    modules = (sys.modules[__name__], schema, yamlio, errors, cache_module, phrasings)
    return code_version(modules)


def _rules_path(directory: Path, name: str) -> Path | None:
    """链接规则文件；目录里没有时用随程序发布的那份（官方网站放行名单、发卡系统特征等）。"""
    for path in (directory / name, DEFAULT_DIR / name):
        if path.exists():
            return path
    return None


def _domains_key(path: Path, shops: Path | None) -> str:
    """链接规则缓存的键：两个文件的身份 + 校验/编译代码（含 fold 用的 text 模块）的版本。"""
    from .. import text
    from . import domains, fields, regex
    from . import shops as shops_module

    stamps = (file_stamp(path), file_stamp(shops) if shops is not None else "-")
    return make_key(_code_version_with(domains, shops_module, fields, text, regex), *stamps)


def _chatter_key(directory: Path) -> str:
    """闲聊例句缓存的键：文件身份 + 读取/校验代码的版本。"""
    from . import chatter

    return make_key(_code_version_with(chatter), file_stamp(directory / CHATTER_FILE))


@lru_cache(maxsize=4)
def _code_version_with(*modules: ModuleType) -> str:
    """条目代码的版本再加上 `modules` 的源代码：每个进程每组模块只读一次源文件。"""
    return make_key(_code_version(), code_version(modules))


def _read_domains(path: Path, shops: Path | None, problems: list[Problem]) -> DomainRules | None:
    try:
        return read_rules(path, shops)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
        return None


def parse_entries(
    data: Any, path: Path, model: type[Entry] = Entry, *, consume: bool = False
) -> tuple[list[Entry], list[Problem]]:
    """把 YAML 数据校验成条目；返回（好的条目，问题列表）。

    `consume=True` 时边校验边丢掉 `data` 里已处理的原始条目，加载大知识时内存峰值低一些。
    """
    name = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        line = locate(path, []) if data is not None else 1  # 空文件或只有注释：指向第 1 行
        return [], [Problem(name, line, None, "顶层必须是映射，并有一个列表键 entries")]
    good: list[Entry] = []
    problems: list[Problem] = []
    items = data["entries"]
    for index, raw in enumerate(items):
        if consume:
            items[index] = None
        entry, problem = _parse_one(raw, index, path, model)
        if entry is not None:
            good.append(entry)
        if problem is not None:
            problems.append(problem)
    return good, problems


def _parse_one(
    raw: Any, index: int, path: Path, model: type[Entry]
) -> tuple[Entry | None, Problem | None]:
    label = raw.get("id") if isinstance(raw, dict) else None
    label = str(label) if label else f"第 {index + 1} 条"
    if not isinstance(raw, dict):
        line = locate(path, ["entries", index])
        return None, Problem(
            str(path), line, label, "条目必须是映射（id/question/answer，可选 aliases 等）"
        )
    try:
        return model.model_validate(raw), None
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if isinstance(p, str | int)]
        line = locate(path, ["entries", index, *loc[:1]])
        return None, Problem(str(path), line, label, describe_error(err))


def check_references(
    entries: Sequence[Entry], directory: Path, *, related: bool = True
) -> list[Problem]:
    """跨文件检查：id 不重复；`related` 时再查 related 指向存在的条目。"""
    problems: list[Problem] = []
    ids: set[str] = set()
    # 同一文件（同 kind）里第几次出现，用来找到重复的那一行。
    occurrences: Counter[tuple[str, str]] = Counter()
    for entry in entries:
        key = (entry.id, entry.kind)
        if entry.id in ids:
            message = f"id 重复：{entry.id}"
            problems.append(_entry_problem(directory, entry, message, occurrences[key]))
        occurrences[key] += 1
        ids.add(entry.id)
    for entry in entries if related else ():
        missing = [r for r in entry.related if r not in ids]
        if missing:
            text = f"related 指向不存在的条目：{', '.join(missing)}"
            problems.append(_entry_problem(directory, entry, text))
    return problems


def _entry_problem(directory: Path, entry: Entry, message: str, occurrence: int = 0) -> Problem:
    path = directory / (RISK_FILE if entry.kind == "risk" else FAQ_FILE)
    return Problem(str(path), _find_entry_line(path, entry.id, occurrence), entry.id, message)


def _find_entry_line(path: Path, entry_id: str, occurrence: int = 0) -> int | None:
    """第 occurrence 次（从 0 起）出现该 id 的行号。"""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, 1):
        stripped = line.strip().removeprefix("- ").strip()
        if stripped.startswith("id:") and stripped[3:].strip().strip("'\"") == entry_id:
            if occurrence == 0:
                return number
            occurrence -= 1
    return None


def validate(directory: Path | None = None) -> list[Problem]:
    """校验一个知识目录，返回问题列表（空表示通过）。"""
    try:
        load_knowledge(directory)
    except KnowledgeError as exc:
        return exc.problems
    return []


def merge_entries(
    base: Iterable[Entry], overlay: Iterable[Entry], removed: set[str]
) -> list[Entry]:
    """管理员覆盖层合并到发布的知识上：同 id 同作用域替换，removed 中的 id 去掉。"""
    merged: dict[tuple[str, str | None], Entry] = {}
    for entry in (*base, *overlay):
        merged[(entry.id, entry.scope)] = entry
    return [e for (eid, _), e in merged.items() if eid not in removed]

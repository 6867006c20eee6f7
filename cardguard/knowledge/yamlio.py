"""YAML 读写：快速加载（C 加速），出错时再定位行号。

加载分两条路：libyaml（C）逐个给出事件，`_EventBuilder` 直接由事件搭出 dict/list/str，
不经过 PyYAML 慢的节点树（10k 条的知识文件快 5 倍以上）；遇到锚点、别名、显式标签、合并键
等少见写法就整份交给标准的 `yaml.load(CSafeLoader)`，所以结果和它完全一样。
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeError, Problem

try:  # C 加速的加载器；没有编译 libyaml 时退回纯 Python 版本
    _Loader: type = yaml.CSafeLoader
    _Dumper: type = yaml.CSafeDumper
    _FAST = True
except AttributeError:  # pragma: no cover - 取决于安装方式
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper
    _FAST = False

PathKey = str | int


def load_yaml(path: Path, *, display: str | None = None) -> Any:
    """读取一个 YAML 文件；语法错误变成带行号的 `KnowledgeError`。"""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError([Problem(name, None, None, f"无法读取：{exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        raise KnowledgeError([Problem(name, None, None, "不是 UTF-8 编码")]) from exc
    try:
        return parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        line, reason = explain_yaml_error(exc)
        raise KnowledgeError([Problem(name, line, None, f"YAML 写法有误：{reason}")]) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = f" U+{exc.character:04X}" if isinstance(exc.character, int) else ""
        reason = f"YAML 不允许的字符{char}（控制字符，多半是复制粘贴带进来的）"
        raise KnowledgeError([Problem(name, line, None, reason)]) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(name, None, None, f"YAML 错误：{exc}")]) from exc


_OPENED = {
    "while parsing a flow sequence": "方括号 [ 没有配对的 ]（或者列表项之间少了逗号）",
    "while parsing a flow mapping": "花括号 { 没有配对的 }（或者各项之间少了逗号）",
    "while scanning a quoted scalar": "引号没有配对：这里开始的引号一直没有结束",
    "while scanning a block scalar": "多行文字（| 或 >）的缩进不对",
}
_PROBLEMS = (
    ("mapping values are not allowed", "这里不能有冒号：值里有英文冒号时整个值要加引号"),
    ("could not find expected ':'", "少了冒号：每一项要写成 键: 值"),
    ("that cannot start any token", "用了 Tab 缩进：YAML 只能用空格缩进"),
    ("did not find expected key", "缩进不对，或者少了冒号（找不到下一个键）"),
    ("expected <block end>", "缩进不对：这一行和上面同一级的行没有对齐"),
    ("did not find expected '-' indicator", "列表的缩进不对：每一项的 - 要对齐"),
    ("found duplicate anchor", "锚点重复"),
    ("found undefined alias", "用了没有定义的别名（*名字）"),
)


def explain_yaml_error(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """PyYAML 的错误 →（该去看的行，中文说明）。

    括号、引号没配对时，PyYAML 往往在很多行以后才发现；这里报开始的那一行，并注明在哪一行发现的。
    """
    problem, context = exc.problem or "", exc.context or ""
    found = exc.problem_mark.line + 1 if exc.problem_mark else None
    opened = exc.context_mark.line + 1 if exc.context_mark else None
    if context in _OPENED and opened is not None:
        where = (
            f"（从第 {opened} 行开始，到第 {found} 行才发现）" if found and found != opened else ""
        )
        return opened, _OPENED[context] + where
    for needle, chinese in _PROBLEMS:
        if needle in problem:
            return found or opened, chinese
    return found or opened, f"{problem or context or exc}（YAML 原文说明）"


def parse_yaml(text: str) -> Any:
    """解析一份 YAML 文本，结果与 `yaml.load(text, Loader=CSafeLoader)` 相同，只是更快。"""
    if _FAST:
        try:
            return _EventBuilder(text).build()
        except (_NeedFullLoader, yaml.YAMLError):
            pass  # 少见写法或语法错误：交给标准加载器（它给出同样的结果或同样的异常）
    return yaml.load(text, Loader=_Loader)


class _NeedFullLoader(Exception):
    """事件流里有快路径不处理的写法。"""


_STR_TAG = "tag:yaml.org,2002:str"
# 隐式解析出这些类型时交给 SafeConstructor 构造（与标准加载器同一段代码）。
_PLAIN_TYPES = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float", "null", "timestamp")
)


class _EventBuilder:
    """由 libyaml 的事件直接搭出 Python 对象；只处理无锚点、无标签的普通写法。"""

    def __init__(self, text: str) -> None:
        self._parser = _Loader(text)
        self._resolvers: dict[Any, list[tuple[str, Any]]] = _Loader.yaml_implicit_resolvers  # type: ignore[attr-defined]
        self._wild = self._resolvers.get(None, [])
        self._constructor = yaml.constructor.SafeConstructor()

    def build(self) -> Any:
        """整份文档的值；空文档为 None。"""
        parser = self._parser
        try:
            parser.get_event()  # StreamStart
            if parser.check_event(yaml.StreamEndEvent):
                return None
            parser.get_event()  # DocumentStart
            value = self._value(parser.get_event())
            parser.get_event()  # DocumentEnd
            if not parser.check_event(yaml.StreamEndEvent):
                raise _NeedFullLoader("多个文档")
            return value
        finally:
            parser.dispose()

    def _value(self, event: Any) -> Any:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            return self._scalar(event)
        if kind is yaml.AliasEvent or event.anchor is not None or event.tag is not None:
            raise _NeedFullLoader("锚点、别名或显式标签")
        if kind is yaml.MappingStartEvent:
            return self._mapping()
        if kind is yaml.SequenceStartEvent:
            return self._sequence()
        raise _NeedFullLoader(kind.__name__)  # pragma: no cover - 合法事件流里不会出现

    def _scalar(self, event: Any) -> Any:
        if event.anchor is not None or event.tag is not None:
            raise _NeedFullLoader("锚点或显式标签")
        value: str = event.value
        if not event.implicit[0]:
            return value  # 引号里的字符串
        tag = self._resolve(value)
        if tag == _STR_TAG:
            return value
        if tag not in _PLAIN_TYPES:
            raise _NeedFullLoader(tag)  # 合并键 << 、= 等
        node = yaml.ScalarNode(tag, value)
        return self._constructor.yaml_constructors[tag](self._constructor, node)

    def _resolve(self, value: str) -> str:
        """与 `BaseResolver.resolve` 对普通标量的处理相同。"""
        resolvers = self._resolvers.get(value[0] if value else "", [])
        for tag, regexp in (*resolvers, *self._wild):
            if regexp.match(value):
                return str(tag)
        return _STR_TAG

    def _mapping(self) -> dict[Any, Any]:
        get = self._parser.get_event
        out: dict[Any, Any] = {}
        while True:
            event = get()
            if type(event) is yaml.MappingEndEvent:
                return out
            if type(event) is not yaml.ScalarEvent:
                raise _NeedFullLoader("非标量的键")
            key = self._scalar(event)
            out[key] = self._value(get())

    def _sequence(self) -> list[Any]:
        get = self._parser.get_event
        out: list[Any] = []
        while True:
            event = get()
            if type(event) is yaml.SequenceEndEvent:
                return out
            out.append(self._value(event))


def locate(path: Path, keys: Sequence[PathKey]) -> int | None:
    """返回 `keys` 指向的节点在文件中的行号（从 1 起）；只在报错时调用。"""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        child = _child(node, key)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def locate_items(path: Path, keys: Sequence[PathKey]) -> list[int]:
    """`keys` 指向的列表里每一项的行号（从 1 起）；只读一遍文件（标注集每条都要行号时用它）。"""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    for key in keys:
        node = _child(node, key)
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def _child(node: yaml.Node | None, key: PathKey) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v if isinstance(v, yaml.CollectionNode) else k
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def dump_yaml(data: Any) -> str:
    """把数据写成人能读的 YAML（保留中文、块文本）。"""
    return yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=120)


class _BlockDumper(_Dumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_presenter)


def write_atomic(path: Path, text: str) -> None:
    """原子写入：临时文件、fsync、rename，再 fsync 目录；崩溃时要么旧要么新。"""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = ""
        _fsync_dir(path.parent)
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - 某些平台不能打开目录
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)

"""YAML 读写：快速加载（C 加速），出错时再定位行号。"""

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
except AttributeError:  # pragma: no cover - 取决于安装方式
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper

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
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or str(exc)
        raise KnowledgeError([Problem(name, line, None, f"YAML 语法错误：{reason}")]) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(name, None, None, f"YAML 错误：{exc}")]) from exc


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


class _BlockDumper(_Dumper):  # type: ignore[misc, valid-type]
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

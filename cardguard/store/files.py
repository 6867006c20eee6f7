"""数据文件的安全读写：写前留 .bak，读坏了挪到一边并恢复 .bak，绝不悄悄丢数据。"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..knowledge import KnowledgeError, Problem
from ..knowledge.yamlio import load_yaml, write_atomic

log = logging.getLogger("cardguard.store")

T = TypeVar("T")
Parser = Callable[[Any, Path], T]


def backup_path(path: Path) -> Path:
    """上一版文件：`<file>.bak`。"""
    return path.with_name(path.name + ".bak")


def save_with_backup(path: Path, text: str) -> None:
    """先把当前版本留成 .bak，再原子写入新版本（两步都经 fsync）。"""
    if path.exists():
        _keep_backup(path)
    write_atomic(path, text)


def _keep_backup(path: Path) -> None:
    bak = backup_path(path)
    tmp = path.with_name(f".{path.name}.bak.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(path, tmp)  # 硬链接：不复制内容，旧 inode 留给 .bak
    except OSError:
        shutil.copyfile(path, tmp)
        _fsync_file(tmp)
    os.replace(tmp, bak)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """让目录里新建/改名的文件项落盘。"""
    try:
        _fsync_file(directory)
    except OSError as exc:  # pragma: no cover - 某些平台不能打开目录
        log.debug("目录 %s 无法 fsync：%r", directory, exc)


def remove_stale_temps(directory: Path, names: tuple[str, ...]) -> None:
    """删掉上次写到一半被杀时留下的临时文件（`.<文件名>.xxxx.tmp`，从未生效过）。"""
    for name in names:
        for stale in directory.glob(f".{name}.*tmp"):
            log.info("删除中断写入留下的临时文件 %s", stale.name)
            stale.unlink(missing_ok=True)


def move_aside(path: Path, now: float | None = None, label: str = "corrupt") -> Path:
    """把文件改名为 `<file>.<label>-<时间>`（坏了是 corrupt，被手工改过是 edited），原样保留供人查看。"""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now or time.time()))
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
    os.replace(path, target)
    return target


def parse_file(path: Path, parse: Parser[T]) -> T:
    """读取并解析一个 YAML 数据文件；任何问题都抛出 `KnowledgeError`。"""
    return parse(load_yaml(path), path)


def load_or_recover(
    path: Path, parse: Parser[T], empty: Callable[[], T], *, expect_content: bool = False
) -> tuple[T, list[str]]:
    """读取数据文件；坏了（包括上一版有内容、或审计日志里有改动，这一版却是空的）就挪到一边、
    恢复 .bak（也坏就从空开始），返回（数据，说明）。"""
    if not path.exists():
        return empty(), []
    try:
        raw = load_yaml(path)
        if raw is None and (expect_content or _has_content(backup_path(path))):
            raise KnowledgeError([Problem(str(path), 1, None, "文件是空的，上一版却有内容")])
        return parse(raw, path), []
    except KnowledgeError as exc:
        return _recover(path, parse, empty, exc.problems)


def _has_content(path: Path) -> bool:
    """文件存在并且不是空的（只有注释也算空）。机器人自己写的数据文件从来不是空的。"""
    if not path.exists():
        return False
    try:
        return load_yaml(path) is not None
    except KnowledgeError:
        return False


def _recover(
    path: Path, parse: Parser[T], empty: Callable[[], T], problems: list[Problem]
) -> tuple[T, list[str]]:
    aside = move_aside(path)
    detail = "；".join(str(p) for p in problems[:3])
    notes = [f"{path.name} 读不了（{detail}），已挪到 {aside.name}"]
    log.error("数据文件损坏：%s；已挪到 %s", detail, aside)
    bak = backup_path(path)
    if bak.exists():
        try:
            value = parse_file(bak, parse)
        except KnowledgeError as exc:
            log.error("备份 %s 也读不了：%s；从空开始", bak, exc)
            notes.append(f"{bak.name} 也读不了，从空开始")
            return empty(), notes
        write_atomic(path, bak.read_text(encoding="utf-8"))
        log.error("已用上一版 %s 恢复 %s", bak.name, path.name)
        notes.append(f"已用上一版 {bak.name} 恢复")
        return value, notes
    notes.append("没有上一版可恢复，从空开始")
    log.error("%s 没有 .bak，从空开始", path)
    return empty(), notes

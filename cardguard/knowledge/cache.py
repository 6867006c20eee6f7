"""派生数据缓存：已校验的条目、建好的索引，存成 pickle，下次启动直接读。

- 键由调用方给出，必须包含决定结果的一切：源文件的路径/大小/mtime_ns 或内容摘要，
  以及 `code_version()`（参与计算的源代码、Python 与依赖的版本、缓存格式号）。
- 读：文件不存在、读不出、格式不对、键对不上，一律当作没有缓存（返回 None），调用方重新算。
- 写：临时文件 + rename，原子替换；写失败只记一条日志，不影响运行。同名缓存只留最新的几份。
- 缓存目录和程序本身同样受信任（pickle 读入时会执行其中的构造代码），只放在机器人自己的缓存目录里。
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

logger = logging.getLogger(__name__)

FORMAT = 1
MAGIC = "cardguard-derived-cache"
KEEP = 2
_DISTRIBUTIONS = ("pydantic", "pyyaml", "opencc", "rapidfuzz", "pypinyin")


def code_version(modules: Iterable[ModuleType]) -> str:
    """这些模块的源文件、Python 与依赖版本、缓存格式号合成的摘要：代码一变，旧缓存就作废。"""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_environment().encode())
    for module in modules:
        source = getattr(module, "__file__", None)
        digest.update(module.__name__.encode())
        digest.update(Path(source).read_bytes() if source else b"?")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _environment() -> str:
    """缓存格式、Python、Unicode 数据与依赖的版本；进程里只查一次（每个包的元数据要扫一遍 sys.path）。"""
    parts = [MAGIC, str(FORMAT), sys.version, unicodedata.unidata_version]
    parts.extend(_dist_version(name) for name in _DISTRIBUTIONS)
    return "\0".join(parts)


def _dist_version(name: str) -> str:
    try:
        return f"{name}={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name}=?"


def file_stamp(path: Path) -> str:
    """一个源文件的身份：绝对路径、大小、修改时间（纳秒）；不存在时为 missing。"""
    try:
        stat = path.stat()
    except OSError:
        return f"{path.resolve()}:missing"
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def make_key(*parts: str) -> str:
    """把若干字符串合成一个缓存键（十六进制摘要）。"""
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=20).hexdigest()


class DerivedCache:
    """一个目录里某一类派生数据（`name`）的缓存文件。"""

    def __init__(self, directory: Path, name: str, keep: int = KEEP) -> None:
        self.directory = directory
        self.name = name
        self.keep = keep

    def path(self, key: str) -> Path:
        """键对应的缓存文件。"""
        return self.directory / f"{self.name}-{key}.pickle"

    def get(self, key: str) -> Any | None:
        """取缓存；没有、损坏或不匹配时返回 None。"""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            magic, stored_key, value = pickle.loads(data)
        except Exception as exc:  # 截断、损坏、旧格式：都当作没有
            logger.info("缓存 %s 读不出（%r），重新计算", path.name, exc)
            return None
        if magic != MAGIC or stored_key != key:
            return None
        return value

    def put(self, key: str, value: Any) -> None:
        """原子地写入缓存（失败不抛出），再删掉同类里较旧的文件。"""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            payload = pickle.dumps((MAGIC, key, value), protocol=pickle.HIGHEST_PROTOCOL)
            _write_atomic(self.path(key), payload)
        except (OSError, pickle.PicklingError) as exc:
            logger.warning("写缓存 %s 失败：%r", self.path(key), exc)
            return
        self._prune(key)

    def _prune(self, current: str) -> None:
        try:
            found = sorted(
                self.directory.glob(f"{self.name}-*.pickle"),
                key=lambda p: p.stat().st_mtime_ns,
                reverse=True,
            )
            for old in (p for p in found[self.keep :] if p != self.path(current)):
                old.unlink(missing_ok=True)
        except OSError as exc:
            logger.info("清理旧缓存失败：%r", exc)


def _write_atomic(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
        tmp = ""
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)

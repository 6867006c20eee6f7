"""在干净的进程里测一次知识加载：load_knowledge + 建 Matcher 的 CPU 时间、墙钟时间与峰值内存。

python -m bench.probe_load DIR [--cache CACHE_DIR] [--pure-yaml]；输出一行 JSON。

- 不给 --cache：冷启动（不用也不写派生数据缓存）。
- 给 --cache：和机器人一样把缓存放在 CACHE_DIR；目录里已有这份知识的缓存就是热启动，
  没有就是“第一次启动”（算完顺便写缓存）。输出里的 cache_files_before 说明是哪一种。
- --pure-yaml：基线，同样的文件用 PyYAML 的纯 Python `SafeLoader` 读一遍（最直接的读法）。
每种情况由调用方各起几个进程取中位数：同一进程里重复加载会沾上导入、正则编译等热身的光，
不是真实启动的样子。
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import yaml


def peak_rss_mb() -> float:
    """本进程的峰值常驻内存（Linux 的 VmHWM）。"""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cache_files(cache: Path | None) -> int:
    return len(list(cache.glob("*.pickle"))) if cache is not None and cache.is_dir() else 0


def load_once(directory: Path, cache: Path | None) -> dict[str, Any]:
    """一次加载（导入在计时之外：机器人启动时这些模块早已导入）。"""
    from cardguard.knowledge import load_knowledge
    from cardguard.knowledge.yamlio import _Loader
    from cardguard.matching import Matcher

    before = _cache_files(cache)
    rss_before = peak_rss_mb()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    knowledge = load_knowledge(directory, cache_dir=cache)
    cpu1 = time.process_time()
    matcher = Matcher(knowledge.entries, cache_dir=cache)
    cpu2, wall2 = time.process_time(), time.perf_counter()
    return {
        "entries": len(matcher.entries),
        "yaml_loader": getattr(_Loader, "__name__", str(_Loader)),
        "cache_files_before": before,
        "load_s": cpu1 - cpu0,
        "build_s": cpu2 - cpu1,
        "total_s": cpu2 - cpu0,
        "wall_s": wall2 - wall0,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    }


def pure_yaml(directory: Path) -> dict[str, Any]:
    """基线：PyYAML 纯 Python 加载器读全部 YAML 文件的 CPU 时间。"""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for path in sorted(directory.glob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return {"total_s": time.process_time() - cpu0, "wall_s": time.perf_counter() - wall0}


def main() -> None:
    """命令行入口：打印一行 JSON。"""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--pure-yaml", action="store_true")
    args = parser.parse_args()
    got = pure_yaml(args.directory) if args.pure_yaml else load_once(args.directory, args.cache)
    print(json.dumps(got))


if __name__ == "__main__":
    main()

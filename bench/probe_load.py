"""在干净的进程里测知识加载：load_knowledge + 建 Matcher 的耗时与峰值内存。

python -m bench.probe_load DIR [--repeats N]；输出一行 JSON。
基线：同样的文件用 PyYAML 的纯 Python 加载器 `yaml.load(..., SafeLoader)` 读一遍（最直接的读法）。
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path
from typing import Any

import yaml

from cardguard.knowledge import load_knowledge
from cardguard.knowledge.yamlio import _Loader
from cardguard.matching import Matcher


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


def _timed_load(directory: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    knowledge = load_knowledge(directory)
    loaded = time.perf_counter()
    matcher = Matcher(knowledge.entries)
    built = time.perf_counter()
    count = len(matcher.entries)
    del knowledge, matcher
    gc.collect()
    return loaded - start, built - loaded, count


def _pure_yaml(directory: Path) -> float:
    start = time.perf_counter()
    for path in sorted(directory.glob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return time.perf_counter() - start


def probe(directory: Path, repeats: int) -> dict[str, Any]:
    """第一次加载后记峰值内存，再重复计时取中位数。"""
    rss_before = peak_rss_mb()
    first = _timed_load(directory)
    rss_after = peak_rss_mb()
    runs = [first] + [_timed_load(directory) for _ in range(max(0, repeats - 1))]
    pure = [_pure_yaml(directory) for _ in range(max(1, repeats))]
    load_s = sorted(r[0] for r in runs)[len(runs) // 2]
    build_s = sorted(r[1] for r in runs)[len(runs) // 2]
    total = sorted(r[0] + r[1] for r in runs)[len(runs) // 2]
    return {
        "entries": first[2],
        "yaml_loader": getattr(_Loader, "__name__", str(_Loader)),
        "load_s": load_s,
        "build_s": build_s,
        "total_s": total,
        "total_runs_s": [round(r[0] + r[1], 4) for r in runs],
        "pure_yaml_s": sorted(pure)[len(pure) // 2],
        "rss_before_mb": rss_before,
        "peak_rss_mb": rss_after,
    }


def main() -> None:
    """命令行入口：打印一行 JSON。"""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(probe(args.directory, args.repeats)))


if __name__ == "__main__":
    main()

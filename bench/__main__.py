"""基准入口：python -m bench [--quick] [--out FILE] [--write-md]。

依次测：匹配（不同知识量）、链接识别、知识加载、插件对每条闲聊的额外开销、
端到端（真实 OneBot v11 WebSocket，bot.py 对比裸 NoneBot）、启动与内存。
打印表格，写 JSON；给了 --write-md 时同时更新 bench/LATEST.md。
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import e2e, linkscan, matching
from .linkscan import LinksUnavailable, ScanSettings
from .matching import MatchSettings, size_label
from .report import (
    INFO,
    Figure,
    format_markdown,
    format_table,
    value_max,
    write_json,
)
from .synth import real_entries, sized_entries, write_knowledge_dir

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"
LATEST_MD = ROOT / "bench" / "LATEST.md"
README = ROOT / "README.md"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def update_readme(readme: Path, markdown: str) -> None:
    """把完整运行的结果表放进 README 的 bench:start / bench:end 之间（只有完整运行才更新）。"""
    text = readme.read_text(encoding="utf-8")
    head, found, rest = text.partition(README_START)
    _, found_end, tail = rest.partition(README_END)
    if not (found and found_end):
        return
    body = markdown.split("\n", 1)[1].strip()  # 去掉 LATEST.md 自己的标题
    readme.write_text(f"{head}{README_START}\n{body}\n{README_END}{tail}", encoding="utf-8")


SECTIONS = ("matching", "links", "load", "plugins", "e2e")
logger = logging.getLogger("bench")


@dataclass(frozen=True)
class Plan:
    """一次运行的全部设置。"""

    match: MatchSettings
    scan: ScanSettings
    e2e: e2e.E2ESettings
    load_size: int
    load_repeats: int
    probe_repeats: int


FULL = Plan(MatchSettings(), ScanSettings(), e2e.E2ESettings(), 10_000, 3, 15)
QUICK = Plan(
    MatchSettings(sizes=(100, 1_000), sample=8, repeats=2, baseline_repeats=1),
    ScanSettings(repeats=2, inner=2),
    e2e.E2ESettings(runs=1, messages=150, warmup=40, rate=200.0, groups=40, startup_runs=3),
    1_000,
    1,
    2,
)


def _run_module(module: str, *args: str) -> dict[str, Any]:
    """在干净的子进程里跑一个探针模块，读它最后一行 JSON。"""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} 失败（退出码 {done.returncode}）：\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """按 total_s 取中位数的那一次。"""
    return sorted(runs, key=lambda r: r["total_s"])[len(runs) // 2]


def _load_runs(directory: Path, repeats: int, cache: Path | None) -> list[dict[str, Any]]:
    extra = ("--cache", str(cache)) if cache is not None else ()
    return [_run_module("bench.probe_load", str(directory), *extra) for _ in range(max(1, repeats))]


def _runtime_uses_cache() -> bool:
    """bot.py 启动时（插件的 runtime.py）是否把缓存目录交给了加载和建索引。"""
    path = ROOT / "plugins" / "nonebot_plugin_cardguard" / "runtime.py"
    try:
        return "cache_dir" in path.read_text(encoding="utf-8")
    except OSError:
        return False


def load_figures(directory: Path, size: int, repeats: int) -> list[Figure]:
    """知识加载耗时（目标 ≤ 1 秒）和加载后进程的峰值内存。

    每次都是一个新进程（和真实启动一样）。目标数字是“热启动”：缓存目录里已有这份知识的
    派生数据（机器人每次重启、知识没改时就是这样）；冷启动（第一次启动、改了知识之后、
    或没有缓存目录）记在 details 里，同样取中位数。
    """
    label = size_label(size)
    cold = _load_runs(directory, repeats, None)
    with tempfile.TemporaryDirectory(prefix="cardguard-bench-cache-") as tmp:
        cache = Path(tmp)
        first = _run_module("bench.probe_load", str(directory), "--cache", str(cache))
        warm = _load_runs(directory, repeats, cache)
    pure = _load_runs_pure(directory, repeats)
    warm_mid, cold_mid = _median_run(warm), _median_run(cold)
    details: dict[str, Any] = {
        "entries": warm_mid["entries"],
        "yaml_loader": warm_mid["yaml_loader"],
        "timing": "进程 CPU 时间（用户态+内核态）；墙钟时间见 *_wall_s",
        "warm_total_s": round(warm_mid["total_s"], 4),
        "warm_load_s": round(warm_mid["load_s"], 4),
        "warm_build_s": round(warm_mid["build_s"], 4),
        "warm_wall_s": round(warm_mid["wall_s"], 4),
        "warm_runs_s": [round(r["total_s"], 4) for r in warm],
        "warm_cache_hit": all(r["cache_files_before"] > 0 for r in warm),
        "cold_total_s": round(cold_mid["total_s"], 4),
        "cold_load_s": round(cold_mid["load_s"], 4),
        "cold_build_s": round(cold_mid["build_s"], 4),
        "cold_wall_s": round(cold_mid["wall_s"], 4),
        "cold_runs_s": [round(r["total_s"], 4) for r in cold],
        "cold_meets_target": cold_mid["total_s"] <= 1.0,
        "first_start_with_cache_write_s": round(first["total_s"], 4),
        "pure_yaml_runs_s": [round(r, 4) for r in pure],
        "bot_runtime_passes_cache_dir": _runtime_uses_cache(),
    }
    rss = {
        "cold_peak_rss_mb": round(cold_mid["peak_rss_mb"], 1),
        "warm_peak_rss_mb": round(warm_mid["peak_rss_mb"], 1),
        "rss_before_mb": round(cold_mid["rss_before_mb"], 1),
    }
    return [
        Figure(
            "load.knowledge_s",
            f"知识加载+建索引 @{label} 条（热启动，冷启动见 details）",
            "s",
            warm_mid["total_s"],
            sorted(pure)[len(pure) // 2],
            "PyYAML 纯 Python safe_load",
            value_max(1.0, "s"),
            details,
        ),
        Figure(
            "rss.load_mb",
            f"峰值内存 仅加载+建索引 @{label} 条（冷启动）",
            "MB",
            cold_mid["peak_rss_mb"],
            cold_mid["rss_before_mb"],
            "同进程加载前",
            INFO,
            rss,
        ),
    ]


def _load_runs_pure(directory: Path, repeats: int) -> list[float]:
    return [
        _run_module("bench.probe_load", str(directory), "--pure-yaml")["total_s"]
        for _ in range(max(1, repeats))
    ]


def plugin_figures(repeats: int) -> list[Figure]:
    """进程内：一条普通闲聊（无链接、旁听不开口）插件自己花多少，经 NoneBot 分发时一共多花多少。

    目标只管插件自己的规则（含旁听判断，≤ 60 µs，约裸 NoneBot 处理一条消息的 5%）；
    NoneBot 为一个响应器收的调度费是框架的，
    单独列出来（framework），端到端的总账由 e2e 的 ≤ 1.3× 目标来管。
    """
    got = _run_module("bench.plugin_probe", "--repeats", str(repeats))
    nonebot_matcher = got["framework_us"] - got["bare_us"]
    return [
        Figure(
            "plugins.fast_path_us",
            "插件规则 每条普通闲聊（含旁听判断）",
            "µs",
            got["own_us"],
            max(nonebot_matcher, 0.01),
            "NoneBot 一个空响应器的调度",
            value_max(60, "µs"),
            got,
        ),
        Figure(
            "plugins.chatter_us",
            "插件开销 每条普通闲聊（进程内，经 NoneBot）",
            "µs",
            got["bot_us"],
            got["framework_us"],
            "裸 NoneBot + 一个空响应器",
            INFO,
            got,
        ),
    ]


def _section(name: str, func: Callable[[], list[Figure]], skipped: dict[str, str]) -> list[Figure]:
    started = time.perf_counter()
    print(f"[bench] {name} …", file=sys.stderr, flush=True)
    try:
        figures = func()
    except LinksUnavailable as exc:
        skipped[name] = str(exc)
        print(f"[bench] 跳过 {name}：{exc}", file=sys.stderr, flush=True)
        return []
    print(f"[bench] {name} 用时 {time.perf_counter() - started:.1f} 秒", file=sys.stderr)
    return figures


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        logger.warning("读取 git 版本失败：%r", exc)
        return "unknown"
    return f"{head}{'+dirty' if dirty else ''}"


def run_all(plan: Plan, sections: tuple[str, ...], skipped: dict[str, str]) -> list[Figure]:
    """按顺序跑各部分；大知识目录只生成一次，结束时删除。"""
    figures: list[Figure] = []
    work = Path(tempfile.mkdtemp(prefix="cardguard-bench-"))
    try:
        big = work / "knowledge"
        write_knowledge_dir(sized_entries(real_entries(), plan.load_size), big)
        steps: dict[str, Callable[[], list[Figure]]] = {
            "matching": lambda: matching.run(plan.match),
            "links": lambda: linkscan.run(plan.scan),
            "load": lambda: load_figures(big, plan.load_size, plan.load_repeats),
            "plugins": lambda: plugin_figures(plan.probe_repeats),
            "e2e": lambda: e2e.run(plan.e2e, big, size_label(plan.load_size)),
        }
        for name in sections:
            figures.extend(_section(name, steps[name], skipped))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def _meta(
    args: argparse.Namespace,
    plan: Plan,
    started: float,
    skipped: dict[str, str],
    load_start: tuple[float, ...],
) -> dict[str, Any]:
    return {
        "command": "python -m bench " + shlex.join(sys.argv[1:]),
        "quick": args.quick,
        "commit": _git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "skipped": skipped,
        "settings": {
            "match": plan.match.__dict__,
            "scan": plan.scan.__dict__,
            "e2e": plan.e2e.__dict__,
            "load_size": plan.load_size,
        },
    }


def build_parser() -> argparse.ArgumentParser:
    """命令行参数。"""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="小规模、少重复（冒烟测试用）")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON 结果文件")
    parser.add_argument("--write-md", action="store_true", help="同时写 bench/LATEST.md")
    parser.add_argument("--md", type=Path, default=LATEST_MD, help=argparse.SUPPRESS)
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="只跑某几部分（可重复；默认全部）"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """运行基准并输出结果；有未达标的目标时返回 1。"""
    args = build_parser().parse_args(argv)
    plan = QUICK if args.quick else FULL
    started, load_start = time.perf_counter(), os.getloadavg()
    skipped: dict[str, str] = {}
    figures = run_all(plan, tuple(args.only or SECTIONS), skipped)
    meta = _meta(args, plan, started, skipped, load_start)
    print(format_table(figures))
    write_json(args.out, figures, meta)
    print(f"\nJSON：{args.out}", file=sys.stderr)
    if args.write_md:
        markdown = format_markdown(figures, meta["command"], meta)
        args.md.write_text(markdown, encoding="utf-8")
        print(f"Markdown：{args.md}", file=sys.stderr)
        if args.md == LATEST_MD and not args.only and not args.quick:
            update_readme(README, markdown)
            print(f"README：{README}", file=sys.stderr)
    return 1 if any(f.ok is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())

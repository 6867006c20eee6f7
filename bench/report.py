"""结果表：每个数字都带基线、比值和目标；打印成表格，写成 JSON 或 Markdown。"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

TargetKind = Literal["value_max", "delta_max", "ratio_max", "ratio_min", "info"]


@dataclass(frozen=True)
class Target:
    """目标：数值上限、比值上限、比值下限，或只作参考。"""

    kind: TargetKind = "info"
    limit: float = 0.0
    text: str = "-"

    def check(self, value: float, baseline: float) -> bool | None:
        """是否达标；只作参考的返回 None。"""
        ratio = value / baseline if baseline else None
        if self.kind == "value_max":
            return value <= self.limit
        if self.kind == "delta_max":
            return value - baseline <= self.limit
        if ratio is None or self.kind == "info":
            return None
        if self.kind == "ratio_max":
            return ratio <= self.limit
        return ratio >= self.limit


INFO = Target()


def value_max(limit: float, unit: str) -> Target:
    """数值不超过 `limit`。"""
    return Target("value_max", limit, f"≤ {limit:g} {unit}")


def delta_max(limit: float, unit: str) -> Target:
    """比基线多出的部分不超过 `limit`。"""
    return Target("delta_max", limit, f"≤ 基线 + {limit:g} {unit}")


def ratio_max(limit: float) -> Target:
    """比值不超过 `limit`。"""
    return Target("ratio_max", limit, f"≤ {limit:g}×")


def ratio_min(limit: float) -> Target:
    """比值不低于 `limit`。"""
    return Target("ratio_min", limit, f"≥ {limit:g}×")


@dataclass
class Figure:
    """一个测量结果：cardguard 的数值、同次运行里的基线、比值与目标。"""

    key: str
    label: str
    unit: str
    value: float
    baseline: float
    baseline_label: str
    target: Target = INFO
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """value / baseline；基线为 0 时为 None。"""
        return self.value / self.baseline if self.baseline else None

    @property
    def ok(self) -> bool | None:
        """是否达标（只作参考时为 None）。"""
        return self.target.check(self.value, self.baseline)

    def to_dict(self) -> dict[str, Any]:
        """JSON 友好的形式。"""
        ratio = self.ratio
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "value": _round(self.value),
            "baseline": _round(self.baseline),
            "baseline_label": self.baseline_label,
            "ratio": None if ratio is None else _round(ratio),
            "target": self.target.text,
            "target_kind": self.target.kind,
            "target_limit": self.target.limit,
            "ok": self.ok,
            "details": self.details,
        }


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def median(values: Iterable[float]) -> float:
    """中位数。"""
    return float(statistics.median(list(values)))


@dataclass(frozen=True)
class Timing:
    """每个输入的平均耗时（秒）：CPU 时间（主数字，不受机器上其他进程影响）与墙钟时间。"""

    cpu: float
    wall: float
    cpu_samples: list[float]


def time_per_item(
    func: Callable[[Any], object],
    items: Sequence[Any],
    repeats: int,
    inner: int = 1,
    warm: int | None = None,
) -> Timing:
    """先热身（默认全部输入一遍），再重复 `repeats` 次，各取中位数。"""
    for item in items[:warm]:
        func(item)
    samples = [_sample(func, items, inner) for _ in range(max(1, repeats))]
    return _timing(samples)


def time_side_by_side(
    ours: Callable[[Any], object],
    theirs: Callable[[Any], object],
    items: Sequence[Any],
    repeats: int,
    baseline_repeats: int,
) -> tuple[Timing, Timing]:
    """两边轮流测：我们的样本均匀插在基线的样本之间，各取中位数。

    我们的一个样本往往只有几十毫秒；连着测完时，机器上别的负载一阵短暂的干扰就能落在全部样本上。
    穿插在（慢得多的）基线之间，样本分散在整段时间里，中位数才代表“多次运行”。
    """
    ours(items[0])
    theirs(items[0])
    mine: list[tuple[float, float]] = []
    base: list[tuple[float, float]] = []
    rounds = max(1, baseline_repeats)
    for number in range(rounds):
        due = max(1, repeats) * (number + 1) // rounds
        while len(mine) < due:
            mine.append(_sample(ours, items, 1))
        base.append(_sample(theirs, items, 1))
    return _timing(mine), _timing(base)


def _sample(func: Callable[[Any], object], items: Sequence[Any], inner: int) -> tuple[float, float]:
    """全部输入跑 `inner` 遍，每个输入的（CPU 秒，墙钟秒）。"""
    count = len(items) * inner
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    for _ in range(inner):
        for item in items:
            func(item)
    return (time.process_time() - start_cpu) / count, (time.perf_counter() - start_wall) / count


def _timing(samples: Sequence[tuple[float, float]]) -> Timing:
    cpu = [c for c, _ in samples]
    return Timing(median(cpu), median(w for _, w in samples), cpu)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _mark(ok: bool | None) -> str:
    return {True: "✅", False: "❌", None: "·"}[ok]


COLUMNS = ("figure", "cardguard", "baseline", "ratio", "target", "ok?")


def rows(figures: Sequence[Figure]) -> list[tuple[str, ...]]:
    """表格的每一行（字符串）。"""
    out = []
    for f in figures:
        out.append(
            (
                f.label,
                f"{_fmt(f.value)} {f.unit}",
                f"{_fmt(f.baseline)} {f.unit} ({f.baseline_label})",
                "-" if f.ratio is None else f"{f.ratio:.3g}×",
                f.target.text,
                _mark(f.ok),
            )
        )
    return out


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def format_table(figures: Sequence[Figure]) -> str:
    """终端里看的对齐表格。"""
    table = [COLUMNS, *rows(figures)]
    widths = [max(_width(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines = []
    for number, row in enumerate(table):
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append(" | ".join(cells).rstrip())
        if number == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def format_markdown(figures: Sequence[Figure], command: str, meta: dict[str, Any]) -> str:
    """提交到仓库的 Markdown 表格（含产生它的命令）。"""
    head = [
        "# 最近一次基准结果",
        "",
        f"命令：`{command}`",
        "",
        f"机器：{meta.get('cpus')} 核，Python {meta.get('python')}；"
        f"时间：{meta.get('finished')}；总耗时 {meta.get('seconds')} 秒；版本 {meta.get('commit')}。",
        f"机器负载均值（开始 → 结束）：{meta.get('load_average_start')} → "
        f"{meta.get('load_average_end')}（这台 2 核机器与其他工作共用时，墙钟数字会偏大）。",
        "每个数字都是多次运行的中位数；基线在同一次运行里测得。",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    body = ["| " + " | ".join(r) + " |" for r in rows(figures)]
    return "\n".join([*head, *body, ""])


def write_json(path: Path, figures: Sequence[Figure], meta: dict[str, Any]) -> None:
    """把全部结果写成 JSON。"""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"meta": meta, "figures": {f.key: f.to_dict() for f in figures}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

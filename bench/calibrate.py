"""拟合旁听判断的权重（`cardguard.matching.matcher.PASSIVE_WEIGHTS`）：python -m bench.calibrate

在 tests/data 的开发集上（验证集 `VALIDATION` 不参与）收集旁听判断的信号（`Matcher.passive_view`）：
正例 = 旁听该答、第一名也答对的问题；反例 = 闲聊、以及第一名答错的问题。用 L2 逻辑回归拟合
（纯 Python 梯度下降，特征先标准化，C = 1），打印换算回原单位的权重、截距，以及不同门槛下
开发集的旁听答对、答错和闲聊误触发，供挑 `PASSIVE_DECISION`（开发集闲聊误触发约 1/300 句以内）。
权重抄进 matcher.py 之后，用 `python -m cardguard eval` 在验证集上只看一次汇总数字。
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cardguard.knowledge import load_knowledge
from cardguard.knowledge.yamlio import load_yaml
from cardguard.matching import Matcher
from cardguard.matching.matcher import PASSIVE_WEIGHTS

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
# 留作验证、不拿来拟合的集（只看它的汇总数字）。
VALIDATION = ("fresh_2.yaml",)
NAMES = tuple(PASSIVE_WEIGHTS)
L2 = 1.0  # 相当于 sklearn LogisticRegression(C=1)
# 闲聊（反例）在损失里的分量：群里接错一句闲聊比没接一句真问题更糟（目标：误触发 ≤ 1/200，召回 ≥ 0.85）。
CHATTER_WEIGHT = float(os.environ.get("CALIBRATE_CHATTER_WEIGHT", "3"))
STEPS = 3000
RATE = 0.5


def labelled_files() -> list[Path]:
    """参与拟合的标注集：tests/data 和 tests/data/dev 下有问题或闲聊的文件，验证集除外。"""
    files = sorted(DATA.glob("*.yaml")) + sorted((DATA / "dev").glob("*.yaml"))
    return [f for f in files if f.name not in VALIDATION]


def collect(matcher: Matcher, files: Sequence[Path]) -> list[tuple[list[float], int, str]]:
    """（信号，是否该开口，种类）：种类为 hit / wrong / chatter。"""
    rows: list[tuple[list[float], int, str]] = []
    for path in files:
        data: Any = load_yaml(path) or {}
        for item in data.get("questions") or []:
            if not item.get("passive", True):
                continue
            view = matcher.passive_view(str(item["text"]))
            if view.signals is None or view.first is None:
                continue
            right = matcher.entries[view.first[0]].id in item["ids"]
            rows.append(([view.signals[n] for n in NAMES], int(right), "hit" if right else "wrong"))
        for line in data.get("chatter") or []:
            view = matcher.passive_view(str(line))
            if view.signals is not None:
                rows.append(([view.signals[n] for n in NAMES], 0, "chatter"))
    return rows


def fit(rows: Sequence[tuple[list[float], int, str]]) -> tuple[list[float], float]:
    """L2 逻辑回归：返回原单位的权重和截距。"""
    count = len(rows)
    columns = list(zip(*(r[0] for r in rows), strict=True))
    means = [sum(c) / count for c in columns]
    scales = [
        math.sqrt(sum((v - m) ** 2 for v in c) / count) or 1.0
        for c, m in zip(columns, means, strict=True)
    ]
    xs = [[(v - m) / s for v, m, s in zip(r[0], means, scales, strict=True)] for r in rows]
    ys = [r[1] for r in rows]
    sample = [CHATTER_WEIGHT if r[2] == "chatter" else 1.0 for r in rows]
    total = sum(sample)
    w = [0.0] * len(NAMES)
    b = 0.0
    for _ in range(STEPS):
        gw = [0.0] * len(w)
        gb = 0.0
        for x, y, k in zip(xs, ys, sample, strict=True):
            z = b + sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            d = (p - y) * k
            gb += d
            for i, xi in enumerate(x):
                gw[i] += d * xi
        w = [wi - RATE * (g / total + wi / (L2 * total)) for wi, g in zip(w, gw, strict=True)]
        b -= RATE * gb / total
    weights = [wi / s for wi, s in zip(w, scales, strict=True)]
    bias = b - sum(wi * m / s for wi, m, s in zip(w, means, scales, strict=True))
    return weights, bias


def main() -> int:
    """拟合并打印权重和门槛表。"""
    matcher = Matcher.for_knowledge(load_knowledge())
    rows = collect(matcher, labelled_files())
    weights, bias = fit(rows)
    print("PASSIVE_WEIGHTS = {")
    for name, value in zip(NAMES, weights, strict=True):
        print(f'    "{name}": {value:.4g},')
    print("}")
    print(f"PASSIVE_BIAS = {bias:.4g}")
    chatter = sum(1 for r in rows if r[2] == "chatter")
    print(f"门槛   答对   答错   闲聊误触发（共 {chatter} 句有信号的闲聊）")
    for threshold in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5):
        got = {"hit": 0, "wrong": 0, "chatter": 0}
        for x, _, kind in rows:
            if bias + sum(w * v for w, v in zip(weights, x, strict=True)) >= threshold:
                got[kind] += 1
        print(f"{threshold:4.1f}  {got['hit']:5d}  {got['wrong']:5d}  {got['chatter']:5d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

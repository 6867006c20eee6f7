"""匹配基准：不同知识量下每问耗时（对比 rapidfuzz 暴力 extractOne）与 top-1 准确率。"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from cardguard.knowledge import Entry
from cardguard.matching import Matcher, prepare

from .datasets import HOLDOUT, LABELLED, Question, load_questions, spread
from .report import INFO, Figure, Target, ratio_max, ratio_min, time_side_by_side, value_max
from .synth import real_entries, sized_entries


@dataclass(frozen=True)
class MatchSettings:
    """匹配基准的规模与重复次数。"""

    sizes: tuple[int, ...] = (100, 1_000, 10_000, 100_000)
    sample: int = 40
    repeats: int = 9
    baseline_repeats: int = 3


def size_label(size: int) -> str:
    """100 / 1k / 10k / 100k。"""
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def _time_target(size: int) -> Target:
    if size == 1_000:
        return value_max(0.3, "ms")
    if size == 100_000:
        return ratio_max(0.2)
    return INFO


def hits(matcher: Matcher, questions: Sequence[Question]) -> int:
    """点名提问答中的题数。"""
    return sum(1 for q in questions if matcher.ask(q.text).id in q.ids)


def top1(matcher: Matcher, questions: Sequence[Question]) -> float:
    """点名提问的 top-1 准确率（%）。"""
    return 100.0 * hits(matcher, questions) / len(questions) if questions else 0.0


def labelled() -> list[Question]:
    """全部标注问题（开发集 questions.yaml、原来的留出集和 dev/ 下 a–h）：只看一套时一两道平手的题就能左右结论。"""
    return [q for path in LABELLED for q in load_questions(path)]


class BruteForce:
    """显而易见的替代做法：对全部问法逐一 WRatio，取最高的一条。"""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.choices: list[str] = []
        self.ids: list[str] = []
        for entry in entries:
            for text in dict.fromkeys(prepare(p) for p in entry.phrasings):
                self.choices.append(text)
                self.ids.append(entry.id)

    def best(self, text: str) -> str | None:
        """最像的问法所属的条目 id。"""
        found = process.extractOne(prepare(text), self.choices, scorer=fuzz.WRatio, processor=None)
        return self.ids[found[2]] if found else None


@dataclass(frozen=True)
class Reference:
    """准确率的参照：问题集，以及只有真实条目时各答中多少。"""

    real: int
    questions: list[Question]
    holdout: list[Question]
    every: list[Question]
    base_top1: float
    base_every_hits: int

    @classmethod
    def measure(cls, real: Sequence[Entry]) -> Reference:
        """只用真实条目建一个匹配器，量出参照值。"""
        questions, every = load_questions(), labelled()
        base = Matcher(real)
        return cls(
            len(real),
            questions,
            load_questions(HOLDOUT),
            every,
            top1(base, questions),
            hits(base, every),
        )


def _one_size(
    size: int, real: Sequence[Entry], ref: Reference, settings: MatchSettings
) -> list[Figure]:
    entries = sized_entries(real, size)
    start = time.process_time()
    matcher = Matcher(entries)
    build_s = time.process_time() - start
    brute = BruteForce(entries)
    sample = spread(ref.questions, settings.sample)
    texts = [q.text for q in sample]
    for text in texts:  # 热身：第一次用到时才建的东西（话题模型等）不算在样本里
        matcher.ask(text)
    ours, theirs = time_side_by_side(
        matcher.ask, brute.best, texts, settings.repeats, settings.baseline_repeats
    )
    details = {
        "entries": len(entries),
        "phrasings": len(brute.choices),
        "timed_questions": len(texts),
        "index_build_cpu_s": round(build_s, 3),
        "samples_ms": [round(s * 1e3, 4) for s in ours.cpu_samples],
        "baseline_samples_ms": [round(s * 1e3, 3) for s in theirs.cpu_samples],
        "wall_ms": round(ours.wall * 1e3, 4),
        "baseline_wall_ms": round(theirs.wall * 1e3, 3),
        "sample_top1_cardguard": _sample_top1(matcher.ask, sample),
        "sample_top1_bruteforce": _sample_top1_brute(brute, sample),
    }
    label = size_label(size)
    timing = Figure(
        f"match.ms.{label}",
        f"匹配 每问耗时 @{label} 条",
        "ms",
        ours.cpu * 1e3,
        theirs.cpu * 1e3,
        "rapidfuzz extractOne WRatio",
        _time_target(size),
        details,
    )
    return [timing, *_accuracy(label, matcher, ref)]


def _accuracy(label: str, matcher: Matcher, ref: Reference) -> list[Figure]:
    """开发集 top-1（目标那一行），和全部标注问题上的 top-1（参考：题多，一两道平手左右不了）。"""
    dev = Figure(
        f"match.top1.{label}",
        f"匹配 top-1 准确率 @{label} 条",
        "%",
        top1(matcher, ref.questions),
        ref.base_top1,
        f"仅真实 {ref.real} 条",
        ratio_min(1.0),
        {"holdout_top1": round(top1(matcher, ref.holdout), 2), "questions": len(ref.questions)},
    )
    got = hits(matcher, ref.every)
    total = len(ref.every)
    every = Figure(
        f"match.top1_all.{label}",
        f"匹配 top-1 准确率 @{label} 条（全部 {total} 道标注题）",
        "%",
        100.0 * got / total,
        100.0 * ref.base_every_hits / total,
        f"仅真实 {ref.real} 条",
        INFO,
        {"hits": got, "base_hits": ref.base_every_hits, "vs_real": got - ref.base_every_hits},
    )
    return [dev, every]


def _sample_top1(ask, sample: Sequence[Question]) -> float:  # type: ignore[no-untyped-def]
    return round(100.0 * sum(1 for q in sample if ask(q.text).id in q.ids) / len(sample), 2)


def _sample_top1_brute(brute: BruteForce, sample: Sequence[Question]) -> float:
    return round(100.0 * sum(1 for q in sample if brute.best(q.text) in q.ids) / len(sample), 2)


def run(settings: MatchSettings) -> list[Figure]:
    """全部规模的匹配基准（从小到大，每个规模用完就释放）。"""
    real = real_entries()
    ref = Reference.measure(real)
    figures: list[Figure] = []
    for size in settings.sizes:
        figures.extend(_one_size(size, real, ref, settings))
        gc.collect()
    return figures

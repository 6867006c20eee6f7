"""端到端：通过真实的 OneBot v11 WebSocket 喂消息，测 bot.py 与裸 NoneBot 每条消息的 CPU。

同一批帧（同样的种子）分别喂给两个进程；两种进程交替启动，每种跑 `runs` 次取中位数。
"""

from __future__ import annotations

import asyncio
import compileall
import itertools
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .datasets import load_chatter, load_link_messages, load_questions
from .onebot_peer import Peer, group_message_frame, lifecycle_frame, text_segments
from .processes import (
    BARE_SCRIPT,
    BOT_SCRIPT,
    FLOOR_SCRIPT,
    ROOT,
    Spawned,
    connect_when_ready,
    spawn,
    stop,
)
from .report import INFO, Figure, median, ratio_max, value_max
from .synth import ANSWER_HEAD as PROBE_ANSWER
from .synth import synthetic_entries

QUIET_WINDOW = 0.1
QUIET_CPU = 0.02  # 每 0.1 秒窗口里少于 20 ms CPU 视为空闲
SETTLE = 0.3


@dataclass(frozen=True)
class E2ESettings:
    """端到端的规模：每阶段消息数、重复启动次数、消息构成与群数。"""

    runs: int = 3
    messages: int = 1500
    warmup: int = 200
    rate: float = 100.0  # 条/秒：应低于被测进程的处理能力，测稳态开销而不是过载
    mix: tuple[float, float, float] = (0.9, 0.05, 0.05)  # 闲聊、提问、链接
    groups: int = 300
    # 启动时间单独测（一次不到一秒，多测几次也不贵）：裸 NoneBot 和 bot.py 交替各起这么多次重启
    startup_runs: int = 7


@dataclass
class Traffic:
    """三类消息的来源文本。"""

    chatter: list[str]
    questions: list[str]
    links: list[str]
    links_source: str

    @classmethod
    def load(cls) -> Traffic:
        """从 tests/data 读取。"""
        links, source = load_link_messages()
        return cls(load_chatter(), [q.text for q in load_questions()], links, source)


@dataclass
class Phase:
    """一个阶段的结果：消息数、CPU 秒、耗时、机器人的 API 调用。"""

    messages: int
    cpu_s: float
    wall_s: float
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def cpu_us(self) -> float:
        """每条消息的 CPU 微秒。"""
        return self.cpu_s / self.messages * 1e6

    @property
    def replies(self) -> int:
        """这一阶段机器人发出的消息数。"""
        return sum(n for a, n in self.calls.items() if a.startswith("send_"))


@dataclass
class ProcessRun:
    """一次启动的全部测量。"""

    name: str
    startup_s: float
    idle_cpu_rate: float
    phases: dict[str, Phase]
    peak_rss_mb: float
    probe_reply: str | None = None


class FramePlan:
    """按种子确定地生成一段消息帧；同一个种子对两个进程给出完全相同的帧。"""

    def __init__(self, traffic: Traffic, settings: E2ESettings) -> None:
        self.traffic = traffic
        self.settings = settings
        self._ids = itertools.count(1)

    def frames(self, kind: str, count: int, seed: int, group_base: int) -> list[str]:
        """`kind` 为 chatter（只有闲聊）或 mixed（闲聊/提问/链接按比例混合）。"""
        rng = random.Random(seed)
        out = []
        for _ in range(count):
            message_id = next(self._ids)
            group = group_base + rng.randrange(self.settings.groups)
            segments = self._segments(kind, rng)
            out.append(group_message_frame(message_id, group, 5_000_000 + message_id, segments))
        return out

    def _segments(self, kind: str, rng: random.Random) -> list[dict[str, Any]]:
        t = self.traffic
        if kind == "chatter":
            return text_segments(rng.choice(t.chatter))
        roll = rng.random()
        chatter_share, question_share, _ = self.settings.mix
        if roll < chatter_share:
            return text_segments(rng.choice(t.chatter))
        if roll >= chatter_share + question_share:
            return text_segments(rng.choice(t.links))
        question, style = rng.choice(t.questions), rng.randrange(3)
        if style == 1:
            return text_segments("/问 " + question)
        return text_segments(question, at_bot=style == 2)


async def wait_quiet(spawned: Spawned, peer: Peer, timeout: float = 180.0) -> None:
    """等进程把积压的消息处理完：连续 `SETTLE` 秒 CPU 几乎不动、也没有新的 API 调用。"""
    deadline = time.monotonic() + timeout
    last = spawned.cpu_seconds()
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        await asyncio.sleep(QUIET_WINDOW)
        now_cpu, now = spawned.cpu_seconds(), time.monotonic()
        busy = now_cpu - last > QUIET_CPU or now - peer.last_rx < SETTLE
        last = now_cpu
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= SETTLE:
            return
    raise TimeoutError(f"{spawned.name} 在 {timeout:.0f} 秒内没有处理完消息")


async def run_phase(spawned: Spawned, peer: Peer, frames: list[str], rate: float) -> Phase:
    """发一段帧，等处理完，返回 CPU 与 API 调用的增量。"""
    calls_before = Counter(peer.calls)
    cpu_before, wall_before = spawned.cpu_seconds(), time.monotonic()
    await peer.send_frames(frames, rate)
    await wait_quiet(spawned, peer)
    cpu = spawned.cpu_seconds() - cpu_before
    return Phase(len(frames), cpu, time.monotonic() - wall_before, peer.calls - calls_before)


async def _idle_rate(spawned: Spawned, seconds: float = 1.0) -> float:
    before = spawned.cpu_seconds()
    await asyncio.sleep(seconds)
    return (spawned.cpu_seconds() - before) / seconds


async def _probe(spawned: Spawned, peer: Peer, question: str) -> str | None:
    """问一个只有大知识里才有的问题，确认进程确实加载了它；返回回复文本。"""
    before = peer.replies  # peer.sent 只留最近 50 条，不能拿它的长度来数
    frame = group_message_frame(9_999_999, 9_999_999, 9_999_999, text_segments("/问 " + question))
    await peer.ws.send(frame)
    await wait_quiet(spawned, peer)
    return peer.sent[-1] if peer.replies > before else None


async def measure_process(
    script: Path,
    name: str,
    plan: FramePlan,
    run: int,
    extra: dict[str, str] | None = None,
    probe: str | None = None,
) -> ProcessRun:
    """启动一个进程，测启动时间、闲置 CPU、热身后闲聊阶段与混合阶段的 CPU、峰值内存。"""
    settings = plan.settings
    spawned = spawn(script, name, extra)
    peer: Peer | None = None
    try:
        ws, startup_s = await connect_when_ready(spawned)
        peer = Peer(ws)
        await ws.send(lifecycle_frame())
        phases: dict[str, Phase] = {}
        steps = (
            ("warmup", "mixed", settings.warmup),
            ("chatter", "chatter", settings.messages),
            ("mixed", "mixed", settings.messages),
        )
        idle = 0.0
        for number, (phase, kind, count) in enumerate(steps, 1):
            frames = plan.frames(kind, count, run * 10 + number, number * 100_000)
            phases[phase] = await run_phase(spawned, peer, frames, settings.rate)
            if phase == "warmup":
                idle = await _idle_rate(spawned)
        rss = spawned.peak_rss_mb()
        reply = await _probe(spawned, peer, probe) if probe else None
        return ProcessRun(name, startup_s, idle, phases, rss, reply)
    finally:
        if peer is not None:
            await peer.close()
        stop(spawned)


async def _all_runs(settings: E2ESettings, big: Path | None) -> dict[str, list[ProcessRun]]:
    traffic = Traffic.load()
    tuned = {"CARDGUARD_BENCH_TUNED": "1"}
    order: tuple[tuple[str, Path, dict[str, str] | None], ...] = (
        ("bare", BARE_SCRIPT, None),
        ("floor", FLOOR_SCRIPT, None),
        ("tuned", FLOOR_SCRIPT, tuned),
        ("bot", BOT_SCRIPT, None),
    )
    results: dict[str, list[ProcessRun]] = {name: [] for name, _, _ in order}
    for run in range(settings.runs):
        for name, script, extra in order if run % 2 == 0 else order[::-1]:
            plan = FramePlan(traffic, settings)
            results[name].append(await measure_process(script, name, plan, run, extra))
    if big is not None:
        plan = FramePlan(traffic, settings)
        extra = {"CARDGUARD_KNOWLEDGE_DIR": str(big)}
        probe = synthetic_entries(1)[0].question
        results["bot_big"] = [await measure_process(BOT_SCRIPT, "bot-big", plan, 0, extra, probe)]
    return results


async def _startup_runs(runs: int) -> dict[str, list[float]]:
    """只测启动到可连接：裸 NoneBot 每次新起；bot.py 共用一个缓存目录，第一次冷启动、之后是重启。"""
    cache = tempfile.mkdtemp(prefix="cardguard-bench-cache-")
    times: dict[str, list[float]] = {"bare": [], "bot": []}
    for _ in range(runs + 1):
        for name, script, extra in (
            ("bare", BARE_SCRIPT, None),
            ("bot", BOT_SCRIPT, {"LOCALSTORE_CACHE_DIR": cache}),
        ):
            spawned = spawn(script, name, extra)
            try:
                ws, seconds = await connect_when_ready(spawned)
                await ws.close()
            finally:
                stop(spawned)
            times[name].append(seconds)
    return times


def _saturated(phase: Phase, rate: float) -> bool:
    """处理不过来：CPU 超过了发送间隔，或者处理完比发完晚了很多。"""
    expected = phase.messages / rate
    return phase.cpu_s > expected * 0.9 or phase.wall_s > expected * 1.3 + 2 * SETTLE + 1


def _phase_median(runs: list[ProcessRun], phase: str) -> float:
    return median(r.phases[phase].cpu_us for r in runs)


def _run_details(runs: list[ProcessRun], phase: str, rate: float) -> list[dict[str, Any]]:
    return [
        {
            "cpu_us": round(r.phases[phase].cpu_us, 2),
            "cpu_s": round(r.phases[phase].cpu_s, 3),
            "wall_s": round(r.phases[phase].wall_s, 2),
            "saturated": _saturated(r.phases[phase], rate),
            "replies": r.phases[phase].replies,
            "api_calls": dict(r.phases[phase].calls),
            "idle_cpu_rate": round(r.idle_cpu_rate, 4),
        }
        for r in runs
    ]


def figures_from(
    results: dict[str, list[ProcessRun]],
    settings: E2ESettings,
    links_source: str,
    big_label: str,
    startups: dict[str, list[float]],
) -> list[Figure]:
    """把各次运行汇总成表格里的数字；`startups` 是单独测的启动时间（见 `_startup_runs`）。"""
    bot, bare = results["bot"], results["bare"]
    mix = dict(zip(("chatter", "question", "link"), settings.mix, strict=True))
    common = {
        "messages_per_phase": settings.messages,
        "rate_per_s": settings.rate,
        "groups": settings.groups,
        "runs": len(bot),
    }
    figures = [
        Figure(
            "e2e.cpu_mixed_us",
            "端到端 每条群消息 CPU（混合）",
            "µs",
            _phase_median(bot, "mixed"),
            _phase_median(bare, "mixed"),
            "裸 NoneBot+OneBot",
            ratio_max(1.3),
            {
                **common,
                "mix": mix,
                "links_source": links_source,
                "bot_runs": _run_details(bot, "mixed", settings.rate),
                "bare_runs": _run_details(bare, "mixed", settings.rate),
            },
        ),
        _floor_row(
            "e2e.cpu_floor_us",
            "端到端 每条群消息 CPU（混合）：裸 NoneBot + 一个空响应器",
            results,
            "floor",
            common | {"why": "任何在听消息的 NoneBot 插件都要付的框架底价（bench/floor_bot.py）"},
            settings.rate,
        ),
        _floor_row(
            "e2e.cpu_tuned_floor_us",
            "端到端 每条群消息 CPU（混合）：同上，再加 bot.py 的解析与日志优化",
            results,
            "tuned",
            common
            | {"why": "bot.py 解析事件、丢弃低级别日志比 NoneBot 默认省；这一行把省下的算给框架"},
            settings.rate,
        ),
        Figure(
            "e2e.cpu_plugins_us",
            "端到端 每条群消息 CPU（混合）：插件自己的开销",
            "µs",
            _phase_median(bot, "mixed"),
            _phase_median(results["tuned"], "mixed"),
            "同样优化的 NoneBot + 一个空响应器",
            INFO,
            {**common, "why": "bot.py 减去上一行：回答、提醒、话题判断等插件真正做的事"},
        ),
        Figure(
            "e2e.cpu_chatter_us",
            "端到端 每条群消息 CPU（纯闲聊）",
            "µs",
            _phase_median(bot, "chatter"),
            _phase_median(bare, "chatter"),
            "裸 NoneBot+OneBot",
            INFO,
            {
                **common,
                "bot_runs": _run_details(bot, "chatter", settings.rate),
                "bare_runs": _run_details(bare, "chatter", settings.rate),
            },
        ),
        Figure(
            "startup.s",
            "启动到可连接 WebSocket（重启）",
            "s",
            median(startups["bot"][1:]),
            median(startups["bare"][1:]),
            "裸 NoneBot+OneBot",
            ratio_max(1.5),
            {
                "why": "bot.py 第一次启动要建缓存；之后每次重启读缓存。目标按重启算，首次启动另记",
                "precompiled": "bot.py、cardguard/、plugins/ 先 compileall（见 precompile），和 pip 装好的包一样",
                "bot_first_start_s": round(startups["bot"][0], 3),
                "bot_restarts_s": [round(t, 3) for t in startups["bot"][1:]],
                "bare_runs_s": [round(t, 3) for t in startups["bare"]],
                "bot_with_traffic_runs_s": [round(r.startup_s, 3) for r in bot],
            },
        ),
        Figure(
            "rss.bot_mb",
            "峰值内存 bot.py（真实知识）",
            "MB",
            median(r.peak_rss_mb for r in bot),
            median(r.peak_rss_mb for r in bare),
            "裸 NoneBot+OneBot",
            INFO,
        ),
    ]
    if "bot_big" in results:
        figures.append(_rss_big(results["bot_big"][0], bare, big_label))
    return figures


def _floor_row(
    key: str,
    label: str,
    results: dict[str, list[ProcessRun]],
    name: str,
    details: dict[str, Any],
    rate: float,
) -> Figure:
    """框架底价的参考行：`name` 那种进程（空响应器等）对裸 NoneBot，混合消息，只记录不判定。"""
    runs, bare = results[name], results["bare"]
    return Figure(
        key,
        label,
        "µs",
        _phase_median(runs, "mixed"),
        _phase_median(bare, "mixed"),
        "裸 NoneBot+OneBot",
        INFO,
        {
            **details,
            f"{name}_runs": _run_details(runs, "mixed", rate),
            f"{name}_chatter_us": round(_phase_median(runs, "chatter"), 1),
        },
    )


def _rss_big(run: ProcessRun, bare: list[ProcessRun], label: str) -> Figure:
    return Figure(
        "rss.bot_big_mb",
        f"峰值内存 bot.py（{label} 条知识）",
        "MB",
        run.peak_rss_mb,
        median(r.peak_rss_mb for r in bare),
        "裸 NoneBot+OneBot",
        value_max(150, "MB"),
        {
            "startup_s": round(run.startup_s, 3),
            "cpu_mixed_us": round(run.phases["mixed"].cpu_us, 2),
            "replies_mixed": run.phases["mixed"].replies,
            "knowledge_verified": bool(run.probe_reply and PROBE_ANSWER in run.probe_reply),
        },
    )


def precompile() -> None:
    """先把 bot.py、cardguard/、plugins/ 编译成字节码。

    裸 NoneBot 用到的包在 pip 安装时就编译好了；本项目是可编辑安装，源文件第一次运行时才编译。
    这台机器设了 PYTHONDONTWRITEBYTECODE=1，不先编译的话 bot.py 每次启动都要重新编译一百来个模块
    （约 0.2 秒），而群主的机器和 Docker 镜像（构建时 compileall）都只在第一次付这个钱。
    """
    for path in (ROOT / "bot.py", ROOT / "cardguard", ROOT / "plugins"):
        ok = (
            compileall.compile_file(path, quiet=1)
            if path.is_file()
            else compileall.compile_dir(path, quiet=1)
        )
        if not ok:
            raise RuntimeError(f"编译 {path} 失败")


def run(settings: E2ESettings, big: Path | None, big_label: str = "10k") -> list[Figure]:
    """跑完所有进程并返回数字；`big` 是大知识目录（测 bot.py 在大知识下的内存）。"""
    precompile()
    results = asyncio.run(_all_runs(settings, big))
    startups = asyncio.run(_startup_runs(settings.startup_runs))
    return figures_from(results, settings, Traffic.load().links_source, big_label, startups)

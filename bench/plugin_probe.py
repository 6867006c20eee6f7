"""进程内测量：一条普通闲聊（无链接，旁听也不开口）交给 NoneBot 处理，插件额外花多少微秒。

python -m bench.plugin_probe [--repeats N] [--profile FILE]
同一个进程里测四个数，输出一行 JSON：

- bare：不加载插件，`handle_event` 每条多少 CPU（裸 NoneBot）；
- bot：按 pyproject.toml 的 [tool.nonebot] 加载插件（和 bot.py 一样）并执行启动钩子之后；
- framework：同一个进程，把插件唯一那个响应器的规则换成什么都不做的（直接返回 False）——
  这是 NoneBot 对“有一个插件在听消息”收的最低价：任务组、权限和规则检查、几行被过滤掉的调试日志；
  和 bot 一轮一轮交替着测，机器上别的负载对两者的影响差不多；
- own：插件自己的规则（`router.plan`）对一条闲聊直接花的 CPU（各次样本的中位数）：整理消息段、
  看是不是命令、有没有链接，再做一次旁听判断（`Matcher.passive`：预处理和话题模型，闲聊在这里结束）。

bot − framework 是插件的规则在 NoneBot 里实际多花的（比 own 多出的部分是缓存被框架挤掉的代价）。
“闲聊”取闲聊集里没有链接、旁听也不开口的那些：插件读完就放下，处理函数根本不运行。
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nonebot
from nonebot.adapters.onebot.v11 import Adapter, Bot
from nonebot.message import handle_event

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.datasets import load_chatter  # noqa: E402
from bench.floor_bot import Nothing  # noqa: E402
from bench.onebot_peer import group_message_frame, text_segments  # noqa: E402
from bench.processes import SELF_ID  # noqa: E402
from bench.report import median  # noqa: E402

Samples = tuple[float, list[float], float]


def fast_path_chatter() -> list[str]:
    """闲聊集里没有链接、旁听也不开口的那些（群里最常见的消息：插件读完就放下）。"""
    from cardguard.knowledge import load_knowledge
    from cardguard.links import might_have_link
    from cardguard.matching import Matcher

    matcher = Matcher.for_knowledge(load_knowledge(ROOT / "knowledge"))
    return [
        line
        for line in load_chatter()
        if not might_have_link(line) and matcher.passive(line).entry is None
    ]


def _events(adapter: Adapter, texts: list[str]) -> list[Any]:
    events = []
    for number, text in enumerate(texts, 1):
        frame = group_message_frame(
            number, 100_000 + number % 50, 5_000_000 + number, text_segments(text)
        )
        events.append(adapter.json_to_event(json.loads(frame)))
    return events


async def _time(bot: Bot, events: list[Any], repeats: int) -> Samples:
    """每条事件经 `handle_event` 的 CPU 秒（含线程池里的工作）中位数、各次样本、墙钟秒中位数。"""
    for event in events:
        await handle_event(bot, event)
    cpu, wall = [], []
    for _ in range(repeats):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        for event in events:
            await handle_event(bot, event)
        cpu.append((time.process_time() - start_cpu) / len(events))
        wall.append((time.perf_counter() - start_wall) / len(events))
    return median(cpu), cpu, median(wall)


def _time_direct(func: Callable[[Any], object], events: list[Any], repeats: int) -> Samples:
    """直接调用 `func(event)` 的 CPU 秒；每个样本把全部事件跑 50 遍（单次太短，计时不准）。

    报中位数（issue 的目标按多次运行的中位数算）；全部样本记在 details 里，最小值也在里面。
    """
    inner = 50
    for event in events:
        func(event)
    cpu, wall = [], []
    for _ in range(repeats):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        for _ in range(inner):
            for event in events:
                func(event)
        cpu.append((time.process_time() - start_cpu) / (len(events) * inner))
        wall.append((time.perf_counter() - start_wall) / (len(events) * inner))
    return median(cpu), cpu, median(wall)


async def _bot_and_framework(bot: Bot, events: list[Any], repeats: int) -> tuple[Samples, Samples]:
    """交替测：插件原样（bot），和把那唯一一个响应器的规则换成空规则（framework）。"""
    from nonebot.matcher import matchers

    (matcher,) = (m for group in matchers.values() for m in group)
    real, nothing = matcher.rule, Nothing()
    bot_runs: list[Samples] = []
    framework_runs: list[Samples] = []
    try:
        for _ in range(repeats):
            matcher.rule = nothing
            framework_runs.append(await _time(bot, events, 1))
            matcher.rule = real
            bot_runs.append(await _time(bot, events, 1))
    finally:
        matcher.rule = real
    return _merge(bot_runs), _merge(framework_runs)


def _merge(runs: list[Samples]) -> Samples:
    cpu = [run[0] for run in runs]
    return median(cpu), cpu, median(run[2] for run in runs)


def _load_plugins() -> None:
    import bot as bot_module

    bot_module.load_plugins(bot_module.project_table())


def _own(bot: Bot, events: list[Any], repeats: int) -> Samples:
    """插件自己的规则：唯一那个响应器的规则做的事（整理消息段、问一遍每个路由，含旁听判断）。"""
    from nonebot_plugin_cardguard.app import router

    planned = [event for event in events if router.plan(bot, event, {})[1]]
    if planned:
        raise RuntimeError(f"快速路径的闲聊里有 {len(planned)} 条被路由接下了")
    return _time_direct(lambda event: router.plan(bot, event, {}), events, repeats)


def _us(samples: Samples, name: str) -> dict[str, Any]:
    cpu, series, wall = samples
    return {
        f"{name}_us": cpu * 1e6,
        f"{name}_wall_us": wall * 1e6,
        f"{name}_samples_us": [round(s * 1e6, 2) for s in series],
    }


async def _main(repeats: int, profile: Path | None) -> dict[str, Any]:
    driver = nonebot.get_driver()
    driver.register_adapter(Adapter)
    adapter = next(a for a in driver._adapters.values() if isinstance(a, Adapter))
    bot = Bot(adapter, SELF_ID)
    texts = fast_path_chatter()
    events = _events(adapter, texts)
    bare = await _time(bot, events, repeats)
    _load_plugins()
    await driver._lifespan.startup()  # 插件的启动钩子（与真正运行时一样）
    # 启动钩子在后台线程里预热（约 0.4 秒 CPU）。不等它做完，它的 CPU 会算进正在计时的样本
    # （process_time 包括所有线程），还和主线程抢 GIL：规则本身的样本中位数 11.7 µs，而墙钟只有 8.3。
    from nonebot_plugin_cardguard import warmed_up

    await warmed_up()
    try:
        plugged, framework = await _bot_and_framework(bot, events, repeats)
        own = _own(bot, events, repeats)
        if profile is not None:
            await _profile(bot, events, profile)
    finally:
        await driver._lifespan.shutdown()
    return {
        "messages": len(texts),
        "plugins": sorted(p.id_ for p in nonebot.get_loaded_plugins()),
        "matchers": sum(len(group) for group in _matchers().values()),
        **_us(bare, "bare"),
        **_us(framework, "framework"),
        **_us(plugged, "bot"),
        **_us(own, "own"),
    }


def _matchers() -> dict[int, list[Any]]:
    from nonebot.matcher import matchers

    return dict(matchers)


async def _profile(bot: Bot, events: list[Any], path: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        for event in events:
            await handle_event(bot, event)
    profiler.disable()
    profiler.dump_stats(str(path))


def main() -> None:
    """命令行入口：打印一行 JSON。"""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--profile", type=Path, default=None, help="把 cProfile 结果写到这个文件")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cardguard-bench-probe-"))
    nonebot.init(
        _env_file=(str(work / ".env.none"),),
        log_level="WARNING",
        command_start={"/"},
        localstore_data_dir=str(work / "data"),
        localstore_cache_dir=str(work / "cache"),
        localstore_config_dir=str(work / "config"),
    )
    print(json.dumps(asyncio.run(_main(args.repeats, args.profile))))


if __name__ == "__main__":
    main()

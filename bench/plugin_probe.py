"""进程内测量：一条普通闲聊（无链接、不像问句）交给 NoneBot 处理，插件额外花多少微秒。

python -m bench.plugin_probe [--repeats N] [--profile FILE]
先在不加载插件时计时（裸 NoneBot），再加载 bot.PLUGINS 并执行启动钩子后计时；输出一行 JSON。
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nonebot
from nonebot.adapters.onebot.v11 import Adapter, Bot
from nonebot.message import handle_event

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.datasets import load_chatter  # noqa: E402
from bench.onebot_peer import group_message_frame, text_segments  # noqa: E402
from bench.processes import SELF_ID  # noqa: E402
from bench.report import median  # noqa: E402


def fast_path_chatter() -> list[str]:
    """闲聊集里没有链接、也不像问句的那些（常见情况）。"""
    from cardguard.text import looks_like_question

    try:
        from cardguard.links import might_have_link
    except ImportError:
        might_have_link = None
    return [
        line
        for line in load_chatter()
        if not looks_like_question(line) and not (might_have_link and might_have_link(line))
    ]


def _events(adapter: Adapter, texts: list[str]) -> list[Any]:
    events = []
    for number, text in enumerate(texts, 1):
        frame = group_message_frame(
            number, 100_000 + number % 50, 5_000_000 + number, text_segments(text)
        )
        events.append(adapter.json_to_event(json.loads(frame)))
    return events


async def _time(bot: Bot, events: list[Any], repeats: int) -> tuple[float, list[float], float]:
    """每条事件的 CPU 秒（含线程池里的工作）中位数、各次样本、墙钟秒中位数。"""
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


async def _main(repeats: int, profile: Path | None) -> dict[str, Any]:
    import bot as bot_module

    driver = nonebot.get_driver()
    driver.register_adapter(Adapter)
    adapter = next(a for a in driver._adapters.values() if isinstance(a, Adapter))
    bot = Bot(adapter, SELF_ID)
    texts = fast_path_chatter()
    events = _events(adapter, texts)
    bare, bare_samples, bare_wall = await _time(bot, events, repeats)
    for name in bot_module.PLUGINS:
        try:
            nonebot.load_plugin(name)
        except ModuleNotFoundError:
            continue
    await driver._lifespan.startup()  # 插件的启动钩子（与真正运行时一样）
    try:
        plugged, samples, plugged_wall = await _time(bot, events, repeats)
        if profile is not None:
            await _profile(bot, events, profile)
    finally:
        await driver._lifespan.shutdown()
    return {
        "messages": len(texts),
        "plugins": sorted(p.id_ for p in nonebot.get_loaded_plugins()),
        "bare_us": bare * 1e6,
        "bot_us": plugged * 1e6,
        "bare_wall_us": bare_wall * 1e6,
        "bot_wall_us": plugged_wall * 1e6,
        "bare_samples_us": [round(s * 1e6, 2) for s in bare_samples],
        "bot_samples_us": [round(s * 1e6, 2) for s in samples],
    }


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

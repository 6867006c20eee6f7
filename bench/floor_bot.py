"""框架的底价：裸 NoneBot + OneBot v11 适配器，再加一个什么都不匹配的事件响应器（不加载任何插件）。

python bench/floor_bot.py ；和 bare_bot.py 一样从环境变量读 HOST / PORT / LOG_LEVEL。
任何在听群消息的 NoneBot 插件每条消息至少要付这么多：一个任务组、权限和规则检查、几行被过滤掉的
调试日志。规则和插件 router.py 的 PlanRule 一样直接重写 `__call__`（最便宜的写法）。

环境变量 CARDGUARD_BENCH_TUNED=1 时再用上 bot.py 对框架做的两处省 CPU 的改动（`fast_event` 解析事件、
`drop_quiet_logs_early` 让日志处理器带上级别）：bot.py 与它之差就是插件自己的开销。
"""

from __future__ import annotations

import os
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import nonebot
from nonebot.adapters.onebot.v11 import Adapter as OneBotV11Adapter
from nonebot.rule import Rule
from nonebot.typing import T_DependencyCache, T_State


class Nothing(Rule):
    """什么都不匹配。"""

    __slots__ = ()

    async def __call__(
        self,
        bot: Any,
        event: Any,
        state: T_State,
        stack: AsyncExitStack | None = None,
        dependency_cache: T_DependencyCache | None = None,
    ) -> bool:
        return False


def _adapter() -> type:
    """原样的 OneBot v11 适配器；要求“同样优化”时换成 bot.py 的那个，并照它设日志。"""
    if os.environ.get("CARDGUARD_BENCH_TUNED") != "1":
        return OneBotV11Adapter
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import bot

    bot.drop_quiet_logs_early(nonebot.get_driver().config.log_level)
    return bot.onebot_adapter()


def main() -> None:
    """初始化、注册适配器和一个空响应器，然后运行。"""
    nonebot.init()
    nonebot.get_driver().register_adapter(_adapter())
    matcher = nonebot.on_message(priority=5, block=False)
    matcher.rule = Nothing()
    nonebot.run()


if __name__ == "__main__":
    main()

"""机器人的节奏：发言预算、冷却、合并提醒、按群排队、只记一次的日志。

QQ 风控会封话多的号，一个群刷屏也不能拖慢别的群。除 `GroupGate`（用 asyncio 排队）外都是纯逻辑，
时间由调用方传入，便于测试。
"""

from .budget import SendBudget
from .cooldown import Cooldown
from .gate import GroupGate, Release
from .merge import Batch, BurstMerger
from .quietlog import QuietLog

__all__ = [
    "Batch",
    "BurstMerger",
    "Cooldown",
    "GroupGate",
    "QuietLog",
    "Release",
    "SendBudget",
]

"""使用统计（不依赖 NoneBot）：按天、按群计数答了、没答上、警告、误报反馈、撤回、答错。

机器人和命令行（python -m cardguard stats）共用；数据目录由调用方给出。
"""

from .report import format_report
from .store import DB_NAME, KEYED_KINDS, KIND_NAMES, KINDS, StatsError, StatsStore

__all__ = [
    "DB_NAME",
    "KEYED_KINDS",
    "KINDS",
    "KIND_NAMES",
    "StatsError",
    "StatsStore",
    "format_report",
]

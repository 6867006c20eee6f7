"""管理员数据的错误类型：每种都带一句可以直接回给管理员的中文。"""

from __future__ import annotations


class StoreError(Exception):
    """管理员数据操作失败；`str(exc)` 是给管理员看的一句话。"""


class NotFoundError(StoreError):
    """要找的条目、审核项或记录不存在。"""


class ConflictError(StoreError):
    """目标在这之后又被改过（撤销时），或与已有内容冲突。"""


class LimitError(StoreError):
    """长度、数量超出限制，或内容不合规。"""

"""冷却：同一个键在一段时间内只放行一次。"""

from __future__ import annotations

from collections.abc import Hashable


class Cooldown:
    """同一个键在 `seconds` 秒内只放行一次（如：同群同条目、同群同站点、同一个人的同一句话）。

    发送前先 `hit` 占住，发送失败时 `reset` 退回：这样只有真正发出去的消息才留下冷却，
    同时两条并发的消息也不会都发出去。
    """

    def __init__(self, seconds: float, max_keys: int = 50_000) -> None:
        self.seconds = seconds
        self.max_keys = max_keys
        self._last: dict[Hashable, float] = {}

    def ready(self, key: Hashable, now: float) -> bool:
        """是否已过冷却（不记账）。"""
        last = self._last.get(key)
        return last is None or now - last >= self.seconds

    def hit(self, key: Hashable, now: float) -> bool:
        """过了冷却就记账并返回 True，否则 False。"""
        if not self.ready(key, now):
            return False
        if len(self._last) >= self.max_keys:
            self._prune(now)
        self._last[key] = now
        return True

    def reset(self, key: Hashable) -> None:
        """取消某个键的冷却。"""
        self._last.pop(key, None)

    def _prune(self, now: float) -> None:
        expired = [k for k, t in self._last.items() if now - t >= self.seconds]
        for key in expired:
            del self._last[key]
        if len(self._last) >= self.max_keys:  # 全都没过期：丢掉最旧的一半
            for key in sorted(self._last, key=self._last.__getitem__)[: self.max_keys // 2]:
                del self._last[key]

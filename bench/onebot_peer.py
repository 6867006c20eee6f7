"""扮演 OneBot v11 实现（如 NapCat）：发事件帧，回答机器人发来的每个 API 调用。"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from .processes import SELF_ID

logger = logging.getLogger(__name__)


def lifecycle_frame() -> str:
    """连接建立后的 lifecycle connect 元事件。"""
    return json.dumps(
        {
            "time": int(time.time()),
            "self_id": int(SELF_ID),
            "post_type": "meta_event",
            "meta_event_type": "lifecycle",
            "sub_type": "connect",
        }
    )


def text_segments(text: str, *, at_bot: bool = False) -> list[dict[str, Any]]:
    """消息段数组：纯文本，需要时前面加一个 @机器人。"""
    segments: list[dict[str, Any]] = []
    if at_bot:
        segments.append({"type": "at", "data": {"qq": SELF_ID}})
        text = " " + text
    segments.append({"type": "text", "data": {"text": text}})
    return segments


def group_message_frame(
    message_id: int, group: int, user: int, segments: list[dict[str, Any]]
) -> str:
    """一条 OneBot v11 群消息事件（message 为段数组）。"""
    raw = "".join(
        s["data"]["text"] if s["type"] == "text" else f"[CQ:at,qq={s['data']['qq']}]"
        for s in segments
    )
    return json.dumps(
        {
            "time": int(time.time()),
            "self_id": int(SELF_ID),
            "post_type": "message",
            "message_type": "group",
            "sub_type": "normal",
            "message_id": message_id,
            "group_id": group,
            "user_id": user,
            "anonymous": None,
            "message": segments,
            "raw_message": raw,
            "font": 0,
            "sender": {"user_id": user, "nickname": f"u{user}", "card": "", "role": "member"},
        },
        ensure_ascii=False,
    )


def message_text(params: dict[str, Any]) -> str:
    """API 调用参数里消息的纯文本（段数组或字符串）。"""
    message = params.get("message")
    if isinstance(message, str):
        return message
    if isinstance(message, list):
        return "".join(
            str(s.get("data", {}).get("text", "")) for s in message if s.get("type") == "text"
        )
    return ""


class Peer:
    """一条 OneBot 连接的对端：后台读取并应答 API 调用，统计机器人做了什么。"""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.calls: Counter[str] = Counter()
        self.sent: list[str] = []
        self.last_rx = time.monotonic()
        self._message_ids = 1_000_000
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.last_rx = time.monotonic()
                await self._answer(json.loads(raw))
        except ConnectionClosed:
            return

    async def _answer(self, data: dict[str, Any]) -> None:
        if "action" not in data:
            return
        action = str(data["action"])
        self.calls[action] += 1
        if action.startswith("send_"):
            self.sent = [*self.sent[-49:], message_text(data.get("params") or {})]
        self._message_ids += 1
        reply = {
            "status": "ok",
            "retcode": 0,
            "data": {"message_id": self._message_ids},
            "echo": data.get("echo"),
        }
        await self.ws.send(json.dumps(reply))

    @property
    def replies(self) -> int:
        """机器人发出的消息数（send_msg / send_group_msg / send_private_msg）。"""
        return sum(n for action, n in self.calls.items() if action.startswith("send_"))

    async def send_frames(self, frames: Sequence[str], rate: float) -> None:
        """按固定速率（条/秒）发送事件帧，像真实群聊那样陆续到达，而不是一次灌满。"""
        loop = asyncio.get_running_loop()
        start = loop.time()
        for number, frame in enumerate(frames):
            delay = start + number / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.ws.send(frame)

    async def close(self) -> None:
        """关闭连接并停止读取。"""
        try:
            await self.ws.close()
        except ConnectionClosed as exc:
            logger.debug(f"关闭 OneBot 连接时对端已断开：{exc!r}")
        finally:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

"""端到端测试工具：真的启动 `python bot.py`，再扮演 NapCat 通过 WebSocket 连上去。"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parents[2]
SELF_ID = 900000
_ids = itertools.count(5000)


def free_port() -> int:
    """向系统要一个空闲的本机端口。"""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """等到端口可以连上；进程先退出就报错并带上它的输出。"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"bot.py 提前退出（{proc.returncode}）：\n{out[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"bot.py 在 {timeout}s 内没有监听 {port}")


@contextlib.contextmanager
def running_bot(token: str | None = None, **env: str) -> Iterator[int]:
    """在临时数据目录里启动 bot.py，返回端口；结束时发 SIGINT 并等它退出。"""
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="cardguard-e2e-"))
    full_env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "LOCALSTORE_DATA_DIR": str(data / "data"),
        "LOCALSTORE_CACHE_DIR": str(data / "cache"),
        "LOCALSTORE_CONFIG_DIR": str(data / "config"),
        "SUPERUSERS": '["10001"]',
        **env,
    }
    if token is not None:
        full_env["ONEBOT_ACCESS_TOKEN"] = token
    proc = subprocess.Popen(
        [sys.executable, "bot.py"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(port, proc)
        yield port
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def group_frame(text: str, *, group: int = 7001, user: int = 30001, at_bot: bool = False) -> dict:
    """一条 OneBot v11 群消息事件（消息为数组格式，和 NapCat 一样）。"""
    message: list[dict[str, Any]] = []
    if at_bot:
        message.append({"type": "at", "data": {"qq": str(SELF_ID)}})
    message.append({"type": "text", "data": {"text": text}})
    return {
        "time": int(time.time()),
        "self_id": SELF_ID,
        "post_type": "message",
        "message_type": "group",
        "sub_type": "normal",
        "message_id": next(_ids),
        "group_id": group,
        "user_id": user,
        "message": message,
        "raw_message": text,
        "font": 0,
        "sender": {"user_id": user, "nickname": "tester", "role": "member"},
    }


@contextlib.asynccontextmanager
async def onebot_peer(port: int, token: str | None = None) -> AsyncIterator[Any]:
    """像 NapCat 一样用反向 WebSocket 连上机器人并发送 lifecycle 事件。"""
    headers = {"X-Self-ID": str(SELF_ID), "X-Client-Role": "Universal"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = f"ws://127.0.0.1:{port}/onebot/v11/ws"
    async with websockets.connect(url, additional_headers=headers) as ws:
        meta = {
            "time": int(time.time()),
            "self_id": SELF_ID,
            "post_type": "meta_event",
            "meta_event_type": "lifecycle",
            "sub_type": "connect",
        }
        await ws.send(json.dumps(meta))
        yield ws


async def next_api_call(ws: Any, timeout: float) -> dict | None:
    """等机器人发来的下一个 API 调用并回一个成功响应；超时返回 None。"""
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            if "action" in frame:
                reply = {"status": "ok", "retcode": 0, "data": {"message_id": next(_ids)}}
                await ws.send(json.dumps({**reply, "echo": frame.get("echo")}))
                return frame
    except TimeoutError:
        return None


def message_text(params: dict) -> str:
    """取出 send_msg 参数里全部文本段的文字。"""
    message = params.get("message", [])
    if isinstance(message, str):
        return message
    return "".join(seg["data"].get("text", "") for seg in message if seg["type"] == "text")

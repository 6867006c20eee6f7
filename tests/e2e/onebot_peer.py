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
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
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


def wait_listening(
    port: int,
    proc: subprocess.Popen[bytes],
    timeout: float = 60.0,
    output: Callable[[], str] | None = None,
) -> None:
    """等到端口可以连上；进程先退出就报错并带上它的输出。"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            time.sleep(0.2)
            out = output() if output else ""
            raise RuntimeError(f"bot.py 提前退出（{proc.returncode}）：\n{out[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"bot.py 在 {timeout}s 内没有监听 {port}")


class BotProcess:
    """一个正在运行的 `python bot.py`：端口、数据目录，以及边跑边收下来的日志。"""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, data: Path) -> None:
        self.proc = proc
        self.port = port
        self.data = data
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        """一直读走输出：管道写满时机器人会卡住。"""
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._lines.append(raw.decode("utf-8", errors="replace"))

    def output(self) -> str:
        """到目前为止的全部日志。"""
        return "".join(self._lines)

    def wait_output(self, text: str, timeout: float = 10.0) -> bool:
        """等到日志里出现某段文字。"""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15.0) -> int:
        """发信号并等它退出，返回退出码；超时就 kill。"""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._reader.join(timeout=5)
        return code


def bot_env(port: int, data: Path, token: str | None, env: dict[str, str | None]) -> dict[str, str]:
    """启动 bot.py 的环境变量：本机端口、临时数据目录、一个超级用户；值为 None 的去掉。"""
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
    return {k: v for k, v in full_env.items() if v is not None}


@contextlib.contextmanager
def bot_process(
    token: str | None = None, data: Path | None = None, **env: str | None
) -> Iterator[BotProcess]:
    """在（临时）数据目录里启动 bot.py，等它开始监听；结束时发 SIGINT 并等它退出。"""
    port = free_port()
    data = data or Path(tempfile.mkdtemp(prefix="cardguard-e2e-"))
    proc = subprocess.Popen(
        [sys.executable, "bot.py"],
        cwd=ROOT,
        env=bot_env(port, data, token, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    bot = BotProcess(proc, port, data)
    try:
        wait_listening(port, proc, output=bot.output)
        yield bot
    finally:
        bot.stop()


@contextlib.contextmanager
def running_bot(token: str | None = None, **env: str) -> Iterator[int]:
    """在临时数据目录里启动 bot.py，返回端口；结束时发 SIGINT 并等它退出。"""
    with bot_process(token, **env) as bot:
        yield bot.port


def group_frame(
    text: str,
    *,
    group: int = 7001,
    user: int = 30001,
    at_bot: bool = False,
    role: str = "member",
    segments: list[Any] | None = None,
) -> dict:
    """一条 OneBot v11 群消息事件（消息为数组格式，和 NapCat 一样）；`segments` 给出时代替文字。"""
    message: list[Any] = []
    if at_bot:
        message.append({"type": "at", "data": {"qq": str(SELF_ID)}})
    message += segments if segments is not None else [{"type": "text", "data": {"text": text}}]
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
        "sender": {"user_id": user, "nickname": "tester", "role": role},
    }


def private_frame(text: str, *, user: int = 30001) -> dict:
    """一条 OneBot v11 私聊消息事件。"""
    return {
        "time": int(time.time()),
        "self_id": SELF_ID,
        "post_type": "message",
        "message_type": "private",
        "sub_type": "friend",
        "message_id": next(_ids),
        "user_id": user,
        "message": [{"type": "text", "data": {"text": text}}],
        "raw_message": text,
        "font": 0,
        "sender": {"user_id": user, "nickname": "tester"},
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


@dataclass(frozen=True)
class Call:
    """机器人发来的一次 API 调用，`at` 是收到的时刻（time.monotonic）。"""

    at: float
    action: str
    params: dict

    @property
    def group(self) -> int | None:
        """发往哪个群（私聊为 None）。"""
        group = self.params.get("group_id")
        return int(group) if group is not None else None

    @property
    def text(self) -> str:
        """消息里的全部文字。"""
        return message_text(self.params)


class Peer:
    """连上机器人的 NapCat 替身：后台收下机器人的每个 API 调用并回成功，供测试查看。"""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.calls: list[Call] = []
        self.closed = False
        # 某些 API 回固定的数据（如 get_group_member_list）；fail 返回 True 的调用回失败
        self.responses: dict[str, Any] = {}
        self.fail: Callable[[Call], bool] | None = None

    async def send(self, frame: dict) -> float:
        """发一个事件，返回发出的时刻。"""
        await self.ws.send(json.dumps(frame))
        return time.monotonic()

    async def read_forever(self) -> None:
        """收机器人的 API 调用，逐个回一个成功响应。"""
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if "action" not in frame:
                    continue
                call = Call(time.monotonic(), frame["action"], frame.get("params", {}))
                self.calls.append(call)
                await self.ws.send(json.dumps({**self._reply(call), "echo": frame.get("echo")}))
        except (websockets.ConnectionClosed, OSError):
            pass
        finally:
            self.closed = True

    def _reply(self, call: Call) -> dict[str, Any]:
        if self.fail is not None and self.fail(call):
            return {"status": "failed", "retcode": 1200, "data": None, "message": "发送失败"}
        data = self.responses.get(call.action, {"message_id": next(_ids)})
        return {"status": "ok", "retcode": 0, "data": data}

    def sent_to(self, group: int) -> list[Call]:
        """发往某个群的消息。"""
        return [c for c in self.calls if c.action.startswith("send_") and c.group == group]

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float) -> Call | None:
        """等到有一个满足条件的调用（已有的也算）；超时或连接断开返回 None。"""
        deadline = time.monotonic() + timeout
        while True:
            found = next((c for c in self.calls if predicate(c)), None)
            if found is not None or self.closed or time.monotonic() >= deadline:
                return found
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def connected_peer(port: int, token: str | None = None) -> AsyncIterator[Peer]:
    """连上机器人，后台自动回应 API 调用。"""
    async with onebot_peer(port, token) as ws:
        peer = Peer(ws)
        reader = asyncio.create_task(peer.read_forever())
        try:
            yield peer
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

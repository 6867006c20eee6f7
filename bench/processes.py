"""启动被测的 NoneBot 进程（bot.py 或 bare_bot.py），等它能接受 WebSocket，测 CPU 与内存。"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake

ROOT = Path(__file__).resolve().parents[1]
BOT_SCRIPT = ROOT / "bot.py"
BARE_SCRIPT = Path(__file__).resolve().parent / "bare_bot.py"
FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor_bot.py"
SELF_ID = "900000"
WS_PATH = "/onebot/v11/ws"
# 这些变量若从外面带进来会改变被测进程的行为（令牌、环境名、控制台模式），一律去掉。
_DROP_ENV = ("ONEBOT_ACCESS_TOKEN", "ENVIRONMENT", "DRIVER", "CARDGUARD_CONSOLE")


class ProcessDied(RuntimeError):
    """被测进程在就绪前退出了；消息里带着它最后的日志。"""


@dataclass
class Spawned:
    """一个被测进程：子进程、psutil 句柄、端口、临时工作目录、日志。"""

    name: str
    popen: subprocess.Popen[bytes]
    proc: psutil.Process
    port: int
    workdir: Path
    log: IO[bytes]
    spawned_at: float
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """反向 WebSocket 地址。"""
        return f"ws://127.0.0.1:{self.port}{WS_PATH}"

    def cpu_seconds(self) -> float:
        """进程累计 CPU 秒（用户态 + 内核态）。"""
        times = self.proc.cpu_times()
        return times.user + times.system

    def peak_rss_mb(self) -> float:
        """进程的峰值常驻内存（Linux 的 VmHWM；别的平台退回当前 RSS）。"""
        status = Path(f"/proc/{self.popen.pid}/status")
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return self.proc.memory_info().rss / 2**20

    def log_tail(self, lines: int = 30) -> str:
        """日志的最后几行（出错时给人看）。"""
        self.log.flush()
        text = (self.workdir / "bot.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """向系统要一个空闲的本机端口。"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(port: int, workdir: Path, extra: dict[str, str]) -> dict[str, str]:
    return {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "LOCALSTORE_DATA_DIR": str(workdir / "data"),
        "LOCALSTORE_CACHE_DIR": str(workdir / "cache"),
        "LOCALSTORE_CONFIG_DIR": str(workdir / "config"),
        **extra,
    }


def spawn(script: Path, name: str, extra: dict[str, str] | None = None) -> Spawned:
    """在临时目录里启动脚本；设置同时写进环境变量和该目录的 .env（NoneBot 插件配置只读 .env）。"""
    workdir = Path(tempfile.mkdtemp(prefix=f"cardguard-bench-{name}-"))
    port = free_port()
    settings = _settings(port, workdir, extra or {})
    (workdir / ".env").write_text(
        "".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    env.update(settings)
    env["PYTHONUNBUFFERED"] = "1"
    log = (workdir / "bot.log").open("wb")
    started = time.perf_counter()
    popen = subprocess.Popen(
        [sys.executable, str(script)], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return Spawned(name, popen, psutil.Process(popen.pid), port, workdir, log, started, settings)


async def connect_when_ready(
    spawned: Spawned, timeout: float = 60.0
) -> tuple[ClientConnection, float]:
    """反复尝试以 OneBot 客户端身份连上；返回连接和从启动到连上的秒数。"""
    headers = {"X-Self-ID": SELF_ID, "X-Client-Role": "Universal", "User-Agent": "CardGuard-Bench"}
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if spawned.popen.poll() is not None:
            raise ProcessDied(f"{spawned.name} 提前退出：\n{spawned.log_tail()}")
        try:
            ws = await connect(
                spawned.url,
                additional_headers=headers,
                open_timeout=5,
                compression=None,
                max_size=None,
                ping_interval=None,
            )
        except (OSError, InvalidHandshake, asyncio.TimeoutError):
            await asyncio.sleep(0.01)
            continue
        return ws, time.perf_counter() - spawned.spawned_at
    raise ProcessDied(f"{spawned.name} 在 {timeout:.0f} 秒内没有开始监听：\n{spawned.log_tail()}")


def stop(spawned: Spawned) -> int | None:
    """先 SIGINT 让它正常退出，不行再 terminate/kill；最后删掉临时目录。返回退出码。"""
    try:
        if spawned.popen.poll() is None:
            spawned.popen.send_signal(signal.SIGINT)
            try:
                spawned.popen.wait(10)
            except subprocess.TimeoutExpired:
                spawned.popen.terminate()
                try:
                    spawned.popen.wait(5)
                except subprocess.TimeoutExpired:
                    spawned.popen.kill()
                    spawned.popen.wait(5)
        return spawned.popen.returncode
    finally:
        spawned.log.close()
        shutil.rmtree(spawned.workdir, ignore_errors=True)

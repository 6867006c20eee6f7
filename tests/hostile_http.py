"""测试用的“不怀好意”的 HTTP 服务器：只在 127.0.0.x 上监听，在自己的线程和事件循环里跑。

每个路径对应一个异步处理函数，拿到 (请求, writer) 后想怎么回就怎么回：正常页面、跳转、
一秒一个字节地吐、永远不回、没完没了地发、gzip 炸弹……所有收到的请求都记在 `requests` 里，
测试可以检查某个地址到底有没有被连过、请求里带了什么头。同步测试（命令行）和异步测试都能用。
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class Request:
    """收到的一个请求：路径和（小写键的）请求头。"""

    path: str
    headers: dict[str, str]


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class HostileServer:
    """运行中的服务器：`url(path)` 给出完整地址，`requests` 是收到过的请求。"""

    host: str
    port: int
    routes: dict[str, Handler]
    requests: list[Request] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


def head(status: int = 200, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def page(
    body: bytes | str, content_type: str = "text/html; charset=utf-8", **extra: str
) -> Handler:
    """普通的 200 响应。"""
    data = body.encode("utf-8") if isinstance(body, str) else body

    async def handler(_: Request, writer: asyncio.StreamWriter) -> None:
        headers = {"Content-Type": content_type, "Content-Length": str(len(data)), **extra}
        writer.write(head(200, headers) + data)

    return handler


def redirect(location: str, status: int = 302, **extra: str) -> Handler:
    async def handler(_: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(status, {"Location": location, "Content-Length": "0", **extra}))

    return handler


def status(code: int) -> Handler:
    async def handler(_: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(code, {"Content-Length": "0"}))

    return handler


def drip(interval: float, count: int = 1000, byte: bytes = b"<") -> Handler:
    """声明一个很长的 Content-Length，然后每 `interval` 秒吐一个字节。"""

    async def handler(_: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, {"Content-Type": "text/html", "Content-Length": str(count)}))
        for _ in range(count):
            await writer.drain()
            await asyncio.sleep(interval)
            writer.write(byte)

    return handler


def hang() -> Handler:
    """收下请求，永远不回。"""

    async def handler(_: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(3600)

    return handler


def endless(content_type: str = "text/html", chunk: bytes = b"<p>x</p>" * 1024) -> Handler:
    """不写长度、没完没了地发。"""

    async def handler(_: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, {"Content-Type": content_type, "Connection": "close"}))
        while True:
            writer.write(chunk)
            await writer.drain()

    return handler


def compressed(body: bytes, coding: str = "gzip", content_type: str = "text/html") -> Handler:
    """按 `coding` 压缩后发送：gzip、deflate（zlib 包装）、raw-deflate（裸 deflate，仍声明 deflate）。"""
    if coding == "gzip":
        data, declared = gzip.compress(body, compresslevel=9), "gzip"
    elif coding == "deflate":
        data, declared = zlib.compress(body, 9), "deflate"
    elif coding == "raw-deflate":
        packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        data, declared = packer.compress(body) + packer.flush(), "deflate"
    else:
        data, declared = body, coding
    headers = {
        "Content-Type": content_type,
        "Content-Encoding": declared,
        "Content-Length": str(len(data)),
    }

    async def handler(_: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, headers) + data)

    return handler


@contextlib.contextmanager
def serve(
    routes: dict[str, Handler], host: str = "127.0.0.1", port: int = 0
) -> Iterator[HostileServer]:
    """在 `host` 上（默认随机端口）起服务器（自己的线程和事件循环），退出时关掉并取消所有连接。"""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, object] = {}
    tasks: set[asyncio.Task[None]] = set()
    server_box: list[HostileServer] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)  # type: ignore[arg-type]
        try:
            request = await _read_request(reader)
            if request is None:
                return
            server_box[0].requests.append(request)
            handler = routes.get(request.path.split("?", 1)[0], status(404))
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await handler(request, writer)
                await writer.drain()
        finally:
            writer.close()
            if task is not None:
                tasks.discard(task)  # type: ignore[arg-type]

    async def start() -> None:
        server = await asyncio.start_server(handle, host, port)
        state["server"] = server
        bound = server.sockets[0].getsockname()[1]
        server_box.append(HostileServer(host, bound, routes))
        ready.set()

    thread = threading.Thread(target=_run, args=(loop, start), daemon=True)
    thread.start()
    ready.wait(5)
    if not server_box:
        raise OSError(f"没能在 {host}:{port} 上监听")
    try:
        yield server_box[0]
    finally:

        async def stop() -> None:
            server = state["server"]
            server.close()  # type: ignore[attr-defined]
            for task in list(tasks):
                task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def _run(loop: asyncio.AbstractEventLoop, start: Callable[[], Awaitable[None]]) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(start())
    except OSError:
        loop.close()
        return  # 端口被占：server_box 为空，serve() 会报错
    loop.run_forever()
    loop.close()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError):
        return None
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return Request(parts[1] if len(parts) > 1 else "/", headers)

"""连接那一刻再检查 IP 的 httpcore 网络后端，和用它的连接池。

httpcore 建 TCP 连接时调用 `connect_tcp(host, port)`：我们在这里自己解析主机名、逐个检查
解析出的 IP，然后**直接连检查过的 IP**。TLS 的 SNI 和证书校验仍用原来的主机名
（httpcore 按请求的主机名做 start_tls），所以 https 不受影响。
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from functools import lru_cache

import httpcore

from .addresses import resolve
from .errors import NetworkError, UnsafeAddress


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """只连公网 IP（allow_private 时也连本机/内网）的网络后端。"""

    def __init__(self, *, allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port, allow_private=self.allow_private)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or NetworkError("没有可连接的地址")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeAddress("不连接本机的 Unix 套接字")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@lru_cache(maxsize=1)
def ssl_context() -> ssl.SSLContext:
    """校验证书的 TLS 上下文（certifi 的根证书，与 httpx 默认相同）；全进程共用一个。"""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def guarded_pool(context: ssl.SSLContext, *, allow_private: bool) -> httpcore.AsyncConnectionPool:
    """一次下载用的连接池：不重试、只走 HTTP/1.1、所有连接都经过 `GuardedBackend`。"""
    return httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=2,
        retries=0,
        http1=True,
        http2=False,
        network_backend=GuardedBackend(allow_private=allow_private),
    )

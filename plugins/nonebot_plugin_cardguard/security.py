"""OneBot 的 HTTP 上报端点也要令牌。

OneBot v11 适配器只在 WebSocket 上检查 ONEBOT_ACCESS_TOKEN；`POST /onebot/v11/http` 等 HTTP 端点
只看 X-Self-ID，谁都能冒充 NapCat 上报一条“超级用户发的 /guard off”。这里在 ASGI 层把守：
设了令牌时，发往 /onebot/ 的每个 HTTP 请求都要带 `Authorization: Bearer 令牌`（或 ?access_token=令牌）；
另设了 ONEBOT_SECRET 的，带 X-Signature 的请求交给适配器按签名检查。没通过的请求得到 401，
什么都不会发生。
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
GUARDED_PREFIX = "/onebot/"
REFUSAL = "需要正确的 access token".encode()


class TokenGuard:
    """纯 ASGI 中间件：只管 HTTP 请求（WebSocket 由适配器自己检查）。"""

    def __init__(self, app: ASGIApp, token: str, secret: str | None = None) -> None:
        self.app = app
        self.token = token
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        guarded = scope["type"] == "http" and str(scope.get("path", "")).startswith(GUARDED_PREFIX)
        if guarded and not self.allowed(scope):
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": REFUSAL})
            return
        await self.app(scope, receive, send)

    def allowed(self, scope: Scope) -> bool:
        """带了正确的令牌；或者设了 secret、请求带着签名（签名由适配器核对）。"""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() in ("bearer", "token") and _same(given.strip(), self.token):
            return True
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if any(_same(value, self.token) for value in query.get("access_token", [])):
            return True
        return bool(self.secret) and "x-signature" in headers


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def guard_http_endpoints(app: Any, token: str | None, secret: str | None) -> bool:
    """设了令牌时给 ASGI 应用装上 `TokenGuard`；返回是否装了。"""
    if not token or app is None or not hasattr(app, "add_middleware"):
        return False
    app.add_middleware(TokenGuard, token=token, secret=secret)
    return True

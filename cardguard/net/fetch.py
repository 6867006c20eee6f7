"""唯一的对外下载入口 `fetch()`：二维码图片、答案图片、网页探测、共享拦截名单都走它。

保证：
- 只下 http(s)；每次连接前解析主机名，本机/内网/链路本地/保留等地址一律不连——检查发生在
  真正建立 TCP 连接的那一刻（自定义的 httpcore 网络后端），连的就是检查过的那个 IP，
  DNS 重绑定钻不了空子；每次跳转都是一次新连接，所以每一跳都重新检查。
- 跳转手动跟随，最多 `max_redirects` 次；死循环也就到此为止。
- 一个总时限管住整个过程（解析、连接、每一跳、慢慢吐字节的响应体）。
- 大小上限按**解压后**的字节算，gzip 炸弹到上限就停。
- 不带也不存 Cookie，不读代理环境变量，不发 Referer。
"""

from __future__ import annotations

import asyncio
import codecs
import os
import re
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .addresses import check_literal
from .decode import ACCEPT_ENCODING, BoundedDecoder
from .errors import (
    BadContent,
    BadStatus,
    BadUrl,
    FetchError,
    FetchTimeout,
    NetworkError,
    TooLarge,
    TooManyRedirects,
)

if TYPE_CHECKING:  # httpx/httpcore 只在真要下载时才导入：机器人启动快一些
    import httpx

FETCH_PRIVATE_ENV = "CARDGUARD_FETCH_PRIVATE"
USER_AGENT = "Mozilla/5.0 (compatible; CardGuard/0.1; +link-safety-check)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK_TEXT_SNIFF = 2048


@dataclass(frozen=True)
class FetchOptions:
    """一次下载的限制。

    timeout：总时限（秒），含所有跳转和响应体；max_bytes：解压后最多多少字节；
    max_redirects：最多跟几次跳转；allow_private：允许连本机/内网（CARDGUARD_FETCH_PRIVATE）；
    truncate：超过 max_bytes 时截断返回（网页探测用），否则抛 `TooLarge`；
    content_types：非空时只接受这些 Content-Type（前缀匹配，例如 "text/html"），
    没写 Content-Type 的响应照常接受，由调用方自己判断内容。
    """

    timeout: float = 5.0
    max_bytes: int = 2_000_000
    max_redirects: int = 5
    allow_private: bool = False
    truncate: bool = False
    content_types: tuple[str, ...] = ()
    accept: str = "*/*"
    user_agent: str = USER_AGENT

    def with_changes(self, **changes: Any) -> FetchOptions:
        """返回改了几项的副本。"""
        return replace(self, **changes)


@dataclass(frozen=True)
class FetchResult:
    """下载结果：最终网址（跳转之后）、状态码、内容类型、解压后的内容。"""

    url: str
    status: int
    content_type: str
    charset: str | None
    content: bytes
    truncated: bool = False
    redirects: tuple[str, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """按声明的字符集（或网页里的 meta charset）解码；认不出时先试 UTF-8 再试 GB18030。"""
        return decode_text(self.content, self.charset)


async def fetch(url: str, options: FetchOptions | None = None) -> FetchResult:
    """安全地 GET 一个网址；失败抛 `FetchError` 的某个子类（中文说明）。"""
    options = options or FetchOptions()
    try:
        return await asyncio.wait_for(_fetch(url, options), options.timeout)
    except asyncio.TimeoutError:
        raise FetchTimeout(f"下载超时（{options.timeout:g} 秒）") from None


def private_allowed(value: bool | None = None) -> bool:
    """是否允许连本机/内网：调用方明确给了就用它；没给（None）时看环境变量 CARDGUARD_FETCH_PRIVATE。

    插件应当把自己的设置（NoneBot 也读 .env 文件）明确传进来；环境变量只是兜底，
    让没传这个参数的调用也遵守部署时设的环境变量。默认 False。
    """
    if value is not None:
        return value
    return os.environ.get(FETCH_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def short_url(url: str, limit: int = 80) -> str:
    """日志里用的短写法：主机 + 路径，不带查询串（QQ 图片地址的密钥在查询串里）。"""
    text = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    return text[:limit]


def parse_url(url: str, *, allow_private: bool = False) -> httpx.URL:
    """校验并解析网址：只收 http(s)、要有主机名、不带用户名密码；字面 IP 当场检查。"""
    import httpx

    if not isinstance(url, str) or len(url) > 8192:
        raise BadUrl("网址太长或不是文字")
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise BadUrl("网址写得不对") from exc
    if parsed.scheme not in ("http", "https"):
        raise BadUrl("只下载 http(s) 网址")
    if not parsed.host:
        raise BadUrl("网址里没有主机名")
    if parsed.userinfo:
        raise BadUrl("网址里带了用户名或密码，不下载")
    check_literal(parsed.host, allow_private=allow_private)
    return parsed


async def _fetch(url: str, options: FetchOptions) -> FetchResult:
    import httpcore

    from .transport import guarded_pool

    current = parse_url(url, allow_private=options.allow_private)
    context = await _ssl_context_async()  # http 也可能跳到 https，先备好
    loop = asyncio.get_running_loop()
    deadline = loop.time() + options.timeout
    hops: list[str] = []
    async with guarded_pool(context, allow_private=options.allow_private) as pool:
        while True:
            remaining = max(deadline - loop.time(), 0.01)
            try:
                result = await _one_hop(pool, current, options, remaining, tuple(hops))
            except httpcore.TimeoutException as exc:
                raise FetchTimeout(f"下载超时（{options.timeout:g} 秒）") from exc
            except (httpcore.ProtocolError, httpcore.NetworkError, httpcore.ProxyError) as exc:
                raise NetworkError(f"连接失败（{type(exc).__name__}）") from exc
            except httpcore.UnsupportedProtocol as exc:
                raise BadUrl("只下载 http(s) 网址") from exc
            if isinstance(result, FetchResult):
                return result
            if len(hops) >= options.max_redirects:
                raise TooManyRedirects(f"跳转超过 {options.max_redirects} 次")
            hops.append(str(current))
            current = _next_url(current, result, options)


async def _ssl_context_async() -> ssl.SSLContext:
    """第一次建证书上下文要读证书文件（几十毫秒），放到线程里做；之后复用同一个。"""
    from .transport import ssl_context

    if ssl_context.cache_info().currsize:
        return ssl_context()
    return await asyncio.to_thread(ssl_context)


def _next_url(current: httpx.URL, location: str, options: FetchOptions) -> httpx.URL:
    import httpx

    try:
        target = current.join(location)
    except (httpx.InvalidURL, ValueError) as exc:
        raise BadStatus("跳转目标写得不对", 302) from exc
    return parse_url(str(target), allow_private=options.allow_private)


async def _one_hop(
    pool: Any, url: httpx.URL, options: FetchOptions, remaining: float, hops: tuple[str, ...]
) -> FetchResult | str:
    """请求一次；是跳转就返回 Location 字符串，否则读完内容返回 `FetchResult`。"""
    import httpcore

    request_url = httpcore.URL(
        scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
    )
    headers = [
        (b"Host", url.netloc),
        (b"User-Agent", options.user_agent.encode("ascii", "replace")),
        (b"Accept", options.accept.encode("ascii", "replace")),
        (b"Accept-Encoding", ACCEPT_ENCODING.encode("ascii")),
        (b"Accept-Language", b"zh-CN,zh;q=0.9,en;q=0.5"),
        (b"Connection", b"close"),
    ]
    timeouts = {"connect": remaining, "read": remaining, "write": remaining, "pool": remaining}
    async with pool.stream(
        "GET", request_url, headers=headers, extensions={"timeout": timeouts}
    ) as response:
        status = int(response.status)
        head = _headers(response.headers)
        if status in REDIRECTS:
            location = head.get("location", "")
            if not location:
                raise BadStatus(f"服务器返回跳转 {status} 却没给目标", status)
            return location
        if status >= 400 or status < 200:
            raise BadStatus(f"服务器返回 {status}", status)
        media, charset = _content_type(head.get("content-type", ""))
        _check_type(media, options.content_types)
        decoder = BoundedDecoder(head.get("content-encoding", ""))
        declared = head.get("content-length", "")
        # 没压缩时声明的长度就是内容长度：超限的话一个字节都不用读
        too_big = declared.isdigit() and int(declared) > options.max_bytes
        if too_big and not (decoder.coding or options.truncate):
            raise TooLarge(f"内容超过 {options.max_bytes} 字节")
        content, truncated = await _read_body(response, decoder, options)
    return FetchResult(str(url), status, media, charset, content, truncated, hops)


async def _read_body(
    response: Any, decoder: BoundedDecoder, options: FetchOptions
) -> tuple[bytes, bool]:
    limit = options.max_bytes
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_stream():
        piece = decoder.feed(chunk, limit - size)
        if size + len(piece) > limit:
            return _overflow(parts, piece, limit - size, options)
        parts.append(piece)
        size += len(piece)
    tail = decoder.flush(limit - size)
    if size + len(tail) > limit:
        return _overflow(parts, tail, limit - size, options)
    parts.append(tail)
    return b"".join(parts), False


def _overflow(
    parts: list[bytes], piece: bytes, room: int, options: FetchOptions
) -> tuple[bytes, bool]:
    if not options.truncate:
        raise TooLarge(f"内容超过 {options.max_bytes} 字节")
    parts.append(piece[:room])
    return b"".join(parts), True


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """响应头（小写键）；同名头只留第一个，值按 latin-1 解码（HTTP 头本来就是字节）。"""
    head: dict[str, str] = {}
    for key, value in raw:
        name = key.decode("latin-1").lower()
        if name not in head:
            head[name] = value.decode("latin-1").strip()
    return head


_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", re.I)


def _content_type(value: str) -> tuple[str, str | None]:
    media = value.split(";", 1)[0].strip().lower()
    match = _CHARSET_RE.search(value)
    return media, (match.group(1) if match else None)


def _check_type(media: str, wanted: tuple[str, ...]) -> None:
    if wanted and media and not media.startswith(wanted):
        raise BadContent(f"内容类型是 {media[:40]}，不是要的类型")


_META_CHARSET_RE = re.compile(
    rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", re.I
)


def decode_text(content: bytes, charset: str | None = None) -> str:
    """把网页字节解成文字：声明的字符集 → 网页开头的 meta charset → UTF-8 → GB18030。"""
    for name in (charset, _sniff_charset(content)):
        codec = _codec(name)
        if codec is not None:
            return content.decode(codec, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace")


def _sniff_charset(content: bytes) -> str | None:
    match = _META_CHARSET_RE.search(content[:CHUNK_TEXT_SNIFF])
    return match.group(1).decode("ascii") if match else None


@lru_cache(maxsize=32)
def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    # 网页声明 gb2312/gbk 时实际常混着 GB18030 才有的字
    return "gb18030" if found in ("gb2312", "gbk") else found


__all__ = [
    "FetchError",
    "FetchOptions",
    "FetchResult",
    "decode_text",
    "fetch",
    "parse_url",
    "private_allowed",
    "short_url",
]

"""CardGuard 对外联网的唯一通道（纯核心，不依赖 NoneBot）。

    from cardguard.net import FetchOptions, FetchError, fetch

    try:
        result = await fetch(url, FetchOptions(timeout=3, max_bytes=2_000_000))
    except FetchError as exc:
        log.warning("下载失败：%s", exc)      # 中文说明，不含完整网址

只下 http(s)；本机、内网、链路本地、保留、组播、运营商内网地址在连接前（含每次跳转）拒绝，
`allow_private=True`（设置 CARDGUARD_FETCH_PRIVATE）时才放行本机和内网；一个总时限；
解压后的大小上限；不带 Cookie。图片一律用 `open_image` 打开（像素上限）。
"""

from __future__ import annotations

from .addresses import categorize, refusal
from .errors import (
    BadContent,
    BadStatus,
    BadUrl,
    FetchError,
    FetchTimeout,
    NetworkError,
    TooLarge,
    TooManyRedirects,
    UnsafeAddress,
)
from .fetch import (
    FETCH_PRIVATE_ENV,
    FetchOptions,
    FetchResult,
    decode_text,
    fetch,
    parse_url,
    private_allowed,
    short_url,
)
from .images import ImageRejected, open_image

__all__ = [
    "FETCH_PRIVATE_ENV",
    "BadContent",
    "BadStatus",
    "BadUrl",
    "FetchError",
    "FetchOptions",
    "FetchResult",
    "FetchTimeout",
    "ImageRejected",
    "NetworkError",
    "TooLarge",
    "TooManyRedirects",
    "UnsafeAddress",
    "categorize",
    "decode_text",
    "fetch",
    "open_image",
    "parse_url",
    "private_allowed",
    "refusal",
    "short_url",
]

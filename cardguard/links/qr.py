"""图片里的二维码：找出消息里的图片地址，经 `cardguard.net.fetch` 限时限量下载，在线程里解码。

下载走统一的安全通道：只连公网地址（`allow_private=True` 时也连本机/内网，对应设置
CARDGUARD_FETCH_PRIVATE），每次跳转都重新检查，一个总时限，解压后大小有上限。
每条消息最多看 3 张。解码（Pillow + zxing-cpp）放进 `asyncio.to_thread`，不会卡住事件循环；
像素过多的图片（解压炸弹）在解码前就拒绝。任何失败只记一条日志，返回已拿到的结果。
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..net import (
    FetchError,
    FetchOptions,
    FetchTimeout,
    ImageRejected,
    TooLarge,
    fetch,
    open_image,
    private_allowed,
    short_url,
)
from .segments import kind_and_data

log = logging.getLogger("cardguard.links")

MAX_IMAGES = 3
MAX_PIXELS = 16_000_000
_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")


@lru_cache(maxsize=1)
def _qr_formats() -> Any:
    import zxingcpp

    return zxingcpp.barcode_formats_from_str("QRCode,MicroQRCode")


def image_urls(segments: Sequence[Mapping[str, Any]]) -> list[str]:
    """image 消息段里的 http(s) 地址（data.url，没有时看 data.file），去重保序。"""
    urls: list[str] = []
    for segment in segments:
        kind, data = kind_and_data(segment)
        if kind != "image":
            continue
        for key in ("url", "file"):
            value = data.get(key)
            if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
                if value not in urls:
                    urls.append(value)
                break
    return urls


async def fetch_qr_texts(
    urls: Sequence[str],
    *,
    timeout: float = 3.0,
    max_bytes: int = 2_000_000,
    allow_private: bool | None = None,
) -> list[str]:
    """下载前 3 张图片并解出其中的二维码文字；失败的图片记日志后跳过，从不抛异常。

    timeout 是每张图的总时限（含跳转）；allow_private 对应设置 CARDGUARD_FETCH_PRIVATE
    （None 时看同名环境变量，默认不连本机/内网）。
    """
    wanted = list(dict.fromkeys(urls))[:MAX_IMAGES]
    if not wanted:
        return []
    options = FetchOptions(
        timeout=timeout,
        max_bytes=max_bytes,
        allow_private=private_allowed(allow_private),
        accept="image/*",
    )
    results = await asyncio.gather(*(_one(u, options) for u in wanted))
    return [text for texts in results for text in texts]


async def _one(url: str, options: FetchOptions) -> list[str]:
    """下载并解码一张图片。图片地址是群友发的内容（QQ 的图片地址还带着访问密钥），
    只写进调试日志；警告里只说出了什么事。"""
    log.debug("二维码图片：%s", short_url(url, 120))
    try:
        result = await fetch(url, options)
        return await asyncio.to_thread(decode_qr, result.content)
    except FetchTimeout:
        log.warning("二维码图片下载超时（%g 秒）", options.timeout)
    except TooLarge:
        log.warning("二维码图片过大（超过 %d 字节），跳过", options.max_bytes)
    except FetchError as exc:  # 中文原因，不含路径和参数
        log.warning("二维码图片没下载：%s", exc)
    except (ValueError, OSError, RuntimeError) as exc:
        log.warning("二维码图片无法解码：%s", str(exc)[:80])
    except Exception:  # 兜底：图片检查失败不能影响消息处理，但要留下完整现场
        log.exception("二维码图片处理出错")
    return []


def decode_qr(data: bytes) -> list[str]:
    """解码图片里的二维码（同步，放在线程里调用）；像素过多或不是图片时抛 `ImageRejected`（ValueError）。"""
    import zxingcpp

    with open_image(data, max_pixels=MAX_PIXELS, formats=_FORMATS) as image:
        image.load()
        frame = image.convert("L")
    return [r.text for r in zxingcpp.read_barcodes(frame, formats=_qr_formats()) if r.text]


__all__ = ["ImageRejected", "decode_qr", "fetch_qr_texts", "image_urls"]

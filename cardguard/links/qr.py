"""图片里的二维码：找出消息里的图片地址，限时限量下载，在线程里解码。

下载用 httpx 流式读取，超过 `max_bytes` 立即放弃；每张图有总时限；每条消息最多看 3 张。
解码（Pillow + zxing-cpp）放进 `asyncio.to_thread`，不会卡住事件循环；
像素过多的图片（解压炸弹）在解码前就拒绝。任何失败只记一条日志，返回已拿到的结果。
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .segments import kind_and_data

if TYPE_CHECKING:  # httpx、Pillow、zxing-cpp 只在真有图片要看时才导入：启动快约 0.1 秒
    import httpx

log = logging.getLogger("cardguard.links")

MAX_IMAGES = 3
MAX_PIXELS = 16_000_000
_FORMATS = {"PNG", "JPEG", "GIF", "WEBP", "BMP"}


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
    client: httpx.AsyncClient | None = None,
) -> list[str]:
    """下载前 3 张图片并解出其中的二维码文字；失败的图片记日志后跳过，从不抛异常。"""
    wanted = list(dict.fromkeys(urls))[:MAX_IMAGES]
    if not wanted:
        return []
    import httpx

    own = client is None
    http = client or httpx.AsyncClient(timeout=timeout, follow_redirects=True, trust_env=False)
    try:
        results = await asyncio.gather(*(_one(http, u, timeout, max_bytes) for u in wanted))
    finally:
        if own:
            await http.aclose()
    return [text for texts in results for text in texts]


async def _one(client: httpx.AsyncClient, url: str, timeout: float, max_bytes: int) -> list[str]:
    import httpx
    from PIL import Image

    short = url[:120]
    try:
        data = await asyncio.wait_for(_download(client, url, max_bytes), timeout)
        if data is None:
            log.warning("二维码图片过大（超过 %d 字节），跳过：%s", max_bytes, short)
            return []
        return await asyncio.to_thread(decode_qr, data)
    except asyncio.TimeoutError:
        log.warning("二维码图片下载超时（%.1f 秒）：%s", timeout, short)
    except httpx.HTTPError as exc:
        log.warning("二维码图片下载失败：%s：%s", short, exc.__class__.__name__)
    except (OSError, ValueError, RuntimeError, Image.DecompressionBombError) as exc:
        log.warning("二维码图片无法解码：%s：%s", short, exc)
    except Exception:  # 兜底：图片检查失败不能影响消息处理，但要留下完整现场
        log.exception("二维码图片处理出错：%s", short)
    return []


async def _download(client: httpx.AsyncClient, url: str, max_bytes: int) -> bytes | None:
    """流式下载；超过 max_bytes 返回 None。"""
    async with client.stream("GET", url) as response:
        response.raise_for_status()
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def decode_qr(data: bytes) -> list[str]:
    """解码图片里的二维码（同步，放在线程里调用）；像素过多时抛 ValueError。"""
    import zxingcpp
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.format not in _FORMATS:
            raise ValueError(f"不支持的图片格式 {image.format}")
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ValueError(f"图片像素过多（{width}x{height}），可能是解压炸弹")
        image.load()
        frame = image.convert("L")
    return [r.text for r in zxingcpp.read_barcodes(frame, formats=_qr_formats()) if r.text]

"""安全地打开图片：只认常见格式，像素有上限，解压炸弹变成一句中文错误而不是未捕获的异常。

Pillow 在图片超过约 1.8 亿像素时直接抛 `DecompressionBombError`（不是 OSError），
以前这个异常会一路冒到命令处理里。这里统一换成 `ImageRejected`（ValueError 的子类）。
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow 只在真有图片时才导入
    from PIL import Image

FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")
MAX_PIXELS = 16_000_000


class ImageRejected(ValueError):
    """图片不收：不是图片、格式不支持、像素太多（解压炸弹）或已损坏。"""


@contextmanager
def open_image(
    data: bytes, *, max_pixels: int = MAX_PIXELS, formats: tuple[str, ...] = FORMATS
) -> Iterator[Image.Image]:
    """打开（还没解码像素的）图片；格式不在 `formats` 或像素超过 `max_pixels` 时抛 `ImageRejected`。

    只让 Pillow 试这几种格式的解码器：EPS 之类会调用外部程序的格式根本不会被尝试。
    """
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data), formats=list(formats))
    except Image.DecompressionBombError as exc:
        raise ImageRejected("图片像素多得离谱，可能是解压炸弹") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected("这不是能识别的图片") from exc
    with image:
        width, height = image.size
        if width * height > max_pixels:
            raise ImageRejected(f"图片像素过多（{width}x{height}），可能是解压炸弹")
        yield image

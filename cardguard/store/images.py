"""答案里的图片：下载后存成本地文件，答案里只留一个 `[图片:<名字>]` 标记。

发送时只把这个标记换成本地文件的图片段；用户文字永远不会变成别的消息段。
下载走 `cardguard.net.fetch`（只连公网、每次跳转重新检查、总时限、解压后大小上限），
存盘前用 `open_image` 校验格式和像素（20000x20000 的 PNG 会被干净地拒绝）。
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from ..net import (
    FetchError,
    FetchOptions,
    ImageRejected,
    TooLarge,
    fetch,
    open_image,
    private_allowed,
)
from .errors import StoreError
from .files import fsync_dir

MARKER_RE = re.compile(r"\[图片:([0-9a-f]{16}\.(?:png|jpg|gif|webp|bmp))\]")
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}
MAX_IMAGE_BYTES = 5_000_000
MAX_IMAGE_PIXELS = 40_000_000  # 长截图（1080x20000）也能存；再大就不像答案配图了
TIMEOUT = 10.0


class ImageError(StoreError):
    """图片没能存下来（下载失败、太大、不是图片）。"""


def marker(name: str) -> str:
    """答案里代表一张图片的标记。"""
    return f"[图片:{name}]"


def split_answer(text: str) -> list[tuple[str, str]]:
    """把答案拆成（"text", 文字）和（"image", 文件名）两种片段，保持原顺序。"""
    parts: list[tuple[str, str]] = []
    position = 0
    for match in MARKER_RE.finditer(text):
        if match.start() > position:
            parts.append(("text", text[position : match.start()]))
        parts.append(("image", match.group(1)))
        position = match.end()
    if position < len(text):
        parts.append(("text", text[position:]))
    return parts


def image_file(files_dir: Path, name: str) -> Path | None:
    """标记对应的本地文件；名字不合规或文件不存在时为 None。"""
    if not MARKER_RE.fullmatch(marker(name)):
        return None
    path = files_dir / name
    return path if path.is_file() else None


def save_image(files_dir: Path, data: bytes) -> str:
    """校验是图片后按内容哈希存盘（同图只存一份），返回文件名。"""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError("图片太大了")
    ext = _image_format(data)
    name = f"{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    path = files_dir / name
    if not path.exists():
        _write_bytes(path, data)
    return name


def _image_format(data: bytes) -> str:
    try:
        with open_image(data, max_pixels=MAX_IMAGE_PIXELS, formats=tuple(FORMATS)) as img:
            fmt = img.format or ""
            img.verify()
    except ImageRejected as exc:
        raise ImageError(str(exc)) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError("这不是能识别的图片") from exc
    if fmt not in FORMATS:
        raise ImageError(f"不支持的图片格式：{fmt or '未知'}")
    return FORMATS[fmt]


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = ""
        fsync_dir(path.parent)
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


async def download_image(
    url: str,
    files_dir: Path,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_IMAGE_BYTES,
    allow_private: bool | None = None,
) -> str:
    """下载一张图片并存盘，返回文件名；失败抛出 `ImageError`（中文说明）。

    timeout 是整个下载（含跳转、慢速响应体）的总时限；allow_private 对应设置
    CARDGUARD_FETCH_PRIVATE（OneBot 实现把图片放在本机时才需要打开；None 时看同名环境变量）。
    """
    options = FetchOptions(
        timeout=timeout,
        max_bytes=max_bytes,
        allow_private=private_allowed(allow_private),
        accept="image/*",
    )
    try:
        result = await fetch(url, options)
    except TooLarge as exc:
        raise ImageError("图片太大了") from exc
    except FetchError as exc:
        raise ImageError(f"图片下载失败：{exc}") from exc
    return save_image(files_dir, result.content)

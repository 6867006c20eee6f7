"""答案图片：把命令里的图片存成本地文件；发送时只把 [图片:名字] 换成本地文件的图片段。"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nonebot.adapters import Bot, Event, Message
from nonebot.log import logger

from cardguard.store import ImageError, download_image, image_file, marker, split_answer
from plugins.guard_core import Runtime, chat_of, log_dropped, text_message

try:
    from nonebot.adapters.onebot.v11 import MessageEvent as OBMessageEvent
    from nonebot.adapters.onebot.v11 import MessageSegment as OBSegment
except ImportError:  # pragma: no cover
    OBMessageEvent = OBSegment = None  # type: ignore[assignment, misc]

MAX_IMAGES = 3


def image_urls(message: Iterable[Any]) -> list[str]:
    """消息里图片段的下载地址（OneBot 的 url，或 file 本身是 http 地址）。"""
    urls: list[str] = []
    for segment in message:
        if segment.type != "image":
            continue
        url = segment.data.get("url") or segment.data.get("file") or ""
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            urls.append(url)
    return urls


async def save_images(urls: list[str], files_dir: Path) -> tuple[list[str], list[str]]:
    """下载并保存图片，返回（答案里的标记，失败说明）。"""
    markers: list[str] = []
    problems: list[str] = []
    if len(urls) > MAX_IMAGES:
        problems.append(f"一条答案最多 {MAX_IMAGES} 张图，多的没存")
    for url in urls[:MAX_IMAGES]:
        try:
            markers.append(marker(await download_image(url, files_dir)))
        except ImageError as exc:
            logger.warning(f"保存答案图片失败：{exc}（{url[:80]}）")
            problems.append(str(exc))
    return markers, problems


def answer_message(
    event: Event, text: str, files_dir: Path | None, *, quote: bool = True
) -> Message:
    """答案消息：文字都是文本段；只有我们存下的本地图片文件变成图片段。"""
    if OBMessageEvent is None or not isinstance(event, OBMessageEvent) or files_dir is None:
        return text_message(event, text, quote=quote)
    segments = [OBSegment.reply(event.message_id)] if quote else []
    for kind, value in split_answer(text):
        path = image_file(files_dir, value) if kind == "image" else None
        if path is not None:
            segments.append(OBSegment.image(path))
        elif kind == "image":
            segments.append(OBSegment.text("[图片已丢失]"))
        elif value.strip():
            segments.append(OBSegment.text(value))
    return event.message.__class__(segments)


async def send_answer(runtime: Runtime, bot: Bot, event: Event, text: str) -> bool:
    """经发言预算发送一条可能带图的答案；返回是否发出。"""
    chat = chat_of(event)
    key = chat.group or f"user:{chat.user}"
    if not runtime.budget.try_take(key, runtime.now()):
        log_dropped(runtime, key)  # 和文字回复一样：每个群每分钟只记一条
        return False
    try:
        await bot.send(event, answer_message(event, text, runtime.media_dir))
    except Exception as exc:
        logger.warning(f"向 {key} 发送失败：{exc!r}")
        return False
    return True

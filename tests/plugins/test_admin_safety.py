"""发回群里的东西都安全：用户写的 CQ 码原样显示；答案里的图片存成本地文件再发。"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nonebot.adapters.onebot.v11 import Message, MessageSegment
from nonebug import App

from tests.loopback import serve_bytes

from .admin_kit import ADMIN, fresh_service, kinds, say, talk, texts
from .events import group_message

G1 = 740001
AT_ALL = "[CQ:at,qq=all]"


@pytest.fixture
def admin(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from fresh_service(runtime, tmp_path, monkeypatch)


def by_admin(message: str | Message) -> Any:
    return group_message(message, group=G1, user=ADMIN, role="admin")


async def test_cq_codes_typed_by_users_come_back_as_plain_text(app: App, admin: Any) -> None:
    reply = await say(app, by_admin(f"/faq add {AT_ALL}本群通知怎么看 | {AT_ALL} 看群公告。"))
    assert reply.startswith("已添加 g740001-1")
    (answer,) = await talk(app, group_message(f"/问 {AT_ALL}本群通知怎么看", group=G1))
    assert kinds(answer) == ["reply", "text"] and texts(answer) == f"{AT_ALL} 看群公告。"
    found = await say(app, by_admin(f"/faq search {AT_ALL}"))
    assert f"搜索「{AT_ALL}」" in found and f"g740001-1「{AT_ALL}本群通知怎么看」" in found
    shown = await say(app, by_admin("/faq show g740001-1"))
    assert f"问题：{AT_ALL}本群通知怎么看" in shown
    admin.store.compact()
    stored = (admin.store.dir / "entries.yaml").read_text(encoding="utf-8")
    assert AT_ALL in stored


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def image_server() -> Iterator[str]:
    """127.0.0.1 上的小图片服务器：/ok.png 返回一张 PNG，/text 返回非图片。

    服务器在本机：测试的设置打开了 CARDGUARD_FETCH_PRIVATE（见 tests/conftest.py；默认不连本机/内网地址）。
    """
    with serve_bytes({"/ok.png": png_bytes(), "/text": b"not an image"}) as url:
        yield url


def with_image(text: str, url: str) -> Message:
    return Message(
        [MessageSegment.text(text), MessageSegment("image", {"file": "a.png", "url": url})]
    )


async def test_answer_images_are_saved_as_files_and_sent_back_from_disk(
    app: App, admin: Any, image_server: str
) -> None:
    reply = await say(
        app, by_admin(with_image("/faq add 举报入口在哪\n看图：", f"{image_server}/ok.png"))
    )
    assert reply.startswith("已添加 g740001-1") and "图片没存下来" not in reply
    saved = list((admin.store.dir / "files").glob("*.png"))
    assert len(saved) == 1 and saved[0].read_bytes() == png_bytes()
    assert admin.runtime.knowledge.get("g740001-1").answer == f"看图：\n[图片:{saved[0].name}]"

    (shown,) = await talk(app, by_admin("/faq show g740001-1"))
    assert kinds(shown) == ["reply", "text", "image"]
    assert shown[-1].data["file"] == saved[0].resolve().as_uri()


async def test_failed_image_download_keeps_the_text(
    app: App, admin: Any, image_server: str
) -> None:
    reply = await say(
        app, by_admin(with_image("/faq add 客服在哪 | 找群主。", f"{image_server}/text"))
    )
    assert reply.startswith("已添加 g740001-1")
    assert "图片没存下来：这不是能识别的图片。文字已保存。" in reply
    assert admin.runtime.knowledge.get("g740001-1").answer == "找群主。"

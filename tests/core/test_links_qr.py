"""图片二维码：从本机回环地址上的测试服务器下载真实的二维码图片并解码；坏情况不抛异常。

测试服务器在 127.0.0.1 上，所以下载都带 allow_private=True（即 CARDGUARD_FETCH_PRIVATE=true）；
不带时本机地址一律不连，见 test_loopback_images_are_refused_by_default。
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import segno
from PIL import Image

from cardguard.links import fetch_qr_texts, image_urls, load_rules, scan
from cardguard.links.qr import decode_qr


def _qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def _bomb_png() -> bytes:
    """字节很少、像素极多的 PNG（解压炸弹）。"""
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")
    return buffer.getvalue()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    release: ClassVar[threading.Event] = threading.Event()
    files: ClassVar[dict[str, bytes]] = {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        if self.path == "/hang":
            self.server.release.wait(10)
            return
        if self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/qr.png")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        if self.path != "/chunked-big":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # 测试里不打印访问日志
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.files = {
        "/qr.png": _qr_png("https://kami88.top/buy/7"),
        "/qr2.png": _qr_png("kami88点top"),
        "/plain.png": _png_without_qr(),
        "/big.png": b"\x89PNG" + b"\0" * 3_000_000,
        "/chunked-big": b"\0" * 3_000_000,
        "/bomb.png": _bomb_png(),
        "/text.png": b"this is not an image",
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}"
    server.release.set()
    server.shutdown()
    server.server_close()


def _png_without_qr() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_urls_from_segments() -> None:
    segments = [
        {"type": "image", "data": {"file": "abc.jpg", "url": "https://gchat.qpic.cn/a/0"}},
        {"type": "image", "data": {"file": "http://img.example.com/b.png"}},
        {"type": "image", "data": {"file": "file:///tmp/c.png"}},
        {"type": "image", "data": {"url": "https://gchat.qpic.cn/a/0"}},
        {"type": "text", "data": {"text": "https://x.example.com/d.png"}},
        {"type": "image", "data": None},
        "junk",
    ]
    assert image_urls(segments) == ["https://gchat.qpic.cn/a/0", "http://img.example.com/b.png"]  # type: ignore[arg-type]


async def test_qr_in_image_is_decoded_and_warned(base_url: str) -> None:
    texts = await fetch_qr_texts(
        [f"{base_url}/qr.png", f"{base_url}/plain.png"], timeout=3, allow_private=True
    )
    assert texts == ["https://kami88.top/buy/7"]
    result = scan([{"type": "text", "data": {"text": "扫码下单"}}], load_rules(), extra_texts=texts)
    assert result.verdict == "warn"
    assert result.top is not None and result.top.host == "kami88.top"


async def test_at_most_three_images_per_message(base_url: str) -> None:
    urls = [f"{base_url}/qr.png?{i}" for i in range(5)]
    urls[0] = f"{base_url}/qr2.png"
    texts = await fetch_qr_texts(urls, allow_private=True)
    assert len(texts) <= 3 and "kami88点top" in texts


@pytest.mark.parametrize("path", ["/big.png", "/chunked-big", "/bomb.png", "/text.png", "/missing"])
async def test_bad_images_return_empty_and_log_once(
    base_url: str, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="cardguard.links"):
        assert (
            await fetch_qr_texts([base_url + path], max_bytes=2_000_000, allow_private=True) == []
        )
    records = [r for r in caplog.records if r.name == "cardguard.links"]
    assert len(records) == 1 and "二维码图片" in records[0].getMessage()
    assert path not in records[0].getMessage(), "群友发的图片地址不进警告日志"


async def test_never_responding_server_times_out(base_url: str) -> None:
    started = time.monotonic()
    assert await fetch_qr_texts([f"{base_url}/hang"], timeout=0.5, allow_private=True) == []
    assert time.monotonic() - started < 5  # 远小于服务器挂起的 10 秒


async def test_unreachable_and_invalid_urls() -> None:
    urls = ["http://127.0.0.1:9/none.png", "not a url", "http://[::1"]
    assert await fetch_qr_texts(urls, timeout=1, allow_private=True) == []
    assert await fetch_qr_texts([]) == []


async def test_loopback_images_are_refused_by_default(
    base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="cardguard.links"):
        assert await fetch_qr_texts([f"{base_url}/qr.png"]) == []
    assert "本机地址" in caplog.text


async def test_redirect_to_a_loopback_qr_is_not_followed(
    base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """第 16 号问题里的复现：公网图片跳转到 127.0.0.1 上的二维码。这里起点就在本机，所以用
    allow_private=True 放行第一跳，但跳转目标是链路本地地址（云服务器元数据），放行了也不连。"""
    with caplog.at_level(logging.WARNING, logger="cardguard.links"):
        assert await fetch_qr_texts([f"{base_url}/to-metadata"], allow_private=True) == []
    assert "链路本地地址" in caplog.text


def test_decode_rejects_decompression_bombs() -> None:
    with pytest.raises(ValueError, match="像素过多"):
        decode_qr(_bomb_png())


def test_decode_rejects_a_huge_png_cleanly() -> None:
    """20000x20000：Pillow 自己会抛 DecompressionBombError，这里必须变成 ValueError。"""
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    with pytest.raises(ValueError, match="解压炸弹"):
        decode_qr(buffer.getvalue())

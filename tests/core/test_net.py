"""统一下载通道 cardguard.net：地址检查、跳转、总时限、解压后大小上限、Cookie、图片像素上限。

所有服务器都在 127.0.0.x 上由测试自己启动。因为它们在本机，需要真连的用例带
allow_private=True；“每一跳都在连接时检查”的用例把 127.0.0.2 设成禁止连接的地址来演示。
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import io
import ipaddress
import socket
import time
import tracemalloc
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pytest
from PIL import Image

from cardguard.net import (
    BadContent,
    BadStatus,
    BadUrl,
    FetchOptions,
    FetchTimeout,
    ImageRejected,
    NetworkError,
    TooLarge,
    TooManyRedirects,
    UnsafeAddress,
    addresses,
    categorize,
    decode_text,
    fetch,
    open_image,
    private_allowed,
    short_url,
)
from cardguard.store.images import ImageError, download_image, save_image
from tests.hostile_http import (
    HostileServer,
    compressed,
    drip,
    endless,
    hang,
    head,
    page,
    redirect,
    serve,
    status,
)

LOCAL = FetchOptions(allow_private=True, timeout=3.0)


@lru_cache(maxsize=4)
def png(width: int = 8, height: int = 8, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    routes = {
        "/ok": page("<title>好</title>你好"),
        "/to-ok": redirect("/ok"),
        "/to-abs": redirect("PLACEHOLDER"),
        "/loop": redirect("/loop"),
        "/chain-1": redirect("/chain-2"),
        "/chain-2": redirect("/chain-3"),
        "/chain-3": redirect("/chain-4"),
        "/chain-4": redirect("/chain-5"),
        "/chain-5": redirect("/chain-6"),
        "/chain-6": redirect("/ok"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-file": redirect("file:///etc/passwd"),
        "/to-nowhere": status(302),
        "/missing": status(404),
        "/drip": drip(0.3),
        "/hang": hang(),
        "/endless": endless(),
        "/big-declared": page(b"x" * 300_000, "text/plain"),
        "/bomb": compressed(b"\0" * 60_000_000, "gzip"),
        "/deflate": compressed(b"<p>deflate zlib</p>", "deflate"),
        "/raw-deflate": compressed(b"<p>deflate raw</p>", "raw-deflate"),
        "/brotli": compressed(b"not really brotli", "br"),
        "/double": compressed(gzip.compress(b"x"), "gzip, gzip"),
        "/corrupt": fake_gzip(),
        "/png": page(png(), "image/png"),
        "/set-cookie": redirect("/echo", **{"Set-Cookie": "sid=secret; Path=/"}),
        "/echo": page("echo"),
    }
    with serve(routes) as running:
        routes["/to-abs"] = redirect(running.url("/ok"))
        yield running


@contextlib.contextmanager
def same_port_pair(
    outer: dict[str, Any], inner: dict[str, Any]
) -> Iterator[tuple[HostileServer, HostileServer]]:
    """127.0.0.1 和 127.0.0.2 上同一个端口各起一台服务器（端口碰巧被占就换一个再试）。"""
    for _ in range(20):
        with serve(outer) as outside:
            try:
                inside_server = serve(inner, host="127.0.0.2", port=outside.port)
                inside = inside_server.__enter__()
            except OSError:
                continue
            try:
                yield outside, inside
            finally:
                inside_server.__exit__(None, None, None)
            return
    raise OSError("找不到 127.0.0.1 和 127.0.0.2 都空着的端口")


def fake_gzip() -> Any:
    """声明 gzip，内容却是 gzip 头加垃圾。"""

    async def handler(_: Any, writer: asyncio.StreamWriter) -> None:
        data = b"\x1f\x8b\x08\x00" + b"garbage" * 10
        writer.write(
            head(200, {"Content-Encoding": "gzip", "Content-Length": str(len(data))}) + data
        )

    return handler


# ---------------------------------------------------------------- 地址


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("8.8.8.8", "public"),
        ("2606:4700::1111", "public"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("100.64.0.1", "cgnat"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.0.8", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4 映射
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 包着 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 包着 169.254.169.254
        ("64:ff9b::808:808", "public"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"),  # Teredo
    ],
)
def test_address_categories(address: str, category: str) -> None:
    assert categorize(ipaddress.ip_address(address)) == category


def test_allow_private_never_opens_link_local_multicast_or_reserved() -> None:
    def refused(text: str, allow: bool) -> bool:
        return addresses.refusal(ipaddress.ip_address(text), allow_private=allow) is not None

    for text in ("127.0.0.1", "10.0.0.1", "100.64.0.1", "::ffff:192.168.0.1"):
        assert refused(text, False) and not refused(text, True), text
    for text in ("169.254.169.254", "224.0.0.1", "0.0.0.0", "240.0.0.1", "fe80::1"):
        assert refused(text, False) and refused(text, True), text
    assert not refused("8.8.8.8", False)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1:8080/x.png",
    ],
)
async def test_private_targets_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(UnsafeAddress) as caught:
        await fetch(url, FetchOptions(timeout=3))
    assert "不去连接" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://user:pw@example.com/",
        "http:///nohost",
        "not a url",
        "http://[::1",
    ],
)
async def test_only_plain_http_urls_are_fetched(url: str) -> None:
    with pytest.raises((BadUrl, UnsafeAddress)):
        await fetch(url, FetchOptions(timeout=3))


def test_environment_fallback_for_the_private_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARDGUARD_FETCH_PRIVATE", raising=False)
    assert private_allowed(None) is False
    monkeypatch.setenv("CARDGUARD_FETCH_PRIVATE", "true")
    assert private_allowed(None) is True
    assert private_allowed(False) is False  # 明确给的值优先
    monkeypatch.setenv("CARDGUARD_FETCH_PRIVATE", "no")
    assert private_allowed(None) is False


def test_short_url_drops_query_strings() -> None:
    url = "https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=AAA&rkey=SECRET"
    assert short_url(url) == "multimedia.nt.qq.com.cn/download"


# ---------------------------------------------------------------- 跳转


async def test_plain_fetch_and_redirects(server: HostileServer) -> None:
    result = await fetch(server.url("/ok"), LOCAL)
    assert result.status == 200 and result.text().endswith("你好")
    assert result.content_type == "text/html" and result.charset == "utf-8"
    moved = await fetch(server.url("/to-ok"), LOCAL)
    assert moved.url == server.url("/ok") and moved.redirects == (server.url("/to-ok"),)
    absolute = await fetch(server.url("/to-abs"), LOCAL)
    assert absolute.text().endswith("你好")


async def test_redirect_loops_and_long_chains_stop(server: HostileServer) -> None:
    with pytest.raises(TooManyRedirects):
        await fetch(server.url("/loop"), LOCAL)
    with pytest.raises(TooManyRedirects):
        await fetch(server.url("/chain-1"), LOCAL)  # 6 次跳转，上限 5
    result = await fetch(server.url("/chain-1"), LOCAL.with_changes(max_redirects=6))
    assert len(result.redirects) == 6
    assert server.paths().count("/loop") == 6  # 第一次请求 + 5 次跳转，然后停下


async def test_redirects_to_unsafe_or_odd_targets(server: HostileServer) -> None:
    with pytest.raises(UnsafeAddress, match="链路本地地址"):
        await fetch(server.url("/to-metadata"), LOCAL)
    with pytest.raises(BadUrl):
        await fetch(server.url("/to-file"), LOCAL)
    with pytest.raises(BadStatus):
        await fetch(server.url("/to-nowhere"), LOCAL)
    with pytest.raises(BadStatus) as missing:
        await fetch(server.url("/missing"), LOCAL)
    assert missing.value.status == 404


@pytest.fixture
def refuse_127_0_0_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """把 127.0.0.2 当成不许连的地址（模拟跳转到内网/重绑定到内网），127.0.0.1 照常放行。"""
    original = addresses.refusal

    def refusal(address: Any, *, allow_private: bool = False) -> str | None:
        if str(address) == "127.0.0.2":
            return f"{address} 是内网地址，不去连接"
        return original(address, allow_private=allow_private)

    monkeypatch.setattr(addresses, "refusal", refusal)


@pytest.mark.usefixtures("refuse_127_0_0_2")
async def test_every_redirect_hop_is_checked_when_connecting() -> None:
    with serve({"/secret": page("内网的秘密")}, host="127.0.0.2") as inside:
        with (
            serve({"/go": redirect(inside.url("/secret"))}) as outside,
            pytest.raises(UnsafeAddress),
        ):
            await fetch(outside.url("/go"), LOCAL)
        assert inside.requests == []  # 一个字节都没发过去


@pytest.mark.usefixtures("refuse_127_0_0_2")
async def test_dns_rebinding_between_hops_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """同一个名字第一次解析到允许的地址、第二次解析到不允许的：连接时再查，所以第二跳被拒。"""
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2"])
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with serve({"/secret": page("内网的秘密")}, host="127.0.0.2") as inside:
        with serve({"/a": redirect("/secret")}, host="127.0.0.1") as first:
            # 内外两台服务器端口不同；让 rebind.test 的两次解析都指向同一个端口号不现实，
            # 所以第二跳写明内网服务器的端口，名字仍是 rebind.test
            first.routes["/a"] = redirect(f"http://rebind.test:{inside.port}/secret")
            with pytest.raises(UnsafeAddress, match=r"rebind\.test"):
                await fetch(f"http://rebind.test:{first.port}/a", LOCAL)
            assert first.paths() == ["/a"]
        assert inside.requests == []


async def test_a_name_with_any_private_answer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(UnsafeAddress, match="内网地址"):
        await fetch("http://mixed.test/", FetchOptions(timeout=3))


async def test_the_connection_goes_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """解析一次、检查、就连这个 IP：如果连接时再按名字解析一次，就会连到第二个答案 127.0.0.2。"""
    answers = iter(["127.0.0.1"])
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            address = next(answers, "127.0.0.2")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with same_port_pair({"/page": page("外面")}, {"/page": page("内网")}) as (outside, inside):
        result = await fetch(f"http://rebind.test:{outside.port}/page", LOCAL)
    assert result.text() == "外面" and inside.requests == []


async def test_unresolvable_and_unreachable_hosts() -> None:
    with pytest.raises((NetworkError, FetchTimeout)):
        await fetch("http://does-not-exist.invalid/", FetchOptions(timeout=3))
    with pytest.raises(NetworkError):
        await fetch("http://127.0.0.1:9/", LOCAL)  # 没人监听的端口


# ---------------------------------------------------------------- 时限


async def test_a_dripping_body_ends_at_the_deadline(server: HostileServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="下载超时"):
        await fetch(server.url("/drip"), LOCAL.with_changes(timeout=1.0))
    # 服务器要吐 300 秒；总时限 1 秒，给慢机器留足余量也远小于 300 秒
    assert time.monotonic() - started < 10


async def test_a_server_that_never_answers_ends_at_the_deadline(server: HostileServer) -> None:
    with pytest.raises(FetchTimeout):
        await fetch(server.url("/hang"), LOCAL.with_changes(timeout=0.5))


async def test_the_deadline_covers_all_redirect_hops() -> None:
    """每一跳都慢 0.4 秒：单看每一跳都不超时，合起来超过 1 秒的总时限。"""

    def slow_redirect(target: str) -> Any:
        inner = redirect(target)

        async def handler(request: Any, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(0.4)
            await inner(request, writer)

        return handler

    routes = {f"/s{i}": slow_redirect(f"/s{i + 1}") for i in range(5)}
    routes["/s5"] = page("done")
    with serve(routes) as slow:
        with pytest.raises(FetchTimeout):
            await fetch(slow.url("/s0"), LOCAL.with_changes(timeout=1.0))
        assert len(slow.requests) < 5


# ---------------------------------------------------------------- 大小


async def test_size_caps(server: HostileServer) -> None:
    with pytest.raises(TooLarge):
        await fetch(server.url("/big-declared"), LOCAL.with_changes(max_bytes=100_000))
    with pytest.raises(TooLarge):
        await fetch(server.url("/endless"), LOCAL.with_changes(max_bytes=100_000))
    cut = await fetch(server.url("/endless"), LOCAL.with_changes(max_bytes=5000, truncate=True))
    assert len(cut.content) == 5000 and cut.truncated


async def test_gzip_bomb_stops_at_the_cap_without_inflating_it(server: HostileServer) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            await fetch(server.url("/bomb"), LOCAL.with_changes(max_bytes=256_000))
        cut = await fetch(server.url("/bomb"), LOCAL.with_changes(max_bytes=256_000, truncate=True))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(cut.content) == 256_000 and cut.truncated
    assert peak < 16_000_000  # 解压后有 60 MB；一口气解开的话峰值至少 60 MB


async def test_content_encodings(server: HostileServer) -> None:
    assert (await fetch(server.url("/deflate"), LOCAL)).content == b"<p>deflate zlib</p>"
    assert (await fetch(server.url("/raw-deflate"), LOCAL)).content == b"<p>deflate raw</p>"
    for path in ("/brotli", "/double", "/corrupt"):
        with pytest.raises(BadContent):
            await fetch(server.url(path), LOCAL)


async def test_wrong_content_type_is_refused_before_reading(server: HostileServer) -> None:
    with pytest.raises(BadContent, match="image/png"):
        await fetch(server.url("/png"), LOCAL.with_changes(content_types=("text/html",)))


async def test_no_cookies_and_no_referer(server: HostileServer) -> None:
    await fetch(server.url("/set-cookie"), LOCAL)
    echo = [r for r in server.requests if r.path == "/echo"][-1]
    assert "cookie" not in echo.headers and "referer" not in echo.headers
    assert echo.headers["host"] == f"127.0.0.1:{server.port}"


async def test_error_messages_are_chinese_and_leave_out_the_query(server: HostileServer) -> None:
    with pytest.raises(UnsafeAddress) as caught:
        await fetch("http://127.0.0.1/img?rkey=SECRET", FetchOptions(timeout=3))
    with pytest.raises(BadStatus) as missing:
        await fetch(server.url("/missing?rkey=SECRET"), LOCAL)
    for exc in (caught.value, missing.value):
        assert "SECRET" not in str(exc) and any("\u4e00" <= c <= "\u9fff" for c in str(exc))


def test_decode_text_charsets() -> None:
    gbk = "<meta charset=gbk><title>发卡</title>".encode("gbk")
    assert "发卡" in decode_text(gbk)
    assert decode_text("卡密".encode("gb18030")) == "卡密"  # 没声明、不是 UTF-8
    assert decode_text("卡密".encode()) == "卡密"
    assert decode_text("卡密".encode("gbk"), "gb2312") == "卡密"
    assert decode_text(b"abc", "no-such-charset") == "abc"


# ---------------------------------------------------------------- 图片


def test_open_image_pixel_limits_and_formats() -> None:
    with open_image(png(30, 20)) as image:
        assert image.size == (30, 20)
    with pytest.raises(ImageRejected, match="像素过多"), open_image(png(200, 200), max_pixels=1000):
        pass
    huge = png(20000, 20000, "1")  # Pillow 自己会抛 DecompressionBombError
    with pytest.raises(ImageRejected, match="解压炸弹"), open_image(huge):
        pass
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"
    with pytest.raises(ImageRejected, match="不是能识别的图片"), open_image(eps):
        pass


def test_answer_images_refuse_pixel_bombs_cleanly(tmp_path: Any) -> None:
    with pytest.raises(ImageError, match="解压炸弹"):
        save_image(tmp_path, png(20000, 20000, "1"))
    assert list(tmp_path.iterdir()) == []


async def test_admin_image_download_goes_through_the_safe_fetch(tmp_path: Any) -> None:
    routes = {
        "/ok.png": page(png(), "image/png"),
        "/drip": drip(0.3),
        "/huge.png": endless("image/png"),
    }
    with serve(routes) as images:
        with pytest.raises(ImageError, match="本机地址"):
            await download_image(images.url("/ok.png"), tmp_path, allow_private=False)
        name = await download_image(images.url("/ok.png"), tmp_path, allow_private=True)
        assert (tmp_path / name).read_bytes() == png()
        started = time.monotonic()
        with pytest.raises(ImageError, match="下载超时"):
            await download_image(images.url("/drip"), tmp_path, timeout=1.0, allow_private=True)
        assert time.monotonic() - started < 10  # 以前 40 秒后还在读
        with pytest.raises(ImageError, match="太大"):
            await download_image(images.url("/huge.png"), tmp_path, allow_private=True)

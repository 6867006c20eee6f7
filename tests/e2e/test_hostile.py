"""怪异和恶意的输入：真实的 bot.py + 真实的 WebSocket。

每种输入发两遍，之后在一个新群里提问：机器人必须还活着、还能马上回答；日志里没有 traceback，
跳过的东西每类只记一次；群友的 QQ 号和私聊内容不进日志、不进数据文件。
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .onebot_peer import (
    BotProcess,
    Peer,
    bot_process,
    connected_peer,
    group_frame,
    private_frame,
)

TOKEN = "hostile-secret"
HOSTILE_GROUP = 8201
MEMBER = 37770001  # 群友的 QQ 号：不应出现在日志和数据文件里
PRIVATE_SECRET = "我的身份证号是一二三四五六七八"
_groups = itertools.count(8300)

DEEP_JSON = '{"a":' * 5000 + "1" + "}" * 5000
HUGE_TEXT = "卡密 kami88.top/buy/1 " * 10_000  # 约 200 KB


def seg(kind: str, data: Any) -> dict[str, Any]:
    return {"type": kind, "data": data}


ODD_MESSAGES: dict[str, Any] = {
    "200KB text": [seg("text", {"text": "啊" * 200_000})],
    "200KB at-question": [seg("at", {"qq": "900000"}), seg("text", {"text": HUGE_TEXT})],
    "deeply nested json card": [seg("json", {"data": DEEP_JSON})],
    "invalid json card": [seg("json", {"data": '{"meta": {"url": "https://kami1.top/buy/1"'})],
    "json card that is not a string": [seg("json", {"data": {"x": [1, 2]}})],
    "broken xml": [seg("xml", {"data": '<?xml <msg url="https://kami2.top/buy/3" <title>卡'})],
    "unknown segment type": [seg("hologram", {"z": 1}), seg("text", {"text": "hi?"})],
    "segment data null": [seg("text", None)],
    "segment data is a string": [seg("text", "abc")],
    "segment data is a list": [seg("image", [1, 2])],
    "segment without type": [{"data": {"text": "x"}}],
    "text is a number": [seg("text", {"text": 12345})],
    "message is a number": 123,
    "message is a dict": {"type": "text", "data": {"text": "hi"}},
    "control and bidi characters": [
        seg("text", {"text": "\u202e\u2066卡密\x00\x07\x1b[31m 付了钱不发货怎么办？\ud800\u202c"})
    ],
    "image that never arrives": [seg("image", {"file": "a.png", "url": "http://127.0.0.1:9/x"})],
    "image without url": [seg("image", {})],
    "reply with a bad id": [seg("reply", {"id": "abc"}), seg("text", {"text": "误报"})],
    "empty forward node": [seg("node", {"content": [[[]]]})],
    "thousands of segments": [seg("face", {"id": "1"})] * 5000,
}


def odd_frame(message: Any) -> dict[str, Any]:
    frame = group_frame("x", group=HOSTILE_GROUP, user=MEMBER)
    frame["message"] = message
    return frame


def unparseable_frame() -> dict[str, Any]:
    """缺了必需字段的消息事件：适配器解析失败时会把原始数据写进日志。"""
    return {"post_type": "message", "message_type": "group", "message": PRIVATE_SECRET}


@pytest.fixture(scope="module")
def bot() -> Iterator[BotProcess]:
    # 坏图片服务器在 127.0.0.1 上：打开 CARDGUARD_FETCH_PRIVATE，让机器人真的去连它
    with bot_process(token=TOKEN, CARDGUARD_FETCH_PRIVATE="true") as running:
        yield running


@pytest.fixture
async def peer(bot: BotProcess) -> AsyncIterator[Peer]:
    async with connected_peer(bot.port, TOKEN) as connected:
        yield connected


async def still_answers(peer: Peer) -> bool:
    group = next(_groups)
    asker = 37700000 + group  # 每次换个人问：同一个人 5 秒内只答一次
    await peer.send(group_frame("卡密用不了怎么办", group=group, user=asker, at_bot=True))
    return await peer.wait_for(lambda c: c.group == group, timeout=10) is not None


@pytest.mark.parametrize("name", list(ODD_MESSAGES))
async def test_odd_input_never_stalls_or_crashes_the_bot(
    bot: BotProcess, peer: Peer, name: str
) -> None:
    for _ in range(2):
        await peer.send(odd_frame(json.loads(json.dumps(ODD_MESSAGES[name]))))
    assert await still_answers(peer), f"发了 {name} 之后机器人不回答了"
    assert bot.proc.poll() is None, "机器人进程退出了"
    for call in peer.sent_to(HOSTILE_GROUP):
        assert not any(ch in call.text for ch in "\u202e\u2066\x00\x1b"), "回复里带着控制字符"


async def test_disguised_link_between_control_characters_is_still_warned(peer: Peer) -> None:
    group = next(_groups)
    text = "低价卡密\u200b 自动发货 kami\u200b77\u202c.top/buy/1 \ud800"
    await peer.send(group_frame(text, group=group, user=MEMBER))
    warning = await peer.wait_for(lambda c: c.group == group, timeout=10)
    assert warning is not None and "kami77[.]top" in warning.text
    assert "\u200b" not in warning.text and "\u202c" not in warning.text


async def test_logs_have_no_tracebacks_and_note_each_oddity_once(
    bot: BotProcess, peer: Peer
) -> None:
    await peer.send(unparseable_frame())
    await peer.send(private_frame(PRIVATE_SECRET + "怎么办", user=MEMBER + 2))
    assert await still_answers(peer)
    log = bot.output()
    assert "Traceback" not in log and "Task exception was never retrieved" not in log
    notes = [line for line in log.splitlines() if "10 分钟内只记一次" in line]
    assert notes, "跳过的东西应该记一条日志"
    assert len(notes) == len({line.split("| ", 1)[1] for line in notes}), "同一类记了不止一次"
    assert any("20000 字" in line for line in notes)


def data_files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


async def test_member_numbers_and_private_messages_stay_out_of_logs_and_files(
    bot: BotProcess, peer: Peer
) -> None:
    group = next(_groups)
    await peer.send(private_frame(PRIVATE_SECRET + "？", user=MEMBER + 3))
    asker = MEMBER + 4
    await peer.send(group_frame("群里有人问过的冷门问题吗", group=group, user=asker, at_bot=True))
    assert await peer.wait_for(lambda c: c.group == group, timeout=10)
    assert await still_answers(peer)
    log = bot.output()
    assert PRIVATE_SECRET not in log, "私聊内容进了日志"
    numbers = [str(MEMBER), str(asker)]
    assert not [n for n in numbers if n in log], "群友的 QQ 号进了日志"
    for path in data_files(bot.data):
        content = path.read_bytes()
        assert PRIVATE_SECRET.encode() not in content, f"私聊内容进了 {path}"
        assert not [n for n in numbers if n.encode() in content], f"群友的 QQ 号进了 {path}"


@contextlib.asynccontextmanager
async def bad_image_server() -> AsyncIterator[str]:
    """127.0.0.1 上的坏图片服务器：/hang 收下请求后永远不回，/huge 没完没了地发字节。"""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readline()
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            if b"/huge" in request:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n")
                while True:
                    writer.write(b"\x89PNG" * 16_384)
                    await writer.drain()
            await asyncio.sleep(3600)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def test_images_that_hang_or_never_end_do_not_hold_anyone_up(
    bot: BotProcess, peer: Peer
) -> None:
    group = next(_groups)
    async with bad_image_server() as base:
        for n in range(6):
            url = f"{base}/{'hang' if n % 2 else 'huge'}/{n}.png"
            image = seg("image", {"file": f"{n}.png", "url": url})
            await peer.send(group_frame("", group=group, user=MEMBER, segments=[image]))
        started = time.monotonic()
        assert await still_answers(peer), "别的群被坏图片拖住了"
        assert time.monotonic() - started < 1.0
        asker = 37800000 + group
        await peer.send(group_frame("卡密用不了怎么办", group=group, user=asker, at_bot=True))
        assert await peer.wait_for(lambda c: c.group == group, timeout=6), "本群被坏图片拖住了"
        assert bot.wait_output("二维码图片下载超时", timeout=6)
        assert bot.wait_output("二维码图片过大", timeout=6)
    log = bot.output()
    assert log.count("二维码图片下载超时") == 1 and log.count("二维码图片过大") == 1

"""安全加固（第二轮）：真实的 bot.py，经真实的 OneBot v11 WebSocket / HTTP 攻击它。

每个测试对应一条评审发现（见 issue 16 的编号），在加固之前的代码上都会失败。
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import json
import struct
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno

from .onebot_peer import (
    SELF_ID,
    BotProcess,
    Call,
    Peer,
    bot_process,
    connected_peer,
    group_frame,
)

TOKEN = "hardening-secret"
SUPER = 10001  # conftest / bot_env 里的 SUPERUSERS
_groups = itertools.count(9100)
_users = itertools.count(61000)


def seg(kind: str, data: Any) -> dict[str, Any]:
    return {"type": kind, "data": data}


def shop(n: int | str) -> str:
    return f"低价卡密 自动发货 全网最低 https://kami{n}.top/buy/12"


def is_warning(call: Call) -> bool:
    return call.text.startswith("⚠️")


@pytest.fixture(scope="module")
def bot() -> Iterator[BotProcess]:
    with bot_process(
        token=TOKEN, CARDGUARD_GROUP_MAX_ENTRIES="3", CARDGUARD_GROUP_MAX_SITES="2"
    ) as b:
        yield b


@pytest.fixture
async def peer(bot: BotProcess) -> AsyncIterator[Peer]:
    async with connected_peer(bot.port, TOKEN) as connected:
        yield connected


async def quiet_for(peer: Peer, group: int, seconds: float) -> list[Call]:
    await asyncio.sleep(seconds)
    return peer.sent_to(group)


# ---------- 1. 令牌守住每个端点 ----------


def http_event(frame: dict[str, Any], port: int, path: str, token: str | None) -> int:
    headers = {"X-Self-ID": str(SELF_ID), "Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    url = f"http://127.0.0.1:{port}{path}"
    return httpx.post(url, content=json.dumps(frame), headers=headers, timeout=5).status_code


@pytest.mark.parametrize("path", ["/onebot/v11/http", "/onebot/v11/", "/onebot/v11/http/"])
@pytest.mark.parametrize("token", [None, "wrong"])
async def test_http_events_without_the_token_are_refused_and_change_nothing(
    bot: BotProcess, peer: Peer, path: str, token: str | None
) -> None:
    group = next(_groups)
    forged = group_frame("/guard off", group=group, user=SUPER)
    status = await asyncio.to_thread(http_event, forged, bot.port, path, token)
    assert status in (401, 403), f"没带正确令牌的 POST {path} 得到了 {status}"
    add = group_frame("/faq add 充值找谁 | 加QQ 123456", group=group, user=SUPER)
    assert await asyncio.to_thread(http_event, add, bot.port, path, token) in (401, 403)
    await asyncio.sleep(0.5)
    await peer.send(group_frame(shop(f"h{group}"), group=group))
    warning = await peer.wait_for(lambda c: c.group == group, timeout=10)
    assert warning is not None and is_warning(warning), "伪造的 /guard off 生效了"
    audit = bot.data / "data"
    assert not any("充值找谁" in p.read_text("utf-8", "replace") for p in audit.rglob("*.jsonl"))


async def test_http_events_with_the_token_still_work(bot: BotProcess, peer: Peer) -> None:
    group = next(_groups)
    frame = group_frame("付了钱一直不发货怎么办", group=group, user=next(_users), at_bot=True)
    status = await asyncio.to_thread(http_event, frame, bot.port, "/onebot/v11/http", TOKEN)
    assert status == 204
    assert await peer.wait_for(lambda c: c.group == group, timeout=10) is not None


# ---------- 2. 一条消息拖不住别的群 ----------


def paren_card() -> dict[str, Any]:
    tail = "http://a/" + ")" * 19_980
    return seg("json", {"data": json.dumps({"meta": {"a": tail, "b": tail, "c": tail}})})


async def test_cards_full_of_parentheses_do_not_hold_up_another_group(peer: Peer) -> None:
    flooded, other = next(_groups), next(_groups)
    for _ in range(4):
        frame = group_frame("", group=flooded, segments=[paren_card() for _ in range(10)])
        await peer.send(frame)
    asked = await peer.send(group_frame("/帮助", group=other, user=next(_users)))
    answer = await peer.wait_for(lambda c: c.group == other, timeout=15)
    assert answer is not None, "另一个群的 /帮助 没有得到回答"
    assert answer.at - asked < 1.0, f"另一个群等了 {answer.at - asked:.2f} 秒"


# ---------- 3. 群友用不完提醒的预算 ----------


async def test_help_spam_from_one_member_cannot_use_up_the_warning_budget(peer: Peer) -> None:
    group, member = next(_groups), next(_users)
    for _ in range(12):
        await peer.send(group_frame("/帮助", group=group, user=member))
    await asyncio.sleep(1.0)
    helps = peer.sent_to(group)
    assert len(helps) <= 1, f"同一个人刷 /帮助 得到了 {len(helps)} 条回复"
    await peer.send(group_frame(shop(f"s{group}"), group=group, user=next(_users)))
    warning = await peer.wait_for(lambda c: c.group == group and is_warning(c), timeout=10)
    assert warning is not None, "刷完 /帮助 之后卡盟链接没有得到提醒"


async def test_refusals_to_a_member_are_limited(peer: Peer) -> None:
    group, member = next(_groups), next(_users)
    for word in ["误报", "答错了"] * 6:
        await peer.send(group_frame(word, group=group, user=member))
    sent = await quiet_for(peer, group, 1.5)
    assert len(sent) <= 1, f"同一个人刷“误报/答错了”得到了 {len(sent)} 条拒绝"


async def test_a_warning_that_failed_to_send_does_not_silence_the_site(peer: Peer) -> None:
    group = next(_groups)
    failed: list[Call] = []

    def fail_first_warning(call: Call) -> bool:
        if call.group == group and is_warning(call) and not failed:
            failed.append(call)
            return True
        return False

    peer.fail = fail_first_warning
    await peer.send(group_frame(shop(f"f{group}"), group=group, user=next(_users)))
    assert await peer.wait_for(lambda c: bool(failed), timeout=10)
    await asyncio.sleep(0.3)
    await peer.send(group_frame(shop(f"f{group}"), group=group, user=next(_users)))
    again = await peer.wait_for(lambda c: c.group == group and c is not failed[0], timeout=10)
    assert again is not None and is_warning(again), "没发出去的提醒让这个站点沉默了"


# ---------- 4. 撤回模式撤回每一条 ----------


async def test_recall_mode_recalls_every_post_of_a_blocked_link(peer: Peer) -> None:
    group = next(_groups)
    owner = next(_users)
    await peer.send(group_frame("/guard mode recall", group=group, user=owner, role="owner"))
    assert await peer.wait_for(lambda c: c.group == group, timeout=10)
    posts = [group_frame(shop(f"r{group}"), group=group, user=next(_users)) for _ in range(3)]
    for frame in posts:
        await peer.send(frame)
    await asyncio.sleep(2.0)
    recalled = {int(c.params["message_id"]) for c in peer.calls if c.action == "delete_msg"}
    assert {f["message_id"] for f in posts} <= recalled, "撤回模式只撤回了第一条"
    warnings = [c for c in peer.sent_to(group) if is_warning(c)]
    assert len(warnings) == 1, "同一个站点的提醒应只发一条"


# ---------- 5. 不去取本机和内网地址 ----------


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def huge_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """只有头的 PNG：声称 20000×20000 像素，一打开就是解压炸弹。"""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


class Server:
    """127.0.0.1 上的小服务器：/redirect/X 跳到 /X，/drip 每 5 秒给一个字节，其余按表返回。"""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.hits: list[str] = []
        self.base = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = (await reader.readline()).decode("latin-1")
        path = line.split(" ")[1] if " " in line else "/"
        self.hits.append(path)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            if path.startswith("/redirect/"):
                target = path.removeprefix("/redirect")
                writer.write(f"HTTP/1.1 302 Found\r\nLocation: {target}\r\n\r\n".encode())
            elif path == "/drip":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n")
                for _ in range(60):
                    writer.write(b"\x89")
                    await writer.drain()
                    await asyncio.sleep(5)
            else:
                body = self.files.get(path, b"")
                status = "200 OK" if body else "404 Not Found"
                head = f"HTTP/1.1 {status}\r\nContent-Type: image/png\r\n"
                writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def image_server(files: dict[str, bytes]) -> AsyncIterator[Server]:
    server = Server(files)
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.base = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
    try:
        yield server
    finally:
        listening.close()


def image(url: str) -> dict[str, Any]:
    return seg("image", {"file": "x.png", "url": url})


async def test_qr_behind_a_redirect_to_loopback_is_not_fetched(peer: Peer) -> None:
    group = next(_groups)
    async with image_server({"/qr.png": qr_png(shop(f"q{group}").split()[-1])}) as server:
        frame = group_frame("", group=group, segments=[image(f"{server.base}/redirect/qr.png")])
        await peer.send(frame)
        sent = await quiet_for(peer, group, 2.0)
        assert not sent, "本机地址上的二维码被下载、识别了"
        assert "/qr.png" not in server.hits, "跟着跳转去取了本机地址"


async def test_private_fetch_can_be_allowed_for_local_onebot_images() -> None:
    # 这里测的是“允许”，不是快慢：第一张图片紧跟在启动之后，和后台预热抢 CPU；CI 上 3 秒的默认下载时限
    # 偶尔不够（2026-12-08 在干净克隆里连续三次没等到提醒，单独跑总是通过），所以给宽一些的时限。
    with bot_process(
        token=TOKEN, CARDGUARD_FETCH_PRIVATE="true", CARDGUARD_QR_TIMEOUT="15"
    ) as running:
        async with connected_peer(running.port, TOKEN) as peer:
            group = next(_groups)
            link = shop(f"p{group}").split()[-1]
            async with image_server({"/qr.png": qr_png(link)}) as server:
                frame = group_frame("", group=group, segments=[image(f"{server.base}/qr.png")])
                await peer.send(frame)
                warning = await peer.wait_for(lambda c: c.group == group, timeout=25)
    assert warning is not None and f"kamip{group}[.]top" in warning.text, running.output()[-3000:]


async def test_admin_images_from_private_addresses_are_refused(peer: Peer) -> None:
    group = next(_groups)
    async with image_server({"/a.png": qr_png("hello")}) as server:
        text = seg("text", {"text": "/faq add 群里的二维码是什么 | 见图"})
        frame = group_frame(
            "", group=group, user=SUPER, segments=[text, image(server.base + "/a.png")]
        )
        await peer.send(frame)
        reply = await peer.wait_for(lambda c: c.group == group, timeout=10)
        assert reply is not None and "图片没存下来" in reply.text
        assert not server.hits, "去取了本机地址上的图片"


async def test_admin_image_download_has_one_deadline_and_pixel_limits() -> None:
    with bot_process(token=TOKEN, CARDGUARD_FETCH_PRIVATE="true") as running:
        async with (
            connected_peer(running.port, TOKEN) as peer,
            image_server({"/huge.png": huge_png()}) as server,
        ):
            for name in ("drip", "huge.png"):
                group = next(_groups)
                text = seg("text", {"text": f"/faq add 图片{name}是什么 | 见图"})
                segments = [text, image(f"{server.base}/{name}")]
                started = await peer.send(
                    group_frame("", group=group, user=SUPER, segments=segments)
                )
                reply = await peer.wait_for(lambda c, g=group: c.group == g, timeout=30)
                assert reply is not None, f"{name}：没有回复"
                assert "图片没存下来" in reply.text and "已添加" in reply.text
                assert reply.at - started < 15, f"{name}：等了 {reply.at - started:.0f} 秒"
        log = running.output()
    assert "Traceback" not in log and "DecompressionBomb" not in log


# ---------- 6. 私聊通知也只用消息段 ----------


async def test_notify_mode_sends_segments_so_cq_codes_stay_text(peer: Peer) -> None:
    group, owner = next(_groups), next(_users)
    peer.responses["get_group_member_list"] = [{"user_id": owner, "role": "owner"}]
    await peer.send(group_frame("/guard mode notify", group=group, user=owner, role="owner"))
    assert await peer.wait_for(lambda c: c.group == group, timeout=10)
    await peer.send(
        group_frame(f"低价卡密 自动发货 https://kami{group}.top/buy/[CQ:dice]", group=group)
    )
    notice = await peer.wait_for(lambda c: c.action == "send_private_msg", timeout=10)
    assert notice is not None, "没有私聊通知群管理"
    message = notice.params["message"]
    assert isinstance(message, list) and all(s["type"] == "text" for s in message), message
    assert "[CQ:dice" in notice.text  # 原样作为文字（链接末尾的 ] 被当成标点去掉了）


# ---------- 7. /faq history 只给看得到的人 ----------


async def test_history_of_another_groups_entry_is_not_shown(peer: Peer) -> None:
    home, other = next(_groups), next(_groups)
    author, stranger = next(_users), next(_users)
    await peer.send(
        group_frame("/faq add 本群开黑几点集合 | 晚上八点", group=home, user=author, role="admin")
    )
    added = await peer.wait_for(lambda c: c.group == home, timeout=10)
    assert added is not None and "已添加" in added.text
    entry_id = added.text.split("已添加 ", 1)[1].split("（", 1)[0]
    await peer.send(
        group_frame(f"/faq history {entry_id}", group=other, user=stranger, role="admin")
    )
    reply = await peer.wait_for(lambda c: c.group == other, timeout=10)
    assert reply is not None
    assert "开黑" not in reply.text and str(author) not in reply.text, reply.text


# ---------- 8. 配额 ----------


def snapshot(directory: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in directory.rglob("*") if p.is_file()}


async def test_group_quotas_refuse_clearly_and_adds_only_append(
    bot: BotProcess, peer: Peer
) -> None:
    group, admin = next(_groups), next(_users)
    replies: list[str] = []
    before: dict[Path, bytes] = {}
    for n in range(4):
        if n == 2:
            before = snapshot(bot.data / "data")
        await peer.send(
            group_frame(
                f"/faq add 第{n}个问题是什么 | 答案{n}", group=group, user=admin, role="admin"
            )
        )
        reply = await peer.wait_for(lambda c, k=n: len(peer.sent_to(group)) > k, timeout=10)
        assert reply is not None
        replies.append(peer.sent_to(group)[-1].text)
        if n == 2:
            after = snapshot(bot.data / "data")
            for path, old in before.items():
                new = after.get(path, b"")
                assert new.startswith(old), f"加一条问答改写了 {path.name}"
    assert all("已添加" in r for r in replies[:3]), replies
    assert "最多" in replies[3] and "已添加" not in replies[3], replies[3]
    for n in range(3):
        await peer.send(
            group_frame(f"/link block spam{n}.example.com", group=group, user=admin, role="admin")
        )
        await peer.wait_for(lambda c, k=n: len(peer.sent_to(group)) > 4 + k, timeout=10)
    last = peer.sent_to(group)[-1].text
    assert "最多" in last and "已拉黑" not in last, last


# ---------- 9. 不理自己的消息 ----------


async def test_own_messages_and_pasted_warnings_are_not_warned(peer: Peer) -> None:
    group, elsewhere = next(_groups), next(_groups)
    await peer.send(group_frame(shop(f"o{group}"), group=group, user=SELF_ID))
    assert not await quiet_for(peer, group, 1.5), "机器人回应了自己账号的消息"
    await peer.send(group_frame(shop(f"w{group}"), group=group, user=next(_users)))
    warning = await peer.wait_for(lambda c: c.group == group, timeout=10)
    assert warning is not None and is_warning(warning)
    await peer.send(group_frame(warning.text, group=elsewhere, user=next(_users)))
    assert not await quiet_for(peer, elsewhere, 1.5), "群友转贴机器人的提醒又被提醒了一次"


# ---------- 10. 默认日志不记群友的内容 ----------


async def test_default_logs_hold_no_urls_numbers_or_paths(bot: BotProcess, peer: Peer) -> None:
    group, member, admin = next(_groups), next(_users), next(_users)
    secret_host = f"kamisecret{group}.top"
    await peer.send(group_frame(f"低价卡密 https://{secret_host}/buy/1", group=group, user=member))
    assert await peer.wait_for(lambda c: c.group == group, timeout=10)
    cdn = "https://multimedia.nt.qq.com.cn/download?appid=1407&rkey=SECRETRKEY123"
    await peer.send(group_frame("", group=group, user=member, segments=[image(cdn)]))
    await peer.send(
        group_frame("/faq add 日志测试问题 | 日志测试答案", group=group, user=admin, role="admin")
    )
    await peer.send(group_frame("/faq export", group=group, user=admin, role="admin"))
    export = await peer.wait_for(lambda c: c.group == group and "导出" in c.text, timeout=10)
    assert export is not None
    assert str(bot.data) not in export.text and "/" not in export.text.replace("/faq", ""), (
        export.text
    )
    await asyncio.sleep(2.0)
    log = bot.output()
    for secret in (secret_host, "SECRETRKEY123", str(member), str(admin)):
        assert secret not in log, f"日志里有 {secret}"


# ---------- 11. CARDGUARD_LINK_GUARD=false ----------


async def test_link_guard_off_means_no_scan_and_no_download() -> None:
    with bot_process(
        token=TOKEN, CARDGUARD_LINK_GUARD="false", CARDGUARD_FETCH_PRIVATE="true"
    ) as b:
        async with connected_peer(b.port, TOKEN) as peer:
            group = next(_groups)
            async with image_server({"/qr.png": qr_png("https://kami5.top/buy/1")}) as server:
                await peer.send(group_frame(shop(f"g{group}"), group=group))
                await peer.send(
                    group_frame("", group=group, segments=[image(server.base + "/qr.png")])
                )
                sent = await quiet_for(peer, group, 2.0)
                assert not server.hits, "关了链接识别还在下载图片"
            asked = next(_users)
            await peer.send(
                group_frame("付了钱一直不发货怎么办", group=group, user=asked, at_bot=True)
            )
            answer = await peer.wait_for(lambda c: c.group == group, timeout=10)
    assert not sent, "关了链接识别还在提醒"
    assert answer is not None, "关了链接识别，问答也不工作了"


# ---------- issue 17：点名提问不被冷却吞掉 ----------


async def test_a_different_question_two_seconds_later_is_answered(peer: Peer) -> None:
    group, member = next(_groups), next(_users)
    await peer.send(group_frame("付了钱一直不发货怎么办", group=group, user=member, at_bot=True))
    assert await peer.wait_for(lambda c: c.group == group, timeout=10)
    await asyncio.sleep(2.0)
    await peer.send(group_frame("/问 怎么举报违法的发卡网", group=group, user=member))
    second = await peer.wait_for(lambda c: len(peer.sent_to(group)) >= 2, timeout=10)
    assert second is not None, "同一个人 2 秒后问另一个问题没有得到回答"


async def test_a_flooding_member_gets_at_most_one_slow_down(peer: Peer) -> None:
    group, member = next(_groups), next(_users)
    started = time.monotonic()
    for n in range(12):
        await peer.send(group_frame(f"/问 问题{n} 付了钱不发货怎么办{n}", group=group, user=member))
    sent = await quiet_for(peer, group, 2.0)
    assert time.monotonic() - started < 30
    slow = [c for c in sent if "慢一点" in c.text]
    assert len(slow) <= 1 and len(sent) <= 5, [c.text[:20] for c in sent]

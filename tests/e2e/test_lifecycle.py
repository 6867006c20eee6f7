"""进程的一生：启动、断线重连、SIGTERM/SIGINT 正常退出、kill -9 之后什么都没丢。

全部是真实的 `python bot.py` + 真实的 WebSocket。“已确认”指机器人已经回了“已添加 …”“已拉黑 …”。
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
import websockets
import yaml

from cardguard.store import Actor, Store

from .onebot_peer import ROOT, Peer, bot_env, bot_process, connected_peer, free_port, group_frame

TOKEN = "lifecycle-secret"
SUPER = 10001
ADDED_RE = re.compile(r"^已添加 (\S+?)（")
BLOCKED_RE = re.compile(r"^已拉黑 (\S+?)：")
_groups = iter(range(9500, 99999))


async def ask(peer: Peer, text: str = "付了钱一直不发货怎么办") -> str | None:
    """在一个新群里 @ 机器人提问，返回回答（10 秒内没有就是 None）。"""
    group = next(_groups)
    await peer.send(group_frame(text, group=group, user=30000 + group, at_bot=True))
    call = await peer.wait_for(lambda c: c.group == group, timeout=10)
    return call.text if call else None


async def command(peer: Peer, text: str, timeout: float = 10) -> str | None:
    """机器人管理员在一个新群里发命令（每个群各有发言预算），返回机器人的回执。"""
    group = next(_groups)
    await peer.send(group_frame(text, group=group, user=SUPER))
    call = await peer.wait_for(lambda c: c.group == group, timeout=timeout)
    return call.text if call else None


def data_dir_of(root: Path) -> Path:
    """bot.py 的管理员数据目录（LOCALSTORE_DATA_DIR/nonebot_plugin_cardguard/admin）。"""
    return root / "data" / "nonebot_plugin_cardguard" / "admin"


def seed_corrupt_entries(root: Path) -> str:
    """旧版本的数据目录（LOCALSTORE_DATA_DIR/admin），里面一份被写坏的 entries.yaml（上一版 .bak 完好）。

    启动时旧目录被原样搬到新位置，坏文件被挪开、用上一版恢复，之后的改动从审计日志重放。
    返回上一版里那条问题。
    """
    legacy = root / "data" / "admin"
    store = Store(legacy)
    who = Actor(str(SUPER), None)
    question = "启动恢复测试的暗号是什么"
    store.add_entry(who, {"question": question, "answer": "暗号是恢复成功。", "aliases": []})
    store.compact()
    store.add_entry(who, {"question": "第二条会被写坏", "answer": "这一版坏了。", "aliases": []})
    store.compact()
    (legacy / "entries.yaml").write_text("entries: [ {坏掉了\n", encoding="utf-8")
    return question


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_stop_signal_exits_cleanly_with_acknowledged_writes_on_disk(sig: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="cardguard-e2e-"))
    question = seed_corrupt_entries(root) if sig == signal.SIGTERM else None
    with bot_process(token=TOKEN, data=root) as bot:
        async with connected_peer(bot.port, TOKEN) as peer:
            if question is not None:  # 启动时坏文件被挪开、上一版恢复，照样能答
                assert await ask(peer, question) == "暗号是恢复成功。"
            reply = await command(peer, "/faq add 关机前最后加的问题是什么 | 关机前的答案。")
            assert reply and ADDED_RE.match(reply), reply
            added = ADDED_RE.match(reply).group(1)  # type: ignore[union-attr]
        code = bot.stop(sig)
        log = bot.output()
    assert code == 0, f"退出码 {code}\n{log[-2000:]}"
    assert "Traceback" not in log
    assert added in {e.id for e in Store(data_dir_of(root)).custom_entries()}
    if question is not None:
        assert "数据文件损坏" in log and "已用上一版 entries.yaml.bak 恢复" in log


async def test_peer_can_disconnect_and_reconnect() -> None:
    with bot_process(token=TOKEN) as bot:
        async with connected_peer(bot.port, TOKEN) as peer:
            assert await ask(peer)
        async with connected_peer(bot.port, TOKEN) as peer:  # 正常断开后重连
            assert await ask(peer), "重连之后不回答了"
            peer.ws.transport.abort()  # 网线被拔：连 close 帧都没有
        for _ in range(50):  # 机器人发现旧连接断了之前，同一个 QQ 号连不进来
            with contextlib.suppress(websockets.InvalidStatus, OSError):
                async with connected_peer(bot.port, TOKEN) as peer:
                    assert await ask(peer), "断线重连之后不回答了"
                    break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("断线后 5 秒内重连不上")
        assert "Traceback" not in bot.output()


async def write_until_killed(
    peer: Peer, tag: str, acked: dict[str, set[str]], arm: Callable[[], object]
) -> None:
    """不停地加问答、拉黑站点，把机器人回了“已…”的记下来，直到连接断开。

    第一次确认之后才调用 `arm`（安排 kill -9）：机器人忙的时候启动慢，
    按启动时刻定的 kill 可能在任何一次确认之前就到，这一轮就什么也没测。
    """
    with contextlib.suppress(websockets.ConnectionClosed, OSError):
        for n in range(10_000):
            if n == 1:
                arm()
            wait = 3 if n else 15  # 第一条可能碰上刚启动、机器正忙
            if n % 2:
                reply = await command(peer, f"/link block k{tag}-{n}.top", timeout=wait)
                found, kind = BLOCKED_RE.match(reply or ""), "site"
            else:
                reply = await command(
                    peer, f"/faq add 第{tag}轮第{n}条问题是什么 | 答案{n}。", wait
                )
                found, kind = ADDED_RE.match(reply or ""), "entry"
            if reply is None:
                return
            assert found, reply
            acked[kind].add(found.group(1))


def check_files_parse(directory: Path) -> None:
    for name in ("entries.yaml", "groups.yaml", "pending.yaml"):
        if (directory / name).exists():
            assert isinstance(yaml.safe_load((directory / name).read_text(encoding="utf-8")), dict)


async def test_kill_9_never_loses_an_acknowledged_change() -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    root = Path(tempfile.mkdtemp(prefix="cardguard-e2e-kill-"))
    acked: dict[str, set[str]] = {"entry": set(), "site": set()}
    for round_number in range(3):
        with bot_process(token=TOKEN, data=root) as bot:
            async with connected_peer(bot.port, TOKEN) as peer:
                loop = asyncio.get_running_loop()
                delay = rng.uniform(0.05, 1.0)  # kill -9，时刻随机（在第一次确认之后）
                arm = partial(loop.call_later, delay, bot.proc.kill)
                await write_until_killed(peer, str(round_number), acked, arm)
            assert bot.proc.wait(10) == -signal.SIGKILL
        check_files_parse(data_dir_of(root))
    store = Store(data_dir_of(root))
    assert acked["entry"], f"一次都没确认过（seed={seed}）"
    present = {e.id for e in store.custom_entries()}
    assert acked["entry"] <= present, f"丢了已确认的问答：{acked['entry'] - present}（seed={seed}）"
    blocked = {s for g in store.group_overrides().values() for s in g.get("block_sites", [])}
    assert acked["site"] <= blocked, f"丢了已确认的拉黑：{acked['site'] - blocked}（seed={seed}）"
    check_files_parse(data_dir_of(root))


def test_broken_knowledge_stops_start_up_with_file_line_and_entry(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "faq.yaml").write_text(
        "entries:\n  - id: Bad_Id\n    question: 卡盟是什么\n    aliases: [甲]\n    answer: 好的好的\n",
        encoding="utf-8",
    )
    env = bot_env(free_port(), tmp_path, TOKEN, {"CARDGUARD_KNOWLEDGE_DIR": str(knowledge)})
    proc = subprocess.run(
        [sys.executable, "bot.py"], cwd=ROOT, env=env, capture_output=True, timeout=60, text=True
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert f"{knowledge / 'faq.yaml'}:2 [Bad_Id]: " in output
    assert "Traceback" not in output


def test_public_address_without_token_refuses_to_start(tmp_path: Path) -> None:
    # 192.0.2.1 是保留给文档的地址，万一没拦住也绑不上
    env = bot_env(free_port(), tmp_path, None, {"HOST": "192.0.2.1", "ONEBOT_ACCESS_TOKEN": None})
    proc = subprocess.run(
        [sys.executable, "bot.py"], cwd=ROOT, env=env, capture_output=True, timeout=60, text=True
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "必须在 .env 里设置 ONEBOT_ACCESS_TOKEN" in output and "Traceback" not in output


async def test_listens_on_localhost_by_default_and_refuses_a_wrong_token() -> None:
    with bot_process(token=TOKEN, HOST=None) as bot:  # 不设 HOST：用默认值
        assert bot.wait_output(f"Uvicorn running on http://127.0.0.1:{bot.port}")
        url = f"ws://127.0.0.1:{bot.port}/onebot/v11/ws"
        headers = {"X-Self-ID": "900002", "X-Client-Role": "Universal", "Authorization": "Bearer x"}
        with pytest.raises(websockets.InvalidStatus) as info:
            async with websockets.connect(url, additional_headers=headers):
                pass
        assert info.value.response.status_code in (401, 403)

"""kill -9 测试：子进程不停地写，随机时刻被 SIGKILL；之后每个已确认的改动都在，每个文件都能读。

子进程每写成一步才打印一行：keep（加了且不会再删）、add（加了，紧接着会删）、group、del。
被杀时正在进行、还没打印的那一步可能成也可能没成，不算数。
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from cardguard.store import Store

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 6

CHILD = r"""
import sys
from pathlib import Path
from cardguard.store import Actor, Store


def ack(*words):
    # 一整行一次写出：PYTHONUNBUFFERED=1 时 print 会把每个参数分开写，被杀时可能只留下半行
    sys.stdout.write(" ".join(words) + "\n")
    sys.stdout.flush()


store = Store(Path(sys.argv[1]))
who = Actor("20001", "9")
tag = sys.argv[2]
ack("ready")
n = 0
while True:
    n += 1
    data = {"question": f"崩溃测试{tag}第{n}条", "answer": "答案" * 40, "aliases": [], "scope": "9"}
    entry, _ = store.add_entry(who, data)
    ack("keep" if n % 3 else "add", entry.id)
    store.set_group(who, "9", "link block", block_sites=[f"s{tag}-{n}.com"])
    ack("group", f"s{tag}-{n}.com")
    if n % 3 == 0:
        store.delete_entry(who, entry, in_base=False)
        ack("del", entry.id)
"""

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="需要 SIGKILL")


def run_and_kill(data_dir: Path, tag: str, delay: float) -> list[list[str]]:
    """启动写入子进程，等它就绪后过 delay 秒 kill -9，返回它确认过的操作。"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first == b"ready\n", child.stderr.read() if child.stderr else first
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        rest = child.stdout.read()
    finally:
        child.kill()
        child.wait()
    *complete, _partial = rest.decode().split("\n")  # 没写完换行的最后一行不算确认
    return [line.split() for line in complete if line.strip()]


def check_files_parse(data_dir: Path) -> None:
    for name in ("entries.yaml", "groups.yaml", "entries.yaml.bak", "groups.yaml.bak"):
        if (data_dir / name).exists():
            assert isinstance(yaml.safe_load((data_dir / name).read_text(encoding="utf-8")), dict)
    audit = data_dir / "audit.jsonl"
    lines = audit.read_text(encoding="utf-8").splitlines() if audit.exists() else []
    for line in lines[:-1]:
        json.loads(line)  # 只有最后一行可能写到一半


def same_or_next(found: str, acked: str) -> bool:
    """群设置要么是最后确认的那次，要么是紧随其后、还没来得及确认的那次。"""
    if found == acked:
        return True
    (fr, fn), (ar, an) = (tuple(map(int, s[1:-4].split("-"))) for s in (found, acked))
    return (fr == ar and fn == an + 1) or (fr > ar and fn == 1)


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    data_dir = tmp_path / "data"
    kept: set[str] = set()
    added: set[str] = set()
    deleted: set[str] = set()
    last_site = ""
    for round_number in range(ROUNDS):
        acked = run_and_kill(data_dir, str(round_number), rng.uniform(0.01, 0.25))
        for op, value in acked:
            {"keep": kept, "add": added, "del": deleted}.get(op, set()).add(value)
            last_site = value if op == "group" else last_site
        check_files_parse(data_dir)

    store = Store(data_dir)
    present = {e.id for e in store.custom_entries()}
    assert kept, f"子进程一次都没写成（seed={seed}）"
    assert kept <= present, f"丢了已确认的条目（seed={seed}）"
    assert not (deleted & present), f"已确认删除的又出现了（seed={seed}）"
    (site,) = store.group_overrides()["9"]["block_sites"]
    assert same_or_next(site, last_site), f"群设置回退了：{site} < {last_site}（seed={seed}）"
    assert len(list(store.audit.records())) >= len(kept) + len(added) + len(deleted)
    assert not list(data_dir.glob(".*.tmp")), "重新打开时应清掉被杀时留下的临时文件"
    check_files_parse(data_dir)
    for line in (data_dir / "audit.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)  # 重新打开后残行已被截去

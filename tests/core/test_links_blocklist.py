"""共享拦截名单：几种清单格式、坏行 文件:行号、缩水一半不采用、坏版本和下载失败继续用上一份、
每日更新的节奏、后台循环、命令行。清单服务器在 127.0.0.1 上，所以下载带 allow_private=True。
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardguard import cli
from cardguard.links.blocklist import (
    BlockLists,
    ListSource,
    list_fetch_options,
    normalize_host,
    parse_list,
    parse_sources,
)
from cardguard.net import FetchOptions
from tests.hostile_http import HostileServer, drip, page, serve, status

LOCAL = list_fetch_options(allow_private=True)

MIXED = """\
# 示例清单（自己写的，域名都是虚构或保留的）
! AdGuard 风格的注释
kami-shop.example
*.wildcard-shop.example
.dot-shop.example
0.0.0.0 hosts-one.example hosts-two.example   # 行尾注释
127.0.0.1 localhost
::1 ip6-localhost
||adguard-shop.example^
||important-shop.example^$important
||third-party.example^$third-party
||ads.example/banner/*
@@||allowed.example^
example.org##.banner
卡密商城.example
203.0.113.7
"""


def hosts_text(count: int, prefix: str = "shop") -> str:
    return "\n".join(f"{prefix}{n}.example" for n in range(count)) + "\n"


# ---------------------------------------------------------------- 解析


def test_list_formats() -> None:
    parsed = parse_list(MIXED, "mixed.txt")
    assert parsed.fatal == "" and parsed.bad_lines == 0, parsed.problems
    assert parsed.hosts == {
        "kami-shop.example",
        "wildcard-shop.example",
        "dot-shop.example",
        "hosts-one.example",
        "hosts-two.example",
        "adguard-shop.example",
        "important-shop.example",
        "xn--hlry7bt5cc5f.example",
        "203.0.113.7",
    }
    assert (
        parsed.ignored_lines == 4
    )  # $third-party、按路径的、@@ 例外、##（localhost 行认得、只是没东西可收）


def test_bad_lines_are_reported_with_file_and_line() -> None:
    text = "good-one.example\nhttps://shop.example/buy/1\nnot a hosts line\nbad_label-.example\ncom.cn\n"
    parsed = parse_list(text + hosts_text(100), "lists/fraud.txt")
    assert parsed.fatal == "" and parsed.bad_lines == 4
    assert parsed.problems[0].startswith("lists/fraud.txt:2: 不是域名")
    assert any(p.startswith("lists/fraud.txt:3: ") for p in parsed.problems)
    assert any(p.startswith("lists/fraud.txt:5: 只有公共后缀") for p in parsed.problems)
    assert "com.cn" not in parsed.hosts and "good-one.example" in parsed.hosts


def test_something_that_is_not_a_list_is_refused_as_a_whole() -> None:
    html = "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n" * 5
    parsed = parse_list(html, "x.txt")
    assert parsed.fatal and not parsed.hosts
    mostly_bad = "one.example\n" + "这一行不是域名 啊\n" * 20
    assert "看不懂" in parse_list(mostly_bad, "y.txt").fatal
    assert parse_list("# 只有注释\n\n", "z.txt").fatal


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("Kami-Shop.Example.", "kami-shop.example"),
        ("*.x.example", "x.example"),
        ("卡密.example", "xn--hlr48q.example"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("no_tld", None),
        ("-bad.example", None),
        ("a..example", None),
        ("x." + "a" * 64 + ".example", None),
        ("1.2.3.4.5", None),
    ],
)
def test_normalize_host(raw: str, host: str | None) -> None:
    assert normalize_host(raw) == host


def test_parse_sources() -> None:
    setting = "https://a.example/list.txt, 反诈名单=https://b.example/x/hosts\n/etc/cardguard/mine.txt https://a.example/list.txt"
    sources = parse_sources(setting)
    assert [s.url for s in sources] == [
        "https://a.example/list.txt",
        "https://b.example/x/hosts",
        "/etc/cardguard/mine.txt",
    ]
    assert [s.name for s in sources] == ["a.example/list.txt", "反诈名单", "mine.txt"]
    assert parse_sources(["https://c.example/q?a=b=c"])[0].url == "https://c.example/q?a=b=c"
    assert parse_sources("") == [] and parse_sources(None) == []
    assert sources[0].slug != ListSource("https://a.example/other.txt", sources[0].name).slug


# ---------------------------------------------------------------- 匹配


def loaded(tmp_path: Path, text: str, name: str = "测试清单") -> BlockLists:
    path = tmp_path / "mine.txt"
    path.write_text(text, encoding="utf-8")
    lists = BlockLists([ListSource(str(path), name)], tmp_path / "store")
    reports = asyncio.run(lists.refresh())
    assert reports[0].accepted, reports[0].message
    return lists


def test_match_host_and_parents(tmp_path: Path) -> None:
    lists = loaded(tmp_path, "kami.top\nshop.example.net\n")
    assert lists.match("kami.top") == "测试清单"
    assert lists.match("buy.kami.top") == "测试清单"
    assert lists.match("A.B.KAMI.TOP.") == "测试清单"
    assert lists.match("shop.example.net") == "测试清单"
    assert lists.match("notkami.top") is None
    assert lists.match("example.net") is None  # 上级域名不在清单里
    assert lists.match("top") is None and lists.match("") is None
    assert len(lists) == 2


def test_off_by_default(tmp_path: Path) -> None:
    lists = BlockLists.from_setting("", tmp_path)
    assert not lists and lists.match("kami.top") is None
    asyncio.run(asyncio.wait_for(lists.run(), 1))  # 没有清单：立刻返回
    assert not tmp_path.joinpath("state.json").exists()


# ---------------------------------------------------------------- 更新


class ListServer:
    """可以随时换内容的清单服务器。"""

    def __init__(self, server: HostileServer) -> None:
        self.server = server

    def set(self, text: str | bytes, content_type: str = "text/plain; charset=utf-8") -> None:
        self.server.routes["/list.txt"] = page(text, content_type)

    @property
    def url(self) -> str:
        return self.server.url("/list.txt")


@pytest.fixture
def list_server() -> Iterator[ListServer]:
    with serve({}) as server:
        yield ListServer(server)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_update_shrink_broken_and_failed_downloads(
    tmp_path: Path, list_server: ListServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = tmp_path / "store"
    lists = BlockLists(parse_sources(f"共享={list_server.url}"), store, fetch_options=LOCAL)
    list_server.set(hosts_text(100))
    (report,) = await lists.refresh()
    assert report.accepted and report.hosts == 100 and lists.match("x.shop7.example") == "共享"

    # 缩水到 40 个：不采用，记日志，旧的继续用，新内容留着给人看
    list_server.set(hosts_text(40))
    with caplog.at_level(logging.ERROR, logger="cardguard.links"):
        (report,) = await lists.refresh()
    assert not report.accepted and "少了一半以上" in report.message
    assert "少了一半以上" in caplog.text
    assert lists.match("shop77.example") == "共享"
    (rejected,) = store.glob("*.rejected.txt")
    assert rejected.read_text(encoding="utf-8") == hosts_text(40)

    # 坏掉的新版本（网页而不是清单）：文件:行号 指向留下来的 .rejected.txt
    list_server.set("<html>\n<body>维护中</body>\n</html>\n" * 3, "text/html")
    (report,) = await lists.refresh()
    assert not report.accepted and lists.match("shop77.example") == "共享"
    assert report.problems and report.problems[0].startswith(f"{rejected}:1: ")

    # 下载失败
    list_server.server.routes["/list.txt"] = status(503)
    (report,) = await lists.refresh()
    assert not report.accepted and "下载失败" in report.message and "503" in report.message
    assert lists.match("shop77.example") == "共享"

    # 强制采用缩水的版本
    list_server.set(hosts_text(40))
    (report,) = await lists.refresh(force=True)
    assert report.accepted and lists.match("shop77.example") is None
    assert lists.match("shop7.example") == "共享"
    assert not list(store.glob("*.rejected.txt"))
    assert len(list(store.glob("*.prev.txt"))) == 1


async def test_hostile_list_servers_end_within_limits(
    tmp_path: Path, list_server: ListServer
) -> None:
    tight = FetchOptions(allow_private=True, timeout=1.0, max_bytes=10_000)
    lists = BlockLists([ListSource(list_server.url, "慢")], tmp_path, fetch_options=tight)
    list_server.server.routes["/list.txt"] = drip(0.3)
    (report,) = await lists.refresh()
    assert not report.accepted and "超时" in report.message
    list_server.set(hosts_text(5000))
    (report,) = await lists.refresh()
    assert not report.accepted and "超过 10000 字节" in report.message
    list_server.set(b"\xff\xfe\x00binary", "application/octet-stream")
    (report,) = await lists.refresh()
    assert not report.accepted and "UTF-8" in report.message


async def test_last_good_copy_survives_a_restart(tmp_path: Path, list_server: ListServer) -> None:
    store = tmp_path / "store"
    list_server.set(hosts_text(10, "a"))
    first = BlockLists([ListSource(list_server.url, "共享")], store, fetch_options=LOCAL)
    await first.refresh()
    list_server.set(hosts_text(10, "b"))
    await first.refresh()

    again = BlockLists([ListSource(list_server.url, "共享")], store, fetch_options=LOCAL)
    assert again.load() == [] and again.match("b3.example") == "共享"
    state = again.status()[0]
    assert state.hosts == 10 and state.updated is not None and state.source == "current"

    # 当前副本被改坏：说出 文件:行号，退回上一份
    (current,) = [p for p in store.glob("*.txt") if ".prev" not in p.name]
    current.write_text("<html>\n<p>坏了</p>\n" * 5, encoding="utf-8")
    third = BlockLists([ListSource(list_server.url, "共享")], store, fetch_options=LOCAL)
    problems = third.load()
    assert any(p.startswith(f"{current}:1: ") for p in problems)
    assert third.match("a3.example") == "共享" and third.status()[0].source == "prev"


def test_a_broken_local_list_names_the_real_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text(hosts_text(10), encoding="utf-8")
    lists = BlockLists([ListSource(str(path), "本群")], tmp_path / "store")
    assert asyncio.run(lists.refresh())[0].accepted
    path.write_text("ok.example\n" + "坏 行 " * 3 + "\n" + "又 一 行\n" * 10, encoding="utf-8")
    (report,) = asyncio.run(lists.refresh())
    assert not report.accepted and report.problems[0].startswith(f"{path}:2: ")
    assert lists.match("shop3.example") == "本群"
    path.unlink()
    (report,) = asyncio.run(lists.refresh())
    assert not report.accepted and "文件不存在" in report.message


async def test_daily_rhythm(tmp_path: Path, list_server: ListServer) -> None:
    clock = FakeClock()
    source = ListSource(list_server.url, "共享")
    lists = BlockLists([source], tmp_path, fetch_options=LOCAL, clock=clock)
    assert lists.due(source)
    list_server.set(hosts_text(10))
    await lists.refresh(only_due=True)
    assert not lists.due(source)
    clock.now += 86_400
    assert lists.due(source)
    list_server.server.routes["/list.txt"] = status(500)
    await lists.refresh(only_due=True)
    clock.now += 1800
    assert not lists.due(source)  # 下载失败：一小时后再试
    clock.now += 1800
    assert lists.due(source)
    list_server.set(hosts_text(2))  # 缩水：不采用，等到明天
    await lists.refresh(only_due=True)
    clock.now += 3600
    assert not lists.due(source)
    requests = len(list_server.server.requests)
    assert await lists.refresh(only_due=True) == [] and len(list_server.server.requests) == requests


async def test_background_loop_loads_and_updates(tmp_path: Path, list_server: ListServer) -> None:
    list_server.set(hosts_text(10))
    lists = BlockLists(
        [ListSource(list_server.url, "共享")], tmp_path, fetch_options=LOCAL, interval=0.2
    )
    task = asyncio.ensure_future(lists.run())
    try:
        for _ in range(100):
            if lists.match("shop1.example"):
                break
            await asyncio.sleep(0.05)
        assert lists.match("shop1.example") == "共享"
        list_server.set(hosts_text(12, "next"))
        for _ in range(100):
            if lists.match("next11.example"):
                break
            await asyncio.sleep(0.05)
        assert lists.match("next11.example") == "共享"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    saved = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    assert saved[list_server.url]["hosts"] == 12


# ---------------------------------------------------------------- 命令行


def test_blocklist_command_line(
    tmp_path: Path, list_server: ListServer, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.delenv("CARDGUARD_BLOCKLISTS", raising=False)
    store = str(tmp_path / "store")
    assert cli.main(["blocklist", "status", "--dir", store]) == 1
    assert "没有配置拦截名单" in capsys.readouterr().err

    list_server.set(hosts_text(30))
    args = ["blocklist", "update", "--dir", store, "--fetch-private"]
    assert cli.main([*args, "--lists", f"共享={list_server.url}"]) == 0
    assert "✓ 共享：已更新，30 个域名" in capsys.readouterr().out

    # 不给 --lists：用目录里记过的清单
    list_server.set(hosts_text(3))
    assert cli.main(args) == 1
    out = capsys.readouterr().out
    assert "✗ 共享：没有采用新版本" in out and "少了一半以上" in out
    assert cli.main([*args, "--force"]) == 0
    capsys.readouterr()

    monkeypatch.setenv("CARDGUARD_BLOCKLISTS", f"共享={list_server.url}")
    assert cli.main(["blocklist", "status", "--dir", store]) == 0
    out = capsys.readouterr().out
    assert "共 1 份清单，合计 3 个不同的域名" in out and "- 共享：3 个域名" in out
    assert "最后更新：" in out and "从未" not in out

    # 默认不连本机地址
    assert cli.main(["blocklist", "update", "--dir", store]) == 1
    assert "本机地址" in capsys.readouterr().out

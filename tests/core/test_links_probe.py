"""页面探测：认出发卡系统、不误认教程和反诈文章、恶意页面安静结束、缓存与限频、并进扫描结果。

测试页面在 tests/data/probe_pages/（自己写的，只模仿结构特征），由 127.0.0.1 上的测试服务器提供，
所以探测都带 allow_private=True（即 CARDGUARD_FETCH_PRIVATE=true）。
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardguard import cli
from cardguard.knowledge import KnowledgeError
from cardguard.links import load_rules, scan
from cardguard.links.pagemarks import (
    MARKERS_FILE,
    current_page_markers,
    load_page_markers,
    markers_path,
)
from cardguard.links.pagezones import split_page
from cardguard.links.probe import (
    ProbeCache,
    ProbeResult,
    apply_probe,
    needs_probe,
    probe,
    probe_options,
)
from cardguard.links.report import LinkReport, ScanResult
from tests.hostile_http import (
    HostileServer,
    compressed,
    drip,
    endless,
    page,
    redirect,
    serve,
    status,
)

PAGES = Path(__file__).resolve().parents[1] / "data" / "probe_pages"
OPTIONS = probe_options(allow_private=True)

RECOGNISED = {
    "dujiaoka_hyper.html": "dujiaoka",
    "dujiaoka_unicorn.html": "dujiaoka",
    "acg_faka.html": "acg-faka",
    "zfaka.html": "zfaka",
    "kamifaka.html": "kamifaka",
    "rainbow_shop_gbk.html": "rainbow-shop",
    "epay_cashier.html": "epay",
    "shop_to_epay.html": "epay",
    "ldxp_custom_domain.html": "ldxp",
    "generic_shop.html": "generic-shop",
    "card_system.html": "card-system",
}
BENIGN = (
    "tutorial_dujiaoka.html",
    "anti_scam_article.html",
    "company_contact.html",
    "bakery_order.html",
)


def fixture_page(name: str) -> Any:
    data = (PAGES / name).read_bytes()
    charset = "gbk" if "gbk" in name else "utf-8"
    return page(data, f"text/html; charset={charset}")


def slow_page(delay: float, body: str) -> Any:
    inner = page(body)

    async def handler(request: Any, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay)
        await inner(request, writer)

    return handler


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    routes = {f"/{name}": fixture_page(name) for name in (*RECOGNISED, *BENIGN)}
    routes |= {
        "/huge": endless(
            "text/html", b"<p>\xe6\x99\xae\xe9\x80\x9a\xe6\x96\x87\xe5\xad\x97</p>" * 512
        ),
        "/drip": drip(0.5),
        "/loop": redirect("/loop"),
        "/to-private": redirect("http://169.254.169.254/"),
        "/binary": page(b"GIF89a\x00\x00\x01\x00" * 100, "text/html"),
        "/bomb": compressed(b"\0" * 50_000_000, "gzip"),
        "/space-bomb": compressed(b" " * 50_000_000 + b"<!--start::HOOK-->", "gzip"),
        "/json": page('{"shop": "卡密"}', "application/json"),
        "/missing": status(404),
        "/slow": slow_page(0.3, "<title>kamifaka</title>"),
        "/to-zfaka": redirect("/zfaka.html"),
    }
    with serve(routes) as running:
        yield running


# ---------------------------------------------------------------- 认系统


@pytest.mark.parametrize(("name", "system"), sorted(RECOGNISED.items()))
async def test_recognises_shop_software(server: HostileServer, name: str, system: str) -> None:
    found = await probe(server.url(f"/{name}"), fetch_options=OPTIONS, cache=ProbeCache())
    assert found is not None and found.error == ""
    assert found.recognised and found.system_id == system
    assert 0 < found.weight <= load_page_markers().max_add
    assert found.reason.startswith("网页") and found.evidence[0] in found.reason


@pytest.mark.parametrize("name", BENIGN)
async def test_tutorials_articles_and_ordinary_pages_are_not_shops(
    server: HostileServer, name: str
) -> None:
    found = await probe(server.url(f"/{name}"), fetch_options=OPTIONS, cache=ProbeCache())
    assert found is not None and found.error == ""
    assert not found.recognised and found.reason == ""


async def test_redirects_are_followed_to_the_shop(server: HostileServer) -> None:
    found = await probe(server.url("/to-zfaka"), fetch_options=OPTIONS, cache=ProbeCache())
    assert found is not None and found.system_id == "zfaka"
    assert found.final_url == server.url("/zfaka.html")


def test_markers_need_more_than_quotable_mentions() -> None:
    """只有“提到”（项目地址、Powered by）不算；再加一条结构特征（资源目录）就算。"""
    markers = load_page_markers()
    mention = (
        "<p>项目地址 github.com/assimon/dujiaoka，页脚 Powered by 独角数卡，"
        'console.log("Name: 独角数卡")</p>'
    )
    assert markers.recognise(mention) is None
    found = markers.recognise(mention + '<link rel="stylesheet" href="/assets/luna/main.css">')
    assert found is not None and found.system.id == "dujiaoka"


def test_page_zones() -> None:
    zones = split_page(
        '<html><head><title> 店 &amp; 铺 </title><meta name="Keywords" content="a,b">'
        '<script src="/s.js"></script><script>var x = "<b>不是文字</b>";</script>'
        '<link rel="stylesheet" href="/c.css"><style>p{}</style></head>'
        '<body><a href="/q?x=1&amp;y=2">查单</a><form action="/pay/submit/1/">'
        '<input name="out_trade_no"><select name="payway"></select></form>'
        "<p>看得见\n  的字</p><img data-src='/lazy.png'></body></html>"
    )
    assert zones.title == "店 & 铺"
    assert zones.meta == "keywords: a,b"
    assert zones.asset.splitlines() == ["/s.js", "/c.css", "/lazy.png"]
    assert zones.link == "/q?x=1&y=2" and zones.form == "/pay/submit/1/"
    assert zones.field.splitlines() == ["out_trade_no", "payway"]
    assert "看得见 的字" in zones.text and "不是文字" not in zones.text


# ---------------------------------------------------------------- 恶意页面


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/drip", "超时"),
        ("/loop", "跳转"),
        ("/to-private", "链路本地地址"),
        ("/binary", "二进制"),
        ("/bomb", "二进制"),
        ("/json", "application/json"),
        ("/missing", "404"),
    ],
)
async def test_hostile_pages_end_quietly(server: HostileServer, path: str, error: str) -> None:
    started = time.monotonic()
    found = await probe(server.url(path), fetch_options=OPTIONS, cache=ProbeCache())
    assert found is not None and not found.recognised and error in found.error
    assert time.monotonic() - started < 10  # 总时限 3 秒；“滴灌”页面要吐几百秒


async def test_huge_pages_and_bombs_are_read_only_up_to_the_cap(server: HostileServer) -> None:
    found = await probe(server.url("/huge"), fetch_options=OPTIONS, cache=ProbeCache())
    assert found is not None and found.error == "" and not found.recognised
    # 特征藏在 50 MB 空格之后：只读 256 KB，看不到，也不会因此解压 50 MB
    hidden = await probe(server.url("/space-bomb"), fetch_options=OPTIONS, cache=ProbeCache())
    assert hidden is not None and hidden.error == "" and not hidden.recognised


async def test_default_options_refuse_loopback(server: HostileServer) -> None:
    found = await probe(server.url("/zfaka.html"), cache=ProbeCache())
    assert found is None  # 本机地址：根本不去探
    assert probe_options().allow_private is False
    assert probe_options().max_bytes == 256 * 1024 and probe_options().timeout == 3.0


async def test_unprobeable_urls_return_none() -> None:
    assert await probe("ftp://example.com/", fetch_options=OPTIONS, cache=ProbeCache()) is None
    assert await probe("http://[::1", fetch_options=OPTIONS, cache=ProbeCache()) is None


# ---------------------------------------------------------------- 缓存与限频


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_results_are_cached_per_host_for_a_day(server: HostileServer) -> None:
    clock = FakeClock()
    cache = ProbeCache(clock=clock)
    before = len(server.requests)
    first = await probe(server.url("/zfaka.html"), fetch_options=OPTIONS, cache=cache)
    again = await probe(server.url("/acg_faka.html"), fetch_options=OPTIONS, cache=cache)
    assert len(server.requests) == before + 1  # 同一主机：第二次不再去敲
    assert first is not None and again is not None and again.system_id == "zfaka"
    assert again.url == server.url("/acg_faka.html")  # 结果对得上这次问的网址
    clock.now += 86_400 + 1
    fresh = await probe(server.url("/acg_faka.html"), fetch_options=OPTIONS, cache=cache)
    assert len(server.requests) == before + 2 and fresh is not None
    assert fresh.system_id == "acg-faka"


async def test_failures_are_cached_for_an_hour() -> None:
    clock = FakeClock()
    cache = ProbeCache(clock=clock)
    with serve({"/": status(500)}) as broken:
        assert (await probe(broken.url("/"), fetch_options=OPTIONS, cache=cache)) is not None
        await probe(broken.url("/"), fetch_options=OPTIONS, cache=cache)
        assert len(broken.requests) == 1
        clock.now += 3_601
        await probe(broken.url("/"), fetch_options=OPTIONS, cache=cache)
        assert len(broken.requests) == 2


async def test_concurrent_probes_of_one_host_share_one_fetch(server: HostileServer) -> None:
    cache = ProbeCache()
    before = server.paths().count("/slow")
    results = await asyncio.gather(
        *(probe(server.url("/slow"), fetch_options=OPTIONS, cache=cache) for _ in range(5))
    )
    assert server.paths().count("/slow") == before + 1
    assert {r.system_id for r in results if r is not None} == {"kamifaka"}


async def test_a_flood_of_new_hosts_is_rate_limited() -> None:
    cache = ProbeCache(per_minute=2)
    urls = [f"http://127.0.0.{n}:9/" for n in (2, 3, 4)]  # 没人监听：很快失败
    results = [await probe(u, fetch_options=OPTIONS, cache=cache) for u in urls]
    assert results[0] is not None and results[1] is not None and results[2] is None


async def test_a_cancelled_probe_wakes_whoever_waits_for_it(server: HostileServer) -> None:
    cache = ProbeCache()
    leader = asyncio.ensure_future(probe(server.url("/drip"), fetch_options=OPTIONS, cache=cache))
    await asyncio.sleep(0.2)
    follower = asyncio.ensure_future(probe(server.url("/drip"), fetch_options=OPTIONS, cache=cache))
    await asyncio.sleep(0.1)
    leader.cancel()
    result = await asyncio.wait_for(follower, 5)
    assert result is not None and result.error == "探测被中断"
    assert cache.get("127.0.0.1") is None  # 中断的结果不缓存


# ---------------------------------------------------------------- 并进扫描结果


def grey_result(score: int = 45, url: str = "http://shop-a.top/item/5") -> ScanResult:
    link = LinkReport(
        url=url,
        host="shop-a.top",
        site="shop-a.top",
        score=score,
        reasons=("廉价域名后缀 .top",),
        defanged="shop-a[.]top/item/5",
        risk_ids=(),
    )
    other = LinkReport(
        url="https://www.bilibili.com/",
        host="www.bilibili.com",
        site="bilibili.com",
        score=0,
        reasons=("官方或常用网站（白名单）",),
        defanged="www[.]bilibili[.]com/",
        risk_ids=(),
    )
    rules = load_rules()
    verdict = "warn" if score >= rules.warn else "log" if score >= rules.log else "quiet"
    return ScanResult(verdict, score, (link, other), ())


def found_for(url: str = "http://shop-a.top/item/5", weight: int = 40) -> ProbeResult:
    return ProbeResult(
        url=url,
        host="shop-a.top",
        final_url=url,
        system="独角数卡",
        system_id="dujiaoka",
        kind="software",
        weight=weight,
        evidence=("资源放在独角数卡的主题目录", "站内有独角数卡的 /order-search 查单页"),
    )


def test_apply_probe_upgrades_a_grey_link_to_a_warning() -> None:
    rules = load_rules()
    result = grey_result()
    assert needs_probe(result, rules) is result.top
    upgraded = apply_probe(result, found_for(), rules)
    assert upgraded.verdict == "warn" and upgraded.score == 85
    top = upgraded.top
    assert top is not None and top.url == "http://shop-a.top/item/5"
    assert top.reasons[0].startswith("网页是用「独角数卡」发卡程序搭的店")
    assert top.reasons[1:] == ("廉价域名后缀 .top",)
    assert set(rules.signal_risks["fingerprint"]) <= set(top.risk_ids)
    assert result.verdict == "log"  # 原结果不变（冻结的数据类）


def test_apply_probe_leaves_other_results_alone() -> None:
    rules = load_rules()
    grey = grey_result()
    unrecognised = ProbeResult(url=grey.links[0].url, host="shop-a.top")
    assert apply_probe(grey, unrecognised, rules) is grey
    assert apply_probe(grey, None, rules) is grey
    warned = grey_result(score=80)
    assert needs_probe(warned, rules) is None and apply_probe(warned, found_for(), rules) is warned
    quiet = grey_result(score=10)
    assert needs_probe(quiet, rules) is None and apply_probe(quiet, found_for(), rules) is quiet
    # 探测结果对应的网址不在这条消息里
    elsewhere = found_for(url="http://other.top/")
    elsewhere = ProbeResult(**{**elsewhere.__dict__, "host": "other.top"})
    assert apply_probe(grey, elsewhere, rules) is grey


def test_apply_probe_matches_by_host_when_the_path_differs() -> None:
    rules = load_rules()
    result = apply_probe(grey_result(), found_for(url="http://shop-a.top/other"), rules)
    assert result.verdict == "warn"


# ---------------------------------------------------------------- 特征文件


BROKEN = """version: 1
threshold: 40
max_add: 50
systems:
  - id: demo
    name: 演示
    kind: software
    source: "自己写的演示特征，只在测试里用"
    markers:
      - {zone: html, pattern: 'ok', weight: 50, says: 演示特征}
      - {zone: nowhere, pattern: '(unclosed', weight: 500, says: 坏}
"""

GOOD = BROKEN.replace("      - {zone: nowhere, pattern: '(unclosed', weight: 500, says: 坏}\n", "")


def test_a_broken_marker_file_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / MARKERS_FILE).write_text(BROKEN, encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_page_markers(tmp_path)
    text = str(caught.value)
    where = f"{tmp_path / MARKERS_FILE}:11"
    assert where in text and "未知区域" in text and "正则表达式写错了" in text and "[demo]" in text


def test_the_last_good_markers_keep_working(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / MARKERS_FILE
    path.write_text(GOOD, encoding="utf-8")
    good = current_page_markers(tmp_path)
    assert good is not None and good.systems[0].id == "demo"
    path.write_text(BROKEN + "\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="cardguard.links"):
        assert current_page_markers(tmp_path) is good
    assert f"{path}:11" in caplog.text
    assert markers_path(tmp_path) == path
    assert markers_path(None).name == MARKERS_FILE


def test_validate_checks_the_marker_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("faq.yaml", "risks.yaml", "domains.yaml"):
        source = markers_path(None).parent / name
        (tmp_path / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / MARKERS_FILE).write_text(BROKEN, encoding="utf-8")
    assert cli.main(["validate", "--knowledge", str(tmp_path)]) == 1
    assert f"{tmp_path / MARKERS_FILE}:11" in capsys.readouterr().err
    (tmp_path / MARKERS_FILE).write_text(GOOD, encoding="utf-8")
    assert cli.main(["validate", "--knowledge", str(tmp_path)]) == 0


# ---------------------------------------------------------------- 命令行


CANDIDATES = (
    "http://quiet-shop.com:{port}/item/5",
    "http://quiet-shop.top:{port}/",
    "http://quiet-shop.com:{port}/product/5.html",
)


def test_check_probe_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check --probe`：灰色地带的网址（这里是解析到 127.0.0.1 的 quiet-shop.*）被打开并认出。"""
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.startswith("quiet-shop."):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    monkeypatch.delenv("CARDGUARD_FETCH_PRIVATE", raising=False)
    rules = load_rules()
    with serve({"/item/5": fixture_page("zfaka.html"), "/": fixture_page("zfaka.html")}) as shop:
        texts = [c.format(port=shop.port) for c in CANDIDATES]
        grey = [t for t in texts if scan(t, rules).verdict == "log"]
        assert grey, "没有一条候选消息落在灰色地带；打分规则变了的话请换候选"
        text = grey[0]
        assert cli.main(["check", text]) == 0
        plain = capsys.readouterr().out
        assert plain.startswith("判断：不提醒，只记日志") and "页面探测：" not in plain
        assert shop.requests == []
        assert cli.main(["check", "--probe", "--fetch-private", text]) == 0
        probed = capsys.readouterr().out
        assert probed.startswith("判断：会提醒") and "ZFAKA" in probed
        assert "页面探测：认出「ZFAKA」" in probed
        assert cli.main(["check", "--probe", "--json", "--fetch-private", text]) == 0
        data = capsys.readouterr().out
        assert '"verdict": "warn"' in data and '"system": "zfaka"' in data
        # 不开 --fetch-private：本机地址不去连
        seen = len(shop.requests)
        assert cli.main(["check", "--probe", text]) == 0
        refused = capsys.readouterr().out
        assert refused.startswith("判断：不提醒") and "页面探测：没看成" in refused
        assert "本机地址" in refused
        assert len(shop.requests) == seen

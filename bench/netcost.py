"""联网部分的开销（单独运行，不在 `python -m bench` 的总表里）：python -m bench.netcost

和同一次运行里“显而易见的做法”比：
- 安全下载 `cardguard.net.fetch` 对比 httpx.AsyncClient.get（同一个 127.0.0.1 页面，都不复用连接）；
- 页面分析（拆区域 + 匹配全部特征，在工作线程里跑的那部分）对比标准库 HTMLParser 只解析不做事；
- 拦截名单 `match()`（主机和每一级上级域名查表）对比一次集合查找。
每个数字是多轮的中位数。
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cardguard.links.blocklist import BlockLists, ListSource  # noqa: E402
from cardguard.links.pagemarks import load_page_markers  # noqa: E402
from cardguard.links.pagezones import split_page  # noqa: E402
from cardguard.net import FetchOptions, fetch  # noqa: E402
from tests.hostile_http import page, serve  # noqa: E402

PAGES = ROOT / "tests" / "data" / "probe_pages"


def median_time(func: Callable[[], object], repeat: int, number: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            func()
        runs.append((time.perf_counter() - started) / number)
    return statistics.median(runs)


def row(name: str, ours: float, base: float, base_name: str, unit: str = "ms") -> None:
    scale = 1000 if unit == "ms" else 1_000_000
    print(
        f"| {name} | {ours * scale:.3g} {unit} | {base * scale:.3g} {unit} ({base_name}) "
        f"| {ours / base:.3g}× |"
    )


def page_inputs() -> dict[str, str]:
    shops = "".join(p.read_text(encoding="utf-8", errors="replace") for p in PAGES.glob("*.html"))
    n = 256 * 1024
    return {
        "256 KB 真实样式页面": (shops * (n // len(shops) + 1))[:n],
        "256 KB 标签洪水 <p>x</p>": ("<p>x</p>" * (n // 8))[:n],
        "256 KB 没闭合的 <a": (("<a" + "b" * 3990) * (n // 3992 + 1))[:n],
        "256 KB 纯文字": ("卡密自动发货" * (n // 6))[:n],
    }


def bench_pages() -> None:
    markers = load_page_markers()

    def ours(text: str) -> Callable[[], object]:
        return lambda: markers.recognise(split_page(text))

    def stdlib(text: str) -> Callable[[], object]:
        def run() -> None:
            parser = HTMLParser()
            parser.feed(text)
            parser.close()

        return run

    for name, text in page_inputs().items():
        row(
            f"页面分析 {name}",
            median_time(ours(text), 5, 2),
            median_time(stdlib(text), 5, 2),
            "HTMLParser 只解析",
        )


def bench_blocklist(tmp: Path) -> None:
    listing = tmp / "list.txt"
    listing.write_text(
        "\n".join(f"shop{n}.kami{n % 97}.top" for n in range(100_000)), encoding="utf-8"
    )
    lists = BlockLists([ListSource(str(listing), "bench")], tmp / "store")
    asyncio.run(lists.refresh())
    plain = set(lists._table)
    for host in ("a.b.shop5.kami5.top", "www.bilibili.com"):
        row(
            f"拦截名单 match（10 万个域名）{host}",
            median_time(lambda h=host: lists.match(h), 7, 20_000),
            median_time(lambda h=host: h in plain, 7, 20_000),
            "一次集合查找",
            "µs",
        )


async def bench_fetch() -> None:
    import httpx

    body = "<html><title>x</title>" + "<p>hello</p>" * 2000 + "</html>"
    with serve({"/page": page(body)}) as server:
        url = server.url("/page")
        options = FetchOptions(allow_private=True, timeout=5)
        await fetch(url, options)  # 预热（证书上下文等）

        async def ours() -> None:
            await fetch(url, options)

        shared = httpx.AsyncClient(trust_env=False, headers={"Connection": "close"})

        async def plain() -> None:
            (await shared.get(url)).raise_for_status()

        async def plain_new_client() -> None:
            async with httpx.AsyncClient(trust_env=False) as client:
                (await client.get(url)).raise_for_status()

        async def timed(func: Callable[[], object], rounds: int = 40) -> float:
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                await func()  # type: ignore[misc]
                samples.append(time.perf_counter() - started)
            return statistics.median(samples)

        await plain()
        mine = await timed(ours)
        row("安全下载 24 KB 页面", mine, await timed(plain), "httpx 共用一个客户端，每次新连接")
        row(
            "安全下载 24 KB 页面",
            mine,
            await timed(plain_new_client),
            "httpx 每次新建客户端（旧的二维码下载就是这样）",
        )
        await shared.aclose()


def main() -> None:
    import tempfile

    print("| figure | cardguard | baseline | ratio |\n|---|---|---|---|")
    asyncio.run(bench_fetch())
    bench_pages()
    with tempfile.TemporaryDirectory() as tmp:
        bench_blocklist(Path(tmp))


if __name__ == "__main__":
    main()

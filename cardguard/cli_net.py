"""要联网的命令行功能：`check --probe`（页面探测）和 `blocklist update|status`（共享拦截名单）。

放在单独的模块里，不联网的命令不用导入这些。
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .knowledge import Knowledge

BLOCKLISTS_ENV = "CARDGUARD_BLOCKLISTS"


def add_fetch_private(sp: argparse.ArgumentParser) -> None:
    """--fetch-private：允许连本机/内网地址（同设置 CARDGUARD_FETCH_PRIVATE）。"""
    sp.add_argument(
        "--fetch-private",
        action="store_true",
        default=None,
        help="允许连本机、局域网地址（默认按 .env 里的 CARDGUARD_FETCH_PRIVATE）",
    )


def check_with_probe(args: argparse.Namespace, knowledge: Knowledge, texts: Iterator[str]) -> int:
    """`check --probe`：先照常扫描，灰色地带的网址再打开网页看一眼。"""
    import asyncio

    return asyncio.run(_check_with_probe(args, knowledge, texts))


async def _check_with_probe(
    args: argparse.Namespace, knowledge: Knowledge, texts: Iterator[str]
) -> int:
    from .cli_common import link_rules
    from .links import scan
    from .links.probe import ProbeCache, apply_probe, needs_probe, probe, probe_options

    rules = link_rules(knowledge)
    cache = ProbeCache()
    options = probe_options(allow_private=args.fetch_private)
    for text in texts:
        result = scan(text, rules)
        link = needs_probe(result, rules)
        found = None
        if link is not None:
            found = await probe(link.url, fetch_options=options, cache=cache)
            result = apply_probe(result, found, rules)
        if args.json:
            data = result.to_dict()
            data["probe"] = _probe_dict(found) if link is not None else None
            print(json.dumps(data, ensure_ascii=False), flush=True)
            continue
        from .cli_common import describe_scan

        print(describe_scan(result, knowledge))
        if link is not None:
            print(f"  页面探测：{_probe_line(found)}")
    return 0


def _probe_dict(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "host": found.host,
        "system": found.system_id or None,
        "weight": found.weight,
        "evidence": list(found.evidence),
        "error": found.error or None,
    }


def _probe_line(found: Any) -> str:
    if found is None:
        return "没有去看（网址不能探测或太频繁）"
    if found.error:
        return f"没看成：{found.error}"
    if found.recognised:
        return f"认出「{found.system}」，加 {found.weight} 分"
    return "没认出发卡系统"


# ---------------------------------------------------------------- blocklist


def setup_blocklist(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "action", choices=("update", "status"), help="update 立即更新所有清单；status 查看状态"
    )
    sp.add_argument(
        "--dir", type=Path, metavar="目录", help="存放清单副本的文件夹（默认和机器人用同一个）"
    )
    sp.add_argument(
        "--lists",
        metavar="地址",
        help=f"清单地址，逗号或空白分隔（默认按 .env 里的 {BLOCKLISTS_ENV}，再默认用目录里记录的）",
    )
    sp.add_argument("--force", action="store_true", help="新版本缩水一半以上也采用")
    sp.add_argument("--json", action="store_true", help="输出 JSON")
    add_fetch_private(sp)


def cmd_blocklist(args: argparse.Namespace) -> int:
    """共享拦截名单：update 或 status。"""
    from .cli_common import bot_data_dir, bot_settings
    from .links.blocklist import BlockLists, list_fetch_options, parse_sources

    if args.dir is None:
        args.dir = bot_data_dir() / "blocklists"
    if args.fetch_private is None:
        args.fetch_private = bot_settings()[1].cardguard_fetch_private
    setting: Any = args.lists if args.lists is not None else bot_settings()[1].cardguard_blocklists
    sources = parse_sources(setting) or _recorded_sources(args.dir)
    if not sources:
        print(
            f"没有配置拦截名单：在 .env 里写 {BLOCKLISTS_ENV}，或者用 --lists 给出清单地址。",
            file=sys.stderr,
        )
        return 1
    lists = BlockLists(
        sources, args.dir, fetch_options=list_fetch_options(allow_private=args.fetch_private)
    )
    problems = lists.load()
    if args.action == "update":
        import asyncio

        reports = asyncio.run(lists.refresh(force=args.force))
        if args.json:
            print(json.dumps([r.__dict__ for r in reports], ensure_ascii=False, default=list))
        for report in [] if args.json else reports:
            mark = "✓" if report.accepted else "✗"
            print(f"{mark} {report.name}：{report.message}")
            for line in report.problems:
                print(f"    {line}")
        return 0 if all(r.accepted for r in reports) else 1
    return _print_status(lists, problems, as_json=args.json)


def _recorded_sources(directory: Path) -> list[Any]:
    """目录里 state.json 记过的清单（命令行没给地址时用）。"""
    from .links.blocklist import STATE_FILE, ListSource

    try:
        data = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    return [
        ListSource(url, str(item.get("name") or url))
        for url, item in data.items()
        if isinstance(item, dict)
    ]


def _print_status(lists: Any, problems: list[str], *, as_json: bool) -> int:
    states = lists.status()
    if as_json:
        print(json.dumps([s.__dict__ for s in states], ensure_ascii=False))
        return 0
    print(f"共 {len(states)} 份清单，合计 {len(lists)} 个不同的域名")
    for state in states:
        used = {"current": "", "prev": "（当前副本坏了，正在用上一份）", "": "（还没有可用的副本）"}
        print(f"- {state.name}：{state.hosts} 个域名{used.get(state.source, '')}")
        print(f"    地址：{state.url}")
        print(f"    最后更新：{_when(state.updated)}；最后检查：{_when(state.checked)}")
        if state.error:
            print(f"    问题：{state.error}")
    for problem in problems:
        print(f"  ! {problem}")
    return 0


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "从未"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))

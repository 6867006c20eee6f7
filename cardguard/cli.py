"""命令行：python -m cardguard ask | check | validate | eval | stats。"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .knowledge import Knowledge, KnowledgeError, load_knowledge

DESCRIPTION = "卡盟安全助手命令行工具 / CardGuard command-line tools"


def _knowledge_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge",
        type=Path,
        metavar="DIR",
        help="知识目录（默认随程序发布的 knowledge/） / knowledge folder of the same layout",
    )


def _inputs(text: str) -> Iterator[str]:
    """TEXT 原样返回；`-` 表示从标准输入逐行读取，每行一条。"""
    if text != "-":
        yield text
        return
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def _load(args: argparse.Namespace) -> Knowledge:
    return load_knowledge(args.knowledge)


def cmd_ask(args: argparse.Namespace) -> int:
    """回答问题。"""
    from .matching import Matcher

    knowledge = _load(args)
    matcher = Matcher.for_knowledge(knowledge)
    decide = matcher.passive if args.passive else matcher.ask
    for text in _inputs(args.text):
        result = decide(text)
        if args.json:
            _print_json(result.to_dict())
        elif result.entry is not None:
            print(f"[{result.id}] ({result.score:.0f})\n{result.answer}")
        elif result.suggestions:
            print(
                f"没找到答案（{result.score:.0f}）。你是不是想问：{', '.join(result.suggestions)}"
            )
        else:
            print(f"没找到答案（{result.score:.0f}）。")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """检查消息里的链接。"""
    from .links import scan

    knowledge = _load(args)
    for text in _inputs(args.text):
        result = scan(text, knowledge.domains)
        if args.json:
            _print_json(result.to_dict())
            continue
        print(f"{result.verdict} ({result.score})")
        for link in result.links:
            print(f"  {link.defanged}  {link.score}: {'；'.join(link.reasons) or '-'}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """校验知识目录。"""
    try:
        knowledge = _load(args)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    risks = sum(1 for e in knowledge.entries if e.kind == "risk")
    faqs = len(knowledge.entries) - risks
    domains = "有" if knowledge.domains is not None else "无"
    chatter = len(knowledge.chatter)
    phrasings = sum(len(e.aliases) for e in knowledge.entries)
    print(
        f"OK: {faqs} 条 FAQ，{risks} 条风险点（问法 {phrasings} 句），"
        f"链接规则：{domains}，闲聊例句 {chatter} 句"
    )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """跑标注集：每个文件一段报告，几个文件时再给合计。"""
    from .knowledge.yamlio import load_yaml

    knowledge = _load(args)
    labelled: list[tuple[Path, list[dict[str, Any]], list[str]]] = []
    reports: list[dict[str, Any]] = []
    for path in args.files:
        data = load_yaml(path) or {}
        questions = list(data.get("questions") or [])
        chatter = [str(line) for line in data.get("chatter") or []]
        if questions or chatter:
            labelled.append((path, questions, chatter))
        if data.get("links"):
            reports.append(_eval_links(path, knowledge, args.json))
    if labelled:
        reports.append(_eval_questions(knowledge, labelled, args.json))
    if args.json:
        _print_json(reports[0] if len(reports) == 1 else reports)
    return 0


def _eval_questions(
    knowledge: Knowledge,
    labelled: list[tuple[Path, list[dict[str, Any]], list[str]]],
    as_json: bool,
) -> dict[str, Any]:
    """问题/闲聊文件逐个评测；返回合计（JSON 里 `files` 是每个文件的结果）。"""
    from .matching import Matcher
    from .matching.evaluate import (
        QuestionEval,
        evaluate_questions,
        format_misses,
        format_summary,
    )

    matcher = Matcher.for_knowledge(knowledge)
    total = QuestionEval()
    per_file: list[dict[str, Any]] = []
    for path, questions, chatter in labelled:
        result = evaluate_questions(matcher, questions, chatter)
        total.add(result)
        per_file.append({"file": str(path), **result.to_dict()})
        if not as_json:
            print(f"{path}（{len(questions)} 问，{len(chatter)} 句闲聊）")
            print("\n".join(format_summary(result)))
    if not as_json:
        if len(labelled) > 1:
            print(f"合计（{len(labelled)} 个文件）")
            print("\n".join(format_summary(total)))
        if total.misses:
            print("失误：")
            print("\n".join(format_misses(total)))
    return {**total.to_dict(), "files": per_file}


def _eval_links(path: Path, knowledge: Knowledge, as_json: bool) -> dict[str, Any]:
    from .links.evaluate import evaluate_links, format_link_eval

    result = evaluate_links(path, knowledge.domains)
    if not as_json:
        print(format_link_eval(result))
    return result


def cmd_stats(args: argparse.Namespace) -> int:
    """打印统计（与群里 /guard stats 相同的数字）。"""
    from .stats import DB_NAME, StatsError, StatsStore, default_stats_dir, format_report

    path = (args.data or default_stats_dir()) / DB_NAME
    try:
        with StatsStore(path, readonly=True) as store:
            report = store.report(args.group, args.days)
    except StatsError as exc:
        print(exc, file=sys.stderr)
        print("机器人回答或警告过之后才会有统计；数据目录不对时用 --data 指定。", file=sys.stderr)
        return 1
    if args.json:
        _print_json(report)
    else:
        print(format_report(report, _titles(args), max_days=args.days))
    return 0


def _titles(args: argparse.Namespace) -> dict[str, str]:
    """条目 id → 问题原文；知识库读不了时只显示 id（统计本身不依赖知识库）。"""
    try:
        return {e.id: e.question for e in _load(args).entries}
    except KnowledgeError as exc:
        print(f"知识库有 {len(exc.problems)} 处错误，统计里只显示条目 id", file=sys.stderr)
        return {}


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


def build_parser() -> argparse.ArgumentParser:
    """构建参数解析器（每个子命令都有中英文帮助）。"""
    parser = argparse.ArgumentParser(prog="python -m cardguard", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, func, help_text in _COMMANDS:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        _SETUP[name](sp)
        sp.set_defaults(func=func)
    return parser


def _setup_ask(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--passive", action="store_true", help="按群聊旁听规则决定 / group passive rule"
    )
    sp.add_argument("--json", action="store_true", help="每条输出一行 JSON / one JSON per input")
    _knowledge_arg(sp)
    sp.add_argument(
        "text", metavar="TEXT|-", help="问题；- 从标准输入逐行读 / question or - for stdin"
    )


def _setup_check(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--json", action="store_true", help="每条输出一行 JSON / one JSON per input")
    _knowledge_arg(sp)
    sp.add_argument(
        "text", metavar="TEXT|-", help="消息；- 从标准输入逐行读 / message or - for stdin"
    )


def _setup_validate(sp: argparse.ArgumentParser) -> None:
    _knowledge_arg(sp)


def _setup_eval(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--json", action="store_true", help="输出 JSON 汇总 / print a JSON summary")
    _knowledge_arg(sp)
    sp.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="标注集 YAML / labelled set files"
    )


def _setup_stats(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--days",
        type=_positive_int,
        default=7,
        metavar="N",
        help="最近几天（默认 7） / last N days",
    )
    sp.add_argument("--group", metavar="G", help="只看这个群号 / only this QQ group")
    sp.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="统计目录（默认与机器人相同） / folder holding stats.sqlite3 (default: the bot's)",
    )
    sp.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    _knowledge_arg(sp)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("至少为 1 / must be at least 1")
    return value


_COMMANDS: list[tuple[str, Callable[[argparse.Namespace], int], str]] = [
    ("ask", cmd_ask, "回答问题 / answer a question from the knowledge base"),
    ("check", cmd_check, "检查消息里的链接 / check a message for card-shop links"),
    ("validate", cmd_validate, "校验知识文件 / validate the knowledge files"),
    ("eval", cmd_eval, "跑标注集并打印准确率 / run a labelled set and print accuracy"),
    ("stats", cmd_stats, "查看使用统计 / show usage statistics per group and day"),
]
_SETUP: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "ask": _setup_ask,
    "check": _setup_check,
    "validate": _setup_validate,
    "eval": _setup_eval,
    "stats": _setup_stats,
}


def main(argv: Sequence[str] | None = None) -> int:
    """命令行入口；知识库有错时打印逐行错误并返回 1。"""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - 例如输出接到 head
        return 0

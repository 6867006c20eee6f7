"""命令行：python -m cardguard ask | check | validate | eval | eval-links | stats | blocklist。

和机器人读同样的设置（当前目录的 .env、.env.{ENVIRONMENT} 和环境变量，优先级相同）：
知识目录默认是 CARDGUARD_KNOWLEDGE_DIR（命令行的 --knowledge 优先），数据目录和机器人一样。
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .cli_common import (
    bot_cache_dir,
    bot_data_dir,
    bot_settings,
    describe_answer,
    describe_scan,
    knowledge_dir,
    link_rules,
)
from .knowledge import Knowledge, KnowledgeError, load_knowledge

if TYPE_CHECKING:
    pass

DESCRIPTION = (
    "卡盟安全助手的命令行工具：试答问题、检查链接、校验知识库、跑评测、看统计、更新拦截名单。"
)
MAX_DAYS = 3650

_ERRORS = (
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (
        r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)",
        r"参数 \1 不认识 \2（可选 \3）",
    ),
    (r"argument (.*?): invalid (.*?) value: (.*)", r"参数 \1 的值 \3 不对"),
    (r"argument (.*?): expected one argument", r"参数 \1 后面要跟一个值"),
    (r"argument (.*?): (.*)", r"参数 \1：\2"),
    (r"unrecognized arguments: (.*)", r"不认识的参数：\1"),
)


class _ChineseFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "用法：")


class ChineseParser(argparse.ArgumentParser):
    """中文的用法、分组标题和出错提示（argparse 自带的是英文）。"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _ChineseFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示这段说明")

    def error(self, message: str) -> NoReturn:
        """打印用法和一句中文的错误，退出码 2。"""
        for pattern, replacement in _ERRORS:
            translated, count = re.subn(pattern, replacement, message)
            if count:
                message = translated
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：{message}\n")


def _knowledge_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge",
        type=Path,
        metavar="目录",
        help="知识目录（默认按 .env 里的 CARDGUARD_KNOWLEDGE_DIR，没设就用随程序发布的 knowledge/）",
    )


def _inputs(text: str) -> Iterator[str]:
    """TEXT 原样返回；`-` 表示从标准输入逐行读取，每行一条。"""
    if text != "-":
        yield text
        return
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def _load(args: argparse.Namespace) -> Knowledge:
    return load_knowledge(knowledge_dir(args), cache_dir=bot_cache_dir())


def cmd_ask(args: argparse.Namespace) -> int:
    """回答问题：和群里点名提问（或 --passive 旁听）的决定一样。"""
    from .matching import Matcher

    knowledge = _load(args)
    matcher = Matcher.for_knowledge(knowledge, cache_dir=bot_cache_dir())
    decide = matcher.passive if args.passive else matcher.ask
    for text in _inputs(args.text):
        result = decide(text)
        if args.json:
            _print_json(result.to_dict())
        else:
            print(describe_answer(result, knowledge, passive=args.passive))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """检查消息里的链接：和群里一样打分，说明会不会提醒、为什么。"""
    from .links import scan

    knowledge = _load(args)
    if args.fetch_private is None:
        args.fetch_private = bot_settings()[1].cardguard_fetch_private if args.probe else False
    if args.probe:  # 只有明确要求时才联网
        from .cli_net import check_with_probe

        return check_with_probe(args, knowledge, _inputs(args.text))
    for text in _inputs(args.text):
        result = scan(text, link_rules(knowledge))
        if args.json:
            _print_json(result.to_dict())
        else:
            print(describe_scan(result, knowledge))
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
    if not _validate_page_markers(args):
        return 1
    phrasings = sum(len(e.aliases) for e in knowledge.entries)
    print(
        f"OK: {faqs} 条 FAQ，{risks} 条风险点（问法 {phrasings} 句），"
        f"链接规则：{domains}，闲聊例句 {chatter} 句"
    )
    return 0


def _validate_page_markers(args: argparse.Namespace) -> bool:
    """页面特征（page_markers.yaml）也要校验；有错时逐行打印。"""
    from .links.pagemarks import load_page_markers

    try:
        load_page_markers(knowledge_dir(args))
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return False
    return True


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
        reports.append(_eval_questions(knowledge, labelled, args.json, summary=args.summary))
    if args.json:
        _print_json(reports[0] if len(reports) == 1 else reports)
    return 0


def _eval_questions(
    knowledge: Knowledge,
    labelled: list[tuple[Path, list[dict[str, Any]], list[str]]],
    as_json: bool,
    *,
    summary: bool = False,
) -> dict[str, Any]:
    """问题/闲聊文件逐个评测；返回合计（JSON 里 `files` 是每个文件的结果）。

    `summary`：只给数字、不列失误（还没人看过失误的集，见 tests/data/unseen/）。
    """
    from .matching import Matcher
    from .matching.evaluate import (
        QuestionEval,
        evaluate_questions,
        format_misses,
        format_summary,
    )

    matcher = Matcher.for_knowledge(knowledge, cache_dir=bot_cache_dir())
    total = QuestionEval()
    per_file: list[dict[str, Any]] = []
    for path, questions, chatter in labelled:
        result = evaluate_questions(matcher, questions, chatter)
        total.add(result)
        per_file.append({"file": str(path), **_without_misses(result.to_dict(), summary)})
        if not as_json:
            print(f"{path}（{len(questions)} 问，{len(chatter)} 句闲聊）")
            print("\n".join(format_summary(result)))
    if not as_json:
        if len(labelled) > 1:
            print(f"合计（{len(labelled)} 个文件）")
            print("\n".join(format_summary(total)))
        if total.misses and not summary:
            print("失误：")
            print("\n".join(format_misses(total)))
    return {**_without_misses(total.to_dict(), summary), "files": per_file}


def _without_misses(report: dict[str, Any], summary: bool) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "misses"} if summary else report


def _eval_links(path: Path, knowledge: Knowledge, as_json: bool) -> dict[str, Any]:
    from .links.evaluate import evaluate_links, format_link_eval

    result = evaluate_links(path, link_rules(knowledge))
    if not as_json:
        print(format_link_eval(result))
    return result


def cmd_eval_links(args: argparse.Namespace) -> int:
    """跑链接标注集，打印每个文件的结果和合并后按家族的召回/误报。"""
    from .links.evaluate import family_rows, format_families, merge_families

    knowledge = _load(args)
    results = [_eval_links(path, knowledge, args.json) for path in args.files]
    families = merge_families(results)
    if args.json:
        _print_json({"files": results, "families": family_rows(families)})
    elif len(results) > 1:
        print("合计（按家族）：")
        print(format_families(families))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """打印统计（与群里 /guard stats 相同的数字）。"""
    from .stats import DB_NAME, StatsError, StatsStore, format_report

    path = (args.data or bot_data_dir() / "stats") / DB_NAME
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
    """构建参数解析器（帮助和出错提示都是中文）。"""
    parser = ChineseParser(prog="python -m cardguard", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for name, func, help_text in _COMMANDS:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        _SETUP[name](sp)
        sp.set_defaults(func=func)
    return parser


def _setup_ask(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--passive", action="store_true", help="按群聊旁听的规则决定（没 @ 机器人时会不会主动回答）"
    )
    sp.add_argument("--json", action="store_true", help="每条输出一行 JSON")
    _knowledge_arg(sp)
    sp.add_argument("text", metavar="问题", help="要问的话；写 - 表示从标准输入逐行读")


def _setup_check(sp: argparse.ArgumentParser) -> None:
    from .cli_net import add_fetch_private

    sp.add_argument("--json", action="store_true", help="每条输出一行 JSON")
    sp.add_argument(
        "--probe", action="store_true", help="拿不准的链接打开网页看一眼（会联网；不加就从不联网）"
    )
    add_fetch_private(sp)
    _knowledge_arg(sp)
    sp.add_argument("text", metavar="消息", help="要检查的消息；写 - 表示从标准输入逐行读")


def _setup_validate(sp: argparse.ArgumentParser) -> None:
    _knowledge_arg(sp)


def _setup_eval(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--json", action="store_true", help="输出 JSON 汇总 / print a JSON summary")
    sp.add_argument(
        "--summary",
        action="store_true",
        help="只给数字、不列失误（量还没人看过失误的集时用） / figures only, no misses",
    )
    _knowledge_arg(sp)
    sp.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="标注集 YAML / labelled set files"
    )


def _setup_eval_links(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--json", action="store_true", help="输出 JSON 汇总")
    _knowledge_arg(sp)
    sp.add_argument("files", nargs="+", type=Path, metavar="文件", help="链接标注集（YAML）")


def _setup_stats(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--days", type=_days, default=7, metavar="天数", help=f"最近几天（默认 7，最多 {MAX_DAYS}）"
    )
    sp.add_argument("--group", metavar="群号", help="只看这个群")
    sp.add_argument(
        "--data", type=Path, metavar="目录", help="放 stats.sqlite3 的文件夹（默认和机器人一样）"
    )
    sp.add_argument("--json", action="store_true", help="输出 JSON")
    _knowledge_arg(sp)


def _days(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"天数要写 1 到 {MAX_DAYS} 之间的整数")
    return int(text)


def _cmd_blocklist(args: argparse.Namespace) -> int:
    from .cli_net import cmd_blocklist

    return cmd_blocklist(args)


def _setup_blocklist(sp: argparse.ArgumentParser) -> None:
    from .cli_net import setup_blocklist

    setup_blocklist(sp)


_COMMANDS: list[tuple[str, Callable[[argparse.Namespace], int], str]] = [
    ("ask", cmd_ask, "试答一个问题：会不会回答、答哪条、为什么"),
    ("check", cmd_check, "检查一条消息里的链接：会不会提醒、几分、为什么"),
    ("validate", cmd_validate, "校验知识目录（出错指出 文件:行号 和条目）"),
    ("eval", cmd_eval, "跑问题标注集，打印答对、答错、误触发"),
    ("eval-links", cmd_eval_links, "跑链接标注集，按发卡系统家族打印召回和误报"),
    ("stats", cmd_stats, "看使用统计（和群里 /guard stats 一样的数字）"),
    ("blocklist", _cmd_blocklist, "共享拦截名单：立即更新（update）或查看状态（status）"),
]
_SETUP: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "ask": _setup_ask,
    "check": _setup_check,
    "validate": _setup_validate,
    "eval": _setup_eval,
    "eval-links": _setup_eval_links,
    "stats": _setup_stats,
    "blocklist": _setup_blocklist,
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

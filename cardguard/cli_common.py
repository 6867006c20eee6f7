"""命令行共用的部分：读机器人的设置、把匹配和链接判断说成人话。

cli 和 cli_net 都用，放在这里免得两者互相导入。
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .knowledge import Knowledge

if TYPE_CHECKING:
    from .config import Config
    from .links import DomainRules


@functools.cache
def bot_settings() -> tuple[dict[str, str], Config]:
    """机器人的设置（当前目录）；写错了就像 bot.py 一样逐行打印、退出（退出码 2）。"""
    from .config import check_settings, read_settings

    raw = read_settings(Path.cwd())
    checked = check_settings(raw)
    if checked.problems or checked.config is None:
        print("设置有误（和机器人读的是同一份 .env / 环境变量）：", file=sys.stderr)
        for line in checked.problems:
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(2)
    return raw, checked.config


def knowledge_dir(args: argparse.Namespace) -> Path | None:
    """--knowledge 优先；否则 CARDGUARD_KNOWLEDGE_DIR；都没有就是随程序发布的 knowledge/。"""
    if getattr(args, "knowledge", None) is not None:
        return Path(args.knowledge)
    return bot_settings()[1].cardguard_knowledge_dir


def bot_cache_dir() -> Path | None:
    """机器人的缓存文件夹（建好的索引和训练结果）；建不了就不用缓存（每次现算，慢几秒）。"""
    from .config import cache_dir

    path = cache_dir(bot_settings()[0], Path.cwd())
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def bot_data_dir() -> Path:
    """机器人存管理员数据和统计的文件夹。"""
    from .config import data_dir

    raw, config = bot_settings()
    return data_dir(raw, config, Path.cwd())


def describe_answer(result: Any, knowledge: Knowledge, *, passive: bool) -> str:
    """给人看的结果：答哪条、分数、为什么答或不答。"""
    score = f"{result.score:.0f}/100"
    if result.entry is not None:
        how = "旁听也会主动回答" if passive else "会回答"
        return f"{how}：{result.entry.question}（{result.id}，匹配度 {score}）\n{result.answer}"
    if passive:
        return f"旁听不开口（匹配度 {score}）：不像在问卡网的事，或者没有十足把握。"
    if result.suggestions:
        lines = [f"没有把握（匹配度 {score}），会给出“你是不是想问”："]
        for number, entry_id in enumerate(result.suggestions, 1):
            entry = knowledge.get(entry_id)
            lines.append(f"  {number}. {entry.question if entry else entry_id}（{entry_id}）")
        return "\n".join(lines)
    return f"不会回答（匹配度 {score}）：知识库里没有相关的条目，机器人会说“这个我还不会回答”。"


VERDICTS = {
    "warn": "会提醒",
    "log": "不提醒，只记日志（拿不准；机器人开着页面探测时会打开网页看一眼）",
    "quiet": "没问题",
}


def describe_scan(result: Any, knowledge: Knowledge) -> str:
    """给人看的链接判断：结论、分数的意思、每条网址的理由。"""
    rules = knowledge.domains
    warn, log = (rules.warn, rules.log) if rules is not None else (60, 30)
    if not result.links:
        return "没找到链接：没问题。"
    lines = [
        f"判断：{VERDICTS.get(result.verdict, result.verdict)}（最高 {result.score} 分；{warn} 分起提醒，{log}–{warn - 1} 分只记日志）"
    ]
    for link in result.links:
        lines.append(
            f"  · {link.defanged}  {link.score} 分：{'；'.join(link.reasons) or '没有可疑之处'}"
        )
    return "\n".join(lines)


def link_rules(knowledge: Knowledge) -> DomainRules:
    """链接规则；知识目录里没有 domains.yaml 时说明原因并退出（退出码 2）。"""
    if knowledge.domains is None:
        print("知识目录里没有 domains.yaml（链接识别规则），没法判断链接。", file=sys.stderr)
        raise SystemExit(2)
    return knowledge.domains

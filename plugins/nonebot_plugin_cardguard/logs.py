"""日志：默认不记群友的 QQ 号和聊天内容；核心模块的“跳过了什么”每类只记一次。

NoneBot 默认把收到的每条消息（QQ 号 + 原文，私聊也一样）记进日志。这里在日志写出前
把这些行改成只剩消息编号和群号；设置 `CARDGUARD_LOG_MESSAGES=true` 才保留原样（排查问题用）。
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import nonebot
from nonebot.log import logger

from cardguard.pacing import QuietLog

if TYPE_CHECKING:
    from loguru import Record

HEAD_LIMIT = 200
RAW_MARK = "Raw: "
HIDDEN = "（内容已隐去）"
QUIET_PERIOD = 600.0
QUIET_LOGGERS = ("cardguard.links", "cardguard.net", "cardguard.stats", "cardguard.store")


def redact_event_line(message: str) -> str:
    """NoneBot 的“收到事件”日志：`... | [message.group.normal]: Message 1 from 2@[群:3] '原文'`
    → `... | [message.group.normal]: Message 1 @[群:3]`；其他事件只留事件名。"""
    start = message.find("| [", 0, HEAD_LIMIT)
    end = message.find("]: ", start, HEAD_LIMIT) if start >= 0 else -1
    if end < 0:
        return message
    head, body = message[: end + 3], message[end + 3 : end + 3 + HEAD_LIMIT]
    words = body.split(" ", 4)
    if len(words) >= 4 and words[0] == "Message" and words[2] == "from":
        where = "@" + words[3].partition("@")[2] if "@[群:" in words[3] else "（私聊）"
        return f"{head}Message {words[1]} {where}".rstrip()
    return head + HIDDEN


def redact_raw(message: str) -> str:
    """OneBot 适配器解析失败时会把整条原始数据写进日志：只留前面的说明。"""
    index = message.find(RAW_MARK)
    return message if index < 0 else message[:index] + HIDDEN


def privacy_patcher(record: Record) -> None:
    """loguru 的 patcher：在日志写出前隐去聊天内容和 QQ 号。"""
    if record["function"] == "handle_event" and record["name"] == "nonebot.message":
        record["message"] = redact_event_line(record["message"])
    elif RAW_MARK in record["message"] and "Failed to parse event" in record["message"]:
        record["message"] = redact_raw(record["message"])


def hide_chat_in_logs() -> None:
    """打开隐私过滤（默认）；NoneBot 自己的 patcher（把模块名换成插件名）接在后面照常运行。"""
    nonebot_patcher: Callable[[Record], None] | None = getattr(nonebot, "_log_patcher", None)

    def patch(record: Record) -> None:
        privacy_patcher(record)
        if nonebot_patcher is not None:
            nonebot_patcher(record)

    logger.configure(patcher=patch)


class QuietBridge(logging.Handler):
    """把核心模块的标准 logging 转进 NoneBot 的日志；同一句话 10 分钟内只记一次。"""

    def __init__(self, period: float = QUIET_PERIOD) -> None:
        super().__init__(logging.INFO)
        self.quiet = QuietLog(period)
        self.period = period

    def emit(self, record: logging.LogRecord) -> None:
        muted = self.quiet.tick((record.name, str(record.msg)), time.monotonic())
        if muted is None:
            return
        text = record.getMessage()
        if muted:
            text += f"（{self.period / 60:.0f} 分钟内同类情况另有 {muted} 次，已省略）"
        text += "；同类情况 10 分钟内只记一次"
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.opt(exception=record.exc_info).log(level, text)


def quiet_core_logs() -> None:
    """核心模块（链接识别等）的日志接进来，每类只记一次。"""
    for name in QUIET_LOGGERS:
        core = logging.getLogger(name)
        if not any(isinstance(h, QuietBridge) for h in core.handlers):
            core.addHandler(QuietBridge())
        core.setLevel(logging.INFO)

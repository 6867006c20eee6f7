"""bot.py 用的 OneBot v11 适配器：和原版一样，只是解析事件更省、坏事件不刷日志。

为什么要换（数字见 ARCHITECTURE.md 的基准一节）：NoneBot 的 `type_validate_python` 每解析一个事件、
每个消息段都新建一个 pydantic TypeAdapter，一条两段的消息要建三个，占了裸 NoneBot 处理一条消息
约三成的 CPU。这里用事件模型自带的校验器，消息段直接构造。另外 OneBot 实现偶尔送来解析不了的事件
（消息段的 data 是 null、message 是数字……）：原版每条都把整段原始数据（含 QQ 号和聊天内容）连同
traceback 写进日志；这里先把它修成能解析的形状（只修形状，内容的整理在插件的 view.py），
修不了的每 10 分钟只记一句、不带原文。

插件装进别人的机器人时用原版适配器，照样工作。
"""

from __future__ import annotations

import time
from typing import Any

from nonebot.adapters.onebot.v11 import Adapter, Message, MessageSegment
from nonebot.adapters.onebot.v11.event import Event as OneBotEvent
from nonebot.log import logger

from cardguard.pacing import QuietLog

_skipped = QuietLog(600.0)


def parseable_segment(segment: Any) -> dict[str, Any] | None:
    """把一个消息段修成适配器能解析的形状（type 是字符串、data 是字典、文字是字符串）。"""
    if not isinstance(segment, dict):
        return None
    kind, data = segment.get("type"), segment.get("data")
    if (
        type(kind) is str
        and type(data) is dict
        and (kind != "text" or type(data.get("text")) is str)
    ):
        return segment
    data = data if isinstance(data, dict) else {}
    if kind == "text" and not isinstance(data.get("text"), str):
        text = data.get("text")
        data = {**data, "text": "" if text is None else str(text)}
    return {"type": kind if isinstance(kind, str) else "unknown", "data": data}


def parseable_frame(frame: Any) -> Any:
    """消息事件的 message 修成消息段列表（字符串照旧，交给适配器按 CQ 码规则解析）。"""
    if not isinstance(frame, dict) or "message" not in frame:
        return frame
    message = frame["message"]
    if isinstance(message, list):
        fixed = [parseable_segment(s) for s in message]
        if any(f is None or f is not s for f, s in zip(fixed, message, strict=True)):
            frame["message"] = [f for f in fixed if f is not None]
    elif isinstance(message, str):
        if _skipped.tick("string format", time.monotonic()) is not None:
            logger.warning(
                "OneBot 客户端送来的消息是 String（CQ 码字符串）格式：请在 NapCat 的网络配置里"
                "把消息格式改成 Array，否则群友打的 [CQ:...] 文字会被当成真的消息段（10 分钟内只提醒一次）"
            )
    else:
        frame["message"] = []
    return frame


def _plain_header(frame: dict[str, Any]) -> bool:
    """常见情况：time、self_id 是整数，post_type 是字符串（规矩的 OneBot 实现都这样发）。"""
    return (
        type(frame.get("time")) is int
        and type(frame.get("self_id")) is int
        and isinstance(frame.get("post_type"), str)
    )


class FastAdapter(Adapter):
    """OneBot v11 适配器：先修形状，规矩的事件走 `fast_event`，连基本字段都不对的安静跳过。"""

    @classmethod
    def json_to_event(cls, json_data: Any) -> Any:
        """原始数据 → 事件；和原版的结果相同。"""
        json_data = parseable_frame(json_data)
        if not isinstance(json_data, dict) or "post_type" not in json_data:
            return super().json_to_event(json_data)
        if _plain_header(json_data):
            event = fast_event(cls, json_data)
            return event if event is not None else super().json_to_event(json_data)
        try:  # 不常见的写法（字符串数字等）交给 pydantic 按它的规则判断
            OneBotEvent.model_validate(json_data)
        except ValueError:
            if _skipped.tick("bad event", time.monotonic()) is not None:
                logger.warning("收到缺少必需字段的事件，已跳过（同类情况 10 分钟内只记一次）")
            return None
        return super().json_to_event(json_data)


def fast_event(adapter: Any, json_data: dict[str, Any]) -> Any:
    """只试最具体的事件模型，消息段直接构造；它不接受时返回 None，由原版的路径从头再来。"""
    message, built = json_data.get("message"), None
    if isinstance(message, list):
        segments = (MessageSegment(type=s["type"], data=s["data"]) for s in message)
        built = {**json_data, "message": Message(segments)}
    model = next(iter(adapter.get_event_model(json_data)), None)
    if model is None:
        return None
    # 只有声明了 message 字段的模型才会把它校验成 Message；别的模型原样保留列表
    data = built if built is not None and "message" in model.model_fields else json_data
    try:
        return model.model_validate(data)
    except Exception:  # 最具体的模型不接受：交回适配器按它的顺序逐个试、记日志
        return None

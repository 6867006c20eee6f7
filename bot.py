"""启动卡盟安全助手：python bot.py（不需要 .env；默认监听 127.0.0.1:8080）。

OneBot v11 客户端（NapCat 等）用反向 WebSocket 连到 ws://127.0.0.1:8080/onebot/v11/ws 。
设置 CARDGUARD_CONSOLE=true 可以不连 QQ，直接在终端里试用。
"""

from __future__ import annotations

import ipaddress
import os
import signal
import sys
import time
from types import FrameType
from typing import Any

import nonebot

PLUGINS = (
    "plugins.guard_core",
    "plugins.stats",
    "plugins.faq",
    "plugins.link_guard",
    "plugins.admin",
)


def _console_mode() -> bool:
    """环境变量或 .env 里 CARDGUARD_CONSOLE=true 时用终端试用；须在 nonebot.init() 之后调用。"""
    value = os.environ.get("CARDGUARD_CONSOLE") or getattr(
        nonebot.get_driver().config, "cardguard_console", ""
    )
    return str(value).strip().lower() in ("1", "true", "yes", "on")


ENV_PREFIXES = ("CARDGUARD_", "LOCALSTORE_")


def _plugin_env() -> dict[str, str]:
    """插件设置也能直接用环境变量给出（NoneBot 只为 .env 里出现过的键读取环境变量）。"""
    return {k.lower(): v for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIXES)}


def tidy_segment(segment: dict[str, Any]) -> dict[str, Any]:
    """一个消息段：type 必须是字符串、data 必须是字典、文字段的 text 必须是字符串。"""
    kind = segment.get("type")
    data = segment.get("data")
    data = data if isinstance(data, dict) else {}
    if kind == "text" and not isinstance(data.get("text"), str):
        text = data.get("text")
        data = {**data, "text": "" if text is None else str(text)}
    return {"type": kind if isinstance(kind, str) else "unknown", "data": data}


def tidy_frame(frame: Any) -> Any:
    """OneBot 实现偶尔送来格式不对的消息（消息段 data 为 null、message 是数字……）。

    先整理成合法的样子再交给适配器；否则适配器在交给插件之前就出错，每条留一个 traceback。
    id 不是数字的回复段直接去掉。
    """
    if not isinstance(frame, dict) or "message" not in frame:
        return frame
    message = frame["message"]
    if isinstance(message, list):
        if not all(_tidy_segment(s) for s in message):  # 绝大多数消息本来就是规矩的，不用重建
            segments = [tidy_segment(s) for s in message if isinstance(s, dict)]
            frame["message"] = [s for s in segments if not _bad_reply(s)]
    elif not isinstance(message, str):
        frame["message"] = []
    return frame


def _tidy_segment(segment: Any) -> bool:
    """这个消息段已经是 `tidy_segment` 整理后的样子（而且不是坏的回复段）。"""
    if type(segment) is not dict or len(segment) != 2 or type(segment.get("type")) is not str:
        return False
    data = segment.get("data")
    if type(data) is not dict:
        return False
    if segment["type"] == "text":
        return type(data.get("text")) is str
    return segment["type"] != "reply" or not _bad_reply(segment)


def _bad_reply(segment: dict[str, Any]) -> bool:
    ident = str(segment["data"].get("id", ""))
    return segment["type"] == "reply" and not (ident.isascii() and ident.isdigit())


def _plain_header(frame: dict[str, Any]) -> bool:
    """常见情况的快速判断：time、self_id 是整数，post_type 是字符串（规矩的 OneBot 实现都这样发）。"""
    time_, self_id = frame.get("time"), frame.get("self_id")
    return type(time_) is int and type(self_id) is int and isinstance(frame.get("post_type"), str)


def onebot_adapter() -> type:
    """OneBot v11 适配器，多三步：解析事件前先 `tidy_frame`；连基本字段都不对的事件直接跳过；
    规矩的事件走 `fast_event`。

    适配器自己解析失败时会把整条原始数据（含 QQ 号和聊天内容）连同 traceback 写进日志，
    而且每条都写；这里改成每 10 分钟只记一句，不带原文。
    """
    from nonebot.adapters.onebot.v11 import Adapter
    from nonebot.adapters.onebot.v11.event import Event as OneBotEvent
    from nonebot.log import logger

    from cardguard.budget import QuietLog

    skipped = QuietLog(600.0)

    class TidyAdapter(Adapter):
        @classmethod
        def json_to_event(cls, json_data: Any) -> Any:
            json_data = tidy_frame(json_data)
            if not isinstance(json_data, dict) or "post_type" not in json_data:
                return super().json_to_event(json_data)
            if _plain_header(json_data):
                event = fast_event(cls, json_data)
                return event if event is not None else super().json_to_event(json_data)
            try:  # 不常见的写法（字符串数字等）再交给 pydantic 按它的规则判断
                OneBotEvent.model_validate(json_data)
            except ValueError:
                if skipped.tick("bad event", time.monotonic()) is not None:
                    logger.warning("收到缺少必需字段的事件，已跳过（同类情况 10 分钟内只记一次）")
                return None
            return super().json_to_event(json_data)

    return TidyAdapter


def fast_event(adapter: Any, json_data: dict[str, Any]) -> Any:
    """和适配器自己的解析结果相同，只是更省：不为每个事件、每个消息段新建一个 pydantic TypeAdapter。

    NoneBot 的 `type_validate_python` 每次调用都新建 TypeAdapter，一条两段的消息要建三个，
    占了裸 NoneBot 处理一条消息的三成 CPU。这里用事件模型自带的校验器，消息段直接构造
    （`tidy_frame` 之后每段都是 {"type": str, "data": dict}，和适配器的 `_validate` 得到的一样）。
    只试最具体的那个模型；它不接受时返回 None，由适配器原来的路径从头再来（逐个试、记日志、
    退回基础 Event），结果和从前完全一样。
    """
    from nonebot.adapters.onebot.v11 import Message, MessageSegment

    message, built = json_data.get("message"), None
    if isinstance(message, list):
        segments = (MessageSegment(type=s["type"], data=s["data"]) for s in message)
        built = {**json_data, "message": Message(segments)}
    model = next(iter(adapter.get_event_model(json_data)), None)
    if model is None:
        return None
    # 只有声明了 message 字段的模型才会把它校验成 Message；别的模型（基础 Event）原样保留列表
    data = built if built is not None and "message" in model.model_fields else json_data
    try:
        return model.model_validate(data)
    except Exception:  # 最具体的模型不接受：交回适配器按它的顺序逐个试、记日志
        return None


def exposed_without_token(config: Any) -> bool:
    """监听的不只是本机，却没有设 ONEBOT_ACCESS_TOKEN：谁都能冒充 NapCat 连进来、冒充管理员发命令。"""
    if getattr(config, "onebot_access_token", None):
        return False
    try:
        return not ipaddress.ip_address(str(getattr(config, "host", "127.0.0.1"))).is_loopback
    except ValueError:  # 主机名：当作不只本机
        return True


def _register_adapter(driver: Any) -> None:
    """控制台试用用终端适配器；否则用 OneBot v11（不只本机能连又没设 token 时拒绝启动）。"""
    if _console_mode():
        from nonebot.adapters.console import Adapter as ConsoleAdapter

        driver.register_adapter(ConsoleAdapter)
        return
    if exposed_without_token(driver.config):
        from nonebot.log import logger

        logger.error(
            f"HOST={driver.config.host} 不只本机能连，必须在 .env 里设置 ONEBOT_ACCESS_TOKEN"
            "（NapCat 里填同一个）；否则谁都能连进来冒充 QQ。只在本机用就把 HOST 设为 127.0.0.1。"
        )
        raise SystemExit(1)
    driver.register_adapter(onebot_adapter())


def drop_quiet_logs_early(level: Any) -> bool:
    """让 NoneBot 的日志处理器自己带上 LOG_LEVEL：低于它的日志在 loguru 入口就被丢掉。

    NoneBot 装的处理器收下所有级别（level=0），再由过滤器按 LOG_LEVEL 丢弃，于是每条消息的
    几行调试日志都要先建好记录（时间、调用栈、着色）才被扔掉。过滤器照旧保留，输出不变。
    级别写错时什么都不改（NoneBot 自己会报），返回是否改了。
    """
    from nonebot import log

    try:
        number = log.logger.level(level).no if isinstance(level, str) else int(level)
        log.logger.remove(log.logger_id)
    except ValueError:
        return False
    log.logger_id = log.logger.add(
        sys.stdout,
        level=number,
        diagnose=False,
        filter=log.default_filter,
        format=log.default_format,
    )
    return True


def setup() -> None:
    """初始化 NoneBot，注册适配器，加载插件。"""
    # 控制台试用：只有以 “@Bot” 开头的消息才算 @ 机器人，和在群里一样（适配器默认每句都算）
    nonebot.init(console_strict_tome=True, **_plugin_env())
    if not _console_mode():  # 终端试用时日志由终端界面接管，不去动它
        drop_quiet_logs_early(nonebot.get_driver().config.log_level)
    _register_adapter(nonebot.get_driver())
    for name in PLUGINS:
        try:
            nonebot.load_plugin(name)
        except ModuleNotFoundError:
            continue


STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)
)


class _Stopper:
    """Ctrl+C / SIGTERM 的处理：还没开始服务时直接退出；服务结束以后安静地忽略。

    uvicorn 收尾（等正在处理的消息、关闭数据库）之后，会把收到的信号再发给原来的处理函数；
    默认处理函数会让进程以“被信号杀死”（143）或 KeyboardInterrupt 的 traceback 结束。
    换成这个以后，正常关机的退出码是 0，日志里没有 traceback。
    """

    serving = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if not self.serving:
            sys.exit(0)

    def install(self) -> None:
        """替换 SIGINT/SIGTERM 的处理函数。"""
        for sig in STOP_SIGNALS:
            signal.signal(sig, self)

    async def started(self) -> None:
        """NoneBot 启动完成（此后由 uvicorn 接管信号、负责收尾）。"""
        self.serving = True


def main() -> None:
    """启动机器人并一直运行；收到 SIGINT/SIGTERM 时处理完手上的事再退出（退出码 0）。"""
    stopper = _Stopper()
    stopper.install()
    setup()
    nonebot.get_driver().on_startup(stopper.started)
    nonebot.run()


if __name__ == "__main__":
    main()

"""启动卡盟安全助手：python bot.py（不需要 .env；默认监听 127.0.0.1:8080）。

OneBot v11 客户端（NapCat 等）用反向 WebSocket 连到 ws://127.0.0.1:8080/onebot/v11/ws 。
设置 CARDGUARD_CONSOLE=true 可以不连 QQ，直接在终端里试用。
"""

from __future__ import annotations

import os

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


def setup() -> None:
    """初始化 NoneBot，注册适配器，加载插件。"""
    # 控制台试用：只有以 “@Bot” 开头的消息才算 @ 机器人，和在群里一样（适配器默认每句都算）
    nonebot.init(console_strict_tome=True, **_plugin_env())
    driver = nonebot.get_driver()
    if _console_mode():
        from nonebot.adapters.console import Adapter as ConsoleAdapter

        driver.register_adapter(ConsoleAdapter)
    else:
        from nonebot.adapters.onebot.v11 import Adapter as OneBotV11Adapter

        driver.register_adapter(OneBotV11Adapter)
    for name in PLUGINS:
        try:
            nonebot.load_plugin(name)
        except ModuleNotFoundError:
            continue


def main() -> None:
    """启动机器人并一直运行。"""
    setup()
    nonebot.run()


if __name__ == "__main__":
    main()

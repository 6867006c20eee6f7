"""启动卡盟安全助手：python bot.py（不需要 .env；默认监听 127.0.0.1:8080）。

OneBot v11 客户端（NapCat 等）用反向 WebSocket 连到 ws://127.0.0.1:8080/onebot/v11/ws 。
设置 CARDGUARD_CONSOLE=true 可以不连 QQ，直接在终端里试用。

启动顺序：先检查全部设置（写错了在监听之前停下，每处一行中文）→ 初始化 NoneBot → 按 pyproject.toml
的 [tool.nonebot] 注册适配器、加载插件（有插件没加载成功就不启动）→ 开始监听。
"""

from __future__ import annotations

import importlib
import ipaddress
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from cardguard.config import Settings, check_settings, read_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent
PROJECT = ROOT / "pyproject.toml"
# plugins/ 里的插件按名字加载（[tool.nonebot.plugins]），和 pip 装好的同名：NoneBot 从 sys.path 找插件。
sys.path.insert(0, str(ROOT / "plugins"))
ONEBOT_V11 = "nonebot.adapters.onebot.v11"
CONSOLE = "nonebot.adapters.console"


def preflight(cwd: Path | None = None) -> Settings:
    """读并检查全部设置；有问题就逐行打印、退出（退出码 2），不带 traceback。"""
    settings = check_settings(read_settings(cwd or Path.cwd()))
    if settings.problems:
        print("设置有误，机器人没有启动：", file=sys.stderr)
        for line in settings.problems:
            print(f"  {line}", file=sys.stderr)
        print("改好 .env（或环境变量）后再运行。每一项的说明见 .env.example。", file=sys.stderr)
        raise SystemExit(2)
    return settings


def exposed_without_token(values: dict[str, Any]) -> bool:
    """监听的不只是本机，却没有设 ONEBOT_ACCESS_TOKEN：谁都能冒充 NapCat 连进来、冒充管理员发命令。"""
    if values.get("onebot_access_token"):
        return False
    try:
        return not ipaddress.ip_address(str(values.get("host", "127.0.0.1"))).is_loopback
    except ValueError:
        return True


def project_table() -> dict[str, Any]:
    """pyproject.toml 里的 [tool.nonebot]。"""
    with PROJECT.open("rb") as fh:
        return dict(tomllib.load(fh).get("tool", {}).get("nonebot", {}))


def adapter_modules(table: dict[str, Any]) -> list[str]:
    """[tool.nonebot] 里的适配器模块（新格式 adapters 是 {包名: [{name, module_name}]}，旧格式是列表）。"""
    adapters = table.get("adapters", {})
    groups = adapters.values() if isinstance(adapters, dict) else [adapters]
    return [item["module_name"] for group in groups for item in group]


def onebot_adapter() -> type:
    """OneBot v11 的省 CPU 版本（见 bot_adapter.py）；只有 bot.py 用它，插件本身用原版也一样工作。"""
    from bot_adapter import FastAdapter

    return FastAdapter


def register_adapters(driver: Any, modules: list[str], console: bool) -> None:
    """注册适配器：终端试用时只用终端适配器；否则按 [tool.nonebot] 注册（OneBot v11 换成省 CPU 的版本）。"""
    if console:
        driver.register_adapter(importlib.import_module(CONSOLE).Adapter)
        driver.on_startup(one_key_quits_the_console(driver))
        return
    for module in modules:
        adapter = (
            onebot_adapter() if module == ONEBOT_V11 else importlib.import_module(module).Adapter
        )
        driver.register_adapter(adapter)


def one_key_quits_the_console(driver: Any) -> Any:
    """终端试用：按一次 Ctrl+C（或 Ctrl+Q）就退出整个机器人。

    终端界面（nonechat，基于 textual）里 Ctrl+C 默认只提示、Ctrl+Q 只关界面，机器人还在后台跑，
    得再按一次 Ctrl+C。这里把 Ctrl+C 也绑成“退出”，界面一关就让 NoneBot 像收到 Ctrl+C 一样收尾。
    界面对象和它的按键表是终端适配器、textual 的内部属性（_frontend、_task、_bindings）；
    找不到时什么都不做，退出方式照旧。
    """

    async def bind() -> None:
        adapter = driver._adapters.get("Console")
        frontend, task = getattr(adapter, "_frontend", None), getattr(adapter, "_task", None)
        if frontend is None or task is None:
            return
        frontend._bindings.bind("ctrl+c", "quit", description="退出", priority=True)
        task.add_done_callback(lambda _: signal.raise_signal(signal.SIGINT))

    return bind


def load_plugins(table: dict[str, Any]) -> None:
    """按 [tool.nonebot] 加载插件（`nb plugin install` 装的也在里面）；有一个没加载成功就不启动。"""
    import nonebot

    wanted = table.get("plugins", {})
    names = [n for group in wanted.values() for n in group] if isinstance(wanted, dict) else wanted
    loaded = {plugin.module_name for plugin in nonebot.load_from_toml(str(PROJECT))}
    missing = [name for name in names if name not in loaded]
    if missing:
        nonebot.logger.error(
            f"插件没有加载成功：{'、'.join(missing)}（原因见上面的日志），机器人不启动"
        )
        raise SystemExit(1)


def drop_quiet_logs_early(level: Any) -> bool:
    """让 NoneBot 的日志处理器自己带上 LOG_LEVEL：低于它的日志在 loguru 入口就被丢掉。

    NoneBot 装的处理器收下所有级别，再由过滤器丢弃，于是每条消息的几行调试日志都要先建好记录
    才被扔掉。过滤器照旧保留，输出不变。返回是否改了。
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
    """检查设置、初始化 NoneBot、注册适配器、加载插件。"""
    settings = preflight()
    assert settings.config is not None
    console = settings.config.cardguard_console
    if not console and exposed_without_token(settings.values):
        print(
            f"HOST={settings.values.get('host')} 不只本机能连，必须在 .env 里设置 ONEBOT_ACCESS_TOKEN"
            "（NapCat 里填同一个）；否则谁都能连进来冒充 QQ。只在本机用就把 HOST 设为 127.0.0.1。",
            file=sys.stderr,
        )
        raise SystemExit(2)
    import nonebot

    # 设置已经按 NoneBot 的优先级读好、检查过、改成了规范的写法（SUPERUSERS=12345 → {"12345"}）：
    # 全部作为参数交给 NoneBot，不让它再从 .env 和环境变量里按它更严的规矩解析一遍
    # （_env_file 给一个不是文件的路径，NoneBot 就不读 .env 了；空元组会被它换回默认值）
    for key in [k for k in os.environ if k.lower() in settings.values]:
        del os.environ[key]
    # 终端试用：只有以 “@Bot” 开头的消息才算 @ 机器人，和在群里一样（适配器默认每句都算）
    nonebot.init(_env_file=(os.devnull,), console_strict_tome=True, **settings.values)
    if not console:  # 终端试用时日志由终端界面接管
        drop_quiet_logs_early(nonebot.get_driver().config.log_level)
    table = project_table()
    register_adapters(nonebot.get_driver(), adapter_modules(table), console)
    load_plugins(table)


STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM") if hasattr(signal, n))


class _Stopper:
    """Ctrl+C / SIGTERM：还没开始服务时直接退出；服务结束以后安静地忽略（退出码 0，没有 traceback）。"""

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
    began = time.monotonic()
    stopper = _Stopper()
    stopper.install()
    setup()
    import nonebot

    nonebot.get_driver().on_startup(stopper.started)
    nonebot.logger.info(f"准备好了（{time.monotonic() - began:.1f} 秒），开始监听")
    nonebot.run()


if __name__ == "__main__":
    main()

"""卡盟安全助手（CardGuard）：QQ 群里回答发卡网/卡盟安全问题、提醒卡盟链接、群管理在群里维护知识库。

NoneBot2 插件，导入名 nonebot_plugin_cardguard（仓库里就是这个 plugins/ 文件夹）。这里只接线：
设置和运行时（app）、唯一的事件响应器（router）、登记在它上面的三项功能，以及 HTTP 端点的令牌检查。
"""

import asyncio

from nonebot import get_app, get_driver, require
from nonebot.log import logger
from nonebot.plugin import PluginMetadata

require("nonebot_plugin_localstore")

from . import admin as admin  # noqa: E402  各功能在导入时登记路由和命令
from . import faq as faq  # noqa: E402
from . import links as links  # noqa: E402
from .app import config, runtime  # noqa: E402
from .config import Config  # noqa: E402
from .faq.render import HELP_TEXT  # noqa: E402
from .security import guard_http_endpoints  # noqa: E402

__plugin_meta__ = PluginMetadata(
    name="卡盟安全助手",
    description="回答发卡网/卡盟/自助下单平台的安全问题，提醒群里伪装过的卡盟链接，群管理在群里维护问答",
    usage=HELP_TEXT,
    type="application",
    homepage="https://github.com/cardguard/nonebot-plugin-cardguard",
    config=Config,
    supported_adapters={"~onebot.v11", "~console"},
)

driver = get_driver()
guard_http_endpoints(
    get_app() if hasattr(driver, "server_app") else None,
    getattr(driver.config, "onebot_access_token", None),
    getattr(driver.config, "onebot_secret", None),
)


@driver.on_startup
async def _warm_up() -> None:
    """索引、话题模型第一次用到时才需要：放到后台线程里先建好，不拖慢开始监听。"""

    async def warm() -> None:
        try:
            await asyncio.to_thread(runtime.warm_up)
        except Exception as exc:  # 预热失败不影响使用：用到时会再建一次
            logger.opt(exception=exc).warning("后台预热失败，第一次用到时再准备")

    _warming.append(asyncio.create_task(warm()))


_warming: list[asyncio.Task[None]] = []


async def warmed_up() -> None:
    """等后台预热做完（基准要在稳定状态下计时）。"""
    await asyncio.gather(*_warming)


__all__ = ["Config", "config", "runtime", "warmed_up"]

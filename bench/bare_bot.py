"""基线：只有 OneBot v11 适配器、不加载任何插件的 NoneBot（与 bot.py 同样的启动方式）。

python bench/bare_bot.py ；HOST / PORT / LOG_LEVEL 等从环境变量读取。
"""

from __future__ import annotations

import nonebot
from nonebot.adapters.onebot.v11 import Adapter as OneBotV11Adapter


def main() -> None:
    """初始化、注册适配器并运行。"""
    nonebot.init()
    nonebot.get_driver().register_adapter(OneBotV11Adapter)
    nonebot.run()


if __name__ == "__main__":
    main()

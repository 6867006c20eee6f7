"""插件设置：模型在核心里（命令行也用它），这里只是 NoneBot 插件约定的位置。"""

from cardguard.config import Config, ConfigError, explain

__all__ = ["Config", "ConfigError", "explain"]

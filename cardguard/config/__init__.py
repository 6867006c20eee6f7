"""设置：模型（`Config`，机器人和命令行共用）和唯一读 .env 的地方（`read_settings`、`check_settings`）。"""

from .environment import Settings, cache_dir, check_settings, data_dir, read_settings
from .model import Config, ConfigError, explain, parse_config

__all__ = [
    "Config",
    "ConfigError",
    "Settings",
    "cache_dir",
    "check_settings",
    "data_dir",
    "explain",
    "parse_config",
    "read_settings",
]

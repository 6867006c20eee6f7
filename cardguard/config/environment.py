"""读设置：和 NoneBot 一样从环境变量、.env、.env.{ENVIRONMENT} 读，在启动 NoneBot 之前先全部检查一遍。

这是整个程序里唯一读 .env 的地方：bot.py 启动前用它检查（写错了在监听之前就停下，给一行中文），
命令行用它找到和机器人同一个知识目录、数据目录。库里的其他模块只收路径和值。
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .model import Config, ConfigError, parse_config

PLUGIN_ID = "nonebot_plugin_cardguard"
PREFIXES = ("cardguard_", "localstore_", "onebot_")
NONEBOT_KEYS = frozenset(
    {
        "driver",
        "host",
        "port",
        "log_level",
        "superusers",
        "nickname",
        "command_start",
        "command_sep",
        "session_expire_timeout",
        "api_timeout",
        "environment",
    }
)
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
LOCALSTORE_KEYS = frozenset(
    {
        "localstore_cache_dir",
        "localstore_config_dir",
        "localstore_data_dir",
        "localstore_use_cwd",
        "localstore_plugin_cache_dir",
        "localstore_plugin_config_dir",
        "localstore_plugin_data_dir",
    }
)
ONEBOT_KEYS = frozenset(
    {"onebot_access_token", "onebot_secret", "onebot_ws_urls", "onebot_api_roots"}
)


@dataclass
class Settings:
    """检查过的设置：交给 nonebot.init 的参数、插件的设置、以及写错的地方（每处一行中文）。"""

    values: dict[str, Any] = field(default_factory=dict)
    config: Config | None = None
    problems: list[str] = field(default_factory=list)


def read_settings(cwd: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """原样读出设置（键一律小写）：环境变量 > .env.{ENVIRONMENT} > .env，和 NoneBot 的优先级相同。

    NoneBot 只为它认识的键、和 .env 里出现过的键读环境变量；CARDGUARD_*、LOCALSTORE_*、ONEBOT_*
    写在环境变量里也算（bot.py 把它们一并交给 nonebot.init）。
    """
    from dotenv import dotenv_values

    env = {k.lower(): v for k, v in (os.environ if environ is None else environ).items()}
    files = _file_values(dotenv_values(cwd / ".env"))
    environment = env.get("environment") or files.get("environment") or "prod"
    files |= _file_values(dotenv_values(cwd / f".env.{environment}"))
    known = NONEBOT_KEYS | files.keys()
    direct = {k: v for k, v in env.items() if k in known or k.startswith(PREFIXES)}
    return files | direct


def _file_values(values: Mapping[str, str | None]) -> dict[str, str]:
    return {k.lower(): v for k, v in values.items() if v is not None}


def check_settings(raw: Mapping[str, str]) -> Settings:
    """检查全部设置：NoneBot 自己的（HOST、PORT、SUPERUSERS……）和 CARDGUARD_*。"""
    result = Settings()
    for key, text in raw.items():
        if key.startswith("cardguard_"):
            continue
        checker = _CHECKS.get(key)
        if checker is None:
            if key.startswith("localstore_") and key not in LOCALSTORE_KEYS:
                result.problems.append(_unknown(key, LOCALSTORE_KEYS))
            result.values[key] = _json_or_text(text)
            continue
        try:
            result.values[key] = checker(text)
        except ValueError as exc:
            result.problems.append(f"{key.upper()}={text} 不对：{exc}")
    known = set(Config.model_fields)
    plugin: dict[str, Any] = {}
    for key, text in raw.items():
        if not key.startswith("cardguard_"):
            continue
        if key not in known:
            result.problems.append(_unknown(key, known))
            continue
        plugin[key] = _json_or_text(text)
    try:
        result.config = parse_config(plugin)
    except ConfigError as exc:
        result.problems.extend(exc.lines)
    result.values.update(plugin)
    return result


def _unknown(key: str, known: set[str] | frozenset[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"，是不是 {close[0].upper()}？" if close else "，检查一下拼写"
    return f"{key.upper()} 不认识{hint}"


def _json_or_text(text: str) -> Any:
    """NoneBot 的规矩：值能按 JSON 解析就用解析出来的，否则就是字符串。"""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _host(text: str) -> str:
    value = text.strip()
    if value.lower() == "localhost":
        return "127.0.0.1"
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(
            "要写 IP 地址：只在本机用写 127.0.0.1，让别的机器（Docker、局域网）连写 0.0.0.0"
        ) from None
    return value


def _port(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValueError("要写 1 到 65535 之间的整数，例如 8080")
    return int(value)


def _superusers(text: str) -> set[str]:
    """["123", "456"]、[123, 456]、123、123,456 都认：QQ 号写成数字是最常见的笔误。"""
    value = _json_or_text(text)
    if isinstance(value, int | str):
        value = [v for v in str(value).replace("，", ",").replace(" ", ",").split(",") if v]
    if not isinstance(value, list) or not all(
        isinstance(v, int | str) and not isinstance(v, bool) and str(v).strip() for v in value
    ):
        raise ValueError('要写 QQ 号的列表，例如 ["12345678"]，多个用逗号隔开')
    return {str(v).strip() for v in value}


def _string_set(example: str) -> Any:
    def check(text: str) -> set[str]:
        value = _json_or_text(text)
        if isinstance(value, str):
            return {value}
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return set(value)
        raise ValueError(f"要写字符串的列表，例如 {example}")

    return check


def _log_level(text: str) -> str | int:
    value = text.strip()
    if value.isdigit():
        return int(value)
    if value.upper() not in LOG_LEVELS:
        raise ValueError("可选 " + "、".join(LOG_LEVELS))
    return value.upper()


def _text(text: str) -> str:
    return text.strip()


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("要写一个数（秒）") from None
    if value <= 0:
        raise ValueError("要写大于 0 的数（秒）")
    return value


_CHECKS: dict[str, Any] = {
    "host": _host,
    "port": _port,
    "superusers": _superusers,
    "nickname": _string_set('["卡盟助手"]'),
    "command_start": _string_set('["/"]'),
    "command_sep": _string_set('["."]'),
    "log_level": _log_level,
    "onebot_access_token": _text,
    "onebot_secret": _text,
    "api_timeout": _number,
    "session_expire_timeout": _number,
    "environment": _text,
    "driver": _text,
}


def data_dir(raw: Mapping[str, str], config: Config, cwd: Path) -> Path:
    """机器人存管理员数据和统计的文件夹（命令行找统计库用）。

    CARDGUARD_DATA_DIR 优先；否则是 nonebot-plugin-localstore 给本插件的数据目录（见 `localstore_dir`）。
    """
    if config.cardguard_data_dir is not None:
        return (cwd / config.cardguard_data_dir).resolve()
    return localstore_dir(raw, cwd, "data")


def cache_dir(raw: Mapping[str, str], cwd: Path) -> Path:
    """机器人存索引、训练结果等缓存的文件夹（命令行和机器人共用，省得每次重新训练）。"""
    return localstore_dir(raw, cwd, "cache")


def localstore_dir(raw: Mapping[str, str], cwd: Path, kind: Literal["data", "cache"]) -> Path:
    """nonebot-plugin-localstore 给本插件的 `kind` 目录，不启动 NoneBot 也能算。

    按 localstore 0.7 的规则：LOCALSTORE_PLUGIN_{KIND}_DIR > LOCALSTORE_{KIND}_DIR >
    LOCALSTORE_USE_CWD（当前目录下的 data/ 或 cache/）> 用户目录。
    tests/core/test_environment.py 拿 localstore 自己算出的目录核对这条规则，它变了测试会失败。
    """
    overrides = _json_or_text(raw.get(f"localstore_plugin_{kind}_dir", "{}"))
    if isinstance(overrides, dict) and PLUGIN_ID in overrides:
        return (cwd / str(overrides[PLUGIN_ID])).resolve()
    if raw.get(f"localstore_{kind}_dir"):
        return (cwd / raw[f"localstore_{kind}_dir"]).resolve() / PLUGIN_ID
    if str(raw.get("localstore_use_cwd", "")).strip().lower() in ("1", "true", "yes", "on"):
        return cwd.resolve() / kind / PLUGIN_ID
    from nonestorage import user_cache_dir, user_data_dir

    base = user_data_dir("nonebot2") if kind == "data" else user_cache_dir("nonebot2")
    return Path(base).resolve() / PLUGIN_ID

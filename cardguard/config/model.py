"""卡盟安全助手的设置模型：全部以 CARDGUARD_ 开头；写错了给一句中文，说清哪一项、写的什么、该写什么。

机器人（NoneBot 的 get_plugin_config）和命令行用同一个模型。
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..settings import LINK_MODES, LinkMode

TRUE_WORDS = frozenset({"true", "1", "yes", "on", "开", "是", "打开", "开启"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", "关", "否", "关闭"})
BOOL_HINT = "要写 true 或 false"
_URL_RE = re.compile(r"^https?://[^\s/]+", re.I)
_CJK_RE = re.compile("[\u4e00-\u9fff]")


def _hint(text: str) -> dict[str, Any]:
    return {"hint": text}


class Config(BaseModel):
    """卡盟安全助手的设置（NoneBot 从 .env 和环境变量读入，键不分大小写）。"""

    model_config = ConfigDict(extra="ignore")

    cardguard_knowledge_dir: Path | None = Field(
        default=None,
        description="知识目录（里面有 faq.yaml、risks.yaml）；留空用随程序发布的 knowledge/",
        json_schema_extra=_hint("要写一个存在的文件夹，里面有 faq.yaml"),
    )
    cardguard_data_dir: Path | None = Field(
        default=None,
        description="管理员数据、统计存放的文件夹；留空用 nonebot-plugin-localstore 给本插件的数据目录",
        json_schema_extra=_hint("要写一个文件夹路径"),
    )
    cardguard_passive: bool = Field(
        default=True,
        description="新群默认是否开启旁听回答（不 @ 也回答有把握的问题）",
        json_schema_extra=_hint(BOOL_HINT),
    )
    cardguard_answer_cooldown: int = Field(
        default=600,
        ge=0,
        le=86_400,
        description="同一个群同一条答案的冷却秒数：期间旁听不重复回答",
        json_schema_extra=_hint("要写 0 到 86400 之间的整数（秒）"),
    )
    cardguard_user_cooldown: int = Field(
        default=5,
        ge=0,
        le=3_600,
        description="同一个人把同一句话再问一遍、或被旁听回答之后，至少隔几秒才再回答他",
        json_schema_extra=_hint("要写 0 到 3600 之间的整数（秒）"),
    )
    cardguard_group_budget: int = Field(
        default=10,
        ge=1,
        le=60,
        description="每个群每分钟机器人最多发几条消息（回答、提醒、回执共用，总给提醒留几条）",
        json_schema_extra=_hint("要写 1 到 60 之间的整数"),
    )
    cardguard_link_guard: bool = Field(
        default=True,
        description="新群默认是否开启卡盟链接识别（关掉时不扫链接、不下载图片）",
        json_schema_extra=_hint(BOOL_HINT),
    )
    cardguard_link_mode: LinkMode = Field(
        default="warn",
        description="新群默认的处理方式：warn 提醒、recall 撤回、notify 私聊告诉群管理、recall+notify",
        json_schema_extra=_hint("可选 " + "、".join(LINK_MODES)),
    )
    cardguard_link_cooldown: int = Field(
        default=600,
        ge=0,
        le=86_400,
        description="同一个群同一个站点的提醒冷却秒数（撤回不受冷却限制）",
        json_schema_extra=_hint("要写 0 到 86400 之间的整数（秒）"),
    )
    cardguard_link_probe: bool = Field(
        default=True,
        description="拿不准的链接是否打开网页看一眼（只访问公网地址，3 秒、256 KB 为限，每个站点一天一次）",
        json_schema_extra=_hint(BOOL_HINT),
    )
    cardguard_fetch_private: bool = Field(
        default=False,
        description="是否允许下载本机、局域网地址上的图片（OneBot 实现把图片放在本机时才需要打开）",
        json_schema_extra=_hint(BOOL_HINT),
    )
    cardguard_blocklists: tuple[str, ...] = Field(
        default=(),
        description="订阅的共享拦截名单（每行一个域名的纯文本，hosts 和 AdGuard 写法也认），每天更新；默认不订阅",
        json_schema_extra=_hint(
            "要写 http(s) 网址或存在的文件，多个用逗号隔开，可写成 名字=地址，"
            "例如 反诈名单=https://example.org/list.txt"
        ),
    )
    cardguard_qr_scan: bool = Field(
        default=True,
        description="是否下载群里的图片识别二维码里的链接",
        json_schema_extra=_hint(BOOL_HINT),
    )
    cardguard_qr_timeout: float = Field(
        default=3.0,
        gt=0,
        le=30,
        description="下载一张图片最多等几秒",
        json_schema_extra=_hint("要写大于 0、不超过 30 的数（秒）"),
    )
    cardguard_qr_max_bytes: int = Field(
        default=2_000_000,
        ge=10_000,
        le=20_000_000,
        description="识别二维码时单张图片的大小上限（字节）",
        json_schema_extra=_hint("要写 10000 到 20000000 之间的整数（字节）"),
    )
    cardguard_review_queue: bool = Field(
        default=False,
        description="群管理新增、修改的问答是否要机器人管理员审核后才生效",
        json_schema_extra=_hint(BOOL_HINT),
    )
    cardguard_group_max_entries: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="每个群最多几条自定义问答（全局的另算一份）",
        json_schema_extra=_hint("要写 1 到 10000 之间的整数"),
    )
    cardguard_entry_max_aliases: int = Field(
        default=50,
        ge=0,
        le=500,
        description="群管理给一条问答最多加几个问法",
        json_schema_extra=_hint("要写 0 到 500 之间的整数"),
    )
    cardguard_group_max_sites: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="每个群最多拉黑、放行几个站点（各算各的）",
        json_schema_extra=_hint("要写 1 到 10000 之间的整数"),
    )
    cardguard_keep_gaps_days: int = Field(
        default=30,
        ge=0,
        le=3_650,
        description="没答上的问题保留几天（供 /faq gaps）；0 表示不保留",
        json_schema_extra=_hint("要写 0 到 3650 之间的整数（天）"),
    )
    cardguard_stats_days: int = Field(
        default=90,
        ge=1,
        le=3_650,
        description="统计数据保留几天",
        json_schema_extra=_hint("要写 1 到 3650 之间的整数（天）"),
    )
    cardguard_log_messages: bool = Field(
        default=False,
        description="true 时日志里保留每条消息的 QQ 号、原文和网址（排查问题用）；默认都不记",
        json_schema_extra=_hint(BOOL_HINT),
    )
    cardguard_console: bool = Field(
        default=False,
        description="true 时用终端代替 QQ，本地试用",
        json_schema_extra=_hint(BOOL_HINT),
    )

    @field_validator(
        "cardguard_passive",
        "cardguard_link_guard",
        "cardguard_link_probe",
        "cardguard_fetch_private",
        "cardguard_qr_scan",
        "cardguard_review_queue",
        "cardguard_log_messages",
        "cardguard_console",
        mode="before",
    )
    @classmethod
    def _bool(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(BOOL_HINT)

    @field_validator("cardguard_link_mode", mode="before")
    @classmethod
    def _mode(cls, value: Any) -> Any:
        word = "".join(str(value).split()).lower().replace("＋", "+")
        return word if word in LINK_MODES else value

    @field_validator("cardguard_knowledge_dir", mode="after")
    @classmethod
    def _knowledge_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not (value / "faq.yaml").is_file():
            raise ValueError(
                f"找不到这个文件夹，或者里面没有 faq.yaml（按 {Path.cwd()} 算相对路径）"
            )
        return value

    @field_validator("cardguard_blocklists", mode="before")
    @classmethod
    def _sources(cls, value: Any) -> Any:
        """JSON 列表，或用逗号、空格隔开的地址；每项可写成 名字=地址，地址是 http(s) 网址或本机文件。"""
        from ..links.blocklist import parse_sources, split_sources

        if isinstance(value, str) and value.lstrip().startswith("["):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        if isinstance(value, str | list | tuple) and all(isinstance(v, str) for v in value):
            sources = parse_sources(value)
            bad = [s.url for s in sources if not (_URL_RE.match(s.url) or Path(s.url).is_file())]
            if not bad:
                return tuple(split_sources(value) if isinstance(value, str) else value)
        raise ValueError(
            "要写 http(s) 网址或存在的文件，多个用逗号隔开，可写成 名字=地址，"
            "例如 反诈名单=https://example.org/list.txt"
        )


class ConfigError(Exception):
    """设置写错了：`lines` 每行一个问题，直接给人看。"""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def explain(exc: ValidationError) -> list[str]:
    """pydantic 的校验错误 → 每个写错的设置一行中文：`CARDGUARD_X=值 不对：该怎么写`。"""
    lines: list[str] = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        field = Config.model_fields.get(name)
        extra = field.json_schema_extra if field is not None else None
        hint = extra.get("hint") if isinstance(extra, dict) else None
        value = error.get("input")
        shown = value if isinstance(value, str) else repr(value)
        own = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "value_error" and _CJK_RE.search(own):
            hint = own  # 校验函数自己给的中文说明更具体
        lines.append(f"{name.upper()}={shown} 不对：{hint or error['msg']}")
    return list(dict.fromkeys(lines))


def parse_config(values: dict[str, Any]) -> Config:
    """按设置的值建 `Config`；写错了抛出 `ConfigError`（每个问题一行中文）。"""
    try:
        return Config.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(explain(exc)) from None

"""插件配置：全部以 CARDGUARD_ 开头，可写在环境变量或 .env 里。"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class Config(BaseModel):
    """卡盟安全助手的设置。"""

    cardguard_knowledge_dir: Path | None = Field(
        default=None, description="知识目录；留空用随程序发布的 knowledge/"
    )
    cardguard_passive: bool = Field(
        default=True, description="新群默认是否开启旁听回答（不@也回答高把握的问题）"
    )
    cardguard_answer_cooldown: int = Field(
        default=600, ge=0, description="同一群同一条答案的冷却秒数（旁听回答不重复）"
    )
    cardguard_user_cooldown: int = Field(
        default=5, ge=0, description="同一用户两次提问之间的最短秒数"
    )
    cardguard_group_budget: int = Field(
        default=10, ge=1, description="每个群每分钟机器人最多发几条消息（回答、警告、回执共用）"
    )
    cardguard_link_guard: bool = Field(default=True, description="新群默认是否开启链接识别")
    cardguard_link_mode: Literal["warn", "recall", "notify", "recall+notify"] = Field(
        default="warn", description="新群默认的链接处理方式"
    )
    cardguard_link_cooldown: int = Field(
        default=600, ge=0, description="同一群同一站点的警告冷却秒数"
    )
    cardguard_qr_scan: bool = Field(default=True, description="是否下载图片识别二维码里的链接")
    cardguard_qr_timeout: float = Field(
        default=3.0, gt=0, le=30, description="下载一张图片的超时秒数"
    )
    cardguard_qr_max_bytes: int = Field(
        default=2_000_000, ge=10_000, description="识别二维码时单张图片的大小上限（字节）"
    )
    cardguard_review_queue: bool = Field(
        default=False, description="群管理新增的条目是否要超级用户审核后才生效"
    )
    cardguard_keep_gaps_days: int = Field(
        default=30, ge=0, description="没答上的问题保留几天（供 /faq gaps）；0 表示不保留"
    )
    cardguard_stats_days: int = Field(default=90, ge=1, description="统计数据保留天数")
    cardguard_log_messages: bool = Field(
        default=False,
        description="true 时日志里保留每条消息的 QQ 号和原文（排查问题用）；默认只记消息编号和群号",
    )
    cardguard_console: bool = Field(
        default=False, description="true 时用终端控制台代替 QQ，本地试用"
    )

"""链接识别核心（不依赖 NoneBot）：去伪装、找网址、打分、二维码。

典型用法（插件里）::

    from cardguard.links import load_rules, might_have_link, scan, image_urls, fetch_qr_texts

    rules = load_rules()                      # 启动时加载一次，可在各群共享
    segments = [{"type": s.type, "data": s.data} for s in event.message]  # OneBot v11 消息段
    qr = await fetch_qr_texts(image_urls(segments))   # 有图片时才需要
    result = scan(segments, rules, extra_texts=qr, allow=group_allow)
    if result.verdict == "warn":
        top = result.top                      # 分数最高的网址：top.defanged / top.reasons / top.risk_ids
        # top.official：像在冒充的官方网站（steampowered.com）；top.shown_host：用户看到的主机名（qԛ[.]com）

纯文本热路径可以先 `might_have_link(text)`：返回 False 时 `scan` 一定不会提醒
（`scan` 内部也会先做这个检查）。只对纯文本有效：卡片/图片消息段请直接交给 `scan`。

工作量：`scan` 每一步都是线性的，一条消息最多看 `segments.MAX_RAW_CHARS` 字原文（所有消息段、
转发节点合计），实测最坏约 20 ms。`scan_cost(segments)` 不解析卡片就给出要看的字数：
普通消息几十到几百字（< 1 ms）；超过几千字（大卡片、长转发）的可以放进工作线程再扫。

共享拦截名单：`scan(..., blocklist=名单)`，名单是任何有 `match(host) -> 名单名 | None` 方法的对象
（`HostList`）；命中按拦截处理，理由里写出名单名；发布的白名单和群内白名单优先。
"""

from __future__ import annotations

from pathlib import Path

from ..knowledge.domains import DomainRules, read_rules
from ..knowledge.loader import DOMAINS_FILE, default_knowledge_dir
from ..knowledge.shops import SHOPS_FILE
from .deobfuscate import Disguise
from .fast import might_have_link
from .qr import fetch_qr_texts, image_urls
from .report import HostList, LinkReport, ScanResult, Verdict, defang
from .scanner import scan
from .segments import scan_cost

__all__ = [
    "Disguise",
    "DomainRules",
    "HostList",
    "LinkReport",
    "ScanResult",
    "Verdict",
    "defang",
    "fetch_qr_texts",
    "image_urls",
    "load_rules",
    "might_have_link",
    "scan",
    "scan_cost",
]


def load_rules(directory: Path | None = None) -> DomainRules:
    """只加载并校验链接规则 domains.yaml + shops.yaml（默认随程序发布的 knowledge/ 目录）。

    目录里没有 shops.yaml 时用随程序发布的那份；出错抛 `KnowledgeError`（逐条带 文件:行号）。
    """
    directory = directory or default_knowledge_dir()
    shops = directory / SHOPS_FILE
    if not shops.exists():
        shops = default_knowledge_dir() / SHOPS_FILE
    return read_rules(directory / DOMAINS_FILE, shops if shops.exists() else None)

"""knowledge/shops.yaml：真实发卡软件的网址特征，以及托管发卡平台、支付网关。

每条特征写明来自哪个系统、哪份源码（仓库 + 文件/路由），以及权重：
权重达到 warn 的是只有发卡软件才会有的网址（独角数卡 /buy/3），单独就提醒；
更通用的（/item/3、/product/3.html）写低一些，要有第二个信号才提醒（见 links/score.py）。
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from .errors import KnowledgeError, Problem
from .fields import Name, PathPattern, Pattern, Strict, Weight, problems_from
from .regex import Regex
from .yamlio import locate

SHOPS_FILE = "shops.yaml"

# 特征所在页面的种类：商品、分类、下单、查单、付款（提交/回跳/二维码/收银台）、注册代理或分站、用户中心。
PageKind = Literal["product", "category", "buy", "query", "pay", "signup", "user", "home"]
PlatformKind = Literal["shop", "pay"]


class Fingerprint(Strict):
    """发卡系统的网址特征：对“路径?查询”做正则匹配（不区分大小写，须以 ^ 开头）。"""

    system: str = Field(min_length=1)
    pattern: PathPattern
    weight: Weight
    page: PageKind | None = None
    route: str | None = None  # 源码里的写法，例如 "GET buy/{id}"
    source: str | None = None  # 仓库 + 文件，例如 "assimon/dujiaoka routes/common/web.php"
    note: str | None = None
    # 可选：只在主机名也符合时才算（不区分大小写，对整个主机名搜索）。用于“通用路径 + 这类系统
    # 惯用的主机名”才说明问题的组合，例如 pay.某某.cn 上的 /user/reg.php 是易支付的商户注册页。
    host: Pattern | None = None


class Platform(Strict):
    """托管发卡平台（kind: shop）或支付网关（kind: pay）：域名和标志着店铺/付款页面的路径。"""

    name: str = Field(min_length=1)
    kind: PlatformKind
    domains: tuple[Name, ...] = Field(min_length=1)
    pages: tuple[PathPattern, ...] = ()
    weight: Weight  # 网址是平台上的店铺/商品/付款页面时
    home_weight: Weight = 0  # 平台上别的页面（首页、帮助）
    source: str = Field(min_length=2)
    note: str | None = None


class ShopsFile(Strict):
    """shops.yaml 的完整结构。"""

    version: int = 1
    fingerprints: tuple[Fingerprint, ...] = ()
    platforms: tuple[Platform, ...] = ()

    @model_validator(mode="after")
    def _sourced(self) -> ShopsFile:
        missing = [f.system for f in self.fingerprints if not (f.source and f.page)]
        if missing:
            raise ValueError(f"这些特征缺少 source 或 page（要写明出处和页面种类）：{missing[:5]}")
        return self


@dataclass(frozen=True)
class PlatformInfo:
    """编译后的托管平台/支付网关。"""

    name: str
    kind: PlatformKind
    domains: frozenset[str]
    pages: tuple[Regex, ...]
    weight: int
    home_weight: int

    def page_hit(self, path: str) -> bool:
        """路径是不是平台上的店铺/商品/付款页面。"""
        return any(rx.search(path) for rx in self.pages)


def compile_platform(model: Platform) -> PlatformInfo:
    """把一条平台规则编译成可查询的 `PlatformInfo`。"""
    pages = tuple(Regex.now(p, re.I) for p in model.pages)
    return PlatformInfo(
        model.name, model.kind, frozenset(model.domains), pages, model.weight, model.home_weight
    )


def parse_shops(data: Any, path: Path) -> ShopsFile:
    """校验 shops.yaml 的数据；有问题时抛出 `KnowledgeError`（每条问题一行，带 文件:行号）。"""
    if data is None:
        return ShopsFile()
    if not isinstance(data, dict):
        raise KnowledgeError([Problem(str(path), locate(path, []), None, "顶层必须是映射")])
    try:
        model = ShopsFile.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(problems_from(exc, path, data)) from None
    problems = _duplicates(model, path)
    if problems:
        raise KnowledgeError(problems)
    return model


def _duplicates(model: ShopsFile, path: Path) -> list[Problem]:
    """同一个域名不能属于两个平台（否则哪条规则生效取决于顺序）。"""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, platform in enumerate(model.platforms):
        for name in platform.domains:
            if name in seen and seen[name] != platform.name:
                line = locate(path, ["platforms", index])
                message = f"{name} 同时属于平台 {seen[name]} 和 {platform.name}"
                problems.append(Problem(str(path), line, platform.name, message))
            seen.setdefault(name, platform.name)
    return problems

"""扫描结果的数据结构：每条网址的报告和整条消息的结论。"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

Verdict = Literal["warn", "log", "quiet"]


class Thresholds(Protocol):
    """定结论要用的两条线（`DomainRules` 有这两个属性）。"""

    @property
    def warn(self) -> int: ...

    @property
    def log(self) -> int: ...


def verdict_for(score: int, rules: Thresholds) -> Verdict:
    """分数换成结论：过提醒线提醒，过日志线只记日志，否则不管。"""
    if score >= rules.warn:
        return "warn"
    if score >= rules.log:
        return "log"
    return "quiet"


MAX_DEFANGED = 120


class HostList(Protocol):
    """共享拦截名单（例如每天从网上更新的域名列表）：`scan(..., blocklist=...)` 用它。"""

    def match(self, host: str) -> str | None:
        """主机或它的上级域名在名单里时返回名单的名字（提醒理由里会写出来），否则 None。"""
        ...


@dataclass(frozen=True)
class LinkReport:
    """一条网址的检查结果。

    url：还原伪装后的网址；host：主机名（ASCII/punycode）；site：可注册域名；
    score：0–100；reasons：中文理由；defanged：给群里看的不可点击写法（kami88[.]top/buy/3）；
    risk_ids：相关风险条目 id，用来拼提醒文案；
    official：像在冒充的官方网站（steampowered.com），提醒里可以指给用户，没有则为空串；
    shown_host：给人看的主机名（punycode 显示成 Unicode，已去链接化），和 defanged 不同时可一起展示。
    """

    url: str
    host: str
    site: str
    score: int
    reasons: tuple[str, ...]
    defanged: str
    risk_ids: tuple[str, ...]
    official: str = ""
    shown_host: str = ""


@dataclass(frozen=True)
class ScanResult:
    """一条消息的结论：warn（群里提醒）、log（只记日志）或 quiet；links 按分数从高到低。"""

    verdict: Verdict
    score: int
    links: tuple[LinkReport, ...]
    disguises: tuple[str, ...]

    @property
    def top(self) -> LinkReport | None:
        """分数最高的网址（没有网址时为 None）。"""
        return self.links[0] if self.links else None

    def to_dict(self) -> dict[str, Any]:
        """固定格式：{"verdict": "warn"|"quiet", "score", "links": [{url, host, score, reasons}]}。

        "log" 在这里记作 "quiet"（群里不提醒）。
        """
        return {
            "verdict": "warn" if self.verdict == "warn" else "quiet",
            "score": self.score,
            "links": [
                {"url": r.url, "host": r.host, "score": r.score, "reasons": list(r.reasons)}
                for r in self.links
            ],
        }


QUIET = ScanResult("quiet", 0, (), ())


def defang(url: str) -> str:
    """不可点击的写法：去掉协议，所有“.”写成“[.]”，残留的“://”写成“[:]//”，过长截断。"""
    text = url.split("://", 1)[1] if "://" in url[:10] else url
    if len(text) > MAX_DEFANGED:
        text = text[:MAX_DEFANGED] + "…"
    return text.replace("://", "[:]//").replace(".", "[.]")


def defang_host(host: str) -> str:
    """理由里提到可疑主机时也写成点不开的样子（kami88[.]top），免得提醒本身成了可点的链接。"""
    return host.replace(".", "[.]")

"""把一页 HTML 拆成几块“区域”，给页面特征（knowledge/page_markers.yaml）逐块匹配。

区域：
- title：<title> 里的文字
- meta：每个 <meta> 一行，“名字: 内容”（名字取 name / property / http-equiv，小写）
- asset：脚本、样式、图片等资源地址（src / href / data-src，<a> 的除外），每个一行
- link：<a href> 的地址，每个一行
- form：<form action> 的地址，每个一行
- field：表单字段名（input / select / textarea / button 的 name），每个一行
- text：看得见的文字（去掉标签、脚本和样式，实体已还原，空白合并）
- html：原始 HTML（注释、内联脚本都在里面）

全部用线性正则完成（标签里不允许再出现“<”，长度有上限），恶意构造的页面也不会让它变慢；
输入先截到 `MAX_HTML` 个字符。
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

MAX_HTML = 300_000
MAX_ITEMS = 2000  # 每种区域最多收这么多行
MAX_TEXT = 100_000
ZONES = ("title", "meta", "asset", "link", "form", "field", "text", "html")
LIST_ZONES = frozenset({"meta", "asset", "link", "form", "field"})  # 一行一项

# 标签：名字 + 不含 < > 的属性部分（最多 4000 字符）；扫描在下一个 < 处停，整体线性。
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})(?![A-Za-z0-9:-])([^<>]{0,4000})>")
_ATTR_RE = re.compile(
    r"""([A-Za-z_:][-A-Za-z0-9_:.]{0,40})\s*(?:=\s*(?:"([^"]{0,2000})"|'([^']{0,2000})'|([^\s"'=<>`]{1,2000})))?"""
)
_SPACE_RE = re.compile(r"\s+")
_RAW_TEXT = frozenset({"script", "style", "template", "noscript", "textarea"})
_ASSET_ATTRS = ("src", "href", "data-src", "data-original")
_FIELD_TAGS = frozenset({"input", "select", "textarea", "button"})


@dataclass(frozen=True)
class PageZones:
    """一页拆好的各个区域（每个都是一段文字，多项的用换行分隔）。"""

    title: str = ""
    meta: str = ""
    asset: str = ""
    link: str = ""
    form: str = ""
    field: str = ""
    text: str = ""
    html: str = ""

    def zone(self, name: str) -> str:
        """按名字取区域。"""
        return str(getattr(self, name))


def _attrs(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR_RE.finditer(raw):
        name = match.group(1).lower()
        if name not in found:
            value = match.group(2) or match.group(3) or match.group(4) or ""
            found[name] = htmllib.unescape(value).strip()
    return found


class _Collector:
    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {
            z: [] for z in ("meta", "asset", "link", "form", "field")
        }
        self.title: list[str] = []
        self.text: list[str] = []
        self.text_size = 0
        self.skip_until = ""  # 在 <script> 等里面时：等它的结束标签
        self.in_title = False

    def add(self, zone: str, value: str) -> None:
        bucket = self.items[zone]
        if value and len(bucket) < MAX_ITEMS:
            bucket.append(value)

    def add_text(self, piece: str) -> None:
        if self.skip_until or self.text_size >= MAX_TEXT:
            return
        cleaned = _SPACE_RE.sub(" ", htmllib.unescape(piece)).strip()
        if cleaned:
            self.text.append(cleaned)
            self.text_size += len(cleaned) + 1
            if self.in_title:
                self.title.append(cleaned)

    def tag(self, closing: bool, name: str, raw: str) -> None:
        if self.skip_until:
            if closing and name == self.skip_until:
                self.skip_until = ""
            return
        if name == "title":
            self.in_title = not closing
            return
        if closing:
            return
        if name in _RAW_TEXT and not raw.rstrip().endswith("/"):
            self.skip_until = name
        self._open(name, _attrs(raw))

    def _open(self, name: str, attrs: dict[str, str]) -> None:
        if name == "meta":
            key = attrs.get("name") or attrs.get("property") or attrs.get("http-equiv") or ""
            if key or attrs.get("charset"):
                self.add(
                    "meta",
                    f"{key.lower() or 'charset'}: {attrs.get('content') or attrs.get('charset', '')}",
                )
        elif name == "a":
            self.add("link", attrs.get("href", ""))
        elif name == "form":
            self.add("form", attrs.get("action", ""))
        if name in _FIELD_TAGS:
            self.add("field", attrs.get("name", ""))
        if name != "a":
            for key in _ASSET_ATTRS:
                if attrs.get(key) and (key != "href" or name in ("link", "base", "area")):
                    self.add("asset", attrs[key])


def split_page(page: str) -> PageZones:
    """把 HTML 文字拆成各个区域。"""
    page = page[:MAX_HTML]
    collector = _Collector()
    position = 0
    for match in _TAG_RE.finditer(page):
        if match.start() > position:
            collector.add_text(page[position : match.start()])
        collector.tag(match.group(1) == "/", match.group(2).lower(), match.group(3))
        position = match.end()
    if position < len(page):
        collector.add_text(page[position:])
    items = collector.items
    return PageZones(
        title=" ".join(collector.title)[:500],
        meta="\n".join(items["meta"]),
        asset="\n".join(items["asset"]),
        link="\n".join(items["link"]),
        form="\n".join(items["form"]),
        field="\n".join(items["field"]),
        text="\n".join(collector.text)[:MAX_TEXT],
        html=page,
    )

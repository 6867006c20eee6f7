"""OneBot v11 消息段 → 待检查的文本片段。

支持 text、face（当作字母间的表情）、json 分享/小程序卡片、旧式 xml 卡片、share、
自定义 music 和 markdown；也能解析 CQ 码字符串。卡片里的图片地址（preview/icon/cover…）
不算要提醒的链接；卡片标题/描述作为“卡片自称是什么”，用来和它真实指向的网站对比。
所有解析都有大小和深度上限，坏数据只会被忽略，不会抛异常：
一条消息（含转发的嵌套消息）最多看 `MAX_SEGMENTS` 个消息段、合计 `MAX_RAW_CHARS` 个字符的
文本/卡片/markdown 原文；超出的部分不看（记一条日志）。所以解析一条消息的工作量有固定上限，
`scan_cost` 不解析就能给出它的大小。
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

log = logging.getLogger("cardguard.links")

MAX_CARD_CHARS = 64_000
MAX_DEPTH = 32
MAX_STRINGS = 500
MAX_SEGMENTS = 200  # 整条消息（含转发节点里的）合计
MAX_NODE_DEPTH = 3
MAX_RAW_CHARS = 200_000  # 整条消息里要看的文本、卡片、markdown 原文合计
MAX_CLAIM = 200
# 已经是字典的卡片（有的适配器替我们解析好了 JSON）按这么多字算：遍历它另有字符串个数和深度上限。
MAPPING_COST = 4_000
FACE = "\ufffc"  # QQ 表情夹在字母中间时按表情处理

Origin = Literal["text", "card", "extra"]


@dataclass(frozen=True)
class Piece:
    """一段待检查的文本；claim 是所在卡片的标题/描述（卡片自称是什么）。"""

    text: str
    origin: Origin = "text"
    claim: str = ""
    words: bool = True  # 是否参与卡盟话术检测（卡片里的网址字段不参与）
    title: str = ""  # 卡片标题（给人看的理由里用）


_URL_KEY = re.compile(r"url|jump|link|href|actiondata", re.I)
_IMAGE_KEY = re.compile(
    r"preview|icon|image|img|pic|cover|avatar|thumb|logo|music|audio|video|src", re.I
)
_TEXT_KEYS = frozenset({"title", "desc", "prompt", "tag", "summary", "content", "brief", "text"})
_CLAIM_KEYS = ("prompt", "title", "desc", "tag", "brief", "summary")
_PROMPT_TAG = re.compile(r"^\s*\[[^\]]{0,20}\]")
_CQ_RE = re.compile(r"\[CQ:([a-zA-Z_]{1,20})((?:,[^,\]]*)*)\]")
_XML_ATTR_RE = re.compile(
    r"\b(url|actiondata|action_data|a_actiondata|i_actiondata|brief|jumpurl)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')",
    re.I,
)
_XML_TEXT_RE = re.compile(r"<(title|summary)\b[^>]*>([^<]*)</\1>", re.I)


class _Budget:
    """一条消息还能看多少个消息段、多少字原文（嵌套的转发节点共用同一份）。"""

    def __init__(self) -> None:
        self.segments = MAX_SEGMENTS
        self.chars = MAX_RAW_CHARS
        self.exhausted = False

    def take_segment(self) -> bool:
        if self.segments <= 0:
            self.exhausted = True
            return False
        self.segments -= 1
        return True

    def take(self, text: str) -> str:
        """从预算里取这段原文（超出的部分截掉）。"""
        if len(text) > self.chars:
            self.exhausted = True
            text = text[: self.chars]
        self.chars -= len(text)
        return text


def pieces_from(message: str | Sequence[Mapping[str, Any]]) -> list[Piece]:
    """把纯文本、CQ 码字符串或消息段列表拆成待检查的片段（总量受 `MAX_RAW_CHARS` 限制）。"""
    if isinstance(message, str):
        if "[CQ:" not in message:
            return [Piece(message[:MAX_RAW_CHARS])] if message else []
        message = parse_cq(message[:MAX_RAW_CHARS])
    elif len(message) == 1:  # 最常见的一条纯文字：不必建预算
        kind, data = kind_and_data(message[0])
        text = data.get("text")
        if kind == "text" and isinstance(text, str):
            return [Piece(text[:MAX_RAW_CHARS])] if text else []
    budget = _Budget()
    pieces = list(_from_segments(message, 0, budget))
    if budget.exhausted:
        log.info("消息过大，只检查了前 %d 个消息段、%d 字", MAX_SEGMENTS, MAX_RAW_CHARS)
    return pieces


def scan_cost(message: str | Sequence[Any]) -> int:
    """不解析卡片就估计扫描这条消息要看多少字符（已按上限封顶，最多 `MAX_RAW_CHARS`）。

    扫描的工作量与它大致成正比；插件可以据此决定是否把扫描放进工作线程。
    """
    if isinstance(message, str):
        return min(len(message), MAX_RAW_CHARS)
    return min(_cost(message, 0, [MAX_SEGMENTS]), MAX_RAW_CHARS)


def _cost(segments: Sequence[Any], depth: int, left: list[int]) -> int:
    total = 0
    for segment in segments:
        if left[0] <= 0 or total >= MAX_RAW_CHARS:
            break
        left[0] -= 1
        kind, data = kind_and_data(segment)
        if kind == "node" and depth < MAX_NODE_DEPTH and isinstance(data.get("content"), list):
            total += _cost(data["content"], depth + 1, left)
            continue
        total += sum(
            len(v) if isinstance(v, str) else MAPPING_COST
            for v in data.values()
            if isinstance(v, str | Mapping)
        )
    return total


def _from_segments(segments: Sequence[Any], depth: int, budget: _Budget) -> Iterator[Piece]:
    buffer: list[str] = []
    for segment in segments:
        if not budget.take_segment():
            break
        kind, data = kind_and_data(segment)
        if kind == "text":
            text = data.get("text")
            buffer.append(budget.take(text) if isinstance(text, str) else "")
            continue
        if kind in ("face", "mface"):
            buffer.append(FACE)
            continue
        if any(buffer):
            yield Piece("".join(buffer))
        buffer = []
        yield from _other_segment(kind, data, depth, budget)
    if any(buffer):
        yield Piece("".join(buffer))


def kind_and_data(segment: Any) -> tuple[str, Mapping[str, Any]]:
    """取消息段的 type 和 data；既接受字典，也接受有 .type/.data 属性的对象（如 NoneBot 的消息段）。"""
    if isinstance(segment, Mapping):
        kind, data = segment.get("type"), segment.get("data")
    else:
        kind, data = getattr(segment, "type", None), getattr(segment, "data", None)
    return (kind if isinstance(kind, str) else ""), (data if isinstance(data, Mapping) else {})


def _other_segment(
    kind: str, data: Mapping[str, Any], depth: int, budget: _Budget
) -> Iterator[Piece]:
    if kind == "json":
        yield from json_card(_taken(data.get("data"), budget))
    elif kind == "xml":
        yield from xml_card(_taken(data.get("data"), budget))
    elif kind == "share" or (kind == "music" and data.get("type") == "custom"):
        yield from _share({k: _taken(v, budget) for k, v in data.items()})
    elif kind == "markdown" and isinstance(data.get("content"), str):
        content = budget.take(data["content"])
        if content:
            yield Piece(content)
    elif kind == "node" and depth < MAX_NODE_DEPTH and isinstance(data.get("content"), list):
        yield from _from_segments(data["content"], depth + 1, budget)


def _taken(value: Any, budget: _Budget) -> Any:
    """字符串从预算里扣；已经解析好的卡片（字典）按它的大概大小扣，超出预算就不看了。"""
    if isinstance(value, str):
        return budget.take(value)
    if isinstance(value, Mapping):
        if budget.chars < MAPPING_COST:
            budget.exhausted = True
            return None
        budget.chars -= MAPPING_COST
    return value


def _share(data: Mapping[str, Any]) -> Iterator[Piece]:
    title = _str(data.get("title"))
    content = _str(data.get("content"))
    claim = _clip(f"{title} {content}".strip())
    url = _str(data.get("url"))
    if url:
        yield Piece(url, "card", claim, words=False, title=_clip(title or content))
    if claim:
        yield Piece(claim, "card", claim)


def json_card(raw: Any) -> Iterator[Piece]:
    """json 卡片（data.data 是 JSON 字符串）：网址字段逐个检查，标题/描述作为卡片自称。"""
    if isinstance(raw, Mapping):
        obj: Any = raw
    elif isinstance(raw, str):
        if len(raw) > MAX_CARD_CHARS:
            log.info("json 卡片过大（%d 字），只按文本检查前 %d 字", len(raw), MAX_CARD_CHARS)
            yield Piece(raw[:MAX_CARD_CHARS].replace("\\/", "/"), "card", words=False)
            return
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            log.info("json 卡片无法解析（%s），按文本检查", type(exc).__name__)
            yield Piece(raw.replace("\\/", "/"), "card", words=False)
            return
    else:
        return
    urls, texts = _walk(obj)
    ranked = sorted(texts, key=_claim_rank)
    claim = _clip(" ".join(t for _, t in ranked))
    title = _card_title(ranked)
    for url in urls:
        yield Piece(url, "card", claim, words=False, title=title)
    if claim:
        yield Piece(claim, "card", claim)


def _card_title(ranked: list[tuple[str, str]]) -> str:
    """卡片标题：title 优先，其次去掉“[分享]”前缀的 prompt，再次 desc。"""
    by_key = dict(reversed(ranked))
    for key in ("title", "prompt", "desc"):
        value = _PROMPT_TAG.sub("", by_key.get(key, "")).strip()
        if value:
            return _clip(value)
    return ""


def _claim_rank(item: tuple[str, str]) -> int:
    key = item[0]
    return _CLAIM_KEYS.index(key) if key in _CLAIM_KEYS else len(_CLAIM_KEYS)


def _walk(obj: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """迭代遍历 JSON（限深度和字符串个数）：收集网址字段和标题类文本。"""
    urls: list[str] = []
    texts: list[tuple[str, str]] = []
    stack: list[tuple[str, Any, int, bool]] = [("", obj, 0, False)]
    seen = 0
    while stack and seen < MAX_STRINGS:
        key, value, depth, image = stack.pop()
        if isinstance(value, str):
            seen += 1
            _classify(key, value, image, urls, texts)
        elif depth < MAX_DEPTH and isinstance(value, Mapping):
            # 图片键只管它自己的值（字符串或列表）：meta.music / meta.video 这类对象里的
            # jumpUrl 是真正的跳转地址，不能因为外层叫 music 就当成图片跳过。
            for k, v in value.items():
                name = str(k)
                media = image or (not isinstance(v, Mapping) and bool(_IMAGE_KEY.search(name)))
                stack.append((name, v, depth + 1, media))
        elif depth < MAX_DEPTH and isinstance(value, list):
            stack.extend((key, v, depth + 1, image) for v in value)
    return urls, texts


def _classify(
    key: str, value: str, image: bool, urls: list[str], texts: list[tuple[str, str]]
) -> None:
    if image or not value.strip():
        return
    lowered = key.lower()
    if _URL_KEY.search(key) or value.lstrip().lower().startswith(("http://", "https://")):
        urls.append(value)
    elif lowered in _TEXT_KEYS:
        texts.append((lowered, value))


def xml_card(raw: Any) -> Iterator[Piece]:
    """旧式 xml 卡片：不做完整解析（坏 XML 也不会出错），只扫 url=/actionData= 属性和标题。"""
    if not isinstance(raw, str):
        return
    text = html.unescape(raw[:MAX_CARD_CHARS])
    if "&amp;" in text:
        text = html.unescape(text)  # 转义了两次的 &amp;amp;
    urls: list[str] = []
    titles: list[str] = []
    for match in _XML_ATTR_RE.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        (titles if match.group(1).lower() == "brief" else urls).append(value)
    titles.extend(m.group(2) for m in _XML_TEXT_RE.finditer(text))
    shown = [t.strip() for t in titles if t.strip()]
    claim = _clip(" ".join(shown))
    title = _clip(shown[-1] if len(shown) > 1 else claim)
    for url in urls[:MAX_STRINGS]:
        if url.strip():
            yield Piece(url, "card", claim, words=False, title=title)
    if claim:
        yield Piece(claim, "card", claim)


def parse_cq(message: str) -> list[dict[str, Any]]:
    """CQ 码字符串 → 消息段列表（[CQ:share,url=...] 之类；转义 &#44; &#91; &#93; &amp; 会还原）。"""
    segments: list[dict[str, Any]] = []
    last = 0
    for match in _CQ_RE.finditer(message):
        if match.start() > last:
            segments.append(_text_segment(message[last : match.start()]))
        data: dict[str, str] = {}
        for param in match.group(2).split(",")[1:]:
            name, _, value = param.partition("=")
            data[name.strip()] = _cq_unescape(value)
        segments.append({"type": match.group(1), "data": data})
        last = match.end()
    if last < len(message):
        segments.append(_text_segment(message[last:]))
    return segments


def _text_segment(text: str) -> dict[str, Any]:
    return {"type": "text", "data": {"text": _cq_unescape(text)}}


def _cq_unescape(value: str) -> str:
    return (
        value.replace("&#44;", ",")
        .replace("&#91;", "[")
        .replace("&#93;", "]")
        .replace("&amp;", "&")
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _clip(text: str) -> str:
    return text[:MAX_CLAIM]

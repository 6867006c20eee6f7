"""去伪装：把变形写法的网址还原，并记下每个字符经历了哪些伪装（伪装本身就是信号）。

每一步都是单遍、无嵌套量词的正则替换，整体线性时间；输入先截到 `MAX_CHARS` 个字符。
结果保留每个输出字符的伪装标记，抽取网址后按网址所在的区间汇总，
这样消息别处的全角标点不会算到网址头上。
"""

from __future__ import annotations

import enum
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import idna

from ..text import INVISIBLE_RE
from .fast import CLOSE_BRACKETS, DOT_STANDINS, EMOJI_CHARS, EMOJI_DOT_TLDS, OPEN_BRACKETS

log = logging.getLogger("cardguard.links")

MAX_CHARS = 20_000

# 西里尔/希腊字母里和拉丁字母长得一样的（小写）。
CONFUSABLE = str.maketrans(
    {
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t",
        "ц": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ү": "y", "ɡ": "g", "ı": "i",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ѡ": "w", "ɑ": "a", "ℓ": "l",
    }
)  # fmt: skip


class Disguise(enum.IntFlag):
    """网址伪装手法（可组合）。"""

    NONE = 0
    FULLWIDTH = enum.auto()
    INVISIBLE = enum.auto()
    EMOJI = enum.auto()
    SPACED_LETTERS = enum.auto()
    DOT_WORD = enum.auto()
    BRACKET_DOT = enum.auto()
    SPACED_DOT = enum.auto()
    SCHEME = enum.auto()
    USERINFO = enum.auto()
    IDN = enum.auto()
    UPPER = enum.auto()
    LOOKALIKE_TLD = enum.auto()
    PERCENT = enum.auto()
    NUMERIC_IP = enum.auto()


DISGUISE_NAMES: dict[Disguise, str] = {
    Disguise.FULLWIDTH: "全角字符",
    Disguise.INVISIBLE: "零宽/不可见字符",
    Disguise.EMOJI: "字母间插表情",
    Disguise.SPACED_LETTERS: "字母间加空格",
    Disguise.DOT_WORD: "用“点/。/dot”代替“.”",
    Disguise.BRACKET_DOT: "[.]/(dot) 写法",
    Disguise.SPACED_DOT: "点号两边加空格",
    Disguise.SCHEME: "hxxp 之类的变形协议头",
    Disguise.USERINFO: "用 @ 把真实网址藏在后面",
    Disguise.IDN: "国际化域名/punycode",
    Disguise.UPPER: "大写字母",
    Disguise.LOOKALIKE_TLD: "后缀用形近字符（c0m、tοp）",
    Disguise.PERCENT: "主机名用 %xx 编码",
    Disguise.NUMERIC_IP: "IP 写成整数/十六进制",
}


def disguise_names(flags: Disguise) -> tuple[str, ...]:
    """把伪装标记按固定顺序转成中文名。"""
    return tuple(name for flag, name in DISGUISE_NAMES.items() if flags & flag)


@dataclass(frozen=True)
class Cleaned:
    """去伪装后的文本；`flags[i]` 是第 i 个字符的伪装标记（None 表示全文没有伪装）。"""

    text: str
    flags: tuple[int, ...] | None
    truncated: bool = False

    def disguises_in(self, start: int, end: int) -> Disguise:
        """区间 [start, end) 内出现过的伪装。"""
        if self.flags is None:
            return Disguise.NONE
        value = 0
        for flag in self.flags[start:end]:
            value |= flag
        return Disguise(value)


_State = tuple[str, list[int] | None]
_Repl = Callable[[re.Match[str]], str]

_EMOJI = EMOJI_CHARS
_ALNUM = "A-Za-z0-9"
_WIDE_RE = re.compile(r"[^\x00-\x7f]+")
_INNER_INVISIBLE_RE = re.compile(rf"(?<=[{_ALNUM}./:])(?:{INVISIBLE_RE.pattern})+(?=[{_ALNUM}./:])")
_EMOJI_RE = re.compile(rf"(?<=[{_ALNUM}.]) ?[{_EMOJI}]+ ?(?=[{_ALNUM}.])")
_BRACKET_RE = re.compile(
    rf"[{re.escape(OPEN_BRACKETS)}]\s{{0,3}}(?:\.|dot|点|點|。)\s{{0,3}}[{re.escape(CLOSE_BRACKETS)}]",
    re.I,
)
_SCHEME_RE = re.compile(r"(?<![a-z])h ?(?:x ?x|\* ?\*|t ?t) ?p(?: ?(s))? ?:? ?/ ?/", re.I)
_DOT_WORD_RE = re.compile(
    rf"(?<=[{_ALNUM}])([ \t]*)([{DOT_STANDINS}])([ \t]*)(?=[{_ALNUM}])"
    rf"|(?<=[{_ALNUM}])([ \t]+)(dot)([ \t]+)(?=[{_ALNUM}])",
    re.I,
)
# “k a m i 8 8 . t o p”：至少四个单字符用空格隔开；首尾可以各连着一段没拆开的（kami 8 8 . t o p）。
# 网址里的 / ? = & # 也算单字符，路径和查询串跟着一起还原（“q q . c n / ? m o d = b u y”），
# 拆开的主机后面还可以接几段“ / 整词”（“d o u k a . c n / item / 33”），这样路径特征照样认得出。
# 每段都以必须出现的空格或分隔符开头，没有能互相重叠的写法，回溯是线性的。
_URLCH = rf"{_ALNUM}./:?=&#%_~+\-"
_SEGCH = rf"{_ALNUM}.:?=&#%_~+\-"  # 路径里一段的字符（不含分隔符 /）
_SEP = r"(?:[ \t]+/[ \t]*|/[ \t]+)"  # 至少带一个空格的斜杠
_SPACED_LETTERS_RE = re.compile(
    rf"(?<![{_URLCH}])(?:[{_URLCH}]+[ \t]+)?(?:[{_URLCH}][ \t]+){{3,}}[{_URLCH}]+"
    rf"(?:{_SEP}[{_SEGCH}]+)*(?![{_URLCH}])"
)
_SPACED_DOT_RE = re.compile(rf"(?<=[{_ALNUM}])[ \t]+\.[ \t]*(?=[{_ALNUM}])")
# 已经伪装过的主机后面，斜杠两边加空格的路径（“kmshop 点 cc / product / 12.html”）。
# 只接在伪装过的主机后面：普通的“a.com / b.com”是两个网址，不能接成一个。
_SPACED_PATH_RE = re.compile(
    rf"(?<=[{_ALNUM}])(?:[ \t]+/[ \t]*|/[ \t]+)[{_SEGCH}]+(?:[ \t]*/[ \t]*[{_SEGCH}]+)*"
)
MAX_HOST_TOKEN = 300  # 往回找主机那一段时最多看这么多字


def deobfuscate(text: str) -> Cleaned:
    """还原伪装写法：NFKC（全角）、零宽字符、字母间表情/空格、点的各种替身、hxxp。"""
    text, truncated = _cap(text)
    state: _State = (text, None)
    if not text.isascii():
        state = _sub(state, _WIDE_RE, _nfkc, Disguise.FULLWIDTH, only_changed=True)
        state = _cap_state(state)
    state = _sub(state, _INNER_INVISIBLE_RE, "", Disguise.INVISIBLE)
    state = _sub(state, INVISIBLE_RE, "", Disguise.NONE)  # 网址外面的（如表情里的 ZWJ）不算伪装
    if not state[0].isascii():
        state = _sub(state, _EMOJI_RE, _emoji, Disguise.EMOJI)
    state = _sub(state, _BRACKET_RE, ".", Disguise.BRACKET_DOT)
    state = _sub(state, _SCHEME_RE, _scheme, Disguise.SCHEME, only_changed=True)
    state = _sub(state, _DOT_WORD_RE, _dot_word, Disguise.DOT_WORD)
    state = _sub(state, _SPACED_LETTERS_RE, _join, Disguise.SPACED_LETTERS)
    state = _sub(state, _SPACED_DOT_RE, ".", Disguise.SPACED_DOT)
    if state[1] is not None:
        state = _join_spaced_path(state)
    out, flags = state
    return Cleaned(out, tuple(flags) if flags is not None and any(flags) else None, truncated)


def _join_spaced_path(state: _State) -> _State:
    """伪装过的主机（含点的那一段里有伪装标记）后面“ / 词 / 词”接成路径。"""
    text, flags = state
    if flags is None:
        return state

    def repl(match: re.Match[str]) -> str:
        start = match.start()
        begin = start
        while begin > max(0, start - MAX_HOST_TOKEN) and not text[begin - 1].isspace():
            begin -= 1
        if "." not in text[begin:start] or not any(flags[begin:start]):
            return match.group()
        joined = _join(match)
        # 后面那段像另一个网址（“kami88[.]top / kami99[.]top”）：保持原样，两个网址分开
        return match.group() if joined.startswith(" ") else joined

    return _sub(state, _SPACED_PATH_RE, repl, Disguise.SPACED_LETTERS, only_changed=True)


def _cap(text: str) -> tuple[str, bool]:
    text = text.strip()
    if len(text) <= MAX_CHARS:
        return text, False
    log.debug("消息过长（%d 字），只检查前 %d 字", len(text), MAX_CHARS)
    return text[:MAX_CHARS], True


def _cap_state(state: _State) -> _State:
    """NFKC 可能把个别字符展开成多个；展开后再限一次长度。"""
    text, flags = state
    limit = 2 * MAX_CHARS
    if len(text) <= limit:
        return state
    return text[:limit], flags[:limit] if flags is not None else None


# 表情代替“.”（kami88🔸top）：表情后面正好是常见后缀、前面那段还没有点时，才换成“.”。
_TLD_AFTER_RE = re.compile(rf"(?:{EMOJI_DOT_TLDS})(?![{_ALNUM}.])", re.I)
_TOKEN_BEFORE_RE = re.compile(rf"[{_ALNUM}.-]{{1,63}}$")


def _emoji(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if not _TLD_AFTER_RE.match(text, end):
        return ""
    before = _TOKEN_BEFORE_RE.search(text, max(0, start - 63), start)
    if before is None or "." in before.group() or len(before.group()) < 2:
        return ""
    return "."


def _nfkc(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def _scheme(match: re.Match[str]) -> str:
    text = match.group()
    if text.lower() in ("http://", "https://"):
        return text  # 正常写法（含大写）不算伪装
    return "https://" if match.group(1) else "http://"


_WORD_DOTS = frozenset("点點丶")


def _dot_word(match: re.Match[str]) -> str:
    """“点/點/丶”从不当句号用，两边的空格一起去掉；“。”“dot”两边的空格留给“点号两边加空格”判断。"""
    left, word, right = match.group(1, 2, 3) if match.group(2) else match.group(4, 5, 6)
    if word in _WORD_DOTS:
        return "."
    return f"{left}.{right}"


# 路径里一段像另一个网址（kami99.top）时在它前面断开：“p a y . q q . c o m / k a m i . t o p”
# 是两个网址，接成一个会让后一个躲在白名单网站的路径里。
_SCHEME_HEAD_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_HOSTLIKE_RE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.([a-z]{2,})$", re.I)
_FILE_EXTENSIONS = frozenset(
    [
        "html",
        "htm",
        "shtml",
        "php",
        "jsp",
        "asp",
        "aspx",
        "do",
        "action",
        "cgi",
        "txt",
        "json",
        "xml",
        "js",
        "css",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "svg",
        "ico",
        "pdf",
        "zip",
        "rar",
        "7z",
        "gz",
        "tgz",
        "apk",
        "ipa",
        "exe",
        "msi",
        "dmg",
    ]
)


def _join(match: re.Match[str]) -> str:
    joined = "".join(match.group().split())
    head = _SCHEME_HEAD_RE.match(joined)
    start = head.end() if head else 0
    first = joined.find("/", start)
    if first < 0:
        return joined
    path_end = len(joined)
    for mark in "?#":
        found = joined.find(mark, first)
        if found >= 0:
            path_end = min(path_end, found)
    position = first
    for segment in joined[first + 1 : path_end].split("/"):
        host = _HOSTLIKE_RE.match(segment)
        if host and host.group(1).lower() not in _FILE_EXTENSIONS:
            return f"{joined[:position]} {joined[position:]}"
        position += len(segment) + 1
    return joined


def _sub(
    state: _State,
    pattern: re.Pattern[str],
    repl: str | _Repl,
    flag: Disguise,
    *,
    only_changed: bool = False,
) -> _State:
    """一遍正则替换，同时搬运逐字符的伪装标记；删掉的字符把标记留给左右邻居。"""
    text, flags = state
    pieces: list[str] = []
    marks: list[int] = []
    last, pending, changed = 0, 0, False
    for match in pattern.finditer(text):
        start, end = match.span()
        new = repl if isinstance(repl, str) else repl(match)
        if only_changed and new == match.group():
            continue
        _keep(text, flags, last, start, pieces, marks, pending)
        pending = 0 if start > last else pending
        mark = int(flag) | _or(flags, start, end)
        if new:
            pieces.append(new)
            marks.extend([mark | pending] * len(new))
            pending = 0
        else:
            if marks:
                marks[-1] |= mark
            pending |= mark
        last, changed = end, True
    if not changed:
        return state
    _keep(text, flags, last, len(text), pieces, marks, pending)
    return "".join(pieces), marks


def _keep(
    text: str,
    flags: list[int] | None,
    start: int,
    end: int,
    pieces: list[str],
    marks: list[int],
    pending: int,
) -> None:
    if start >= end:
        return
    pieces.append(text[start:end])
    chunk = flags[start:end] if flags is not None else [0] * (end - start)
    if pending:
        chunk[0] |= pending
    marks.extend(chunk)


def _or(flags: list[int] | None, start: int, end: int) -> int:
    value = 0
    if flags is not None:
        for flag in flags[start:end]:
            value |= flag
    return value


@dataclass(frozen=True)
class Host:
    """规范化后的主机名：ASCII（punycode）形式和给人看的 Unicode 形式。"""

    ascii: str
    unicode: str
    idn: bool


def normalize_host(raw: str) -> Host | None:
    """主机名转小写并做 IDNA 编码/解码；不是合法主机名时返回 None。"""
    host = raw.strip().rstrip(".").lower()
    if not host or len(host) > 253:
        return None
    idn = not host.isascii()
    if idn:
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    shown = host
    if "xn--" in host:
        idn = True
        try:
            shown = idna.decode(host)
        except (idna.IDNAError, UnicodeError, ValueError):
            shown = host
    return Host(host, shown, idn)

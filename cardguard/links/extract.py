"""从（已去伪装的）文本里找网址：带协议的、不带协议的、IP 地址。

不凭空造链接：邮箱、版本号（v2.5.0）、小数（3.14）、文件名（readme.md、main.cc）都不算。
一个“链接”必须有真实的公共后缀（tldextract 内置的公共后缀表，离线），并且满足其一：
有协议、以 www. 开头、带端口或路径、后缀不在 file_extensions 里；
后缀像文件扩展名的（.cc/.md/.py …），只有域名含发卡词、用了伪装写法时才算；
消息里有卡盟话术时，同时也是廉价后缀的（.cc）也算。
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from ..knowledge.domains import DomainRules
from .deobfuscate import CONFUSABLE, Cleaned, Disguise, deobfuscate, normalize_host

MAX_LINKS = 20
MAX_PATH = 1_000
_HOSTCH = "0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff_\\-"
_CANDIDATE_RE = re.compile(
    r"(?P<scheme>https?)://(?P<auth>[^\s/?#&<>\"'`,，。、；！？（）【】「」\\]{1,300})"
    rf"|(?<![{_HOSTCH}.@])(?P<host>[{_HOSTCH}]{{1,63}}(?:\.[{_HOSTCH}]{{1,63}}){{1,20}})"
    r"(?P<port>:\d{1,5})?",
    re.I,
)
# 路径、查询串里能出现的字符：可打印 ASCII，去掉 <>"'`,\ 。写成正的字符类（“非控制、非空白、
# 非 ASCII 以外……”的反向类也一样，但 sre 编译它要逐个标记六万多个字符，启动多花约 3 毫秒）。
_PATH_CHARS = "".join(re.escape(chr(c)) for c in range(0x21, 0x7F) if chr(c) not in "<>\"'`,\\")
_REST_RE = re.compile(f"[/?#][{_PATH_CHARS}]*")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_LOOSE_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "st",
        "no",
        "vol",
        "ch",
        "fig",
        "vs",
        "etc",
        "jr",
        "sr",
        "mt",
        "inc",
        "ltd",
        "co",
        "dept",
        "gen",
        "sgt",
        "capt",
        "rev",
    ]
)
# 紧跟在“主机名”后面的 () / (x)：是代码里的方法调用（heap.top()），不是网址。
_CALL_RE = re.compile(r"\((?:\)|[A-Za-z0-9_'\"])")
_PORT_RE = re.compile(r":(\d{1,5})$")
_ENCODED_URL_RE = re.compile(r"%3a%2f%2f|%2f%2f", re.I)
_IPV6_RE = re.compile(r"^\[([0-9a-f:.]{2,45})\](?::(\d{1,5}))?$", re.I)
_NUMERIC_PART_RE = re.compile(r"^(?:0x[0-9a-f]{0,8}|\d{1,10})$", re.I)
# 最后一段里的形近字符（c0m、tοp）只在还原后是这些常见后缀时才改回去。
_TLD_LOOKS = str.maketrans({"0": "o", "1": "l"})
_REPAIRABLE_TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "cn",
        "top",
        "xyz",
        "cc",
        "vip",
        "shop",
        "club",
        "site",
        "online",
        "info",
        "store",
        "icu",
        "fun",
    ]
)
_TRAIL = ".,;:!?'\")]}>"


@dataclass(frozen=True)
class Link:
    """文本里找到的一条网址（已还原伪装）。"""

    url: str
    scheme: str
    host: str
    unicode_host: str
    port: int | None
    path: str
    site: str
    suffix: str
    is_ip: bool
    disguises: Disguise


@lru_cache(maxsize=1)
def _extractor() -> Any:
    """离线的 tldextract：只用包里自带的公共后缀表（含私有段），绝不联网。

    第一次用到时才导入（它会带进 requests/urllib3，约 0.1 秒）；`warm_up()` 可以提前在后台做。
    """
    import tldextract

    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def warm_up() -> None:
    """提前加载公共后缀表，让第一条带链接的消息不必等它（启动后在后台线程里调用）。"""
    split_host("example.com")


def split_host(host: str) -> tuple[str, str]:
    """(可注册域名, 公共后缀)；x.github.io 是它自己的站点。不成立时对应项为空串。"""
    ext = _extractor()(host)
    if not ext.suffix or not ext.domain:
        return "", ext.suffix
    return f"{ext.domain}.{ext.suffix}", ext.suffix


def links_in_text(
    text: str, rules: DomainRules, *, shoppy: bool = False
) -> tuple[Cleaned, list[Link]]:
    """去伪装后找网址；返回还原后的文本和找到的网址。

    shoppy：消息里有卡盟话术。这时 xiaoka.cc 这类后缀既像文件扩展名、又是廉价后缀的也算网址。
    """
    cleaned = deobfuscate(text)
    return cleaned, find_links(cleaned, rules, shoppy=shoppy)


def find_links(
    cleaned: Cleaned, rules: DomainRules, *, shoppy: bool = False, nested: bool = True
) -> list[Link]:
    """在去伪装后的文本里找网址（最多 `MAX_LINKS` 条）；nested：也找跳转参数里编码的网址。"""
    text = cleaned.text
    found: list[Link] = []
    for match in _CANDIDATE_RE.finditer(text):
        if match.group("host") and text.startswith("@", match.end()):
            continue  # 邮箱地址的用户名部分，例如 user.name@example.com
        if match.group("host") and text[match.start() - 1 : match.start()] == "%":
            continue  # %2Fkami88.top：百分号编码里的一截，由下面解码后的嵌套网址处理
        if match.group("host") and _CALL_RE.match(text, match.end()):
            continue  # heap.top()、df.info(x)：代码
        link = _parse(match, cleaned, rules, shoppy)
        if link is not None:
            found.append(link)
            if nested:
                found.extend(_nested_links(link, rules, shoppy))
            if len(found) >= MAX_LINKS:
                break
    return found[:MAX_LINKS]


def _nested_links(link: Link, rules: DomainRules, shoppy: bool) -> list[Link]:
    """跳转网址里 %xx 编码的目标（link.zhihu.com/?target=https%3A%2F%2F…）：解码一层再找。

    嵌套的网址不记伪装：跳转页自己就会这样编码，不是发帖人故意的。
    """
    if "%" not in link.path or not _ENCODED_URL_RE.search(link.path):
        return []
    decoded = Cleaned(unquote(link.path), None)
    return find_links(decoded, rules, shoppy=shoppy, nested=False)


def _parse(match: re.Match[str], cleaned: Cleaned, rules: DomainRules, shoppy: bool) -> Link | None:
    text = cleaned.text
    rest_match = _REST_RE.match(text, match.end())
    rest = _trim(rest_match.group() if rest_match else "")[:MAX_PATH]
    end = match.end() + len(rest)
    scheme = (match.group("scheme") or "").lower()
    extra = Disguise.NONE
    if scheme:
        raw, port, extra = _split_authority(match.group("auth"))
    else:
        raw = match.group("host")
        port = int(match.group("port")[1:]) if match.group("port") else None
    if raw is None or (port is not None and not 0 < port < 65536):
        return None
    if any(c.isupper() for c in raw):
        extra |= Disguise.UPPER
    disguises = cleaned.disguises_in(match.start(), end) | extra
    return _build(scheme, raw, port, rest, disguises, rules, shoppy)


def _split_authority(auth: str) -> tuple[str | None, int | None, Disguise]:
    """“user@host:port” → (host, port, 伪装)；user@ 和 %xx 编码的主机名都记成伪装。"""
    flags = Disguise.USERINFO if "@" in auth else Disguise.NONE
    hostport = auth.rsplit("@", 1)[-1]
    v6 = _IPV6_RE.match(hostport)
    if v6:
        return f"[{v6.group(1).lower()}]", _int_or_none(v6.group(2)), flags
    if "%" in hostport:
        decoded = unquote(hostport)
        if decoded != hostport:
            hostport, flags = decoded, flags | Disguise.PERCENT
    port = None
    port_match = _PORT_RE.search(hostport)
    if port_match:
        port = int(port_match.group(1))
        hostport = hostport[: port_match.start()]
    hostport = _cut_cjk_tail(_trim(hostport))
    return (hostport or None), port, flags


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


def _cut_cjk_tail(host: str) -> str:
    """“kami88.top购买” 这类网址后面紧跟中文：最后一段先是 ASCII 再接中文时，从中文处截断。"""
    head, dot, last = host.rpartition(".")
    if not dot or last.isascii():
        return host
    keep = 0
    while keep < len(last) and last[keep].isascii():
        keep += 1
    return f"{head}.{last[:keep]}" if keep else host


def _trim(value: str) -> str:
    """去掉句末标点；括号只在不成对时去掉。

    从尾部往前走一遍：右括号的个数边走边减，不在循环里反复数（一长串“)”也只是线性时间）。
    """
    opens = value.count("(")
    closes = value.count(")")
    end = len(value)
    while end and value[end - 1] in _TRAIL:
        if value[end - 1] == ")":
            if opens >= closes:
                break
            closes -= 1
        end -= 1
    return value[:end]


def _build(
    scheme: str,
    raw: str,
    port: int | None,
    rest: str,
    disguises: Disguise,
    rules: DomainRules,
    shoppy: bool,
) -> Link | None:
    if raw.startswith("["):
        return _ipv6_link(scheme, raw, port, rest, disguises)
    raw, fixed = _repair_tld(raw)
    if fixed:
        disguises |= Disguise.LOOKALIKE_TLD
    host = normalize_host(raw)
    if host is None:
        return None
    if host.idn:
        disguises |= Disguise.IDN
    numeric = _numeric_ipv4(host.ascii) if scheme else None
    if numeric is not None:
        disguises |= Disguise.NUMERIC_IP
        return _make(scheme, numeric, numeric, port, rest, numeric, "", True, disguises)
    if _is_ipv4(host.ascii):
        if not (scheme or port is not None or rest):
            return None  # 单独的 1.2.3.4 多半是版本号
        return _make(scheme, host.ascii, host.unicode, port, rest, host.ascii, "", True, disguises)
    if not _valid_labels(host.ascii, loose=bool(scheme)):
        return None
    site, suffix = split_host(host.ascii)
    if not suffix or not site:
        return None
    if not _looks_like_link(scheme, host.ascii, suffix, port, rest, disguises, rules, shoppy):
        return None
    return _make(scheme, host.ascii, host.unicode, port, rest, site, suffix, False, disguises)


def _valid_labels(host: str, *, loose: bool) -> bool:
    """每段都合法；带协议头时前面几段可以有下划线（浏览器照样能打开 kami_88.top）。"""
    *head, last = host.split(".")
    pattern = _LOOSE_LABEL_RE if loose else _LABEL_RE
    return bool(_LABEL_RE.match(last)) and all(pattern.match(label) for label in head)


def _looks_like_link(
    scheme: str,
    host: str,
    suffix: str,
    port: int | None,
    rest: str,
    disguises: Disguise,
    rules: DomainRules,
    shoppy: bool,
) -> bool:
    if scheme or host.startswith("www.") or port is not None or rest:
        return True
    if disguises & Disguise.DOT_WORD and _is_clock(host, suffix):
        return False  # “晚上8点fun一下”：数字+点+英文，是时间不是网址
    labels = host.split(".")
    if len(labels) == 2 and labels[0] in _ABBREVIATIONS:
        return False  # Mr.Wang、Dr.Li、No.1：称呼和缩写，不是网址（.wang/.li 也是后缀）
    tld = suffix.rsplit(".", 1)[-1]
    if tld not in rules.file_extensions or (shoppy and tld in rules.cheap_tlds):
        return True  # 有卡盟话术时，卡盟常用的 .cc 也算（py/md 这类仍当文件名）
    return bool(disguises & ~Disguise.UPPER) or bool(rules.shop_token_hits(host.split(".")[:-1]))


def _repair_tld(raw: str) -> tuple[str, bool]:
    """最后一段用了形近字符（kami88.c0m、kami88.tοp）时改回常见后缀；返回 (主机, 是否改过)。"""
    head, dot, last = raw.rpartition(".")
    if not dot or (last.isascii() and last.isalpha()):
        return raw, False
    fixed = last.lower().translate(CONFUSABLE).translate(_TLD_LOOKS)
    if fixed == last.lower() or fixed not in _REPAIRABLE_TLDS or not any(c.isalpha() for c in last):
        return raw, False
    return f"{head}.{fixed}", True


def _numeric_ipv4(host: str) -> str | None:
    """浏览器也认的 IPv4 怪写法：整数（3232235777）、十六进制（0xC0A80001）、八进制段（0300.0250.1.1）。"""
    parts = host.split(".")
    if len(parts) > 4 or not all(_NUMERIC_PART_RE.match(p) for p in parts):
        return None
    if len(parts) == 4 and all(p.isdigit() and (p == "0" or not p.startswith("0")) for p in parts):
        return None  # 普通写法，交给 _is_ipv4
    values = [_numeric_part(p) for p in parts]
    if any(v is None for v in values):
        return None
    *head, last = [v for v in values if v is not None]
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(parts)):
        return None
    number = sum(v << (8 * (3 - i)) for i, v in enumerate(head)) + last
    return str(ipaddress.IPv4Address(number))


def _numeric_part(part: str) -> int | None:
    low = part.lower()
    try:
        if low.startswith("0x"):
            return int(low[2:] or "0", 16)
        if len(low) > 1 and low.startswith("0"):
            return int(low, 8)
        return int(low)
    except ValueError:
        return None


def _ipv6_link(
    scheme: str, raw: str, port: int | None, rest: str, disguises: Disguise
) -> Link | None:
    """http://[2001:db8::1]/…：host/site 不带方括号（和 /link 命令的写法一致）。"""
    try:
        address = str(ipaddress.IPv6Address(raw[1:-1]))
    except ValueError:
        return None
    head = f"{scheme}://" if scheme else ""
    netloc = f"[{address}]" if port is None else f"[{address}]:{port}"
    url = f"{head}{netloc}{rest}"
    return Link(url, scheme, address, address, port, rest, address, "", True, disguises)


def _is_clock(host: str, suffix: str) -> bool:
    label = host[: -len(suffix) - 1] if suffix else host
    return label.isdigit() and len(label) <= 2


def _is_ipv4(host: str) -> bool:
    parts = host.split(".")
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 3 for p in parts):
        return False
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def _make(
    scheme: str,
    host: str,
    unicode_host: str,
    port: int | None,
    rest: str,
    site: str,
    suffix: str,
    is_ip: bool,
    disguises: Disguise,
) -> Link:
    head = f"{scheme}://" if scheme else ""
    netloc = host if port is None else f"{host}:{port}"
    return Link(
        url=f"{head}{netloc}{rest}",
        scheme=scheme,
        host=host,
        unicode_host=unicode_host,
        port=port,
        path=rest,
        site=site,
        suffix=suffix,
        is_ip=is_ip,
        disguises=disguises,
    )

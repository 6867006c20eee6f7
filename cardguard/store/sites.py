"""/link block|allow 的站点写法：从网址、去毒写法（hxxp、[.]）里取出规范的主机名。"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from ..text import fold

_DEFANG = (("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("(dot)", "."), ("。", "."))
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def normalize_host(text: str) -> str | None:
    """规范的主机名（小写、punycode、去掉 www.），看不懂时返回 None。"""
    raw = fold(text).strip().strip("<>\"'")
    for old, new in _DEFANG:
        raw = raw.replace(old, new)
    raw = re.sub(r"^hxxp", "http", raw)
    if "://" not in raw:
        raw = "http://" + raw
    try:
        host = (urlsplit(raw).hostname or "").rstrip(".")
    except ValueError:
        return None
    if _is_ip(host):
        return host
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    host = host.removeprefix("www.")
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(x) for x in labels):
        return None
    return host if _TLD_RE.match(labels[-1]) else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True

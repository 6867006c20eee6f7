"""哪些 IP 地址可以连：公网可以；本机、内网、链路本地、组播、保留、未指定、运营商内网不行。

IPv4 映射（::ffff:127.0.0.1）、6to4（2002::/16）、NAT64（64:ff9b::/96）这类把 IPv4 藏在
IPv6 里的写法先拆出里面的 IPv4 再判断；Teredo 隧道和本地 NAT64 段一律当保留地址。
`allow_private=True`（设置 CARDGUARD_FETCH_PRIVATE）只放行本机、内网和运营商内网：
链路本地（含云服务器的 169.254.169.254 元数据地址）、组播、保留、未指定地址永远不连。
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Literal

from .errors import BadUrl, NetworkError, UnsafeAddress

Category = Literal[
    "public", "loopback", "private", "cgnat", "link-local", "multicast", "unspecified", "reserved"
]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

LABELS: dict[str, str] = {
    "loopback": "本机地址",
    "private": "内网地址",
    "cgnat": "运营商内网地址",
    "link-local": "链路本地地址",
    "multicast": "组播地址",
    "unspecified": "未指定地址",
    "reserved": "保留地址",
}
# allow_private 时也放行的类别：本机上的 OneBot 实现、局域网/容器网络里的图片服务。
PRIVATE_OK = frozenset({"loopback", "private", "cgnat"})
MAX_ADDRESSES = 16

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_THIS_NET = ipaddress.ip_network("0.0.0.0/8")  # Linux 上连 0.x 可能连到本机
_IETF = ipaddress.ip_network("192.0.0.0/24")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_TEREDO = ipaddress.ip_network("2001::/32")


def _embedded(address: Address) -> Address | None:
    """IPv6 地址里藏着的 IPv4（映射、6to4、NAT64）；没有则为 None。"""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def categorize(address: Address) -> Category:
    """把一个 IP 归类；只有 "public" 是可以放心连的公网地址。"""
    inner = _embedded(address)
    if inner is not None:
        return categorize(inner)
    if isinstance(address, ipaddress.IPv6Address) and (
        address in _TEREDO or address in _NAT64_LOCAL
    ):
        return "reserved"
    return _plain_category(address)


def _plain_category(address: Address) -> Category:
    if address.is_unspecified or (
        isinstance(address, ipaddress.IPv4Address) and address in _THIS_NET
    ):
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "cgnat"
    if address.is_reserved or (isinstance(address, ipaddress.IPv4Address) and address in _IETF):
        return "reserved"
    if address.is_private:
        return "private"
    return "public" if address.is_global else "reserved"


def refusal(address: Address, *, allow_private: bool = False) -> str | None:
    """不能连这个地址时返回中文原因，能连返回 None。"""
    category = categorize(address)
    if category == "public" or (allow_private and category in PRIVATE_OK):
        return None
    return f"{address} 是{LABELS[category]}，不去连接"


def parse_ip(text: str) -> Address | None:
    """字面 IP（可带 IPv6 的 %scope）；不是 IP 时为 None。"""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def check_literal(host: str, *, allow_private: bool = False) -> None:
    """主机名本身就是 IP 时立刻判断（不用等解析）；不安全时抛 `UnsafeAddress`。"""
    address = parse_ip(host)
    if address is not None:
        reason = refusal(address, allow_private=allow_private)
        if reason is not None:
            raise UnsafeAddress(reason)


async def resolve(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """解析主机名，返回可以连的 IP（字符串）；任何一个解析结果不安全就整体拒绝。

    同一个名字既解析到公网又解析到内网，多半是有人在试探（DNS 重绑定），不值得冒险。
    """
    literal = parse_ip(host)
    if literal is not None:
        check_literal(host, allow_private=allow_private)
        return [str(literal)]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise NetworkError(f"域名 {host[:80]} 解析失败") from exc
    except ValueError as exc:
        raise BadUrl(f"主机名 {host[:80]} 不合法") from exc
    found: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos[:MAX_ADDRESSES]:
        text = str(sockaddr[0])
        address = parse_ip(text)
        if address is None:
            continue
        reason = refusal(address, allow_private=allow_private)
        if reason is not None:
            raise UnsafeAddress(f"{host[:80]} 解析到 {reason}")
        if text not in found:
            found.append(text)
    if not found:
        raise NetworkError(f"域名 {host[:80]} 没有可用的地址")
    return found

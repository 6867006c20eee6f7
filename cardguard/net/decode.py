"""按上限解压响应内容：每次最多解出“还剩的额度 + 1”字节，压缩炸弹到上限就停，不会先占满内存。"""

from __future__ import annotations

import zlib

from .errors import BadContent

# 只声明这两种；服务器硬塞别的（br、zstd、多层压缩）就当内容不对。
ACCEPT_ENCODING = "gzip, deflate"


class BoundedDecoder:
    """一种 Content-Encoding 的流式解码器；`feed(data, room)` 最多返回 room + 1 字节。"""

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise BadContent(f"不支持多层压缩（{content_encoding[:40]}）")
        self.coding = codings[0] if codings else ""
        if self.coding not in ("", "gzip", "x-gzip", "deflate"):
            raise BadContent(f"不支持的压缩方式 {self.coding[:20]}")
        self._z: zlib._Decompress | None = None
        if self.coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """解出这一块；返回值超过 room 字节说明已经超限（调用方据此截断或报错）。"""
        if not self.coding:
            return data
        if self._z is None:  # deflate：先看头两个字节是 zlib 包装还是裸 deflate
            self._z = zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS)
        if self._z.eof:
            return b""  # gzip 尾部之后的垃圾字节不理会
        try:
            # max_length=0 在 zlib 里表示“不限”，所以至少给 1
            return self._z.decompress(data, max(room, 0) + 1)
        except zlib.error as exc:
            raise BadContent("压缩数据损坏") from exc

    def flush(self, room: int) -> bytes:
        """输入结束后取出剩下的输出（已解完的输入不会再膨胀）。"""
        if self._z is None or self._z.eof:
            return b""
        try:
            return self._z.flush()[: max(room, 0) + 1]
        except zlib.error as exc:
            raise BadContent("压缩数据损坏") from exc


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0

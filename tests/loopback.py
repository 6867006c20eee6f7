"""测试用的 127.0.0.1 文件服务器：按路径返回给定的字节，没有的路径回 404。"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@contextmanager
def serve_bytes(bodies: Mapping[str, bytes]) -> Iterator[str]:
    """在随机端口上提供 `bodies`（路径 → 内容），给出 http://127.0.0.1:端口；退出时关掉。"""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = bodies.get(self.path, b"")
            self.send_response(200 if data else 404)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

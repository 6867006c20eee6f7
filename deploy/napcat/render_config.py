"""把 NapCat 的 OneBot 11 连接配置写好：反向 WebSocket 连机器人、共用 token、消息格式 array。

docker-compose.yml 里的一次性服务 napcat-init 在 NapCat 启动前运行它：
    python deploy/napcat/render_config.py /napcat-config
读环境变量 ONEBOT_ACCESS_TOKEN（必填）和 CARDGUARD_WS_URL（默认 ws://bot:8080/onebot/v11/ws）。

- 写 onebot11.json：NapCat 给第一次登录的账号用的默认配置；
- 已登录过的账号有自己的 onebot11_<QQ号>.json：只更新（或补上）名为 cardguard 的连接，
  其他连接原样保留。这样改了 .env 里的 token 后重启一次就两边一致。
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).with_name("onebot11.json")
CLIENT_NAME = "cardguard"
DEFAULT_URL = "ws://bot:8080/onebot/v11/ws"


class RenderError(Exception):
    """配置写不了：缺 token、模板坏了或目录不可写。"""


def our_client(url: str, token: str) -> dict[str, Any]:
    """模板里的 cardguard 连接，换上地址和 token。"""
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    client = next(c for c in template["network"]["websocketClients"] if c["name"] == CLIENT_NAME)
    return client | {"url": url, "token": token, "enable": True, "messagePostFormat": "array"}


def with_client(config: dict[str, Any], client: dict[str, Any]) -> dict[str, Any]:
    """返回替换（或追加）了 cardguard 连接的配置副本。"""
    network = dict(config.get("network") or {})
    others = [c for c in network.get("websocketClients") or [] if c.get("name") != CLIENT_NAME]
    network["websocketClients"] = [*others, client]
    return {**config, "network": network}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """先写临时文件再改名，NapCat 不会读到写了一半的文件。"""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def render(config_dir: Path, url: str, token: str) -> list[Path]:
    """写默认配置并同步各账号配置，返回写过的文件。"""
    if not token:
        raise RenderError("ONEBOT_ACCESS_TOKEN 为空：请在 .env 里设置一串随机字符")
    client = our_client(url, token)
    config_dir.mkdir(parents=True, exist_ok=True)
    default = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    written = [config_dir / "onebot11.json"]
    write_json(written[0], with_client(default, client))
    for path in sorted(config_dir.glob("onebot11_*.json")):
        try:
            account = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            print(
                f"跳过 {path.name}（读不了：{exc}），请在 NapCat 网页后台手动核对 token",
                file=sys.stderr,
            )
            continue
        write_json(path, with_client(account, client))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    """命令行入口：参数是 NapCat 的配置目录。"""
    config_dir = Path(argv[1]) if len(argv) > 1 else Path("/napcat-config")
    url = os.environ.get("CARDGUARD_WS_URL") or DEFAULT_URL
    try:
        written = render(config_dir, url, os.environ.get("ONEBOT_ACCESS_TOKEN", "").strip())
    except (RenderError, OSError, KeyError, StopIteration, json.JSONDecodeError) as exc:
        print(f"NapCat 配置没写成（{config_dir}）：{exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"已写入 {path}：反向 WebSocket → {url}，消息格式 array")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

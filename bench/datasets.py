"""基准用的输入：开发集问题、闲聊、带链接的消息（都来自 tests/data）。"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardguard.knowledge.yamlio import load_yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
QUESTIONS = DATA / "questions.yaml"
HOLDOUT = DATA / "questions_holdout.yaml"
CHATTER = DATA / "chatter.yaml"
LINKS = DATA / "links.yaml"
# 全部标注问题集：开发集 questions.yaml、原来的留出集和 dev/ 下各集（量大、噪声小）。
LABELLED = (QUESTIONS, HOLDOUT, *sorted((DATA / "dev").glob("questions_*.yaml")))

# tests/data/links.yaml 还没有时用的带链接消息（各种伪装写法，域名都是虚构的）。
FALLBACK_LINK_MESSAGES = (
    "低价点券 24小时自动发货 https://ka-meng-vip.top/buy?id=3",
    "王者皮肤5折 点这里 www.fakamall.xyz",
    "要cdk的私我 或者直接上 http://cdk-shop.cc",
    "官方渠道：https://pay.qq.com 别去乱七八糟的网站",
    "steam 余额代充 hxxps://steam-dc[.]shop/item/9",
    "自助下单平台 faka 点 cn 搜一下就有",
    "b站视频 https://www.bilibili.com/video/BV1xx411c7mD 笑死",
    "资料在这 https://pan.baidu.com/s/1abcDEF 提取码 8k2q",
    "卡密秒发 ka-mi-zhan.shop/#/goods 全网最低",
    "新开的卡盟 https://xn--6qq79v.vip/ 招代理",
    "https://github.com/nonebot/nonebot2 这个框架挺好用",
    "充值入口 https://t.cn/A6xYz 便宜一半",
)


@dataclass(frozen=True)
class Question:
    """开发集的一条问题：原话与可接受的条目 id。"""

    text: str
    ids: tuple[str, ...]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """读取标注问题集。"""
    data = load_yaml(path) or {}
    return [Question(str(q["text"]), tuple(q["ids"])) for q in data.get("questions") or []]


def load_chatter(path: Path = CHATTER) -> list[str]:
    """读取闲聊集（机器人应保持沉默的普通群聊）。"""
    data = load_yaml(path) or {}
    return [str(line) for line in data.get("chatter") or []]


def _link_text(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in ("text", "message", "msg"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return None


def load_link_messages(path: Path = LINKS) -> tuple[list[str], str]:
    """带链接的消息和来源说明；tests/data/links.yaml 不存在时用内置的样例。"""
    if not path.exists():
        return list(FALLBACK_LINK_MESSAGES), "bench 内置样例"
    data = load_yaml(path) or {}
    items = data.get("links") if isinstance(data, dict) else data
    texts = [t for t in map(_link_text, items or []) if t]
    if not texts:
        return list(FALLBACK_LINK_MESSAGES), "bench 内置样例"
    return texts, str(path.relative_to(ROOT))


def spread(items: list[Any], count: int) -> list[Any]:
    """从列表里均匀挑 `count` 个（确定性）；不够时全部返回。"""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]

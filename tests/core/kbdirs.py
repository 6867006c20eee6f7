"""测试用的临时知识目录：最小可用的条目和各种典型的写错方式。"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# 第 1–5 行：一条合法的最小条目（只有 id/question/aliases/answer）。
GOOD_FAQ = """\
entries:
  - id: good-one
    question: 本群的暗号是什么
    aliases: [暗号是啥, 群暗号, 进群暗号是什么]
    answer: 暗号是天王盖地虎，只在测试里用。
"""


@dataclass(frozen=True)
class Broken:
    """一种写坏的知识目录，以及期望的那一行报错。"""

    files: dict[str, str]
    file: str
    line: int
    entry: str | None
    fragment: str

    def expected_prefix(self, directory: Path) -> str:
        """期望报错行的开头：`文件:行号 [条目]: `。"""
        entry = f" [{self.entry}]" if self.entry else ""
        return f"{directory / self.file}:{self.line}{entry}: "


BROKEN: dict[str, Broken] = {
    "yaml-syntax": Broken(
        {
            "faq.yaml": GOOD_FAQ
            + "  - id: broken-line\n    question: 卡盟: 是什么\n    aliases: [甲]\n"
            + "    answer: 好的好的\n"
        },
        "faq.yaml",
        7,
        None,
        "YAML 写法有误",
    ),
    "missing-answer": Broken(
        {"faq.yaml": GOOD_FAQ + "  - id: no-answer\n    question: 卡盟是什么\n    aliases: [甲]\n"},
        "faq.yaml",
        6,
        "no-answer",
        "缺少字段 answer",
    ),
    "bad-id": Broken(
        {
            "faq.yaml": GOOD_FAQ
            + "  - id: Bad_ID\n    question: 卡盟是什么\n    aliases: [甲]\n    answer: 好的好的\n"
        },
        "faq.yaml",
        6,
        "Bad_ID",
        "kebab-case",
    ),
    "unknown-field": Broken(
        {
            "faq.yaml": GOOD_FAQ
            + "  - id: typo-field\n    question: 卡盟是什么\n    aliases: [甲]\n"
            + "    answer: 好的好的\n    anwser: 多写了一个字段\n"
        },
        "faq.yaml",
        10,
        "typo-field",
        "未知字段 anwser",
    ),
    "duplicate-across-files": Broken(
        {
            "faq.yaml": GOOD_FAQ,
            "risks.yaml": "entries:\n  - id: good-one\n    title: 风险标题\n"
            + "    question: 卡盟有风险吗\n    aliases: [乙]\n    answer: 有风险的\n"
            + "    signs: [要身份证]\n",
        },
        "risks.yaml",
        2,
        "good-one",
        "id 重复",
    ),
    "related-missing": Broken(
        {
            "faq.yaml": GOOD_FAQ
            + "  - id: bad-link\n    question: 卡盟是什么\n    aliases: [甲]\n"
            + "    answer: 好的好的\n    related: [no-such-entry]\n"
        },
        "faq.yaml",
        6,
        "bad-link",
        "no-such-entry",
    ),
    "top-level-list": Broken(
        {"faq.yaml": "- id: good-one\n  question: 本群的暗号是什么\n"},
        "faq.yaml",
        1,
        None,
        "顶层必须是映射",
    ),
}


def write_dir(root: Path, files: dict[str, str]) -> Path:
    """把 {文件名: 内容} 写进 root（UTF-8），返回 root。"""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root

"""管理员条目的评测：像群管理用 /faq add 那样把一组条目加进真实的 `Store`，再问原话、换个说法和本群闲聊。

python -m bench.admin_eval FILE [--json]

FILE 的格式同 tests/data/dev/admin_dev.yaml：`entries`（id、question、answer、paraphrases）和 `chatter`。
走的是机器人的真实路径：`Store.add_entry` → `Store.merge` 叠到发布的知识上 → `Matcher.for_knowledge`；
问题都在这个群里问（scope = 群号）。同时看加了这些条目以后，内置条目原来答对的标注题有没有少。
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cardguard.knowledge import load_knowledge  # noqa: E402
from cardguard.knowledge.yamlio import load_yaml  # noqa: E402
from cardguard.matching import Matcher  # noqa: E402
from cardguard.store import Actor, Store  # noqa: E402

GROUP = "10086"
DATA = ROOT / "tests" / "data"
# 内置条目的标注题：只看“加了条目以后少没少”。
LABELLED = (
    "questions.yaml",
    "questions_holdout.yaml",
    *(f"dev/questions_{x}.yaml" for x in "abcefgh"),
    "dev/fresh_1.yaml",
    "dev/fresh_2.yaml",
)


def evaluate(path: Path) -> dict[str, Any]:
    """加条目、提问，返回各项计数和失误。"""
    data = load_yaml(path) or {}
    items = list(data.get("entries") or [])
    chatter = [str(line) for line in data.get("chatter") or []]
    shipped = load_knowledge(ROOT / "knowledge")
    with tempfile.TemporaryDirectory(prefix="cardguard-admin-eval-") as folder:
        store = Store(Path(folder) / "admin")
        admin = Actor("20001", GROUP)
        ids: dict[str, str] = {}
        for item in items:
            entry, _ = store.add_entry(
                admin,
                {
                    "question": str(item["question"]),
                    "answer": str(item["answer"]),
                    "aliases": [],
                    "scope": GROUP,
                },
            )
            ids[str(item["id"])] = entry.id
        knowledge = replace(shipped, entries=tuple(store.merge(shipped.entries)))
    matcher = Matcher.for_knowledge(knowledge)
    before = Matcher.for_knowledge(shipped)
    misses: list[dict[str, Any]] = []
    exact_right = 0
    para_total = para_right = para_wrong = 0
    for item in items:
        want = ids[str(item["id"])]
        got = matcher.ask(str(item["question"]), scope=GROUP)
        if got.id == want:
            exact_right += 1
        else:
            misses.append({"kind": "exact", "text": item["question"], "want": want, "got": got.id})
        for text in item.get("paraphrases") or []:
            para_total += 1
            got = matcher.ask(str(text), scope=GROUP)
            if got.id == want:
                para_right += 1
            else:
                para_wrong += got.id is not None
                misses.append({"kind": "paraphrase", "text": text, "want": want, "got": got.id})
    loud = [line for line in chatter if matcher.passive(line, scope=GROUP).id is not None]
    lost = []
    for name in LABELLED:
        for question in load_yaml(DATA / name).get("questions") or []:
            text, expected = str(question["text"]), tuple(question["ids"])
            if (
                before.ask(text).id in expected
                and matcher.ask(text, scope=GROUP).id not in expected
            ):
                lost.append(text)
    return {
        "entries": len(items),
        "exact_right": exact_right,
        "paraphrases": para_total,
        "paraphrase_right": para_right,
        "paraphrase_wrong": para_wrong,
        "chatter": len(chatter),
        "chatter_answered": len(loud),
        "builtin_lost": len(lost),
        "misses": misses,
        "loud": loud,
        "lost": lost,
    }


def main() -> None:
    """命令行入口。"""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    got = evaluate(args.file)
    if args.json:
        print(json.dumps(got, ensure_ascii=False, indent=1))
        return
    para = got["paraphrases"] or 1
    print(
        f"{args.file}：{got['entries']} 条管理员条目\n"
        f"  原话答到自己：{got['exact_right']}/{got['entries']}\n"
        f"  换个说法答到：{got['paraphrase_right']}/{got['paraphrases']}"
        f"（{got['paraphrase_right'] / para:.1%}），答成别的条目 {got['paraphrase_wrong']}\n"
        f"  本群闲聊被旁听接话：{got['chatter_answered']}/{got['chatter']}\n"
        f"  内置条目原来答对、加了以后答错：{got['builtin_lost']}"
    )


if __name__ == "__main__":
    main()

"""评测纪律：tests/data 里任何一句（问题、闲聊、链接消息、管理员条目的问法）都不许以相同或近似的形式出现在 knowledge/。

knowledge/ 里的问法和闲聊例句是训练数据；tests/data 是开发集。两边一重合，开发集量出来的
就是背诵而不是泛化（issue 15：盲测集 a–d 的闲聊曾整句进了 chatter.yaml）。
条目的 question 和 title 除外：那是答案的题目，写评测题的人拿到的条目清单里就有。
“近似”= 预处理（归一化、繁转简、去口头语、统一口语写法）后相同，或者 rapidfuzz ratio ≥ 85（6 个字以上）。
"""

from __future__ import annotations

from pathlib import Path

from rapidfuzz import fuzz, process

from cardguard.knowledge import load_knowledge
from cardguard.knowledge.yamlio import load_yaml
from cardguard.matching import prepare

DATA = Path(__file__).resolve().parents[1] / "data"
NEAR = 85.0
MIN_CHARS = 6


def _test_lines() -> dict[str, str]:
    """预处理后的句子 → “文件: 原句”。"""
    found: dict[str, str] = {}
    for path in sorted(DATA.rglob("*.yaml")):
        data = load_yaml(path) or {}
        items = [q.get("text") for q in data.get("questions") or []]
        items += list(data.get("chatter") or [])
        items += [x.get("text") if isinstance(x, dict) else x for x in data.get("links") or []]
        for entry in data.get("entries") or []:  # admin_dev.yaml：管理员条目的问题与换个说法
            items += [entry.get("question"), *(entry.get("paraphrases") or [])]
        for item in items:
            if isinstance(item, str) and prepare(item):
                found.setdefault(prepare(item), f"{path.relative_to(DATA)}: {item}")
    return found


def _knowledge_lines() -> list[tuple[str, str]]:
    knowledge = load_knowledge()
    # 条目的 question/title 是给群友看的题目，写题人也拿到了（entries.md），不算训练问法。
    lines = [(f"{e.id} 的问法", p) for e in knowledge.entries for p in e.aliases]
    return lines + [("chatter.yaml", line) for line in knowledge.chatter]


def test_no_dev_set_line_lives_in_knowledge() -> None:
    tests = _test_lines()
    assert len(tests) > 3000, "tests/data 里的句子比预期少：路径对吗？"
    keys = list(tests)
    leaks = []
    for where, line in _knowledge_lines():
        key = prepare(line)
        if key in tests:
            leaks.append(f"{where}「{line}」= {tests[key]}")
            continue
        if len(key) < MIN_CHARS:
            continue
        near = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=NEAR)
        if near is not None:
            leaks.append(f"{where}「{line}」≈ {tests[near[0]]}（{near[1]:.0f}）")
    assert not leaks, f"{len(leaks)} 句评测数据进了 knowledge/：\n" + "\n".join(leaks)

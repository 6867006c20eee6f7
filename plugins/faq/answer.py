"""把匹配结果写成发回群里的文字。"""

from __future__ import annotations

from cardguard.matching import Matcher, MatchResult

MAX_ANSWER_CHARS = 600

HELP_TEXT = (
    "我是卡盟安全助手，专门回答发卡网、卡盟、自助下单平台的安全问题，"
    "也会提醒群里可疑的卡盟链接。\n"
    "· @我 + 问题，或发「/问 问题」：例如 /问 付了钱不发货怎么办\n"
    "· 群里有人问到相关问题时，我有把握才会主动回答\n"
    "· /帮助：看这段说明\n"
    "· 群管理：/faq、/link、/guard 管理问答和链接识别（发 /faq 看用法）\n"
    "被骗了先报警 110，反诈咨询 96110。"
)


def render_answer(result: MatchResult) -> str:
    """答中时的回复：答案正文（过长截断）。"""
    answer = (result.answer or "").strip()
    if len(answer) > MAX_ANSWER_CHARS:
        answer = answer[: MAX_ANSWER_CHARS - 1] + "…"
    return answer


def render_unknown(result: MatchResult, matcher: Matcher) -> str:
    """没答中时的回复：给出最多 3 个“你是不是想问”，否则说不知道。"""
    if not result.suggestions:
        return "这个我还不会回答。换个说法试试，或发 /帮助 看看我能回答什么。"
    lines = ["没太看懂，你是不是想问："]
    for number, entry_id in enumerate(result.suggestions, 1):
        entry = next((e for e in matcher.entries if e.id == entry_id), None)
        question = entry.question if entry else entry_id
        lines.append(f"{number}. {question}")
    lines.append("发「/问 + 上面的问题」就能看到回答。")
    return "\n".join(lines)

"""管理命令的说明文字和列表格式。所有内容都以纯文本发出。"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cardguard.knowledge import Entry
from cardguard.store import Page, Record, clip, paginate

T = TypeVar("T")

FAQ_REFUSAL = "只有群主、群管理或机器人管理员可以修改问答。"
SETTINGS_REFUSAL = "只有群主、群管理或机器人管理员可以修改设置。"
MAX_REPLY = 1800

FAQ_USAGE = (
    "问答管理（/faq 或 /问答）：\n"
    "/faq add 问题 | 答案 —— 或问题后换行写答案，可以带图\n"
    "/faq alias 编号 另一种问法\n"
    "/faq edit 编号 —— 换行写新答案\n"
    "/faq del 编号 ｜ /faq show 编号\n"
    "/faq list [页码] ｜ /faq search 关键词 [页码]\n"
    "/faq undo —— 撤销你在这里的上一次修改\n"
    "/faq history [编号] [页码] ｜ /faq gaps [页码] 没答上的问题\n"
    "/faq export 导出成 YAML ｜ /faq learn 群友选出来的候选问法\n"
    "机器人管理员：/faq reload、/faq pending、/faq approve 编号、/faq reject 编号；"
    "add 加 -g 只在本群生效"
)
LINK_USAGE = (
    "链接管理（/link 或 /链接，只对本群生效）：\n"
    "/link block 网址 —— 拉黑，本群有人发就提醒\n"
    "/link allow 网址 —— 放行，本群不再提醒\n"
    "/link remove 网址 —— 从拉黑/放行里去掉\n"
    "/link list —— 看本群的拉黑和放行\n"
    "/link check 文字 —— 看看会不会提醒、为什么"
)
GUARD_USAGE = (
    "守卫设置（/guard 或 /守卫，只对本群生效）：\n"
    "/guard on | off —— 整体开关\n"
    "/guard passive on | off —— 有把握时不@也回答\n"
    "/guard link on | off —— 卡盟链接识别\n"
    "/guard mode warn | recall | notify | recall+notify —— 发现卡盟链接时：提醒 / 撤回 / 私聊告诉管理\n"
    "/guard status —— 看本群现在的设置\n"
    "/guard stats [天数] —— 看统计，默认 7 天（机器人管理员私聊发：所有群）"
)
STATS_USAGE = "用法：/guard stats [天数]，例如 /guard stats 30（默认 7 天）"
ADD_USAGE = (
    "用法：/faq add 问题 | 答案\n或者：/faq add 问题（换行）答案，答案可以有多行、可以带图。"
)
EDIT_USAGE = "用法：/faq edit 编号（换行）新答案"
ALIAS_USAGE = "用法：/faq alias 编号 另一种问法"
ID_USAGE = "用法：/faq {verb} 编号（编号用 /faq list 或 /faq search 查）"

VERBS = {
    "faq add": "添加",
    "faq edit": "改答案",
    "faq alias": "加问法",
    "faq del": "删除",
    "faq undo": "撤销",
    "faq submit": "提交审核",
    "faq approve": "审核通过",
    "faq reject": "驳回",
    "guard on": "打开守卫",
    "guard off": "关闭守卫",
    "guard passive": "设置旁听",
    "guard link": "设置链接识别",
    "faq learn": "记下候选问法",
    "faq learn ok": "通过候选问法",
    "faq learn no": "驳回候选问法",
    "guard mode": "设置链接处理",
    "link block": "拉黑站点",
    "link allow": "放行站点",
    "link remove": "移除站点",
    "link 误报": "标记误报并放行",
    "faq 答错了": "标记答错，本群不再旁听回答这句",
}


def scope_label(entry: Entry, custom: bool) -> str:
    """条目的来源和范围。"""
    if entry.scope is not None:
        return f"群 {entry.scope}"
    return "全局·管理员加的" if custom else "全局·内置"


def entry_line(entry: Entry, custom: bool, group: str | None = None) -> str:
    """列表里的一行：编号「问题」范围（本群 / 群号 / 管理员加 / 内置）。"""
    if entry.scope is not None:
        tag = "本群" if entry.scope == group else f"群{entry.scope}"
    else:
        tag = "管理员加" if custom else "内置"
    return f"{entry.id}「{clip(entry.question, 28)}」{tag}"


def show_entry(entry: Entry, custom: bool) -> str:
    """一条问答的全部内容。"""
    lines = [f"编号：{entry.id}（{scope_label(entry, custom)}）", f"问题：{entry.question}"]
    if entry.aliases:
        lines.append("其他问法：" + clip("；".join(entry.aliases), 300))
    lines.append("答案：")
    return "\n".join(lines) + "\n" + entry.answer


def paged(
    title: str,
    items: Sequence[T],
    number: int,
    render: Callable[[T], str],
    more: str,
) -> str:
    """一页列表：标题、最多 10 行、页码和翻页提示；整体不超过上限。"""
    page: Page[T] = paginate(items, number)
    start = (page.number - 1) * 10
    lines = [f"{title}（第 {page.number}/{page.pages} 页，共 {page.total} 条）"]
    lines += [f"{start + i}. {render(item)}" for i, item in enumerate(page.items, 1)]
    if page.number < page.pages:
        lines.append(f"下一页：{more} {page.number + 1}")
    return limit("\n".join(lines))


def limit(text: str, size: int = MAX_REPLY) -> str:
    """整条回复的长度上限。"""
    return text if len(text) <= size else text[: size - 1] + "…"


def record_line(record: Record) -> str:
    """历史里的一行：时间 谁 做了什么 改了哪条。"""
    verb = VERBS.get(record.command, record.command)
    if record.undoes is not None:
        verb = f"撤销了{VERBS.get(record.note, record.note)}"
    when = record.time[5:16] if record.time else ""
    return f"{when} {record.actor} {verb} {describe_changes(record)}".strip()


def describe_changes(record: Record) -> str:
    """记录改了什么（取第一处改动）。"""
    change = record.changes[0] if record.changes else None
    if change is None:
        return ""
    if change.target == "entry":
        state = change.after or change.before or {}
        question = (state.get("entry") or {}).get("question")
        return f"{change.id}「{clip(question, 16)}」" if question else change.id
    if change.target == "group":
        return f"群 {change.id}"
    return f"待审 #{change.id}"


def pending_line(item: dict[str, Any]) -> str:
    """待审核列表的一行。"""
    kinds = {"add": "新增", "edit": "改答案", "alias": "加问法", "learn": "候选问法"}
    kind = kinds.get(item.get("kind", ""), "?")
    what = item.get("question") or item.get("phrasing") or item.get("answer") or ""
    target = f" {item['entry_id']}" if item.get("entry_id") else ""
    return f"#{item['number']} 群{item.get('group')} {item.get('user')} {kind}{target}：{clip(what, 30)}"

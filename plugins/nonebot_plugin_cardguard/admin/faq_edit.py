"""改问答：/faq add、alias、edit、del、undo，以及审核 approve / reject。"""

from __future__ import annotations

from typing import Any

from nonebot.log import logger

from cardguard.knowledge import Entry
from cardguard.store import (
    ImageError,
    NotFoundError,
    build_entry,
    check_lengths,
    download_image,
    dump_entry,
    marker,
)
from cardguard.text import normalize

from ..app import config, runtime
from .context import Ctx, admin_command
from .entries import duplicate_of, find, in_base, shipped_version
from .parsing import parse_number, split_head, split_question_answer, take_flag
from .replies import (
    ADD_USAGE,
    ALIAS_USAGE,
    EDIT_USAGE,
    FAQ_REFUSAL,
    ID_USAGE,
    VERBS,
    describe_changes,
)

LOCAL_FLAGS = ("-g", "--group", "本群")
UNDO_HINT = "撤销发 /faq undo。"
MAX_IMAGES = 3


def needs_review(ctx: Ctx) -> bool:
    """群管理的改动是否要先进审核队列。"""
    return config.cardguard_review_queue and ctx.level == "admin"


async def attach_images(ctx: Ctx, answer: str) -> tuple[str, str]:
    """把命令里的图片存下来、在答案末尾加上标记；返回（答案，给管理员的图片说明）。"""
    assert ctx.msg.command is not None
    urls = [
        url
        for s in ctx.msg.command.extras
        if s["type"] == "image"
        and isinstance(url := s["data"].get("url") or s["data"].get("file"), str)
    ]
    if not urls:
        return answer, ""
    markers: list[str] = []
    problems: list[str] = (
        [f"一条答案最多 {MAX_IMAGES} 张图，多的没存"] if len(urls) > MAX_IMAGES else []
    )
    for url in urls[:MAX_IMAGES]:
        try:
            saved = await download_image(
                url, runtime.store.files_dir, allow_private=config.cardguard_fetch_private
            )
            markers.append(marker(saved))
        except ImageError as exc:
            logger.warning(f"保存答案图片失败：{exc}")
            problems.append(str(exc))
    note = f"\n（图片没存下来：{'；'.join(problems)}。文字已保存。）" if problems else ""
    return "\n".join(p for p in (answer, *markers) if p), note


async def editable(ctx: Ctx, entry_id: str) -> Entry | None:
    """找到这里能改的条目；找不到或没权限时回复一句并返回 None。"""
    entry = find(entry_id, ctx.group)
    if entry is None:
        await ctx.reply(f"没找到 {entry_id}。编号可以用 /faq search 关键词 查。")
        return None
    if not ctx.is_super and entry.scope != ctx.group:
        await ctx.reply(f"{entry_id} 是全局问答，只有机器人管理员能改。")
        return None
    return entry


async def submit(ctx: Ctx, item: dict[str, Any], note: str = "") -> None:
    """交给审核队列。"""
    number = await runtime.edit(runtime.store.submit, ctx.actor, item)
    await ctx.reply(f"已提交审核（#{number}），机器人管理员通过后生效。{note}")


@admin_command("faq", "add", "添加", "新增", "加", refusal=FAQ_REFUSAL)
async def faq_add(ctx: Ctx) -> None:
    """/faq add 问题 | 答案（或换行写答案；机器人管理员加 -g 只在本群生效）。"""
    text, local = take_flag(ctx.args, LOCAL_FLAGS)
    question, answer = split_question_answer(text)
    if not question or not (answer or (ctx.msg.command and ctx.msg.command.extras)):
        await ctx.reply(ADD_USAGE)
        return
    check_lengths(question, answer or "见图")
    scope = ctx.group if (local or not ctx.is_super) else None
    found = duplicate_of(question, scope)
    if found is not None:
        await ctx.reply(f"已经有这个问题了：{found.id}。要改答案发 /faq edit {found.id}")
        return
    answer, note = await attach_images(ctx, answer)
    if not answer:
        await ctx.reply(ADD_USAGE + note)
        return
    data: dict[str, Any] = {"question": question, "answer": answer, "aliases": [], "scope": scope}
    if needs_review(ctx):
        await submit(ctx, {"kind": "add", **data}, note)
        return
    entry, _ = await runtime.edit(runtime.store.add_entry, ctx.actor, data)
    where = "只在本群生效" if scope else "所有群都生效"
    await ctx.reply(f"已添加 {entry.id}（{where}），现在就能回答了。{UNDO_HINT}{note}")


@admin_command("faq", "edit", "修改", "编辑", "改", refusal=FAQ_REFUSAL)
async def faq_edit(ctx: Ctx) -> None:
    """/faq edit 编号（换行）新答案。"""
    entry_id, answer = split_head(ctx.args)
    if not entry_id or not (answer or (ctx.msg.command and ctx.msg.command.extras)):
        await ctx.reply(EDIT_USAGE)
        return
    entry = await editable(ctx, entry_id)
    if entry is None:
        return
    answer, note = await attach_images(ctx, answer)
    check_lengths(answer=answer)
    revised = build_entry({**dump_entry(entry), "answer": answer})
    if needs_review(ctx):
        item = {"kind": "edit", "entry_id": entry.id, "scope": entry.scope, "answer": answer}
        await submit(ctx, item, note)
        return
    await runtime.edit(runtime.store.put_entry, ctx.actor, revised, command="faq edit")
    await ctx.reply(f"已修改 {entry.id} 的答案，马上生效。{UNDO_HINT}{note}")


@admin_command("faq", "alias", "别名", "问法", refusal=FAQ_REFUSAL)
async def faq_alias(ctx: Ctx) -> None:
    """/faq alias 编号 另一种问法。"""
    entry_id, phrasing = split_head(ctx.args)
    phrasing = phrasing.split("\n", 1)[0].strip()
    if not entry_id or not phrasing:
        await ctx.reply(ALIAS_USAGE)
        return
    check_lengths(question=phrasing)
    entry = await editable(ctx, entry_id)
    if entry is None:
        return
    if any(normalize(p) == normalize(phrasing) for p in entry.phrasings):
        await ctx.reply(f"{entry.id} 已经有这个问法了。")
        return
    revised = with_alias(entry, phrasing)
    if needs_review(ctx):
        item = {"kind": "alias", "entry_id": entry.id, "scope": entry.scope, "phrasing": phrasing}
        await submit(ctx, item)
        return
    await runtime.edit(runtime.store.put_entry, ctx.actor, revised, command="faq alias")
    await ctx.reply(f"已给 {entry.id} 加上问法，现在就能认出来。{UNDO_HINT}")


def with_alias(entry: Entry, phrasing: str) -> Entry:
    """加一个别名后的新条目（经过同样的校验和配额）。"""
    data = dump_entry(entry)
    revised = build_entry({**data, "aliases": [*data["aliases"], phrasing]})
    runtime.store.check_aliases(revised, shipped_version(entry))
    return revised


@admin_command("faq", "del", "delete", "rm", "删除", "删", refusal=FAQ_REFUSAL)
async def faq_del(ctx: Ctx) -> None:
    """/faq del 编号。"""
    entry_id, _ = split_head(ctx.args)
    if not entry_id:
        await ctx.reply(ID_USAGE.format(verb="del"))
        return
    entry = await editable(ctx, entry_id)
    if entry is None:
        return
    await runtime.edit(runtime.store.delete_entry, ctx.actor, entry, in_base=in_base(entry))
    await ctx.reply(f"已删除 {entry.id}。{UNDO_HINT}")


@admin_command("faq", "undo", "撤销", refusal=FAQ_REFUSAL)
async def faq_undo(ctx: Ctx) -> None:
    """/faq undo：撤销自己在这里的上一次修改（重启后也行）。"""
    record = await runtime.edit(runtime.store.undo, ctx.actor)
    verb = VERBS.get(record.note, record.note)
    await ctx.reply(f"已撤销你上一次的{verb}：{describe_changes(record)}")


@admin_command("faq", "approve", "通过", "批准", refusal=FAQ_REFUSAL, super_only=True)
async def faq_approve(ctx: Ctx) -> None:
    """/faq approve 编号：审核通过，马上生效。"""
    number = parse_number(ctx.args)
    if number is None:
        await ctx.reply("用法：/faq approve 审核编号（用 /faq pending 查）")
        return
    store = runtime.store
    item = store.pending_item(number)
    if item.get("kind") == "add":
        data = {k: item[k] for k in ("question", "answer", "scope")} | {"aliases": []}
        entry, _ = await runtime.edit(
            store.add_entry, ctx.actor, data, command="faq approve", take_pending=number
        )
    else:
        entry = revised_for(find(item["entry_id"], item.get("scope")), item, number)
        await runtime.edit(
            store.put_entry, ctx.actor, entry, command="faq approve", take_pending=number
        )
    await ctx.reply(f"已通过 #{number}：{entry.id}，马上生效。{UNDO_HINT}")


def revised_for(entry: Entry | None, item: dict[str, Any], number: int) -> Entry:
    """待审的修改应用到条目的当前版本上。"""
    if entry is None:
        raise NotFoundError(
            f"#{number} 要改的 {item['entry_id']} 已经不在了，可以 /faq reject {number}。"
        )
    if item.get("kind") in ("alias", "learn"):
        return with_alias(entry, item["phrasing"])
    return build_entry({**dump_entry(entry), "answer": item["answer"]})


@admin_command("faq", "reject", "驳回", "拒绝", refusal=FAQ_REFUSAL, super_only=True)
async def faq_reject(ctx: Ctx) -> None:
    """/faq reject 编号：驳回。"""
    number = parse_number(ctx.args)
    if number is None:
        await ctx.reply("用法：/faq reject 审核编号（用 /faq pending 查）")
        return
    await runtime.edit(runtime.store.reject, ctx.actor, number)
    await ctx.reply(f"已驳回 #{number}。")

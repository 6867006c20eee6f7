"""学出来的话题判断（TopicModel）与 knowledge/chatter.yaml。"""

from __future__ import annotations

from pathlib import Path

import pytest

from cardguard.knowledge import KnowledgeError, load_knowledge
from cardguard.matching import Matcher, prepare
from cardguard.matching.topic import MODEL_STRONG, TopicModel, topic_strength

from .kbdirs import GOOD_FAQ, write_dir


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    """发布的知识 + 发布的闲聊例句。"""
    return Matcher.for_knowledge(load_knowledge())


@pytest.mark.parametrize(
    "text",
    ["下单付完款网站就打不开了", "交了钱对方说要再付手续费才能发货", "付款之后订单查不到了 咋回事"],
)
def test_questions_without_shop_words_read_as_on_topic(matcher: Matcher, text: str) -> None:
    # 一个店铺词都没有，词表判断不出来；模型看出它们像知识里的问法，旁听时就能回答。
    assert matcher.topic.logit(prepare(text)) >= MODEL_STRONG
    assert matcher.topic.strength(prepare(text)) == 2
    assert matcher.passive(text).id == "paid-no-delivery"


def test_same_questions_stay_silent_without_chatter_examples() -> None:
    # 没有闲聊例句时话题模型关闭，旁听只在词表明显看出话题、分数很高时开口：同一句话不开口（对照上一个测试）。
    plain = Matcher(load_knowledge().entries)
    assert not plain.topic.enabled
    assert plain.passive("下单付完款网站就打不开了").id is None


@pytest.mark.parametrize("text", ["今天天气不错", "显卡到了", "原神抽卡又歪了", "快递怎么还没到"])
def test_chatter_reads_as_off_topic(matcher: Matcher, text: str) -> None:
    assert matcher.topic.logit(prepare(text)) < 0


def test_official_channel_talk_is_never_promoted(matcher: Matcher) -> None:
    # 在官网、官方活动里的事，模型再觉得像也不提成“明显在话题上”。
    text = prepare("chatgpt plus 官网订阅 可以用visa卡付吗")
    assert matcher.topic.strength(text) < 2


def test_model_compares_presence_not_prior() -> None:
    model = TopicModel(["卡密用不了怎么办", "卡密无效"], ["今天吃什么", "晚上开黑"])
    assert model.logit(prepare("卡密用不了")) > 0 > model.logit(prepare("今天吃什么"))


def test_broken_chatter_item_names_file_and_line(tmp_path: Path) -> None:
    write_dir(
        tmp_path, {"faq.yaml": GOOD_FAQ, "chatter.yaml": "chatter:\n  - 你好\n  - [不是, 一句话]\n"}
    )
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    (problem,) = info.value.problems
    assert problem.file.endswith("chatter.yaml") and problem.line == 3


def test_missing_chatter_file_is_fine(tmp_path: Path) -> None:
    write_dir(tmp_path, {"faq.yaml": GOOD_FAQ})
    assert load_knowledge(tmp_path).chatter == ()


def test_shipped_chatter_loads() -> None:
    chatter = load_knowledge().chatter
    assert len(chatter) >= 500 and all(isinstance(line, str) and line for line in chatter)


@pytest.mark.parametrize("text", ["明天要不要带伞", "周末去哪玩", "这首歌叫什么名字"])
def test_everyday_questions_are_dropped_before_matching(matcher: Matcher, text: str) -> None:
    # 问句形状、但词表和模型都说是闲聊：旁听时直接不答，连匹配都不做（大部分闲聊问句走这里）。
    assert matcher.topic.off_topic(prepare(text))
    assert matcher.passive(text).id is None


def test_on_topic_question_without_shop_words_is_not_dropped(matcher: Matcher) -> None:
    assert not matcher.topic.off_topic(prepare("下单付完款网站就打不开了"))


@pytest.mark.parametrize(
    ("text", "logit", "dropped"),
    [
        ("未成年退款怎么申请", 3.0, False),  # 沾边（强度 1）、模型略偏问法：要去匹配
        ("未成年退款怎么申请", -1.0, True),  # 沾边、但模型明确说像闲聊
        ("周末去哪玩", 3.0, True),  # 词表没看出话题（强度 0）：要模型说到 5 以上才匹配
    ],
)
def test_early_exit_bar_depends_on_what_the_word_rules_saw(
    text: str, logit: float, dropped: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = TopicModel(["未成年退款怎么申请"], ["周末去哪玩"])
    monkeypatch.setattr(model, "logit", lambda prepared: logit)
    assert topic_strength(prepare(text)) == (1 if "退款" in text else 0)
    assert model.off_topic(prepare(text)) is dropped


@pytest.mark.parametrize(
    "text",
    [
        "挂了代理以后游戏进不去了怎么办",  # 上网的代理，不是卡盟招的代理
        "代理服务器连不上是啥原因",
        "晚上挂机刷材料会被封号吗",  # 对局里的事
        "打排位遇到演员 举报有用吗",
        "开了加速器还是卡 咋回事",
    ],
)
def test_game_and_network_talk_that_shares_our_words_stays_silent(
    matcher: Matcher, text: str
) -> None:
    assert matcher.topic.strength(prepare(text)) < 2
    assert matcher.passive(text).id is None


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("卡盟招代理能赚钱吗", "seller-recruitment"),
        ("有人拉我当发卡网代理 靠谱吗", "seller-recruitment"),
    ],
)
def test_card_shop_agents_are_still_on_topic(matcher: Matcher, text: str, entry: str) -> None:
    assert matcher.topic.strength(prepare(text)) == 2
    assert matcher.passive(text).id == entry

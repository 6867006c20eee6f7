"""难的正常消息：大商城首页配卖货词、官方/媒体的提醒、机构网站、讨论发卡程序本身。

每条规则都同时测“该安静的安静”和“真广告照样提醒”，免得规则只会放行。
"""

from __future__ import annotations

import pytest

from cardguard.knowledge.domains import DomainRules
from cardguard.links import scan

from .links_kit import reasons

# ---------------- 只有正规商店也说的卖货词，不算卡盟广告 ----------------


@pytest.mark.parametrize(
    "text",
    [
        "优品小店 现货 秒发 https://www.youpin-example.com/",
        "全新 现货 秒发 批发 https://shop.example.com/",
        "键盘 现货 秒发 https://www.example.com/products/k2-keyboard",
    ],
)
def test_retail_words_alone_on_a_clean_host_stay_below_warn(text: str, rules: DomainRules) -> None:
    """秒发、现货、批发：京东、品牌官网也这么写；没有卡盟特有的词就到不了提醒线。"""
    result = scan(text, rules)
    assert result.verdict != "warn", reasons(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        "卡密 秒发 https://shop.example.com/",  # 卡盟词 + 零售口吻
        "自助下单 现货 https://shop.example.com/",  # 卡盟卖货口吻 + 普通用语
        "现货 秒发 https://kami88.top/",  # 网址本身可疑
    ],
)
def test_a_card_shop_word_still_makes_it_an_ad(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict == "warn", reasons(text, rules)


def test_is_ad_needs_a_card_shop_word(rules: DomainRules) -> None:
    assert not rules.is_ad(["现货", "秒发"])
    assert not rules.is_ad(["批发", "全网最低"])
    assert rules.is_ad(["卡密", "秒发"])
    assert rules.is_ad(["自助下单", "现货"])


# ---------------- 提醒、劝谨慎的口吻 ----------------


@pytest.mark.parametrize(
    "text",
    [
        "消协提醒：网购激活码、秒发卡密要谨慎 https://consumer.example.com/",
        "当心低价代充 自助下单 都是黑卡 https://news.example.com/",
        "反诈中心：卡密 代充 自助下单 https://fanzha.example.com/",
        "独角数卡部署文档 卡密 自动发货 怎么配 https://doc.example.com/",
    ],
)
def test_caution_and_discussion_get_no_sales_bonus(text: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict != "warn", reasons(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        "诚信经营 绝不跑路 卡密 自助下单 https://www.example.com/",
        "补货提醒：卡密 自助下单 https://www.example.com/",
        "温馨提醒：卡密 自助下单 认准本站 谨防假冒 https://www.example.com/",
    ],
)
def test_an_ad_vouching_for_itself_is_not_a_caution(text: str, rules: DomainRules) -> None:
    """“绝不跑路”“补货提醒”是广告自己的话，不是在提醒别人。"""
    assert scan(text, rules).verdict == "warn", reasons(text, rules)


def test_caution_exceptions_are_removed_before_the_search(rules: DomainRules) -> None:
    assert rules.has_caution("消协提醒谨慎")
    assert not rules.has_caution("老店绝不跑路")
    assert not rules.has_caution("补货提醒")
    assert rules.has_caution("补货提醒这家跑路了")


# ---------------- 只许机构注册的后缀 ----------------


@pytest.mark.parametrize(
    "text",
    [
        "卡密 自助下单 代充 https://www.example.edu.cn/",
        "卡盟 代刷 自助下单 https://www.consumer-assoc.org.cn/news/1",
        "卡密 自助下单 代充 https://cs.example.ac.uk/",
        "卡密 自助下单 代充 https://www.example.gov/",
    ],
)
def test_words_alone_never_warn_on_institution_hosts(text: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict == "log", reasons(text, rules)


def test_a_shop_planted_on_an_institution_host_still_warns(rules: DomainRules) -> None:
    """被入侵的学校网站挂的发卡页：网址本身的特征照常提醒。"""
    assert scan("https://lib.example.edu.cn/buy/12", rules).verdict == "warn"
    assert (
        scan("卡密 https://lib.example.edu.cn/user/pay/order.2026120712.1", rules).verdict == "warn"
    )
    assert rules.institution("lib.example.edu.cn") == "edu.cn"
    assert rules.institution("example.com") is None
    assert rules.institution("education.cn") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cca.org.cn/",
        "https://www.piyao.org.cn/2024/fraud.html",
        "https://www.xiaomiyoupin.com/",
        "https://news.cctv.com/2023/11/20/ARTIx.shtml",
        "https://www.keychron.com/products/keychron-k2",
        "https://www.jetbrains.com/store/",
    ],
)
def test_official_bodies_media_and_brand_stores_are_allow_listed(
    url: str, rules: DomainRules
) -> None:
    assert scan(f"卡密 自助下单 秒发 {url}", rules).score == 0


# ---------------- 商店形状的网址卖别家的订阅 ----------------


@pytest.mark.parametrize(
    "text",
    [
        "https://www.example.com/products/claude-max 自动发货 售后无忧",
        "Claude Pro 月卡现货 https://keys.example.com/products/claude-pro-1m",
        "https://www.example.com/cn/products/chatgpt-plus-month 自动交付",
        "Netflix 4K 现货 https://www.example.com/item/12?sku=netflix",
    ],
)
def test_selling_someone_elses_subscription_corroborates_a_store_shape(
    text: str, rules: DomainRules
) -> None:
    result = scan(text, rules)
    assert result.verdict == "warn", reasons(text, rules)
    assert "卖的是别家的订阅或账号" in reasons(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        "https://www.producthunt-example.com/products/chatgpt",  # 产品目录站，没有卖货口吻
        "https://www.example.com/products/k2-keyboard 现货 秒发",  # 卖的是自己的东西
        "https://www.example.com/products/claudette-dress 现货",  # 只是名字里含 claude
        "https://blog.example.com/posts/chatgpt-plus-review 现货",  # 不是商店形状
    ],
)
def test_goods_need_a_store_shape_and_sales_tone(text: str, rules: DomainRules) -> None:
    result = scan(text, rules)
    assert result.verdict != "warn", reasons(text, rules)


def test_goods_in_path_matches_whole_words(rules: DomainRules) -> None:
    assert rules.goods_in_path("/products/claude-max") == "claude"
    assert rules.goods_in_path("/p/telegram-premium-12m") == "telegram-premium"
    assert rules.goods_in_path("/products/gpt4-plus") == "gpt"
    assert rules.goods_in_path("/products/claudette") is None
    assert rules.goods_in_path("/products/cursors") is None


# ---------------- 域名里以 fk（发卡）结尾的字母段 ----------------


def test_fk_ending_is_a_weak_shop_token(rules: DomainRules) -> None:
    assert "域名含发卡相关词 fk" in reasons("https://acg.moefk.com/", rules)
    assert scan("https://acg.moefk.com/", rules).verdict != "warn"
    assert scan("https://acg.moefk.com/item/25", rules).verdict == "warn"
    assert scan("https://www.example.com/item/25", rules).verdict != "warn"


# ---------------- 消息里点名卖别家的会员 ----------------


@pytest.mark.parametrize(
    "text",
    [
        "腾讯视频月卡 9.9 自动发货 https://mall.example.com/item/31",
        "Claude Pro 现货 https://www.example.com/product/12",
        "奈飞 会员 自动发货 https://www.example.com/cat/3",
    ],
)
def test_naming_someone_elses_membership_corroborates_a_store_shape(
    text: str, rules: DomainRules
) -> None:
    result = scan(text, rules)
    assert result.verdict == "warn", reasons(text, rules)
    assert "卖的是别家的订阅或账号" in reasons(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        # 点名别家会员本身就算第二信号（test_links_sold_goods.py），但只给商店形状作证，
        # 提醒别人时也不算
        "小心骗子 腾讯视频月卡 9.9 https://mall.example.com/item/31",
        "腾讯视频月卡 自动发货 https://mall.example.com/",  # 不是商店形状
        "Keychron 键盘 现货 https://www.example.com/item/31",  # 卖的是自己家的东西
    ],
)
def test_named_goods_need_a_store_shape(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict != "warn", reasons(text, rules)


def test_goods_in_text_finds_brand_and_card_kind(rules: DomainRules) -> None:
    assert rules.goods_in_text("腾讯视频月卡") == "腾讯视频月卡"
    assert rules.goods_in_text("claude pro 一个月") == "claude pro"
    assert rules.goods_in_text("netflix-premium") == "netflix-premium"
    assert rules.goods_in_text("我在看腾讯视频") is None


@pytest.mark.parametrize(
    ("host", "token"), [("chengpinhao.com", "chengpinhao"), ("haoshang88.net", "haoshang")]
)
def test_pinyin_goods_words_in_the_host(host: str, token: str, rules: DomainRules) -> None:
    assert f"域名含发卡相关词 {token}" in reasons(f"https://www.{host}/", rules)
    assert scan(f"各种成品号 https://www.{host}/", rules).verdict == "warn"


# ---------------- 指向文章、帖子 ----------------


@pytest.mark.parametrize(
    "text",
    [
        "独角数卡 部署 卡密 发卡网 https://blog.example.tech/2024/05/dujiaoka",
        "卡密 发卡网 黑产 https://myblog.example.top/posts/faka-scam",
    ],
)
def test_words_about_an_article_do_not_stack_on_a_cheap_suffix(
    text: str, rules: DomainRules
) -> None:
    """技术博客常用 .top、.tech：文章讲的是发卡网，不等于这个博客在卖卡密。"""
    assert scan(text, rules).verdict != "warn", reasons(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        "卡密 发卡网 https://shop.example.top/",  # 首页：照常叠加
        "卡密 自助下单 https://shop.example.top/buy.html",  # .html 静态页不算文章
        "教程+购买一站式 https://kamishop.example.top/blog/gpt-plus-guide",  # 网址本身够可疑
    ],
)
def test_shop_pages_are_not_articles(text: str, rules: DomainRules) -> None:
    assert scan(text, rules).verdict == "warn", reasons(text, rules)

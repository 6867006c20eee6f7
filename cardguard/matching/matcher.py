"""两种决定：被点名时尽量回答，群聊旁听时只在很有把握时开口。"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import islice
from pathlib import Path

from ..knowledge import Entry, Knowledge
from ..text import has_link, looks_like_question, looks_like_trouble, looks_settled
from . import pinyin
from .corpus import Query, prepare, rank_exhaustive
from .features import content
from .index import Index, LazyRanking
from .model import NONE, load_or_train
from .topic import TopicModel, official_purchase, topic_strength

# 阈值（0–100），在开发集上调定。
EXPLICIT_MIN = 20.0
EXPLICIT_OFF_TOPIC_MIN = 30.0
SUGGEST_MIN = 20.0
# 去掉疑问词、语气词以后至少剩这么多字，点名时才直接回答（“怎么办”只给建议）。
MIN_CONTENT_CHARS = 2
# 剩下的字太少、但和某条的问法几乎一样（“怎么退会”之于“退会有什么规定”：“会”也是常见的虚字）时照样回答。
# 开发集里内容不到两字的句子（“有人吗”“你是谁”“在吗”）分数都在 30 以下，只有“你能干啥”71 分（答对）。
SHORT_SURE_MIN = 50.0
# 词表看不出话题时，条目模型给的 P(闲聊) 低于这个值也按“在话题上”的门槛回答点名提问。
EXPLICIT_CHATTER_MAX = 0.3
# 旁听判断（问法多的条目）：各项信号的权重与截距，用逻辑回归在开发集上拟合
# （正例 = 旁听该答、第一名也答对的问题；反例 = 闲聊和第一名答错的问题，闲聊在损失里算 3 倍；
# fresh_2 不参与），见 bench/calibrate.py。打分 ≥ PASSIVE_DECISION 才开口：开发集有信号的闲聊
# 358 句里误触发 9 句（全部闲聊两千多句）。拟合时留出 fresh_6 检查过：闲聊误答 8 → 3/248，旁听 0.877 → 0.873。
PASSIVE_WEIGHTS = {
    "score": 0.1092,  # 匹配分（不含条目模型和本群的加分）
    "lead": 0.06854,  # 领先最强对手的分数（最多 LEAD_CAP）
    "p_entry": 0.5049,  # 条目模型：P(第一名这条)
    "p_chatter": -3.609,  # 条目模型：P(闲聊)
    "strong_topic": 0.7333,  # 话题词表：明显在谈卡网（强度 2）
    "shaped": 1.396,  # 像问句或诉苦
    "off_topic": -2.478,  # 话题模型判为闲聊
    "length": 0.1134,  # 预处理后的字数（最多 MAX_LENGTH_SIGNAL）：长的求助多半是真事
    "asking": 0.1655,  # 像问句（不只是诉苦）
    "settled": -1.856,  # 讲的是过去、已经办完或结果不错的事（`looks_settled`）
    "official": -0.836,  # 在官方渠道里买、充，没扯上卖家和骗局（`topic.official_purchase`）
    "plain_statement": -0.4375,  # 既不像问句也不像诉苦、词表也没看出明显在谈卡网：多半是在聊天
}
PASSIVE_BIAS = -7.314
PASSIVE_DECISION = 0.5
LEAD_CAP = 30.0
# 旁听提前放弃时让出的分数（见 `Matcher._hopeless_below`）：只为浮点误差，远小于分数的精度 0.1。
ROUNDING_SLACK = 1e-6
MAX_LENGTH_SIGNAL = 60
# 没有闲聊例句（chatter.yaml）时：明显在谈卡网的问句或诉苦、分数至少这么高才旁听回答。
PASSIVE_PLAIN_MIN = 60.0
# 其余条目（管理员加的）：问句、分数至少这么高（几乎就是原话）、领先这么多才旁听回答。
PASSIVE_OTHER_MIN = 60.0
PASSIVE_OTHER_LEAD = 10.0
MAX_SUGGESTIONS = 3
# 点名时第一名和（不相关的）第二名几乎打平：说不准问的是哪条，给建议而不是猜一个。
EXPLICIT_TIE_MARGIN = 0.5
# 问法少于这么多句的条目，话题模型（拿全局条目的问法学的）说了不算。
TOPIC_MIN_PHRASINGS = 5
# 条目模型：问法至少这么多句的全局条目才单独成一类；它给的概率 P 换成 P × MODEL_POINTS 分。
# 30 分：开发集各套和 fresh_1 上点名 top-1 都比不加高约 1–2 个百分点，15–50 之间差别不大。
MODEL_MIN_PHRASINGS = 20
MODEL_POINTS = 30.0
MODEL_MIN_PROBABILITY = 0.05
# 管理员条目“压分”集合最多缓存几份（见 `Matcher._damped`）。
DAMPED_CACHE = 32
# 问题说的是“本群/本服/群里/管理”时，管理员自己加的条目（本群的、和问法很少的全局条目）多这么几分（也要有字面支撑，见
# `corpus.with_bonus`）：“被骗了找哪个管理”“群里能发链接吗”问的是本群的规矩，和内置条目分数相近时
# 应该由群条目来答；没提本群的泛泛问题（“充值渠道哪个靠谱”）照常比分数。
LOCAL_POINTS = 8.0
_LOCAL_CUE_RE = re.compile(
    r"本群|群里|咱群|我们群|这个群|群主|管理|本服|服里|咱服|这个服|服务器里|服主"
)
# 问的是自己群里、服里的事：本群的说法，再加上单说“服务器”（群管理加的条目多半讲自己的服务器）。
_OWN_PLACE_RE = re.compile(_LOCAL_CUE_RE.pattern + r"|服务器")
MAX_QUERY_CHARS = 300
_ASCII_LETTERS_RE = re.compile("[a-z]{2}", re.IGNORECASE)


@dataclass(frozen=True)
class MatchResult:
    """一次匹配的结果：答中的条目（或无）、置信度和“你是不是想问”。"""

    id: str | None
    score: float
    entry: Entry | None = None
    suggestions: tuple[str, ...] = ()
    ranked: tuple[tuple[str, float], ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        # 排序用的分数不封顶（原话一字不差时可以超过 100）；给人看的置信度封在 0–100。
        object.__setattr__(self, "score", max(0.0, min(100.0, self.score)))

    @property
    def answer(self) -> str | None:
        """答案文本；没答中时为 None。"""
        return self.entry.answer if self.entry else None

    def to_dict(self) -> dict[str, object]:
        """命令行 `ask --json` 的输出格式。"""
        return {
            "id": self.id,
            "score": round(self.score),
            "answer": self.answer,
            "suggestions": list(self.suggestions),
        }


@dataclass(frozen=True)
class PassiveView:
    """旁听判断看到的：第一名（条目下标，分数）、领先多少、像不像问句/诉苦、话题强度、线性判断的信号。"""

    first: tuple[int, float] | None
    lead: float | None  # 没有第一名时为 None
    asking: bool
    shaped: bool
    strength: int
    signals: dict[str, float] | None


class Matcher:
    """知识条目的匹配器：索引找候选，打分，决定答或不答。"""

    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        cache_dir: Path | None = None,
        off_topic: Sequence[str] = (),
    ) -> None:
        """`cache_dir`：建好的索引存在那里，条目没变时下次直接读（见 `index.load_or_build`）。

        `off_topic`：不该接话的群聊例句（knowledge/chatter.yaml），用来学话题判断；为空时只用词表。
        """
        self.index = Index(entries, cache_dir)
        self.corpus = self.index.corpus
        self._off_topic = tuple(off_topic)
        self._cache_dir = cache_dir
        self._last: tuple[str, str | None, Query] | None = None
        self._last_probabilities: tuple[str, dict[str, float]] | None = None
        # 管理员自己加的条目：各群的群条目，和问法很少的全局条目（机器人管理员加的）。
        self._local: dict[str | None, list[int]] = {}
        self._damped_sets: dict[tuple[str | None, int], frozenset[int]] = {}
        offsets = self.corpus.data.text_offsets
        for index, entry in enumerate(self.corpus.entries):
            if entry.scope is not None or offsets[index + 1] - offsets[index] < MODEL_MIN_PHRASINGS:
                self._local.setdefault(entry.scope, []).append(index)

    @classmethod
    def for_knowledge(cls, knowledge: Knowledge, *, cache_dir: Path | None = None) -> Matcher:
        """给一份知识建匹配器：条目 + chatter.yaml 里的闲聊例句。"""
        return cls(knowledge.entries, cache_dir=cache_dir, off_topic=knowledge.chatter)

    @cached_property
    def topic(self) -> TopicModel:
        """学出来的两个模型：话题模型（全局条目的问法 vs 闲聊例句）和条目模型（见 `model`）。

        第一次匹配时才建（条目模型要训练约一秒半；给了 `cache_dir` 时训练结果存在那里）。
        """
        model = TopicModel(self._on_topic(), (prepare(line) for line in self._off_topic))
        labelled = self._learnable()
        if labelled:
            chatter = [prepare(line) for line in self._off_topic]
            model.learned = load_or_train(labelled, chatter, self._cache_dir)
            # 条目模型用拼音特征：字表也在这里（后台预热时）建好或从缓存读出，第一句问话不用等
            pinyin.warm_up(self._cache_dir)
        return model

    def _learnable(self) -> list[tuple[str, list[str]]]:
        """条目模型的训练数据：问法够多的全局条目（发布的条目），每条的全部问法。"""
        corpus, seen = self.corpus, set()
        labelled = []
        for index, entry in enumerate(corpus.entries):
            texts = corpus.phrasings(index)
            if entry.scope is None and len(texts) >= MODEL_MIN_PHRASINGS and entry.id not in seen:
                seen.add(entry.id)
                labelled.append((entry.id, texts))
        return labelled

    @cached_property
    def _model_rows(self) -> tuple[int, ...]:
        """条目模型认得的条目下标：旁听算“领先多少”时它们都是对手（见 `_lead`）。"""
        return tuple(index for rows in self._learned_rows.values() for index in rows)

    @cached_property
    def _learned_rows(self) -> dict[str, list[int]]:
        """条目模型的类别 → 同 id 的条目下标（群里改过的内置条目与原条目共享）。"""
        learned = self.topic.learned
        if learned is None:
            return {}
        wanted = set(learned.classes)
        rows: dict[str, list[int]] = {}
        for index, entry in enumerate(self.corpus.entries):
            if entry.id in wanted:
                rows.setdefault(entry.id, []).append(index)
        return rows

    def _on_topic(self) -> list[str]:
        """话题模型的正例：全局条目预处理后的问法。"""
        corpus = self.corpus
        return [
            text
            for index, scope in enumerate(corpus.scopes)
            if scope is None
            for text in corpus.phrasings(index)
        ]

    def serves(self, knowledge: Knowledge) -> bool:
        """这个匹配器就是为 `knowledge` 建的：条目和闲聊例句都一样（比如只改了群设置）。"""
        return self.entries == knowledge.entries and self._off_topic == tuple(knowledge.chatter)

    def reuse_topic(self, previous: Matcher) -> bool:
        """全局问法和闲聊例句都没变（比如只改了某个群的条目）时沿用 `previous` 建好的话题模型。

        话题模型建一次约 0.1 秒，否则改完条目后的第一句问话要在事件循环里等它。
        """
        built = previous.__dict__.get("topic")
        if built is None or previous._off_topic != self._off_topic:
            return False
        if previous._on_topic() != self._on_topic():
            return False
        if previous._learnable() != self._learnable():
            return False
        self.__dict__["topic"] = built
        return True

    @property
    def entries(self) -> tuple[Entry, ...]:
        """参与匹配的全部条目。"""
        return self.corpus.entries

    def query(self, text: str, scope: str | None = None) -> Query:
        """预处理一条问题（过长的只取开头），带上加分：条目模型的，和本群条目的（见 `LOCAL_POINTS`）。"""
        last = self._last
        if last is not None and last[0] == text and last[1] == scope:
            return last[2]
        query = self.corpus.query(self._rewrite(text[:MAX_QUERY_CHARS]))
        if query.text:
            bonus = self._bonus(self._probabilities(query.text))
            if _LOCAL_CUE_RE.search(query.text):
                own = (*self._local.get(None, ()), *(self._local.get(scope, ()) if scope else ()))
                for index in own:
                    bonus[index] = bonus.get(index, 0.0) + LOCAL_POINTS
            if bonus:
                query = replace(query, bonus=bonus)
            damped = self._damped(query.text, scope)
            if damped:
                query = replace(query, damped=damped)
        self._last = (text, scope, query)
        return query

    def _rewrite(self, text: str) -> str:
        """匹配前改写问题：光秃秃的平台名当“是什么”问，整句拼音猜回汉字（见 `pinyin.PinyinDecoder`）。"""
        return self._decode_pinyin(_bare_term_asks_what(text))

    def _decode_pinyin(self, text: str) -> str:
        """整句打拼音（空格隔开的音节）时猜回汉字，否则原样返回。"""
        if text.count(" ") >= 2 and _ASCII_LETTERS_RE.search(text):
            prepared = prepare(text)
            if pinyin.mostly_pinyin(prepared):
                return self._pinyin_decoder.decode(prepared)
        return text

    @cached_property
    def _pinyin_decoder(self) -> pinyin.PinyinDecoder:
        """整句拼音的解码表：从全局条目的问法学（第一次遇到整句拼音时才建）。"""
        return pinyin.PinyinDecoder(self._on_topic())

    def _damped(self, prepared: str, scope: str | None) -> frozenset[int]:
        """话题强度比问题低的管理员条目（本群的和问法很少的全局条目），见 `corpus.OFF_TOPIC_LOCAL`。"""
        if not self._local:
            return frozenset()
        asked = topic_strength(prepared)
        if asked == 0 or (asked == 1 and _OWN_PLACE_RE.search(prepared)):
            # 只是沾边、又说明了问的是本群本服（“本服充值渠道是哪个”“号被服务器封了”）：照常比分数
            return frozenset()
        own = self._local.get(scope, ()) if scope else ()
        # 没有自己条目的群（绝大多数）共用一份；有自己条目的群各一份，最多留 DAMPED_CACHE 份：
        # 全局的管理员条目可能上万条，每个群存一份会让内存跟着群数涨。
        key = (scope if own else None, asked)
        found = self._damped_sets.get(key)
        if found is None:  # 每个强度（和有自己条目的群）只算一次
            strengths = self._local_strength
            rows = (*self._local.get(None, ()), *own)
            found = frozenset(i for i in rows if strengths[i] < asked)
            if len(self._damped_sets) >= DAMPED_CACHE:
                self._damped_sets.clear()
            self._damped_sets[key] = found
        return found

    @cached_property
    def _local_strength(self) -> dict[int, int]:
        """管理员条目的话题强度：它各句问法里最高的那个。"""
        corpus = self.corpus
        return {
            index: max((topic_strength(t) for t in corpus.phrasings(index)), default=0)
            for rows in self._local.values()
            for index in rows
        }

    def _probabilities(self, prepared: str) -> dict[str, float]:
        """条目模型的概率（同一句话只算一次）；没有条目模型时为空。"""
        last = self._last_probabilities
        if last is not None and last[0] == prepared:
            return last[1]
        learned = self.topic.learned
        found = learned.probabilities(prepared) if learned is not None else {}
        self._last_probabilities = (prepared, found)
        return found

    def _bonus(self, probabilities: dict[str, float]) -> dict[int, float]:
        """条目模型的概率换成加分：P × `MODEL_POINTS`，只给概率不可忽略的几条。"""
        rows = self._learned_rows
        bonus: dict[int, float] = {}
        for entry_id, p in probabilities.items():
            if p >= MODEL_MIN_PROBABILITY:
                for index in rows.get(entry_id, ()):
                    bonus[index] = MODEL_POINTS * p
        return bonus

    def rank(
        self, text: str, limit: int = 5, scope: str | None = None, *, exhaustive: bool = False
    ) -> list[tuple[str, float]]:
        """按置信度排序的（条目 id，置信度）；同 id 只留最高的一个。"""
        entries = self.corpus.entries
        ranking = self._ranking(text, scope, exhaustive)
        return [(entries[i].id, s) for i, s in islice(ranking, limit)]

    def _ranking(self, text: str, scope: str | None, exhaustive: bool = False) -> Ranked:
        """（条目下标，置信度）从高到低，同 id 只给第一个；索引版按需打分（见 `Index.ranking`）。"""
        query = self.query(text, scope)
        if exhaustive:
            scored = rank_exhaustive(self.corpus, query, len(self.corpus.entries), scope)
            return Ranked(iter(scored), self.corpus.entries, scored)
        return Ranked(self.index.ranking(query, scope), self.corpus.entries)

    def _pairs(self, ranked: Iterable[tuple[int, float]]) -> tuple[tuple[str, float], ...]:
        entries = self.corpus.entries
        return tuple((entries[i].id, s) for i, s in ranked)

    def ask(self, text: str, scope: str | None = None) -> MatchResult:
        """被点名提问：最佳条目过低门槛就答，否则给最多 3 个建议。"""
        ranking = self._ranking(text, scope)
        first = next(ranking, None)
        if first is None:
            return MatchResult(None, 0.0)
        bar = self._explicit_bar(text, scope, first[0])
        seen: list[tuple[int, float]] = []  # 判断领先时已经打过分的，给建议时接着用
        if (
            first[1] >= bar
            and (
                len(content(self.query(text, scope).text)) >= MIN_CONTENT_CHARS
                or first[1] >= SHORT_SURE_MIN
            )
            and (
                first[1] - ranking.upper() >= EXPLICIT_TIE_MARGIN  # 上界就够说明领先：不用再打分
                or self._lead(first, _recording(ranking, seen), EXPLICIT_TIE_MARGIN)
                >= EXPLICIT_TIE_MARGIN
            )
        ):
            entry = self.corpus.entries[first[0]]
            return MatchResult(entry.id, first[1], entry, (), self._pairs([first]))
        rest = [*seen, *islice(ranking, max(0, MAX_SUGGESTIONS - 1 - len(seen)))]
        shown = [first, *rest[: MAX_SUGGESTIONS - 1]] if first[1] >= SUGGEST_MIN else []
        pairs = self._pairs(shown)
        suggestions = tuple(i for i, s in pairs if s >= SUGGEST_MIN)
        return MatchResult(None, first[1], None, suggestions, pairs)

    def _explicit_bar(self, text: str, scope: str | None, index: int) -> float:
        """点名回答的门槛：在话题上（或话题模型管不了这条）`EXPLICIT_MIN`；
        词表看不出话题时，条目模型也说不像闲聊才用同一个门槛，否则 `EXPLICIT_OFF_TOPIC_MIN`。
        """
        if not self._topic_judges(index):
            return EXPLICIT_MIN
        prepared = self.query(text, scope).text
        if self.topic.strength(prepared) > 0:
            return EXPLICIT_MIN
        if self._probabilities(prepared).get(NONE, 1.0) < EXPLICIT_CHATTER_MAX:
            return EXPLICIT_MIN
        return EXPLICIT_OFF_TOPIC_MIN

    def passive(self, text: str, scope: str | None = None) -> MatchResult:
        """群聊旁听：没把握就不开口（不给建议）。

        问法多的条目（条目模型认得的）用一个线性判断：匹配分、领先第二名多少、条目模型说“像这条”
        和“像闲聊”的概率、话题词表、像不像问句或诉苦、话题模型是否判为闲聊、句子长短，
        加权求和过 `PASSIVE_DECISION` 才答（权重见 `PASSIVE_WEIGHTS`）。
        其余条目（管理员加的、群里的）话题模型不认得，只在问句和它的原话几乎一样时才答。

        打分（rapidfuzz）是最贵的一步，所以能不打就不打：先用和第一名无关的信号算出第一名至少要多少分，
        所有候选的分数上界都够不着就不开口，第一名也不用打分（闲聊多半在这里结束，见 `_hopeless_below`）；
        “领先多少”要把后面的对手也打分，所以最后才看，而且只看够不够：
        先用其余信号算出开口需要领先多少，对手的分数上界已经落后这么多就不用再打分。
        """
        view, rivals = self._passive_look(text, scope, give_up=True)
        if view.first is None:
            return MatchResult(None, 0.0)
        index, score = view.first
        pairs = self._pairs([view.first])
        if view.signals is not None:
            needed = lead_needed(view.signals)
            decided = needed <= 0 or (
                needed <= LEAD_CAP and self._lead(view.first, rivals, needed, scope) >= needed
            )
        elif not self.topic.enabled:  # 没有闲聊例句：学不出“什么不是问题”，只在很有把握时开口
            decided = (
                view.shaped
                and view.strength == 2
                and score >= PASSIVE_PLAIN_MIN
                and self._lead(view.first, rivals, PASSIVE_OTHER_LEAD, scope) >= PASSIVE_OTHER_LEAD
            )
        else:
            decided = (
                view.asking
                and score >= PASSIVE_OTHER_MIN
                and self._lead(view.first, rivals, PASSIVE_OTHER_LEAD, scope) >= PASSIVE_OTHER_LEAD
            )
        if not decided:
            return MatchResult(None, score, None, (), pairs)
        entry = self.corpus.entries[index]
        return MatchResult(entry.id, score, entry, (), pairs)

    def passive_view(self, text: str, scope: str | None = None) -> PassiveView:
        """旁听判断看到的一切：第一名、领先多少、句子的样子，以及线性判断的各项信号。

        `signals` 只在第一名是条目模型认得的条目、又有闲聊例句时才有（否则走简单规则）。
        bench/calibrate.py 用它在开发集上拟合 `PASSIVE_WEIGHTS`；这里的 `lead` 总是算足（最多 `LEAD_CAP`）。
        """
        view, rivals = self._passive_look(text, scope)
        if view.first is None:
            return view
        lead = self._lead(view.first, rivals, LEAD_CAP, scope)
        signals = None if view.signals is None else {**view.signals, "lead": lead}
        return replace(view, lead=lead, signals=signals)

    def _passive_look(
        self, text: str, scope: str | None, *, give_up: bool = False
    ) -> tuple[PassiveView, Iterator[tuple[int, float]]]:
        """旁听判断除了“领先多少”以外的一切（`lead` 为 None、`signals` 里没有它），和还没看完的排序（对手）。

        `give_up`：第一名的分数不论是哪条都不够开口时（见 `_hopeless_below`），不去算第一名，
        当作没有第一名（`first` 为 None）。旁听只要决定时用它；要看第一名的（评测、拟合权重）不用。
        """
        asking = looks_like_question(text)
        shaped = asking or looks_like_trouble(text)
        nothing: Iterator[tuple[int, float]] = iter(())
        if not shaped and has_link(text):
            # 贴链接（广告、分享、官网地址）不是在提问：那是链接识别的事，旁听不接话。
            return PassiveView(None, None, asking, shaped, 0, None), nothing
        prepared = prepare(self._decode_pinyin(text[:MAX_QUERY_CHARS]))
        topic = self.topic
        off, strength = topic.judge(prepared)
        if off and (not shaped or strength == 0):
            # 话题模型说是闲聊，词表也没看出话题（或者根本不像问句、诉苦）：不必再匹配。
            # 群里大多数像问句的闲聊在这里结束，省下排序和条目模型的开销。
            return PassiveView(None, None, asking, shaped, strength, None), nothing
        ranking = self._ranking(text, scope)
        query = self.query(text, scope)  # 排序刚用过的同一个（有缓存）
        probabilities = self._probabilities(query.text)
        # 和第一名是哪条无关的信号（“领先多少”、匹配分、P(第一名这条) 以外的）
        context = {
            "p_chatter": probabilities.get(NONE, 0.0),
            "strong_topic": float(strength == 2),
            "shaped": float(shaped),
            "off_topic": float(off),
            "length": float(min(len(prepared), MAX_LENGTH_SIGNAL)),
            "asking": float(asking),
            "settled": float(looks_settled(text)),
            "official": float(official_purchase(prepared)),
            "plain_statement": float(not shaped and strength < 2),
        }
        if (
            give_up
            and topic.enabled
            and ranking.below(self._hopeless_below(context, probabilities))
        ):
            # 像问句的闲聊多半在这里结束：不用给第一名打分（rapidfuzz，排序里最贵的一步）。
            return PassiveView(None, None, asking, shaped, strength, None), nothing
        first = next(ranking, None)
        if first is None:
            return PassiveView(None, None, asking, shaped, strength, None), nothing
        index = first[0]
        if not topic.enabled or self.corpus.entries[index].id not in self._learned_rows:
            return PassiveView(first, None, asking, shaped, strength, None), ranking
        signals = {
            # 不含条目模型加分的匹配分；余弦排序时已经算过（内置条目的向量很长，重算要几十微秒）。
            "score": self.corpus.score(replace(query, bonus={}), index, ranking.cosine(index)),
            "p_entry": probabilities.get(self.corpus.entries[index].id, 0.0),
            **context,
        }
        return PassiveView(first, None, asking, shaped, strength, signals), ranking

    def _hopeless_below(self, context: dict[str, float], probabilities: dict[str, float]) -> float:
        """第一名的分数低于这个数时，不论第一名是哪条，旁听都不会开口（`passive` 的两条路都不过）。

        线性判断（问法多的条目）：把不知道的信号都取最有利的值，P(第一名这条) 取条目模型给任何一条的最高概率、
        领先取 `LEAD_CAP`，再看匹配分至少要多少才过 `PASSIVE_DECISION`；判断用的匹配分不含加分，
        不会高于排序的分数。其余条目要 `PASSIVE_OTHER_MIN`。两者取小。
        只在权重的正负和拟合出来的一样时成立（匹配分、领先越高越该开口），否则不放弃（返回负无穷）。
        """
        weights = PASSIVE_WEIGHTS
        if weights["score"] <= 0 or weights["lead"] <= 0:
            return -math.inf
        best_p = max((p for key, p in probabilities.items() if key != NONE), default=0.0)
        best = (
            passive_decision(context)
            + max(weights["p_entry"] * best_p, 0.0)
            + weights["lead"] * LEAD_CAP
        )
        linear = (PASSIVE_DECISION - best) / weights["score"]
        # 浮点加法的顺序和 `passive` 不同，差在最后一位；分数只到 0.1，让出一点点就不会在边界上判得不一样。
        return min(linear, PASSIVE_OTHER_MIN) - ROUNDING_SLACK

    def _lead(
        self,
        first: tuple[int, float],
        rest: Iterator[tuple[int, float]],
        enough: float,
        scope: str | None = None,
    ) -> float:
        """第一名领先最强“对手”多少，但最多算到 `enough`：和第一名互相 related 的条目不算对手。

        对手（还没给出的）的分数上界已经落后 `enough` 就不用再打分，直接给 `enough`。
        最强的对手一定在紧随其后的 len(related) + 1 个不同条目里（related 的都跳过也只有这么多）。
        `rest` 是索引的排序时，条目模型认得的内置条目也都当对手（它们常是第二名，索引按字面挑的
        候选里却不一定有）；它们里有比第一名还高的，领先就是负数。
        """
        if isinstance(rest, Ranked):
            scopes = self.corpus.scopes
            rest.add(i for i in self._model_rows if scopes[i] is None or scopes[i] == scope)
            if first[1] - rest.upper() >= enough:
                return enough
        entries = self.corpus.entries
        top = entries[first[0]]
        for index, score in islice(rest, len(top.related) + 1):
            if first[1] - score >= enough:
                break
            other = entries[index]
            if other.id not in top.related and top.id not in other.related:
                return first[1] - score
        return enough

    def _topic_judges(self, index: int) -> bool:
        """话题模型管得了这个条目：它是全局条目、问法够多（话题模型就是拿这些问法学的）。

        群条目和只有一两句问法的管理员条目讲的常常是别的事（服务器地址、群规），
        “不在卡网话题上”不能成为不答它们的理由。
        """
        corpus = self.corpus
        if corpus.scopes[index] is not None:
            return False
        start, end = corpus.data.text_offsets[index], corpus.data.text_offsets[index + 1]
        return end - start >= TOPIC_MIN_PHRASINGS


# 只发一个卡网的名字（“卡盟？”“發卡網”）就是在问“这是什么”；“代充？”“黑卡？”这类说的是一件事，
# 问的多是它的风险，不改（试过对所有光秃秃的卡网词都这样改：开发集上错得更多）。
_PLATFORM_NAME_RE = re.compile(r"(?:自动)?(?:发卡(?:网|站|平台|网站)?|卡盟|卡网|卡站)")
BARE_TERM_MAX = 12
# 先粗看一眼（省下绝大多数短闲聊的一次预处理）：有“卡”字或字母缩写（km、fkw）才可能是平台名。
_BARE_HINT_RE = re.compile(r"[卡]|[a-z]", re.IGNORECASE)


def _bare_term_asks_what(text: str) -> str:
    """光秃秃一个卡网平台的名字（没有别的字）：当作“X是什么”来匹配。"""
    if len(text) > BARE_TERM_MAX or not _BARE_HINT_RE.search(text):
        return text
    if _PLATFORM_NAME_RE.fullmatch(prepare(text).replace(" ", "")):
        return f"{text} 是什么"
    return text


class Ranked:
    """排序结果的迭代器：同一个 id 只给第一个；`upper()` 是还没给出的条目最高可能的分数。"""

    def __init__(
        self,
        raw: Iterator[tuple[int, float]],
        entries: Sequence[Entry],
        scored: Sequence[tuple[int, float]] | None = None,
    ) -> None:
        """`raw` 是索引的按需排序（有 `upper()`），或者穷举打好分的列表 `scored` 的迭代器。"""
        self.raw = raw
        self.entries = entries
        self.scored = scored
        self.given = 0
        self.seen: set[str] = set()

    def __iter__(self) -> Ranked:
        return self

    def __next__(self) -> tuple[int, float]:
        while True:
            index, score = next(self.raw)
            self.given += 1
            entry_id = self.entries[index].id
            if entry_id not in self.seen:
                self.seen.add(entry_id)
                return index, score

    def add(self, indices: Iterable[int]) -> None:
        """再加几个候选（见 `LazyRanking.add`）；穷举排序里本来就有全部条目，不用加。"""
        if isinstance(self.raw, LazyRanking):
            self.raw.add(indices)

    def cosine(self, index: int) -> float | None:
        """索引排序时算好的条目 `index` 的余弦（穷举排序或不是候选时为 None，要用时自己算）。"""
        return self.raw.cosine(index) if isinstance(self.raw, LazyRanking) else None

    def below(self, limit: float) -> bool:
        """还没给出的条目是不是都低于 `limit`（索引的排序按需收紧上界，见 `LazyRanking.below`）。"""
        if isinstance(self.raw, LazyRanking):
            return self.raw.below(limit)
        return self.upper() < limit

    def upper(self) -> float:
        """还没给出的条目最高可能的分数（没有了为负无穷）。"""
        if self.scored is not None:
            rest = self.scored[self.given :]
            return rest[0][1] if rest else -math.inf
        # 没给 scored 时 raw 就是索引的按需排序。
        assert isinstance(self.raw, LazyRanking)
        return self.raw.upper()


def _recording(
    items: Iterator[tuple[int, float]], seen: list[tuple[int, float]]
) -> Iterator[tuple[int, float]]:
    """原样给出 `items`，同时把给出过的记进 `seen`。"""
    for item in items:
        seen.append(item)
        yield item


def passive_decision(signals: dict[str, float]) -> float:
    """旁听判断的线性打分：`PASSIVE_WEIGHTS` 加权求和再加 `PASSIVE_BIAS`。"""
    return PASSIVE_BIAS + sum(PASSIVE_WEIGHTS[name] * value for name, value in signals.items())


def lead_needed(signals: dict[str, float]) -> float:
    """除了“领先多少”以外的信号都已知（`signals` 里没有 lead）时，要领先多少分线性判断才过 `PASSIVE_DECISION`。"""
    return (PASSIVE_DECISION - passive_decision(signals)) / PASSIVE_WEIGHTS["lead"]

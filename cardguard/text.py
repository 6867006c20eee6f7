"""文本归一化：匹配和链接识别共用的基础处理。

`normalize` 面向问题匹配：NFKC、去不可见字符、繁转简、小写、去标点和口头语。
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# 零宽、方向控制、软连字符等不可见字符；它们常被用来拆开敏感词或网址。
INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U000e0000-\U000e007f\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_PUNCT_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# 汉字和汉字、汉字和字母数字之间的空格（汉字后面跟汉字或 \w，或者 \w 后面跟汉字）。
# 每个汉字区间的字符类 sre 编译时都要逐个标记两万多个字符（约 1.4 毫秒），所以只写三次。
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}]) (?=[\w{_CJK}])|(?<=\w) (?=[{_CJK}])")

# 句首的称呼、寒暄和求助套话：不影响问题的意思，去掉后匹配更准。
_LEADING_FILLER = (
    "请问一下",
    "请问下",
    "请问",
    "问一下",
    "问下",
    "问个问题",
    "问个事",
    "弱弱的问",
    "弱弱地问",
    "想问一下",
    "想问下",
    "想问",
    "有没有大佬知道",
    "有没有大佬",
    "有没有人知道",
    "有人知道",
    "谁知道",
    "大佬们",
    "大佬",
    "兄弟们",
    "兄弟",
    "姐妹们",
    "各位大佬",
    "各位",
    "大家好",
    "大家",
    "群友们",
    "群主",
    "老哥们",
    "老哥",
    "家人们",
    "在吗",
    "在不在",
    "求助",
    "求问",
    "救命",
    "急急急",
    "急",
    "那个",
    "就是",
    "我想问",
    "hello(?![a-z])",
    "hi(?![a-z])",
)


def _filler_pattern(word: str) -> str:
    return word if "(?" in word else re.escape(word)


_FILLER_RE = re.compile(
    "^(?:(?:"
    + "|".join(sorted(map(_filler_pattern, _LEADING_FILLER), key=len, reverse=True))
    + r")\s*)+"
)
# 句尾的语气词和客套话；用一个从尾部往前的循环去掉（正则 `(?:…)+$` 在长文本上是平方级）。
_TRAILING_CHARS = frozenset("啊呀呢吧哈嘛呐哇诶哦噢捏")
_TRAILING_WORDS = ("在线等", "急急急", "谢谢", "谢啦", "求解", "求助", "急")
# 被截断的 emoji 留下的孤立代理字符：OpenCC 等 C 扩展编码时会出错。
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _strip_trailing(text: str) -> str:
    end = len(text)
    while end:
        if text[end - 1] in _TRAILING_CHARS or text[end - 1].isspace():
            end -= 1
            continue
        word = next((w for w in _TRAILING_WORDS if text.endswith(w, 0, end)), None)
        if word is None:
            break
        end -= len(word)
    return text[:end]


@lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    try:
        import opencc
    except ImportError:  # pragma: no cover - 依赖缺失时退化为不转换
        return None
    return opencc.OpenCC("t2s")


# 基本平面里的汉字区（扩展 A、基本区、兼容区）：逐字转一遍就知道哪些字有简体写法。
# 基本平面以外的字（扩展 B 以后的汉字、表情）不在表里：句子里有这样的字就照常转换。
_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """单独转换时会变的汉字（约 4,600 个）。一句话里一个都没有时，整句转换几乎总是不变，不必调用 OpenCC。

    “几乎”：极少数字只在词组里才转换（“瞭然”→“了然”，随机汉字串里约二十万分之一），
    捷径会漏掉它们；知识库、闲聊和全部测试集里一句都没有（tests/core/test_text.py 检查）。
    第一次用到时现算（一次 OpenCC 调用，约 12 毫秒），和当前安装的 OpenCC 词典保持一致。
    """
    converter = _t2s()
    if converter is None:  # pragma: no cover
        return frozenset()
    chars = [chr(c) for start, end in _HAN_RANGES for c in range(start, end)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - 词典把换行也改了：放弃捷径，总是转换
        return frozenset(chars)
    return frozenset(a for a, b in zip(chars, converted, strict=True) if a != b)


@lru_cache(maxsize=1)
def _needs_opencc() -> re.Pattern[str]:
    """一句话里有这些字符之一才值得交给 OpenCC：会变的汉字，或者基本平面以外的字符。

    写成一个字符类：sre 用位图判断，比逐字查集合（每个汉字都要新建一个字符串）快几倍。
    """
    chars = "".join(map(re.escape, sorted(_traditional_chars())))
    return re.compile(f"[{chars}\U00010000-\U0010ffff]")


def to_simplified(text: str) -> str:
    """繁体转简体（OpenCC t2s）；没有繁体字（含纯 ASCII）时直接返回。"""
    if text.isascii() or _needs_opencc().search(text) is None:
        return text
    converter = _t2s()
    return converter.convert(text) if converter else text


def warm_up() -> None:
    """提前建好繁简转换要用的字表（约 25 毫秒），第一条中文消息就不必等它（启动后在后台线程里调用）。"""
    fold("預熱")


def remove_invisible(text: str) -> str:
    """去掉零宽、方向控制和控制字符。"""
    return INVISIBLE_RE.sub("", text)


@lru_cache(maxsize=1)
def _fold_changes() -> re.Pattern[str]:
    """fold 的前四步可能改动的字符：孤立代理字符、不可见字符、会变的汉字、基本平面以外的字符。

    一句话里一个都没有、又已经是 NFKC 时，前四步原样返回，只剩小写（普通闲聊几乎都是这样）。
    """
    return re.compile(f"{_SURROGATE_RE.pattern}|{INVISIBLE_RE.pattern}|{_needs_opencc().pattern}")


@lru_cache(maxsize=8)  # 同一条消息要判断好几次（像不像问句、诉苦、归一化）；不为跨消息缓存
def fold(text: str) -> str:
    """NFKC（全角转半角）+ 去不可见字符 + 繁转简 + 小写。"""
    if _fold_changes().search(text) is None and unicodedata.is_normalized("NFKC", text):
        return text.casefold()
    text = unicodedata.normalize("NFKC", _SURROGATE_RE.sub("\ufffd", text))
    return to_simplified(remove_invisible(text)).casefold()


def normalize(text: str) -> str:
    """匹配用的归一化：fold、标点变空格、合并空白、去掉中文之间的空格。"""
    text = _PUNCT_RE.sub(" ", fold(text))
    text = _SPACE_RE.sub(" ", text).strip()
    return _CJK_GAP_RE.sub("", text)


def strip_filler(normalized: str) -> str:
    """去掉句首称呼/寒暄和句尾语气词；剩下太短时保留原文。"""
    core = _strip_trailing(_FILLER_RE.sub("", normalized)).strip()
    return core if len(core) >= 2 else normalized


def normalize_query(text: str) -> str:
    """用户问题的完整归一化：`normalize` 再 `strip_filler`。"""
    return strip_filler(normalize(text))


_QUESTION_WORDS = (
    *"?？吗么嘛咋怎啥哪谁几",
    *("如何", "为啥", "为什么", "为何", "什么", "能不能", "可不可以", "可以不", "行不行", "是不是"),
    *("有没有", "会不会", "靠谱", "安全不", "真的假的", "真假", "求助", "求问", "求教", "求推荐"),
    *("请问", "谁知道", "有人知道", "救命", "该不该", "要不要", "值不值", "好不好", "对不对"),
    *("能否", "是否", "多少", "多大", "多久", "不会吧"),
)


def _any_word(words: Iterable[str]) -> str:
    """“出现了其中任何一个词”的正则，按首字分组：sre 在每个位置只试首字对得上的那一组。

    单字词合成一个字符类；含有单字词的长词（“谁知道”含“谁”）不影响“有没有出现”，省掉。
    """
    singles = {w for w in words if len(w) == 1}
    groups: dict[str, list[str]] = {}
    for word in words:
        if len(word) > 1 and singles.isdisjoint(word):
            groups.setdefault(word[0], []).append(re.escape(word[1:]))
    parts = [f"[{''.join(map(re.escape, sorted(singles)))}]"] if singles else []
    parts += [f"{re.escape(head)}(?:{'|'.join(tails)})" for head, tails in groups.items()]
    return "|".join(parts)


_QUESTION_RE = re.compile(_any_word(_QUESTION_WORDS) + r"|帮(?:我|忙)?(?:看看|瞅瞅|瞧瞧|查查)")
# 看位置的问法单独放：它们以“任意字”开头，和上面的词放在一个正则里会让正则引擎在每个位置
# 都把几十个选项试一遍；分开后上面那个能按首字快速跳过，这个只在句子里有“不没否呢吧”时才试。
_QUESTION_TAIL_RE = re.compile(
    # 正反问：安不安全、给不给、正不正规、有没有、靠不靠谱
    r"([\u4e00-\u9fff])[不没]\1|"
    # 句末的“…不”“…没”“…没有”“…呢”“…否”：能买不、号有风险没
    r"[^\s不没][不没否呢]\s*$|没有\s*$|"
    # 反问的“…吧”：这是骗局吧、是真的吧
    r"(?:是|骗局|骗子|真的|假的|靠谱)\S{0,3}吧\s*$"
)
_TAIL_HINT = re.compile("[不没否呢吧]")  # 字符类：比逐字查集合快


# 英文（和中英混写）的问句：疑问词、助动词开头的问法、求助语；只按整词认。
_EN_QUESTION_RE = re.compile(
    r"(?<![a-z'])(?:how|what|why|where|which|who|whats|hows|wheres|"
    r"(?:can|could|should|shall|will|would|do|does|did|is|are|am|was|were)"
    r" (?:i|you|we|they|he|she|it|this|that|these|those|there|my|u)|"
    r"any ?(?:one|body|way|idea|tips?)|help|pls|plz|legit|safe to)(?![a-z])"
)
_EN_WORD = re.compile("[a-z]{2}")


# 不是在问的“啥”“什么”“多少”：没啥问题、没什么用、不怎么样。
_NOT_ASKING_RE = re.compile(r"没(?:啥|什么|多少|几)|不(?:怎么|咋)")


def _asks(folded: str) -> bool:
    if "没" in folded or "不" in folded:
        folded = _NOT_ASKING_RE.sub(" ", folded)
    if _QUESTION_RE.search(folded):
        return True
    if _EN_WORD.search(folded) is not None and _EN_QUESTION_RE.search(folded):
        return True
    return _TAIL_HINT.search(folded) is not None and _QUESTION_TAIL_RE.search(folded) is not None


# 网址：scheme:// 或 www. 开头的，和“域名/路径”“a.b.com”这样的裸域名（最后一段是字母）。
# 判断句子样子之前先去掉——网址里的 ? 不是问号，路径里的 order、pay 也不是在诉苦。
_LINK_RE = re.compile(
    # 都只从词首开始试、长度有限的前缀：否则一长串字母会在每个位置重试一遍，变成平方级
    r"(?<![a-z0-9+.-])(?:[a-z][a-z0-9+.-]{0,15}://|www\.)[\x21-\x7e]*"
    r"|(?<![a-z0-9.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?(?:/[\x21-\x7e]*)?(?![a-z0-9])",
    re.ASCII,
)


def has_link(text: str) -> bool:
    """粗判一句话里有没有网址（明写的；“点com”这类伪装交给链接识别）。"""
    return _LINK_RE.search(fold(text)) is not None


def _without_links(folded: str) -> str:
    return _LINK_RE.sub(" ", folded) if "." in folded or ":" in folded else folded


def looks_like_question(text: str) -> bool:
    """粗判一句话是不是在提问（问号、疑问词、求助语）；网址里的字符不算。"""
    return _asks(_without_links(fold(text)))


_TROUBLE_RE = re.compile(
    r"用不了|不能用|没法用|无法(?:使用|兑换|激活|登录|充值|到账)|没到账|未到账|不到账|"
    r"不发货|没发货|未发货|没收到|收不到|没给|没有卡密|无效|失败|过期|不存在|不匹配|"
    r"已被(?:使用|兑换|激活)|被(?:兑|用)过|兑过了|"
    r"打不开|进不去|被骗|骗了|上当|被坑|坑了|被盗|盗了|封号|封了|被封|收回|找不回|"
    r"跑路|跑了|拉黑|不回|消失|失联|激活不了|充不进|兑换不了|冻结|解冻|红信|找回了|泄露|"
    r"催收|找上门|少了一笔|莫名|被扣|扣了|一直(?:显示|卡在|是|在)|处理中|等了|"
    r"被顶|登不上|报错|不退|退不了|"
    # 有人找上门推销、要钱、冒充：这本身就是在求个判断
    r"有人(?:推荐|拉|叫|让|找|私聊|邀请)我|让我(?:交|下载|扫|转|先付)|冒充|"
    r"收到.{0,4}(?:短信|电话)|被.{0,4}冲得|抢光|抢走|很慌|好慌|心动|好难|太难了|后悔|咋回事"
)
# 报错原文和被要求做的事：“提示已失效”“卡号或密码错误”“要我再交…”。单独一个正则：并进上面那个会让
# sre 失去按首字跳过的优化，每条闲聊多花一微秒。
_TROUBLE_MORE_RE = re.compile(
    r"失效|错误|已使用|已被(?:申诉|找回)|被找回|重复扣|被刷|[让要叫]我再?(?:垫|报|输|填|充|付|提供)"
)
# 英文的诉苦：被盗、被骗、码无效、没收到货、不退款。
_EN_TROUBLE_RE = re.compile(
    r"(?<![a-z])(?:hacked|scam|scammed|scammer|stolen|banned|invalid|expired|"
    r"(?:doesn'?t|does not|didn'?t|did not|won'?t|not|never) (?:work|working|arrive|arrived|deliver|"
    r"delivered|received?|got|get|replying|respond)|no (?:code|key|refund|reply|response)|"
    r"already (?:been )?(?:redeemed|activated|used)|refund|locked|lost my)(?![a-z])"
)


def looks_like_trouble(text: str) -> bool:
    """粗判一句话是不是在诉苦求助（“卡密用不了”“付了钱没发货”）；网址里的字符不算。"""
    folded = _without_links(fold(text))
    if _TROUBLE_RE.search(folded) or _TROUBLE_MORE_RE.search(folded):
        return True
    return _EN_WORD.search(folded) is not None and _EN_TROUBLE_RE.search(folded) is not None


# 讲完了的事：回忆（以前、小时候）、已经办完（已经报警了、直接拉黑了、顺便开了设备锁）、
# 说结果好（没啥问题、稳得很、秒到）、只是分享。这样的陈述句多半是群聊，不是在求助。
_SETTLED_RE = re.compile(
    r"以前|小时候|当年|那会儿?|上古|早年|曾经|记得|那时候|"
    r"(?:已经|直接|顺便|刚刚?|终于|早就)\S{0,6}了|"
    r"没(?:啥|什么)?(?:问题|毛病)|稳得很|稳了|放心了|挺好|不错|真香|"
    r"分享一下|就是分享|说说而已|随便说说|哈哈|笑死|绷不住|"
    r"(?<![a-z])(?:lol|lmao|haha|nice|instant|finally|just (?:topped|renewed|bought|got|changed|paid))(?![a-z])"
)


def looks_settled(text: str) -> bool:
    """粗判一句话是不是在讲已经过去、已经办完或结果不错的事（“以前在网吧买点卡”“刚改了密码”）。"""
    return _SETTLED_RE.search(_without_links(fold(text))) is not None

"""标识符：区服、期数、日期、版本号这类“编号”（一区/二区、1号/7号、v1/v2、甲3号、A服）。

编号是区分条目的关键：管理员常加一组只差一个编号的问答（“一区服务器怎么进”“二区服务器怎么进”），
问的编号不对就不是那条。中文数字统一成阿拉伯数字（二区 = 2区），单独的字母编号（A服、甲3号）
照原样；普通的金额、数量（648、300块）也会被认出来，但只有“条目的问法都带着同一个编号”时才要求对上，
所以发布的条目不受影响。
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
# 大写数字（壹贰叁…拾佰）也是数字
_CN_DIGITS |= {"壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_CN_NUM = "零〇一二两三四五六七八九十百壹贰叁肆伍陆柒捌玖拾佰"
# 中文数字后面跟着这些量词/名词时才是编号（“一区”“三期”“第五章”）；“一下”“一直”“三天”不是。
_UNITS = "区服号期楼层章节级届代版轮季组队班栋幢座室场关寸周赛"
# “单元”要两个字都在（“一单”是一笔订单，不是编号）。
_ORDER_RE = re.compile(
    rf"第([{_CN_NUM}]+|\d+)|([{_CN_NUM}]+)(?=[{_UNITS}]|单元)|(首)(?=[期届轮场批])"
)
# 字母数字编号：v1、1.19、648。预处理把“1.19”的点变成了空格，所以数字之间的单个空格也算点。
_ASCII_RE = re.compile(r"[a-z]*\d+(?:[. ]\d+)*[a-z]*")
# 单独一个字母紧挨着汉字的编号：a服、b区。
_LETTER_RE = re.compile(r"(?<![a-z])([a-z])(?=[服区组队班号栋座])")
# 天干加数字也是编号（甲3号、乙1组）：合成一个记号，甲1 与甲3 对不上。
_STEMS_RE = re.compile(r"([甲乙丙丁戊己庚辛壬癸])(\d+|[" + _CN_NUM + r"]+)")


def cn_number(text: str) -> int | None:
    """“十二”“二十”“一百零五”这类中文数字的值；认不出时为 None。"""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char in "十拾":
            total += (current or 1) * 10
            current = 0
        elif char in "百佰":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


# 星期几：周三 = 周3、礼拜天 = 周7，“星期”“礼拜”也写成“周”（“上周一个网址”的“一个”不是）。
_WEEKDAY_RE = re.compile(r"(周|星期|礼拜)([一二三四五六日天])(?![个次些样下直起共定般切])")
_WEEKDAYS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "日": "7", "天": "7"}


def arabic_numbers(prepared: str) -> str:
    """编号里的中文数字换成阿拉伯数字（二十五号 → 25号、第三 → 第3、一服 → 1服、礼拜三 → 周3），
    让“写法不同的同一个编号”在字面上也一样（双字组、相似度都对得上）。“一下”“三天”这类不是编号的不动。
    """
    if _ORDER_HINT_RE.search(prepared) is None:  # 多数句子没有“第”、量词：一次字符类扫描就走
        return prepared
    text = _ORDER_RE.sub(_arabic, prepared)
    if "周" not in text and "星期" not in text and "礼拜" not in text:
        return text
    return _WEEKDAY_RE.sub(lambda m: "周" + _WEEKDAYS[m.group(2)], text)


_ORDER_HINT_RE = re.compile(f"[第首{_UNITS}单星礼]")


def _arabic(match: re.Match[str]) -> str:
    if match.group(3):  # 首期、首届：不是数字，照原样
        return match.group()
    digits = match.group(1) or match.group(2)
    value = cn_number(digits)
    if value is None:
        return match.group()
    return match.group().replace(digits, str(value), 1)


# 字母前缀加数字的编号（s1、v3.4、a2）：问的人常常省掉字母（“1服”就是“S1服”，“3.4”就是“v3.4”）。
_CODE_RE = re.compile(r"([a-z]{1,2})(\d+(?:\.\d+)*)")


def code_core(token: str) -> str | None:
    """字母前缀编号的数字部分（s1 → 1、v3.4 → 3.4）；不是这种编号时为 None。"""
    match = _CODE_RE.fullmatch(token)
    return match.group(2) if match else None


@lru_cache(maxsize=16)  # 同一句话取特征和建查询时各要一次；不为跨消息缓存
def identifiers(prepared: str) -> frozenset[str]:
    """一句（预处理后的）话里的编号，中文数字换成阿拉伯数字：“二区和v1” → {"2", "v1"}。"""
    found: set[str] = set()
    for match in _ORDER_RE.finditer(prepared):
        value = 1 if match.group(3) else cn_number(match.group(1) or match.group(2))
        if value is not None:
            found.add(str(value))
    stems = set()
    for match in _STEMS_RE.finditer(prepared):
        value = cn_number(match.group(2))
        stems.add(f"{match.group(1)}{value}")
        found.discard(str(value))
    for match in _ASCII_RE.finditer(prepared):
        token = match.group().replace(" ", ".")
        if not any(prepared[match.start() - 1 : match.start()] == s[0] for s in stems):
            found.add(token)
    found.update(m.group(1) for m in _LETTER_RE.finditer(prepared))
    return frozenset(found | stems)


# 条目算“带编号”的条件：至少这么多比例的问法都含同一个编号。
SIGNIFICANT_SHARE = 0.5


def entry_identifiers(phrasings: Sequence[str]) -> frozenset[str]:
    """条目的编号：在至少一半问法里都出现的编号（“一区/1区/1服”都给出 1）；发布的条目通常没有。"""
    if not phrasings:
        return frozenset()
    counts: dict[str, int] = {}
    for text in phrasings:
        for token in identifiers(text):
            counts[token] = counts.get(token, 0) + 1
    need = max(1, SIGNIFICANT_SHARE * len(phrasings))
    return frozenset(t for t, n in counts.items() if n >= need)


# 问题里有编号、却和条目的编号一个都对不上：分数乘这个系数（问的是另一个区/另一期）。
MISMATCH = 0.45
# 条目带编号、问题里没有编号：有点含糊（“服务器地址是多少”），稍微降一点，让带编号的条目不抢泛泛的问题。
MISSING = 0.85


# 问题里的编号正是条目的编号：分数乘这个系数。编号是问题里最具体的信息（“我在2服 怎么进公会”
# 问的是 2 服那条，不是泛泛的“怎么拉人进公会”）；只有带编号的条目（几乎都是管理员加的）受影响。
MATCHED = 1.15


def identifier_factor(asked: frozenset[str], own: frozenset[str]) -> float:
    """编号对不对得上给分数的系数：条目不带编号为 1，对上 `MATCHED`，对不上 `MISMATCH`。"""
    if not own:
        return 1.0
    if not asked:
        return MISSING
    return MATCHED if any(_same(a, o) for a in asked for o in own) else MISMATCH


def _same(asked: str, own: str) -> bool:
    """同一个编号：一样；省掉了字母前缀（问 1，条目写 s1；问 3.4，条目写 v3.4）；
    版本号按前缀算（问 1.19.2，条目写 1.19），但光一个整数不算任何版本号的前缀（第3季不是 3.3 版）。
    """
    if asked == own or code_core(own) == asked or code_core(asked) == own:
        return True
    if "." in own and asked.startswith(own + "."):
        return True
    return "." in asked and own.startswith(asked + ".")

"""拼音：同音字、拼音输入当作同一个说法（卡蒙 = 卡盟，kameng = 卡盟，发卡忘 = 发卡网）。

群里打错字多半是同音字（输入法选错了），也有人直接打拼音。匹配特征里另加一组
“相邻两个字的拼音”（不带声调），同音错字和拼音写法就和正确写法共享这些特征。
字到拼音的表来自 pypinyin 随包带的字典 pinyin_dict.json（只取每个字的第一个读音），第一次用到时建好。
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

PREFIX = "py:"
_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff]{2,}")
_ASCII_RUN_RE = re.compile(r"(?<![a-z0-9])[a-z]{4,24}(?![a-z0-9])")
_INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")
_FINALS = [
    "a",
    "o",
    "e",
    "ai",
    "ei",
    "ao",
    "ou",
    "an",
    "en",
    "ang",
    "eng",
    "ong",
    "er",
    "i",
    "ia",
    "ie",
    "iao",
    "iu",
    "ian",
    "in",
    "iang",
    "ing",
    "iong",
    "u",
    "ua",
    "uo",
    "uai",
    "ui",
    "uan",
    "un",
    "uang",
    "v",
    "ve",
    "ue",
    "van",
    "vn",
]


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """常用汉字（GB2312 里的六千多个）→ 不带声调的拼音（第一个读音；ü 写成 v）。

    直接逐行读 pypinyin 随包的 pinyin_dict.json，不导入 pypinyin 包本身：它的 __init__ 会把
    四十万条词组的字典也载进来（约 70 MB 内存），我们只要常用字的读音。
    """
    if _INSTALLED:
        return dict(_INSTALLED)
    table: dict[str, str] = {}
    text = _dict_path().read_text(encoding="utf-8")
    for code, reading in _LINE_RE.findall(text):
        number = int(code)
        if not 0x4E00 <= number <= 0x9FA5:  # GB2312 的汉字都在这一段里
            continue
        char = chr(number)
        if not _common(char):
            continue
        first = unicodedata.normalize("NFKD", reading).replace("u\u0308", "v")
        table[char] = "".join(c for c in first if not unicodedata.combining(c))
    return table


# pinyin_dict.json 每行一个字：  "30431": "méng,mèng",
_LINE_RE = re.compile(r'"(\d+)":\s*"([^",]+)')


def _common(char: str) -> bool:
    """GB2312 里的汉字（打字时输入法给出的几乎都是这些）。"""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _dict_path() -> Path:
    """pypinyin 安装目录里的 pinyin_dict.json（只找位置，不执行包的 __init__）。"""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("需要 pypinyin（pip install pypinyin）")
    return Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """合法的拼音音节（声母 + 韵母的组合，加上零声母的韵母）。"""
    found = set(_FINALS)
    found.update(i + f for i in _INITIALS for f in _FINALS)
    return frozenset(found)


def split_pinyin(word: str) -> list[str] | None:
    """把一串拼音字母切成音节（优先长音节，回溯）；切不完整时为 None（多半是英文单词）。"""
    valid = _syllables()
    memo: dict[int, list[str] | None] = {}

    def from_(start: int) -> list[str] | None:
        if start == len(word):
            return []
        if start in memo:
            return memo[start]
        result = None
        for end in range(min(len(word), start + 6), start, -1):
            piece = word[start:end]
            if piece in valid:
                rest = from_(end)
                if rest is not None:
                    result = [piece, *rest]
                    break
        memo[start] = result
        return result

    return from_(0)


# 一个字一个字打、用空格隔开的整句拼音（fu le qian bu fa huo）：至少这么多个音节连着才算。
_SPACED_RUN_RE = re.compile(r"(?<![a-z0-9])[a-z]{1,6}(?: [a-z]{1,6}){2,}(?![a-z0-9])")
MIN_SPACED_SYLLABLES = 3


def spaced_pinyin(prepared: str) -> list[list[str]]:
    """句子里用空格隔开的拼音段（每段都是合法音节、至少 `MIN_SPACED_SYLLABLES` 个）；英文单词会把段打断。"""
    return [syllables for _, _, syllables in _spaced_spans(prepared)]


def _spaced_spans(prepared: str) -> list[tuple[int, int, list[str]]]:
    """拼音段的（起点，终点，音节）。"""
    spans: list[tuple[int, int, list[str]]] = []
    for match in _SPACED_RUN_RE.finditer(prepared):
        current: list[str] = []
        start = end = match.start()
        for word in re.finditer(r"[a-z]+", match.group()):
            syllables = split_pinyin(word.group())
            if syllables:
                if not current:
                    start = match.start() + word.start()
                current.extend(syllables)
                end = match.start() + word.end()
                continue
            if len(current) >= MIN_SPACED_SYLLABLES:
                spans.append((start, end, current))
            current = []
        if len(current) >= MIN_SPACED_SYLLABLES:
            spans.append((start, end, current))
    return spans


def mostly_pinyin(prepared: str) -> bool:
    """这句话的字母部分几乎都是拼音音节（整句打拼音），不是英文：不要把 ban、fan 当英文词换掉。"""
    words = re.findall(r"[a-z]+", prepared)
    if len(words) < 4:
        return False
    spelled = sum(1 for w in words if split_pinyin(w))
    return spelled >= 0.8 * len(words)


def pinyin_grams(prepared: str) -> list[str]:
    """相邻两个音节组成的特征（py:ka|meng）：汉字按读音，整串拼音字母按音节切开，
    空格隔开的整句拼音按顺序连起来。"""
    table = _table()
    out: list[str] = []
    for match in _CJK_RUN_RE.finditer(prepared):
        sounds = [table.get(c, c) for c in match.group()]
        out.extend(f"{PREFIX}{a}|{b}" for a, b in pairwise(sounds))
    for match in _ASCII_RUN_RE.finditer(prepared):
        syllables = split_pinyin(match.group())
        if syllables and len(syllables) >= 2:
            out.extend(f"{PREFIX}{a}|{b}" for a, b in pairwise(syllables))
    if " " in prepared:
        for run in spaced_pinyin(prepared):
            out.extend(f"{PREFIX}{a}|{b}" for a, b in pairwise(run))
    return out


def warm_up(cache_dir: Path | None = None) -> None:
    """提前建好字表（启动后在后台线程里调用）；给了 `cache_dir` 时字表存在那里，重启时直接读。

    从 pinyin_dict.json 现建约 0.25 秒 CPU，读缓存约 2 毫秒：后台预热和开始监听抢 CPU，省下它启动更快。
    """
    if cache_dir is not None and _table.cache_info().currsize == 0:
        from ..knowledge.cache import DerivedCache, code_version, file_stamp, make_key

        cache = DerivedCache(cache_dir, TABLE_CACHE)
        key = make_key(code_version((sys.modules[__name__],)), file_stamp(_dict_path()))
        found = cache.get(key)
        if isinstance(found, dict) and found:
            _INSTALLED.update(found)
        else:
            cache.put(key, _table())
    _table()
    _syllables()


TABLE_CACHE = "pinyin"
# 从缓存读到的字表（`_table` 第一次调用时直接用它）。
_INSTALLED: dict[str, str] = {}


class PinyinDecoder:
    """把整句拼音猜回汉字（ju bao fa ka wang → 举报发卡网）：用知识里的问法学“这两个音节最常是哪两个字”。

    只认知识里出现过的双字组（领域词几乎都在里面），认不出的音节照原样留着。
    整句打拼音的人不多，第一次遇到时才建表（几千句问法，几十毫秒）。
    """

    def __init__(self, texts: Iterable[str]) -> None:
        table = _table()
        pairs: dict[tuple[str, str], Counter[str]] = {}
        singles: dict[str, Counter[str]] = {}
        for text in texts:
            for match in _CJK_RUN_RE.finditer(text):
                run = match.group()
                for a, b in pairwise(run):
                    key = (table.get(a, ""), table.get(b, ""))
                    if key[0] and key[1]:
                        pairs.setdefault(key, Counter())[a + b] += 1
                for char in run:
                    sound = table.get(char)
                    if sound:
                        singles.setdefault(sound, Counter())[char] += 1
        self.pairs = {k: c.most_common(1)[0][0] for k, c in pairs.items()}
        self.singles = {k: c.most_common(1)[0][0] for k, c in singles.items()}

    def decode(self, prepared: str) -> str:
        """句子里每段空格隔开的拼音换成猜出的汉字；不是整句拼音时原样返回。"""
        if not mostly_pinyin(prepared):
            return prepared
        out = prepared
        for start, end, syllables in reversed(
            _spaced_spans(prepared)
        ):  # 从后往前换，前面的位置不变
            out = out[:start] + self._chars(syllables) + out[end:]
        return out

    def _chars(self, syllables: list[str]) -> str:
        chars: list[str | None] = [None] * len(syllables)
        for i, key in enumerate(pairwise(syllables)):
            pair = self.pairs.get(key)
            if pair is not None:
                chars[i] = chars[i] or pair[0]
                chars[i + 1] = pair[1]
        return "".join(
            c if c is not None else self.singles.get(s, s)
            for c, s in zip(chars, syllables, strict=True)
        )

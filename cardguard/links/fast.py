"""热路径上的预检：一句普通聊天（没有任何像网址的东西）几微秒内判定为“不用扫”。

保证：只要 `scan(text)` 可能提醒，`might_have_link(text)` 就返回 True（有性质测试）。
思路：网址去伪装后一定有 ASCII 字母/数字和一个“点”：. 或 dot，或紧挨字母数字的 。点點丶・· 等，
或括号里的点（【点】、（点））；带协议头“://”的（整数 IP、IPv6）可以没有点。
全角、表情、零宽等不常见字符先做和去伪装相同的 NFKC + 去不可见字符，再判断。
"""

from __future__ import annotations

import re
import unicodedata

from ..text import remove_invisible

# ASCII、中日韩统一表意文字、中文标点和不会变成 ASCII 字母数字/点的全角标点：不用先归一化。
_PLAIN_ONLY = re.compile(
    r"[\x00-\x7f\u4e00-\u9fff\u3001-\u303f\uff01-\uff0d\uff1a-\uff20\uff3b-\uff40\uff5b-\uff5e\u2018-\u201d]*"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ALNUM = re.compile(r"[A-Za-z0-9]")
# 去伪装时会被当成“.”的替身字符（与 deobfuscate 共用）。
DOT_STANDINS = "点點丶。・·‧•∙⋅"
# 括号里的点：半角、全角和中文括号都算（（点）会被 NFKC 变成 (点)，预检不做 NFKC 时也要认）。
OPEN_BRACKETS = "[({<【〔（［｛＜「『〈《"
CLOSE_BRACKETS = "])}>】〕）］｝＞」』〉》"
# 去伪装时当成“字母间表情”去掉的字符（与 deobfuscate 共用）。
EMOJI_CHARS = (
    "\U0001f000-\U0001faff\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2b00-\u2bff"
    "\u3030\u303d\u00a9\u00ae\u2122\u20e3\ufffc"
)
# 表情后面紧跟这些后缀时，表情可能是在代替“.”（kami88🔸top）。
EMOJI_DOT_TLDS = "com|net|org|cn|top|xyz|cc|vip|shop|club|icu|site|online|fun|store|cyou|wang|info"
# “点”的各种替身只在紧挨 ASCII 字母数字（可隔空格）或在括号里时才会被当成“.”（与去伪装一致）。
_DOT_HINT = re.compile(
    rf"\.|dot|[A-Za-z0-9]\s*[{DOT_STANDINS}]|[{DOT_STANDINS}]\s*[A-Za-z0-9]"
    rf"|[{re.escape(OPEN_BRACKETS)}]\s*[。点點]"
    r"|:\s?/\s?/"  # 带协议头的网址可以没有点：http://3232235777/、http://[2001:db8::1]/
    rf"|[A-Za-z0-9] ?[{EMOJI_CHARS}]+ ?(?:{EMOJI_DOT_TLDS})",
    re.I,
)


def might_have_link(text: str) -> bool:
    """便宜的预检：返回 False 时这条文本里一定没有要提醒的网址。"""
    if not text.isascii() and _PLAIN_ONLY.fullmatch(text) is None:
        text = remove_invisible(unicodedata.normalize("NFKC", text))
    elif _CONTROL.search(text):
        text = remove_invisible(text)
    return _ALNUM.search(text) is not None and _DOT_HINT.search(text) is not None

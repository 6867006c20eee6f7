"""匹配特征：中文双字组、英文词、常见口语同义替换。"""

from __future__ import annotations

import re
from functools import lru_cache

from .idents import arabic_numbers, code_core, identifiers
from .pinyin import PREFIX as PINYIN_PREFIX
from .pinyin import mostly_pinyin, pinyin_grams

IDENT_PREFIX = "@"

# 口语、错别字和同义说法统一成一种写法；只收通用的说法，不收针对某条问题的特例。
_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("咋整", "怎么办"),
    ("咋办", "怎么办"),
    ("怎么整", "怎么办"),
    ("怎么搞", "怎么办"),
    ("怎办", "怎么办"),
    ("肿么办", "怎么办"),
    ("咋弄", "怎么办"),
    ("咋回事", "怎么回事"),
    ("咋", "怎么"),
    ("肿么", "怎么"),
    ("啥", "什么"),
    ("神马", "什么"),
    ("企鹅号", "qq号"),
    ("扣扣", "qq"),
    ("木有", "没有"),
    ("没得", "没有"),
    ("冲值", "充值"),
    ("冲钱", "充钱"),
    ("卡蒙", "卡盟"),
    ("卡萌", "卡盟"),
    ("发卡忘", "发卡网"),
    ("发卡王", "发卡网"),
    ("激火码", "激活码"),
    ("激活玛", "激活码"),
    ("激活马", "激活码"),
    ("兑换马", "兑换码"),
    ("卡米", "卡密"),
    ("卡秘", "卡密"),
    ("卡蜜", "卡密"),
    ("发咖", "发卡"),
    ("发咔", "发卡"),
    ("代冲", "代充"),
    ("连结", "链接"),
    ("检举", "举报"),
    ("q币", "qb"),
    ("扣币", "qb"),
    ("俺", "我"),
    ("滴", "的"),
    ("嘛", "吗"),
)
_SYN_RE = re.compile("|".join(re.escape(a) for a, _ in _SYNONYMS))
_SYN_MAP = dict(_SYNONYMS)
_RUN_RE = re.compile(r"[a-z0-9]+|[^\sa-z0-9]+")

# 英文、拼音缩写和夹英文的说法换成中文（整词匹配：unsafe 里的 safe 不换）。
# 群里常见的是夹几个英文词（my qq got hacked、legit 吗）和拼音首字母（zfb、wx）：
# 换成中文后，概念表和问法里的中文说法就都能对上，管理员条目也一样受益。
_ENGLISH: tuple[tuple[str, str], ...] = (
    # 平台与商品
    ("card sites?|card shops?|key sites?|key shops?|auto ?delivery sites?", "发卡网"),
    ("faka|fakawang", "发卡"),
    ("kameng", "卡盟"),
    ("kami", "卡密"),
    ("cd ?keys?|cdkeys?|activation codes?|redeem codes?|redemption codes?", "激活码"),
    ("gift cards?|wallet codes?|wallet cards?|prepaid cards?", "充值卡"),
    ("websites?|sites?|web pages?", "网站"),
    ("sellers?|vendors?|shop owners?", "卖家"),
    ("top ?ups?|topped up|recharges?|recharged", "充值"),
    ("vbucks|v bucks|robux|gems|diamonds|coins|primogems", "点券"),
    ("membership|subscription|premium|vip", "会员"),
    ("accounts?|accs?", "账号"),
    ("passwords?|pwd", "密码"),
    ("verification codes?|sms codes?|otp", "验证码"),
    ("id cards?|id numbers?|personal info(?:rmation)?|personal data", "身份证个人信息"),
    ("info|my data|my details", "个人信息"),
    ("common|usual|typical", "常见"),
    ("bank cards?|credit cards?|debit cards?", "银行卡"),
    ("zfb|alipay", "支付宝"),
    ("wx|vx|wechat|weixin", "微信"),
    ("yhk", "银行卡"),
    ("jhm", "激活码"),
    # 出了什么事
    ("hacked|got hacked|stolen|compromised", "被盗"),
    ("log ?ins?|logged in|sign ?ins?|signed in", "登录"),
    ("another city|other city|different city|unknown device|new device|strange device", "异地"),
    ("recover|get it back|get back|retrieve", "找回"),
    ("scam|scams|scammed|scammer|scammers|fraud|fraudulent|ripped off|cheated", "骗"),
    ("phishing|phished", "钓鱼"),
    ("fake", "假"),
    ("refunds?|refunded|money back|chargeback", "退款"),
    ("paid|pay|paying|payment|payments", "付款"),
    (
        "never delivered|not delivered|nothing delivered|never arrived|didnt arrive|never received|didnt receive|nothing arrived",
        "没发货",
    ),
    ("deliver|delivered|delivery|shipped|ship", "发货"),
    ("blocked me|blocked|ghosted|ignores me|not responding|no reply", "拉黑"),
    (
        "invalid|doesnt work|not working|does not work|wont work|already used|already redeemed|expired|"
        "(?:already |has )?been (?:used|redeemed|activated)",
        "无效",
    ),
    ("banned|ban|suspended", "封号"),
    ("pirated|pirate|cracked|stolen keys?|grey market|gray market", "盗版"),
    ("illegal|against the law|jail|arrested|crime", "违法"),
    ("report|reporting", "举报"),
    ("police|cops", "报警"),
    ("complain|complaint", "投诉"),
    ("regulated|regulation|oversight", "监管"),
    ("reseller|resell|franchise|agent|dropshipping", "代理"),
    ("make money|earn money|side hustle|passive income", "赚钱"),
    ("kids?|child|children|son|daughter", "孩子"),
    ("minors?|underage", "未成年"),
    ("spent", "花了"),
    ("buy|bought|buying|purchased?|order(?:ed)?", "买"),
    ("games?|gaming", "游戏"),
    ("money|cash", "钱"),
    ("cards?", "卡"),
    # 怎么问
    ("legit|trustworthy|reliable|trust", "靠谱"),
    ("is (?:it |this |that )?safe|safe to", "安全吗"),
    ("safe|safely|secure", "安全"),
    ("risky|risks?|dangerous", "风险"),
    ("cheap|cheaper|cheapest|half price|too good to be true|discount", "便宜"),
    ("official|officially", "官方"),
    ("what should i do|what do i do|what can i do|what to do|how to fix|help me", "怎么办"),
    ("what is|whats|what are", "什么是"),
    ("how (?:do|can|should) i|how to", "怎么"),
    ("where (?:can|do|should) i|where to", "哪里"),
)
# 整词：前后都不紧挨字母。“前面不是字母、这里是字母”提到最前面，re 只在英文词的开头才去试这几十个说法
# （每个说法都以字母开头）；否则每个位置都要挨个试一遍，夹英文的一句话约 15 µs。
_ENGLISH_RE = re.compile(
    "(?<![a-z])(?=[a-z])(?:" + "|".join(f"(?:{pattern})(?![a-z])" for pattern, _ in _ENGLISH) + ")"
)
_ENGLISH_PARTS = tuple(re.compile(f"(?:{pattern})") for pattern, _ in _ENGLISH)


def _english(match: re.Match[str]) -> str:
    word = match.group()
    for (_, chinese), part in zip(_ENGLISH, _ENGLISH_PARTS, strict=True):
        if part.fullmatch(word):
            return chinese
    return word  # pragma: no cover - 总有一个整体匹配


def canonical(normalized: str) -> str:
    """把英文、拼音缩写、口语和错字替换成统一写法（输入须已归一化）。"""
    if _ASCII_WORD_RE.search(normalized) and not mostly_pinyin(normalized):
        normalized = _ENGLISH_RE.sub(_english, normalized)
    return arabic_numbers(_SYN_RE.sub(lambda m: _SYN_MAP[m.group()], normalized))


_ASCII_WORD_RE = re.compile("[a-z]{2}")


def grams(text: str) -> list[str]:
    """特征：英文/数字整词，中文连续段的双字组（单字段取单字）。"""
    return list(_grams(text))


@lru_cache(maxsize=16)  # 同一句话的索引特征和模型特征都要它；不为跨消息缓存
def _grams(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for match in _RUN_RE.finditer(text):
        run = match.group()
        if run.isascii() or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tuple(out)


# 概念词类：同一意思的不同说法归到一个概念特征上，让没见过的说法也能对上号。
CONCEPTS: dict[str, tuple[str, ...]] = {
    "#shop": (
        "售卡",
        "卖卡网站",
        "小站",
        "卡站",
        "货源站",
        "主站",
        "商城",
        "发卡网",
        "发卡平台",
        "卡网",
        "卡盟",
        "卡铺",
        "自助下单",
        "发卡",
        "fkw",
        "km",
        "卡密商城",
    ),
    "#code": (
        "卡密",
        "cdk",
        "key",
        "激活码",
        "兑换码",
        "序列号",
        "序号",
        "礼品卡",
        "充值卡",
        "卡号",
    ),
    "#invalid": (
        "无法使用",
        "无法兑换",
        "无法激活",
        "被兑",
        "兑过",
        "不匹配",
        "余额是0",
        "余额为0",
        "提示错误",
        "被激活过",
        "已激活",
        "已使用",
        "无效",
        "用不了",
        "不能用",
        "激活不了",
        "兑换失败",
        "已被使用",
        "被用过",
        "已兑换",
        "过期",
        "错误",
        "不存在",
        "充不进",
        "兑换不了",
        "激活失败",
        "锁区",
    ),
    "#nodeliver": (
        "处理中",
        "待处理",
        "没反应",
        "没动静",
        "没给卡密",
        "没有卡密",
        "卡单",
        "一直等",
        "系统维护",
        "等了",
        "不发货",
        "没发货",
        "未发货",
        "没收到",
        "没到账",
        "未到账",
        "不到账",
        "待发货",
        "没给",
    ),
    "#runaway": (
        "联系不上",
        "删了我",
        "删好友",
        "人没了",
        "不见了",
        "人消失",
        "跑路",
        "跑了",
        "失联",
        "打不开",
        "关站",
        "拉黑",
        "不回",
        "消失",
        "找不到人",
        "网站没了",
    ),
    "#cheap": (
        "骨折价",
        "打折",
        "便宜到",
        "几块钱",
        "只要",
        "只卖",
        "才卖",
        "便宜",
        "低价",
        "半价",
        "折",
        "白菜价",
        "全网最低",
        "特价",
        "骨折",
    ),
    "#illegal": (
        "违规",
        "洗钱",
        "跑分",
        "过流水",
        "租卡",
        "出租",
        "出借",
        "违法",
        "犯法",
        "犯罪",
        "坐牢",
        "被抓",
        "判刑",
        "警察",
        "帮信",
        "刑事",
        "法律责任",
    ),
    "#law": (
        "证照",
        "营业执照",
        "备案",
        "机构",
        "部门",
        "有人管",
        "监管",
        "法律",
        "法规",
        "规定",
        "资质",
        "许可证",
        "执照",
        "管理部门",
        "谁管",
        "没人管",
    ),
    "#report": (
        "派出所",
        "网警",
        "立案",
        "公安",
        "举报",
        "报警",
        "报案",
        "投诉",
        "维权",
        "110",
        "12321",
        "12315",
        "96110",
        "反诈",
    ),
    "#ban": (
        "封机",
        "清零",
        "扣回",
        "封号",
        "封禁",
        "被封",
        "红信",
        "冻结",
        "回收",
        "追缴",
        "封了",
    ),
    "#recharge": ("代充", "充值", "充钱", "qb", "点券", "钻石", "会员", "vip", "点卡", "月卡"),
    "#pirate": (
        "mak",
        "批量激活",
        "黑号",
        "盗来的",
        "盗刷的",
        "盗版",
        "破解",
        "未授权",
        "黑key",
        "来路不明",
        "侵权",
        "共享号",
        "盗刷",
    ),
    "#personal": (
        "邮箱",
        "资料",
        "手持",
        "住址",
        "身份证",
        "实名",
        "手机号",
        "个人信息",
        "真名",
        "隐私",
        "住址",
        "sfz",
    ),
    "#leak": (
        "流出",
        "被黑",
        "撞库",
        "催收",
        "诈骗电话",
        "骚扰电话",
        "泄露",
        "泄漏",
        "被卖",
        "骚扰",
        "曝光",
    ),
    "#pay": (
        "花呗",
        "信用卡",
        "云闪付",
        "扣款",
        "扣钱",
        "少了一笔",
        "付款",
        "支付",
        "付钱",
        "转账",
        "扫码",
        "收款码",
        "个人码",
        "银行卡",
        "微信",
        "支付宝",
    ),
    "#account": (
        "改绑",
        "陌生设备",
        "登录提醒",
        "顶号",
        "账号",
        "帐号",
        "号",
        "密码",
        "登录",
        "登陆",
        "异地",
        "被盗",
        "盗号",
        "找回",
        "二次验证",
    ),
    "#official": ("官方", "官网", "正规", "正版", "旗舰店", "官方渠道", "腾讯充值"),
    "#agent": (
        "睡后收入",
        "月入",
        "站长",
        "返佣",
        "囤货",
        "副业",
        "兼职",
        "赚钱",
        "创业",
        "代理",
        "分站",
        "加盟",
        "开店",
        "躺赚",
        "招商",
        "搭建",
        "开个",
    ),
    "#what": ("是什么", "是啥", "什么意思", "啥意思", "原理", "怎么运作", "什么东西"),
    "#safe": (
        "放心",
        "可靠",
        "警惕",
        "正常吗",
        "安全",
        "靠谱",
        "可信",
        "能信",
        "正规吗",
        "风险",
        "危险",
        "隐患",
    ),
    "#fraud": ("骗", "诈骗", "骗子", "坑", "套路", "骗纸"),
    "#store": ("实体店", "报刊亭", "网吧", "小卖部", "线下", "传统", "店主", "生意"),
    "#bot": ("机器人", "bot", "助手", "指令", "命令", "菜单", "帮助", "help", "怎么用你"),
    # 通用的问法（不分话题）：问时间、地点、怎么进、要地址、要下载、问规矩、问价、问找谁、忘了。
    # 管理员的条目（服务器地址、活动时间、群规……）和发布的条目一样靠它们认出换了说法的问题。
    "#when": (
        "几点",
        "什么时候",
        "何时",
        "哪天",
        "啥时候",
        "开放时间",
        "营业时间",
        "几号",
    ),
    "#howlong": ("多久", "多长时间", "几天", "多少天", "最长", "期限", "天数", "最多能"),
    "#deposit": ("押金", "压金", "抵押"),
    "#guild": ("公会", "帮会", "工会", "战队"),
    "#quit": ("退会", "退出", "退公会", "退帮会", "退群"),
    "#where": ("在哪", "哪里", "哪儿", "去哪", "从哪", "哪下", "哪找", "何处"),
    "#enter": ("怎么进", "进不去", "怎么连", "连不上", "怎么加入", "如何进入", "怎么上", "进不了"),
    "#address": ("地址", "ip", "网址", "入口", "域名"),
    "#download": ("下载", "安装包"),
    "#rule": ("规矩", "规则", "群规", "守则"),
    "#price": ("多少钱", "价格", "几块", "什么价", "价钱"),
    "#who": ("找谁", "是谁", "哪位", "联系谁", "都有谁", "有谁", "负责人", "管事"),
    "#nickname": ("群名片", "群昵称", "昵称", "改名", "备注名", "马甲"),
    "#voice": ("语音", "yy", "kook", "频道", "连麦", "上麦"),
    "#pc": ("电脑", "pc", "模拟器", "电脑版", "端游", "笔记本"),
    "#join": ("入会", "进公会", "加公会", "入群", "进群", "入团"),
    "#forgot": ("忘了", "忘记", "不记得", "记不得", "记不清"),
    "#lag": ("卡顿", "掉帧", "延迟", "卡成ppt", "很卡", "好卡", "帧数", "ping"),
}
# 通用问法的概念：不说明话题（话题判断不数它们）。
GENERIC_CONCEPTS = frozenset(
    {
        "#when",
        "#where",
        "#enter",
        "#address",
        "#download",
        "#rule",
        "#price",
        "#who",
        "#forgot",
        "#lag",
        "#howlong",
        "#nickname",
        "#voice",
        "#pc",
        "#join",
        "#deposit",
        "#guild",
        "#quit",
    }
)


def _term_pattern(term: str) -> str:
    """英文/字母数字的概念词要整词出现（publickey 里的 key、ship 里的 ip 都不算）。"""
    escaped = re.escape(term)
    return f"(?<![a-z]){escaped}(?![a-z])" if term.isascii() else escaped


_CONCEPT_TERMS = {t for ts in CONCEPTS.values() for t in ts}
# 先看这个位置的字能不能是某个词的头一个字，再挨个试几百个词（长的先试）：re 不会自己这样筛，
# 每个位置都把全部的词试一遍，一句闲聊要约 10 µs；筛过以后约 4 µs，匹配结果不变（只跳过不可能对上的位置）。
# 写成前缀树（abcd|ab → ab(?:cd|)）还能再省约 2 µs，但要多三十行解释为什么结果一样，没有采用。
_CONCEPT_RE = re.compile(
    "(?=["
    + re.escape("".join(sorted({t[0] for t in _CONCEPT_TERMS})))
    + "])(?:"
    + "|".join(_term_pattern(t) for t in sorted(_CONCEPT_TERMS, key=len, reverse=True))
    + ")"
)
_TERM_CONCEPT = {t: c for c, ts in CONCEPTS.items() for t in ts}


# 概念特征相对字组的权重：一个概念代表一类说法（“违法/犯法/坐牢”），比碰巧相同的字组更能说明问的是什么。
# 条目少时领域词（卡盟、买东西）几乎每条都有、IDF≈0，字组就足以分开条目；知识变多以后领域词的 IDF
# 也变大，问的是哪个方面（违法？安全？）容易被淹没，这点额外权重把它拉回来。
# 1.25：知识量 24 条到 100k 条、全部标注题上都不比 1 差；≥1.4 时多出一次旁听误触发（数字见 bench/README）。
CONCEPT_WEIGHT = 1.25


# 拼音特征（同音字、拼音输入）的权重：只是旁证，不能压过字面上的字组。
PINYIN_WEIGHT = 0.5
USE_PINYIN = True


def feature_weight(feature: str) -> float:
    """特征的额外权重（乘在 IDF 上）：概念特征 `CONCEPT_WEIGHT`，拼音特征 `PINYIN_WEIGHT`，其余为 1。"""
    if feature.startswith("#"):
        return CONCEPT_WEIGHT
    if feature.startswith(PINYIN_PREFIX):
        return PINYIN_WEIGHT
    return 1.0


def concepts(text: str) -> list[str]:
    """文本里出现的概念特征（如 #illegal），输入须已预处理。"""
    return list(_concepts(text))


@lru_cache(maxsize=16)  # 同一句话的索引特征、模型特征和话题判断都要它；不为跨消息缓存
def _concepts(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_TERM_CONCEPT[m.group()] for m in _CONCEPT_RE.finditer(text)))


def features(text: str) -> list[str]:
    """索引（TF-IDF）用的特征：双字组与英文词、中文单字、概念特征、编号。"""
    singles = [c for c in text if c > "\u2e7f"]
    # 编号（二区 = 2区、第一期 = 1期）换成统一写法的特征，写法不同的同一个编号也对得上
    # 字母前缀的编号（s1、v3.4）再给一个只有数字的特征：省掉字母的问法（“1服”）也找得到它
    numbers = [f"{IDENT_PREFIX}{token}" for token in identifiers(text)]
    numbers += [
        f"{IDENT_PREFIX}{core}" for token in identifiers(text) if (core := code_core(token))
    ]
    return [*grams(text), *singles, *concepts(text), *numbers]


def model_features(text: str) -> list[str]:
    """条目模型用的特征：双字组与英文词、概念、拼音（同音错字、打拼音也对得上）。

    拼音只给条目模型：它学得出哪些拼音组合有用；放进索引反而让每次查询多走一倍的倒排表（慢三成），
    在同音错字上的帮助也小得多（1,004 道各换一个同音字的开发题：只放索引多答对 5 道，放进模型 12–18 道）。
    """
    sounds = pinyin_grams(text) if USE_PINYIN else []
    return [*grams(text), *concepts(text), *sounds]


# 不带内容的字词：疑问词、语气词、指代词、“怎么办”这类套话。去掉它们以后不剩两个字的问题
# （“怎么办”“这个咋弄”）说不出问的是什么，点名时给建议而不是猜一条。
_EMPTY_WORDS_RE = re.compile(
    "怎么办|怎么回事|怎么样|怎么|什么|为什么|如何|哪个|哪些|哪里|请问|求助|有没有|是不是|能不能|可以吗|"
    "这个|那个|这种|那种|这样|那样|一下|大家|我们|你们|他们|我的|你的|"
    "[吗呢吧啊呀哦嗯么了的是我你他她它这那个一有在就都也还要会能咋啥嘛哈]"
)


def content(prepared: str) -> str:
    """去掉疑问词、语气词和指代词后剩下的字（输入须已预处理）。"""
    return _EMPTY_WORDS_RE.sub("", prepared).replace(" ", "")

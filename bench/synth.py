"""合成知识：按固定种子生成像真实提问的中文条目（每条 3 种问法），加在真实条目之后。

词表刻意共享常见字组（怎么、为什么、手机、账号、游戏……），让倒排索引面对和真实问题
一样的高频特征；话题（画质、闪退、改名、存档……）避开真实知识库的卡网/支付/骗局主题，
这样合成条目是“噪声”而不是更好的答案，不会合理地抢走开发集的答案。
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from cardguard.knowledge import FAQ_FILE, RISK_FILE, Entry, default_knowledge_dir, load_knowledge
from cardguard.knowledge.yamlio import dump_yaml, write_atomic

SEED = 20240601

BRANDS = (
    "王者荣耀",
    "原神",
    "和平精英",
    "英雄联盟",
    "我的世界",
    "蛋仔派对",
    "第五人格",
    "崩坏星穹铁道",
    "明日方舟",
    "阴阳师",
    "光遇",
    "金铲铲",
    "永劫无间",
    "穿越火线",
    "逆水寒",
    "梦幻西游",
    "火影忍者",
    "球球大作战",
    "香肠派对",
    "迷你世界",
    "部落冲突",
    "皇室战争",
    "绝区零",
    "鸣潮",
    "无畏契约",
    "守望先锋",
    "炉石传说",
    "魔兽世界",
    "地下城与勇士",
    "剑网三",
    "天涯明月刀",
    "星露谷物语",
    "泰拉瑞亚",
    "饥荒",
    "糖豆人",
    "植物大战僵尸",
    "开心消消乐",
    "QQ飞车",
    "QQ音乐",
    "网易云音乐",
    "哔哩哔哩",
    "抖音",
    "快手",
    "微信",
    "钉钉",
    "腾讯视频",
    "爱奇艺",
    "优酷",
    "芒果TV",
    "百度网盘",
    "WPS",
    "Photoshop",
    "剪映",
    "Steam",
    "Epic",
    "Switch",
    "PS5",
    "Xbox",
    "iPad",
    "MacBook",
    "小米手机",
    "华为手机",
    "荣耀手机",
    "OPPO",
    "vivo",
    "一加",
    "红米",
    "联想拯救者",
    "机械键盘",
    "蓝牙耳机",
    "智能手表",
    "路由器",
    "显示器",
)
ITEMS = (
    "",
    "客户端",
    "手机版",
    "电脑版",
    "国际服",
    "测试服",
    "新版本",
    "老版本",
    "账号",
    "存档",
    "好友列表",
    "背包",
    "设置",
    "画面",
    "声音",
    "语音",
    "聊天框",
    "地图",
    "任务",
    "成就",
    "排行榜",
    "公会",
    "队伍",
    "皮肤界面",
    "商城页面",
    "活动页面",
    "个人主页",
    "相册",
    "通知",
)
PROBLEMS = (
    ("闪退", "一直闪退"),
    ("卡在加载界面", "进不去加载页"),
    ("画质模糊", "画面糊"),
    ("帧数低", "掉帧严重"),
    ("发热严重", "烫得厉害"),
    ("耗电快", "特别费电"),
    ("没有声音", "声音没了"),
    ("麦克风没声音", "队友听不到我说话"),
    ("延迟高", "网络延迟大"),
    ("更新失败", "更新不了"),
    ("安装包损坏", "装不上"),
    ("内存不够", "存储空间不足"),
    ("改名", "修改昵称"),
    ("换头像", "头像改不了"),
    ("删除好友", "好友删不掉"),
    ("存档丢失", "进度没了"),
    ("同步不了", "云同步失败"),
    ("字体太小", "字看不清"),
    ("切换语言", "改成中文"),
    ("开启夜间模式", "调暗色主题"),
    ("关闭推送", "通知太多"),
    ("设置按键", "改键位"),
    ("手柄连不上", "手柄没反应"),
    ("黑屏", "屏幕一黑"),
    ("花屏", "画面撕裂"),
    ("分辨率不对", "显示比例不对"),
    ("全屏", "窗口化"),
    ("自动更新", "关掉自动更新"),
    ("下载速度慢", "下载很慢"),
    ("找不到入口", "入口在哪"),
    ("任务做不了", "任务卡住不动"),
    ("地图打不开", "地图加载不出来"),
    ("组队匹配慢", "排不到人"),
    ("新手教程", "新手怎么入门"),
    ("快捷键", "快捷方式"),
    ("截图保存", "截图存在哪"),
    ("录屏", "录视频"),
    ("外接显示器", "接第二块屏幕"),
    ("蓝牙配对", "配对不上"),
    ("恢复出厂设置", "重置系统"),
    ("清理缓存", "缓存太大"),
    ("备份聊天记录", "迁移记录"),
    ("兼容模式", "老系统能不能玩"),
    ("后台运行", "切出去就断"),
    ("字幕不同步", "字幕对不上"),
    ("倍速播放", "调播放速度"),
    ("横屏", "竖屏切换"),
    ("画中画", "小窗播放"),
)
PLACES = (
    "安卓",
    "苹果",
    "鸿蒙",
    "Windows",
    "Mac",
    "平板",
    "模拟器",
    "笔记本",
    "台式机",
    "网页端",
    "小程序",
    "云游戏",
    "老手机",
    "新手机",
    "校园网",
    "宿舍",
    "流量下",
    "WiFi下",
)
TEMPLATES = (
    "{brand}{item}{problem}怎么办",
    "{place}上{brand}{item}{problem}是什么原因",
    "为什么{brand}{item}在{place}{alt}",
    "{brand}{item}{alt}怎么解决",
    "{place}的{brand}{item}{problem}有办法吗",
    "{brand}{item}老是{alt}咋整",
    "{brand}在{place}{problem}怎么设置",
    "{brand}{item}{problem}要怎么弄",
    "用{place}玩{brand}{alt}正常吗",
    "{brand}{item}{problem}的教程",
)
ANSWER_HEAD = "先重启并更新到最新版本"
ANSWER = (
    "{brand}{item}在{place}{problem}："
    + ANSWER_HEAD
    + "，再检查设置和存储空间；仍不行请联系官方客服。"
)


def synthetic_entries(count: int, seed: int = SEED) -> list[Entry]:
    """生成 `count` 条互不重复的合成条目（确定性：同样的参数总得到同样的条目）。"""
    rng = random.Random(seed)
    seen: set[tuple[int, int, int, int]] = set()
    entries: list[Entry] = []
    while len(entries) < count:
        key = (
            rng.randrange(len(BRANDS)),
            rng.randrange(len(ITEMS)),
            rng.randrange(len(PROBLEMS)),
            rng.randrange(len(PLACES)),
        )
        if key in seen:
            continue
        seen.add(key)
        entries.append(_entry(len(entries), key, rng))
    return entries


def _entry(number: int, key: tuple[int, int, int, int], rng: random.Random) -> Entry:
    brand, item = BRANDS[key[0]], ITEMS[key[1]]
    problem, alt = PROBLEMS[key[2]]
    slots = {"brand": brand, "item": item, "problem": problem, "alt": alt, "place": PLACES[key[3]]}
    first, second, third = rng.sample(TEMPLATES, 3)
    return Entry(
        id=f"synth-{number:06d}",
        question=first.format(**slots),
        aliases=(second.format(**slots), third.format(**slots)),
        answer=ANSWER.format(**slots),
        tags=("合成",),
    )


def sized_entries(real: Sequence[Entry], total: int, seed: int = SEED) -> list[Entry]:
    """真实条目加上合成条目，共 `total` 条（不足真实条目数时只取真实条目）。"""
    extra = max(0, total - len(real))
    return [*real, *synthetic_entries(extra, seed)]


def real_entries(directory: Path | None = None) -> tuple[Entry, ...]:
    """随程序发布的真实知识条目。"""
    return load_knowledge(directory).entries


def _plain(entry: Entry) -> dict[str, object]:
    data = entry.model_dump(exclude_defaults=True, exclude={"kind"})
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def write_knowledge_dir(
    entries: Sequence[Entry], directory: Path, others_from: Path | None = None
) -> Path:
    """把条目写成一个知识目录（faq.yaml + risks.yaml），供加载耗时和大知识下的 bot.py 测量。

    其余文件（domains.yaml、chatter.yaml……）从 `others_from`（默认随程序发布的 knowledge/）
    原样复制过来，这样它和真实的知识目录一样完整。
    """
    directory.mkdir(parents=True, exist_ok=True)
    source = others_from if others_from is not None else default_knowledge_dir()
    for path in sorted(source.glob("*.yaml")):
        if path.name not in (FAQ_FILE, RISK_FILE):
            shutil.copyfile(path, directory / path.name)
    faqs = [_plain(e) for e in entries if e.kind == "faq"]
    risks = [_plain(e) for e in entries if e.kind == "risk"]
    write_atomic(directory / FAQ_FILE, dump_yaml({"entries": faqs}))
    if risks:
        write_atomic(directory / RISK_FILE, dump_yaml({"entries": risks}))
    return directory


def iter_phrasings(entries: Sequence[Entry]) -> Iterator[tuple[str, str]]:
    """（条目 id，问法）对，按条目顺序。"""
    for entry in entries:
        for text in entry.phrasings:
            yield entry.id, text

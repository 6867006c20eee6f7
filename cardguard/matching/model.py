"""学出来的条目模型：问法多的条目（发布的条目）+“闲聊”一类上的多类逻辑回归。

特征和索引一样（双字组、单字、英文词、概念），按 sublinear tf·idf 加权、归一化；
训练数据是条目的问法（每条一类）和 chatter.yaml 的闲聊（“不是问题”一类）。
它给出 P(条目 | 问题) 和 P(闲聊 | 问题)：
- 排序时给问法多的条目加上 `Corpus` 打分之外的一点证据（见 `Matcher`）：TF-IDF 质心把
  一条的全部问法平均了，逻辑回归学的是“哪些特征把这条和别的条分开”，两者合起来在
  没见过的问法上比各自都准（开发集上测过，见 bench/README.md）；
- 旁听时 P(闲聊) 是“这句话像不像群聊”的又一个判断。

纯 Python 的随机梯度下降（每类一个权重，按特征存成短数组），几千句问法训练一次约几秒：
在后台预热里建、存进缓存目录，同一个进程里训练数据相同就只训练一次。
"""

from __future__ import annotations

import hashlib
import math
import random
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import add, mul, sub
from pathlib import Path

from ..knowledge.cache import DerivedCache, code_version, make_key
from .features import model_features

NONE = "#none"


# 训练轮数、学习率、L2 正则（相当于 sklearn 的 C≈10）。
EPOCHS = 6
LEARNING_RATE = 0.5
L2 = 3e-5
SEED = 20261207
DENSE_UPDATE = 6


@dataclass(slots=True)
class EntryModel:
    """训练好的模型：类别（条目 id 与 `NONE`）、特征编号、特征的 idf，和每个特征对每类的权重（已乘 idf）。

    权重先乘好 idf：问题里绝大多数特征只出现一次，打分时只剩加法。全部权重存在一个单精度数组里
    （特征 k 的权重在 `rows[k*类数 : (k+1)*类数]`），省内存，缓存读起来也快（一块字节，不是几万个小对象）。
    """

    classes: tuple[str, ...]
    numbers: dict[str, int]
    idf: array[float]
    rows: array[float]
    bias: list[float]

    def probabilities(self, prepared: str) -> dict[str, float]:
        """每一类的概率（和为 1）。"""
        numbers, idf, flat = self.numbers, self.idf, self.rows
        width = len(self.bias)
        rows: list[Sequence[float]] = [(0.0,) * width]
        squares = 0.0
        for feature, n in Counter(model_features(prepared)).items():
            k = numbers.get(feature)
            if k is None:
                continue
            row = flat[k * width : (k + 1) * width]
            if n == 1:
                rows.append(row)
                squares += idf[k] ** 2
            else:
                tf = 1.0 + math.log(n)
                rows.append(tuple(map(mul, row, repeat(tf))))
                squares += (tf * idf[k]) ** 2
        norm = math.sqrt(squares) or 1.0
        # 按列求和（zip 把各行转成各类的一列，sum 在 C 里加）：比逐行做向量加法快一倍
        z = [
            b + total / norm
            for b, total in zip(self.bias, map(sum, zip(*rows, strict=True)), strict=True)
        ]
        top = max(z)
        exp = [math.exp(v - top) for v in z]
        total = sum(exp)
        return {label: e / total for label, e in zip(self.classes, exp, strict=True)}


def _vector(counts: Counter[str], idf: dict[str, float]) -> list[tuple[str, float]]:
    """训练样本的特征向量（sublinear tf·idf，单位长度）。"""
    raw = [(f, (1.0 + math.log(n)) * idf[f]) for f, n in counts.items() if f in idf]
    norm = math.sqrt(sum(v * v for _, v in raw)) or 1.0
    return [(f, v / norm) for f, v in raw]


def training_digest(labelled: Sequence[tuple[str, Sequence[str]]], chatter: Sequence[str]) -> str:
    """训练数据的摘要（类别、每类的句子、闲聊，按顺序）：缓存和进程内复用的键。"""
    digest = hashlib.blake2b(digest_size=20)
    for label, texts in labelled:
        digest.update(f"{len(label)}:{label}".encode())
        digest.update("".join(f"{len(t)}:{t}" for t in texts).encode())
        digest.update(b"\n")
    digest.update("".join(f"{len(t)}:{t}" for t in chatter).encode())
    return digest.hexdigest()


def train(labelled: Sequence[tuple[str, Sequence[str]]], chatter: Iterable[str]) -> EntryModel:
    """训练：`labelled` 是（条目 id，预处理后的问法）；`chatter` 是预处理后的闲聊（`NONE` 类）。"""
    examples: list[tuple[int, Counter[str]]] = []
    classes = [label for label, _ in labelled]
    for c, (_, texts) in enumerate(labelled):
        examples.extend((c, Counter(model_features(t))) for t in texts)
    negatives = [Counter(model_features(t)) for t in chatter]
    if negatives:  # 没有闲聊例句就没有“闲聊”这一类
        examples.extend((len(classes), counts) for counts in negatives)
        classes.append(NONE)
    del negatives
    df: Counter[str] = Counter()
    for _, counts in examples:
        df.update(counts.keys())
    total = len(examples)
    idf = {f: math.log((1.0 + total) / (1.0 + n)) + 1.0 for f, n in df.items()}
    del df
    data = [(c, _packed(_vector(counts, idf))) for c, counts in examples]
    del examples  # 训练时的内存峰值：只留紧凑的样本
    rows, bias = _sgd(data, len(classes), idf)
    numbers = {f: k for k, f in enumerate(rows)}
    flat = array("f")
    for row in rows.values():
        flat.extend(row)
    return EntryModel(tuple(classes), numbers, array("f", (idf[f] for f in rows)), flat, bias)


Sample = tuple[int, tuple[tuple[str, ...], "array[float]"]]


def _packed(vector: list[tuple[str, float]]) -> tuple[tuple[str, ...], array[float]]:
    """（特征，值）列表存成一个特征元组加一个双精度数组：几千个样本时省下十几 MB。"""
    return tuple(f for f, _ in vector), array("d", (v for _, v in vector))


def _sgd(
    data: list[Sample], n: int, idf: dict[str, float]
) -> tuple[dict[str, array[float]], list[float]]:
    """多类逻辑回归的随机梯度下降；L2 用一个全局缩放系数懒惰地施加（只动出现的特征）。

    返回的权重已乘 idf（见 `EntryModel`）。训练中每个特征的权重是一个双精度数组（不为每个数建对象）。
    """
    rows = {f: array("d", bytes(8 * n)) for f in idf}
    bias = [0.0] * n
    scale = 1.0
    rng = random.Random(SEED)
    order = list(range(len(data)))
    step = 0
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for k in order:
            label, (feats, values) = data[k]
            rate = LEARNING_RATE / (1.0 + LEARNING_RATE * L2 * step)
            step += 1
            z = bias
            for feature, value in zip(feats, values, strict=True):
                z = list(map(add, z, map(mul, rows[feature], repeat(value * scale))))
            top = max(z)
            exp = [math.exp(v - top) for v in z]
            total = sum(exp)
            grad = [e / total for e in exp]
            grad[label] -= 1.0
            scale *= 1.0 - rate * L2
            push = rate / scale
            active = [(c, g) for c, g in enumerate(grad) if not -1e-4 < g < 1e-4]
            for c, g in active:
                bias[c] -= rate * g
            if len(active) > DENSE_UPDATE:  # 多数类都要改：整行一起改（C 里循环）更快
                for feature, value in zip(feats, values, strict=True):
                    row = rows[feature]
                    row[:] = array("d", map(sub, row, map(mul, grad, repeat(push * value))))
                continue
            for feature, value in zip(feats, values, strict=True):
                row = rows[feature]
                for c, g in active:
                    row[c] -= push * g * value
            if scale < 1e-6:  # 缩放系数太小时乘回去，免得下溢
                for row in rows.values():
                    row[:] = array("d", (w * scale for w in row))
                scale = 1.0
    final = {f: array("f", (w * scale * idf[f] for w in row)) for f, row in rows.items()}
    return final, bias


MODEL_CACHE = "entry-model"
# 进程里记住最近训练过的几个模型：测试和基准里同一份知识会建很多个匹配器。
_MEMO: dict[str, EntryModel] = {}
_MEMO_SIZE = 4


def load_or_train(
    labelled: Sequence[tuple[str, Sequence[str]]],
    chatter: Sequence[str],
    cache_dir: Path | None = None,
) -> EntryModel:
    """同样的训练数据、同样的代码训练过就直接用（进程内或 `cache_dir` 里），否则训练并存起来。"""
    key = make_key(_code_version(), training_digest(labelled, chatter))
    found = _MEMO.get(key)
    if found is not None:
        return found
    cache = DerivedCache(cache_dir, MODEL_CACHE) if cache_dir is not None else None
    got = cache.get(key) if cache is not None else None
    if isinstance(got, EntryModel):
        model = got
    else:
        model = train(labelled, chatter)
        if cache is not None:
            cache.put(key, model)
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[key] = model
    return model


@lru_cache(maxsize=1)
def _code_version() -> str:
    from .. import text
    from ..knowledge import cache as cache_module
    from . import features

    return code_version((text, features, sys.modules[__name__], cache_module))

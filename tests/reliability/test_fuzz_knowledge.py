"""性质测试：随便怎么写坏知识文件和数据文件，都只会得到“文件:行号 [条目]: 原因”，不会是别的异常。

- 知识目录（faq.yaml / risks.yaml / domains.yaml）：加载要么成功，要么抛出 `KnowledgeError`，
  每一处问题都指向那个文件；文件是合法 UTF-8 时还要给出行号；
- 数据目录（entries.yaml / groups.yaml / pending.yaml / audit.jsonl / gaps.jsonl）：`Store` 总能打开，
  坏文件被挪到一边（原样保留）并留下说明，之后的文件都能读。
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardguard.knowledge import KnowledgeError, load_knowledge
from cardguard.knowledge.loader import DEFAULT_DIR
from cardguard.store import Actor, Store

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

FAQ = """\
entries:
  - id: good-one
    question: 本群的暗号是什么
    aliases: [暗号是啥, 群暗号, 进群暗号是什么]
    answer: 暗号是天王盖地虎，只在测试里用。
  - id: second-one
    question: 卡密用不了怎么办
    aliases:
      - 卡密无效
      - 激活码用不了
    answer: |
      先截图，
      再找商家。
    keywords: [卡密, 激活码]
    related: [good-one]
"""
RISKS = """\
entries:
  - id: risk-one
    title: 个人信息泄露
    question: 在卡盟填身份证会怎样
    aliases: [卡盟要身份证, 发卡网实名]
    answer: 可能被倒卖。
    signs: [要身份证, 要银行卡]
"""
# 能把 YAML 弄坏的零件
JUNK = [
    ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "'", '"', "\t", "  ", "    ", "&a ", "*a",
    "!!python/object:os.system ", "!!binary ", "%YAML 1.1", "---", "...", "@", "`", "|", ">",
    "#", "\x00", "\ufeff", "\x85", "\u2028", "id: ", "entries:", "aliases:", "? ", "<<: *a",
    "~", "null", "true", "1e9", "0x1f", "\\", "\n", "\r", "é", "卡",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """对一份合法的 YAML 做几次随机破坏：删行、复制行、改缩进、插入零件。"""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "insert"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = " " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][1:]
        else:
            at = draw(st.integers(0, len(lines[i])))
            piece = draw(st.sampled_from(JUNK) | st.text(max_size=3))
            lines[i] = lines[i][:at] + piece + lines[i][at:]
    return "".join(lines)


def load_problems(files: dict[str, str | bytes]) -> list:
    """在临时目录里写下这些文件再加载；返回问题列表（成功加载时为空）。"""
    root = Path(tempfile.mkdtemp(prefix="cardguard-fuzz-"))
    try:
        for name, content in files.items():
            data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
            (root / name).write_bytes(data)
        try:
            load_knowledge(root)
        except KnowledgeError as exc:
            assert exc.problems, "KnowledgeError 至少要有一处问题"
            for problem in exc.problems:
                assert Path(problem.file).parent == root, problem
                assert problem.message, problem
                if _should_have_line(root / Path(problem.file).name, problem.message):
                    assert isinstance(problem.line, int) and problem.line >= 1, str(problem)
            return exc.problems
        return []
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _should_have_line(path: Path, message: str) -> bool:
    """合法 UTF-8 的文件里的问题都该有行号；已知的两处例外见 test_known_gaps.py。"""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    known_gap = message.startswith("YAML 错误") or _only_comments(text)
    return not known_gap


def _only_comments(text: str) -> bool:
    try:
        return yaml.safe_load(text) is None
    except yaml.YAMLError:
        return False


def test_the_unbroken_files_load() -> None:
    assert load_problems({"faq.yaml": FAQ, "risks.yaml": RISKS}) == []


@FUZZ
@given(mutated(FAQ), mutated(RISKS))
def test_broken_faq_and_risks_give_file_line_problems(faq: str, risks: str) -> None:
    load_problems({"faq.yaml": faq, "risks.yaml": risks})


@FUZZ
@given(st.text(max_size=400) | st.binary(max_size=200))
def test_arbitrary_text_or_bytes_give_file_line_problems(content: str | bytes) -> None:
    load_problems({"faq.yaml": content})


SHIPPED_DOMAINS = (DEFAULT_DIR / "domains.yaml").read_text(encoding="utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated(SHIPPED_DOMAINS))
def test_broken_domains_give_file_line_problems(domains: str) -> None:
    load_problems({"faq.yaml": FAQ, "domains.yaml": domains})


# ---------- 数据目录 ----------

DATA_FILES = ("entries.yaml", "groups.yaml", "pending.yaml", "audit.jsonl", "gaps.jsonl")
WHO = Actor("20001", "9")


def seeded_store(root: Path) -> Store:
    """一个写过几次的数据目录（每个文件都有内容，也都有 .bak）。"""
    store = Store(root, keep_gaps_days=30)
    for n in range(2):
        data = {"question": f"问题{n}是什么", "answer": "答案", "aliases": [], "scope": "9"}
        store.add_entry(WHO, data)
        store.set_group(WHO, "9", "link block", block_sites=[f"s{n}.com"])
        store.submit(WHO, {"kind": "add", "question": f"待审{n}", "answer": "答案"})
        store.compact()  # 快照写两次：第二次把第一次的留成 .bak
    store.gaps.record("9", "没答上的问题")
    return store


SEEDED = Path(tempfile.mkdtemp(prefix="cardguard-fuzz-seed-")) / "data"
seeded_store(SEEDED)


def nothing_lost(root: Path, name: str, data: bytes, asides: list[Path]) -> bool:
    """写进去的内容要么原样挪到了一边，要么还在原处（审计日志的残行单独存放）。"""
    if any(a.read_bytes() == data for a in asides):
        return True
    current = (root / name).read_bytes() if (root / name).exists() else b""
    if name == "audit.jsonl":
        return current + b"".join(a.read_bytes() for a in asides) == data
    return current == data or not data.strip()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(DATA_FILES),
    st.one_of(st.binary(max_size=300), st.text(max_size=300), mutated("a: [1, {b: 2}]\n")),
)
def test_store_opens_whatever_a_data_file_contains(name: str, content: str | bytes) -> None:
    root = Path(tempfile.mkdtemp(prefix="cardguard-fuzz-data-")) / "data"
    shutil.copytree(SEEDED, root)
    try:
        data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        (root / name).write_bytes(data)
        store = Store(root, keep_gaps_days=30)
        for file in ("entries.yaml", "groups.yaml", "pending.yaml"):
            if (root / file).exists():
                assert isinstance(yaml.safe_load((root / file).read_text(encoding="utf-8")), dict)
        asides = list(root.glob("*.corrupt-*"))
        if asides:
            assert store.notes, "挪走了坏文件却没有说明"
        assert nothing_lost(root, name, data, asides), "坏文件的内容应原样留在某处"
        store.add_entry(
            WHO, {"question": "之后还能写吗", "answer": "能写", "aliases": [], "scope": "9"}
        )
        again = Store(root, keep_gaps_days=30)
        assert any(e.question == "之后还能写吗" for e in again.custom_entries())
    finally:
        shutil.rmtree(root, ignore_errors=True)

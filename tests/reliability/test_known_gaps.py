"""可靠性评审找到的问题（都已修好）：长输入不卡死、坏 YAML 的报错带行号。

“有没有卡死”用子进程加一个宽松的时限来判断：线性的写法几毫秒就完，平方级的要几十秒。
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cardguard.knowledge import KnowledgeError, load_knowledge

ROOT = Path(__file__).resolve().parents[2]
HANG_LIMIT = 2.0  # 秒；线性实现远远用不了这么久


def finishes(code: str) -> bool:
    """在子进程里运行一段代码，`HANG_LIMIT` 秒内跑完返回 True。"""
    try:
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=HANG_LIMIT, check=True)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_admin_page_parsing_is_linear_on_long_text() -> None:
    code = (
        "import re; from pathlib import Path; "
        "src = Path('plugins/nonebot_plugin_cardguard/admin/parsing.py').read_text(encoding='utf-8'); "
        "pattern = eval(src.split('_PAGE_RE = ', 1)[1].split('\\n', 1)[0]); "
        "pattern.match('a' + ' ' * 40000 + 'x')"
    )
    assert finishes(code)


def test_control_character_in_yaml_reports_a_line(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text("entries:\n  - id: a\x1f\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    assert info.value.problems[0].line == 2


def test_comment_only_faq_reports_a_line(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text("# 还没写\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    assert info.value.problems[0].line == 1

"""命令行：python -m cardguard 的输出格式、标准输入、知识目录和出错时的表现。"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cardguard.knowledge import load_knowledge
from cardguard.matching import Matcher

from .kbdirs import BROKEN, GOOD_FAQ, Broken, write_dir

ROOT = Path(__file__).resolve().parents[2]
SUBCOMMANDS = ("ask", "check", "validate", "eval", "stats")


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """在仓库根目录用当前解释器跑 `python -m cardguard ...`。"""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "cardguard", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def json_lines(stdout: str) -> list[dict[str, object]]:
    """每行一个 JSON 对象。"""
    return [json.loads(line) for line in stdout.splitlines()]


def test_ask_json_prints_exactly_one_object() -> None:
    proc = run_cli("ask", "--json", "发卡网安全吗")
    assert proc.returncode == 0, proc.stderr
    [result] = json_lines(proc.stdout)
    assert set(result) == {"id", "score", "answer", "suggestions"}
    assert result["id"] == "platform-risks"
    score = result["score"]
    assert isinstance(score, int) and 0 <= score <= 100
    assert isinstance(result["answer"], str) and result["answer"]
    assert result["suggestions"] == []


def test_ask_json_reads_stdin_line_by_line_in_order() -> None:
    lines = ["发卡网安全吗", "卡密用不了", "今天中午吃什么"]
    matcher = Matcher(load_knowledge().entries)
    expected = [matcher.ask(line).id for line in lines]
    assert len(set(expected)) == 3, expected
    proc = run_cli("ask", "--json", "-", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert [r["id"] for r in json_lines(proc.stdout)] == expected


def test_ask_passive_on_chatter_gives_null_id() -> None:
    proc = run_cli("ask", "--json", "--passive", "新买的显卡到了 晚上装机")
    assert proc.returncode == 0, proc.stderr
    [result] = json_lines(proc.stdout)
    assert result["id"] is None and result["answer"] is None


def test_ask_plain_text_output_explains_in_words() -> None:
    proc = run_cli("ask", "卡密用不了怎么办")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("会回答：") and "（invalid-code，匹配度 " in first
    chatter = run_cli("ask", "--passive", "今天吃什么")
    assert chatter.stdout.startswith("旁听不开口")


def test_check_plain_text_output_explains_the_verdict() -> None:
    proc = run_cli("check", "低价卡密 自动发货 kami88.top/buy/1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("判断：会提醒（最高 ") and "60 分起提醒" in proc.stdout
    assert "kami88[.]top/buy/1" in proc.stdout
    assert run_cli("check", "今天天气不错").stdout.startswith("没找到链接")


def test_cli_reads_the_knowledge_dir_from_the_environment_like_the_bot(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, {"faq.yaml": GOOD_FAQ})
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "CARDGUARD_KNOWLEDGE_DIR": str(directory)}
    for command in (["ask", "--json", "群暗号是啥"], ["validate"], ["check", "x.top"]):
        proc = subprocess.run(
            [sys.executable, "-m", "cardguard", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        if command[0] == "ask":
            assert json_lines(proc.stdout)[0]["id"] == "good-one"
        if command[0] == "validate":
            assert "1 条 FAQ" in proc.stdout
    broken = {**env, "CARDGUARD_KNOWLEDGE_DIR": str(tmp_path / "nowhere")}
    proc = subprocess.run(
        [sys.executable, "-m", "cardguard", "validate"],
        cwd=ROOT,
        env=broken,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.returncode == 2 and "CARDGUARD_KNOWLEDGE_DIR=" in proc.stderr


def test_cli_reads_a_dotenv_in_the_current_folder(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, {"faq.yaml": GOOD_FAQ})
    (tmp_path / ".env").write_text(f"CARDGUARD_KNOWLEDGE_DIR={directory}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARDGUARD_")}
    proc = subprocess.run(
        [sys.executable, "-m", "cardguard", "ask", "--json", "群暗号是啥"],
        cwd=tmp_path,
        env={**env, "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json_lines(proc.stdout)[0]["id"] == "good-one"


def test_ask_uses_another_knowledge_folder(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, {"faq.yaml": GOOD_FAQ})
    proc = run_cli("ask", "--json", "--knowledge", str(directory), "群暗号是啥")
    assert proc.returncode == 0, proc.stderr
    [result] = json_lines(proc.stdout)
    assert result["id"] == "good-one"
    assert "天王盖地虎" in str(result["answer"])


def test_eval_prints_the_summary() -> None:
    proc = run_cli("eval", "tests/data/questions.yaml", "tests/data/chatter.yaml")
    assert proc.returncode == 0, proc.stderr
    for label in ("点名答对", "点名答错", "旁听答对", "旁听答错", "闲聊误答", "合计"):
        assert label in proc.stdout, proc.stdout[:500]


def test_eval_json_summary() -> None:
    proc = run_cli("eval", "--json", "tests/data/questions.yaml", "tests/data/chatter.yaml")
    assert proc.returncode == 0, proc.stderr
    [summary] = json_lines(proc.stdout)
    assert summary["questions"] and summary["chatter"]
    assert 0.0 <= float(summary["top1"]) <= 1.0  # type: ignore[arg-type]
    wrong = int(summary["explicit_wrong"])  # type: ignore[call-overload]
    assert 0 <= wrong < int(summary["questions"])  # type: ignore[call-overload]
    assert int(summary["passive_false_triggers"]) <= 1  # type: ignore[call-overload]
    files = summary["files"]
    assert isinstance(files, list) and [f["file"] for f in files] == [
        "tests/data/questions.yaml",
        "tests/data/chatter.yaml",
    ]
    assert files[0]["chatter"] == 0 and files[1]["questions"] == 0


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_works_for_every_subcommand(command: str) -> None:
    proc = run_cli(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("用法：") and command in proc.stdout


def test_top_level_help_lists_subcommands() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0, proc.stderr
    assert all(command in proc.stdout for command in SUBCOMMANDS)


def test_validate_shipped_knowledge_is_ok() -> None:
    proc = run_cli("validate")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK")


@pytest.mark.parametrize("case", list(BROKEN.values()), ids=list(BROKEN))
def test_validate_broken_knowledge_exits_1_with_one_line(tmp_path: Path, case: Broken) -> None:
    directory = write_dir(tmp_path, case.files)
    proc = run_cli("validate", "--knowledge", str(directory))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output, output
    [line] = proc.stderr.splitlines()
    assert line.startswith(case.expected_prefix(directory)), line
    assert case.fragment in line


def test_ask_with_broken_knowledge_reports_instead_of_crashing(tmp_path: Path) -> None:
    directory = write_dir(tmp_path, BROKEN["missing-answer"].files)
    proc = run_cli("ask", "--knowledge", str(directory), "卡盟是什么")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "缺少字段 answer" in proc.stderr

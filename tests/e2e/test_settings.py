"""设置写错了：bot.py 在监听之前停下，每处一行中文（哪一项、写的什么、该写什么），退出码不是 0，没有 traceback。

写法不同但意思明确的（大小写、QQ 号写成数字、localhost、开/关）照常启动。
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cardguard.config import Config, check_settings

from .onebot_peer import ROOT, bot_env, bot_process, free_port

WRONG: dict[str, tuple[str, str]] = {
    # 设置: (写错的值, 回复里必须出现的提示)
    "CARDGUARD_USER_COOLDOWN": ("abc", "0 到 3600"),
    "CARDGUARD_QR_TIMEOUT": ("-1", "大于 0"),
    "CARDGUARD_GROUP_BUDGET": ("0", "1 到 60"),
    "CARDGUARD_LINK_MODE": ("Recal", "可选 warn、recall、notify、recall+notify"),
    "CARDGUARD_PASSIVE": ("也许", "true 或 false"),
    "CARDGUARD_KNOWLEDGE_DIR": ("/no/such/folder", "找不到这个文件夹"),
    "CARDGUARD_BLOCKLISTS": ("ftp://x.org/list", "http(s) 网址"),
    "PORT": ("abc", "1 到 65535"),
    "HOST": ("my-server", "要写 IP 地址"),
    "LOG_LEVEL": ("LOUD", "可选 TRACE"),
    "SUPERUSERS": ("{}", "QQ 号的列表"),
}


def run_bot(env: dict[str, str | None], tmp_path: Path) -> tuple[int, str, float]:
    full = bot_env(free_port(), tmp_path, "settings-secret", env)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "bot.py"], cwd=ROOT, env=full, capture_output=True, timeout=60, text=True
    )
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started


@pytest.mark.parametrize("name", list(WRONG))
def test_a_wrong_setting_stops_the_bot_with_one_chinese_line(name: str, tmp_path: Path) -> None:
    value, hint = WRONG[name]
    code, output, seconds = run_bot({name: value}, tmp_path)
    assert code != 0
    assert f"{name}={value} 不对：" in output and hint in output, output
    assert "Traceback" not in output and "Uvicorn running" not in output
    assert seconds < 3.0, f"{seconds:.1f} 秒才停下"


def test_a_misspelt_setting_name_is_named_with_a_suggestion(tmp_path: Path) -> None:
    code, output, _ = run_bot({"CARDGUARD_LINK_MOD": "recall"}, tmp_path)
    assert code != 0 and "CARDGUARD_LINK_MOD 不认识，是不是 CARDGUARD_LINK_MODE？" in output


def test_several_mistakes_are_all_listed_at_once(tmp_path: Path) -> None:
    code, output, _ = run_bot({"PORT": "abc", "CARDGUARD_GROUP_BUDGET": "0"}, tmp_path)
    assert code != 0 and "PORT=abc" in output and "CARDGUARD_GROUP_BUDGET=0" in output


@pytest.mark.parametrize(
    "env",
    [
        {"SUPERUSERS": "12345678", "HOST": "localhost", "CARDGUARD_LINK_MODE": "Recall"},
        {"SUPERUSERS": "user, 12345678", "COMMAND_START": "/"},
        {"SUPERUSERS": "[12345678, 87654321]", "CARDGUARD_PASSIVE": "开", "LOG_LEVEL": "info"},
    ],
    ids=["bare-number-localhost-Recall", "words-and-numbers", "number-list-开-info"],
)
def test_forgiving_spellings_start_normally(env: dict[str, str]) -> None:
    with bot_process(token="settings-secret", **env) as bot:
        assert bot.wait_output("Uvicorn running", timeout=30)
        assert "Traceback" not in bot.output()


INVALID_BY_TYPE: dict[str, Any] = {
    "bool": "maybe",
    "int": "abc",
    "float": "abc",
}


def test_every_documented_setting_refuses_an_invalid_value() -> None:
    """不只上面那几项：Config 里的每一个设置写了不合法的值，都有一行中文指出它。"""
    for name, field in Config.model_fields.items():
        annotation = field.annotation
        kind = getattr(annotation, "__name__", str(annotation))
        if name == "cardguard_data_dir":
            continue  # 任何文件夹路径都行（没有就建）
        bad = INVALID_BY_TYPE.get(kind, "/no/such/thing" if "Path" in str(annotation) else "??")
        if name == "cardguard_link_mode":
            bad = "explode"
        if name == "cardguard_blocklists":
            bad = "ftp://x"
        problems = check_settings({name: bad}).problems
        assert problems and problems[0].startswith(f"{name.upper()}={bad} 不对："), (name, problems)


def test_the_same_forgiving_spellings_work_from_a_dotenv_file(tmp_path: Path) -> None:
    """.env 文件里的写法和环境变量一样宽容（NoneBot 自己读 .env 时，SUPERUSERS=user 会报错）。"""
    port = free_port()
    (tmp_path / ".env").write_text(
        f"PORT={port}\nSUPERUSERS=user, 12345678\nHOST=localhost\nCARDGUARD_PASSIVE=关\n"
        "ONEBOT_ACCESS_TOKEN=dotenv-secret\n",
        encoding="utf-8",
    )
    env = bot_env(port, tmp_path, None, {"PORT": None, "HOST": None, "SUPERUSERS": None})
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    from .onebot_peer import BotProcess, wait_listening

    bot = BotProcess(proc, port, tmp_path)
    try:
        wait_listening(port, proc, output=bot.output)
    finally:
        code = bot.stop()
    assert code == 0 and "Traceback" not in bot.output()

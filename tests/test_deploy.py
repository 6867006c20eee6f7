"""部署与上手：.env.example、docker-compose.yml、NapCat 配置、Dockerfile、README、控制台试用。"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WS_URL = "ws://bot:8080/onebot/v11/ws"
CORE_SETTINGS = (
    "HOST",
    "PORT",
    "SUPERUSERS",
    "ONEBOT_ACCESS_TOKEN",
    "COMMAND_START",
    "LOG_LEVEL",
    "CARDGUARD_CONSOLE",
    "LOCALSTORE_DATA_DIR",
    "LOCALSTORE_CACHE_DIR",
    "LOCALSTORE_CONFIG_DIR",
)
SETTING_RE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$")


def env_example() -> dict[str, tuple[str, bool, str]]:
    """.env.example 里的设置：名字 → (值, 是否生效, 紧挨着上面的注释)。"""
    settings: dict[str, tuple[str, bool, str]] = {}
    comment: list[str] = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = SETTING_RE.match(line)
        if match:
            name, value = match.groups()
            settings[name] = (value, not line.startswith("#"), " ".join(comment))
            comment = []
        elif line.startswith("#"):
            comment.append(line.lstrip("# "))
        else:
            comment = []
    return settings


def config_fields() -> dict[str, Any]:
    from cardguard.config import Config

    return dict(Config.model_fields)


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


# ---------- .env.example ----------


def test_env_example_lists_every_config_field_with_its_default(load_plugins: None) -> None:
    settings = env_example()

    for name, field in config_fields().items():
        key = name.upper()
        assert key in settings, f".env.example 缺少 {key}"
        value = settings[key][0]
        if field.default is not None:
            if isinstance(field.default, bool):
                expected = str(field.default).lower()
            elif isinstance(field.default, tuple):
                expected = json.dumps(list(field.default))
            else:
                expected = str(field.default)
            assert value == expected, f"{key}：.env.example 写 {value}，默认是 {expected}"


def test_env_example_has_core_settings_each_with_chinese_comment() -> None:
    settings = env_example()

    for key in CORE_SETTINGS:
        assert key in settings, f".env.example 缺少 {key}"
    for key, (_, _, comment) in settings.items():
        assert re.search(r"[\u4e00-\u9fff]", comment), f"{key} 上面没有中文说明"


def test_env_example_values_are_accepted_by_config(load_plugins: None) -> None:
    from cardguard.config import Config

    settings = env_example()
    values = {
        key.lower(): value
        for key, (value, _, _) in settings.items()
        if key.lower() in config_fields()
        and key not in ("CARDGUARD_KNOWLEDGE_DIR", "CARDGUARD_DATA_DIR")
    }

    config = Config.model_validate(values)

    assert config == Config()
    assert json.loads(settings["SUPERUSERS"][0])
    assert json.loads(settings["COMMAND_START"][0]) == ["/"]


def test_bot_runs_without_knowledge_dir_setting() -> None:
    """留空的知识目录会被当成当前目录：所以这一项必须是注释掉的。"""
    assert env_example()["CARDGUARD_KNOWLEDGE_DIR"][1] is False


# ---------- docker-compose.yml ----------


def test_compose_pairs_bot_and_napcat_on_one_network() -> None:
    services = compose()["services"]
    bot, napcat, init = services["bot"], services["napcat"], services["napcat-init"]

    assert bot["build"] == "."
    assert napcat["image"].startswith("mlikiowa/napcat-docker")
    networks = [set(s["networks"]) for s in (bot, napcat, init)]
    assert networks[0] == networks[1] == networks[2] and len(networks[0]) == 1
    (network,) = networks[0]
    assert compose()["networks"][network]["driver"] == "bridge"


def test_compose_napcat_connects_to_bot_with_shared_token() -> None:
    services = compose()["services"]
    init = services["napcat-init"]

    assert init["environment"]["CARDGUARD_WS_URL"] == WS_URL
    assert "${ONEBOT_ACCESS_TOKEN" in init["environment"]["ONEBOT_ACCESS_TOKEN"]
    assert (
        services["bot"]["environment"]["ONEBOT_ACCESS_TOKEN"]
        == init["environment"]["ONEBOT_ACCESS_TOKEN"]
    )
    assert services["napcat"]["depends_on"]["napcat-init"]["condition"] == (
        "service_completed_successfully"
    )


def test_compose_keeps_data_and_login_in_volumes() -> None:
    data = compose()
    bot, napcat = data["services"]["bot"], data["services"]["napcat"]

    assert any(v.endswith(":/data") for v in bot["volumes"])
    assert "./.env:/app/.env:ro" in bot["volumes"]
    assert any(v.split(":")[1] == "/app/.config/QQ" for v in napcat["volumes"])
    config_volume = next(v.split(":")[0] for v in napcat["volumes"] if "/app/napcat/config" in v)
    assert config_volume in data["volumes"]
    assert f"{config_volume}:/napcat-config" in data["services"]["napcat-init"]["volumes"]
    assert bot["environment"]["HOST"] == "0.0.0.0"
    assert bot["environment"]["LOCALSTORE_DATA_DIR"] == "/data"


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_config_is_valid(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("没有 docker compose / docker-compose：只做了上面的 YAML 检查")
    for name in ("docker-compose.yml", "Dockerfile", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    env = (tmp_path / ".env.example").read_text(encoding="utf-8")
    (tmp_path / ".env").write_text(
        env.replace("ONEBOT_ACCESS_TOKEN=\n", "ONEBOT_ACCESS_TOKEN=s3cret\n"), encoding="utf-8"
    )
    clean_env = {k: v for k, v in os.environ.items() if k != "ONEBOT_ACCESS_TOKEN"}

    result = subprocess.run(
        [*command, "config"], cwd=tmp_path, capture_output=True, text=True, env=clean_env
    )

    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    assert rendered["services"]["bot"]["environment"]["ONEBOT_ACCESS_TOKEN"] == "s3cret"
    assert rendered["services"]["napcat-init"]["environment"]["ONEBOT_ACCESS_TOKEN"] == "s3cret"


def test_docker_compose_refuses_missing_token(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("没有 docker compose / docker-compose")
    for name in ("docker-compose.yml", "Dockerfile", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    clean_env = {k: v for k, v in os.environ.items() if k != "ONEBOT_ACCESS_TOKEN"}

    result = subprocess.run(
        [*command, "config"], cwd=tmp_path, capture_output=True, text=True, env=clean_env
    )

    assert result.returncode != 0
    assert "ONEBOT_ACCESS_TOKEN" in result.stderr


# ---------- NapCat 配置 ----------


def test_napcat_sample_uses_reverse_ws_and_array_format() -> None:
    sample = json.loads((ROOT / "deploy/napcat/onebot11.json").read_text(encoding="utf-8"))
    (client,) = sample["network"]["websocketClients"]

    assert client["enable"] is True
    assert client["url"] == "ws://127.0.0.1:8080/onebot/v11/ws"
    assert client["messagePostFormat"] == "array"
    assert client["reportSelfMessage"] is False
    assert "token" in client


def run_render(config_dir: Path, token: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ONEBOT_ACCESS_TOKEN": token, "CARDGUARD_WS_URL": WS_URL}
    return subprocess.run(
        [sys.executable, str(ROOT / "deploy/napcat/render_config.py"), str(config_dir)],
        capture_output=True,
        text=True,
        env=env,
    )


def test_render_writes_default_and_syncs_logged_in_account(tmp_path: Path) -> None:
    account = tmp_path / "onebot11_123456.json"
    account.write_text(
        json.dumps(
            {
                "network": {
                    "websocketClients": [
                        {"name": "other-bot", "url": "ws://other:9000", "token": "x"},
                        {"name": "cardguard", "url": "ws://old:8080", "token": "old"},
                    ]
                },
                "musicSignUrl": "keep-me",
            }
        ),
        encoding="utf-8",
    )

    result = run_render(tmp_path, "s3cret")

    assert result.returncode == 0, result.stderr
    default = json.loads((tmp_path / "onebot11.json").read_text(encoding="utf-8"))
    (ours,) = default["network"]["websocketClients"]
    assert (ours["url"], ours["token"], ours["messagePostFormat"]) == (WS_URL, "s3cret", "array")
    synced = json.loads(account.read_text(encoding="utf-8"))
    clients = {c["name"]: c for c in synced["network"]["websocketClients"]}
    assert clients["other-bot"] == {"name": "other-bot", "url": "ws://other:9000", "token": "x"}
    assert (clients["cardguard"]["url"], clients["cardguard"]["token"]) == (WS_URL, "s3cret")
    assert synced["musicSignUrl"] == "keep-me"


def test_render_refuses_empty_token(tmp_path: Path) -> None:
    result = run_render(tmp_path, "")

    assert result.returncode == 1
    assert "ONEBOT_ACCESS_TOKEN" in result.stderr
    assert not (tmp_path / "onebot11.json").exists()


# ---------- Dockerfile / .ci/run ----------


def test_dockerfile_runs_as_non_root_with_data_volume_and_knowledge() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")

    assert re.search(r"^FROM python:3\.\d+-slim", text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^VOLUME .*/data", text, re.M)
    assert re.search(r"^COPY knowledge ", text, re.M)
    assert re.search(r"^COPY deploy ", text, re.M)  # napcat-init 用到模板和脚本
    # 镜像里不写 __pycache__：代码复制进来以后要先编译，否则每次启动都重新编译全部模块
    compiled = re.search(r"^RUN python -m compileall .*cardguard.*plugins", text, re.M)
    assert compiled and compiled.start() > text.index("COPY plugins ")


def test_dockerignore_keeps_secrets_and_local_data_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()

    assert {".env", ".venv", ".git", "data"} <= set(ignored)


def test_ci_script_is_strict_and_runs_every_check() -> None:
    script = (ROOT / ".ci/run").read_text(encoding="utf-8")

    assert "set -euo pipefail" in script
    for step in ("ruff check .", "ruff format --check .", "cardguard validate", "pytest"):
        assert step in script
    assert '"$status" -eq 5' in script
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci/run")]).returncode == 0


# ---------- README ----------


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_quick_start_is_two_commands() -> None:
    match = re.search(r"## 快速开始.*?```(?:bash|sh)?\n(.*?)```", readme(), re.S)
    assert match, "README 缺少“快速开始”代码块"
    commands = [line for line in match.group(1).splitlines() if line and not line.startswith("#")]

    assert len(commands) == 2
    assert "bot.py" in commands[0]
    assert commands[1].strip() == "bash .ci/run"


def test_readme_documents_every_setting_and_bench_markers() -> None:
    text = readme()

    for key in env_example():
        assert f"`{key}`" in text, f"README 的设置表里缺少 {key}"
    assert "<!-- bench:start -->" in text and "<!-- bench:end -->" in text
    for mistake in ("127.0.0.1", "ONEBOT_ACCESS_TOKEN", "array"):
        assert mistake in text


# ---------- 控制台试用 ----------


def console_event(channel: str, text: str) -> Any:
    from nonebot.adapters.console import Channel, Message, User
    from nonebot.adapters.console.event import MessageEvent
    from nonechat.model import DIRECT

    return MessageEvent(
        time=datetime.now(),
        self_id="robot",
        post_type="message",
        user=User("user"),
        channel=DIRECT if channel == DIRECT.id else Channel(channel, channel),
        message_id="1",
        message=Message(text),
    ).convert()


def test_console_channel_counts_as_a_group_and_replies_are_plain_text(
    load_plugins: None,
) -> None:
    from cardguard.settings import GroupSettings
    from nonebot_plugin_cardguard.outbox import build_message
    from nonebot_plugin_cardguard.view import Msg, read_event

    public = console_event("general", "发卡网安全吗？")
    private = console_event("_direct", "发卡网安全吗？")
    dm = console_event("private:user", "发卡网安全吗？")

    assert read_event(public)[0] == "general"  # type: ignore[index]
    assert public.get_plaintext() == "发卡网安全吗？"
    assert read_event(private)[0] is None  # type: ignore[index]
    assert read_event(dm)[0] is None  # type: ignore[index]
    msg = Msg(None, public, "general", "user", None, "x", False, None, GroupSettings())  # type: ignore[arg-type]
    reply = build_message(msg, "[CQ:at,qq=all] 注意")
    assert [seg.type for seg in reply] == ["text"]
    assert reply.extract_plain_text() == "[CQ:at,qq=all] 注意"

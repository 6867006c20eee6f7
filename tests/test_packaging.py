"""装进别人的 NoneBot 机器人：打 wheel、装进全新的虚拟环境、一个最小的 NoneBot 项目加载插件，
经真实的 OneBot v11 WebSocket 回答问题；装好以后没有叫 plugins 的模块，知识随包一起安装。"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.onebot_peer import BotProcess, connected_peer, free_port, group_frame, wait_listening

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "wheel-secret"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def packages_on_disk() -> set[str]:
    """仓库里每个有 __init__.py 的包（按装好以后的名字）。"""
    found = {"cardguard.shipped"}
    for init in (ROOT / "cardguard").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(ROOT).parts))
    plugin = ROOT / "plugins"
    for init in (plugin / "nonebot_plugin_cardguard").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(plugin).parts))
    return found


def test_every_package_is_listed_in_pyproject() -> None:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        listed = set(tomllib.load(fh)["tool"]["setuptools"]["packages"])
    assert listed == packages_on_disk()
    assert not any(name == "plugins" or name.startswith("plugins.") for name in listed)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """打好 wheel，装进一个全新的虚拟环境（依赖从 PyPI 或 pip 的缓存装）；返回那个环境的 python。"""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = (work / "dist").glob("nonebot_plugin_cardguard-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=300)
    python = work / "venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        timeout=1200,
    )
    yield python


def in_venv(python: Path, code: str, cwd: Path) -> str:
    result = subprocess.run(
        [str(python), "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


@pytest.mark.slow
def test_wheel_has_no_bare_plugins_module_and_ships_knowledge(
    installed: Path, tmp_path: Path
) -> None:
    out = in_venv(
        installed,
        """
        import importlib.util, json
        from cardguard.knowledge import default_knowledge_dir, load_knowledge
        knowledge = load_knowledge()
        print(json.dumps({
            "plugins": importlib.util.find_spec("plugins") is not None,
            "dir": str(default_knowledge_dir()),
            "entries": len(knowledge.entries),
        }))
        """,
        tmp_path,
    )
    facts = json.loads(out)
    assert facts["plugins"] is False, "装好以后不该有叫 plugins 的模块"
    assert "site-packages" in facts["dir"] and facts["dir"].endswith("shipped")
    assert facts["entries"] >= 20


PROJECT_BOT = """
import nonebot
from nonebot.adapters.onebot.v11 import Adapter

nonebot.init()
nonebot.get_driver().register_adapter(Adapter)
nonebot.load_plugin("nonebot_plugin_cardguard")
nonebot.run()
"""


@pytest.mark.slow
async def test_a_minimal_nonebot_project_loads_the_plugin_and_answers(
    installed: Path, tmp_path: Path
) -> None:
    port = free_port()
    (tmp_path / "bot.py").write_text(PROJECT_BOT, encoding="utf-8")
    (tmp_path / ".env").write_text(
        "\n".join(
            [
                "DRIVER=~fastapi+~websockets",
                "HOST=127.0.0.1",
                f"PORT={port}",
                f"ONEBOT_ACCESS_TOKEN={TOKEN}",
                'SUPERUSERS=["10001"]',
                f"LOCALSTORE_DATA_DIR={tmp_path / 'data'}",
                f"LOCALSTORE_CACHE_DIR={tmp_path / 'cache'}",
                f"LOCALSTORE_CONFIG_DIR={tmp_path / 'config'}",
            ]
        ),
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(("CARDGUARD_", "LOCALSTORE_"))
    }
    proc = subprocess.Popen(
        [str(installed), "bot.py"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    bot = BotProcess(proc, port, tmp_path)
    try:
        wait_listening(port, proc, output=bot.output)
        async with connected_peer(port, TOKEN) as peer:
            await peer.send(group_frame("付了钱一直不发货怎么办", group=9901, at_bot=True))
            answer = await peer.wait_for(lambda c: c.group == 9901, timeout=20)
    finally:
        bot.stop()
    log = bot.output()
    assert answer is not None, log[-3000:]
    assert "截图" in answer.text and "110" in answer.text
    assert 'Succeeded to load plugin "nonebot_plugin_cardguard"' in log
    assert "Traceback" not in log


@pytest.mark.slow
def test_plugin_metadata_follows_the_store_conventions(installed: Path, tmp_path: Path) -> None:
    out = in_venv(
        installed,
        """
        import json, nonebot
        nonebot.init()
        plugin = nonebot.load_plugin("nonebot_plugin_cardguard")
        meta = plugin.metadata
        print(json.dumps({
            "type": meta.type, "homepage": meta.homepage, "config": meta.config.__name__,
            "adapters": sorted(meta.supported_adapters or []),
        }))
        """,
        tmp_path,
    )
    meta = json.loads(out.strip().splitlines()[-1])
    assert meta["type"] == "application" and meta["homepage"].startswith("https://")
    assert meta["config"] == "Config"
    assert "~onebot.v11" in meta["adapters"]

"""基准冒烟测试：小规模跑一遍 `python -m bench --quick`，检查 JSON 里每个数字都在、都说得通。

不检查快慢（快慢只在 bench/ 的完整运行里看）。
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MATCH_SIZES = ("100", "1k")
ALWAYS = (
    "load.knowledge_s",
    "rss.load_mb",
    "plugins.fast_path_us",
    "plugins.chatter_us",
    "e2e.cpu_mixed_us",
    "e2e.cpu_chatter_us",
    "e2e.cpu_floor_us",
    "e2e.cpu_tuned_floor_us",
    "e2e.cpu_plugins_us",
    "startup.s",
    "rss.bot_mb",
    "rss.bot_big_mb",
)
LINKS = ("links.chatter_us", "links.link_us", "links.link_p99_us")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # 退出码 1 只表示有目标没达到（冒烟测试不管快慢）；其他都是出错。
    assert done.returncode in (0, 1), done.stderr[-4000:]
    assert "figure" in done.stdout and "baseline" in done.stdout, done.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def test_every_figure_is_present(result: dict[str, Any]) -> None:
    keys = set(result["figures"])
    expected = {f"match.{kind}.{size}" for kind in ("ms", "top1") for size in MATCH_SIZES}
    expected |= set(ALWAYS) | set(LINKS)
    assert not result["meta"]["skipped"], result["meta"]["skipped"]
    assert expected <= keys, f"缺少：{sorted(expected - keys)}"


def test_each_figure_has_baseline_ratio_and_target(result: dict[str, Any]) -> None:
    for key, fig in result["figures"].items():
        assert fig["value"] > 0, key
        assert fig["baseline"] > 0, key
        assert fig["ratio"] == pytest.approx(fig["value"] / fig["baseline"], rel=0.01), key
        assert fig["target"], key
        assert fig["ok"] in (True, False, None), key
        if fig["target_kind"] != "info":
            assert fig["ok"] is not None, key


def test_accuracy_is_a_percentage_and_sizes_are_real(result: dict[str, Any]) -> None:
    for size, entries in zip(MATCH_SIZES, (100, 1000), strict=True):
        top1 = result["figures"][f"match.top1.{size}"]
        assert 0 < top1["value"] <= 100
        assert 0 < top1["baseline"] <= 100
        timing = result["figures"][f"match.ms.{size}"]["details"]
        assert timing["entries"] == entries
        assert timing["phrasings"] >= 3 * (entries - 100)  # 合成条目每条 3 种问法


def test_end_to_end_fed_real_frames_and_the_bot_answered(result: dict[str, Any]) -> None:
    mixed = result["figures"]["e2e.cpu_mixed_us"]["details"]
    assert mixed["messages_per_phase"] > 0
    assert all(run["replies"] > 0 for run in mixed["bot_runs"])
    assert all(run["replies"] == 0 for run in mixed["bare_runs"])
    floor = result["figures"]["e2e.cpu_floor_us"]["details"]
    assert floor["floor_runs"] and all(run["replies"] == 0 for run in floor["floor_runs"])
    tuned = result["figures"]["e2e.cpu_tuned_floor_us"]["details"]
    assert tuned["tuned_runs"] and all(run["replies"] == 0 for run in tuned["tuned_runs"])
    chatter = result["figures"]["e2e.cpu_chatter_us"]["details"]
    assert all(run["replies"] == 0 for run in chatter["bot_runs"]), "闲聊不应引起任何回复"
    big = result["figures"]["rss.bot_big_mb"]["details"]
    assert big["knowledge_verified"], "大知识目录没有被 bot.py 加载"


def test_plugin_probe_measured_one_matcher_and_the_bare_framework(result: dict[str, Any]) -> None:
    details = result["figures"]["plugins.chatter_us"]["details"]
    assert details["matchers"] == 1, "插件应该只注册一个事件响应器"
    assert details["messages"] > 20
    assert 0 < details["bare_us"] < details["framework_us"]
    assert details["own_us"] > 0


def test_link_scan_saw_warnings_and_quiet_chatter(result: dict[str, Any]) -> None:
    quiet = result["figures"]["links.chatter_us"]["details"]["verdicts"]
    assert set(quiet) == {"quiet"}
    loud = result["figures"]["links.link_us"]["details"]["verdicts"]
    assert loud.get("warn", 0) > 0


def test_meta_records_how_it_was_run(result: dict[str, Any]) -> None:
    meta = result["meta"]
    assert meta["quick"] is True
    assert meta["command"].startswith("python -m bench")
    assert meta["cpus"] >= 1

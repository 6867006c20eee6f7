"""knowledge/domains.yaml：发布的规则能加载；写坏的文件逐条指出 文件:行号 和条目。"""

from __future__ import annotations

from pathlib import Path

import pytest

from cardguard.knowledge.domains import SIGNAL_KINDS, parse_domains
from cardguard.knowledge.errors import KnowledgeError
from cardguard.knowledge.yamlio import load_yaml
from cardguard.links import load_rules

MINIMAL = """\
thresholds:
  warn: 60
  log: 30
allow:
  - qq.com
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "domains.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        parse_domains(load_yaml(path), path)
    return str(info.value).splitlines()


def test_shipped_rules_load_and_cover_the_basics() -> None:
    rules = load_rules()
    assert rules.log < rules.warn
    for site in ("qq.com", "steampowered.com", "bilibili.com", "b23.tv", "github.com", "12321.cn"):
        assert rules.site_kind(site) == ("allow", site)
    assert rules.site_kind("pay.qq.com") == ("allow", "qq.com")
    assert rules.site_kind("docs.qq.com") == ("user_content", "docs.qq.com")
    assert rules.site_kind("t.cn") == ("shortener", "t.cn")
    assert {"top", "xyz", "cc"} <= rules.cheap_tlds
    assert set(rules.signal_risks) <= set(SIGNAL_KINDS)


def test_shipped_block_list_only_has_reserved_sample_domains() -> None:
    """发布的拦截名单只有示例条目（IANA 保留的 example.* 域名），不指认真实网站。"""
    for entry in load_rules().blocks:
        assert entry.target.endswith(("example.com", "example.net", "example.org"))
        assert entry.note


def test_load_rules_from_directory(tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL)
    rules = load_rules(tmp_path)
    assert rules.warn == 60 and rules.site_kind("qq.com") == ("allow", "qq.com")


def test_bad_host_reports_file_line_and_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + "  - https://bad.example.com/x\n")
    (line,) = _problems(path)
    assert line.startswith(f"{path}:6 [allow[1] https://bad.example.com/x]: ")
    assert "不是域名" in line


def test_every_problem_gets_its_own_line(tmp_path: Path) -> None:
    text = MINIMAL + (
        "block:\n"
        "  - domain: shop.example.net\n"  # 第 7 行：缺 note
        "  - host: a.example.net\n"  # 第 8 行：host 和 domain 都写了
        "    domain: example.net\n"
        "    note: 两个都写\n"
        "fingerprints:\n"
        "  - system: 坏正则\n"  # 第 12 行
        "    pattern: '(unclosed'\n"
        "    weight: 60\n"
    )
    lines = _problems(_write(tmp_path, text))
    assert len(lines) == 3
    assert any(":7 [block[0] shop.example.net]" in s and "note" in s for s in lines)
    assert any(":8 [block[1] a.example.net]" in s and "只能写一个" in s for s in lines)
    assert any(":13 [fingerprints[0] 坏正则]" in s and "正则" in s for s in lines)


def test_threshold_order_and_unknown_keys(tmp_path: Path) -> None:
    text = "thresholds:\n  warn: 30\n  log: 60\nallw: [qq.com]\n"
    lines = _problems(_write(tmp_path, text))
    assert any(":2" in s and "log 不能高于 warn" in s for s in lines)
    assert any(":4" in s and "未知字段 allw" in s for s in lines)


def test_unknown_signal_and_bad_risk_id(tmp_path: Path) -> None:
    text = MINIMAL + "signal_risks:\n  weird: [risk-fraud]\n  block: [Risk Fraud]\n"
    lines = _problems(_write(tmp_path, text))
    assert any("未知信号 weird" in s for s in lines)
    assert any(":8" in s and "Risk Fraud" in s for s in lines)


def test_same_site_in_allow_and_block_is_rejected(tmp_path: Path) -> None:
    text = MINIMAL + "block:\n  - domain: qq.com\n    note: 写错了\n"
    (line,) = _problems(_write(tmp_path, text))
    assert line.startswith(f"{tmp_path / 'domains.yaml'}:5 [qq.com]: ")


def test_same_site_in_allow_and_free_hosts_is_rejected(tmp_path: Path) -> None:
    text = MINIMAL + "free_hosts:\n  - qq.com\n"
    (line,) = _problems(_write(tmp_path, text))
    assert line.startswith(f"{tmp_path / 'domains.yaml'}:5 [qq.com]: ") and "free_hosts" in line


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + "  - [unclosed\n")
    with pytest.raises(KnowledgeError) as info:
        load_rules(tmp_path)
    assert str(info.value).startswith(f"{path}:")
    assert "YAML" in str(info.value)


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    (line,) = _problems(_write(tmp_path, "- qq.com\n"))
    assert line.startswith(f"{tmp_path / 'domains.yaml'}:1")


def test_signal_risks_point_to_shipped_risk_entries() -> None:
    """提醒文案按 signal_risks 找风险条目；写了不存在的 id 时只会退回一句通用的话。"""
    risks = load_yaml(Path(__file__).resolve().parents[2] / "knowledge" / "risks.yaml")
    known = {entry["id"] for entry in risks["entries"]}
    rules = load_rules()
    used = {i for ids in rules.signal_risks.values() for i in ids}
    used |= {i for entry in rules.blocks for i in entry.risks}
    assert used <= known, used - known

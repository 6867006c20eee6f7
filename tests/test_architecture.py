"""ARCHITECTURE.md 说的是真的：每个文件夹都写进去了；cardguard/ 不导入 NoneBot；模块之间没有导入环。"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugins" / "nonebot_plugin_cardguard"
SOURCES = {"cardguard": ROOT / "cardguard", "nonebot_plugin_cardguard": PLUGIN}


def module_files() -> dict[str, Path]:
    """模块名 → 文件（包的 __init__.py 记在包名下）。"""
    found: dict[str, Path] = {}
    for top, base in SOURCES.items():
        for path in base.rglob("*.py"):
            parts = (top, *path.relative_to(base).with_suffix("").parts)
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """一个模块在顶层（和函数里）导入的本项目模块。"""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            targets.add(prefix)
            targets.update(f"{prefix}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in modules and t != name}


def test_every_folder_is_in_the_architecture_document() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    folders = [p for base in SOURCES.values() for p in [base, *base.rglob("*")] if p.is_dir()]
    missing = [
        p.relative_to(ROOT).as_posix()
        for p in folders
        if p.name != "__pycache__" and f"`{p.relative_to(ROOT).as_posix()}/`" not in text
    ]
    assert not missing, f"ARCHITECTURE.md 没写这些文件夹：{missing}"


def test_the_core_never_imports_nonebot() -> None:
    for path in (ROOT / "cardguard").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            bad = [n for n in names if n.split(".")[0] in ("nonebot", "nonebot_plugin_cardguard")]
            assert not bad, f"{path.relative_to(ROOT)} 导入了 {bad}"


def test_no_import_circles() -> None:
    modules = module_files()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    # 包的 __init__ 只是把子模块接起来：子模块 → 自己所在的包 这条边不算（Python 先执行完包）
    for name, targets in graph.items():
        targets -= {t for t in targets if name.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert not cycles, "导入环：\n" + "\n".join(" → ".join(c) for c in cycles)

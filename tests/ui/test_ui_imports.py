"""The house of the window (issue 12): the imports of ui/ have no circle, nothing below the main window
imports it, and no file of ui/ is over 800 lines, so that a newcomer finds each part where its name says."""

from __future__ import annotations

import ast
from pathlib import Path

import rectify_desktop.ui

UI = Path(rectify_desktop.ui.__file__).resolve().parent
MAX_LINES = 800


def _module_name(path: Path) -> str:
    rel = path.relative_to(UI.parent.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def ui_imports(source: str, module: str, *, runtime_only: bool) -> set[str]:
    """The modules of rectify_desktop.ui that `source` imports (top level or inside functions). With
    `runtime_only`, imports under ``if TYPE_CHECKING:`` are left out: they are never executed."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if runtime_only and isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("rectify_desktop.ui"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level] if not module.endswith("__init__") else module.split(".")
                base = ".".join(package + ([base] if base else []))
            if base.startswith("rectify_desktop.ui"):
                # "from package import submodule" imports the submodule too
                for alias in node.names:
                    found.add(f"{base}.{alias.name}")
                found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def _graph(runtime_only: bool) -> dict[str, set[str]]:
    files = {_module_name(p): p for p in UI.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets = ui_imports(path.read_text(encoding="utf-8"), name, runtime_only=runtime_only)
        graph[name] = {t for t in targets if t in files and t != name}
    # a package's __init__ runs when any of its modules is imported
    for name in list(graph):
        parent = name.rsplit(".", 1)[0]
        if parent in graph and parent != name and name != "rectify_desktop.ui":
            graph[name].discard(parent)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := dfs(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := dfs(node)):
            return found
    return None


def test_the_scanner_sees_imports_anywhere_and_knows_type_only_ones() -> None:
    src = (
        "from typing import TYPE_CHECKING\n"
        "from rectify_desktop.ui.theme import HINT_COLOR\n"
        "if TYPE_CHECKING:\n"
        "    from rectify_desktop.ui.main_window import MainWindow\n"
        "def f():\n"
        "    from rectify_desktop.ui import printing\n"
        "    from .forms import EditPanel\n"
    )
    everything = ui_imports(src, "rectify_desktop.ui.x", runtime_only=False)
    assert "rectify_desktop.ui.main_window" in everything
    runtime = ui_imports(src, "rectify_desktop.ui.x", runtime_only=True)
    assert "rectify_desktop.ui.main_window" not in runtime
    assert {"rectify_desktop.ui.theme", "rectify_desktop.ui.printing", "rectify_desktop.ui.forms"} <= runtime
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_circle_in_the_imports_of_ui() -> None:
    graph = _graph(runtime_only=True)
    assert "rectify_desktop.ui.main_window" in graph and len(graph) > 20
    assert _cycle(graph) is None


def test_only_the_start_up_imports_the_main_window() -> None:
    graph = _graph(runtime_only=False)  # type-only imports count here: the pages see the window as a WindowHost
    importers = sorted(name for name, targets in graph.items() if "rectify_desktop.ui.main_window" in targets)
    assert importers == ["rectify_desktop.ui.app"]
    # and the start-up is imported by nothing of the window
    assert sorted(name for name, targets in graph.items() if "rectify_desktop.ui.app" in targets) == []


def test_no_file_of_ui_is_over_800_lines() -> None:
    sizes = {str(p.relative_to(UI)): len(p.read_text(encoding="utf-8").splitlines()) for p in UI.rglob("*.py")}
    assert len(sizes) > 20
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}

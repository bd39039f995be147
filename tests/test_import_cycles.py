"""No import cycles in companion/: neither between modules nor between its packages.

The graph is built statically (ast) from every ``import`` in every module, including imports inside
functions (a lazy import still is a dependency: it only moves the failure to run time). A module-level cycle
(``a`` imports ``b`` imports ``a``) makes import order matter; a package-level cycle (a module of
``kudos/`` imports ``team/``, and one of ``team/`` imports ``kudos/``) means neither package can be
understood, tested or changed alone. Package level: a module of a sub-package counts as that sub-package
(``companion.kudos.service`` -> ``companion.kudos``); a top-level module counts as itself
(``companion.config``).
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def import_graph(root: Path, package: str = "companion") -> tuple[dict[str, set[str]], dict[str, Path]]:
    """Each module of ``package`` under ``root`` -> the modules of that package it imports."""
    paths = {module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = here.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1])
                    source = f"{base}.{node.module}" if node.module else base
                else:
                    source = node.module or ""
                # ``from companion.db import models`` imports the module companion.db.models
                targets = [source, *(f"{source}.{alias.name}" for alias in node.names)]
            else:
                continue
            for target in targets:
                # ``import a.b.c`` imports the package a.b too, but only the deepest known module is the
                # dependency that matters (a package's __init__ importing nothing of its own is a leaf)
                while target and target not in paths:
                    target = target.rpartition(".")[0]
                if target and target != name and target != package:
                    deps.add(target)
        graph[name] = deps
    return graph, paths


def package_of(module: str, package: str = "companion") -> str:
    """``companion.kudos.service`` -> ``companion.kudos``; ``companion.config`` -> itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else package


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for module, deps in graph.items():
        source = package_of(module)
        packages.setdefault(source, set())
        for dep in deps:
            target = package_of(dep)
            if target != source:
                packages[source].add(target)
    return packages


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted; sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in sorted(graph.get(node, ())):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def explain(component: list[str], graph: dict[str, set[str]], edges: dict[tuple[str, str], list[str]]) -> str:
    members = set(component)
    lines = [" <-> ".join(component)]
    for source in component:
        for target in sorted(graph[source] & members):
            lines.append(f"    {source} -> {target}" + (f"  ({', '.join(edges[source, target])})"
                                                         if edges.get((source, target)) else ""))
    return "\n".join(lines)


def test_no_module_imports_itself_back():
    graph, _ = import_graph(ROOT)
    found = cycles(graph)
    assert found == [], "module-level import cycles:\n" + "\n".join(explain(c, graph, {}) for c in found)


def test_no_package_imports_itself_back():
    graph, _ = import_graph(ROOT)
    packages = package_graph(graph)
    edges: dict[tuple[str, str], list[str]] = {}
    for module, deps in graph.items():
        for dep in sorted(deps):
            edges.setdefault((package_of(module), package_of(dep)), []).append(f"{module} -> {dep}")
    found = cycles(packages)
    assert found == [], "package-level import cycles:\n" + "\n".join(explain(c, packages, edges) for c in found)


def test_the_checker_finds_module_and_package_cycles(tmp_path):
    pkg = tmp_path / "companion"
    (pkg / "team").mkdir(parents=True)
    (pkg / "kudos").mkdir()
    for init in (pkg, pkg / "team", pkg / "kudos"):
        (init / "__init__.py").write_text("")
    (pkg / "engine.py").write_text("def f():\n    from companion.migrate import g\n")  # lazy: still an edge
    (pkg / "migrate.py").write_text("from companion.engine import f\n")
    (pkg / "team" / "inbound.py").write_text("from ..kudos import rules\n")  # relative import
    (pkg / "kudos" / "rules.py").write_text("")
    (pkg / "kudos" / "service.py").write_text("import companion.team.inbound\n")
    graph, _ = import_graph(tmp_path)
    assert cycles(graph) == [["companion.engine", "companion.migrate"]]
    assert cycles(package_graph(graph)) == [["companion.engine", "companion.migrate"],
                                                    ["companion.kudos", "companion.team"]]

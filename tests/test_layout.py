"""The layout's promises (README "Where things live"): imports run one way, with no cycle,
and nothing but the Pulumi program imports infra/. Read from the source with ast, lazy
imports included."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "services", "emulator", "cli", "tools", "e2e", "facts", "infra", "policy",
            "bench", "deploy")
# services/ by layer: a module may import its own layer or one below it, never above. The
# events dispatcher's work (services/events/) sits under its handler, beside the HTTP edge.
LAYERS = ("services.handlers", "services.events", "services.edge", "services.domain",
          "services.data")
LEAVES = ("services.errors",)  # imported by every layer; imports nothing of ours


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" in path.parts:
                continue
            name = _module_name(path)
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module)
                    found.update(f"{node.module}.{alias.name}" for alias in node.names)
            graph[name] = {target for target in found if target.split(".")[0] in PACKAGES}
    # Keep only edges to modules that exist (a `from pkg import name` may name a function).
    return {name: {t for t in targets if t in graph and t != name}
            for name, targets in graph.items()}


GRAPH = _imports()


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_graph_is_read() -> None:
    assert "services.handlers.create_todo" in GRAPH
    assert "services.edge.api" in GRAPH["services.handlers.create_todo"]


def test_no_import_cycle() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize("package", ["models", "services", "emulator", "cli", "tools", "e2e",
                                     "facts", "bench", "policy"])
def test_nothing_but_the_pulumi_program_imports_infra(package: str) -> None:
    arrows = [(m, t) for m, targets in GRAPH.items() if _in(m, package)
              for t in targets if _in(t, "infra")]
    assert arrows == []


def test_the_runtime_imports_no_dev_tooling() -> None:
    runtime = [m for m in GRAPH if _in(m, "services") or _in(m, "models")]
    arrows = [(m, t) for m in runtime for t in GRAPH[m]
              if not (_in(t, "services") or _in(t, "models"))]
    assert arrows == []


def test_services_layers_point_down() -> None:
    def rank(module: str) -> int | None:
        for i, layer in enumerate(LAYERS):
            if _in(module, layer):
                return i
        return None

    upward = []
    for module, targets in GRAPH.items():
        own = rank(module)
        for target in targets:
            theirs = rank(target)
            if own is not None and theirs is not None and theirs < own:
                upward.append((module, target))
            if module in LEAVES and _in(target, "services"):
                upward.append((module, target))
    assert upward == []
    assert all(_in(t, "models") for t in set().union(*(GRAPH[m] for m in GRAPH
                                                        if _in(m, "models"))))


def test_the_emulator_drives_nothing_above_it() -> None:
    """emulator/ emulates AWS: the command line and the generators call it, never the reverse."""
    arrows = [(m, t) for m, targets in GRAPH.items() if _in(m, "emulator")
              for t in targets if _in(t, "cli") or _in(t, "tools") or _in(t, "e2e")]
    assert arrows == []


def test_the_e2e_suite_imports_only_itself() -> None:
    arrows = [(m, t) for m, targets in GRAPH.items() if _in(m, "e2e")
              for t in targets if not _in(t, "e2e")]
    assert arrows == []

"""The layers of docs/architecture.md hold: no import points back up, the core stays pure.

Every ``import`` and ``from ... import`` in ``src/invitekit`` (at module level or
inside a function) is read with :mod:`ast`, so a lazy import cannot hide an arrow.
Imports under ``if TYPE_CHECKING:`` are annotations only and do not count.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import invitekit

PACKAGE = Path(invitekit.__file__).parent

# The layers, lowest first.  A module may import its own layer and those below.
LAYERS = {
    "exceptions": 0,
    "core": 1,
    "flows": 2,
    "facade": 3,
    "outside": 4,  # adapters, the command, testing, the pytest plugin: they may use everything
}
OPTIONAL = (
    "sqlalchemy",
    "psycopg",
    "pymysql",
    "aiosmtpd",
    "hypothesis",
    "pytest",
    "httpx",
    "standardwebhooks",
)
SIZE_LIMITS = {"module": 700, "class": 450}


def layer_of(module: str) -> str:
    parts = module.split(".")[1:]
    head = parts[0] if parts else ""
    if head == "exceptions":
        return "exceptions"
    if head == "flows":
        return "flows"
    if head in {"facade", "service", ""}:  # "" is invitekit/__init__.py
        return "facade"
    if head in {"adapters", "cli", "testing", "pytest_plugin"}:
        return "outside"
    return "core"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _run_time_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:``."""
    nodes: list[ast.AST] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        nodes.append(node)
        for child in ast.iter_child_nodes(node):
            typing_only = isinstance(child, ast.If) and ast.unparse(child.test).endswith(
                "TYPE_CHECKING"
            )
            if not typing_only:
                pending.append(child)
    return nodes


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = module_name(path)
    for node in _run_time_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")
                base = base[: len(base) - node.level + (path.name == "__init__.py")]
                found.add(".".join([*base, node.module or ""]).rstrip("."))
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_no_import_points_to_a_higher_layer(path: Path) -> None:
    importer = module_name(path)
    own = LAYERS[layer_of(importer)]
    upward = sorted(
        name
        for name in imports_of(path)
        if name.startswith("invitekit.") and LAYERS[layer_of(name)] > own
    )
    assert upward == [], f"{importer} ({layer_of(importer)}) imports {upward}"


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if layer_of(module_name(p)) != "outside"],
    ids=lambda p: module_name(p),
)
def test_the_core_imports_no_optional_dependency(path: Path) -> None:
    optional = sorted(name for name in imports_of(path) if name.split(".")[0] in OPTIONAL)
    assert optional == []


def test_exceptions_import_nothing_else_from_the_package() -> None:
    imported = imports_of(PACKAGE / "exceptions.py")
    assert not [name for name in imported if name.startswith("invitekit")]


def test_importing_the_package_loads_no_adapter_or_optional_dependency() -> None:
    code = (
        "import sys, invitekit, invitekit.testing;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{OPTIONAL!r} or m.startswith('invitekit.adapters.s')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_no_module_or_class_is_longer_than_the_limits(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= SIZE_LIMITS["module"]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= SIZE_LIMITS["class"], f"class {node.name}: {length} lines"

"""The source tree is the pipeline: every module imports, no package imports upwards, no cycle.

The order of the stages is :data:`PIPELINE` below, documented in docs/development.md ("The
source tree"); the test reads every import of every module, those inside functions too, since
a deferred import is still a dependency (it only moves its cost to first use).
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "zhibu"
DEVELOPMENT = Path(__file__).resolve().parents[1] / "docs" / "development.md"

# Lowest first: a unit may import from its own stage and the stages before it, never after.
PIPELINE: tuple[tuple[str, ...], ...] = (
    ("zhibu", "zhibu.errors", "zhibu.faults", "zhibu.assets"),  # the package, failures, test pause points, shipped files
    ("zhibu.model",),  # pure values
    ("zhibu.store",),  # I/O, one module per library
    ("zhibu.format",),  # file kinds, fields, the loader, JSON Schemas, finding codes
    ("zhibu.history",),  # the git trail, read into values
    ("zhibu.rules",),  # the rule kinds and their registry
    ("zhibu.standard",),  # B+T+X merged, the rating scheme
    ("zhibu.check",),  # the check as a library call
    ("zhibu.report",),  # check results for people and scripts
    ("zhibu.schedule",),  # what falls due, the calendar
    ("zhibu.render",),  # documents: descriptions and writers
    ("zhibu.committee",),  # many branches at once
    ("zhibu.write",),  # every change to a branch
    ("zhibu.examples",),  # one example per finding code, run live
    ("zhibu.cli", "zhibu.__main__"),  # the thin command line
    ("zhibu.docs",),  # generates docs/ from all of the above
)

# Each third-party library has one owner (the command line owns click).
OWNERS = {
    "ruamel": {"zhibu.store.yamlio"},
    "_ruamel_yaml": {"zhibu.store.yamlio"},
    "git": {"zhibu.store.gitrepo"},
    "chinese_calendar": {"zhibu.store.holidays"},
    "docx": {"zhibu.render.docx"},
    "openpyxl": {"zhibu.render.xlsx"},
    "tabulate": {"zhibu.report.table"},
    "wcwidth": {"zhibu.report.table"},
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, int]]:
    """(imported module or package, line) for every import in the module, deferred ones included."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.append((full if full in MODULES else target, node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
    return found


def _stage(module: str) -> int | None:
    best = None
    for index, units in enumerate(PIPELINE):
        for unit in units:
            if (module == unit or module.startswith(unit + ".")) and (unit != "zhibu" or module == "zhibu"):
                if best is None or len(unit) > best[1]:
                    best = (index, len(unit))
    return best[0] if best else None


def test_every_module_imports():
    for name in MODULES:
        if name != "zhibu.__main__":  # runs the command line
            importlib.import_module(name)


def test_every_module_has_a_stage():
    assert [m for m in MODULES if _stage(m) is None] == []


def test_no_module_imports_against_the_pipeline():
    upward = []
    for name, path in MODULES.items():
        for target, line in _imports(name, path):
            if not target.startswith("zhibu") or target == name:
                continue
            if _stage(target) > _stage(name):
                upward.append(f"{path.relative_to(SRC)}:{line} {name} → {target}")
    assert upward == []


def test_the_rules_never_touch_git():
    """Signatures and the trail reach the rules as values (rules.registry.Context)."""
    offenders = [
        f"{name} → {target}"
        for name, path in MODULES.items()
        if name.startswith("zhibu.rules")
        for target, _ in _imports(name, path)
        if target in ("git", "zhibu.store.gitrepo") or target.startswith("zhibu.history")
    ]
    assert offenders == []


def test_no_import_cycle():
    graph = {
        name: {t for t, _ in _imports(name, path) if t in MODULES and t != name and not name.startswith(t + ".")}
        for name, path in MODULES.items()
    }
    # A package's __init__ importing its own submodules (the rule registry loading its kinds)
    # is how a package is assembled, not a cycle, as long as no submodule imports the package back.
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node) :] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        stack.pop()

    for name in sorted(graph):
        visit(name)
    assert cycles == []


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_one_module_owns_each_library(library):
    users = {name for name, path in MODULES.items() for target, _ in _imports(name, path) if target.split(".")[0] == library}
    assert users == OWNERS[library]


def test_few_modules_at_the_top():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top


def _only_a_docstring(path: Path) -> bool:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return len(body) <= 1 and all(isinstance(n, ast.Expr) for n in body)


def test_the_module_map_matches_the_tree():
    """docs/development.md names every module (a package's ``__init__.py`` when it holds code),
    and names none that does not exist."""
    text = DEVELOPMENT.read_text(encoding="utf-8")
    section = text[text.index("## The source tree") :]
    section = section[: section.index("\n## ", 4)]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    named = {m for cell in first_cells for m in re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`", cell)}
    files = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if p.name != "__main__.py" and not _only_a_docstring(p)}
    assert sorted(files - named) == [], "modules missing from the map"
    assert sorted(named - files) == [], "the map names modules that are not in the tree"
    order = re.findall(r"^\d+\. `([a-z_./]+)`", section, flags=re.M)
    documented = [o.rstrip("/").removesuffix(".py").replace("/", ".") for o in order]
    expected = [u.removeprefix("zhibu.") for units in PIPELINE[1:] for u in units if u != "zhibu.__main__"]
    assert documented == expected

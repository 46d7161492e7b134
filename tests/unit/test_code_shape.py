"""The code's shape, checked: notebooks read as narrative plus calls, analysis is pure, and no
module reaches into another's private names."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.config import NOTEBOOK_DIR, ROOT

SRC = ROOT / "src" / "helpers"
TESTS = ROOT / "tests"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))
MAX_CELL_LINES = 15
MAX_BRANCHES = 10
#: Names a notebook would test to branch on where its data came from.
SOURCE_NAMES = {
    "source",
    "data_path",
    "kind",
    "reported",
    "official",
    "primary",
    "synthetic",
    "is_default_pair",
    "is_answered",
    "isinstance",
    "Unanswered",
}


def code_cells(path: Path) -> list[str]:
    """Source of every code cell but the parameters cell."""
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]


def names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def test_notebooks_are_narrative_plus_calls():
    longest, statements, expressions = 0, 0, 0
    for path in NOTEBOOKS:
        for source in code_cells(path):
            longest = max(longest, sum(1 for line in source.splitlines() if line.strip()))
            statements += len(re.findall(r"(?m)^\s*(if|elif)\b", source))
            expressions += sum(isinstance(n, ast.IfExp) for n in ast.walk(ast.parse(source)))
    print(f"longest code cell {longest} lines; if/elif statements {statements}; conditional expressions {expressions}")
    assert longest <= MAX_CELL_LINES
    assert statements + expressions <= MAX_BRANCHES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_tests_the_source_of_its_data(path):
    for source in code_cells(path):
        for node in ast.walk(ast.parse(source)):
            tests = []
            if isinstance(node, (ast.If, ast.IfExp, ast.While)):
                tests.append(node.test)
            elif isinstance(node, ast.comprehension):
                tests += node.ifs
            elif isinstance(node, (ast.Compare, ast.BoolOp)):
                tests.append(node)
            for test in tests:
                found = names_in(test) & SOURCE_NAMES
                assert not found, f"{path.name} branches on {sorted(found)}: {ast.unparse(test)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_hold_no_injected_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert not [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]


#: Module roots analysis may not import: plotting, files and the modules that read them.
IMPURE = ("matplotlib", "seaborn", "pathlib", "os", "io", "shutil", "csv", "pyarrow", "helpers.plots")
IMPURE += ("helpers.tables", "helpers.config", "helpers.pipeline", "helpers.evidence")
#: Declarations analysis may import from those packages: table enums and the shape of official flows.
PURE_DECLARATIONS = ("helpers.tables.specs", "helpers.official.schema", "helpers.official.countries")
#: Calls that read or write files.
FILE_CALLS = {"open", "read_csv", "read_table", "read_pickle", "read_parquet", "to_csv", "to_pickle", "Path"}
FILE_CALLS |= {"read_text", "write_text", "read_bytes", "write_bytes", "savefig"}


@pytest.mark.parametrize("path", sorted((SRC / "analysis").glob("*.py")), ids=lambda p: p.stem)
def test_analysis_opens_no_file_and_imports_no_plotting(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            modules = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            modules = []
        for module in modules:
            if module.startswith(PURE_DECLARATIONS):
                continue
            assert not any(module == m or module.startswith(m + ".") for m in IMPURE), f"{path.name} imports {module}"
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in FILE_CALLS, f"{path.name} line {node.lineno} calls {name}()"


#: Modules importing analysis must not load: plotting, and the readers of official downloads.
HEAVY = ("matplotlib", "seaborn", "helpers.plots", "helpers.official.stream", "helpers.official.read")


def test_importing_every_analysis_module_loads_no_plotting_library():
    modules = ", ".join(f"helpers.analysis.{p.stem}" for p in sorted((SRC / "analysis").glob("*.py")))
    code = f"import {modules}; import sys; bad = [m for m in {HEAVY!r} if m in sys.modules]; print(','.join(bad))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_runner_worker_gets_papermill_without_loading_pyarrow_and_pyarrow_stays_importable():
    code = (
        "import sys; from helpers.pipeline import runner; runner._import_papermill(); "
        "loaded = [m for m in ('papermill', 'pyarrow', 'numpy') if m in sys.modules]; "
        "import pyarrow; print(','.join(loaded), pyarrow.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["papermill", "pyarrow"]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT / "src") if path.is_relative_to(ROOT / "src") else path.relative_to(ROOT)
    parts = list(rel.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_under_test(path: Path) -> str | None:
    """The helpers module a test file is about: tests/unit/test_volume.py -> any helpers.*.volume."""
    return path.stem.removeprefix("test_") if path.name.startswith("test_") else None


def private_uses(path: Path) -> list[str]:
    """Private names of other helpers modules that ``path`` imports or reads as attributes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path)
    about = module_under_test(path)
    aliases: dict[str, str] = {}
    found = []

    def foreign(module: str) -> bool:
        if module == own or module.startswith("helpers") is False:
            return False
        return not (about and module.rsplit(".", 1)[-1] == about)

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
            for a in node.names:
                full = f"{node.module}.{a.name}"
                aliases[a.asname or a.name] = full
                if a.name.startswith("_") and foreign(node.module):
                    found.append(f"{full} imported at line {node.lineno}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("helpers"):
                    aliases[a.asname or a.name.split(".")[0]] = a.asname and a.name or a.name.split(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            if isinstance(base, ast.Name) and base.id in aliases and foreign(aliases[base.id]):
                found.append(f"{aliases[base.id]}.{node.attr} at line {node.lineno}")
    return found


@pytest.mark.parametrize(
    "path",
    sorted(SRC.rglob("*.py")) + sorted(TESTS.rglob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_private_name_is_used_outside_its_module(path):
    assert private_uses(path) == []


def environment_reads(path: Path) -> list[str]:
    """Where ``path`` reads the process environment (``os.environ.get``, ``os.getenv``, ``os.environ[...]``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = ast.unparse(node.func)
            if target in ("os.getenv", "os.environ.get", "environ.get", "os.environ.copy"):
                found.append(f"{target}() at line {node.lineno}")
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if ast.unparse(node.value) in ("os.environ", "environ"):
                found.append(f"os.environ[...] at line {node.lineno}")
        elif isinstance(node, ast.Compare) and any(ast.unparse(c) == "os.environ" for c in node.comparators):
            found.append(f"'in os.environ' at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", sorted(p for p in SRC.rglob("*.py") if p.name != "config.py"), ids=lambda p: p.stem)
def test_only_config_reads_the_environment(path):
    assert environment_reads(path) == []


def test_readme_lists_every_environment_variable_config_reads():
    from helpers.config import ENVIRONMENT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"(?m)^\| `([A-Z_]+)` \| (.+) \|$", section))
    assert rows == ENVIRONMENT


def test_readme_lists_every_module_of_the_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        assert path.name in layout, f"{path.relative_to(SRC)} is not in the README's layout section"
    for folder in sorted(p for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__")):
        assert f"{folder.name}/" in layout

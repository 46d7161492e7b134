"""Project-level promises: locked environment in step, provenance manifest, no machine paths in notebooks."""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from helpers.config import DATA_DIR, NOTEBOOK_DIR, ROOT
from helpers.tables.manifest import build_manifest, data_dictionary, sha256


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_lock_pins_every_declared_dependency_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    names = {_norm(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in declared}
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {_norm(m.group(1)): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock, re.M)}
    assert names <= set(pinned), f"not pinned: {sorted(names - set(pinned))}"


def test_environment_yml_installs_the_lock():
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "-r requirements.lock" in env and "-e ." in env
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    version = re.search(r"python=(\d+\.\d+)", env).group(1)
    assert requires == f">={version}"


def test_manifest_matches_shipped_files():
    manifest = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    listed = {r["path"] for r in manifest["resources"]}
    assert listed == {p.name for p in DATA_DIR.glob("*.csv")}
    for res in manifest["resources"]:
        assert res["hash"] == f"sha256:{sha256(DATA_DIR / res['path'])}", f"{res['path']} changed since recorded"
        assert res["licenses"] and res["schema"]["fields"]


def test_manifest_is_what_record_would_write():
    on_disk = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    assert on_disk == build_manifest(DATA_DIR)
    assert (DATA_DIR / "README.md").read_text(encoding="utf-8") == data_dictionary(DATA_DIR)


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_stored_notebooks_hold_nothing_volatile(path):
    text = path.read_text(encoding="utf-8")
    import tempfile

    assert str(ROOT) not in text and tempfile.gettempdir() + "/" not in text
    nb = json.loads(text)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        assert "papermill" not in cell["metadata"] and "execution" not in cell["metadata"]
        for out in cell.get("outputs", []):
            blob = json.dumps(out.get("data", {}).get("text/plain", "")) + json.dumps(out.get("text", ""))
            assert not re.search(r" at 0x[0-9a-f]+", blob), f"object repr in {path.name}"
            assert out.get("output_type") != "error"
    assert set(nb["metadata"].get("papermill", {})) <= {"parameters"}


def test_readme_findings_match_the_stored_notebooks():
    from helpers.pipeline import findings

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[
        text.index(findings.FINDINGS_START) + len(findings.FINDINGS_START) : text.index(findings.FINDINGS_END)
    ].strip()
    assert block == findings.findings_markdown(NOTEBOOK_DIR)
    assert block.count("\n- ") + 1 == len(list(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb")))


def test_readme_documents_every_notebook_and_both_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in text and "make test" in text
    for path in NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"):
        assert f"`{path.name}`" in text, f"README lacks a paragraph on {path.name}"


def test_parameters_command_prints_the_cells_the_schema_declares(capsys):
    from helpers.__main__ import main
    from helpers.pipeline import schema

    assert main(["parameters"]) == 0
    out = capsys.readouterr().out
    for stem in ("01-trade-volume", "02-composition", "03-influence-timeline", "04-claims-check"):
        assert f"# {stem}\n{schema.parameters_cell(stem)}" in out

"""The execution cache: a report's notebook runs again only when something it depends on changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers import config
from helpers.errors import RunError
from helpers.pipeline import executions, runner
from tests.fixtures import make_notebook

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A tmp project root with two tiny notebooks (01 reads a file and takes ``answer``), and a cache."""
    monkeypatch.setattr(config, "ROOT", tmp_path)
    monkeypatch.setenv("COLLECTION_EXECUTION_CACHE", str(tmp_path / "cache"))
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    (tmp_path / "input.txt").write_text("first", encoding="utf-8")
    reader = f"print(open({str(tmp_path / 'input.txt')!r}).read(), answer)"
    make_notebook(nbs / "01-reads.ipynb", "answer: int = 1  # the answer", reader)
    make_notebook(nbs / "02-other.ipynb", "other: int = 2  # another", "print(other)")
    return tmp_path


def report(root, capsys, params=None, force=False) -> dict[str, str]:
    """Run; each notebook's line as printed, checked against run.json."""
    out = runner.run(params, notebook_dir=root / "notebooks", reports_dir=root / "reports", run_name="t", force=force)
    printed = [line for line in capsys.readouterr().out.splitlines() if line[:2].isdigit()]
    lines = {line[:2]: line[3:] for line in printed}
    recorded = json.loads((out / "run.json").read_text(encoding="utf-8"))["executions"]
    assert [r["executed"] for r in recorded] == [not v.startswith("reused") for v in lines.values()]
    return lines


def test_only_what_changed_is_executed_again(project, capsys, monkeypatch):
    root = project
    assert report(root, capsys) == {"01": "executed: not run before", "02": "executed: not run before"}
    assert report(root, capsys) == {"01": "reused", "02": "reused"}
    # a file the kernel read (recorded by the audit hook, declared nowhere)
    (root / "input.txt").write_text("second", encoding="utf-8")
    assert report(root, capsys) == {"01": "executed: input.txt changed", "02": "reused"}
    assert "second 1" in (root / "reports/t/01-reads.html").read_text(encoding="utf-8")
    # a parameter only 01 receives
    params = root / "p.yaml"
    params.write_text("answer: 5\n", encoding="utf-8")
    assert report(root, capsys, params) == {"01": "executed: parameters changed (answer)", "02": "reused"}
    # the notebook itself
    make_notebook(root / "notebooks/02-other.ipynb", "other: int = 2  # another", "print(other + 1)")
    assert report(root, capsys, params) == {"01": "reused", "02": "executed: the notebook changed"}
    # a template of the pages: nothing executes, the pages are rendered again
    monkeypatch.setattr(executions, "template_digest", lambda: "other templates")
    assert set(report(root, capsys, params).values()) == {"reused (pages rendered again: templates changed)"}
    assert report(root, capsys, params) == {"01": "reused", "02": "reused"}
    # the code of helpers, then the locked environment (both are in every notebook's key)
    monkeypatch.setattr(executions, "code_digest", lambda: "other code")
    assert set(report(root, capsys, params).values()) == {"executed: the code of helpers changed"}
    monkeypatch.setattr(executions, "environment_digest", lambda: "other environment")
    assert set(report(root, capsys, params).values()) == {"executed: the environment changed"}
    assert report(root, capsys, params, force=True) == {"01": "executed: --force", "02": "executed: --force"}
    # an earlier state of the input is still in the cache, and is recognised by its bytes
    (root / "input.txt").write_text("first", encoding="utf-8")
    monkeypatch.undo()
    monkeypatch.setattr(config, "ROOT", root)
    monkeypatch.setenv("COLLECTION_EXECUTION_CACHE", str(root / "cache"))
    assert report(root, capsys) == {"01": "reused", "02": "reused"}


def test_the_reason_names_the_values_that_differ_from_the_closest_earlier_run(project, capsys):
    root = project
    make_notebook(root / "notebooks/01-reads.ipynb", "a: int = 1  # one\nb: int = 1  # another", "print(a, b)")
    params = root / "p.yaml"
    for values, said in (
        ("a: 1\nb: 1\n", "executed: not run before"),
        ("a: 2\nb: 2\n", "executed: parameters changed (a, b)"),
        # closest: the first run (only b differs), though the last run is more recent
        ("a: 1\nb: 3\n", "executed: parameters changed (b)"),
    ):
        params.write_text(values, encoding="utf-8")
        assert report(root, capsys, params)["01"] == said


def test_a_failed_run_is_never_stored_and_off_means_off(project, capsys, monkeypatch):
    root = project
    make_notebook(root / "notebooks/02-other.ipynb", "other: int = 2  # another", "1/0")
    with pytest.raises(RunError, match="ZeroDivisionError"):
        report(root, capsys)
    assert not list((root / "cache").rglob("entry.json"))  # not even the notebook that succeeded
    make_notebook(root / "notebooks/02-other.ipynb", "other: int = 2  # another", "print(other)")
    monkeypatch.setenv("COLLECTION_EXECUTION_CACHE", "off")
    assert set(report(root, capsys).values()) == {"executed: execution cache off"}
    assert not (root / "cache").exists()


def test_the_path_that_finds_nothing_to_do_imports_no_heavy_library(project, capsys):
    """The whole command (``python -m helpers run`` with a parameter file and ``--set``), not the runner alone."""
    root = project
    params = root / "p.yaml"
    params.write_text("answer: 3\n", encoding="utf-8")
    out = runner.run(
        params, notebook_dir=root / "notebooks", reports_dir=root / "reports", run_name="p", overrides={"other": 4}
    )
    assert "3 4" not in (out / "01-reads.html").read_text(encoding="utf-8")  # each notebook its own value
    code = (
        "import sys; from helpers.__main__ import main; main(sys.argv[1:]); "
        "print(sorted(m for m in ('pandas', 'papermill', 'nbconvert', 'matplotlib', 'nbformat', 'yaml') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "COLLECTION_EXECUTION_CACHE": str(root / "cache"), config.ROOT_ENV: str(root)}
    argv = [sys.executable, "-c", code, "run", "--params", "p.yaml", "--set", "other=4", "--name", "p"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=root, check=True)
    lines = done.stdout.splitlines()
    assert lines[:2] == ["01 reused", "02 reused"] and lines[-1] == "['yaml']", done.stdout + done.stderr
    assert lines[-3] == "Reports written. Open reports/p/index.html"  # relative to where it was typed
    elsewhere = root.parent / f"{root.name}-elsewhere"
    argv = [sys.executable, "-m", "helpers", "run", "--params", "p.yaml", "--name", "p"]
    argv += ["--reports-dir", str(elsewhere)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=root, check=True)
    index = (elsewhere / "p" / "index.html").resolve()
    assert f"Reports written. Open {index}\n  {index.as_uri()}\n" in done.stdout  # outside it: the whole path


def test_two_concurrent_runs_sharing_the_cache_both_succeed_and_the_next_reuses(project):
    """Two processes at once (other run names, one cache): both execute and store; the entries they
    leave are whole, so a third run reuses every notebook and its pages."""
    root = project
    code = (
        "import sys; from pathlib import Path; from helpers import config; config.ROOT = Path(sys.argv[1]); "
        "from helpers.pipeline import runner; "
        "runner.run(None, notebook_dir=config.ROOT / 'notebooks', reports_dir=config.ROOT / 'reports', "
        "run_name=sys.argv[2], workers=1)"  # one kernel each: the two runs overlap on the two cores
    )
    env = {**os.environ, "COLLECTION_EXECUTION_CACHE": str(root / "cache")}
    runs = [
        subprocess.Popen([sys.executable, "-c", code, str(root), name], stdout=subprocess.PIPE, text=True, env=env)
        for name in ("one", "two")
    ]
    outs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outs
    for out in outs:
        assert [line for line in out.splitlines() if line[:2].isdigit()] == [
            "01 executed: not run before",
            "02 executed: not run before",
        ]
    again = subprocess.run(
        [sys.executable, "-c", code, str(root), "two"], capture_output=True, text=True, env=env, check=True
    )
    assert [line for line in again.stdout.splitlines() if line[:2].isdigit()] == ["01 reused", "02 reused"]
    entries = list((root / "cache").rglob("entry.json"))
    assert all(json.loads(e.read_text(encoding="utf-8")) for e in entries)
    assert not [p for p in (root / "cache").rglob(".tmp-*")]  # the losing run's temporary folders are gone
    for name in ("one", "two"):
        assert "first 1" in (root / f"reports/{name}/01-reads.html").read_text(encoding="utf-8")


def test_a_changed_download_re_executes_the_notebook_whose_parameters_name_it(project, capsys):
    """An official download is an input by its bytes (its extracts are keyed by them), wherever it is read."""
    from tests.fixtures import COMTRADE_HEADER, comtrade_row, write

    root = project
    (root / "downloads").mkdir()
    download = root / "downloads" / "comtrade.csv"
    write(download, COMTRADE_HEADER, [comtrade_row(value=100.0), comtrade_row(flow="M", value=50.0)])
    params = 'source: str = "comtrade"  # where\ndata_path: str = "downloads/comtrade.csv"  # the download'
    make_notebook(root / "notebooks/03-download.ipynb", params, "print(source, data_path)")
    assert report(root, capsys)["03"] == "executed: not run before"
    assert report(root, capsys) == {"01": "reused", "02": "reused", "03": "reused"}
    write(download, COMTRADE_HEADER, [comtrade_row(value=101.0), comtrade_row(flow="M", value=50.0)])
    assert report(root, capsys) == {"01": "reused", "02": "reused", "03": "executed: downloads/comtrade.csv changed"}


def test_a_file_a_parameter_names_outside_the_project_is_an_input(project, tmp_path_factory, capsys):
    root = project
    outside = tmp_path_factory.mktemp("elsewhere") / "events.csv"
    outside.write_text("first", encoding="utf-8")
    make_notebook(
        root / "notebooks/03-path.ipynb", 'events_path: str = ""  # a file', "print(open(events_path).read())"
    )

    def line() -> str:
        runner.run(None, ["03"], "t", root / "reports", root / "notebooks", overrides={"events_path": str(outside)})
        return [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("03")][0]

    assert line() == "03 executed: not run before"
    outside.write_text("second", encoding="utf-8")
    assert line() == f"03 executed: {outside} changed"
    assert "second" in (root / "reports/t/03-path.html").read_text(encoding="utf-8")

"""The runner end to end on tiny notebooks, in temporary folders (never the real reports/)."""

from __future__ import annotations

import os

import nbformat
import pytest

from helpers.errors import ParameterError, RunError
from helpers.pipeline import runner
from tests.fixtures import make_notebook

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    make_notebook(
        nbs / "01-ok.ipynb",
        "answer: int = 1  # the answer",
        "print(f'answer is {answer}')",
        question="What is <b>the</b> answer?",
    )
    return nbs, tmp_path / "reports"


#: What ipykernel prints on a kernel's stderr when its TCP sockets are not encrypted.
PLAIN_TCP_WARNING = "Kernel is running over TCP without encryption"


def outputs_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def assert_no_kernel_warning(capfd) -> None:
    """Nothing the runner, its workers or their kernels wrote to the terminal is a kernel warning."""
    out, err = capfd.readouterr()
    assert PLAIN_TCP_WARNING not in out + err, err[-2000:]
    assert "[IPKernelApp] WARNING" not in out + err, err[-2000:]


def add_stale_injected_cell(path, source: str) -> None:
    """Give a notebook the injected-parameters cell and metadata an earlier papermill run leaves behind."""
    from nbformat.v4 import new_code_cell

    nb = nbformat.read(path, as_version=4)
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    cell["id"] = "injected-parameters"
    nb.cells.insert(2, cell)
    nb.metadata["papermill"] = {"parameters": {"answer": 99}}
    nbformat.write(nb, path)


def test_run_writes_notebook_pages_and_index(project, tmp_path, capfd):
    nbs, reports = project
    out = runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t")
    assert_no_kernel_warning(capfd)  # the kernel's transport is encrypted (CurveZMQ)
    assert out == reports / "t"
    assert "answer is 1" in outputs_text(out / "01-ok.ipynb")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="01-ok.html"' in index
    assert "What is &lt;b&gt;the&lt;/b&gt; answer?" in index  # question text is escaped
    page = (out / "01-ok.html").read_text(encoding="utf-8")
    assert "answer is 1" in page
    assert "cdnjs" not in page and "require.js" not in page  # self-contained
    assert (out / "01-ok.code.html").exists()
    # another parameter set changes the output
    yaml = tmp_path / "other.yaml"
    yaml.write_text("answer: 42\n", encoding="utf-8")
    out2 = runner.run(yaml, notebook_dir=nbs, reports_dir=reports)
    assert out2 == reports / "other"
    assert "answer is 42" in outputs_text(out2 / "01-ok.ipynb")
    injected = nbformat.read(out2 / "01-ok.ipynb", as_version=4).cells[2]  # a report records its parameters
    assert injected.id == "injected-parameters" and "answer = 42" in injected.source
    assert "papermill" not in "".join(nbformat.read(out2 / "01-ok.ipynb", as_version=4).cells[3].metadata.keys())


def test_kernels_see_the_run_context_the_checks_set_up_after_their_workers_started(tmp_path):
    """The workers start before the runner checks its inputs; each notebook's kernel still gets the run
    context as the checks left it (the store of checked tables), and its own figures folder."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    make_notebook(
        nbs / "01-context.ipynb",
        "answer: int = 1  # the answer",
        "from helpers import config\nprint('keys', sorted(config.run_context()))",
    )
    out = runner.run(None, notebook_dir=nbs, reports_dir=tmp_path / "reports", run_name="t")
    printed = outputs_text(out / "01-context.ipynb")
    assert "'tables_store'" in printed and "'figures'" in printed and "'notebook'" in printed, printed


def test_misspelt_parameter_is_refused_before_any_kernel(project, tmp_path):
    nbs, reports = project
    yaml = tmp_path / "typo.yaml"
    yaml.write_text("answr: 2\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown parameter 'answr'.*accepted: answer"):
        runner.run(yaml, notebook_dir=nbs, reports_dir=reports)
    assert not reports.exists()


def test_failing_cell_keeps_previous_report_and_partial_output(project):
    nbs, reports = project
    good = runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t")
    before = (good / "01-ok.ipynb").read_bytes()
    make_notebook(nbs / "01-ok.ipynb", "answer: int = 1  # the answer", "raise ValueError('broken on purpose')")
    with pytest.raises(RunError) as info:
        runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t")
    msg = str(info.value)
    assert "01-ok: cell 2 failed: ValueError: broken on purpose" in msg
    assert "t.failed" in msg and "untouched" in msg
    assert (good / "01-ok.ipynb").read_bytes() == before
    assert "broken on purpose" in "".join(
        str(o)
        for c in nbformat.read(reports / "t.failed" / "01-ok.ipynb", as_version=4).cells
        for o in c.get("outputs", [])
    )
    assert not any(p.name.startswith(".t.") for p in reports.iterdir())  # no staging folder or lock left behind


def test_second_run_on_the_same_name_is_refused(project):
    nbs, reports = project
    reports.mkdir()
    (reports / ".t.lock").write_text(str(os.getpid()), encoding="utf-8")
    with pytest.raises(RunError, match="another run on 't' is under way"):
        runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t")


def test_stale_lock_of_a_dead_process_is_taken_over(project):
    nbs, reports = project
    reports.mkdir()
    (reports / ".t.lock").write_text("999999999", encoding="utf-8")
    assert runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t").exists()


def test_in_place_replaces_stored_notebook_only_on_success(project):
    nbs, _ = project
    # a stored notebook from an earlier (parameterised) run: its stale injected cell must not survive
    add_stale_injected_cell(nbs / "01-ok.ipynb", "# Parameters\nanswer = 99\n")
    runner.run(None, notebook_dir=nbs, in_place=True)
    assert "answer is 1" in outputs_text(nbs / "01-ok.ipynb")
    stored = nbformat.read(nbs / "01-ok.ipynb", as_version=4)
    assert [c.id for c in stored.cells] == ["c0", "c1", "c2"]  # nothing injected: the parameters cell rules
    assert "papermill" not in stored.metadata
    assert not any(p.name.startswith(".executing") for p in nbs.iterdir())
    make_notebook(nbs / "01-ok.ipynb", "answer: int = 1  # the answer", "1/0")
    before = (nbs / "01-ok.ipynb").read_bytes()
    with pytest.raises(RunError, match="ZeroDivisionError"):
        runner.run(None, notebook_dir=nbs, in_place=True)
    assert (nbs / "01-ok.ipynb").read_bytes() == before


def test_in_place_refuses_values_other_than_the_notebooks_defaults(project, tmp_path, monkeypatch):
    """In place nothing is injected, so a value the parameters cell does not hold would be silently
    ignored: refused before any kernel starts, naming the value and the default. Equal values pass."""
    nbs, _ = project

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(runner, "_execute_all", no_kernel)
    make_notebook(nbs / "02-float.ipynb", "scale: float = 2e3  # a float written as 2e3", "print(scale)")
    before = {p.name: p.read_bytes() for p in nbs.iterdir()}
    other = tmp_path / "other.yaml"
    other.write_text("answer: 2\nscale: 2000\n", encoding="utf-8")
    with pytest.raises(
        ParameterError,
        match=r"--in-place .*other.yaml sets other values:\n  01-ok: answer = 2; its parameters cell says 1\n",
    ):
        runner.run(other, notebook_dir=nbs, in_place=True)
    assert {p.name: p.read_bytes() for p in nbs.iterdir()} == before
    assert runner.declared_default("2e3") == 2000.0 and runner.declared_default('["a", "b"]') == ["a", "b"]
    equal = {"01-ok": {"answer": 1}, "02-float": {"scale": 2000.0}}  # 2000 from YAML, 2e3 in the cell
    assert runner.differences_from_defaults(sorted(nbs.glob("*.ipynb")), equal) == []


def test_only_selects_by_prefix_and_refuses_unknown(project):
    nbs, reports = project
    make_notebook(nbs / "02-other.ipynb", "answer: int = 1  # the answer")
    assert [p.stem for p in runner._select(["02"], sorted(nbs.glob("*.ipynb")))] == ["02-other"]
    with pytest.raises(ParameterError, match="matches no notebook"):
        runner._select(["07"], sorted(nbs.glob("*.ipynb")))


def test_a_failed_write_keeps_the_previous_report(project, monkeypatch):
    import errno

    from helpers.pipeline import site

    nbs, reports = project
    good = runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t")
    before = sorted(p.name for p in good.iterdir())

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(site, "write_run_outputs", no_space)
    with pytest.raises(RunError, match="No space left on device.*t.failed.*untouched"):
        runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t")
    assert sorted(p.name for p in good.iterdir()) == before
    assert (reports / "t.failed" / "01-ok.ipynb").exists()
    assert not (reports / ".t.lock").exists()


def test_a_killed_run_leaves_the_previous_report_and_the_next_run_works(project, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    nbs, reports = project
    good = runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t")
    index_before = (good / "index.html").read_bytes()
    started = tmp_path / "kernel-started"  # the kernel touches it, then sleeps: the run is under way
    make_notebook(
        nbs / "01-ok.ipynb",
        "answer: int = 1  # the answer",
        f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep(60)",
    )
    code = (
        "import sys; from pathlib import Path; from helpers.pipeline import runner; "
        f"runner.run(None, notebook_dir=Path({str(nbs)!r}), reports_dir=Path({str(reports)!r}), run_name='t')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert started.exists() and (reports / ".t.lock").exists()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert (good / "index.html").read_bytes() == index_before
    make_notebook(nbs / "01-ok.ipynb", "answer: int = 1  # the answer", "print(f'answer is {answer}')")
    again = runner.run(None, notebook_dir=nbs, reports_dir=reports, run_name="t")  # the stale lock is taken over
    assert "answer is 1" in outputs_text(again / "01-ok.ipynb")
    assert not list(reports.glob(".t.*"))  # the killed run's partial folder is cleaned up


def test_adjacent_stream_outputs_are_merged_in_order():
    """A timer decides whether two prints reach the notebook as one stream output or two; the runner
    stores one, so two runs give the same notebook. Displays between prints keep their place."""
    from nbformat.v4 import new_output

    outs = [
        new_output("stream", name="stdout", text="a\n"),
        new_output("stream", name="stdout", text="b\n"),
        new_output("stream", name="stderr", text="warn\n"),
        new_output("display_data", data={"text/plain": "table"}),
        new_output("stream", name="stdout", text="c\n"),
        new_output("stream", name="stdout", text="d\n"),
    ]
    merged = runner.merge_adjacent_streams(outs)
    assert [(o["output_type"], o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "a\nb\n"),
        ("stream", "stderr", "warn\n"),
        ("display_data", None, None),
        ("stream", "stdout", "c\nd\n"),
    ]

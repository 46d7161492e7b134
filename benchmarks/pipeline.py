"""Benchmark: the whole collection's rebuild, with and without the execution cache, against the floor.

Run with ``make bench`` (never part of the tests). In one run, on this machine, interleaved over
``--reps`` repetitions (11 by default, at least 3; the median is reported: single repetitions on a shared
2-core machine swing widely, and medians of 5 moved the ratios by up to 0.09 between two runs), each the whole
command's wall time, in a
copy of the project (its own ``src``, data and execution cache, so nobody's edits interfere):

1. **full** — ``python -m helpers run --params params/default.yaml --force`` (every notebook executed);
2. **noop** — the same command again with nothing changed (every notebook reused);
3. **one_change** — the same command after a byte change to ``data/targets.csv`` (checksums re-recorded);
4. **floor** — per notebook, a notebook that only runs that notebook's own import statements (and its
   chart-style set-up), executed in parallel by the same runner with fresh kernels (``--force``);
5. with ``--baseline``, the naive loop: ``papermill`` then ``jupyter nbconvert --to html`` per notebook.

Prints last ``noop/full = X  one_change/full = Y  runner/floor = Z`` (goals: X <= 0.15, Y <= 0.6,
Z <= 1.5), the ratios of the medians; the line before says which goals each statistic meets, the ratio
of medians and the paired one (the median of each repetition's own ratio, its methods run back to back).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
#: The goals on two cores: noop/full, one_change/full and runner/floor at most these.
GOALS = {"noop/full": 0.15, "one_change/full": 0.6, "runner/floor": 1.5}


def notebook_imports(nb) -> str:
    """The import statements of a notebook's code cells (and its chart-style set-up, which imports
    seaborn), in order: what its floor notebook runs. Magics are translated as IPython does; imports
    inside ``if``/``try``/``with`` blocks count, imports inside functions do not (they run later)."""
    import ast

    from IPython.core.inputtransformer2 import TransformerManager

    to_python = TransformerManager().transform_cell
    kept = []

    def visit(body) -> None:
        for node in body:
            style = (
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "attr", "") == "apply_style"
            )
            if isinstance(node, (ast.Import, ast.ImportFrom)) or style:
                kept.append(ast.unparse(node))
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        visit(ast.parse(to_python(cell.source)).body)
    return "\n".join(dict.fromkeys(kept)) + "\n"


def measure(cmds: list[list[str]], cwd: Path) -> float:
    """Wall time of running ``cmds`` one after another (nothing else runs meanwhile)."""
    start = time.perf_counter()
    for cmd in cmds:
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}")
    return time.perf_counter() - start


def peak_memory(cmds: list[list[str]], cwd: Path) -> float:
    """Peak resident memory (MiB) of the whole process tree (runner, workers, kernels) at any moment.

    Measured in a run of its own: walking the process table every 0.1 s costs CPU on two cores and
    would slow down the run being timed.
    """
    import psutil

    peak = 0.0
    for cmd in cmds:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ps = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
                peak = max(peak, rss / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.1)
        if proc.returncode != 0:
            raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}")
    return peak


def baseline_cmds(out: Path) -> list[list[str]]:
    cmds = []
    for nb in NOTEBOOKS:
        target = out / nb.name
        cmds.append(
            [
                str(BIN / "papermill"),
                str(nb),
                str(target),
                "-f",
                str(ROOT / "params/default.yaml"),
                "--cwd",
                str(ROOT / "notebooks"),
            ]
        )
        cmds.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(target)])
    return cmds


def make_floor(folder: Path) -> Path:
    """Notebooks that only import what the real ones import, with the same names and parameters cells."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nbdir = folder / "notebooks"
    nbdir.mkdir(parents=True)
    for src in NOTEBOOKS:
        real = nbformat.read(src, as_version=4)
        params = next(c for c in real.cells if "parameters" in c.metadata.get("tags", []))
        nb = new_notebook(metadata=real.metadata)
        cell = new_code_cell(params.source, metadata={"tags": ["parameters"]})
        nb.cells = [cell, new_code_cell(notebook_imports(real))]
        nbformat.write(nb, nbdir / src.name)
    return nbdir


IGNORED = shutil.ignore_patterns(".venv", ".git", "reports", "downloads", "__pycache__", "*.egg-info", ".ruff_cache")


def copy_project(where: Path) -> dict[str, str]:
    """A copy of the project (sources, data, notebooks, parameters); the environment that runs it."""
    shutil.copytree(ROOT, where, ignore=IGNORED)
    env = dict(os.environ)
    env |= {"IRAN_IRAQ_ROOT": str(where), "PYTHONPATH": str(where / "src")}
    env |= {"COLLECTION_EXECUTION_CACHE": str(where.parent / "execution-cache"), "MPLBACKEND": "Agg"}
    return env


def change_targets(project: Path, env: dict[str, str], i: int) -> None:
    """A byte change to data/targets.csv (a new one each time), with the checksums re-recorded."""
    path = project / "data" / "targets.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\(background line\d*", f"(background line{i}", text, count=1), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "helpers", "data", "record"], cwd=project, env=env, check=True, capture_output=True
    )


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}")
    return time.perf_counter() - start


def run_cmd(*extra: str) -> list[str]:
    return [sys.executable, "-m", "helpers", "run", "--params", "params/default.yaml", *extra]


def runner_cmd(reports: Path, notebook_dir: Path | None = None) -> list[str]:
    code = (
        "from pathlib import Path; from helpers.pipeline import runner; "
        f"runner.run(Path({str(ROOT / 'params/default.yaml')!r}), reports_dir=Path({str(reports)!r})"
        + (f", notebook_dir=Path({str(notebook_dir)!r}))" if notebook_dir else ")")
    )
    return [sys.executable, "-c", code]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=11, help="repetitions per method (median reported; at least 3)")
    parser.add_argument("--baseline", action="store_true", help="also time the naive papermill + nbconvert loop")
    args = parser.parse_args()
    reps = max(3, args.reps)
    names = ["full", "noop", "one_change", "floor"] + (["baseline"] if args.baseline else [])
    results: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        project = tmpdir / "project"
        env = copy_project(project)
        floor_nbs = make_floor(tmpdir / "floor")
        floor = [sys.executable, "-c", runner_floor(floor_nbs, tmpdir / "floor-reports")]
        timed(run_cmd("--force"), project, env)  # untimed: the stores kept between runs are warm for all
        for i in range(reps):  # interleaved, so a slow spell of the machine hits every method
            results["full"].append(timed(run_cmd("--force"), project, env))
            results["noop"].append(timed(run_cmd(), project, env))
            change_targets(project, env, i + 1)
            results["one_change"].append(timed(run_cmd(), project, env))
            results["floor"].append(timed(floor, project, env))
            if args.baseline:
                out = tmpdir / f"baseline-{i}"
                out.mkdir()
                results["baseline"].append(measure(baseline_cmds(out), ROOT))
            print(
                "  rep " + str(i + 1) + ": " + "  ".join(f"{n} {r[-1]:.2f} s" for n, r in results.items()),
                file=sys.stderr,
            )
    print(f"\n{len(NOTEBOOKS)} notebooks, {reps} repetitions: median seconds (min-max)")
    med = {}
    for name, runs in results.items():
        med[name] = statistics.median(runs)
        print(f"{name:<11} {med[name]:>8.2f} {f'{min(runs):.2f}-{max(runs):.2f}':>13}")
    if args.baseline:
        print(f"runner/baseline = {med['full'] / med['baseline']:.2f}")

    def paired(a: str, b: str) -> float:  # each repetition's own ratio: its methods ran back to back
        return statistics.median(x / y for x, y in zip(results[a], results[b]))

    print(
        "paired (median of each repetition's ratio, beside the ratio of medians below): "
        f"noop/full = {paired('noop', 'full'):.2f}  one_change/full = {paired('one_change', 'full'):.2f}  "
        f"runner/floor = {paired('full', 'floor'):.2f}"
    )
    ratios = {
        "medians": {
            "noop/full": med["noop"] / med["full"],
            "one_change/full": med["one_change"] / med["full"],
            "runner/floor": med["full"] / med["floor"],
        },
        "paired": {
            "noop/full": paired("noop", "full"),
            "one_change/full": paired("one_change", "full"),
            "runner/floor": paired("full", "floor"),
        },
    }
    print(goals_line(ratios))
    print(
        f"noop/full = {med['noop'] / med['full']:.2f}  one_change/full = {med['one_change'] / med['full']:.2f}  "
        f"runner/floor = {med['full'] / med['floor']:.2f}"
    )
    return 0


def goals_line(ratios: dict[str, dict[str, float]]) -> str:
    """Whether each statistic (the ratio of medians, the paired median) meets the goals, as printed (2 decimals)."""

    def verdict(got: dict[str, float]) -> str:
        missed = [name for name, value in got.items() if round(value, 2) > GOALS[name]]
        return f"{', '.join(missed)} missed" if missed else "met"

    goals = ", ".join(f"{name} <= {goal}" for name, goal in GOALS.items())
    return f"goals ({goals}): " + "; ".join(f"{kind} {verdict(got)}" for kind, got in ratios.items())


def runner_floor(notebook_dir: Path, reports: Path) -> str:
    """The floor: the runner, forced, on the notebooks that only import."""
    return (
        "from pathlib import Path; from helpers.pipeline import runner; "
        f"runner.run(Path('params/default.yaml'), reports_dir=Path({str(reports)!r}), "
        f"notebook_dir=Path({str(notebook_dir)!r}), force=True)"
    )


if __name__ == "__main__":
    sys.exit(main())

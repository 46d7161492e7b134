"""Benchmark: the whole collection's rebuild against a naive baseline and against the floor.

Run with ``make bench`` (never part of the tests). In one run, on this machine:

1. **baseline** — for each notebook, the ``papermill`` command line, then ``jupyter nbconvert --to html``,
   one after another;
2. **runner** — ``python -m helpers run`` building the same reports (``make report`` minus set-up);
3. **floor** — per notebook, a notebook that only runs that notebook's own import statements (and
   its chart-style set-up), executed in parallel by the same runner with fresh kernels, plus
   writing its HTML.

Prints the median of ``--reps`` repetitions (at least 3, interleaved) and the peak resident memory
of each method's process tree (measured in one more run per method, so that the polling does not
slow down the timed runs), the times of ``make test`` and ``make check``, and last a line
``runner/baseline = R1  runner/floor = R2``.
"""

from __future__ import annotations

import argparse
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


def runner_cmd(reports: Path, notebook_dir: Path | None = None) -> list[str]:
    code = (
        "from pathlib import Path; from helpers.pipeline import runner; "
        f"runner.run(Path({str(ROOT / 'params/default.yaml')!r}), reports_dir=Path({str(reports)!r})"
        + (f", notebook_dir=Path({str(notebook_dir)!r}))" if notebook_dir else ")")
    )
    return [sys.executable, "-c", code]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3, help="repetitions per method (median reported; at least 3)")
    parser.add_argument("--skip-make", action="store_true", help="do not time make test / make check")
    args = parser.parse_args()
    reps = max(3, args.reps)
    results: dict[str, list[float]] = {"baseline": [], "runner": [], "floor": []}
    peaks: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        floor_nbs = make_floor(tmpdir / "floor")

        def commands(name: str, out: Path) -> list[list[str]]:
            out.mkdir()
            if name == "baseline":
                return baseline_cmds(out)
            return [runner_cmd(out)] if name == "runner" else [runner_cmd(out, floor_nbs)]

        # one untimed run first: the stores kept between runs (checked tables) are warm for every method
        measure(commands("runner", tmpdir / "warm-up"), ROOT)
        for i in range(reps):  # interleaved, so a slow spell of the machine hits every method
            for name in results:
                out = tmpdir / f"{name}-{i}"
                results[name].append(measure(commands(name, out), ROOT))
                shutil.rmtree(out, ignore_errors=True)
                print(f"  rep {i + 1}/{reps} {name}: {results[name][-1]:.1f} s", file=sys.stderr)
        for name in results:
            out = tmpdir / f"{name}-memory"
            peaks[name] = peak_memory(commands(name, out), ROOT)
            shutil.rmtree(out, ignore_errors=True)
    print(
        f"\n{len(NOTEBOOKS)} notebooks, {reps} repetitions: median seconds (min-max); "
        "peak memory of the process tree in a separate run"
    )
    print(f"{'method':<10} {'seconds':>8} {'range':>13} {'peak MiB':>9}")
    med = {}
    for name, runs in results.items():
        med[name] = statistics.median(runs)
        print(f"{name:<10} {med[name]:>8.2f} {f'{min(runs):.2f}-{max(runs):.2f}':>13} {peaks[name]:>9.0f}")
    if not args.skip_make:
        for target in ("check", "test"):
            seconds = measure([["make", target]], ROOT)
            print(f"make {target:<6} {seconds:>8.1f} s")
    print(
        f"floor/baseline = {med['floor'] / med['baseline']:.2f} "
        "(no runner that starts a fresh kernel per notebook can go below the floor); "
        f"the notebooks' own work costs the runner {med['runner'] - med['floor']:.2f} s over the floor"
    )
    print(f"runner/baseline = {med['runner'] / med['baseline']:.2f}  runner/floor = {med['runner'] / med['floor']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

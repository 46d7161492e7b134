"""The runner: execute the notebooks with papermill and render their reports.

``python -m helpers run [--params FILE] [--only NAME ...]``

* parameters are checked against each notebook before any kernel starts (``helpers.params``);
* every shipped data table is checked once, before any kernel starts; the kernels reuse the result;
* notebooks run in parallel in worker processes, one per core, each notebook with a fresh kernel of
  its own (worker processes, not threads, so concurrent kernel start-ups cannot hand out the same
  port twice inside one process; a start-up that still fails on a taken port is retried);
* everything is written to a fresh folder beside ``reports/<run>/`` and swapped in only when all
  notebooks succeeded, so a failed run never destroys the previous good report; the partial
  output stays in ``reports/<run>.failed/`` for debugging;
* a progress display on the terminal (stderr) says which notebook finished and how many are done;
  papermill's own progress bar is off, so nothing of it reaches a notebook.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import config
from helpers.config import NOTEBOOK_DIR, REPORTS_DIR, display_path
from helpers.errors import CollectionError, ParameterError, RunError

KERNEL = "python3"
PORT_RETRIES = 3


@dataclass
class Outcome:
    """What happened to one notebook."""

    name: str
    ok: bool
    seconds: float
    message: str = ""
    outputs: list[str] = field(default_factory=list)


def _is_port_race(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return "Address already in use" in text or "Kernel died before replying" in text


def scrub(path: Path) -> None:
    """Remove volatile metadata (timings, machine paths) from an executed notebook, in place."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {"parameters": pm.get("parameters", {})}
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id on every run
        if cell.get("outputs"):
            cell["outputs"] = merge_adjacent_streams(cell["outputs"])
    nbformat.write(nb, path)


def merge_adjacent_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name (stdout after stdout).

    The kernel flushes printed text on a timer, so where a cell prints, computes and prints again,
    a busy machine may deliver one stream message or two: merged, the same run gives the same
    notebook. Order against displays and other streams is kept.
    """
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and out.get("output_type") == "stream" == last.get("output_type")
            and out.get("name") == last.get("name")
        ):
            last["text"] = "".join(last["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def execute_one(
    source: str, target: str, parameters: dict[str, Any], render: bool, run_info: dict[str, Any]
) -> Outcome:
    """Execute one notebook (in a worker process) and render its HTML pages."""
    import papermill as pm

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    name = Path(source).stem
    if render:
        # the kernel inherits the run context: plots.style.show exports PNG, SVG and CSV of each figure
        context = config.run_context() | {"figures": str(Path(target).parent / "figures"), "notebook": name}
        os.environ.update(config.run_context_environment(**context))
    began = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        try:
            pm.execute_notebook(
                source,
                target,
                parameters=parameters,
                kernel_name=KERNEL,
                progress_bar=False,
                log_output=False,
                # papermill otherwise rewrites the whole output notebook (deep copy, schema
                # validation, JSON with every embedded chart) before and after every cell: about
                # half of a notebook's own run time here. It is written once at the end; on a
                # failing cell papermill still writes it, with the error, before raising. (A kernel
                # that dies or times out leaves no partial notebook: the message says what happened.)
                request_save_on_cell_execute=False,
                cwd=str(NOTEBOOK_DIR),
                # the notebook is finished: stop its kernel at once instead of waiting for a graceful exit
                shutdown_kernel="immediate",
            )
            break
        except pm.PapermillExecutionError as exc:
            scrub(Path(target))
            cell = exc.exec_count if exc.exec_count is not None else exc.cell_index
            return Outcome(
                name,
                False,
                time.perf_counter() - began,
                f"{name}: cell {cell} failed: {exc.ename}: {exc.evalue}",
                [target],
            )
        except Exception as exc:  # noqa: BLE001 - a kernel start-up race is retried, anything else reported
            if attempt < PORT_RETRIES and _is_port_race(exc):
                time.sleep(0.5 * attempt)
                continue
            return Outcome(
                name,
                False,
                time.perf_counter() - began,
                f"{name}: could not execute: {type(exc).__name__}: {exc}",
                [target],
            )
    scrub(Path(target))
    outputs = [target]
    if render:
        from helpers.pipeline import render as report

        outputs += report.render_notebook(Path(target), run_info)
    return Outcome(name, True, time.perf_counter() - began, "", outputs)


def _select(only: list[str] | None, notebooks: list[Path]) -> list[Path]:
    if not only:
        return notebooks
    chosen = []
    for want in only:
        hits = [p for p in notebooks if p.stem == want or p.stem.startswith(want)]
        if not hits:
            raise ParameterError(
                f"--only {want!r} matches no notebook; notebooks: {', '.join(p.stem for p in notebooks)}"
            )
        chosen += [h for h in hits if h not in chosen]
    return chosen


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", file=sys.stderr, leave=True, dynamic_ncols=True)


def _lock(folder: Path, run: str) -> Path:
    """Refuse a second run on the same run name while one is under way."""
    lock = folder / f".{run}.lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        owner = lock.read_text(encoding="utf-8", errors="replace").strip() or "?"
        try:
            alive = owner.isdigit() and (os.kill(int(owner), 0) is None)
        except OSError:
            alive = False
        if alive:
            raise RunError(
                f"another run on '{run}' is under way (process {owner}); wait for it or choose another run name with --name"
            ) from None
        lock.unlink(missing_ok=True)  # a stale lock from a killed run
        return _lock(folder, run)
    with os.fdopen(fd, "w") as fh:
        fh.write(str(os.getpid()))
    return lock


def run(
    params_file: Path | None = None,
    only: list[str] | None = None,
    run_name: str | None = None,
    reports_dir: Path = REPORTS_DIR,
    notebook_dir: Path = NOTEBOOK_DIR,
    in_place: bool = False,
    workers: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> Path:
    """Run the collection; return the report folder (or the notebook folder with ``in_place``)."""
    from helpers.pipeline import parameters as params_mod

    every = params_mod.notebook_paths(notebook_dir)
    notebooks = _select(only, every)
    if not notebooks:
        raise RunError(f"no notebooks found in {display_path(notebook_dir)}")
    # names are checked against the whole collection, so --only accepts the full parameter set
    per_notebook = params_mod.load(params_file, every, overrides)
    run_name = run_name or (params_file.stem if params_file else "default")
    import tempfile

    from helpers import tables

    with tempfile.TemporaryDirectory(prefix="collection-tables-") as scratch:
        # Every shipped table is checked once, before any kernel starts, into the store of checked
        # tables; the kernels then only read the store. With the user's store off, a store for
        # this run only. The run context is the one channel to the kernels.
        store = config.checked_tables_dir() or Path(scratch)
        previous = os.environ.get(config.RUN_CONTEXT_ENV)
        os.environ.update(config.run_context_environment(tables_store=str(store)))
        try:
            tables.check_shipped()
            if in_place:
                return _run_in_place(notebooks, per_notebook, workers)
            return _run_to_reports(notebooks, per_notebook, run_name, reports_dir, params_file, workers)
        finally:
            if previous is None:
                os.environ.pop(config.RUN_CONTEXT_ENV, None)
            else:
                os.environ[config.RUN_CONTEXT_ENV] = previous


def _run_to_reports(
    notebooks, per_notebook, run_name: str, reports_dir: Path, params_file: Path | None, workers: int | None
) -> Path:
    """Execute into a staging folder beside ``reports/<run>/`` and swap it in when everything succeeded."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock(reports_dir, run_name)
    try:
        final = reports_dir / run_name
        staging = reports_dir / f".{run_name}.partial-{os.getpid()}"
        failed = reports_dir / f"{run_name}.failed"
        for stale in reports_dir.glob(f".{run_name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed run; we hold the lock now
        for stale in reports_dir.glob(f".{run_name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging.mkdir(parents=True)
        run_info = {
            "run": run_name,
            "params_file": display_path(params_file) if params_file else "(notebook defaults)",
            "run_date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": _commit(),
        }
        outcomes = _execute_all(notebooks, per_notebook, staging, True, run_info, workers)
        bad = [o for o in outcomes if not o.ok]
        if bad:
            shutil.rmtree(failed, ignore_errors=True)
            staging.rename(failed)
            msg = "\n".join(o.message for o in bad)
            kept = (
                f"the previous report in {display_path(final)} is untouched"
                if final.exists()
                else "no previous report existed"
            )
            raise RunError(
                f"{len(bad)} notebook(s) failed:\n{msg}\nPartial output kept in {display_path(failed)}; {kept}."
            )
        from helpers.pipeline import render as report

        try:
            report.write_run_outputs(staging, outcomes, per_notebook, run_info)
        except OSError as exc:  # e.g. no space left on device: keep what was written, touch nothing else
            shutil.rmtree(failed, ignore_errors=True)
            staging.rename(failed)
            kept = (
                f"the previous report in {display_path(final)} is untouched"
                if final.exists()
                else "no previous report existed"
            )
            raise RunError(
                f"could not write the run's files: {exc.strerror or exc}. Partial output kept in {display_path(failed)}; {kept}."
            ) from None
        _swap(staging, final)
        shutil.rmtree(failed, ignore_errors=True)
        return final
    finally:
        lock.unlink(missing_ok=True)


def _swap(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` with two renames; the old report survives until the new one is in place."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _run_in_place(notebooks: list[Path], per_notebook: dict[str, dict[str, Any]], workers: int | None) -> Path:
    """Regenerate stored outputs in notebooks/ (``make notebooks``); each file is replaced only on success."""
    folder = notebooks[0].parent
    staging = folder / f".executing-{os.getpid()}"
    staging.mkdir(exist_ok=True)
    try:
        outcomes = _execute_all(notebooks, per_notebook, staging, False, {}, workers, flat=True)
        bad = [o for o in outcomes if not o.ok]
        if bad:
            raise RunError(
                "notebook(s) failed; stored notebooks left as they were:\n" + "\n".join(o.message for o in bad)
            )
        for nb in notebooks:
            (staging / nb.name).replace(nb)
        return folder
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _execute_all(
    notebooks, per_notebook, out_dir: Path, render: bool, run_info, workers, flat: bool = False
) -> list[Outcome]:
    import papermill  # noqa: F401 - imported once here, inherited by the forked workers

    if render:
        from helpers.pipeline import render as report

        report._exporter(True), report._exporter(False)  # templates loaded once, before the fork

    jobs = {}
    outcomes: list[Outcome] = []
    workers = workers or max(1, min(len(notebooks), os.cpu_count() or 1))
    bar = _progress(len(notebooks))
    try:
        import multiprocessing as mp

        # fork: workers inherit the imported papermill and nbconvert instead of importing them again
        context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for nb in sorted(notebooks, key=lambda p: -p.stat().st_size):  # longest first balances the workers
                target = out_dir / nb.name
                jobs[pool.submit(execute_one, str(nb), str(target), per_notebook[nb.stem], render, run_info)] = nb.stem
            for fut in as_completed(jobs):
                try:
                    outcome = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker is a failed notebook
                    outcome = Outcome(
                        jobs[fut], False, 0.0, f"{jobs[fut]}: worker crashed: {type(exc).__name__}: {exc}"
                    )
                outcomes.append(outcome)
                bar.set_postfix_str(f"{outcome.name} {'ok' if outcome.ok else 'FAILED'}")
                bar.update(1)
    finally:
        bar.close()
    order = {nb.stem: i for i, nb in enumerate(notebooks)}
    return sorted(outcomes, key=lambda o: order[o.name])


def _commit() -> str:
    """Short git commit of the working tree (with '+dirty' when it has changes), or 'unknown'."""
    import subprocess

    from helpers.config import ROOT

    try:
        sha = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (sha + ("+dirty" if dirty else "")) if sha else "unknown"


def main_run(args) -> int:
    """Entry point of ``python -m helpers run``."""
    from helpers.pipeline.parameters import parse_overrides

    try:
        out = run(
            overrides=parse_overrides(args.set),
            params_file=Path(args.params) if args.params else None,
            only=args.only,
            run_name=args.name,
            reports_dir=Path(args.reports_dir) if args.reports_dir else REPORTS_DIR,
            in_place=args.in_place,
            workers=args.workers,
        )
    except CollectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ParameterError) else 1
    if args.in_place:
        print(f"Stored outputs regenerated in {display_path(out)}/")
    else:
        print(f"Reports written. Open {display_path(out / 'index.html')}")
        print(f"  file://{(out / 'index.html').resolve()}")
    return 0

"""The runner: execute the notebooks with papermill and render their reports.

``python -m helpers run [--params FILE] [--only NAME ...]``

* parameters are checked against each notebook before any kernel starts (``helpers.pipeline.parameters``);
* every shipped data table is checked once, before any kernel starts; the kernels reuse the result;
* every official download the parameters name is read once into its all-pairs extracts before any
  kernel starts (``helpers.official.prepare``, a bar per file on the terminal); run.json lists each
  of its files' origin (``official_downloads``: producer, release, version, size, SHA-256, licence);
* notebooks run in parallel in worker processes, one per core, each notebook with a fresh kernel of
  its own (worker processes, not threads, so concurrent kernel start-ups cannot hand out the same
  port twice inside one process; a start-up that still fails on a taken port is retried); the
  workers start, and load papermill and the page templates, while the runner checks the tables and
  downloads (no kernel starts before those checks pass);
* everything is written to a fresh folder beside ``reports/<run>/`` and swapped in only when all
  notebooks succeeded, so a failed run never destroys the previous good report; the partial
  output stays in ``reports/<run>.failed/`` for debugging;
* a progress display on the terminal (stderr) says which notebook finished and how many are done;
  papermill's own progress bar is off, so nothing of it reaches a notebook;
* kernels talk to the runner over TCP encrypted with CurveZMQ keys the kernel manager provisions
  (``KERNEL_CONFIG``), so no kernel warns of plain-text transport;
* a report's notebooks carry papermill's ``injected-parameters`` cell (that is how a report records
  its parameters); ``--in-place`` (``make notebooks``) injects nothing: the stored notebooks run with
  their own ``parameters`` cell, as JupyterLab's Run All does, and values that differ from those
  defaults are refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import config
from helpers.config import NOTEBOOK_DIR, REPORTS_DIR, display_path
from helpers.errors import CollectionError, ParameterError, RunError
from helpers.pipeline import executions

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from traitlets.config import Config

KERNEL = "python3"
PORT_RETRIES = 3
INJECTED_TAG = "injected-parameters"
INDEX_TEMPLATE = "index.html.j2"  #: the run's index (``site.INDEX_TEMPLATE``; site imports pandas)

#: Kernel manager settings papermill hands to nbclient. jupyter_client (8.10) provisions CurveZMQ keys
#: for a kernel whose kernelspec declares ``supported_encryption: ["curve"]`` (ipykernel 7.4's does)
#: when ``transport_encryption`` is "auto"; the kernel then encrypts its TCP sockets and does not
#: warn "Kernel is running over TCP without encryption". An older kernelspec without that
#: declaration still runs, unencrypted (and with that warning). The IPC transport is no alternative:
#: kernels started in parallel share a relative socket path and fail ("Invalid Signature").
KERNEL_CONFIG: dict[str, dict[str, Any]] = {"KernelManager": {"transport_encryption": "auto"}}


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


def kernel_config() -> Config:
    """The traitlets ``Config`` for the notebook client and its kernel manager (``KERNEL_CONFIG``)."""
    from traitlets.config import Config

    return Config({section: dict(values) for section, values in KERNEL_CONFIG.items()})


def is_injected(cell: Any) -> bool:
    """Is ``cell`` a parameters cell papermill injected (tagged ``injected-parameters``)?"""
    return INJECTED_TAG in cell.get("metadata", {}).get("tags", [])


def prepare_source(source: Path, prepared: Path) -> Path:
    """Write ``source`` to ``prepared`` as papermill should see it: without an injected cell or papermill
    metadata left by an earlier run (else, run without parameters, the stale cell would still run) and
    without outputs (the run replaces them). Return ``prepared``."""
    import nbformat

    nb = nbformat.read(source, as_version=4)
    nb.cells = [cell for cell in nb.cells if not is_injected(cell)]
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, prepared)
    return prepared


def scrub(path: Path, keep_parameters: bool = True) -> None:
    """Remove volatile metadata (timings, machine paths) from an executed notebook, in place.

    With ``keep_parameters`` (a report) the parameters papermill injected stay recorded in the
    notebook's metadata; without (a stored notebook, run on its own defaults) papermill leaves no trace.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    pm = nb.metadata.pop("papermill", {})
    if keep_parameters:
        nb.metadata["papermill"] = {"parameters": pm.get("parameters", {})}
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if is_injected(cell):
            cell["id"] = INJECTED_TAG  # papermill gives it a random id on every run
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


def _papermill(prepared: Path, target: str, parameters: dict[str, Any] | None, audited: bool = False) -> None:
    """Execute ``prepared`` into ``target`` with papermill; ``parameters`` None or empty injects nothing.
    ``audited``: the kernel first installs the execution cache's audit hook on file opens."""
    import papermill as pm

    start = [f"--IPKernelApp.exec_lines={executions.KERNEL_START}"] if audited else []

    pm.execute_notebook(
        str(prepared),
        target,
        parameters=parameters or None,
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
        # handed to nbclient's NotebookClient and on to its kernel manager: encrypted transport
        config=kernel_config(),
        extra_arguments=start,
    )


def _execute_with_retries(
    prepared: Path, target: str, parameters: dict[str, Any] | None, name: str, audited: bool = False
) -> str:
    """Run papermill, retrying a kernel start-up that lost a port race; return an error message or ''."""
    import papermill as pm

    attempt = 0
    while True:
        attempt += 1
        try:
            _papermill(prepared, target, parameters, audited)
            return ""
        except pm.PapermillExecutionError as exc:
            scrub(Path(target), keep_parameters=parameters is not None)
            cell = exc.exec_count if exc.exec_count is not None else exc.cell_index
            return f"{name}: cell {cell} failed: {exc.ename}: {exc.evalue}"
        except Exception as exc:  # noqa: BLE001 - a kernel start-up race is retried, anything else reported
            if attempt < PORT_RETRIES and _is_port_race(exc):
                time.sleep(0.5 * attempt)
                continue
            return f"{name}: could not execute: {type(exc).__name__}: {exc}"


def execute_one(
    source: str,
    target: str,
    parameters: dict[str, Any] | None,
    render: bool,
    run_info: dict[str, Any],
    audit: dict[str, str] | None = None,
    context: dict[str, str] | None = None,
) -> Outcome:
    """Execute one notebook (in a worker process) and render its HTML pages.

    ``parameters`` None (``--in-place``): nothing is injected, the notebook runs on its own
    ``parameters`` cell and keeps no papermill metadata; a dict (a report) is injected by papermill.
    ``audit``: run-context entries that make the kernel log the files it reads (the execution cache).
    ``context``: the runner's run context when it handed out the notebook (the worker was started
    before the runner's checks extended it); None: this process's own.
    """
    import tempfile

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    name = Path(source).stem
    context = config.run_context() if context is None else context
    if render:
        # the kernel inherits the run context: plots.style.show exports PNG, SVG and CSV of each figure
        context = context | {"figures": str(Path(target).parent / "figures"), "notebook": name} | (audit or {})
    if context:
        os.environ.update(config.run_context_environment(**context))
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="collection-source-") as scratch:
        prepared = prepare_source(Path(source), Path(scratch) / Path(source).name)
        problem = _execute_with_retries(prepared, target, parameters, name, audit is not None)
    if problem:
        return Outcome(name, False, time.perf_counter() - began, problem, [target])
    scrub(Path(target), keep_parameters=parameters is not None)
    outputs = [target]
    if render:
        from helpers.pipeline.render import render_notebook

        outputs += render_notebook(Path(target), run_info)
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
                f"another run on '{run}' is under way (process {owner}); "
                "wait for it or choose another run name with --name"
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
    force: bool = False,
) -> Path:
    """Run the collection; return the report folder (or the notebook folder with ``in_place``).

    A report reuses each notebook whose execution cache entry still fits (``helpers.pipeline.executions``)
    unless ``force``; ``in_place`` always executes everything."""
    every = notebook_paths(notebook_dir)
    notebooks = _select(only, every)
    if not notebooks:
        raise RunError(f"no notebooks found in {display_path(notebook_dir)}")
    run_name = run_name or (params_file.stem if params_file else "default")
    if in_place:
        from helpers.pipeline import parameters as params_mod

        per_notebook = params_mod.load(params_file, every, overrides)
        prepare_downloads(official_values(every, per_notebook))
        refuse_non_defaults(notebooks, per_notebook, params_file)
        with checked_tables():
            return _run_in_place(notebooks, workers)
    cache = executions.Cache.open()
    checked = checked_parameters(cache, params_file, every, overrides)
    plans = plan(cache, notebooks, checked.per_notebook, force)
    return _run_to_reports(notebooks, checked, run_name, reports_dir, params_file, workers, plans, cache)


def notebook_paths(folder: Path) -> list[Path]:
    """The collection's notebooks, in their numbered order (as ``parameters.notebook_paths``)."""
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


@contextlib.contextmanager
def checked_tables() -> Iterator[None]:
    """Every shipped table is checked once, before any kernel starts, into the store of checked tables;
    the kernels then only read the store. With the user's store off, a store for this run only. The run
    context is the one channel to the kernels."""
    import tempfile

    from helpers import tables

    with tempfile.TemporaryDirectory(prefix="collection-tables-") as scratch:
        store = config.checked_tables_dir() or Path(scratch)
        with config.extended_run_context(tables_store=str(store)):
            tables.check_shipped()
            yield


@dataclass
class Checked:
    """A checked parameter set: the values per notebook, and how to remember them (execution cache)."""

    per_notebook: dict[str, dict[str, Any]]
    downloads: list[dict[str, Any]] | None = None  #: run.json's official_downloads, once known
    key: str = ""  #: the parameter memo's key ("" without a cache)
    deps: list[list] = field(default_factory=list)  #: files the check read
    stored: bool = False  #: the memo is in the cache already
    #: The official-data parameters each kernel sees: the values given, else its own defaults (a notebook
    #: whose cell names a download reads it as surely as one given it); None: the values given.
    official: dict[str, dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.official is None:
            self.official = self.per_notebook


#: The parameters that name an official download and the pair read from it.
OFFICIAL_KEYS = ("source", "data_path", "reporter", "partner")


def official_values(notebooks: list[Path], per_notebook: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per notebook, the official-data parameters its kernel sees: its declared defaults, then the values given."""
    from helpers.pipeline import parameters as params_mod

    out = {}
    for nb in notebooks:
        declared = params_mod.default_values(nb)
        defaults = {k: declared[k] for k in OFFICIAL_KEYS if k in declared}
        out[nb.stem] = defaults | {k: v for k, v in per_notebook.get(nb.stem, {}).items() if k in OFFICIAL_KEYS}
    return out


def checked_parameters(
    cache: executions.Cache | None, params_file: Path | None, every: list[Path], overrides: dict[str, Any] | None
) -> Checked:
    """The parameter set checked against every notebook (names are checked against the whole collection,
    so ``--only`` accepts the full set); from the cache when the same file, notebooks, code and files the
    check read were checked before."""
    if cache is None:
        from helpers.pipeline import parameters as params_mod

        per_notebook = params_mod.load(params_file, every, overrides)
        return Checked(per_notebook, official=official_values(every, per_notebook))
    key = cache.parameters_key(params_file, overrides, every)
    memo = cache.get_parameters(key)
    if memo is not None:
        return Checked(memo["per_notebook"], memo["official_downloads"], key, memo["deps"], True, memo.get("official"))
    from helpers.pipeline import parameters as params_mod

    with executions.recording() as opened:
        per_notebook = params_mod.load(params_file, every, overrides)
        official = official_values(every, per_notebook)
    deps = executions.dependencies(executions.names(opened)) + executions.named_dependencies(per_notebook)
    for values in official.values():
        deps += executions.download_dependencies(values)
    return Checked(per_notebook, None, key, deps, official=official)


@dataclass
class Plan:
    """What a report does with one notebook: reuse its cache entry (``reason`` empty) or execute it."""

    name: str
    reason: str
    components: dict[str, Any] = field(default_factory=dict)
    entry: Path | None = None  #: its cache entry (reused, or stored once executed)
    pages: bool = True  #: a reused notebook's pages came from the cache too
    pages_missing: str = ""  #: else why not (:meth:`helpers.pipeline.executions.Cache.why_pages_missing`)

    def line(self) -> str:
        """The runner's line for it: ``01 reused``, ``03 executed: data/events.csv changed``."""
        number = self.name.split("-")[0] if self.name[:2].isdigit() else self.name
        if self.reason:
            return f"{number} executed: {self.reason}"
        return f"{number} reused" + ("" if self.pages else f" (pages rendered again: {self.pages_missing})")

    def record(self) -> dict[str, Any]:
        """run.json's record of it."""
        return {"notebook": self.name, "executed": bool(self.reason), "reason": self.reason or "unchanged"}


def plan(
    cache: executions.Cache | None, notebooks: list[Path], per_notebook: dict[str, dict[str, Any]], force: bool
) -> list[Plan]:
    """For each notebook, whether its cache entry fits (nothing it depends on changed) or why it runs."""
    plans = []
    for nb in notebooks:
        if cache is None:
            plans.append(Plan(nb.stem, "--force" if force else "execution cache off"))
            continue
        components = cache.components(nb, per_notebook[nb.stem], KERNEL)
        entry, reason = (None, "--force") if force else cache.find(nb.stem, components)
        plans.append(Plan(nb.stem, reason, components, entry=entry))
    return plans


def _official_paths(per_notebook: dict[str, dict[str, Any]]) -> list[str]:
    """The official downloads the notebooks' parameters name (``source`` comtrade or baci), each once."""
    return sorted({str(p["data_path"]) for p in per_notebook.values() if _names_download(p)})


def _names_download(values: dict[str, Any]) -> bool:
    """Whether a notebook's official-data parameters name a download (``source`` comtrade or baci, a ``data_path``)."""
    return values.get("source") in ("comtrade", "baci") and bool(values.get("data_path"))


def prepare_downloads(per_notebook: dict[str, dict[str, Any]]) -> None:
    """Read every official download the parameters name once into its all-pairs extracts, before any
    kernel starts (a bar per file on the terminal), so the kernels only read extracts."""
    if not _official_paths(per_notebook):
        return
    from helpers import official

    for data_path in _official_paths(per_notebook):
        official.prepare(config.resolve_path(data_path))
    ask_the_kernels_questions(per_notebook)


def ask_the_kernels_questions(per_notebook: dict[str, dict[str, Any]]) -> None:
    """Ask each download, from its extracts, what the kernels will ask it (the pair's flows in the format
    ``source`` names, the partner's imports from every supplier), so that a rule broken in the rows they
    read stops the run once, here, instead of failing every notebook that reads them."""
    import warnings

    from helpers import evidence, official

    asked = {
        (p["source"], str(p["data_path"]), str(p["reporter"]).upper(), str(p["partner"]).upper())
        for p in per_notebook.values()
        if _names_download(p) and p.get("reporter") and p.get("partner")
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", official.OfficialDataWarning)  # the notebooks say them
        for source, data_path, reporter, partner in sorted(asked):
            evidence.load_official(source, data_path, reporter, partner)
            official.read_imports(config.resolve_path(data_path), partner, progress=False)


def official_downloads(per_notebook: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """run.json's ``official_downloads``: the origin record of each file of the downloads the parameters
    name (producer, release and version, file, size, SHA-256, licence), each file once; no dates, no
    absolute paths."""
    if not _official_paths(per_notebook):
        return []
    from helpers.official.origin import downloads_used

    return downloads_used(per_notebook)


def _run_to_reports(
    notebooks: list[Path],
    checked: Checked,
    run_name: str,
    reports_dir: Path,
    params_file: Path | None,
    workers: int | None,
    plans: list[Plan],
    cache: executions.Cache | None,
) -> Path:
    """Execute into a staging folder beside ``reports/<run>/`` (reused notebooks copied from the cache)
    and swap it in when everything succeeded."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock(reports_dir, run_name)
    final = reports_dir / run_name
    staging = reports_dir / f".{run_name}.partial-{os.getpid()}"
    try:
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
        # the pages carry no clock: only the index and run.json say when the run was
        page_info = {"run": run_name, "commit": run_info["commit"]}
        render_key = executions.render_key(run_name)
        _reuse_entries(cache, plans, staging, run_name)
        run_info["official_downloads"] = checked.downloads
        run_info["executions"] = [p.record() for p in plans]
        if cache is not None and not any(p.reason or not p.pages for p in plans):
            if _site_from_cache(cache, checked, plans, staging, run_info, render_key):
                _remember_parameters(cache, checked)
                _swap(staging, final)
                _say_what_was_done(plans)
                return final
        outcomes = _execute_and_render(notebooks, checked, plans, staging, page_info, workers, cache)
        _say_what_was_done(plans)  # only now: a check failing before any kernel leaves nothing said executed
        run_info["official_downloads"] = checked.downloads
        bad = [o for o in outcomes if not o.ok]
        if bad:
            _keep_failed(staging, final, "\n".join(o.message for o in bad), len(bad))
        if cache is not None:
            _remember_parameters(cache, checked)
        _write_outputs(staging, final, outcomes, checked, run_info, plans, cache, render_key)
        _swap(staging, final)
        shutil.rmtree(reports_dir / f"{run_name}.failed", ignore_errors=True)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already after a swap or a failure kept
        lock.unlink(missing_ok=True)


def _say_what_was_done(plans: list[Plan]) -> None:
    """The runner's line for each notebook (``01 reused``, ``03 executed: data/events.csv changed``)."""
    for p in plans:
        print(p.line(), flush=True)


def _failed_folder(final: Path) -> Path:
    return final.with_name(f"{final.name}.failed")


def _keep_failed(staging: Path, final: Path, msg: str, count: int) -> None:
    """Move the partial output to ``reports/<run>.failed/`` and raise the run's error."""
    failed = _failed_folder(final)
    shutil.rmtree(failed, ignore_errors=True)
    staging.rename(failed)
    kept = (
        f"the previous report in {display_path(final)} is untouched" if final.exists() else "no previous report existed"
    )
    raise RunError(f"{count} notebook(s) failed:\n{msg}\nPartial output kept in {display_path(failed)}; {kept}.")


def _reuse_entries(cache: executions.Cache | None, plans: list[Plan], staging: Path, run_name: str) -> None:
    """Copy each reusable notebook's entry into ``staging``; one that went away meanwhile or is damaged is executed."""
    for p in plans:
        if p.reason or cache is None:
            continue
        try:
            p.pages = cache.reuse(p.entry, staging, run_name)
        except OSError:
            p.reason = "its cache entry went away or was damaged"
            continue
        if not p.pages:
            p.pages_missing = cache.why_pages_missing(p.entry, run_name)


def _execute_and_render(
    notebooks: list[Path],
    checked: Checked,
    plans: list[Plan],
    staging: Path,
    page_info: dict[str, Any],
    workers: int | None,
    cache: executions.Cache | None,
) -> list[Outcome]:
    """Execute the notebooks the plans say must run (recording what their kernels read), render the
    pages of reused ones whose pages the cache does not hold for this run; every notebook's outcome, in the
    notebooks' order."""
    import tempfile

    by_name = {p.name: p for p in plans}
    execute = [nb for nb in notebooks if by_name[nb.stem].reason]

    def meanwhile() -> None:  # the runner's own work for after the kernels, done while they run
        from helpers.pipeline import site

        site.load_templates()
        if cache is not None:
            cache.make_room(nb.stem for nb in execute)

    outcomes = [Outcome(p.name, True, 0.0) for p in plans if not p.reason]
    with tempfile.TemporaryDirectory(prefix="collection-audit-") as logs:
        audits = None
        if cache is not None:
            extra = [config.resolve_path(d) for d in _official_paths(checked.official)]
            out = [staging.parent.resolve(), staging.parent.absolute()]
            audits = {
                nb.stem: executions.kernel_context(
                    Path(logs) / f"{nb.stem}.opened",
                    [*extra, *executions.parameter_paths(checked.per_notebook[nb.stem])],
                    out,
                )
                for nb in execute
            }
        if execute:
            # the workers start now and load papermill and the page templates while the tables and
            # downloads are checked here; no kernel starts before the checks pass
            with _worker_pool(len(execute), workers, True) as pool, checked_tables():
                prepare_downloads(checked.official)
                outcomes += _execute_all(
                    execute, checked.per_notebook, staging, True, page_info, workers, audits, pool, meanwhile
                )
        if checked.downloads is None:
            checked.downloads = official_downloads(checked.official)
        if cache is not None and all(o.ok for o in outcomes):
            for nb in execute:  # only a run whose every notebook succeeded is stored
                read = executions.with_siblings(executions.read_log(Path(logs) / f"{nb.stem}.opened"))
                deps = executions.dependencies(read)
                deps += executions.download_dependencies(checked.official[nb.stem])
                entry = cache.store(nb.stem, by_name[nb.stem].components, deps, staging)
                cache.store_pages(entry, nb.stem, staging, page_info["run"])
                by_name[nb.stem].entry = entry
    for p in plans:
        if not p.reason and not p.pages:
            from helpers.pipeline.render import load_exporters, render_notebook

            load_exporters()
            render_notebook(staging / f"{p.name}.ipynb", page_info)
            if cache is not None:
                cache.store_pages(p.entry, p.name, staging, page_info["run"])
    order = {nb.stem: i for i, nb in enumerate(notebooks)}
    return sorted(outcomes, key=lambda o: order[o.name])


def _remember_parameters(cache: executions.Cache, checked: Checked) -> None:
    if not checked.stored and checked.key:
        memo = {
            "per_notebook": checked.per_notebook,
            "official": checked.official,
            "official_downloads": checked.downloads,
            "deps": checked.deps,
        }
        cache.put_parameters(checked.key, memo)


def _site_key(checked: Checked, plans: list[Plan], run_info: dict[str, Any], render_key: str) -> str:
    parts = [[p.name, p.entry.name if p.entry else "", render_key] for p in plans]
    return executions.site_key(str(run_info["run"]), {**run_info, "per_notebook": checked.per_notebook}, parts)


def _site_from_cache(
    cache: executions.Cache,
    checked: Checked,
    plans: list[Plan],
    staging: Path,
    run_info: dict[str, Any],
    render_key: str,
) -> bool:
    """Every notebook reused: the notebooks' outputs in the run folder (tables, claims.jsonld, pages with
    their heads) from the cache, then the run's own pages written again (snapshot, changes, index,
    run.json: ``site.run_pages``, no pandas); False when the cache has no such run folder."""
    parts = cache.get_site(_site_key(checked, plans, run_info, render_key), staging)
    if parts is None:
        return False
    from helpers.pipeline import site

    _write_site(
        staging,
        staging.parent / str(run_info["run"]),
        checked,
        run_info,
        lambda: site.run_pages(staging, parts, checked.per_notebook, run_info),
    )
    return True


def _write_site(staging: Path, final: Path, checked: Checked, run_info: dict[str, Any], write) -> None:
    """Run ``write()`` (the run folder's own files); on OSError (no space left) keep the partial output."""
    try:
        write()
    except OSError as exc:  # e.g. no space left on device: keep what was written, touch nothing else
        failed = _failed_folder(final)
        shutil.rmtree(failed, ignore_errors=True)
        staging.rename(failed)
        kept = (
            f"the previous report in {display_path(final)} is untouched"
            if final.exists()
            else "no previous report existed"
        )
        raise RunError(
            f"could not write the run's files: {exc.strerror or exc}. "
            f"Partial output kept in {display_path(failed)}; {kept}."
        ) from None


def _write_outputs(
    staging: Path,
    final: Path,
    outcomes: list[Outcome],
    checked: Checked,
    run_info: dict[str, Any],
    plans: list[Plan],
    cache: executions.Cache | None,
    render_key: str,
) -> None:
    """The run folder's own files (``site.write_run_outputs``); the notebooks' part of them (tables,
    claims.jsonld, page heads) kept in the cache with what the run's pages are made of."""
    from helpers.pipeline import site

    if cache is None:
        _write_site(
            staging,
            final,
            checked,
            run_info,
            lambda: site.write_run_outputs(staging, outcomes, checked.per_notebook, run_info),
        )
        return
    key = _site_key(checked, plans, run_info, render_key)
    recorder = executions.recording(left_out=[staging.parent.resolve(), staging.parent.absolute()])
    opened = recorder.__enter__()

    def keep(parts: dict[str, Any]) -> None:
        recorder.__exit__(None, None, None)
        deps = executions.dependencies(executions.names(opened))
        cache.put_site(key, staging, parts, deps)

    try:
        _write_site(
            staging,
            final,
            checked,
            run_info,
            lambda: site.write_run_outputs(staging, outcomes, checked.per_notebook, run_info, keep=keep),
        )
    finally:
        recorder.__exit__(None, None, None)  # a no-op once keep() closed it


def _swap(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` with two renames; the old report survives until the new one is in place."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def declared_default(text: str) -> Any:
    """The value a ``parameters`` cell's default stands for (its source text, a Python literal such as
    ``20e9`` or ``["a", "b"]``); ValueError when it is not a literal."""
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a literal: {text}") from exc


def differences_from_defaults(notebooks: list[Path], per_notebook: dict[str, dict[str, Any]]) -> list[str]:
    """Each value of ``per_notebook`` that is not what its notebook's ``parameters`` cell declares, one line each."""
    from helpers.pipeline import parameters as params_mod

    lines = []
    for nb in notebooks:
        declared = params_mod.declared_parameters(nb)
        for name, value in per_notebook.get(nb.stem, {}).items():
            default = declared[name].default
            try:
                same = declared_default(default) == value
            except ValueError:
                same = False  # a default that is an expression cannot be shown to be equal
            if not same:
                lines.append(f"{nb.stem}: {name} = {value!r}; its parameters cell says {default}")
    return lines


def refuse_non_defaults(
    notebooks: list[Path], per_notebook: dict[str, dict[str, Any]], params_file: Path | None
) -> None:
    """``--in-place`` injects nothing, so the stored notebooks run on their own defaults: raise
    ParameterError if the parameter set asks for anything else (it would be silently ignored)."""
    lines = differences_from_defaults(notebooks, per_notebook)
    if not lines:
        return
    shown = display_path(params_file) if params_file else "the parameters given"
    raise ParameterError(
        f"--in-place regenerates the stored notebooks with the defaults of their own parameters cells "
        f"(what a reader gets with Run All in JupyterLab) and injects nothing, but {shown} sets other values:\n  "
        + "\n  ".join(lines)
        + "\nChange the default in the notebook's parameters cell, or write a report with these values "
        "instead (the same command without --in-place)."
    )


def _run_in_place(notebooks: list[Path], workers: int | None) -> Path:
    """Regenerate stored outputs in notebooks/ (``make notebooks``); each file is replaced only on success.

    Nothing is injected: each notebook runs on its own ``parameters`` cell, so the stored notebook is
    what a reader who edits that cell and runs all cells gets."""
    folder = notebooks[0].parent
    staging = folder / f".executing-{os.getpid()}"
    staging.mkdir(exist_ok=True)
    try:
        outcomes = _execute_all(notebooks, None, staging, False, {}, workers)
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


def _import_papermill() -> None:
    """Import papermill without its optional HDFS handler: that handler's ``pyarrow.fs`` (with pyarrow and
    numpy) is a sixth of a worker's start, for ``hdfs://`` paths the runner never gives it. pyarrow is hidden
    only while papermill is imported (papermill then names the missing dependency if ever asked for HDFS)."""
    hidden = "pyarrow" not in sys.modules
    if hidden:
        sys.modules["pyarrow"] = None  # type: ignore[assignment] - an import of it raises ImportError
    try:
        import papermill  # noqa: F401 - imported before any notebook is handed out
    finally:
        if hidden and sys.modules.get("pyarrow", 0) is None:
            del sys.modules["pyarrow"]


def _ready_worker(render: bool) -> None:
    """A worker's start: papermill imported and, for a report, the page templates compiled (a first
    page costs what the next ones do), while the runner still checks its inputs."""
    import gc

    gc.disable()  # what the imports make lives as long as the worker: no collection passes over it
    try:
        _import_papermill()

        if render:
            from helpers.pipeline.render import load_exporters, warm_exporters

            load_exporters()
            warm_exporters()
    finally:
        gc.freeze()  # and none later either
        gc.enable()


@contextlib.contextmanager
def _worker_pool(count: int, workers: int | None, render: bool) -> Iterator[Any]:
    """Worker processes for ``count`` notebooks (one per core at most, or ``workers``), started at once:
    they get ready (:func:`_ready_worker`) while the block's first statements run."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    workers = workers or max(1, min(count, os.cpu_count() or 1))
    # fork where there is one: a worker shares the runner's imports instead of importing them again
    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_ready_worker, initargs=(render,)) as pool:
        pool.submit(os.getpid)  # starts every worker now (a forking pool starts them all on its first job)
        yield pool


def _execute_all(
    notebooks: list[Path],
    per_notebook: dict[str, dict[str, Any]] | None,
    out_dir: Path,
    render: bool,
    run_info: dict[str, Any],
    workers: int | None,
    audits: dict[str, dict[str, str]] | None = None,
    pool: Any = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Execute ``notebooks`` into ``out_dir`` in worker processes (``pool``'s, else a pool of its own);
    ``per_notebook`` None injects nothing; ``audits`` (by notebook) makes kernels log the files they read;
    ``meanwhile`` runs here once every notebook is handed out."""
    from concurrent.futures import as_completed

    if pool is None:
        with _worker_pool(len(notebooks), workers, render) as own:
            return _execute_all(notebooks, per_notebook, out_dir, render, run_info, workers, audits, own, meanwhile)
    jobs = {}
    outcomes: list[Outcome] = []
    context = config.run_context()  # as the runner's checks left it
    bar = _progress(len(notebooks))
    try:
        for nb in sorted(notebooks, key=lambda p: -p.stat().st_size):  # longest first balances the workers
            target = out_dir / nb.name
            parameters = None if per_notebook is None else per_notebook[nb.stem]
            audit = (audits or {}).get(nb.stem)
            job = pool.submit(execute_one, str(nb), str(target), parameters, render, run_info, audit, context)
            jobs[job] = nb.stem
        if meanwhile is not None:
            meanwhile()
        for fut in as_completed(jobs):
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker is a failed notebook
                outcome = Outcome(jobs[fut], False, 0.0, f"{jobs[fut]}: worker crashed: {type(exc).__name__}: {exc}")
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
    from helpers.pipeline.overrides import parse_overrides  # light: the noop path imports no pandas

    try:
        out = run(
            overrides=parse_overrides(args.set),
            params_file=Path(args.params) if args.params else None,
            only=args.only,
            run_name=args.name,
            reports_dir=Path(args.reports_dir) if args.reports_dir else REPORTS_DIR,
            in_place=args.in_place,
            workers=args.workers,
            force=getattr(args, "force", False),
        )
    except CollectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ParameterError) else 1
    if args.in_place:
        print(f"Stored outputs regenerated in {display_path(out)}/")
    else:
        index = (out / "index.html").resolve()
        here = Path.cwd().resolve()  # where the command was typed: a path relative to it, else the whole path
        print(f"Reports written. Open {index.relative_to(here) if index.is_relative_to(here) else index}")
        print(f"  {index.as_uri()}")
    return 0

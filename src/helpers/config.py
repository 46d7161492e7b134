"""Configuration in one place: the project's folders and every environment variable it reads.

Paths are anchored to the package location rather than the working directory: papermill runs
kernels in the caller's directory and nbval in the notebook's, so a relative path such as
``../data`` breaks in one of them; everything here is absolute. No other module reads
``os.environ``; the README's "Environment variables" table is checked against ``ENVIRONMENT``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

#: Names of the environment variables the collection reads, with what each does (README table).
ROOT_ENV = "IRAN_IRAQ_ROOT"
CHECKED_TABLES_ENV = "COLLECTION_CHECKED_TABLES"
FLOW_CACHE_ENV = "COLLECTION_FLOW_CACHE"
EXECUTION_CACHE_ENV = "COLLECTION_EXECUTION_CACHE"
RUN_CONTEXT_ENV = "COLLECTION_RUN_CONTEXT"
XDG_CACHE_ENV = "XDG_CACHE_HOME"
ENVIRONMENT: dict[str, str] = {
    ROOT_ENV: "the project folder the data, notebooks and reports are found in (default: the package's own checkout)",
    CHECKED_TABLES_ENV: "folder of the curated tables kept after checking, or `off` (default: the user cache)",
    FLOW_CACHE_ENV: "folder of the pair extracts read from official downloads, or `off` (default: the user cache)",
    EXECUTION_CACHE_ENV: (
        "folder of the executed notebooks and pages the runner reuses when nothing they depend on changed, "
        "or `off` (default: the user cache)"
    ),
    RUN_CONTEXT_ENV: (
        "set by the runner for each kernel (JSON: where to export figures, the notebook's name); never by hand"
    ),
    XDG_CACHE_ENV: "base of the user cache (default: `~/.cache`); a relative path is ignored",
}

#: Repository root: ``src/helpers/config.py`` -> two levels up from ``src``.
ROOT: Path = Path(os.environ.get(ROOT_ENV, Path(__file__).resolve().parents[2]))
DATA_DIR: Path = ROOT / "data"
NOTEBOOK_DIR: Path = ROOT / "notebooks"
PARAMS_DIR: Path = ROOT / "params"
REPORTS_DIR: Path = ROOT / "reports"


def data_file(name: str) -> Path:
    """Absolute path of a shipped data file, e.g. ``data_file("events.csv")``."""
    return DATA_DIR / name


def display_path(path: Path | str) -> str:
    """A path as shown to readers: relative to the repository when inside it.

    Stored notebook outputs and error messages must not carry machine paths.
    """
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return p.name if p.is_absolute() else str(path)


def user_cache_dir(*parts: str) -> Path | None:
    """``$XDG_CACHE_HOME/iran-iraq-trade/<parts>`` (``~/.cache`` when unset), or None when there is
    no usable home. A relative or empty ``XDG_CACHE_HOME`` is ignored, as the XDG rules say: caches
    must never land inside the working directory (kernels run in ``notebooks/``)."""
    base = os.environ.get(XDG_CACHE_ENV, "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):  # no HOME and no password entry (some containers)
            return None
        if not os.path.isabs(base):
            return None
    return Path(base, "iran-iraq-trade", *parts)


def configured_cache_dir(env: str, *parts: str) -> Path | None:
    """A cache folder a user can move or turn off: the folder named by the environment variable
    ``env``, None when it says ``off``, else :func:`user_cache_dir` of ``parts``."""
    configured = os.environ.get(env)
    if configured == "off":
        return None
    return Path(configured) if configured else user_cache_dir(*parts)


def resolve_path(path: str) -> Path:
    """A user path, relative to the repository root when not absolute (papermill and nbval run elsewhere)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else ROOT / p


def checked_tables_dir() -> Path | None:
    """Where checked curated tables are kept between runs (None: off or no usable home)."""
    return configured_cache_dir(CHECKED_TABLES_ENV, "checked-tables")


def flow_cache_dir() -> Path | None:
    """Where pair extracts of official downloads are kept between runs (None: off or no usable home)."""
    return configured_cache_dir(FLOW_CACHE_ENV, "flows")


#: The file in :func:`flow_cache_dir` that remembers each download file's SHA-256 by path, size and
#: modification time (a memo of hashes, never an input of a result).
FLOW_DIGEST_INDEX = "digests.json"


def execution_cache_dir() -> Path | None:
    """Where the runner keeps executed notebooks for reuse (None: off or no usable home)."""
    return configured_cache_dir(EXECUTION_CACHE_ENV, "executions")


def run_context() -> dict:
    """What the runner tells a kernel (one channel: one JSON environment variable); {} outside a run."""
    raw = os.environ.get(RUN_CONTEXT_ENV)
    return json.loads(raw) if raw else {}


def run_context_environment(**context: str) -> dict[str, str]:
    """The environment entry that passes ``context`` to a kernel (see :func:`run_context`)."""
    return {RUN_CONTEXT_ENV: json.dumps(context, sort_keys=True)}


@contextlib.contextmanager
def extended_run_context(**context: str) -> Iterator[None]:
    """Add ``context`` to this process's run context (which the kernels it starts inherit) while the
    block runs, then put the previous one back."""
    previous = os.environ.get(RUN_CONTEXT_ENV)
    os.environ.update(run_context_environment(**(run_context() | context)))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(RUN_CONTEXT_ENV, None)
        else:
            os.environ[RUN_CONTEXT_ENV] = previous

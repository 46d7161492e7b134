"""The store of checked tables: the one cache of curated tables, keyed by content, with a memory
layer (this process) and a disk layer (later runs and the runner's kernels).

Rules applied here:

- the key is the table's name, the code fingerprint (every ``.py`` of the ``helpers`` package,
  the pandas version and the pandera install) and the file's text: any edit of the file, of a
  rule or of a library gives a new key, so nothing is reused for other bytes or other rules;
- only the shipped specifications (the objects in :data:`helpers.tables.specs.SPECS`) are
  stored; a specification built at run time, even under a shipped name, never reads or writes
  the store;
- only frames that passed every rule are put in the store, and they are handed out as copies;
- the folder is the run context's ``tables_store`` (set by the runner for its kernels), else
  :func:`helpers.config.checked_tables_dir`; when neither names one the store is off, both
  layers, and every load is checked;
- disk entries are written atomically; each layer keeps the newest :data:`STORE_KEEP` entries of
  a table;
- the store only saves time: an unreadable entry or an unwritable folder costs a check, nothing
  else.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.config import checked_tables_dir, run_context
from helpers.tables.specs import SPECS, TableSpec

#: Entries kept per table in each layer; older ones (earlier versions of the file or of the rules) are removed.
STORE_KEEP = 8

#: The package whose code the key covers (``src/helpers``).
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Key:
    """Where the checked frame of one text under one specification is kept."""

    table: str
    digest: str  #: of the table's name, the code fingerprint and the text
    folder: Path  #: the disk layer's folder

    @property
    def path(self) -> Path:
        """The disk layer's entry."""
        return self.folder / f"{self.table}-{self.digest}.pkl"


@functools.cache
def code_fingerprint() -> str:
    """What a check depends on besides the bytes: this package's code and the pandas/pandera installs.

    Any edit of a rule, a schema or a library version gives new keys, so nothing checked under other
    rules is ever reused. (pandera's version is read from its install's folder name, without
    importing it: importing pandera and running a schema is the cost this store saves.)
    Raises OSError when the package's sources cannot be read.
    """
    digest = hashlib.sha256(pd.__version__.encode())
    for source in sorted(_PACKAGE_DIR.rglob("*.py")):
        digest.update(source.relative_to(_PACKAGE_DIR).as_posix().encode() + source.read_bytes())
    found = importlib.util.find_spec("pandera")
    if found is not None and found.origin:
        # the installed version, from the dist-info folder's name (importlib.metadata is slower)
        site = Path(found.origin).parents[1]
        digest.update(" ".join(sorted(p.name for p in site.glob("pandera-*.dist-info"))).encode())
        digest.update(found.origin.encode())
    return digest.hexdigest()


def folder() -> Path | None:
    """The disk layer's folder: the runner's store for its kernels, else the user's; None when off."""
    configured = run_context().get("tables_store")
    return Path(configured) if configured else checked_tables_dir()


def key_for(spec: TableSpec, text: str) -> Key | None:
    """The key of ``text`` checked under ``spec``; None when it must not be stored.

    None when the store is off, when ``spec`` is not a shipped specification (other rules under
    the same name) or when the package's sources cannot be read (no fingerprint, no key).
    """
    if SPECS.get(spec.name) is not spec:
        return None
    where = folder()
    if where is None:
        return None
    try:
        fingerprint = code_fingerprint()
    except OSError:
        return None
    content = f"{spec.name}\0{fingerprint}\0".encode() + text.encode("utf-8", "surrogatepass")
    return Key(spec.name, hashlib.sha256(content).hexdigest()[:40], where)


# ---------------------------------------------------------------------------
# The memory layer: checked frames of this process, by (table, digest), oldest first


_MEMORY: dict[tuple[str, str], pd.DataFrame] = {}


def _remember(key: Key, frame: pd.DataFrame) -> None:
    """Keep a copy of ``frame`` in memory, as the newest entry of its table."""
    _MEMORY.pop((key.table, key.digest), None)
    _MEMORY[(key.table, key.digest)] = frame.copy()
    kept = [k for k in _MEMORY if k[0] == key.table]
    for old in kept[:-STORE_KEEP]:
        del _MEMORY[old]


def clear_memory() -> None:
    """Forget the memory layer (as a new process would); the disk layer is untouched."""
    _MEMORY.clear()


# ---------------------------------------------------------------------------
# The disk layer


def _on_disk(path: Path) -> bool:
    """Whether the disk layer holds an entry at ``path`` (an unreadable folder holds none)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _load(path: Path) -> pd.DataFrame | None:
    """The frame kept at ``path`` by an earlier run, or None (no entry, or an unreadable one)."""
    if not _on_disk(path):
        return None
    try:
        frame = pd.read_pickle(path)
    except Exception:  # noqa: BLE001 - an unreadable store or a damaged entry only costs a check
        return None
    return frame if isinstance(frame, pd.DataFrame) else None


def _save(key: Key, frame: pd.DataFrame) -> None:
    """Keep ``frame`` at the key's entry atomically (a concurrent run never reads half an entry)."""
    path = key.path
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_pickle(tmp)
        tmp.replace(path)
    except OSError:
        # the store only saves time: a read-only or full disk costs speed, nothing else
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return
    _prune(key.folder, key.table)


def _prune(where: Path, table: str) -> None:
    """Keep the newest :data:`STORE_KEEP` disk entries of a table (other file versions, other rules)."""
    try:
        entries = sorted(where.glob(f"{table}-*.pkl"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[STORE_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:  # another run pruned the same entry first
        pass


# ---------------------------------------------------------------------------
# The store: memory first, then disk


def get(key: Key) -> pd.DataFrame | None:
    """The checked frame of ``key`` (a copy), from memory or else from disk; None when not kept.

    A frame found in memory but not in the key's folder (another folder, such as a run's own
    store, or a pruned entry) is written there too, so the folder the runner hands its kernels
    holds every table checked for the run.
    """
    frame = _MEMORY.get((key.table, key.digest))
    if frame is not None:
        if not _on_disk(key.path):
            _save(key, frame)
        return frame.copy()
    frame = _load(key.path)
    if frame is not None:
        _remember(key, frame)
    return frame


def put(key: Key, frame: pd.DataFrame) -> None:
    """Keep a frame that passed every rule under ``key``, in memory and on disk."""
    _remember(key, frame)
    _save(key, frame)

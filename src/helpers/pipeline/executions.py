"""The execution cache: a notebook of a report runs again only when something it depends on changed.

An entry is one successful execution of one notebook: the executed notebook and its figures, under a
key made of the notebook (its cells, without outputs or an injected cell), the parameter values it
receives, the code of ``helpers`` (every file but the templates), the locked environment
(``requirements.lock``, the Python version and executable, the installed distributions) and the kernel;
beside the key, the bytes (SHA-256) of every file the kernel read or looked for and did not find, and the
names in every folder it listed, recorded inside the kernel by an audit hook on file opens and folder
listings (:func:`record_opens`, run at kernel start; the project, and every file a parameter names,
are watched), and of every file of the official downloads its parameters name. Each entry lists its
files with their SHA-256: a damaged entry is executed again, never served. Its pages are kept per
render key (the templates and the run's name), so a changed template renders the pages again from the
stored notebook and runs nothing.

Two smaller kinds of entry keep the light path light: the checked parameter set (keyed by the parameter
file's bytes, the overrides, the notebooks, the code and the environment, with the files the check
read) and the run folder's own files (tables, ``claims.jsonld``, the pages after the claims markup was
embedded, the index's cards), keyed by the notebooks' entries. With every notebook reused, a run
imports no pandas, papermill, nbconvert or matplotlib: it copies files and renders the index.

Entries are written to a temporary folder and renamed into place (atomic; of two concurrent runs one
keeps its entry, the other's is dropped); only executions of runs whose every notebook succeeded are
stored; each kind keeps its newest :data:`KEEP` entries. Deleting the folder costs only time.
This module imports only the standard library (and ``helpers.config``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from helpers import config

FORMAT = 1
#: Entries kept per notebook (and parameter memos, run-folder entries) in the cache.
KEEP = 8
#: Files at least this large (official downloads) are rehashed only when their size or times changed.
BIG = 16 * 2**20
_PACKAGE = Path(__file__).resolve().parents[1]
_TEMPLATES = _PACKAGE / "templates"
_OPENS_KEY, _WATCH_KEY, _SKIP_KEY = "opened_log", "opened_watch", "opened_skip"


# --- digests -------------------------------------------------------------------------------------


def _sha(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr).encode()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None when it cannot be read (missing)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def _tree_digest(folder: Path, skip: Path | None = None) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and not (skip and path.is_relative_to(skip)):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """Every file of the ``helpers`` package but its templates."""
    return _tree_digest(_PACKAGE, skip=_TEMPLATES)


@functools.cache
def template_digest() -> str:
    """The templates of the pages (nbconvert's and the site's)."""
    return _tree_digest(_TEMPLATES)


def environment_digest() -> str:
    """The locked environment: ``requirements.lock``, the Python version and executable, and the
    distributions installed (their names and versions: a package upgraded without the lock is seen too)."""
    return _environment_digest(config.ROOT)


@functools.cache  # by project root: a process that runs another project's copy digests that copy's lock
def _environment_digest(root: Path) -> str:
    lock = root / "requirements.lock"
    installed = []
    for folder in (p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")):
        with contextlib.suppress(OSError):
            installed += sorted(n for n in os.listdir(folder) if n.endswith((".dist-info", ".egg-info")))
    return _sha((file_digest(lock) or "none").encode(), sys.version.encode(), sys.executable.encode(), _json(installed))


def notebook_digest(path: Path) -> str:
    """A notebook as the runner executes it: cells and metadata, without outputs, an injected cell or
    papermill's metadata (so regenerating the stored outputs changes nothing)."""
    nb = json.loads(path.read_bytes())
    nb.get("metadata", {}).pop("papermill", None)
    cells = []
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        cell = {k: v for k, v in cell.items() if k not in ("outputs", "execution_count")}
        cells.append(cell)
    nb["cells"] = cells
    return _sha(_json(nb))


# --- what a notebook read ------------------------------------------------------------------------


def _shown(path: str) -> str:
    """A dependency's name as stored and shown: relative to the project root when inside it."""
    root = str(config.ROOT) + os.sep
    return path[len(root) :] if path.startswith(root) else path


def _located(shown: str) -> Path:
    return Path(shown) if os.path.isabs(shown) else config.ROOT / shown


def dependency(path: str, previous: list | None = None) -> list:
    """``[name, sha256, size, mtime_ns, ctime_ns]`` of one file; a big file whose size and times match
    ``previous`` keeps its digest (the rule the store of official extracts uses too)."""
    try:
        st = os.stat(_located(path))
    except OSError:
        return [path, None, -1, 0, 0]
    stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    if previous is not None and st.st_size >= BIG and previous[2:] == stamp:
        return [path, previous[1], *stamp]
    return [path, file_digest(_located(path)), *stamp]


def first_change(deps: list[list]) -> str | None:
    """The first dependency whose bytes are no longer the recorded ones (``"data/x.csv changed"``), or None."""
    try:
        return _first_change(deps)
    except (TypeError, ValueError, IndexError, AttributeError):  # a damaged entry's record
        return "its cache entry was damaged"


def _first_change(deps: list[list]) -> str | None:
    if not isinstance(deps, list):
        raise TypeError("no list of files read")
    for dep in deps:
        if dep[0].startswith(VIEW):
            if view_digest(dep[0][len(VIEW) :], dep[5]) != dep[1]:
                return f"{dep[0][len(VIEW) :]} changed"
            continue
        if dep[0].startswith(FOLDER):
            if _folder_names(dep[0][len(FOLDER) :]) != dep[1]:
                return f"{dep[0][len(FOLDER) :]} changed (files added or removed)"
            continue
        if dep[0].startswith("listing:"):
            if _listing(dep[0][len("listing:") :]) != dep[1]:
                return f"{dep[0][len('listing:') :]} changed (files added or removed)"
            continue
        now = dependency(dep[0], dep)
        if now[1] != dep[1]:
            return f"{dep[0]} {'removed' if now[1] is None else 'appeared' if dep[1] is None else 'changed'}"
    return None


def _folder_names(folder: str) -> str | None:
    """The digest of the names directly in a folder a reader listed; None when it is no folder."""
    try:
        return _sha(_json(sorted(os.listdir(_located(folder)))))
    except OSError:
        return None


def _listing(folder: str) -> str:
    where = _located(folder)
    names = sorted(p.relative_to(where).as_posix() for p in where.rglob("*")) if where.is_dir() else ["(none)"]
    return _sha(_json(names))


def download_dependencies(parameters: dict[str, Any]) -> list[list]:
    """The official download a notebook's parameters name (``source`` comtrade or baci): every file's
    bytes and the folder's listing."""
    if parameters.get("source") not in ("comtrade", "baci") or not parameters.get("data_path"):
        return []
    where = config.resolve_path(str(parameters["data_path"]))
    files = sorted(p for p in where.rglob("*") if p.is_file()) if where.is_dir() else [where]
    deps = [dependency(_shown(str(p))) for p in files]
    if where.is_dir():
        deps.append([f"listing:{_shown(str(where))}", _listing(_shown(str(where))), 0, 0, 0])
    return deps


def watched(extra: Iterable[Path] = (), left_out: Iterable[Path] = ()) -> tuple[list[str], list[str]]:
    """Folders whose opened files are recorded (the project, the official extracts, the downloads) and
    those left out (the environment, the package's code: both are in the key; ``left_out``: the run's
    own output, such as the reports folder, which is made from the entry and is no input of it; and the
    official extracts' memo of download hashes)."""
    watch = {config.ROOT, config.ROOT.resolve(), *extra}
    flows = config.flow_cache_dir()
    if flows is not None:
        watch.add(flows)
    left = {Path(sys.prefix), _PACKAGE, config.ROOT / ".git", config.ROOT / ".venv", *left_out}
    skip = [str(p) + os.sep for p in left]
    if flows is not None:
        # the memo of the downloads' hashes: any download read anywhere adds to it, no result comes from it
        skip.append(str(flows / config.FLOW_DIGEST_INDEX))
    return [str(p) + ("" if p.is_file() else os.sep) for p in watch], skip


def parameter_paths(parameters: dict[str, Any] | None) -> list[Path]:
    """The files and folders a notebook's parameter values name (``events_path``, a download), wherever
    they are: watched too (see :func:`watched`), so a file of another pair outside the project is an input."""
    out = []
    for value in (parameters or {}).values():
        if isinstance(value, str) and value.strip():
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                path = config.resolve_path(value).absolute()
                if path.exists() and path != Path(path.anchor):
                    out.append(path)
    return out


def named_dependencies(per_notebook: dict[str, dict[str, Any]]) -> list[list]:
    """The files the parameter values name (:func:`parameter_paths`), as dependencies: inputs of the check of
    the parameter set (a file outside the project, which no recording watches)."""
    paths = {p for values in per_notebook.values() for p in parameter_paths(values) if p.is_file()}
    return [dependency(_shown(str(p))) for p in sorted(paths)]


def kernel_context(log: Path, extra: Iterable[Path] = (), left_out: Iterable[Path] = ()) -> dict[str, str]:
    """Run-context entries that make :func:`record_opens` log a kernel's reads to ``log``."""
    watch, skip = watched(extra, left_out)
    return {_OPENS_KEY: str(log), _WATCH_KEY: os.pathsep.join(watch), _SKIP_KEY: os.pathsep.join(skip)}


#: The kernel's start-up line (``IPKernelApp.exec_lines``): binds no name in the notebook's namespace.
KERNEL_START = '__import__("helpers.pipeline.executions", fromlist=["record_opens"]).record_opens()'


def _hook(folders: list[tuple[str, ...]], write, once: bool = True) -> Any:
    """The audit hook: ``write(path)`` for each file opened for reading under ``folders[0]`` (watched)
    and not under ``folders[1]`` (left out); ``once``: each path once (a kernel's log)."""
    seen: set[str] = set()
    writing = os.O_WRONLY | os.O_RDWR

    def hook(event: str, args: tuple) -> None:
        if event not in ("open", "os.listdir", "os.scandir"):
            return
        try:
            if event == "open":
                path, mode, flags = args
                if path is None or isinstance(path, int):
                    return
                if (any(c in mode for c in "wax+")) if isinstance(mode, str) else (flags or 0) & writing:
                    return
            else:  # a folder listed (glob, os.listdir, Path.iterdir)
                path = "." if args[0] is None else args[0]
                if isinstance(path, int) or sys._getframe(1).f_code.co_filename.startswith("<frozen importlib"):
                    return
            p = os.path.normpath(os.path.join(os.getcwd(), os.fsdecode(path)))
            if event != "open" and p in _import_roots():
                return  # scanned by the import system and for installed metadata; a module imported is opened
            shown = FOLDER + p if event != "open" else VIEW + p if _viewing[0] else p
            if shown not in seen:
                if once:
                    seen.add(shown)
                inside = p + os.sep if event != "open" else p
                if inside.startswith(folders[0]) and not inside.startswith(folders[1]):
                    write(shown)
        except Exception:  # noqa: BLE001, S110 - an audit hook must never break the open it watches
            pass

    return hook


#: Prefix of a folder listed (its names are the dependency: a file added or removed there).
FOLDER = "folder:"


def _import_roots() -> set[str]:
    """The folders on ``sys.path``, as absolute paths."""
    return {os.path.normpath(os.path.join(os.getcwd(), e or ".")) for e in sys.path if isinstance(e, str)}


#: Prefix of a file read as a view: only the entries of files the reader opened, and what no file's bytes
#: make (see :func:`view_read`).
VIEW = "view:"
#: Fields of a data package resource that its file's bytes make (checksum, size, the sources named in it).
FILE_FIELDS = ("hash", "bytes", "sources")
_viewing = [0]


@contextlib.contextmanager
def view_read() -> Iterator[None]:
    """Open a data package manifest (``datapackage.json``) inside this block when the reader uses only the
    resources of files it opens itself and fields that no file's bytes make (titles, licences, schemas).
    The file is then recorded as a view: a byte change to another file's checksum re-records the manifest
    without making the reader's result stale. An open outside such a block records the whole file."""
    _viewing[0] += 1
    try:
        yield
    finally:
        _viewing[0] -= 1


def view_digest(name: str, opened: Iterable[str]) -> str | None:
    """The digest of manifest ``name`` as a reader that opened the files ``opened`` (names beside it) sees
    it: every other resource without its :data:`FILE_FIELDS`; None when it cannot be read."""
    try:
        package = json.loads(_located(name).read_bytes())
    except (OSError, ValueError):
        return None
    kept = set(opened)
    if isinstance(package, dict) and isinstance(package.get("resources"), list):
        package["resources"] = [_seen_by(r, kept) for r in package["resources"]]
    return _sha(_json(package))


def _seen_by(resource: Any, opened: set[str]) -> Any:
    """A resource as a reader that opened ``opened`` sees it: without :data:`FILE_FIELDS` unless its file is one."""
    if not isinstance(resource, dict) or resource.get("path") in opened:
        return resource
    return {k: v for k, v in resource.items() if k not in FILE_FIELDS}


def dependencies(read: Iterable[str]) -> list[list]:
    """The recorded dependencies of the files ``read`` (names, views prefixed :data:`VIEW`): a view of a
    file also read whole is the whole file; a view records which files beside it were read."""
    read = list(read)
    whole = {n for n in read if not n.startswith(VIEW)}
    deps = []
    for name in read:
        if name.startswith(FOLDER):
            deps.append([name, _folder_names(name[len(FOLDER) :]), 0, 0, 0])
            continue
        if not name.startswith(VIEW):
            deps.append(dependency(name))
            continue
        target = name[len(VIEW) :]
        if target in whole:
            continue
        folder = os.path.dirname(target)
        beside = sorted(os.path.basename(n) for n in whole if os.path.dirname(n) == folder)
        deps.append([name, view_digest(target, beside), 0, 0, 0, beside])
    return deps


def record_opens() -> None:
    """In a kernel: log every file it opens for reading under the watched folders (run context)."""
    context = config.run_context()
    if not context.get(_OPENS_KEY):
        return
    fd = os.open(context[_OPENS_KEY], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    watch = tuple(w for w in context.get(_WATCH_KEY, "").split(os.pathsep) if w)
    skip = tuple(s for s in context.get(_SKIP_KEY, "").split(os.pathsep) if s)
    sys.addaudithook(_hook([watch, skip], lambda p: os.write(fd, p.encode() + b"\n")))


_recorder: list[set[str]] = []
_folders: list[tuple[str, ...]] = [(), ()]


@contextlib.contextmanager
def recording(extra: Iterable[Path] = (), left_out: Iterable[Path] = ()) -> Iterator[set[str]]:
    """In this process: the files opened for reading under the watched folders while the block runs
    (the hook stays installed, as every audit hook does, and records nothing outside such a block)."""
    watch, skip = watched(extra, left_out)
    _folders[:] = [tuple(watch), tuple(skip)]
    if not _recorder:
        sys.addaudithook(_hook(_folders, lambda p: [s.add(p) for s in _recorder[1:]], once=False))
        _recorder.append(set())
    opened: set[str] = set()
    _recorder.append(opened)
    try:
        yield opened
    finally:
        _recorder.remove(opened)


def names(paths: Iterable[str]) -> list[str]:
    """Opened paths as dependency names (files, and files looked for and not found, each once, sorted;
    views and listed folders keep their prefix); compiled modules (``__pycache__``) are no input, their sources are."""
    out = set()
    for p in paths:
        prefix = next((x for x in (VIEW, FOLDER) if p.startswith(x)), "")
        path = p[len(prefix) :]
        if "__pycache__" in Path(path).parts:
            continue
        if path and (os.path.isfile(path) or not os.path.lexists(path) or prefix == FOLDER):
            out.add(prefix + _shown(path))
    return sorted(out)


def read_log(log: Path) -> list[str]:
    """The files a kernel logged, as dependency names."""
    try:
        return names(log.read_text(encoding="utf-8").splitlines())
    except OSError:
        return []


def with_siblings(names: Iterable[str]) -> list[str]:
    """Names plus, for an official extract (in the flow cache), its sibling files of the same stem: the
    extract's table is read by pyarrow, whose opens raise no audit event."""
    flows = config.flow_cache_dir()
    out = set(names)
    if flows is not None:
        for name in list(out):
            path = _located(name)
            if path.is_relative_to(flows):
                out.update(_shown(str(p)) for p in path.parent.glob(path.stem + ".*") if p.is_file())
    return sorted(out)


# --- the store -----------------------------------------------------------------------------------


def _atomic_dir(final: Path, fill) -> bool:
    """Build a folder with ``fill(tmp)`` and rename it to ``final``; False when another run was first
    (or the cache folder cannot be written: the cache then costs only time)."""
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name[:12]}-", dir=final.parent))
    except OSError:
        return False
    try:
        fill(tmp)
        os.rename(tmp, final)
        return True
    except OSError:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=1, sort_keys=True, default=repr) + "\n", encoding="utf-8")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_entry(entry: Path, *fields: str) -> dict[str, Any] | None:
    """An entry's ``entry.json`` when it is an object with ``fields``; else None, and a damaged entry
    (entries are renamed into place whole, so one without a readable record is damaged) is removed."""
    meta = _read_json(entry / "entry.json")
    if isinstance(meta, dict) and all(f in meta for f in fields) and isinstance(meta.get("stored", 0), (int, float)):
        return meta
    if entry.is_dir():
        shutil.rmtree(entry, ignore_errors=True)
    return None


def _members(folder: Path) -> dict[str, str | None]:
    """Every file under ``folder`` by its path there, with its SHA-256: what an entry holds."""
    return {p.relative_to(folder).as_posix(): file_digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _copy_members(folder: Path, members: Any, into: Path) -> None:
    """Copy the files ``members`` lists (path: SHA-256) from ``folder`` into ``into``, each checked by its
    bytes first; OSError, and nothing copied, when the list is damaged or a member is missing or changed."""
    if not isinstance(members, dict) or not members:
        raise OSError(f"{folder}: no list of its files")
    kept = {}
    for name, digest in members.items():
        if not isinstance(name, str) or os.path.isabs(name) or ".." in Path(name).parts:
            raise OSError(f"{folder}: a damaged list of its files")
        data = (folder / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise OSError(f"{folder / name}: damaged")
        kept[name] = data
    for name, data in kept.items():
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        (into / name).write_bytes(data)


def _prune(folder: Path, keep: int = KEEP) -> None:
    """Keep the ``keep`` most recently used entries of ``folder`` (each a folder with ``entry.json``)."""

    def used(p: Path) -> float:
        try:
            return (p / "entry.json").stat().st_mtime
        except OSError:
            return 0.0

    try:
        entries = sorted((p for p in folder.iterdir() if not p.name.startswith(".")), key=used, reverse=True)
        temporary = list(folder.glob(".tmp-*"))
    except OSError:
        return
    for tmp in temporary:  # a run's killed while writing (a live run's is younger than an hour)
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < time.time() - 3600:
                shutil.rmtree(tmp, ignore_errors=True)
    for old in entries[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def _touch(entry: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(entry / "entry.json")


def _changed_parameters(old: Any, new: Any) -> list[str]:
    """The names of the parameters whose values differ between two parameter sets (None: none given)."""
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    return sorted(n for n in set(old) | set(new) if old.get(n) != new.get(n))


class Cache:
    """The cache folder (``config.execution_cache_dir``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / f"v{FORMAT}"

    @classmethod
    def open(cls) -> Cache | None:
        folder = config.execution_cache_dir()
        return None if folder is None else cls(folder)

    # the checked parameter set
    def parameters_key(self, params_file: Path | None, overrides: Any, notebooks: list[Path]) -> str:
        text = file_digest(params_file) if params_file else "none"
        nbs = [[p.name, notebook_digest(p)] for p in notebooks]
        return _sha(
            str(text).encode(),
            _json(overrides),
            _json(nbs),
            code_digest().encode(),
            environment_digest().encode(),
            str(config.ROOT).encode(),
        )

    def get_parameters(self, key: str) -> dict[str, Any] | None:
        entry = self.folder / "parameters" / key
        memo = _read_entry(entry, "per_notebook", "official_downloads", "deps")
        if memo is None or not isinstance(memo["per_notebook"], dict) or first_change(memo["deps"]) is not None:
            return None
        _touch(entry)
        return memo

    def put_parameters(self, key: str, memo: dict[str, Any]) -> None:
        if json.loads(json.dumps(memo, default=repr)) != memo:  # only what JSON gives back unchanged
            return
        _atomic_dir(self.folder / "parameters" / key, lambda tmp: _write_json(tmp / "entry.json", memo))
        _prune(self.folder / "parameters", 4 * KEEP)

    # one notebook's execution
    def components(self, notebook: Path, parameters: dict[str, Any] | None, kernel: str) -> dict[str, Any]:
        """The entry key's parts (besides the files read) of ``notebook`` run with ``parameters``."""
        return {
            "format": FORMAT,
            "notebook": notebook_digest(notebook),
            "parameters": json.loads(_json(parameters)),
            "code": code_digest(),
            "environment": environment_digest(),
            "kernel": kernel,
        }

    def entries(self, stem: str, components: dict[str, Any]) -> list[tuple[Path, dict[str, Any]]]:
        """The entries stored for these key parts (one per set of files read), newest first."""
        key = _sha(stem.encode(), _json(components))[:32]
        found = []
        with contextlib.suppress(OSError):
            for entry in (self.folder / "notebooks" / stem).glob(f"{key}-*"):
                meta = _read_entry(entry, "components", "deps", "files")
                if meta is not None:
                    found.append((entry, meta))
        return sorted(found, key=lambda e: -e[1].get("stored", 0))

    def find(self, stem: str, components: dict[str, Any]) -> tuple[Path | None, str]:
        """The entry whose recorded files are all unchanged, or None with the reason to execute."""
        found = self.entries(stem, components)
        for entry, meta in found:
            if first_change(meta["deps"]) is None:
                return entry, ""
        if found:
            return None, first_change(found[0][1]["deps"]) or "changed"
        return None, self._what_changed(stem, components)

    def _what_changed(self, stem: str, components: dict[str, Any]) -> str:
        """Why no entry fits: what differs from the notebook's entry most like this run (of those that differ
        in the fewest parts, the one with the fewest other parameter values, then the most recent: a run with
        one value changed names that value, not every value of another run's parameter set)."""
        latest = None
        parts = ("parameters", "notebook", "code", "environment")

        def likeness(m: dict[str, Any]) -> tuple[int, int, float]:
            same = sum(m["components"].get(k) == components[k] for k in parts)
            return (
                same,
                -len(_changed_parameters(m["components"].get("parameters"), components["parameters"])),
                m.get("stored", 0),
            )

        with contextlib.suppress(OSError):
            folders = (p for p in (self.folder / "notebooks" / stem).iterdir() if not p.name.startswith("."))
            metas = [_read_entry(p, "components") for p in folders]  # not a run's temporary folder
            metas = [m for m in metas if m is not None and isinstance(m["components"], dict)]
            latest = max(metas, key=likeness, default=None)
        if latest is None:
            return "not run before"
        before = latest["components"]
        if before.get("parameters") != components["parameters"]:
            names = _changed_parameters(before.get("parameters"), components["parameters"])
            return f"parameters changed ({', '.join(names)})"
        for part, said in (
            ("notebook", "the notebook changed"),
            ("code", "the code of helpers changed"),
            ("environment", "the environment changed"),
        ):
            if before.get(part) != components[part]:
                return said
        return "not run before"

    def reuse(self, entry: Path, into: Path, run_name: str) -> bool:
        """Copy the entry's notebook, figures and (when rendered for the run ``run_name``: :func:`render_key`)
        pages into ``into``; True when the pages were there too. Raises OSError when the entry went away
        meanwhile or is damaged (a member missing or not its recorded bytes: the entry is removed, nothing of
        it copied)."""
        try:
            _copy_members(entry / "run", (_read_json(entry / "entry.json") or {}).get("files"), into)
        except (OSError, AttributeError):
            shutil.rmtree(entry, ignore_errors=True)
            raise OSError(f"{entry}: went away or damaged") from None
        pages = entry / f"pages-{render_key(run_name)[:32]}"
        _touch(entry)
        if not pages.is_dir():
            return False
        try:
            _copy_members(pages, _read_json(pages / ".files.json"), into)
        except OSError:
            shutil.rmtree(pages, ignore_errors=True)
            return False
        return True

    def store(self, stem: str, components: dict[str, Any], deps: list[list], folder: Path) -> Path:
        """Keep one successful execution: the notebook and its figures from ``folder``; an entry is never
        changed once stored (its name covers the key and the files read). Its folder."""
        key = _sha(stem.encode(), _json(components))[:32]
        entry = self.folder / "notebooks" / stem / f"{key}-{_sha(_json(deps))[:16]}"
        if _read_entry(entry, "components", "deps", "files") is None:

            def fill(tmp: Path) -> None:
                (tmp / "run" / "figures").mkdir(parents=True)
                shutil.copy2(folder / f"{stem}.ipynb", tmp / "run")
                for fig in (folder / "figures").glob(f"{stem}-fig*"):
                    shutil.copy2(fig, tmp / "run" / "figures")
                meta = {"components": components, "deps": deps, "files": _members(tmp / "run"), "stored": time.time()}
                _write_json(tmp / "entry.json", meta)

            _atomic_dir(entry, fill)
        _prune(entry.parent)
        return entry

    def store_pages(self, entry: Path, stem: str, folder: Path, run_name: str) -> None:
        """Keep the notebook's two pages, as rendered for the run ``run_name`` (:func:`render_key`), in its
        entry, with what they were rendered under (for :meth:`why_pages_missing`)."""
        pages = entry / f"pages-{render_key(run_name)[:32]}"
        if not entry.is_dir() or pages.is_dir():
            return

        def fill(tmp: Path) -> None:
            for suffix in (".html", ".code.html"):
                shutil.copy2(folder / f"{stem}{suffix}", tmp)
            _write_json(tmp / ".files.json", _members(tmp))
            _write_json(tmp / ".rendered.json", {"templates": template_digest(), "run": run_name})

        _atomic_dir(pages, fill)
        with contextlib.suppress(OSError):
            older = sorted(entry.glob("pages-*"), key=lambda p: p.stat().st_mtime if p.exists() else 0.0)
            for old in older[:-2]:
                shutil.rmtree(old, ignore_errors=True)

    def why_pages_missing(self, entry: Path, run_name: str) -> str:
        """Why a reused entry has no pages for the run ``run_name``: the templates changed since its pages
        were rendered, the run is named otherwise than any it was rendered for, or none are kept."""
        rendered = [_read_json(pages / ".rendered.json") for pages in entry.glob("pages-*")]
        templates = {r.get("templates") for r in rendered if isinstance(r, dict)}
        if template_digest() in templates:
            return f"no run named {run_name!r} used it before"
        if templates:
            return "templates changed"
        return "none kept for this run and these templates" if rendered else "no pages kept"

    def make_room(self, stems: Iterable[str]) -> None:
        """Prune ahead, while kernels run: room for one new entry of each notebook in ``stems`` and for
        one new run-folder entry (storing them then deletes nothing)."""
        for stem in stems:
            _prune(self.folder / "notebooks" / stem, KEEP - 1)
        _prune(self.folder / "sites", KEEP - 1)

    # the run folder's own files
    def site_dir(self, key: str) -> Path:
        return self.folder / "sites" / key[:32]

    def get_site(self, key: str, into: Path) -> dict[str, Any] | None:
        """Copy a run folder's notebook outputs (notebooks, figures, tables, pages with their heads,
        claims.jsonld) into ``into``; what the run's own pages are made of (``site.notebook_outputs``),
        or None when there is no such entry (``into`` may then hold a part of it)."""
        entry = self.site_dir(key)
        meta = _read_entry(entry, "parts", "deps", "files")
        if meta is None or first_change(meta["deps"]) is not None:
            return None
        try:
            _copy_members(entry / "run", meta["files"], into)
        except OSError:
            shutil.rmtree(entry, ignore_errors=True)
            return None
        _touch(entry)
        return meta["parts"]

    def put_site(self, key: str, folder: Path, parts: dict[str, Any], deps: list[list]) -> None:
        """Keep a run folder's notebook outputs (before the run's own pages are written) with ``parts``."""
        if json.loads(json.dumps(parts, default=repr)) != parts:
            return
        if _read_entry(self.site_dir(key), "parts", "deps", "files") is not None:
            return

        def fill(tmp: Path) -> None:
            shutil.copytree(folder, tmp / "run")
            _write_json(tmp / "entry.json", {"parts": parts, "deps": deps, "files": _members(tmp / "run")})

        _atomic_dir(self.site_dir(key), fill)
        _prune(self.folder / "sites")


def render_key(run_name: str) -> str:
    """What a notebook's pages depend on besides the executed notebook: the templates and the run's name."""
    return _sha(template_digest().encode(), run_name.encode())


def site_key(run_name: str, run_info: dict[str, Any], parts: list[list[str]]) -> str:
    """What the notebooks' outputs in the run folder depend on: its name, its parameter file, values and
    downloads, and each notebook's entry and pages (``[name, entry, render key]``)."""
    fixed = {k: run_info.get(k) for k in ("run", "params_file", "official_downloads", "per_notebook")}
    return _sha(run_name.encode(), _json(fixed), _json(parts), template_digest().encode(), code_digest().encode())

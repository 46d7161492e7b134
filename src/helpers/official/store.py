"""The extract cache: one download file's flows for one pair and level, kept between runs.

A big BACI year file takes about a second to stream; the pair's extract is a few kilobytes. A
rerun, or another notebook of the same run, reads the extract instead of the file.

Rules, stated here:

* Keyed by content, never by path, size or modification time: the key is a SHA-256 digest of the
  data file's bytes and name (for a member of a zip archive, of its bytes as stored there, with its
  name, method, CRC and sizes: :meth:`helpers.official.archive.ArchiveMember.digest`; never of the
  CRC and size alone), of the bytes and names of the release's code files the reader uses
  (:func:`helpers.official.countries.release_code_files`), of the pair (in either order), the level,
  :data:`CACHE_VERSION` and a fingerprint of the reading code (:func:`code_fingerprint`). An edited
  or replaced download, code file or reader is read again; a moved one is not.
* Each file's SHA-256 is computed once and remembered (:func:`source_digest`) by its path, size,
  modification time and status-change time (``st_ctime_ns``, which no program can set back, so an
  edit that restores size and modification time is still seen) in a small index,
  :data:`DIGEST_INDEX` in the cache folder (and in memory for the process): a rerun on an unchanged
  file hashes nothing. An archive member's digest is remembered under the archive's stamp. A lost
  or damaged index only costs a rehash. A digest taken while the file was read for another purpose
  (the all-pairs extract hashes the bytes it parses: :mod:`helpers.official.extracts`) is
  remembered the same way (:func:`remember_digest`), under the stamp the file had before it was read
  and only when it has it still.
* The caller checks the file's header first (a bounded read), so a file that is not a download is
  refused before it is hashed.
* The folder is :func:`helpers.config.flow_cache_dir` (the one place that reads the environment);
  ``None`` there, or a folder that cannot be created, turns the cache off.
* Warnings the first read raised are stored with the extract and raised again when it is served.
* The countries a file holds (:func:`cached_countries`, for
  :func:`helpers.official.read.download_countries`) are kept the same way, under a key of the same
  content and the word "countries".
* The cache is an optimisation: a damaged entry is ignored and rewritten, and a read-only or full
  disk only costs speed. Entries are written to a temporary name and renamed, so concurrent runs
  never see half an entry. Failed reads store nothing: an archive member's rows are stored only
  after it was read to its end and its CRC passed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from helpers.config import FLOW_DIGEST_INDEX, flow_cache_dir
from helpers.errors import DataError
from helpers.official.archive import ArchiveMember
from helpers.official.countries import release_code_files
from helpers.official.schema import OfficialDataWarning
from helpers.official.stream import Source

#: Bump when the reading rules change in a way the code fingerprint cannot see.
CACHE_VERSION = 2
#: The index of remembered file digests, in the cache folder.
DIGEST_INDEX = FLOW_DIGEST_INDEX

_OFFICIAL = Path(__file__).resolve().parent
_NOT_READING_CODE = {"samples.py"}


def cache_folder() -> Path | None:
    """Where extracts are kept, created if need be; None when caching is off or the folder cannot be made."""
    base = flow_cache_dir()
    if base is None:
        return None
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (bounded memory whatever the size)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _where_and_stamp(source: Source) -> tuple[str, list[int]]:
    """Where a file's digest is remembered (its resolved path, ``::member`` for an archive member) and
    its stamp (size, modification and status-change times of the file on disk)."""
    on_disk = source.archive if isinstance(source, ArchiveMember) else source
    info = os.stat(on_disk)
    where = _resolved(os.fspath(on_disk), os.getcwd())
    where += f"::{source.member}" if isinstance(source, ArchiveMember) else ""
    return where, [info.st_size, info.st_mtime_ns, info.st_ctime_ns]


@functools.lru_cache(maxsize=4096)
def _resolved(path: str, cwd: str) -> str:
    """The resolved path, remembered per path and working folder (resolving costs system calls)."""
    return str(Path(path).resolve())


def file_stamp(source: Source) -> tuple[str, list[int]]:
    """(where, stamp) of a file, as :func:`source_digest` remembers it (for :func:`remember_digest`)."""
    return _where_and_stamp(source)


def known_digest(source: Source) -> str | None:
    """The remembered digest of a file whose stamp is unchanged, else None; never hashes."""
    where, stamp = _where_and_stamp(source)
    known = _DIGESTS.get(where)
    if known is None or known[0] != stamp:
        known = _read_index().get(where)
    if known is not None and list(known[0]) == stamp:
        _DIGESTS[where] = (stamp, known[1])
        return known[1]
    return None


def seen_before(source: Source) -> bool:
    """Whether the index remembers this path, or a file of the same size (a touched, moved or copied
    file, whose extract may be kept already): such a file is hashed before it is read."""
    where, stamp = _where_and_stamp(source)
    if where in _DIGESTS:
        return True
    index = _read_index()
    return where in index or any(
        isinstance(entry, list) and entry and list(entry[0])[:1] == stamp[:1] for entry in index.values()
    )


def remember_digest(where: str, stamp: list[int], digest: str) -> None:
    """Remember a digest computed elsewhere (e.g. while the file was parsed) for ``where`` at ``stamp``."""
    _DIGESTS[where] = (list(stamp), digest)
    _remember(where, list(stamp), digest)


def source_digest(source: Source) -> str:
    """SHA-256 of a file's bytes (:func:`file_digest`) or of an archive member's stored bytes, name,
    method, CRC and sizes (:meth:`~helpers.official.archive.ArchiveMember.digest`), computed once and
    remembered by path, size and times (see the module's rules)."""
    known = known_digest(source)
    if known is not None:
        return known
    where, stamp = _where_and_stamp(source)
    digest = source.digest() if isinstance(source, ArchiveMember) else file_digest(source)
    _DIGESTS[where] = (stamp, digest)
    _remember(where, stamp, digest)
    return digest


#: Digests remembered in this process: where -> (stamp, digest).
_DIGESTS: dict[str, tuple[list[int], str]] = {}


def forget_digests() -> None:
    """Forget the digests remembered in this process (the index file stays), as a new process would."""
    _DIGESTS.clear()
    _INDEX[:] = [None, {}]


def _read_index() -> dict[str, list]:
    """The index of remembered digests (where -> [stamp, digest]); empty when there is none or it is damaged.
    Parsed once per version of the file (its size, modification time and inode)."""
    folder = cache_folder()
    if folder is None:
        return {}
    path = folder / DIGEST_INDEX
    try:
        info = path.stat()
        version = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
        if _INDEX[0] == version:
            return _INDEX[1]
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    index = index if isinstance(index, dict) else {}
    _INDEX[:] = [version, index]
    return index


#: The index as last parsed: [(path, size, mtime, inode), index].
_INDEX: list = [None, {}]


def _remember(where: str, stamp: list[int], digest: str) -> None:
    """Add one digest to the index, written under a temporary name and renamed; failures only cost speed."""
    folder = cache_folder()
    if folder is None:
        return
    index = dict(_read_index())
    index[where] = [stamp, digest]
    temporary = folder / f"{DIGEST_INDEX}.{os.getpid()}.tmp"
    try:
        temporary.write_text(json.dumps(index, sort_keys=True), encoding="utf-8")
        temporary.replace(folder / DIGEST_INDEX)
    except OSError:
        pass  # caching is an optimisation


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 of the reading code (this package's modules but the samples) and of the pandas and
    pyarrow versions that parse and store the extracts; computed once per process."""
    digest = hashlib.sha256(f"pandas {pd.__version__} pyarrow {pa.__version__}".encode())
    for module in sorted(_OFFICIAL.glob("*.py")):
        if module.name not in _NOT_READING_CODE:
            digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def content_key(file: Source, *what: object) -> str:
    """Digest of a file's content, its release's code files, the reading code and ``what`` is read."""
    sides = [(side.name, source_digest(side)) for side in release_code_files(file)]
    key = (CACHE_VERSION, code_fingerprint(), file.name, source_digest(file), sides, *what)
    return hashlib.sha256(repr(key).encode()).hexdigest()[:40]


def extract_key(file: Source, first: str, second: str, level: str) -> str:
    """Digest of everything one file's extract depends on (see the module's rules)."""
    return content_key(file, sorted((first, second)), level)


def cached_extract(file: Source, first: str, second: str, level: str, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """One file's flows for the pair: from the extract cache when the same content was read for the same
    pair and level before, else ``read()`` and stored.

    Check the file's header before calling this: hashing reads the whole file, and a file that is not
    a download should be refused after a bounded read. Warnings of a first read are raised from the
    caller's frame, warnings served from the cache from the caller's caller (as ``read_flows`` did).
    """
    folder = cache_folder()
    key = _key_or_none(file, sorted((first, second)), level) if folder is not None else None
    if folder is not None and key is not None:
        stored = _load(folder, key)
        if stored is not None:
            frame, messages = stored
            for message in messages:
                warnings.warn(message, OfficialDataWarning, stacklevel=3)
            return frame
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OfficialDataWarning)
        frame = read()
    messages = [str(w.message) for w in caught if issubclass(w.category, OfficialDataWarning)]
    for w in caught:
        if issubclass(w.category, OfficialDataWarning):
            warnings.warn(w.message, w.category, stacklevel=2)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if folder is not None and key is not None:
        _save(folder, key, frame, messages)
    return frame


def _key_or_none(file: Source, *what: object) -> str | None:
    """:func:`content_key`, or None when a file cannot be read to hash it (the read then says why)."""
    try:
        return content_key(file, *what)
    except (OSError, DataError):
        return None


def _load(folder: Path, key: str) -> tuple[pd.DataFrame, list[str]] | None:
    """The stored extract and its warnings, or None when there is none or it is damaged."""
    data, notes = folder / f"{key}.parquet", folder / f"{key}.json"
    if not (data.exists() and notes.exists()):
        return None
    try:
        return pd.read_parquet(data), list(json.loads(notes.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, pa.ArrowException):
        return None  # a damaged cache entry is ignored and rewritten


def _save(folder: Path, key: str, frame: pd.DataFrame, messages: list[str]) -> None:
    """Store an extract and its warnings, each under a temporary name first; failures only cost speed."""
    stem = f"{key}.{os.getpid()}"
    try:
        frame.to_parquet(folder / f"{stem}.parquet.tmp", index=False)
        (folder / f"{stem}.parquet.tmp").replace(folder / f"{key}.parquet")
        (folder / f"{stem}.json.tmp").write_text(json.dumps(messages), encoding="utf-8")
        (folder / f"{stem}.json.tmp").replace(folder / f"{key}.json")
    except (OSError, ValueError, pa.ArrowException):
        pass  # caching is an optimisation: a read-only or full disk only costs speed


def cached_countries(file: Source, read: Callable[[], set[str]]) -> set[str]:
    """The countries one file holds: from the cache when the same content was read before, else
    ``read()`` and stored (nothing is stored when it fails)."""
    folder = cache_folder()
    key = _key_or_none(file, "countries") if folder is not None else None
    entry = folder / f"{key}.countries.json" if folder is not None and key is not None else None
    if entry is not None:
        try:
            return set(json.loads(entry.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            pass  # none yet, or a damaged entry: read again and rewrite it
    found = read()
    if entry is not None:
        temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(sorted(found)), encoding="utf-8")
            temporary.replace(entry)
        except OSError:
            pass  # caching is an optimisation: a read-only or full disk only costs speed
    return found

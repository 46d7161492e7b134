"""All-pairs extracts: each download file read once, before any kernel starts, into a compact table
from which every later question (any pair, any importer's imports) is answered without the CSV.

Rules, stated here:

* What an extract holds. **BACI**: one row per year, exporter, importer and HS chapter for every
  exporter–importer pair of the file: ``year`` int16, ``exporter`` and ``importer`` BACI's own
  numeric codes (int16; read through the release's code file when a question is asked, so the
  code file's rules and warnings stay those of :mod:`helpers.official.baci`), ``chapter`` int8 and
  ``value_usd`` float64 (each row's ``v`` × 1000, summed). **Comtrade** (CSV/TSV, current or legacy
  layout): the pairs are reporter–partner with flow. Comtrade's rules (TOTAL rows, World and area
  partners, second-partner, customs and mode-of-transport breakdowns never summed with the country
  rows, one HS level per reporter–partner–flow group, re-exports apart) are rules of a
  reporter–partner–flow group, so the extract keeps every row of the file with the fields the
  format declares, typed (numeric fields parsed, text as text; Parquet stores the repeated text
  once per dictionary), and the number of its record (``rec``); a question applies the rules of
  :func:`helpers.official.comtrade.comtrade_flows` to the rows of its groups, by the same code as a
  direct read, so a pair's figures and errors are those of a direct read.
* Levels: a BACI extract is at chapter level; ``level="4"`` or ``"6"`` of a BACI file, and Comtrade
  API responses saved as JSON, are read per pair as before (:mod:`helpers.official.store`). A
  Comtrade extract keeps the codes, so it answers every level.
* Read once: a plain BACI file on disk is read in order, in byte ranges of about
  :data:`RANGE_BYTES` split at line ends (:func:`byte_ranges`); each range's new bytes are fed to
  SHA-256 as they are read (the file's digest: no second pass to hash it), and the ranges are parsed
  two at a time on two threads, each whole with ``pyarrow.csv.read_csv`` (which lets go of the GIL;
  a streaming reader does not), at most :data:`RANGES_AHEAD` ahead of the parsing (bounded memory).
  A small file (under :data:`SPLIT_BYTES`) is one range, streamed in record batches; an archive
  member or a gzip file is one stream (:mod:`helpers.official.archive`: read to its end, CRC
  checked, before the extract is kept) and is hashed apart, before it is read.
* Every value parses to its type across the whole file, not only the rows of one pair: a field
  that does not parse, anywhere, is a :class:`~helpers.errors.DataError` naming file, line and
  column (:func:`helpers.official.stream.batches` locates it). BACI's row rules are checked on
  every row too: a 6-digit product code, a value finite and not negative, the year of the file's
  name, a product of the release's product file, a year of at most four digits and country codes of
  at most three, no year, exporter, importer and product twice. The fast pass only tells that a
  rule is broken; the file is then read again by the exact pass, which names line, column and
  rule. Duplicates are told by order, for a file sorted by ``t, i, j, k`` as CEPII publishes them;
  an unsorted file is checked by the row keys the fast pass kept when it is small (at most
  :data:`KEPT_BYTES`), else whole by the exact pass.
* Stored in the cache folder (:func:`helpers.config.flow_cache_dir`; :func:`entry_path`: a BACI
  extract as an Arrow IPC file, a Comtrade one as Parquet) under a key of the file's content:
  :func:`helpers.official.store.content_key` (the file's bytes and name, its
  release's code files, the reading code, :data:`EXTRACT_VERSION`), with each file's SHA-256
  remembered by path, size and times (:func:`helpers.official.store.source_digest`): a second read
  of an unchanged file hashes nothing. A plain BACI file the index does not know (by path, or by size
  for a moved or copied one) is hashed while it is parsed and its key known after; any other file is
  hashed first, so an extract already kept is found without parsing. An extract is written to a
  temporary name and renamed, so it is never half-written; a read that fails stores nothing, nor
  does one of a file that changed while it was read. With the cache off, the extract is built in
  memory for the call.
* Layout: a BACI extract's rows are sorted by year, importer, exporter and chapter, in one
  uncompressed record batch (written fast, and read by mapping the file into memory: nothing is
  decoded), with an index in its schema's metadata of each run of rows of one year and importer
  (:func:`importer_runs`, checked against the rows when loaded: an index that does not fit makes
  the extract damaged, and it is rebuilt); a question (a pair, an importer) touches only its
  importers' runs (:meth:`Extract.importer_rows`), and the files' answers are joined as arrays
  before one frame is made (:class:`Flows`).
* Progress: one bar per file on stderr while its extract is built, only when stderr is a terminal
  and never inside a kernel (the runner builds the extracts with :func:`prepare` before any kernel
  starts, so the kernels only read them).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import queue
import sys
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers.config import run_context
from helpers.errors import DataError
from helpers.official import store, stream
from helpers.official.archive import ArchiveMember, binary_input
from helpers.official.baci import pair_codes, release_table
from helpers.official.codes import normalise_codes
from helpers.official.comtrade import Locate, comtrade_flows, pair_filter
from helpers.official.countries import (
    COUNTRY_CODES_PREFIX,
    PRODUCT_CODES_PREFIX,
    baci_side_file,
    country_or_none,
    find_release_file,
    is_country_iso3,
    numeric_codes,
    product_codes,
    read_country_codes,
)
from helpers.official.formats import BACI, BACI_FILE_NAME, Field, Format, Header, baci_revision
from helpers.official.schema import (
    FLOW_COLUMNS,
    SUM_KEYS,
    OfficialDataWarning,
    empty_flows,
    sum_by_code,
    typed_flows,
)
from helpers.official.store import cache_folder, content_key
from helpers.official.stream import Source, fail_at

#: Bump when what an extract holds changes in a way the code fingerprint cannot see.
EXTRACT_VERSION = 3  # 2: rows sorted by importer, in small row groups; 3: BACI as Arrow IPC
#: Bytes per range of a plain BACI file (ranges are parsed two at a time, one per core).
RANGE_BYTES = 4 << 20
#: A plain BACI file at least this big is parsed as several byte ranges, two at a time.
SPLIT_BYTES = 8 << 20

_BACI_KEYS = ("year", "exporter", "importer", "cmd", "value")
_SIX_DIGITS = r"^\d{5,6}$"  # a lost leading zero is given back (helpers.official.codes)
_BACI_SCHEMA = pa.schema(
    [
        ("year", pa.int16()),
        ("exporter", pa.int16()),
        ("importer", pa.int16()),
        ("chapter", pa.int8()),
        ("value_usd", pa.float64()),
    ]
)


class Extract:
    """One file's extract: the format it was read by, the file's name and its table (see the module's
    rules). A stored BACI extract is memory-mapped, not read: :meth:`importer_rows` takes only the
    runs of rows of the importers asked for; ``table`` is the whole of it."""

    def __init__(self, fmt: Format, table: pa.Table, file: str, runs: tuple[np.ndarray, np.ndarray] | None = None):
        self.fmt, self.file, self.table = fmt, file, table
        self._runs = runs  # of a stored BACI extract: each run's importer, and where each run starts

    def importer_rows(self, importers: pa.Array) -> dict[str, np.ndarray]:
        """The rows of a BACI extract whose importer is one of ``importers`` (int16), as arrays by
        column: of a stored one, only the runs of rows of those importers are touched."""
        table = self.table
        if self._runs is not None:
            codes, starts = self._runs
            chosen = np.flatnonzero(np.isin(codes, importers.to_numpy()))
            ends = np.append(starts[1:], table.num_rows)
            slices = [table.slice(starts[n], ends[n] - starts[n]) for n in chosen.tolist()]
            table = pa.concat_tables(slices) if slices else _BACI_SCHEMA.empty_table()
        rows = {name: table.column(name).to_numpy() for name in _BACI_SCHEMA.names}
        keep = np.isin(rows["importer"], importers.to_numpy())
        return {name: values[keep] for name, values in rows.items()}


class _Anomaly(Exception):
    """The fast pass met a broken rule or an unsorted file; the exact pass says where."""


# ---------------------------------------------------------------------------
# Building and keeping extracts


def show_progress(progress: bool | None = None) -> bool:
    """Whether a per-file bar is drawn: never inside a kernel (the run context names a notebook, or
    ipykernel is loaded), else as ``progress`` says, else when stderr is a terminal."""
    if run_context().get("notebook") or "ipykernel" in sys.modules:
        return False
    if progress is not None:
        return progress
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def extract(file: Source, header: Header, fmt: Format, progress: bool | None = None) -> Extract:
    """The extract of one download file: from the cache when its content was read before, else built
    (one pass over the file) and kept. ``header`` and ``fmt`` from the bounded header read.

    A plain BACI file whose digest is not remembered, and that is not possibly a touched, moved or
    copied file the index knows (:func:`~helpers.official.store.seen_before`), is hashed while it is
    parsed (one pass); its key is then known after the build. Any other file is hashed first, so an
    extract already kept is found without parsing."""
    return _extract(file, header, fmt, progress, None)


def extract_ahead(
    file: Source, header: Header, fmt: Format, progress: bool | None, finishing: ThreadPoolExecutor
) -> Extract | Future:
    """:func:`extract`, the file read on this thread and its table assembled and stored on
    ``finishing`` (a Future of the Extract), so that the next file is read meanwhile; a kept extract
    is returned as it is. A broken file is its DataError here, before anything is handed on."""
    return _extract(file, header, fmt, progress, finishing)


def _extract(file: Source, header: Header, fmt: Format, progress, finishing) -> Extract | Future:
    folder = cache_folder()
    if folder is None:
        return Extract(fmt, build(file, header, fmt, progress), file.name)
    key = None
    if not _hash_while_parsing(file, fmt):
        key = _key(file)
        if key is not None:
            stored = load_entry(entry_path(folder, key, fmt), fmt)
            if stored is not None:
                return stored
    # stamped before the key the build is stored under: a file that changes from here on is not kept
    before = _stamp(file)
    key = None if key is None else _key(file)  # a remembered digest, unless the file changed meanwhile
    make, hashed = _build(file, header, fmt, progress)
    if key is None:
        if hashed is not None:
            store.remember_digest(*hashed)
        key = _key(file)
    keep = key is not None and before is not None and _stamp(file) == before  # else it changed while read

    def finish() -> Extract:
        built = Extract(fmt, make(), file.name)
        if keep:
            _save(entry_path(folder, key, fmt), built)
        return built

    return finish() if finishing is None else finishing.submit(finish)


def _stamp(file: Source) -> tuple | None:
    try:
        return store.file_stamp(file)
    except OSError:
        return None


def _key(file: Source) -> str | None:
    try:
        return content_key(file, "all-pairs", EXTRACT_VERSION)
    except (OSError, DataError):
        return None  # the read says what is wrong


def _hash_while_parsing(file: Source, fmt: Format) -> bool:
    """Whether the file's digest is taken while it is parsed (see :func:`extract`)."""
    if fmt is not BACI or isinstance(file, ArchiveMember) or file.name.lower().endswith(".gz"):
        return False
    try:
        return store.known_digest(file) is None and not store.seen_before(file)
    except OSError:
        return False


def build(file: Source, header: Header, fmt: Format, progress: bool | None = None) -> pa.Table:
    """Read one file into its extract's table (no cache); a broken file is its DataError."""
    return _build(file, header, fmt, progress)[0]()


def _build(
    file: Source, header: Header, fmt: Format, progress: bool | None
) -> tuple[Callable[[], pa.Table], tuple | None]:
    """Read one file (every row checked): what makes its extract's table, and for a plain BACI file
    read whole in one pass, (where, stamp, SHA-256)."""
    bar = _bar(file, progress)
    try:
        if fmt is BACI:
            parts, hashed = _baci_parts_of_file(file, header, bar)
            return functools.partial(_chapter_table, parts), hashed
        table = _build_comtrade(file, header, fmt, bar)
        return (lambda: table), None
    finally:
        bar.close()


class _NoBar:
    """The progress bar when none is drawn."""

    def update(self, n: int = 1) -> None:
        pass

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(file: Source, progress: bool | None):
    if not show_progress(progress):
        return _NoBar()
    from tqdm import tqdm

    return tqdm(desc=file.name, unit=" rows", unit_scale=True, file=sys.stderr, leave=True)


def entry_path(folder: Path, key: str, fmt: Format) -> Path:
    """Where the extract of ``key`` is kept: Arrow IPC for BACI (memory-mapped when read), Parquet for
    Comtrade (whose repeated text Parquet's dictionaries store once)."""
    return folder / f"{key}.extract.{'arrow' if fmt is BACI else 'parquet'}"


def entry_metadata(path: Path) -> dict[str, str]:
    """The metadata a kept extract carries (``format``, ``file`` and, for BACI, ``importers``)."""
    if path.suffix == ".arrow":
        with pa.memory_map(str(path)) as source:
            schema = pa.ipc.open_file(source).schema
    else:
        schema = pq.read_schema(path)
    return {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}


def load_entry(path: Path, fmt: Format) -> Extract | None:
    """A stored extract (a BACI one memory-mapped, its rows touched on demand), or None when there is
    none or it is damaged (it is then rebuilt)."""
    try:
        if fmt is BACI:
            return _load_baci(path)
        stored = pq.ParquetFile(path)
        meta = stored.schema_arrow.metadata or {}
        if meta.get(b"format") != fmt.name.encode():
            return None
        table = stored.read(use_threads=False).replace_schema_metadata(None)
    except (OSError, ValueError, pa.ArrowException):
        return None
    return Extract(fmt, table, meta.get(b"file", b"").decode())


def _load_baci(path: Path) -> Extract | None:
    """A stored BACI extract, memory-mapped: its one record batch and its index of importer runs, both
    checked against each other (a file that does not fit is damaged: None)."""
    reader = pa.ipc.open_file(pa.memory_map(str(path)))
    meta = reader.schema.metadata or {}
    if meta.get(b"format") != BACI.name.encode() or not reader.schema.remove_metadata().equals(_BACI_SCHEMA):
        return None
    if reader.num_record_batches != 1:
        return None
    table = pa.Table.from_batches([reader.get_batch(0)]).replace_schema_metadata(None)
    runs = importer_runs(meta, table)
    if runs is None:
        return None
    return Extract(BACI, table, meta.get(b"file", b"").decode(), runs)


def importer_runs(meta: dict, table: pa.Table) -> tuple[np.ndarray, np.ndarray] | None:
    """Each run of rows of one year and importer: its importer and where it starts, from the
    ``importers`` entry :func:`_save` writes; None when there is none or it does not fit the rows."""
    try:
        codes, starts = (np.array(side, dtype=np.int64) for side in json.loads(meta[b"importers"]))
    except (KeyError, ValueError, TypeError):
        return None
    rows = table.num_rows
    if codes.shape != starts.shape or codes.ndim != 1:
        return None
    if not starts.size:
        return (codes, starts) if not rows else None
    if starts[0] != 0 or np.any(starts[1:] <= starts[:-1]) or starts[-1] >= rows:
        return None
    importer = table.column("importer").to_numpy()
    ends = np.append(starts[1:], rows)
    if not (np.array_equal(importer[starts], codes) and np.array_equal(importer[ends - 1], codes)):
        return None
    return codes, starts


def _runs_of(table: pa.Table) -> list[list[int]]:
    """[importers, starts] of the table's runs of rows of one year and importer (sorted so by
    :func:`_chapter_table`)."""
    if not table.num_rows:
        return [[], []]
    year, importer = (table.column(c).to_numpy() for c in ("year", "importer"))
    change = np.concatenate([[True], (importer[1:] != importer[:-1]) | (year[1:] != year[:-1])])
    starts = np.flatnonzero(change)
    return [importer[starts].tolist(), starts.tolist()]


def _save(path: Path, built: Extract) -> None:
    """Store an extract under a temporary name, then rename it; failures only cost speed."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        metadata = {"format": built.fmt.name, "file": built.file}
        if built.fmt is not BACI:
            pq.write_table(built.table.replace_schema_metadata(metadata), temporary)
        else:
            # one record batch, uncompressed (read by mapping it: nothing decoded), and a small index
            # of its runs of rows of one year and importer (a question touches only its importers' runs)
            metadata["importers"] = json.dumps(_runs_of(built.table))
            table = built.table.combine_chunks().replace_schema_metadata(metadata)
            with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table, max_chunksize=max(table.num_rows, 1))
        temporary.replace(path)
    except (OSError, ValueError, pa.ArrowException):
        temporary.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# BACI: the all-pairs chapter table


def _named(file: Source) -> tuple[int | None, np.ndarray | None, str | None]:
    """For a file named like BACI's yearly files: the year of its name and a lookup of its release's
    products (index = product code), with the product file's name; else Nones."""
    name = BACI_FILE_NAME.match(file.name)
    if not name:
        return None, None, None
    product_file = baci_side_file(file, PRODUCT_CODES_PREFIX, name["rev"])
    if product_file is None:
        return int(name["year"]), None, None
    return int(name["year"]), _product_lookup(product_codes(product_file)), product_file.name


@functools.lru_cache(maxsize=8)
def _product_lookup(codes: frozenset[str]) -> np.ndarray:
    """Product code -> whether the release's product file has it (read only)."""
    valid = np.zeros(1_000_000, dtype=bool)
    six = [code for code in codes if len(code) == 6 and code.isdigit()]
    plain = [code for code in six if code.isascii()]
    if plain:  # six ASCII digits each: read all at once
        digits = np.frombuffer("".join(plain).encode("ascii"), dtype=np.uint8).reshape(-1, 6) - ord("0")
        valid[digits.astype(np.int64) @ (10 ** np.arange(5, -1, -1, dtype=np.int64))] = True
    valid[np.array([int(code) for code in six if not code.isascii()], dtype=np.int64)] = True
    valid.flags.writeable = False
    return valid


def _baci_parts_of_file(file: Source, header: Header, bar) -> tuple[list, tuple | None]:
    code_file, _ = find_release_file(file, COUNTRY_CODES_PREFIX)
    if code_file is not None:
        read_country_codes(code_file)  # a damaged code file fails the read, and nothing is kept
    year, products, product_name = _named(file)
    hashed = None
    try:
        parts, hashed = _fast_baci(file, header, year, products, bar)
    except _Anomaly:
        bar.reset()
        parts = _exact_baci(file, header, year, products, product_name, bar)
    return parts, hashed


def _packed(t: np.ndarray, i: np.ndarray, j: np.ndarray, k: np.ndarray) -> np.ndarray:
    """One int64 per row ordered as (t, i, j, k); ``// 10_000`` of it is the (t, i, j, chapter) group."""
    return ((t.astype(np.int64) * 1000 + i) * 1000 + j) * 1_000_000 + k


def _packed_into(keys: np.ndarray, t: np.ndarray, i: np.ndarray, j: np.ndarray, k: np.ndarray, year: int | None):
    """:func:`_packed` written into ``keys`` (no temporaries); ``year`` when every ``t`` is it."""
    if year is None:
        np.multiply(t, 1000, out=keys)
        keys += i
    else:
        np.add(i, year * 1000, out=keys)
    keys *= 1000
    keys += j
    keys *= 1_000_000
    keys += k
    return keys


def _runs(keys: np.ndarray, values: np.ndarray, ordered: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``values`` per key, keys sorted: by runs when ``keys`` is sorted (``ordered`` says it is
    known to be), else by np.unique."""
    if len(keys) == 0:
        return keys, values
    if ordered or np.all(keys[1:] >= keys[:-1]):
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        return keys[starts], np.add.reduceat(values, starts)
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=values, minlength=len(unique))


def byte_ranges(file: Source) -> list[tuple[int, int]] | None:
    """Byte ranges of a plain file on disk, in order, each starting with a line that is skipped (the
    header, or the last line of the range before, never a blank one), split after a line end: one
    range for a file under :data:`SPLIT_BYTES`, else at least two of about :data:`RANGE_BYTES`
    each; None for a member or a gzip file (read as one stream)."""
    if isinstance(file, ArchiveMember) or file.name.lower().endswith(".gz"):
        return None
    size = file.stat().st_size
    if size < SPLIT_BYTES:
        return [(0, size)]
    parts = max(2, -(-size // RANGE_BYTES))
    ranges, begin, end = [], 0, 0
    with open(file, "rb") as fh:
        for n in range(1, parts):
            split = _split_after(fh, max(size * n // parts, end + 1), size)
            if split is None:
                continue
            ranges.append((begin, split[1]))
            begin, end = split
    ranges.append((begin, size))
    return ranges


def _split_after(fh, at: int, size: int) -> tuple[int, int] | None:
    """(start of the line, start of the next) for the first non-blank line that ends at or after
    ``at`` and is not the file's first line; None when there is none within a MiB."""
    for reach in (1 << 16, 1 << 20):
        look = max(0, at - reach)
        fh.seek(look)
        around = fh.read(2 * reach)
        split = around.find(b"\n", at - look)
        while split >= 0:
            split += 1
            previous = around.rfind(b"\n", 0, split - 1) + 1
            if previous <= 0 or look + split >= size:
                break  # the line began before what was read (or is the header), or ends the file
            if around[previous:split].strip():
                return look + previous, look + split
            split = around.find(b"\n", split)
    return None


#: BACI as the fast pass reads it: product codes as integers (the exact pass checks them as text).
BACI_FAST = Format(
    BACI.name,
    BACI.title,
    tuple(Field(f.key, f.header, "int" if f.key == "cmd" else f.kind, f.required) for f in BACI.fields),
)


def _fast_positions(header: Header) -> tuple[dict[str, int], dict[str, str]]:
    positions = {key: BACI.positions(header.names)[key] for key in _BACI_KEYS}
    return positions, {f"c{pos}": key for key, pos in positions.items()}


def _member_batches(file: Source, header: Header, data: pa.NativeFile | None = None) -> Iterator[pa.RecordBatch]:
    """Record batches of the fast pass streamed over a whole member or gzip file (or ``data``, the
    whole file held in memory), keys as column names."""
    positions, names = _fast_positions(header)
    try:
        with contextlib.ExitStack() as stack:
            if data is None:
                data = stack.enter_context(binary_input(file))
            for batch in stream.open_stream(file, header, BACI_FAST, positions, data):
                yield batch.rename_columns([names[n] for n in batch.schema.names])
    except (pa.ArrowInvalid, OSError, DataError):
        raise _Anomaly from None


def _buffer_batches(file: Source, header: Header, data: bytes | memoryview) -> Iterator[pa.RecordBatch]:
    """The fast pass's record batches of one range held in memory (its first line skipped)."""
    positions, names = _fast_positions(header)
    try:
        table = stream.read_block(header, BACI_FAST, positions, data)
    except (pa.ArrowInvalid, OSError, DataError):
        raise _Anomaly from None
    table = table.rename_columns([names[n] for n in table.schema.names])
    yield from table.to_batches()


class _Keys:
    """What the fast pass keeps to tell duplicates in an unsorted file: each batch's row keys while
    fewer than :data:`KEPT_ROWS` are kept, or once the file is known to be unsorted (shared by the
    ranges). ``stop`` is set when one range has failed, so that the others end early."""

    def __init__(self, size: int | None = None) -> None:
        self.lock = threading.Lock()
        self.kept = 0
        self.unsorted = False
        self.stop = False
        # a file too big to be read without its keys' copies costing more than they save keeps none
        # until it is found unsorted (it is then checked whole by the exact pass)
        self.budget = KEPT_ROWS if size is None or size <= KEPT_BYTES else 0

    def keep(self, keys: np.ndarray, ordered: bool) -> np.ndarray | None:
        """A copy of a batch's row keys when they are kept, else None."""
        with self.lock:
            self.unsorted |= not ordered
            if self.unsorted or self.kept + len(keys) <= self.budget:
                self.kept += len(keys)
                return keys.copy()
            return None


#: Row keys the fast pass keeps at most for a file it has not yet found unsorted (8 bytes each).
KEPT_ROWS = 4_000_000
#: A plain file bigger than this keeps no row keys while it is found sorted.
KEPT_BYTES = 64 << 20


class _Scratch(threading.local):
    """Each thread's working arrays for the fast pass, reused from batch to batch (fresh memory costs a
    page fault per page; a batch's temporaries would cost more than its arithmetic)."""

    size = 0

    def arrays(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if n > self.size:
            self.size = max(n, 1 << 17)
            self.keys = np.empty(self.size, dtype=np.int64)
            self.groups = np.empty(self.size, dtype=np.int64)
            self.values = np.empty(self.size, dtype=np.float64)
            self.flags = np.empty(self.size, dtype=bool)
        return self.keys[:n], self.groups[:n], self.values[:n], self.flags[:n]


_SCRATCH = _Scratch()


def _fast_batches(batches: Iterator[pa.RecordBatch], year, products, keys: _Keys, bar) -> list:
    """The fast pass over one range's batches: per batch, (first and last row key, whether its rows
    are in order, the row keys kept, then the groups' (year, exporter, importer, chapter) columns and
    sums for rows in order, else sorted group keys and sums); any broken rule is an :class:`_Anomaly`."""
    out = []
    last = None
    for batch in batches:
        if keys.stop:
            raise _Anomaly
        n = batch.num_rows
        if n == 0:
            continue
        columns = [batch.column(key) for key in _BACI_KEYS]
        if any(column.null_count for column in columns):
            raise _Anomaly
        t, i, j, k, v = (column.to_numpy() for column in columns)
        if year is not None:
            if t.min() != year or t.max() != year:
                raise _Anomaly
        elif t.min() < 0 or t.max() > 9999:
            raise _Anomaly
        if k.min() < 10_000 or k.max() > 999_999 or i.min() < 0 or i.max() > 999 or j.min() < 0 or j.max() > 999:
            raise _Anomaly
        if not (v.min() >= 0 and np.isfinite(v.max())):  # NaN fails both tests
            raise _Anomaly
        row_keys, groups, values, flags = _SCRATCH.arrays(n)
        if products is not None and not np.take(products, k, out=flags, mode="clip").all():
            raise _Anomaly
        _packed_into(row_keys, t, i, j, k, year)
        ordered = bool(np.greater(row_keys[1:], row_keys[:-1], out=flags[1:]).all())
        ordered = ordered and (last is None or row_keys[0] > last)
        first, last = int(row_keys[0]), int(row_keys[-1])
        kept = keys.keep(row_keys, ordered)
        np.floor_divide(row_keys, 10_000, out=groups)
        np.multiply(v, 1000.0, out=values)
        if ordered:  # each group's columns read from its first row (nothing to decode later)
            np.not_equal(groups[1:], groups[:-1], out=flags[1:])
            flags[0] = True
            starts = np.flatnonzero(flags)
            sums = np.add.reduceat(values, starts)
            group_columns = (
                t[starts].astype(np.int16),
                i[starts].astype(np.int16),
                j[starts].astype(np.int16),
                (k[starts] // 10_000).astype(np.int8),
            )
            out.append((first, last, ordered, kept, group_columns, sums))
        else:
            out.append((first, last, ordered, kept, *_runs(groups.copy(), values.copy())))
        bar.update(n)
    return out


#: Ranges read ahead of the parsing at most (each about :data:`RANGE_BYTES`).
RANGES_AHEAD = 3


def _fast_baci(file, header, year, products, bar) -> tuple[list[tuple[np.ndarray, np.ndarray]], tuple | None]:
    """The fast pass over a whole file, and for a plain file (where, stamp, SHA-256) of its bytes.

    A plain file is read once, in order, range by range (:func:`byte_ranges`): each range's new bytes
    are fed to SHA-256 as they are read, and the ranges are parsed two at a time while the next are
    read. A member or a gzip file is one stream (its digest is taken apart)."""
    spans = byte_ranges(file)
    keys = _Keys(None if spans is None else spans[-1][1])
    if spans is None:
        pieces = _fast_batches(_member_batches(file, header), year, products, keys, bar)
        hashed = None
    else:
        pieces, hashed = _fast_plain(file, header, spans, year, products, keys, bar)
    if not pieces:
        raise _Anomaly  # no data rows: the exact pass says so
    ordered = all(piece[2] for piece in pieces) and all(
        after[0] > before[1] for before, after in zip(pieces, pieces[1:])
    )
    if not ordered:
        if any(piece[3] is None for piece in pieces):
            raise _Anomaly  # unsorted, and too big to have kept its keys: the exact pass checks it whole
        every = np.sort(np.concatenate([piece[3] for piece in pieces]))
        if np.any(every[1:] == every[:-1]):
            raise _Anomaly  # a row twice: the exact pass names its lines
    if ordered:
        return [(piece[4], piece[5]) for piece in pieces], hashed
    keys = [_group_keys(*piece[4]) if piece[2] else piece[4] for piece in pieces]
    return [_runs(np.concatenate(keys), np.concatenate([piece[5] for piece in pieces]))], hashed


def _fast_plain(file: Path, header, spans, year, products, keys: _Keys, bar) -> tuple[list, tuple | None]:
    """The fast pass over a plain file's ranges, and (where, stamp, SHA-256) when the file did not
    change while it was read (else None)."""
    where, stamp = store.file_stamp(file)
    digest = hashlib.sha256()
    results: list[list] = [[] for _ in spans]
    with open(file, "rb", buffering=0) as fh:
        if len(spans) == 1:  # a small file: streamed from memory, batch by batch
            data = _read_range(fh, spans[0], 0, digest)
            batches = _member_batches(file, header, pa.BufferReader(pa.py_buffer(data)))
            results[0] = _fast_batches(batches, year, products, keys, bar)
        else:
            _parse_ranges(fh, file, header, spans, digest, results, (year, products, keys, bar))
        if fh.read(1):
            raise _Anomaly  # the file grew while it was read: read it again, whole
    try:
        unchanged = store.file_stamp(file) == (where, stamp)
    except OSError:
        unchanged = False
    pieces = [piece for result in results for piece in result]
    return pieces, (where, stamp, digest.hexdigest()) if unchanged else None


def _parse_ranges(fh, file: Path, header: Header, spans, digest, results: list, checks: tuple) -> None:
    """Read the ranges in order on this thread (each hashed as it is read) and parse them on the two
    workers, at most :data:`RANGES_AHEAD` ahead; the first failure stops the others. The buffers
    are reused once a range is parsed (pyarrow keeps nothing of them)."""
    keys = checks[2]
    size = max(end - begin for begin, end in spans)
    free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()

    def work(n: int, buffer: bytearray, length: int) -> None:
        try:
            results[n] = _fast_batches(_buffer_batches(file, header, memoryview(buffer)[:length]), *checks)
        finally:
            free.put(buffer)

    pending: deque[Future] = deque()
    hashed_to = 0
    try:
        for n, span in enumerate(spans):
            try:
                buffer = free.get_nowait()
            except queue.Empty:
                buffer = bytearray(size)
            length = _read_range_into(fh, span, hashed_to, digest, buffer)
            hashed_to = span[1]
            pending.append(_pool().submit(work, n, buffer, length))
            while len(pending) >= RANGES_AHEAD or (pending and pending[0].done()):
                pending.popleft().result()
        while pending:
            pending.popleft().result()
    except BaseException:
        keys.stop = True
        for future in pending:
            future.cancel()
        for future in pending:
            if not future.cancelled():
                future.exception()  # wait for the ranges still being parsed
        raise


def _read_range_into(fh, span: tuple[int, int], hashed_to: int, digest, buffer: bytearray) -> int:
    """Read one range into ``buffer`` (its length returned); the bytes after ``hashed_to`` are fed to
    ``digest``."""
    begin, end = span
    view = memoryview(buffer)[: end - begin]
    fh.seek(begin)
    filled = 0
    while filled < len(view):
        got = fh.readinto(view[filled:])
        if not got:
            raise _Anomaly  # the file was cut while it was read: the exact pass says what is wrong
        filled += got
    digest.update(view[hashed_to - begin :])
    return end - begin


def _read_range(fh, span: tuple[int, int], hashed_to: int, digest) -> bytes:
    """The bytes of one range, read whole; those after ``hashed_to`` are fed to ``digest``."""
    begin, end = span
    fh.seek(begin)
    data = fh.read(end - begin)
    while len(data) < end - begin:  # a short read: read on (a file cut meanwhile is read again, whole)
        more = fh.read(end - begin - len(data))
        if not more:
            raise _Anomaly
        data += more
    digest.update(memoryview(data)[hashed_to - begin :])
    return data


_POOL: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    """Two worker threads, one per core, shared by every read of this process."""
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=2, thread_name_prefix="baci-range"))
    return _POOL[0]


def _exact_baci(file, header, year, products, product_name, bar) -> list[tuple[np.ndarray, np.ndarray]]:
    """The exact pass: every rule on every row, in file order, naming line and column of the first
    broken one (:func:`helpers.official.stream.fail_at`); duplicates checked whole."""
    positions = BACI.positions(header.names)
    pieces, packed = [], []
    offset = 0
    for batch in stream.batches(file, header, BACI, {key: positions[key] for key in _BACI_KEYS}):
        recs = np.arange(offset, offset + batch.num_rows, dtype=np.int64)
        offset += batch.num_rows
        text = pc.utf8_trim_whitespace(batch.column("cmd"))
        bad = ~np.asarray(pc.match_substring_regex(text, _SIX_DIGITS).to_numpy(zero_copy_only=False), dtype=bool)
        if bad.any():
            shown_codes = normalise_codes(pd.Series(text.to_pylist()))[bad]
            raise fail_at(
                file,
                header,
                recs[bad],
                "must be a 6-digit HS code written as text (e.g. 010121)",
                "k",
                dict(zip(recs[bad].tolist(), shown_codes.tolist())),
            )
        t, i, j, v = (batch.column(key).to_numpy() for key in ("year", "exporter", "importer", "value"))
        k = pc.cast(text, pa.int32()).to_numpy()
        bad = ~(np.isfinite(v) & (v >= 0))
        if bad.any():
            raise fail_at(
                file,
                header,
                recs[bad],
                "must be a finite value of at least 0",
                "v",
                dict(zip(recs[bad].tolist(), v[bad].astype(str))),
            )
        if year is not None and not np.all(t == year):
            bad = t != year
            raise fail_at(
                file,
                header,
                recs[bad],
                f"year differs from the file name's Y{year}",
                "t",
                dict(zip(recs[bad].tolist(), t[bad].astype(str))),
            )
        if products is not None and not products[k].all():
            bad = ~products[k]
            raise fail_at(
                file,
                header,
                recs[bad],
                f"product code not in {product_name}",
                "k",
                {rec: f"{code:06d}" for rec, code in zip(recs[bad].tolist(), k[bad].tolist())},
            )
        for values, column, rule in (
            (t, "t", "must be a year of at most four digits"),
            (i, "i", "must be a country code of at most three digits"),
            (j, "j", "must be a country code of at most three digits"),
        ):
            bad = (values < 0) | (values > (9999 if column == "t" else 999))
            if bad.any():
                raise fail_at(
                    file, header, recs[bad], rule, column, dict(zip(recs[bad].tolist(), values[bad].astype(str)))
                )
        keys = _packed(t, i, j, k)
        packed.append(keys)
        pieces.append(_runs(keys // 10_000, v * 1000.0))
        bar.update(batch.num_rows)
    _check_no_row_twice(file, header, np.concatenate(packed), positions)
    return pieces


def _check_no_row_twice(file: Source, header: Header, keys: np.ndarray, positions: dict[str, int]) -> None:
    """The same year, exporter, importer and product twice is an error naming their lines."""
    ordered = np.sort(keys)
    twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if len(twice) == 0:
        return
    recs = np.flatnonzero(np.isin(keys, twice))
    raise fail_at(file, header, recs, "the same year, exporter, importer and product appear twice", "k")


def _group_keys(year, exporter, importer, chapter) -> np.ndarray:
    """The group keys (:func:`_packed` ``// 10_000``) of groups' columns."""
    return ((year.astype(np.int64) * 1000 + exporter) * 1000 + importer) * 100 + chapter


def _columns_of(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, exporter, importer and chapter of group keys (:func:`_packed` ``// 10_000``)."""
    chapter, rest = keys % 100, keys // 100
    importer, rest = rest % 1000, rest // 1000
    exporter, year = rest % 1000, rest // 1000
    return year.astype(np.int16), exporter.astype(np.int16), importer.astype(np.int16), chapter.astype(np.int8)


def _chapter_table(pieces: list[tuple]) -> pa.Table:
    """The extract's table from the per-batch group sums: one row per (year, exporter, importer,
    chapter), sorted by year, importer, exporter and chapter (so that each importer's rows of a year are
    one run, see :func:`importer_runs`).

    Each piece is (the groups' columns, sums) of a file read in order, the pieces in file order (a
    group split between batches is summed from its parts, in order), or (sorted group keys, sums)."""
    if not all(isinstance(piece[0], tuple) for piece in pieces):
        keys, sums = _runs(np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces]))
        pieces = [(_columns_of(keys), sums)]
    kept_columns: list[tuple] = []
    kept_sums: list[np.ndarray] = []
    for columns, sums in pieces:
        if not len(sums):
            continue
        if kept_sums and len(kept_sums[-1]) and all(a[-1] == b[0] for a, b in zip(kept_columns[-1], columns)):
            sums = sums.copy()  # a group split between batches: its parts summed in order
            sums[0] = kept_sums[-1][-1] + sums[0]
            kept_columns[-1] = tuple(column[:-1] for column in kept_columns[-1])
            kept_sums[-1] = kept_sums[-1][:-1]
        kept_columns.append(columns)
        kept_sums.append(sums)
    parts = [(*columns, sums) for columns, sums in zip(kept_columns, kept_sums)]
    years = {int(bound) for part in parts for bound in (part[0].min(), part[0].max())}
    codes = all(part[2].min() >= 0 and part[2].max() < 1000 for part in parts)
    single = len(years) == 1 and codes  # one year, importer codes a counting sort can take
    columns = _by_importer(parts) if single else _by_year_and_importer(parts)
    return pa.table([pa.array(column) for column in columns], schema=_BACI_SCHEMA)


_EXTRACT_DTYPES = (np.int16, np.int16, np.int16, np.int8, np.float64)


def _by_importer(parts: list[tuple]) -> list[np.ndarray]:
    """The parts' rows (year, exporter, importer, chapter, sum; one year), joined in order and sorted
    stably by importer: a counting sort, each part's rows put in place on the two workers (the rows are
    written once, into arrays made once)."""
    total = sum(len(part[4]) for part in parts)
    out = [np.empty(total, dtype=dtype) for dtype in _EXTRACT_DTYPES]
    if not total:
        return out
    counts = np.stack([np.bincount(part[2], minlength=1000) for part in parts])  # codes 0-999 (checked)
    first = np.concatenate([[0], np.cumsum(counts.sum(axis=0))[:-1]])
    bases = first + np.cumsum(counts, axis=0) - counts  # where each part's rows of each importer begin

    def place(n: int) -> None:
        importer = parts[n][2]
        order = np.argsort(importer, kind="stable")
        ordered = importer[order]
        starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
        slots = bases[n][ordered] + rank
        for column, values in zip(out, parts[n]):
            column[slots] = values[order]

    halves = [range(0, len(parts), 2), range(1, len(parts), 2)]
    later = _pool().submit(lambda: [place(n) for n in halves[1]])
    for n in halves[0]:
        place(n)
    later.result()
    return out


def _by_year_and_importer(parts: list[tuple]) -> list[np.ndarray]:
    """The parts' rows joined in order and sorted stably by year and importer (files of several years)."""
    if not parts:
        return [np.empty(0, dtype=dtype) for dtype in _EXTRACT_DTYPES]
    year, exporter, importer, chapter, sums = (np.concatenate([p[n] for p in parts]) for n in range(5))
    order = np.lexsort((importer, year))
    return [np.take(column, order) for column in (year, exporter, importer, chapter, sums)]


# ---------------------------------------------------------------------------
# Comtrade: the typed rows


def _build_comtrade(file: Source, header: Header, fmt: Format, bar) -> pa.Table:
    """Every row of a Comtrade file with the format's fields, typed, and its record number ``rec``."""
    positions = fmt.positions(header.names)
    pieces = []
    offset = 0
    for batch in stream.batches(file, header, fmt, positions):
        recs = pa.array(np.arange(offset, offset + batch.num_rows, dtype=np.int64))
        pieces.append(batch.append_column("rec", recs))
        offset += batch.num_rows
        bar.update(batch.num_rows)
    return pa.Table.from_batches(pieces)


def _one_batch(table: pa.Table) -> pa.RecordBatch:
    """A table as one record batch (what :class:`~helpers.official.stream.PairFilter` selects from)."""
    combined = table.combine_chunks()
    batches = combined.to_batches()
    if len(batches) == 1:
        return batches[0]
    return pa.RecordBatch.from_pylist([], schema=table.schema) if not batches else pa.concat_batches(batches)


# ---------------------------------------------------------------------------
# Questions answered from an extract


class Flows:
    """One BACI file's flows at chapter level as arrays (no pandas yet): ``year``, ``chapter`` and
    ``value_usd`` per row, ``exporter`` and ``importer`` as positions in ``isos`` (the ISO3 codes of
    the file's code table, sorted); turned into one frame with the other files' (:func:`flows_frame`,
    :func:`sorted_flows`)."""

    def __init__(self, year, exporter, importer, chapter, value_usd, isos: list[str], file: str):
        self.year, self.exporter, self.importer, self.chapter = year, exporter, importer, chapter
        self.value_usd, self.isos, self.file = value_usd, isos, file

    def __len__(self) -> int:
        return len(self.year)

    def frame(self) -> pd.DataFrame:
        """The file's flows frame, as :func:`~helpers.official.schema.sum_by_code` gives it."""
        return _typed_frame(_joined([self])).sort_values(SUM_KEYS, ignore_index=True)


_CHAPTERS = pa.array([f"{chapter:02d}" for chapter in range(100)], type=pa.large_string())


def _joined(flows: list[Flows]) -> dict:
    """Several files' :class:`Flows` as one set of arrays: ``exporter`` and ``importer`` as positions in
    ``isos`` (every file's codes, sorted: a position sorts as its code's text does), ``file`` as a
    position in ``files``."""
    isos = sorted(set().union(*(f.isos for f in flows)))
    position = {iso: n for n, iso in enumerate(isos)}
    files = sorted({f.file for f in flows})
    joined = {"isos": isos, "files": files}
    for column in ("exporter", "importer"):
        parts = [np.array([position[iso] for iso in f.isos], dtype=np.int32)[getattr(f, column)] for f in flows]
        joined[column] = np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)
    for column, dtype in (("year", np.int64), ("chapter", np.int64), ("value_usd", np.float64)):
        parts = [getattr(f, column) for f in flows]
        joined[column] = np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)
    parts = [np.full(len(f), files.index(f.file), dtype=np.int32) for f in flows]
    joined["file"] = np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)
    return joined


def _typed_frame(joined: dict, order: np.ndarray | None = None) -> pd.DataFrame:
    """The frame of :data:`FLOW_COLUMNS` of joined :class:`Flows` (:func:`_joined`), typed as
    :func:`~helpers.official.schema.typed_flows` types them, rows in ``order`` when given."""
    at = (lambda a: a) if order is None else (lambda a: a[order])
    n = len(joined["year"])

    def text(values: list[str], positions: np.ndarray) -> pd.arrays.ArrowStringArray:
        return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()).take(pa.array(at(positions))))

    def repeat(value: str) -> pd.arrays.ArrowStringArray:
        return pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(value, type=pa.large_string()), n))

    hs = _CHAPTERS.take(pa.array(at(joined["chapter"])))
    columns = {
        "source": repeat("baci"),
        "year": at(joined["year"]),
        "exporter": text(joined["isos"], joined["exporter"]),
        "importer": text(joined["isos"], joined["importer"]),
        "reported_by": repeat("reconciled"),
        "flow": repeat("reconciled"),
        "hs_chapter": pd.arrays.ArrowStringArray(hs),
        "hs_code": pd.arrays.ArrowStringArray(hs),
        "value_usd": at(joined["value_usd"]),
        "file": text(joined["files"], joined["file"]),
    }
    return pd.DataFrame(columns, copy=False)  # typed already: text as pandas strings, int64, float64


def sorted_flows(parts: list[Flows | pd.DataFrame]) -> pd.DataFrame | None:
    """When every file's flows are BACI :class:`Flows`: their frame, typed and sorted as
    :func:`helpers.official.read.read_flows` sorts (year, exporter, importer, HS code), once no flow
    is in two files (checked here: the only overlap files of chapter-level BACI flows can have);
    else None (the frames are joined and checked as they are for every other format)."""
    if not parts or not all(isinstance(part, Flows) for part in parts) or _two_revisions_a_year(parts):
        return None
    joined = _joined(parts)
    year, exporter, importer, chapter = (joined[c] for c in ("year", "exporter", "importer", "chapter"))
    if len(year) and (year.min() < 0 or year.max() > 9999 or len(joined["isos"]) > 1000):
        keys = [year, exporter, importer, chapter]
        order = np.lexsort(keys[::-1])
        same = np.ones(max(len(order) - 1, 0), dtype=bool)
        for column in keys:
            ordered = column[order]
            same &= ordered[1:] == ordered[:-1]
    else:  # one int64 a flow, ordered as (year, exporter, importer, chapter): one sort instead of four
        packed = ((year * 1000 + exporter) * 1000 + importer) * 100 + chapter
        order = np.argsort(packed, kind="stable")
        ordered = packed[order]
        same = ordered[1:] == ordered[:-1]
    if same.any():
        return None  # a flow in two files: the frames are checked as they are, and the error says where
    return _typed_frame(joined, order)


def _two_revisions_a_year(parts: list[Flows]) -> bool:
    """Whether files of two HS revisions (by their names) hold flows of one year: the general check
    then says whether one flow is in both (:func:`helpers.official.read.read_flows`' rules)."""
    seen: dict[int, str] = {}
    for part in parts:
        revision = baci_revision(part.file)
        if revision is None or not len(part):
            continue
        low, high = int(part.year.min()), int(part.year.max())
        for year in {low} if low == high else set(np.unique(part.year).tolist()):
            if seen.setdefault(year, revision) != revision:
                return True
    return False


def flows_frame(parts: list[Flows | pd.DataFrame]) -> pd.DataFrame:
    """The files' flows as one frame of typed :data:`FLOW_COLUMNS`, in the files' order (the arrays of
    consecutive :class:`Flows` joined before any frame is made)."""
    frames: list[pd.DataFrame] = []
    run: list[Flows] = []
    for part in [*parts, None]:
        if isinstance(part, Flows):
            run.append(part)
            continue
        if run:
            frames.append(_typed_frame(_joined(run)))
            run = []
        if part is not None:
            frames.append(part)
    return typed_flows(pd.concat(frames, ignore_index=True) if frames else empty_flows())


def _frame_of(part: Flows | pd.DataFrame) -> pd.DataFrame:
    return part.frame() if isinstance(part, Flows) else part


def pair_flows(
    file: Source, header: Header, fmt: Format, first: str, second: str, level: str, progress=None
) -> pd.DataFrame:
    """One file's flows between ``first`` and ``second`` (ISO3) at ``level``, from its extract: the frame
    a direct read returns (:func:`helpers.official.read.read_file`)."""
    return _frame_of(pair_parts(file, header, fmt, first, second, level, progress))


def pair_parts(
    file: Source, header: Header, fmt: Format, first: str, second: str, level: str, progress=None
) -> Flows | pd.DataFrame:
    """:func:`pair_flows`, as :class:`Flows` for a BACI file (for :func:`flows_frame`)."""
    found = extract(file, header, fmt, progress)
    if fmt is BACI:
        codes, table = pair_codes(file, first, second)
        a, b = (_code_array(codes[iso]) for iso in (first, second))
        rows = _importer_rows(found, file, header, pa.concat_arrays([a, b]))
        ex, im, a, b = rows["exporter"], rows["importer"], a.to_numpy(), b.to_numpy()
        mask = (np.isin(ex, a) & np.isin(im, b)) | (np.isin(ex, b) & np.isin(im, a))
        return _baci_parts({name: values[mask] for name, values in rows.items()}, table, file.name)
    pair, table = pair_filter(fmt, header.names, first, second)
    rows = _one_batch(found.table)
    hits = pair.select(rows)
    if len(hits) == 0:
        return empty_flows()
    chosen = rows.take(hits).to_pandas()
    return comtrade_flows(file, chosen, fmt, first, second, level, table, functools.partial(fail_at, file, header))


def _importer_rows(found: Extract, file: Source, header: Header, importers: pa.Array) -> dict[str, np.ndarray]:
    """A BACI extract's rows into ``importers``; a stored extract found damaged is built again."""
    try:
        return found.importer_rows(importers)
    except (OSError, ValueError, pa.ArrowException):
        return Extract(BACI, build(file, header, BACI, False), file.name).importer_rows(importers)


def importer_flows(file: Source, header: Header, fmt: Format, importer: str, level: str = "chapter", progress=None):
    """One file's flows into ``importer`` (ISO3) from every partner that is a country, by year and HS code
    at ``level``, from its extract; as :data:`~helpers.official.schema.FLOW_COLUMNS`."""
    return _frame_of(importer_parts(file, header, fmt, importer, level, progress))


def importer_parts(
    file: Source, header: Header, fmt: Format, importer: str, level: str = "chapter", progress=None
) -> Flows | pd.DataFrame:
    """:func:`importer_flows`, as :class:`Flows` for a BACI file (for :func:`flows_frame`)."""
    found = extract(file, header, fmt, progress)
    if fmt is BACI:
        table = release_table(file, importer)
        codes = _code_array({code for code, iso in table.items() if iso == importer})
        rows = _importer_rows(found, file, header, codes)
        _warn_unknown_suppliers(file, rows, table, importer)
        return _baci_parts(rows, table, file.name)
    return comtrade_importer_flows(
        file, _one_batch(found.table), fmt, header.names, importer, level, functools.partial(fail_at, file, header)
    )


def _warn_unknown_suppliers(file: Source, rows: dict[str, np.ndarray], table: dict[int, str | None], importer: str):
    """An exporter's code that the release's code file lacks is no country the reader can name: its rows are
    left out of the importer's market, with an :class:`OfficialDataWarning` naming the codes and their value."""
    unknown = ~np.isin(rows["exporter"], np.array(sorted(table), dtype=np.int64))
    if not unknown.any():
        return
    codes = ", ".join(str(code) for code in np.unique(rows["exporter"][unknown]).tolist())
    warnings.warn(
        f"{file.name}: exporter code(s) {codes} are not in the release's country code file; their "
        f"{rows['value_usd'][unknown].sum():,.0f} USD of {importer}'s imports are left out (is the code file "
        "of another release?)",
        OfficialDataWarning,
        stacklevel=4,
    )


def comtrade_importer_flows(
    file: Path | ArchiveMember,
    rows: pa.RecordBatch,
    fmt: Format,
    names: list[str],
    importer: str,
    level: str,
    locate: Locate,
) -> pd.DataFrame:
    """The flows into ``importer`` from every country of a Comtrade file's rows (with the format's keys
    as columns and ``rec``), by the rules of :func:`helpers.official.comtrade.comtrade_flows` applied to
    each reporter–partner–flow group; World and areas left out."""
    present = fmt.positions(names)
    by_iso = "reporter_iso" in present and "partner_iso" in present
    if by_iso:
        reporter, partner = rows.column("reporter_iso"), rows.column("partner_iso")
        wanted = pa.array([importer])
        table = None
    else:
        reporter, partner = rows.column("reporter"), rows.column("partner")
        wanted = pa.array(sorted(numeric_codes(importer)), type=reporter.type)
        seen = set(pc.unique(reporter).to_pylist()) | set(pc.unique(partner).to_pylist())
        table = {code: country_or_none(code) for code in seen if code is not None}
        warnings.warn(
            f"{fmt.name} file without ISO columns: numeric codes read as ISO 3166 numeric (pycountry) "
            "plus UN Comtrade's deviations",
            OfficialDataWarning,
            stacklevel=3,
        )
    mask = pc.or_(pc.is_in(reporter, value_set=wanted), pc.is_in(partner, value_set=wanted))
    hits = pc.indices_nonzero(pc.fill_null(mask, False))
    if len(hits) == 0:
        return empty_flows()
    flows = comtrade_flows(file, rows.take(hits).to_pandas(), fmt, importer, "any partner", level, table, locate)
    keep = (flows["importer"] == importer) & flows["exporter"].map(lambda iso: _is_country(iso, importer))
    return flows[keep.fillna(False).astype(bool)].reset_index(drop=True)


def _is_country(iso: object, importer: str) -> bool:
    """A supplier of ``importer``'s market: a country (:func:`~helpers.official.countries.is_country_iso3`,
    the rule of BACI's rows too), not the importer itself."""
    return isinstance(iso, str) and iso != importer and is_country_iso3(iso)


def _countries_only(table: dict[int, str | None]) -> dict[int, str | None]:
    """A BACI code table with the codes of areas (ISO3 of no country, e.g. V202501's S19 for 490 "Other
    Asia, nes", which V202301 writes N/A) mapped to None: :func:`~helpers.official.countries.is_country_iso3`,
    the rule of Comtrade's rows."""
    return {code: iso if is_country_iso3(iso) else None for code, iso in table.items()}


def _code_array(codes) -> pa.Array:
    """BACI codes as the extract stores them (int16); codes no extract can hold are left out."""
    return pa.array(sorted(c for c in codes if -(2**15) <= c < 2**15), type=pa.int16())


def _baci_parts(rows: dict[str, np.ndarray], table: dict[int, str | None], file_name: str) -> Flows | pd.DataFrame:
    """Extract rows as :class:`Flows`, codes read through ``table``; rows of codes that name no country
    in it are left out, and so are rows of areas (:func:`_countries_only`: the same in both code file
    layouts). When two codes name the same country (their rows then sum), as the frame of
    :func:`_baci_flows`."""
    table = _countries_only(table)
    isos = sorted({iso for iso in table.values() if iso is not None})
    lookup = np.full(1000, -1, dtype=np.int32)
    position = {iso: n for n, iso in enumerate(isos)}
    for code, iso in table.items():
        if iso is not None and 0 <= code < 1000:
            lookup[code] = position[iso]
    year, ex, im, chapter = (rows[c].astype(np.int64) for c in ("year", "exporter", "importer", "chapter"))
    inside = (ex >= 0) & (ex < 1000) & (im >= 0) & (im < 1000)
    exporter, importer = np.full(len(ex), -1, dtype=np.int32), np.full(len(im), -1, dtype=np.int32)
    exporter[inside], importer[inside] = lookup[ex[inside]], lookup[im[inside]]
    known = (exporter >= 0) & (importer >= 0)
    year, exporter, importer, chapter = year[known], exporter[known], importer[known], chapter[known]
    named = [iso for code, iso in table.items() if iso is not None and 0 <= code < 1000]
    if len(set(named)) < len(named):  # two codes of one country: their rows may need summing
        width = len(isos) + 1
        keys = ((year * width + exporter) * width + importer) * 100 + chapter
        if len(np.unique(keys)) < len(keys):
            return _baci_flows(pd.DataFrame(rows), table, file_name)
    value = rows["value_usd"][known].astype(np.float64) + 0.0  # as a sum gives it: no -0.0
    return Flows(year, exporter, importer, chapter, value, isos, file_name)


def _baci_flows(rows: pd.DataFrame, table: dict[int, str | None], file_name: str) -> pd.DataFrame:
    """Extract rows as flows (:data:`FLOW_COLUMNS`), codes read through ``table``; rows of codes that
    name no country in it, or an area, are left out (:func:`_countries_only`)."""
    table = _countries_only(table)
    if rows.empty:
        return empty_flows()
    exporter = rows["exporter"].astype("int64").map(table)
    importer = rows["importer"].astype("int64").map(table)
    known = exporter.notna() & importer.notna()
    rows, exporter, importer = rows[known], exporter[known], importer[known]
    if rows.empty:
        return empty_flows()
    chapter = rows["chapter"].astype("int64").map("{:02d}".format)
    out = pd.DataFrame(
        {
            "source": "baci",
            "year": rows["year"].astype("int64"),
            "exporter": exporter,
            "importer": importer,
            "reported_by": "reconciled",
            "flow": "reconciled",
            "hs_chapter": chapter,
            "hs_code": chapter,
            "value_usd": rows["value_usd"].astype("float64"),
        }
    )
    return sum_by_code(out, file_name)[FLOW_COLUMNS]

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
* Read once, streaming: ``pyarrow.csv.open_csv`` in record batches (never a whole frame). A plain
  BACI file on disk is parsed as two byte ranges at once (split at a line end; one per core); an
  archive member or a gzip file as one stream (:mod:`helpers.official.archive`: read to its end,
  CRC checked, before the extract is kept).
* Every value parses to its type across the whole file, not only the rows of one pair: a field
  that does not parse, anywhere, is a :class:`~helpers.errors.DataError` naming file, line and
  column (:func:`helpers.official.stream.batches` locates it). BACI's row rules are checked on
  every row too: a 6-digit product code, a value finite and not negative, the year of the file's
  name, a product of the release's product file, a year of at most four digits and country codes of
  at most three, no year, exporter, importer and product twice. The fast pass only tells that a
  rule is broken; the file is then read again by the exact pass, which names line, column and
  rule. Duplicates are told by order, for a file sorted by ``t, i, j, k`` as CEPII publishes them;
  an unsorted file is checked whole by the exact pass.
* Stored as Parquet in the cache folder (:func:`helpers.config.flow_cache_dir`) under a key of the
  file's content: :func:`helpers.official.store.content_key` (the file's bytes and name, its
  release's code files, the reading code, :data:`EXTRACT_VERSION`), with each file's SHA-256
  remembered by path, size and times (:func:`helpers.official.store.source_digest`): a second read
  of an unchanged file hashes nothing. An extract is written to a temporary name and renamed, so it
  is never half-written; a read that fails stores nothing. With the cache off, the extract is built
  in memory for the call.
* Progress: one bar per file on stderr while its extract is built, only when stderr is a terminal
  and never inside a kernel (the runner builds the extracts with :func:`prepare` before any kernel
  starts, so the kernels only read them).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers.config import run_context
from helpers.errors import DataError
from helpers.official import stream
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
    numeric_codes,
    read_country_codes,
    read_product_codes,
)
from helpers.official.formats import BACI, BACI_FILE_NAME, Field, Format, Header
from helpers.official.schema import FLOW_COLUMNS, OfficialDataWarning, empty_flows, sum_by_code
from helpers.official.store import cache_folder, content_key
from helpers.official.stream import Source, fail_at

#: Bump when what an extract holds changes in a way the code fingerprint cannot see.
EXTRACT_VERSION = 1
#: Bytes per block of a BACI range (one range per core).
RANGE_BLOCK = 1 << 20
#: A plain BACI file at least this big is parsed as two byte ranges at once.
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


@dataclass(frozen=True)
class Extract:
    """One file's extract: the format it was read by and its table (see the module's rules)."""

    fmt: Format
    table: pa.Table
    file: str


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
    (one pass over the file) and kept. ``header`` and ``fmt`` from the bounded header read."""
    folder = cache_folder()
    key = None
    if folder is not None:
        try:
            key = content_key(file, "all-pairs", EXTRACT_VERSION)
        except (OSError, DataError):
            key = None  # the read says what is wrong
    if folder is not None and key is not None:
        stored = _load(folder / f"{key}.extract.parquet", fmt)
        if stored is not None:
            return stored
    built = Extract(fmt, build(file, header, fmt, progress), file.name)
    if folder is not None and key is not None:
        _save(folder / f"{key}.extract.parquet", built)
    return built


def build(file: Source, header: Header, fmt: Format, progress: bool | None = None) -> pa.Table:
    """Read one file into its extract's table (no cache); a broken file is its DataError."""
    from tqdm import tqdm

    bar = tqdm(
        desc=file.name, unit=" rows", unit_scale=True, file=sys.stderr, disable=not show_progress(progress), leave=True
    )
    try:
        return _build_baci(file, header, bar) if fmt is BACI else _build_comtrade(file, header, fmt, bar)
    finally:
        bar.close()


def _load(path: Path, fmt: Format) -> Extract | None:
    """A stored extract, or None when there is none or it is damaged (it is then rebuilt)."""
    try:
        table = pq.ParquetFile(path).read()
    except (OSError, ValueError, pa.ArrowException):
        return None
    meta = table.schema.metadata or {}
    if meta.get(b"format") != fmt.name.encode():
        return None
    return Extract(fmt, table.replace_schema_metadata(None), meta.get(b"file", b"").decode())


def _save(path: Path, built: Extract) -> None:
    """Store an extract under a temporary name, then rename it; failures only cost speed."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        metadata = {"format": built.fmt.name, "file": built.file}
        pq.write_table(built.table.replace_schema_metadata(metadata), temporary)
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
    valid = np.zeros(1_000_000, dtype=bool)
    codes = [int(code) for code in read_product_codes(product_file) if code.isdigit() and len(code) == 6]
    valid[np.array(codes, dtype=np.int64)] = True
    return int(name["year"]), valid, product_file.name


def _build_baci(file: Source, header: Header, bar) -> pa.Table:
    code_file, _ = find_release_file(file, COUNTRY_CODES_PREFIX)
    if code_file is not None:
        read_country_codes(code_file)  # a damaged code file fails the read, and nothing is kept
    year, products, product_name = _named(file)
    try:
        parts = _fast_baci(file, header, year, products, bar)
    except _Anomaly:
        bar.reset()
        parts = _exact_baci(file, header, year, products, product_name, bar)
    return _chapter_table(parts)


def _packed(t: np.ndarray, i: np.ndarray, j: np.ndarray, k: np.ndarray) -> np.ndarray:
    """One int64 per row ordered as (t, i, j, k); ``// 10_000`` of it is the (t, i, j, chapter) group."""
    return ((t.astype(np.int64) * 1000 + i) * 1000 + j) * 1_000_000 + k


def _in_range(t: np.ndarray, i: np.ndarray, j: np.ndarray) -> bool:
    return bool(
        t.min() >= 0 and t.max() <= 9999 and i.min() >= 0 and i.max() <= 999 and j.min() >= 0 and j.max() <= 999
    )


def _runs(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``values`` per key, keys sorted: by runs when ``keys`` is sorted, else by np.unique."""
    if len(keys) == 0:
        return keys, values
    if np.all(keys[1:] >= keys[:-1]):
        starts = np.concatenate([[0], np.flatnonzero(keys[1:] != keys[:-1]) + 1])
        return keys[starts], np.add.reduceat(values, starts)
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=values, minlength=len(unique))


def byte_ranges(file: Source) -> list[tuple[int, int]] | None:
    """Byte ranges of a plain file on disk, each starting with a line that is skipped (the header, or
    the last line of the range before), split after a line end; None for a member or a gzip file (read
    as one stream)."""
    if isinstance(file, ArchiveMember) or file.name.lower().endswith(".gz"):
        return None
    size = file.stat().st_size
    if size < SPLIT_BYTES or (os.cpu_count() or 1) < 2:
        return [(0, size)]
    middle = size // 2
    begin = max(0, middle - (1 << 20))
    with open(file, "rb") as fh:
        fh.seek(begin)
        around = fh.read(2 << 20)
    split = around.find(b"\n", middle - begin) + 1  # the start of the first line after the middle
    previous = around.rfind(b"\n", 0, split - 1) + 1 if split > 0 else 0  # the start of the line before it
    if split <= 0 or previous <= 0 or begin + split >= size:
        return [(0, size)]
    return [(0, begin + split), (begin + previous, size)]


#: BACI as the fast pass reads it: product codes as integers (the exact pass checks them as text).
BACI_FAST = Format(
    BACI.name,
    BACI.title,
    tuple(Field(f.key, f.header, "int" if f.key == "cmd" else f.kind, f.required) for f in BACI.fields),
)


def _fast_batches(file: Source, header: Header, span: tuple[int, int] | None) -> Iterator[pa.RecordBatch]:
    """Record batches of the fast pass over one range (or the whole member), keys as column names."""
    positions = {key: BACI.positions(header.names)[key] for key in _BACI_KEYS}
    names = {f"c{pos}": key for key, pos in positions.items()}
    try:
        with contextlib.ExitStack() as stack:
            if span is None:
                data = stack.enter_context(binary_input(file))
            else:
                data = stack.enter_context(pa.OSFile(str(file))).get_stream(span[0], span[1] - span[0])
            for batch in stream.open_stream(file, header, BACI_FAST, positions, data):
                yield batch.rename_columns([names[n] for n in batch.schema.names])
    except (pa.ArrowInvalid, OSError, DataError):
        raise _Anomaly from None


class _Keys:
    """What the fast pass keeps to tell duplicates in an unsorted file: each batch's row keys while
    fewer than :data:`KEPT_ROWS` are kept, or once the file is known to be unsorted (shared by the
    ranges)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept = 0
        self.unsorted = False

    def keep(self, keys: np.ndarray, ordered: bool) -> np.ndarray | None:
        with self.lock:
            self.unsorted |= not ordered
            if self.unsorted or self.kept + len(keys) <= KEPT_ROWS:
                self.kept += len(keys)
                return keys
            return None


#: Row keys the fast pass keeps at most for a file it has not yet found unsorted (8 bytes each).
KEPT_ROWS = 4_000_000


def _fast_range(file, header, span, year, products, keys: _Keys, bar, out: list) -> None:
    """The fast pass over one range: per batch, (first and last row key, whether its rows are in
    order, the row keys kept, group keys, sums); any broken rule is an :class:`_Anomaly`."""
    last = None
    for batch in _fast_batches(file, header, span):
        if batch.num_rows == 0:
            continue
        columns = [batch.column(key) for key in _BACI_KEYS]
        if any(column.null_count for column in columns):
            raise _Anomaly
        t, i, j, k, v = (column.to_numpy() for column in columns)
        if year is not None and not np.all(t == year):
            raise _Anomaly
        if k.min() < 10_000 or k.max() > 999_999 or not _in_range(t, i, j):
            raise _Anomaly
        if not (np.all(np.isfinite(v)) and np.all(v >= 0)):
            raise _Anomaly
        if products is not None and not products[k].all():
            raise _Anomaly
        row_keys = _packed(t, i, j, k)
        ordered = bool(np.all(row_keys[1:] > row_keys[:-1])) and (last is None or row_keys[0] > last)
        last = int(row_keys[-1])
        kept = keys.keep(row_keys, ordered)
        out.append((int(row_keys[0]), last, ordered, kept, *_runs(row_keys // 10_000, v * 1000.0)))
        bar.update(batch.num_rows)


def _fast_baci(file, header, year, products, bar) -> list[tuple[np.ndarray, np.ndarray]]:
    """The fast pass over a whole file (two ranges at once for a big plain file)."""
    spans = byte_ranges(file) or [None]
    results: list[list] = [[] for _ in spans]
    keys = _Keys()
    if len(spans) == 1:
        _fast_range(file, header, spans[0], year, products, keys, bar, results[0])
    else:
        failures: list[BaseException] = []

        def work(n: int) -> None:
            try:
                _fast_range(file, header, spans[n], year, products, keys, bar, results[n])
            except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(len(spans))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
    pieces = [piece for result in results for piece in result]
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
    return [(piece[4], piece[5]) for piece in pieces]


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


def _chapter_table(pieces: list[tuple[np.ndarray, np.ndarray]]) -> pa.Table:
    """The extract's table from the per-batch group sums: one row per (year, exporter, importer, chapter)."""
    keys, sums = _runs(np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces]))
    chapter, rest = keys % 100, keys // 100
    importer, rest = rest % 1000, rest // 1000
    exporter, year = rest % 1000, rest // 1000
    return pa.table(
        [
            pa.array(year.astype(np.int16)),
            pa.array(exporter.astype(np.int16)),
            pa.array(importer.astype(np.int16)),
            pa.array(chapter.astype(np.int8)),
            pa.array(sums.astype(np.float64)),
        ],
        schema=_BACI_SCHEMA,
    )


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


def pair_flows(
    file: Source, header: Header, fmt: Format, first: str, second: str, level: str, progress=None
) -> pd.DataFrame:
    """One file's flows between ``first`` and ``second`` (ISO3) at ``level``, from its extract: the frame
    a direct read returns (:func:`helpers.official.read.read_file`)."""
    found = extract(file, header, fmt, progress)
    if fmt is BACI:
        codes, table = pair_codes(file, first, second)
        a, b = (_code_array(codes[iso]) for iso in (first, second))
        ex, im = found.table.column("exporter"), found.table.column("importer")
        mask = pc.or_(
            pc.and_(pc.is_in(ex, value_set=a), pc.is_in(im, value_set=b)),
            pc.and_(pc.is_in(ex, value_set=b), pc.is_in(im, value_set=a)),
        )
        return _baci_flows(found.table.filter(mask).to_pandas(), table, file.name)
    pair, table = pair_filter(fmt, header.names, first, second)
    rows = _one_batch(found.table)
    hits = pair.select(rows)
    if len(hits) == 0:
        return empty_flows()
    chosen = rows.take(hits).to_pandas()
    return comtrade_flows(file, chosen, fmt, first, second, level, table, functools.partial(fail_at, file, header))


def importer_flows(file: Source, header: Header, fmt: Format, importer: str, level: str = "chapter", progress=None):
    """One file's flows into ``importer`` (ISO3) from every partner that is a country, by year and HS code
    at ``level``, from its extract; as :data:`~helpers.official.schema.FLOW_COLUMNS`."""
    found = extract(file, header, fmt, progress)
    if fmt is BACI:
        table = release_table(file, importer)
        codes = _code_array({code for code, iso in table.items() if iso == importer})
        rows = found.table.filter(pc.is_in(found.table.column("importer"), value_set=codes)).to_pandas()
        return _baci_flows(rows, table, file.name)
    return comtrade_importer_flows(
        file, _one_batch(found.table), fmt, header.names, importer, level, functools.partial(fail_at, file, header)
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


@functools.lru_cache(maxsize=4096)
def _country(iso: str) -> bool:
    return country_or_none(iso) is not None


def _is_country(iso: object, importer: str) -> bool:
    return isinstance(iso, str) and iso != importer and _country(iso)


def _code_array(codes) -> pa.Array:
    """BACI codes as the extract stores them (int16); codes no extract can hold are left out."""
    return pa.array(sorted(c for c in codes if -(2**15) <= c < 2**15), type=pa.int16())


def _baci_flows(rows: pd.DataFrame, table: dict[int, str | None], file_name: str) -> pd.DataFrame:
    """Extract rows as flows (:data:`FLOW_COLUMNS`), codes read through ``table``; rows of codes that
    name no country in it are left out."""
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

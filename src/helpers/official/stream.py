"""Streaming a download with pyarrow, filtered to a country pair; the slow re-read that says where a
damaged row is.

Rules, stated here:

* Scale: files are streamed with ``pyarrow.csv.open_csv`` in record batches of about
  :data:`BLOCK_SIZE` bytes; each batch is filtered to the country pair with ``pyarrow.compute``
  (:class:`PairFilter`) before anything else is done, so a 10-million-row BACI year never sits in
  memory as a whole. Only the columns a format declares are converted, with explicit types.
* A file is read from disk, an archive member through :mod:`helpers.official.archive` (streamed
  through zipfile, read to its end so that its CRC passes before any row of it is returned; a
  damaged member is said to be damaged before any of its rows is blamed).
* Errors are :class:`helpers.errors.DataError` naming file, line, column and rule. The fast reader
  does not know line numbers; when it meets a broken row (a row of the wrong width, an empty or
  non-numeric numeric field) the file is read again, slowly, with the csv module, only to say
  exactly where (:func:`stream_pair`). Rules checked later on the pair's rows cite their lines the
  same way (:func:`fail_at`). At most :data:`MAX_PROBLEMS` problems are listed.
* Trade values must be finite and not negative (:func:`check_values`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from helpers.errors import DataError, Problem
from helpers.official.archive import ArchiveMember, MemberStream, binary_input, check_intact, shown, text_input
from helpers.official.formats import (
    BACI,
    PLAIN_NUMBER,
    READ_FAILURES,
    WHOLE_NUMBER,
    Field,
    Format,
    Header,
    strict_records,
)

#: A download file on disk, or a member of a zip archive read in place.
Source = Path | ArchiveMember

#: Bytes per pyarrow read block: 1 MiB keeps the read-ahead small (bigger blocks cost memory, not time).
BLOCK_SIZE = 1 << 20
#: Most problems listed when a damaged file is diagnosed.
MAX_PROBLEMS = 8

_ARROW_TYPES = {"int": pa.int32(), "float": pa.float64(), "text": pa.string()}
_PANDAS_DTYPES = {"int": "int64", "float": "float64", "text": "object"}


def csv_options(
    header: Header, fmt: Format, positions: dict[str, int], block_size: int | None = None, use_threads: bool = True
) -> dict:
    """The pyarrow CSV options of every read: columns named ``c{position}``, the fields at ``positions``
    converted (codes 32-bit integers, values float64, the rest text), the header line skipped."""
    names = [f"c{i}" for i in range(len(header.names))]
    wanted = {f"c{pos}": _ARROW_TYPES[fmt.field(key).kind] for key, pos in positions.items()}
    return {
        "read_options": pacsv.ReadOptions(
            column_names=names, skip_rows=1, block_size=block_size or BLOCK_SIZE, use_threads=use_threads
        ),
        "parse_options": pacsv.ParseOptions(delimiter=header.delimiter, newlines_in_values=fmt.name != BACI.name),
        "convert_options": pacsv.ConvertOptions(
            column_types=wanted, include_columns=list(wanted), strings_can_be_null=False
        ),
    }


def open_stream(
    path: Source, header: Header, fmt: Format, positions: dict[str, int], data: str | MemberStream | None = None
) -> pacsv.CSVStreamingReader:
    """A pyarrow streaming reader over the fields at ``positions`` (key -> column), typed explicitly.

    Columns are named ``c{position}``; codes are 32-bit integers, values float64, the rest text.
    ``data`` is what pyarrow reads (:func:`helpers.official.archive.binary_input`): the file's path
    when not given.
    """
    return pacsv.open_csv(str(path) if data is None else data, **csv_options(header, fmt, positions))


def read_block(header: Header, fmt: Format, positions: dict[str, int], data: bytes | memoryview) -> pa.Table:
    """One block of a file held in memory, its first line skipped, parsed whole on the calling thread
    with the options of :func:`open_stream` (as one chunk per column). pyarrow lets go of the GIL
    while it parses, so blocks parsed on two threads take both cores (a streaming reader does not)."""
    options = csv_options(header, fmt, positions, block_size=len(data) + 1, use_threads=False)
    return pacsv.read_csv(pa.BufferReader(pa.py_buffer(data)), **options)


@dataclass(frozen=True)
class PairFilter:
    """Which rows belong to the pair: two columns and the values that mean each country."""

    reporter_column: str
    partner_column: str
    first: frozenset
    second: frozenset

    def select(self, batch: pa.RecordBatch) -> pa.Array:
        """Indices of the rows of ``batch`` between the two countries, in either direction.

        The reporter column is tested first; only its hits (a small share of a big file) are
        tested further.
        """
        rep = batch.column(self.reporter_column)
        hits = pc.indices_nonzero(_among(rep, self.first | self.second))
        if len(hits) == 0:
            return hits
        rep, par = rep.take(hits), batch.column(self.partner_column).take(hits)
        keep = pc.or_(
            pc.and_(_among(rep, self.first), _among(par, self.second)),
            pc.and_(_among(rep, self.second), _among(par, self.first)),
        )
        return hits.filter(keep)


def _among(column: pa.Array, values: frozenset) -> pa.Array:
    """Boolean mask: the column's value is one of ``values`` (nulls are not)."""
    ordered = sorted(values)
    if not 0 < len(ordered) <= 4:
        return pc.fill_null(pc.is_in(column, value_set=pa.array(ordered, type=column.type)), False)
    mask = pc.equal(column, pa.scalar(ordered[0], type=column.type))  # for a few values, faster than is_in
    for value in ordered[1:]:
        mask = pc.or_(mask, pc.equal(column, pa.scalar(value, type=column.type)))
    return pc.fill_null(mask, False)


class _Damaged(Exception):
    """A batch breaks a rule the fast reader checks; the slow pass says where."""


def batches(path: Source, header: Header, fmt: Format, positions: dict[str, int]) -> Iterator[pa.RecordBatch]:
    """Record batches of the fields at ``positions``, with the format's internal keys as column names.

    A damaged file is a DataError naming line, column and rule (a damaged archive member is said to
    be so first); a file with no data rows is one too. A member is read to its end, so its CRC has
    passed, before the last batch is followed by the end of the iteration.
    """
    keys = {f"c{pos}": key for key, pos in positions.items()}
    numeric = [key for key in positions if fmt.field(key).kind != "text"]
    count = 0
    try:
        with binary_input(path) as data:
            for batch in open_stream(path, header, fmt, positions, data):
                batch = normalise_iso_fields(batch.rename_columns([keys[n] for n in batch.schema.names]), fmt)
                if any(batch.column(key).null_count for key in numeric):
                    raise _Damaged("a numeric field is empty or not a number")
                count += batch.num_rows
                yield batch
    except (_Damaged, pa.ArrowInvalid) as exc:
        check_intact(path)
        raise _diagnosis(path, header, fmt, str(exc)) from None
    except OSError as exc:
        check_intact(path)
        raise DataError(shown(path), Problem(f"cannot be read ({exc}); is the download complete?")) from None
    if count == 0:
        raise DataError(shown(path), Problem("header only: the file has no data rows", line=1))


def normalise_iso_fields(batch: pa.RecordBatch, fmt: Format) -> pa.RecordBatch:
    """The batch with its country ISO columns (:attr:`~helpers.official.formats.Format.iso_fields`) stripped
    and in capitals, as the pair filter and the countries a download holds read them."""
    for key in fmt.iso_fields:
        if key in batch.schema.names:
            at = batch.schema.get_field_index(key)
            batch = batch.set_column(at, key, pc.utf8_upper(pc.utf8_trim_whitespace(batch.column(at))))
    return batch


def stream_pair(path: Source, header: Header, fmt: Format, pair: PairFilter) -> pd.DataFrame:
    """Rows of the pair, streamed batch by batch (:func:`batches`), with the format's internal keys as
    column names.

    Column ``rec`` is the record's number (0 = first data row), for :func:`fail_at`. A damaged file
    is a DataError naming line, column and rule; a file with no data rows is one too.
    """
    positions = fmt.positions(header.names)
    pieces = []
    offset = 0
    for batch in batches(path, header, fmt, positions):
        hits = pair.select(batch)
        if len(hits):
            pieces.append(batch.take(hits).append_column("rec", pc.add(hits.cast(pa.int64()), offset)))
        offset += batch.num_rows
    if not pieces:
        return _no_rows(fmt, positions)
    return pa.Table.from_batches(pieces).to_pandas()


def distinct_values(path: Source, header: Header, fmt: Format, keys: list[str]) -> dict[str, set]:
    """The distinct values of the format's fields ``keys`` (all present in the file), streamed batch by
    batch: bounded memory whatever the file's size. Damage is reported as by :func:`batches`."""
    positions = fmt.positions(header.names)
    found: dict[str, set] = {key: set() for key in keys}
    for batch in batches(path, header, fmt, {key: positions[key] for key in keys}):
        for key in keys:
            found[key].update(pc.unique(batch.column(key)).to_pylist())
    return found


def _no_rows(fmt: Format, positions: dict[str, int]) -> pd.DataFrame:
    """The frame :func:`stream_pair` returns when the pair has no rows: its columns, typed."""
    return pd.DataFrame(
        {key: pd.Series(dtype=_PANDAS_DTYPES[fmt.field(key).kind]) for key in positions}
        | {"rec": pd.Series(dtype="int64")}
    )


def _records(path: Source, header: Header) -> Iterator[tuple[int, int, list[str]]]:
    """(record number, line, fields) of every non-blank data row, read slowly with the csv module.

    A record the csv module cannot parse (an unmatched quote, a stray quote after a closing one, a
    field over the csv module's size limit) is a :class:`DataError` naming the line it starts on, its
    column where it can be told, and the rule (:func:`~helpers.official.formats.malformed_record`)."""
    with text_input(path) as fh:
        records = strict_records(fh, lambda: shown(path), header.names, header.delimiter)
        next(records, None)  # the header
        rec = 0
        for line, fields in records:
            if not fields:
                continue
            yield rec, line, fields
            rec += 1


def _field_problem(field: Field, text: str) -> str | None:
    """The rule a raw numeric field breaks, or None."""
    if not text.strip():
        return "a value is required"
    if field.kind == "int" and not WHOLE_NUMBER.match(text):
        return "must be a whole number written plainly (digits only)"
    if field.kind == "float" and not PLAIN_NUMBER.match(text):
        return "must be a number written plainly (no thousands separators, currency signs or NA)"
    return None


def _row_problems(fields: list[str], line: int, header: Header, checked: list[tuple[Field, int]]) -> list[Problem]:
    """The problems of one raw row: its width, then each numeric field."""
    if len(fields) != len(header.names):
        why = (
            "truncated row?"
            if len(fields) < len(header.names)
            else "a stray delimiter, such as a decimal comma (1,5 for 1.5) or a comma in an unquoted text field?"
        )
        return [Problem(f"row has {len(fields)} fields, header has {len(header.names)} ({why})", line=line)]
    problems = []
    for field, pos in checked:
        broken = _field_problem(field, fields[pos])
        if broken:
            problems.append(Problem(broken, line=line, column=field.header, value=fields[pos].strip() or None))
    return problems


def _diagnosis(path: Source, header: Header, fmt: Format, reason: str) -> DataError:
    """Read a damaged file again with the csv module and name line, column and rule of each problem."""
    positions = fmt.positions(header.names)
    checked = [(fmt.field(k), p) for k, p in positions.items() if fmt.field(k).kind != "text"]
    problems: list[Problem] = []
    try:
        for _, line, fields in _records(path, header):
            problems += _row_problems(fields, line, header, checked)
            if len(problems) >= MAX_PROBLEMS:
                break
    except DataError as exc:  # a record the csv module cannot parse (:func:`_records`)
        problems += exc.problems
    except READ_FAILURES as exc:
        problems.append(Problem(f"cannot be read to the end ({exc}); is the download complete?"))
    if not problems:
        problems.append(Problem(f"cannot be read: {reason}"))
    return DataError(shown(path), problems)


def _lines_of(path: Source, header: Header, wanted: list[int]) -> dict[int, tuple[int, list[str]]]:
    """Record number -> (line, fields as the file writes them), for the (sorted) record numbers
    ``wanted``, found by one slow pass."""
    lines: dict[int, tuple[int, list[str]]] = {}
    if not wanted:
        return lines
    last, targets = wanted[-1], set(wanted)
    for rec, line, fields in _records(path, header):
        if rec in targets:
            lines[rec] = (line, fields)
        if rec >= last:
            break
    return lines


def fail_at(
    path: Source,
    header: Header,
    recs: Iterable[int],
    rule: str,
    column: str | None = None,
    values: dict[int, str] | None = None,
) -> DataError:
    """A DataError citing the lines of the given record numbers (found by one slow pass).

    ``recs`` are :func:`stream_pair`'s ``rec`` numbers, ``values`` what each of them holds. A value is
    shown as the file writes it (the text of ``column`` on that line, e.g. ``'1e400'`` or ``'-1'``, not
    what it parsed to); ``values`` only says which records show one, and is shown as given where the
    line's text cannot be had.
    """
    wanted = sorted(set(int(r) for r in recs))[:MAX_PROBLEMS]
    values = values or {}
    at = header.names.index(column) if column in header.names else None
    found = _lines_of(path, header, wanted)
    problems = []
    for r in wanted:
        line, fields = found.get(r, (None, None))
        value = values.get(r)
        if value is not None:
            text = fields[at].strip() if at is not None and fields is not None and at < len(fields) else ""
            value = text or str(value)
        problems.append(Problem(rule, line=line, column=column, value=value))
    return DataError(shown(path), problems or [Problem(rule, column=column)])


def check_values(path: Source, header: Header, rows: pd.DataFrame, column: str) -> None:
    """Trade values (column ``value`` of :func:`stream_pair`'s rows, ``column`` in the file) must be
    finite and not negative."""
    bad = ~(rows["value"].map(math.isfinite) & (rows["value"] >= 0))
    if bad.any():
        raise fail_at(
            path,
            header,
            rows.loc[bad, "rec"],
            "must be a finite value of at least 0",
            column,
            dict(zip(rows.loc[bad, "rec"], rows.loc[bad, "value"].astype(str))),
        )

"""Step 1 of checking a curated table: reading its file and parsing the text into a typed frame.

Rules applied here (step 2, the schema's ranges, enums, keys and row rules, is
:mod:`helpers.tables.validate`):

- a curated file is a file, not a folder, of at most :data:`MAX_CURATED_BYTES` (refused from its
  size alone, before it is read), not empty, and UTF-8 text (a spreadsheet's byte-order mark is
  fine);
- fields are separated by commas, under one header row that names every column of the
  specification once (an unknown column is refused unless ``strict_columns`` is off);
- trailing blank lines and blank rows are not records; every other row has as many fields as the
  header;
- each field is parsed by its column's kind: numbers written plainly (no thousands separators,
  currency or percent signs, units), dates ``YYYY-MM-DD``, booleans ``true``/``false``, web
  addresses ``http(s)://``; an empty field is missing, and refused in a required column;
- the frame's index is the line number in the file, and every broken rule of both steps is
  reported at once, by line and column, in one :class:`helpers.errors.DataError`.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pandas as pd

from helpers.errors import DataError, Problem
from helpers.tables.specs import DTYPES, Col, TableSpec
from helpers.tables.validate import validate

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

#: Curated files are small; anything larger is refused before it is read.
MAX_CURATED_BYTES = 20 * 1024 * 1024

_INT_RE = re.compile(r"^-?\d+$")
_NUM_RE = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://\S+$")

#: A typed value and the rule it breaks (None when it breaks none).
Parsed = tuple[object, str | None]

# ---------------------------------------------------------------------------
# Reading the file


def read_bytes(path: Path, shown: str) -> bytes:
    """The bytes of a curated file; DataError when it is missing, a folder or too large to be one."""
    if not path.exists():
        raise DataError(shown, Problem("file not found"))
    if path.is_dir():
        raise DataError(shown, Problem("expected a CSV file, found a folder"))
    size = path.stat().st_size
    if size > MAX_CURATED_BYTES:
        raise DataError(
            shown, Problem(f"file is {size:,} bytes; a curated table may be at most {MAX_CURATED_BYTES:,} bytes")
        )
    return path.read_bytes()


def decode(raw: bytes, shown: str) -> str:
    """The text of a curated file's bytes; DataError when it is empty or not UTF-8."""
    if not raw.strip():
        raise DataError(shown, Problem("file is empty"))
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark from a spreadsheet is fine
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(shown, Problem("file is not UTF-8 text (save it as UTF-8)", line=line)) from None


def read_text(path: Path, shown: str) -> str:
    """The text of a curated file (see :func:`read_bytes` and :func:`decode`)."""
    return decode(read_bytes(path, shown), shown)


# ---------------------------------------------------------------------------
# Fields


def _parse_text(text: str) -> Parsed:
    """Text and enums are kept as written (the schema checks an enum's values)."""
    return text, None


def _parse_int(text: str) -> Parsed:
    """A whole number, digits only."""
    if _INT_RE.match(text):
        return int(text), None
    return (
        pd.NA,
        "must be a whole number written plainly (digits only: no thousands separators, currency signs or units)",
    )


def _parse_number(text: str) -> Parsed:
    """A decimal number, optionally with an exponent."""
    if _NUM_RE.match(text):
        return float(text), None
    return pd.NA, "must be a number written plainly (no thousands separators, currency or percent signs)"


def _parse_bool(text: str) -> Parsed:
    """``true`` or ``false``, in any case."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true", None
    return pd.NA, "must be true or false"


def _parse_date(text: str) -> Parsed:
    """A calendar date written ``YYYY-MM-DD`` (an impossible day is refused)."""
    if _DATE_RE.match(text):
        try:
            return pd.Timestamp(text), None
        except ValueError:
            pass
    return pd.NA, "must be a date written YYYY-MM-DD"


def _parse_url(text: str) -> Parsed:
    """A web address without spaces."""
    if _URL_RE.match(text):
        return text, None
    return pd.NA, "must be a web address starting with http:// or https://"


_PARSERS: dict[str, Callable[[str], Parsed]] = {
    "text": _parse_text,
    "enum": _parse_text,
    "int": _parse_int,
    "number": _parse_number,
    "bool": _parse_bool,
    "date": _parse_date,
    "url": _parse_url,
}


def parse_field(col: Col, text: str) -> Parsed:
    """Return (typed value, broken rule or None) for one raw field of column ``col``."""
    if text == "":
        return (pd.NA, None) if not col.required else (pd.NA, "a value is required")
    parser = _PARSERS.get(col.kind)
    if parser is None:
        raise AssertionError(f"unknown column kind {col.kind}")
    return parser(text)


# ---------------------------------------------------------------------------
# The header and the rows


def _reader(text: str) -> CsvReader:
    """A strict CSV reader of ``text`` without its trailing blank lines (common from spreadsheets)."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return csv.reader(io.StringIO("\n".join(lines) + "\n"), strict=True)


def _header(reader: CsvReader, spec: TableSpec, shown: str, strict_columns: bool) -> list[str]:
    """The header row, stripped; DataError unless it names every column of ``spec`` once."""
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise DataError(shown, Problem("no header row", line=1)) from None
    header = [h.strip() for h in header]
    expected = spec.column_names
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        raise DataError(
            shown, Problem("wrong delimiter: columns must be separated by commas", line=1, value=header[0][:80])
        )
    problems: list[Problem] = []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing:
        problems.append(
            Problem(f"missing column(s) {', '.join(missing)}; expected columns: {', '.join(expected)}", line=1)
        )
    if extra and strict_columns:
        problems.append(
            Problem(f"unexpected column(s) {', '.join(extra)}; expected columns: {', '.join(expected)}", line=1)
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        problems.append(Problem(f"column(s) named twice: {', '.join(dupes)}", line=1))
    if problems:
        raise DataError(shown, problems)
    return header


def _parse_row(
    row: list[str], line: int, columns: dict[str, Col], positions: dict[str, int]
) -> tuple[list[object], list[Problem]]:
    """The typed fields of one row, in column order, and the problems of its fields."""
    values: list[object] = []
    problems: list[Problem] = []
    for name, col in columns.items():
        raw = row[positions[name]].strip()
        value, broken = parse_field(col, raw)
        if broken:
            problems.append(Problem(broken, line=line, column=name, value=raw if raw else None))
        values.append(value)
    return values, problems


def _width_problem(row: list[str], header: list[str], line: int) -> Problem:
    """The problem of a row with more or fewer fields than the header."""
    return Problem(f"row has {len(row)} fields, header has {len(header)} (truncated row or stray comma?)", line=line)


def _refuse_unbuildable(line_numbers: list[int], problems: list[Problem], shown: str) -> None:
    """DataError when no typed frame can be built: no data rows, or rows of the wrong width."""
    if not line_numbers and not problems:
        raise DataError(shown, Problem("header only: the file has no data rows", line=1))
    if any(p.line is not None and p.column is None for p in problems):
        raise DataError(shown, problems)  # rows of the wrong width: the typed frame cannot be built


def _rows(
    reader: CsvReader, header: list[str], spec: TableSpec, shown: str
) -> tuple[list[int], dict[str, list[object]], list[Problem]]:
    """Line numbers, typed fields by column and field problems of every data row.

    Raises DataError when no typed frame can be built: malformed CSV (reported with the problems
    found before it), no data rows, or rows of the wrong width.
    """
    columns = {c.name: c for c in spec.columns}
    positions = {name: header.index(name) for name in columns}
    records: dict[str, list[object]] = {name: [] for name in columns}
    line_numbers: list[int] = []
    problems: list[Problem] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not f.strip() for f in row):
                continue
            if len(row) != len(header):
                problems.append(_width_problem(row, header, line))
                continue
            values, broken = _parse_row(row, line, columns, positions)
            line_numbers.append(line)
            problems += broken
            for name, value in zip(columns, values):
                records[name].append(value)
    except csv.Error as exc:
        message = f"malformed CSV ({exc}); is the file truncated inside a quoted field?"
        problems.append(Problem(message, line=reader.line_num))
        raise DataError(shown, problems) from None
    _refuse_unbuildable(line_numbers, problems, shown)
    return line_numbers, records, problems


def _typed_frame(line_numbers: list[int], records: dict[str, list[object]], spec: TableSpec) -> pd.DataFrame:
    """The frame of the parsed fields, one dtype per column kind, indexed by file line."""
    index = pd.Index(line_numbers, name="line")
    return pd.DataFrame(
        {col.name: pd.Series(records[col.name], index=index, dtype=DTYPES[col.kind]) for col in spec.columns}
    )


def _with_schema_problems(frame: pd.DataFrame, spec: TableSpec, shown: str, problems: list[Problem]) -> list[Problem]:
    """``problems`` and those of the schema, without reporting a field that failed to parse twice."""
    try:
        validate(frame, spec, shown)
    except DataError as err:
        # a field that failed to parse is already reported; do not report it again as missing
        reported = {(p.line, p.column) for p in problems}
        return problems + [p for p in err.problems if (p.line, p.column) not in reported]
    return problems


def parse_csv(text: str, spec: TableSpec, shown: str, strict_columns: bool = True) -> pd.DataFrame:
    """Parse CSV text into a typed frame indexed by file line; raise DataError on any broken rule.

    ``shown`` names the file in messages. Both steps run here: the fields are parsed, then the
    frame is validated against the schema of ``spec``.
    """
    reader = _reader(text)
    header = _header(reader, spec, shown, strict_columns)
    line_numbers, records, problems = _rows(reader, header, spec, shown)
    frame = _typed_frame(line_numbers, records, spec)
    problems = _with_schema_problems(frame, spec, shown, problems)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise DataError(shown, problems)
    return frame

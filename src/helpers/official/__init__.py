"""Read UN Comtrade and CEPII BACI downloads for any country pair, at full scale.

Three download formats are recognised from their header line (a UTF-8 byte-order mark, CRLF
line endings, quoted names, tabs instead of commas, other letter case and extra columns are fine):

* ``comtrade`` -- the current UN Comtrade API / bulk files (``refYear``, ``reporterCode``, ...);
* ``comtrade_legacy`` -- the older export (``"Year"``, ``"Trade Flow Code"``, ...);
* ``baci`` -- CEPII BACI yearly files ``BACI_HS{rev}_Y{year}_V{version}.csv`` (``t,i,j,k,v,q``).

Rules, stated once:

* Commodity codes are text: ``"0101"`` stays ``"0101"``. A code of odd length (``101``, ``10121``)
  lost its leading zero in a spreadsheet and gets it back; anything else that is not 2, 4 or 6
  digits (or Comtrade's ``TOTAL``) is an error. The HS chapter is the first two digits.
* One HS level per sum. Comtrade rows are summed from one level per file, year, reporter, partner
  and flow: for ``level="chapter"`` the 2-digit rows when there are any, else 4-digit, else 6-digit
  rows added up to chapters, else the ``TOTAL`` row (kept with an empty ``hs_chapter``). Aggregate
  rows are never added to detail rows. BACI is 6-digit throughout.
* Nothing is counted twice. Comtrade rows are kept only for all second partners (``partner2Code``
  0), all customs procedures (``C00``) and all modes of transport (``motCode`` 0) where those
  columns exist; goods only (``typeCode`` C); HS classifications only; annual rows only. Flows M
  and X are kept, re-exports (RX) and re-imports (RM) as flows of their own, never added to X or M;
  other flow codes (DX, FM, processing flows) are parts of X or M and are left out. The same flow
  found twice (two HS revisions, two BACI releases, overlapping downloads) is an error.
* Directions: Comtrade X and RX are reported by the exporter (the reporter), M and RM by the
  importer; BACI values are reconciled by CEPII (``reported_by`` and ``flow`` are "reconciled")
  and given in thousands of USD, converted here to USD.
* Countries are ISO 3166 alpha-3. Comtrade's own ISO columns are used when present. BACI codes
  (which are not ISO numeric: 842 is the USA, 251 France, 699 India) are read through the
  release's ``country_codes_V*.csv`` next to the data; without one, codes are read as ISO numeric
  (pycountry) plus UN Comtrade's published deviations, with an :class:`OfficialDataWarning`.
* Scale: files are streamed with ``pyarrow.csv.open_csv`` in record batches; each batch is
  filtered to the country pair with ``pyarrow.compute`` before anything else is done, so a
  10-million-row BACI year never sits in memory as a whole. A folder is read one file at a time.
* Errors are :class:`helpers.errors.DataError` naming file, line, column and rule. The fast reader
  does not know line numbers; when it meets a broken row the file is read again, slowly, only to
  say exactly where.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from tqdm import tqdm

from helpers.config import display_path
from helpers.errors import DataError, ParameterError, Problem

__all__ = [
    "FORMATS",
    "LEVELS",
    "FLOW_COLUMNS",
    "OfficialDataWarning",
    "detect_format",
    "resolve_country",
    "numeric_codes",
    "read_country_codes",
    "read_product_codes",
    "data_files",
    "read_flows",
]

#: Bytes per pyarrow read block: 1 MiB keeps the read-ahead small (bigger blocks cost memory, not time).
BLOCK_SIZE = 1 << 20
#: Most problems listed when a damaged file is diagnosed.
MAX_PROBLEMS = 8

#: ``level`` argument -> digits of the HS codes summed.
LEVELS = {"chapter": 2, "4": 4, "6": 6}
#: Columns of :func:`read_flows`' frame, in order.
FLOW_COLUMNS = [
    "source",
    "year",
    "exporter",
    "importer",
    "reported_by",
    "flow",
    "hs_chapter",
    "hs_code",
    "value_usd",
    "file",
]
GROUP_KEYS = ["source", "year", "exporter", "importer", "reported_by", "flow"]
COMTRADE_SOURCES = ("comtrade", "comtrade_legacy")

#: Comtrade flow code -> who reports it.
FLOW_REPORTED_BY = {"X": "exporter", "RX": "exporter", "M": "importer", "RM": "importer"}
LEGACY_FLOWS = {"1": "M", "2": "X", "3": "RX", "4": "RM"}

#: Where UN Comtrade (and so BACI) numeric codes differ from ISO 3166 numeric.
UN_CODE_DEVIATIONS = {842: "USA", 251: "FRA", 699: "IND", 757: "CHE", 579: "NOR"}
#: Codes that are areas, not countries.
UN_AREAS = {0: "World", 490: "Other Asia, nes", 899: "Areas, nes", 839: "Special categories"}

_INT_RE = re.compile(r"^\s*[-+]?\d{1,9}\s*$")  # read as 32-bit integers
_NUM_RE = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_BACI_NAME = re.compile(r"^BACI_HS(?P<rev>\d{2})_Y(?P<year>\d{4})_V(?P<version>\w+?)\.csv(\.gz)?$", re.I)
_DATA_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz", ".tsv", ".tsv.gz")
_SIDE_FILES = re.compile(r"^(country_codes_|product_codes_|readme)", re.I)


class OfficialDataWarning(UserWarning):
    """Something was read on an assumption the reader should know about (e.g. no BACI code file)."""


# ---------------------------------------------------------------------------
# Formats


@dataclass(frozen=True)
class Field:
    """One column a format may carry: internal key, name in the file, kind, whether required."""

    key: str
    header: str
    kind: str = "text"  # text | int | float
    required: bool = False


@dataclass(frozen=True)
class Format:
    """A download format: its columns and the keys of which at least one must be present."""

    name: str
    title: str
    fields: tuple[Field, ...]
    either: tuple[str, ...] = ()

    def key_columns(self) -> str:
        """The columns that identify the format, as listed in error messages."""
        names = [f.header for f in self.fields if f.required]
        if self.either:
            names.insert(0, " or ".join(self.field(k).header for k in self.either))
        return ", ".join(names)

    def field(self, key: str) -> Field:
        """The field of internal name ``key``."""
        return next(f for f in self.fields if f.key == key)

    def missing(self, names: Iterable[str]) -> list[str]:
        """Key columns absent from a header (compared without regard to case)."""
        have = {n.lower() for n in names}
        out = [f.header for f in self.fields if f.required and f.header.lower() not in have]
        if self.either and not any(self.field(k).header.lower() in have for k in self.either):
            out.insert(0, " or ".join(self.field(k).header for k in self.either))
        return out

    def positions(self, names: list[str]) -> dict[str, int]:
        """Internal key -> column position, for the fields present in a header."""
        lower = [n.lower() for n in names]
        return {f.key: lower.index(f.header.lower()) for f in self.fields if f.header.lower() in lower}


COMTRADE = Format(
    "comtrade",
    "UN Comtrade (current API / bulk)",
    (
        Field("year", "refYear", "int"),
        Field("period", "period"),
        Field("freq", "freqCode"),
        Field("type", "typeCode"),
        Field("classification", "classificationCode"),
        Field("reporter", "reporterCode", "int", True),
        Field("reporter_iso", "reporterISO"),
        Field("partner", "partnerCode", "int", True),
        Field("partner_iso", "partnerISO"),
        Field("partner2", "partner2Code"),
        Field("flow", "flowCode", required=True),
        Field("customs", "customsCode"),
        Field("mot", "motCode"),
        Field("cmd", "cmdCode", required=True),
        Field("value", "primaryValue", "float", True),
    ),
    either=("year", "period"),
)

COMTRADE_LEGACY = Format(
    "comtrade_legacy",
    "UN Comtrade (legacy export)",
    (
        Field("year", "Year", "int"),
        Field("period", "Period"),
        Field("classification", "Classification"),
        Field("flow", "Trade Flow Code", required=True),
        Field("reporter", "Reporter Code", "int", True),
        Field("reporter_iso", "Reporter ISO"),
        Field("partner", "Partner Code", "int", True),
        Field("partner_iso", "Partner ISO"),
        Field("partner2", "2nd Partner Code"),
        Field("customs", "Customs Proc. Code"),
        Field("mot", "Mode of Transport Code"),
        Field("cmd", "Commodity Code", required=True),
        Field("value", "Trade Value (US$)", "float", True),
    ),
    either=("year", "period"),
)

BACI = Format(
    "baci",
    "CEPII BACI",
    (
        Field("year", "t", "int", True),
        Field("exporter", "i", "int", True),
        Field("importer", "j", "int", True),
        Field("cmd", "k", required=True),
        Field("value", "v", "float", True),
    ),
)

FORMATS: dict[str, Format] = {f.name: f for f in (COMTRADE, COMTRADE_LEGACY, BACI)}


def _expected_formats() -> str:
    """Every format with its key columns, as listed in error messages."""
    return "; ".join(f"{f.name} ({f.title}: {f.key_columns()})" for f in FORMATS.values())


@dataclass(frozen=True)
class Header:
    """The first line of a file: column names and the delimiter."""

    names: list[str]
    delimiter: str


def _open_text(path: Path) -> io.TextIOBase:
    """The file as text (gzip-compressed files too); undecodable bytes become U+FFFD."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def _check_file(path: Path) -> None:
    """A missing, folder or empty path is a DataError."""
    shown = display_path(path)
    if not path.exists():
        raise DataError(shown, Problem("file not found"))
    if path.is_dir():
        raise DataError(shown, Problem("expected a file, found a folder"))
    if path.stat().st_size == 0:
        raise DataError(shown, Problem("file is empty"))


def read_header(path: Path) -> Header:
    """Column names and delimiter of a download (BOM, CRLF, quotes and tabs tolerated)."""
    path = Path(path)
    _check_file(path)
    try:
        with _open_text(path) as fh:
            first = fh.readline(1 << 20)
    except (OSError, EOFError) as exc:
        raise DataError(display_path(path), Problem(f"cannot be read ({exc})")) from None
    first = first.rstrip("\r\n")
    if not first.strip():
        raise DataError(
            display_path(path), Problem("file is empty or its first line is blank; expected a header", line=1)
        )
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        names = [n.strip() for n in next(csv.reader([first], delimiter=delimiter))]
    except csv.Error as exc:  # e.g. a binary or garbage file: one huge "field"
        raise DataError(
            display_path(path),
            Problem(f"header not recognised ({exc}); expected one of: {_expected_formats()}", line=1),
        ) from None
    return Header(names, delimiter)


def _format_of(header: Header, shown: str) -> Format:
    """The format whose key columns the header has; else a DataError listing every format."""
    for fmt in FORMATS.values():
        if not fmt.missing(header.names):
            return fmt
    seen = ", ".join(header.names[:8]) + (", ..." if len(header.names) > 8 else "")
    # A header that carries most of one format's key columns is that format, damaged.
    for fmt in FORMATS.values():
        missing = fmt.missing(header.names)
        required = len(fmt.missing([]))
        if len(missing) <= required / 2:
            raise DataError(
                shown,
                Problem(
                    f"header looks like {fmt.name} but lacks column(s) {', '.join(missing)}; expected one of: {_expected_formats()}",
                    line=1,
                    value=seen,
                ),
            )
    raise DataError(
        shown,
        Problem(
            f"header not recognised as a Comtrade or BACI download; expected one of: {_expected_formats()}",
            line=1,
            value=seen,
        ),
    )


def detect_format(path: Path | str) -> str:
    """Name of the download format of ``path`` ("comtrade", "comtrade_legacy" or "baci"), from its header.

    Raises :class:`DataError` naming the file and the formats' key columns when the header is
    not one of them, and for a missing or empty file.
    """
    path = Path(path)
    return _format_of(read_header(path), display_path(path)).name


# ---------------------------------------------------------------------------
# Countries


def resolve_country(code_or_iso3: str | int) -> str:
    """ISO 3166 alpha-3 code of a country given as alpha-3 (any case) or as a numeric code.

    Numeric codes are ISO 3166 numeric, plus UN Comtrade's deviations (842 USA, 251 France,
    699 India, 757 Switzerland, 579 Norway). Raises :class:`ParameterError` naming the accepted
    forms for anything else, including areas such as 490 "Other Asia, nes".
    """
    import pycountry

    text = str(code_or_iso3).strip()
    found = None
    if text.isdigit():
        number = int(text)
        if number in UN_CODE_DEVIATIONS:
            return UN_CODE_DEVIATIONS[number]
        if number in UN_AREAS:
            raise ParameterError(
                f"country code {text} is {UN_AREAS[number]!r}, an area rather than a country; give a country"
            )
        found = pycountry.countries.get(numeric=f"{number:03d}")
    elif len(text) == 3 and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
    if found is None:
        raise ParameterError(
            f"unknown country {code_or_iso3!r}: give an ISO 3166 alpha-3 country code such as IRN, IRQ, TUR, "
            "or a numeric UN Comtrade/ISO code such as 364"
        )
    return found.alpha_3


def numeric_codes(iso3: str) -> set[int]:
    """Numeric codes that mean ``iso3`` when no code file says otherwise (ISO numeric and UN deviations)."""
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    codes = {int(country.numeric)} if country is not None else set()
    return codes | {code for code, iso in UN_CODE_DEVIATIONS.items() if iso == iso3}


def _read_small_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, fields) rows of a small side file; UTF-8 or, failing that, Latin-1."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    reader = csv.reader(io.StringIO(text))
    rows = []
    header: list[str] = []
    for fields in reader:
        if not header:
            header = [h.strip().lower() for h in fields]
            continue
        if fields and any(f.strip() for f in fields):
            rows.append((reader.line_num, fields))
    return header, rows


def read_country_codes(path: Path) -> dict[int, str | None]:
    """A BACI release's country code file: numeric code -> ISO3 (None where the file has none).

    Accepts the current columns (country_code, country_name, country_iso2, country_iso3) and the
    older ones (country_code, ..., iso_3digit_alpha).
    """
    shown = display_path(path)
    header, rows = _read_small_csv(path)
    iso_col = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in header), None)
    if "country_code" not in header or iso_col is None:
        raise DataError(
            shown,
            Problem(
                "expected columns country_code, country_name, country_iso2, country_iso3",
                line=1,
                value=", ".join(header),
            ),
        )
    at_code, at_iso = header.index("country_code"), header.index(iso_col)
    codes: dict[int, str | None] = {}
    for line, fields in rows:
        if len(fields) != len(header):
            raise DataError(shown, Problem(f"row has {len(fields)} fields, header has {len(header)}", line=line))
        code = fields[at_code].strip()
        if not _INT_RE.match(code):
            raise DataError(shown, Problem("must be a whole number", line=line, column="country_code", value=code))
        iso = fields[at_iso].strip().upper()
        codes[int(code)] = iso if re.fullmatch(r"[A-Z][A-Z0-9]{2}", iso) else None
    return codes


def read_product_codes(path: Path) -> set[str]:
    """HS6 codes of a BACI release's product file (column ``code``), as 6-character text."""
    shown = display_path(path)
    header, rows = _read_small_csv(path)
    if "code" not in header:
        raise DataError(shown, Problem("expected columns code, description", line=1, value=", ".join(header)))
    at = header.index("code")
    return {fields[at].strip().zfill(6) for _, fields in rows if len(fields) > at}


def _baci_side_file(data_file: Path, prefix: str, rev: str | None = None) -> Path | None:
    """The release's side file next to a BACI file: same version if there is one, else the only one."""
    name = _BACI_NAME.match(data_file.name)
    version = name["version"] if name else None
    stem = f"{prefix}HS{rev}_" if rev else prefix
    candidates = sorted(p for p in data_file.parent.glob(f"{stem}V*.csv"))
    if version:
        exact = [p for p in candidates if p.name.lower() == f"{stem}V{version}.csv".lower()]
        if exact:
            return exact[0]
    if len(candidates) == 1 and prefix == "country_codes_":
        if version:
            warnings.warn(
                f"{data_file.name}: using {candidates[0].name}, which is not of release V{version}",
                OfficialDataWarning,
                stacklevel=4,
            )
        return candidates[0]
    if len(candidates) > 1 and prefix == "country_codes_":
        raise DataError(
            display_path(data_file),
            Problem(
                f"several country code files ({', '.join(p.name for p in candidates)}) and none of this file's release; keep the one that belongs to it"
            ),
        )
    return None


# ---------------------------------------------------------------------------
# Streaming


def _arrow_type(kind: str) -> pa.DataType:
    """Explicit pyarrow type of a field kind (codes as 32-bit integers, values float64, codes text)."""
    return {"int": pa.int32(), "float": pa.float64(), "text": pa.string()}[kind]


def _open_stream(path: Path, header: Header, fmt: Format, positions: dict[str, int]) -> pacsv.CSVStreamingReader:
    """A pyarrow streaming reader over the fields of ``fmt`` present in the file, typed explicitly."""
    names = [f"c{i}" for i in range(len(header.names))]
    wanted = {f"c{pos}": _arrow_type(fmt.field(key).kind) for key, pos in positions.items()}
    return pacsv.open_csv(
        str(path),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_SIZE, use_threads=True),
        parse_options=pacsv.ParseOptions(delimiter=header.delimiter, newlines_in_values=fmt is not BACI),
        convert_options=pacsv.ConvertOptions(
            column_types=wanted, include_columns=list(wanted), strings_can_be_null=False
        ),
    )


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


def _stream_pair(path: Path, header: Header, fmt: Format, pair: PairFilter) -> pd.DataFrame:
    """Rows of the pair, streamed batch by batch; column ``rec`` is the record's number (0 = first data row)."""
    positions = fmt.positions(header.names)
    keys = {f"c{pos}": key for key, pos in positions.items()}
    needed = [f"c{positions[f.key]}" for f in fmt.fields if f.kind != "text" and f.key in positions]
    pieces = []
    offset = 0
    try:
        reader = _open_stream(path, header, fmt, positions)
        for batch in reader:
            batch = batch.rename_columns([keys[n] for n in batch.schema.names])
            if any(batch.column(keys[c]).null_count for c in needed):
                raise _Damaged("a numeric field is empty or not a number")
            hits = pair.select(batch)
            if len(hits):
                part = batch.take(hits).append_column("rec", pc.add(hits.cast(pa.int64()), offset))
                pieces.append(part)
            offset += batch.num_rows
    except (_Damaged, pa.ArrowInvalid) as exc:
        raise _diagnosis(path, header, fmt, str(exc)) from None
    except OSError as exc:
        raise DataError(display_path(path), Problem(f"cannot be read ({exc}); is the download complete?")) from None
    if offset == 0:
        raise DataError(display_path(path), Problem("header only: the file has no data rows", line=1))
    if not pieces:
        return pd.DataFrame(
            {key: pd.Series(dtype=_pandas_dtype(fmt.field(key).kind)) for key in positions}
            | {"rec": pd.Series(dtype="int64")}
        )
    return pa.Table.from_batches(pieces).to_pandas()


def _pandas_dtype(kind: str) -> str:
    """pandas dtype of a field kind, for an empty result."""
    return {"int": "int64", "float": "float64", "text": "object"}[kind]


class _Damaged(Exception):
    """A batch breaks a rule the fast reader checks; the slow pass says where."""


def _records(path: Path, header: Header) -> Iterator[tuple[int, int, list[str]]]:
    """(record number, line, fields) of every non-blank data row, read slowly with the csv module."""
    with _open_text(path) as fh:
        reader = csv.reader(fh, delimiter=header.delimiter, strict=True)
        next(reader, None)
        rec = 0
        for fields in reader:
            if not fields:
                continue
            yield rec, reader.line_num, fields
            rec += 1


def _field_problem(field: Field, text: str) -> str | None:
    """The rule a raw numeric field breaks, or None."""
    if not text.strip():
        return "a value is required"
    if field.kind == "int" and not _INT_RE.match(text):
        return "must be a whole number written plainly (digits only)"
    if field.kind == "float" and not _NUM_RE.match(text):
        return "must be a number written plainly (no thousands separators, currency signs or NA)"
    return None


def _diagnosis(path: Path, header: Header, fmt: Format, reason: str) -> DataError:
    """Read a damaged file again with the csv module and name line, column and rule of each problem."""
    shown = display_path(path)
    positions = fmt.positions(header.names)
    checked = [(fmt.field(k), p) for k, p in positions.items() if fmt.field(k).kind != "text"]
    problems: list[Problem] = []
    try:
        for _, line, fields in _records(path, header):
            if len(fields) != len(header.names):
                problems.append(
                    Problem(
                        f"row has {len(fields)} fields, header has {len(header.names)} (truncated row or stray delimiter?)",
                        line=line,
                    )
                )
            else:
                for field, pos in checked:
                    broken = _field_problem(field, fields[pos])
                    if broken:
                        problems.append(
                            Problem(broken, line=line, column=field.header, value=fields[pos].strip() or None)
                        )
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as exc:
        problems.append(Problem(f"malformed CSV ({exc}); is the file cut off inside a quoted field?"))
    except (OSError, EOFError) as exc:
        problems.append(Problem(f"cannot be read to the end ({exc}); is the download complete?"))
    if not problems:
        problems.append(Problem(f"cannot be read: {reason}"))
    return DataError(shown, problems)


def _fail_at(
    path: Path,
    header: Header,
    recs: Iterable[int],
    rule: str,
    column: str | None = None,
    values: dict[int, str] | None = None,
) -> DataError:
    """A DataError citing the lines of the given record numbers (found by one slow pass)."""
    wanted = sorted(set(int(r) for r in recs))[:MAX_PROBLEMS]
    lines: dict[int, int] = {}
    if wanted:
        last = wanted[-1]
        targets = set(wanted)
        for rec, line, _ in _records(path, header):
            if rec in targets:
                lines[rec] = line
            if rec >= last:
                break
    values = values or {}
    problems = [Problem(rule, line=lines.get(r), column=column, value=values.get(r)) for r in wanted]
    return DataError(display_path(path), problems or [Problem(rule, column=column)])


# ---------------------------------------------------------------------------
# Codes and levels


def _normalise_codes(codes: pd.Series) -> pd.Series:
    """Commodity codes as text: stripped, upper case, odd-length digit codes given back their leading zero."""
    text = codes.astype("string").str.strip().str.upper()
    odd = text.str.fullmatch(r"\d+").fillna(False) & (text.str.len() % 2 == 1)
    return text.where(~odd, "0" + text)


def _code_level(codes: pd.Series) -> pd.Series:
    """Digits of each (normalised) code: 2, 4 or 6; 0 for TOTAL; -1 for anything else."""
    level = codes.str.len().astype("Int64")
    is_hs = codes.str.fullmatch(r"\d{2}|\d{4}|\d{6}").fillna(False)
    level = level.where(is_hs, -1)
    return level.where(codes != "TOTAL", 0).astype("int64")


def _preferences(level: str) -> list[int]:
    """Levels (digits, 0 = TOTAL) usable for a requested level, preferred first."""
    return {"chapter": [2, 4, 6, 0], "4": [4, 6], "6": [6]}[level]


def _choose_level(rows: pd.DataFrame, group: list[str], level: str) -> tuple[pd.DataFrame, list[str]]:
    """Keep one HS level per group (the coarsest usable); say which groups had none usable."""
    prefs = _preferences(level)
    rank = rows["level"].map({lv: i for i, lv in enumerate(prefs)})
    best = rank.groupby([rows[c] for c in group]).transform("min")
    unusable = rows[best.isna()]
    notes = [f"{k}" for k in unusable[group].drop_duplicates().itertuples(index=False, name=None)]
    return rows[rank == best].copy(), notes


def _hs_columns(codes: pd.Series, level: str) -> tuple[pd.Series, pd.Series]:
    """(hs_code at the requested level, hs_chapter) of normalised codes; TOTAL keeps no chapter."""
    digits = LEVELS[level]
    total = codes == "TOTAL"
    hs_code = codes.str.slice(0, digits).where(~total, "TOTAL")
    chapter = codes.str.slice(0, 2).where(~total, pd.NA)
    return hs_code, chapter


# ---------------------------------------------------------------------------
# Per format


def _baci_file(path: Path, header: Header, first: str, second: str, level: str) -> pd.DataFrame:
    """One BACI year file: the pair's rows, checked against the release's side files, summed to ``level``."""
    code_file = _baci_side_file(path, "country_codes_")
    if code_file is not None:
        table = read_country_codes(code_file)
        codes = {iso: frozenset(c for c, i in table.items() if i == iso) for iso in (first, second)}
        for iso, found in codes.items():
            if not found:
                raise DataError(
                    display_path(code_file), Problem(f"no country with ISO3 code {iso} in the release's code file")
                )
    else:
        warnings.warn(
            f"{path.name}: no country_codes_V*.csv next to it; numeric codes read as ISO 3166 numeric (pycountry) "
            "plus UN Comtrade's deviations (842 USA, 251 France, 699 India, 757 Switzerland, 579 Norway)",
            OfficialDataWarning,
            stacklevel=3,
        )
        codes = {iso: frozenset(numeric_codes(iso)) for iso in (first, second)}
        table = {c: iso for iso, cs in codes.items() for c in cs}
    rows = _stream_pair(path, header, BACI, PairFilter("exporter", "importer", codes[first], codes[second]))
    if rows.empty:
        return _empty()
    rows["cmd"] = _normalise_codes(rows["cmd"])
    bad = ~rows["cmd"].str.fullmatch(r"\d{6}").fillna(False)
    if bad.any():
        raise _fail_at(
            path,
            header,
            rows.loc[bad, "rec"],
            "must be a 6-digit HS code written as text (e.g. 010121)",
            "k",
            dict(zip(rows.loc[bad, "rec"], rows.loc[bad, "cmd"])),
        )
    _check_values(path, header, rows, "v")
    name = _BACI_NAME.match(path.name)
    if name:
        wrong = rows["year"] != int(name["year"])
        if wrong.any():
            raise _fail_at(
                path,
                header,
                rows.loc[wrong, "rec"],
                f"year differs from the file name's Y{name['year']}",
                "t",
                dict(zip(rows.loc[wrong, "rec"], rows.loc[wrong, "year"].astype(str))),
            )
        product_file = _baci_side_file(path, "product_codes_", name["rev"])
        if product_file is not None:
            known = read_product_codes(product_file)
            unknown = ~rows["cmd"].isin(known)
            if unknown.any():
                raise _fail_at(
                    path,
                    header,
                    rows.loc[unknown, "rec"],
                    f"product code not in {product_file.name}",
                    "k",
                    dict(zip(rows.loc[unknown, "rec"], rows.loc[unknown, "cmd"])),
                )
    dup = rows.duplicated(["year", "exporter", "importer", "cmd"], keep=False)
    if dup.any():
        raise _fail_at(
            path, header, rows.loc[dup, "rec"], "the same year, exporter, importer and product appear twice", "k"
        )
    hs_code, chapter = _hs_columns(rows["cmd"], level)
    out = pd.DataFrame(
        {
            "source": "baci",
            "year": rows["year"],
            "exporter": rows["exporter"].map(table),
            "importer": rows["importer"].map(table),
            "reported_by": "reconciled",
            "flow": "reconciled",
            "hs_chapter": chapter,
            "hs_code": hs_code,
            "value_usd": rows["value"] * 1000.0,  # BACI values are thousands of USD
        }
    )
    return _aggregate(out, path.name)


def _check_values(path: Path, header: Header, rows: pd.DataFrame, column: str) -> None:
    """Trade values must be finite and not negative."""
    bad = ~(rows["value"].map(math.isfinite) & (rows["value"] >= 0))
    if bad.any():
        raise _fail_at(
            path,
            header,
            rows.loc[bad, "rec"],
            "must be a finite value of at least 0",
            column,
            dict(zip(rows.loc[bad, "rec"], rows.loc[bad, "value"].astype(str))),
        )


def _comtrade_pair(fmt: Format, header: Header, first: str, second: str) -> tuple[PairFilter, dict[int, str] | None]:
    """Filter on the ISO columns when the file has them, else on numeric codes (with a warning)."""
    present = fmt.positions(header.names)
    if "reporter_iso" in present and "partner_iso" in present:
        return PairFilter("reporter_iso", "partner_iso", frozenset({first}), frozenset({second})), None
    warnings.warn(
        f"{fmt.name} file without ISO columns: numeric codes read as ISO 3166 numeric (pycountry) plus UN Comtrade's deviations",
        OfficialDataWarning,
        stacklevel=4,
    )
    a, b = numeric_codes(first), numeric_codes(second)
    table = {c: first for c in a} | {c: second for c in b}
    return PairFilter("reporter", "partner", frozenset(a), frozenset(b)), table


def _comtrade_keep(rows: pd.DataFrame) -> tuple[pd.Series, dict[str, int]]:
    """Which pair rows can be summed without double counting, and how many were left out and why."""

    def text(key: str) -> pd.Series:
        return (
            rows[key].astype("string").str.strip().str.upper().fillna("")
            if key in rows
            else pd.Series("", index=rows.index, dtype="string")
        )

    reasons = {
        "not flow M, X, RM or RX": ~rows["flow"].isin(list(FLOW_REPORTED_BY)),
        "services, not goods (typeCode)": ~text("type").isin(["", "C"]),
        "not an HS classification": ~(text("classification").str.startswith("H") | (text("classification") == "")),
        "broken down by second partner": ~text("partner2").isin(["", "0"]),
        "broken down by customs procedure": ~text("customs").isin(["", "C00"]),
        "broken down by mode of transport": ~text("mot").isin(["", "0"]),
        "monthly, not annual": ~rows["annual"],
    }
    keep = pd.Series(True, index=rows.index)
    counts = {}
    for why, drop in reasons.items():
        counts[why] = int((keep & drop).sum())
        keep &= ~drop
    return keep, counts


def _comtrade_file(path: Path, header: Header, fmt: Format, first: str, second: str, level: str) -> pd.DataFrame:
    """One Comtrade file (current or legacy): the pair's usable rows at one HS level, by direction and flow."""
    pair, table = _comtrade_pair(fmt, header, first, second)
    rows = _stream_pair(path, header, fmt, pair)
    if rows.empty:
        return _empty()
    if fmt is COMTRADE_LEGACY:
        rows["flow"] = rows["flow"].astype("string").str.strip().map(LEGACY_FLOWS).fillna("?")
    else:
        rows["flow"] = rows["flow"].astype("string").str.strip().str.upper()
    rows["annual"] = _annual(rows)
    keep, dropped = _comtrade_keep(rows)
    if not keep.any():
        why = "; ".join(f"{n} {reason}" for reason, n in dropped.items() if n)
        raise DataError(
            display_path(path),
            Problem(f"none of the {len(rows)} rows between {first} and {second} can be summed ({why})"),
        )
    rows = rows[keep].copy()
    rows["year"] = _years(path, header, rows, fmt)
    if table is not None:
        rows["reporter_iso"], rows["partner_iso"] = rows["reporter"].map(table), rows["partner"].map(table)
    rows["cmd"] = _normalise_codes(rows["cmd"])
    rows["level"] = _code_level(rows["cmd"])
    cmd_col = fmt.field("cmd").header
    bad = rows["level"] < 0
    if bad.any():
        raise _fail_at(
            path,
            header,
            rows.loc[bad, "rec"],
            "must be an HS code of 2, 4 or 6 digits written as text, or TOTAL",
            cmd_col,
            dict(zip(rows.loc[bad, "rec"], rows.loc[bad, "cmd"].astype(str))),
        )
    _check_values(path, header, rows, fmt.field("value").header)
    dup = rows.duplicated(["year", "reporter", "partner", "flow", "cmd"], keep=False)
    if dup.any():
        raise _fail_at(
            path,
            header,
            rows.loc[dup, "rec"],
            "the same year, reporter, partner, flow and commodity appear twice (two HS revisions, or a breakdown column missing?)",
            cmd_col,
        )
    rows, unusable = _choose_level(rows, ["year", "reporter", "partner", "flow"], level)
    if unusable:
        warnings.warn(
            f"{path.name}: no rows usable at level {level!r} for (year, reporter, partner, flow) {', '.join(unusable[:5])}; left out",
            OfficialDataWarning,
            stacklevel=3,
        )
    export_side = rows["flow"].isin(["X", "RX"])
    hs_code, chapter = _hs_columns(rows["cmd"], level)
    out = pd.DataFrame(
        {
            "source": fmt.name,
            "year": rows["year"],
            "exporter": rows["reporter_iso"].where(export_side, rows["partner_iso"]),
            "importer": rows["partner_iso"].where(export_side, rows["reporter_iso"]),
            "reported_by": rows["flow"].map(FLOW_REPORTED_BY),
            "flow": rows["flow"],
            "hs_chapter": chapter,
            "hs_code": hs_code,
            "value_usd": rows["value"].astype("float64"),
        }
    )
    return _aggregate(out, path.name)


def _annual(rows: pd.DataFrame) -> pd.Series:
    """Annual rows: freqCode A where the column exists, else a 4-character period."""
    if "freq" in rows:
        return rows["freq"].astype("string").str.strip().str.upper().isin(["A", ""]).fillna(True)
    if "period" in rows:
        return rows["period"].astype("string").str.strip().str.len().fillna(4) == 4
    return pd.Series(True, index=rows.index)


def _years(path: Path, header: Header, rows: pd.DataFrame, fmt: Format) -> pd.Series:
    """Year of each row: refYear/Year when present, else the first four characters of the period."""
    if "year" in rows:
        return rows["year"].astype("int64")
    period = rows["period"].astype("string").str.strip()
    bad = ~period.str.fullmatch(r"\d{4}(\d{2})?").fillna(False)
    if bad.any():
        raise _fail_at(
            path,
            header,
            rows.loc[bad, "rec"],
            "period must be a year (YYYY) or a month (YYYYMM)",
            fmt.field("period").header,
        )
    return period.str.slice(0, 4).astype("int64")


# ---------------------------------------------------------------------------
# Assembly


def _empty() -> pd.DataFrame:
    """A flows frame with no rows."""
    return _typed(pd.DataFrame({c: [] for c in FLOW_COLUMNS}))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The flows columns in order, text as pandas strings, year int64, value float64."""
    out = frame[FLOW_COLUMNS].copy()
    for c in ("source", "exporter", "importer", "reported_by", "flow", "hs_chapter", "hs_code", "file"):
        out[c] = out[c].astype("string")
    out["year"] = out["year"].astype("int64")
    out["value_usd"] = out["value_usd"].astype("float64")
    return out


def _aggregate(rows: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """Sum one file's rows to (year, direction, reporting side, flow, HS code)."""
    keys = ["source", "year", "exporter", "importer", "reported_by", "flow", "hs_chapter", "hs_code"]
    out = rows.groupby(keys, dropna=False, sort=True)["value_usd"].sum().reset_index()
    out["file"] = file_name
    return _typed(out)


def data_files(path: Path | str) -> list[Path]:
    """The download files ``read_flows`` reads at ``path``: the file itself, or a folder's data files.

    In a folder, CSV/TSV/TXT files (gzip-compressed too) are taken in name order; BACI's
    ``country_codes_*``/``product_codes_*`` side files, readme files and hidden files are not data.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(display_path(path), Problem("file or folder not found"))
    if path.is_file():
        return [path]
    files = sorted(
        p
        for p in path.iterdir()
        if p.is_file()
        and p.name.lower().endswith(_DATA_SUFFIXES)
        and not _SIDE_FILES.match(p.name)
        and not p.name.startswith((".", "~$"))
    )
    if not files:
        raise DataError(
            display_path(path), Problem(f"no download files in the folder; expected one of: {_expected_formats()}")
        )
    return files


def _progress(files: list[Path], show: bool | None) -> Iterable[Path]:
    """The files, with a progress bar on stderr when there are several (or as ``show`` says)."""
    hidden = len(files) < 2 if show is None else not show
    return tqdm(files, desc="files", unit="file", file=sys.stderr, disable=hidden, leave=True, dynamic_ncols=True)


#: Environment variable naming the folder of cached extracts (default: ~/.cache/iran-iraq-trade/flows).
CACHE_ENV = "COLLECTION_FLOW_CACHE"
#: Bump when the reading rules change, so old extracts are not reused.
CACHE_VERSION = 1


def _cache_dir() -> Path | None:
    """Where a file's extract for a pair is kept between runs; None when caching is off (``COLLECTION_FLOW_CACHE=off``)."""
    from helpers.config import configured_cache_dir

    base = configured_cache_dir(CACHE_ENV, "flows")
    if base is None:
        return None
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base


def _identity(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def _cache_key(file: Path, first: str, second: str, level: str) -> str:
    """Hash of everything the extract depends on: the file and its release's side files, the pair, the level."""
    import hashlib

    sides = (
        sorted(_identity(p) for p in file.parent.iterdir() if p.is_file() and _SIDE_FILES.match(p.name))
        if file.parent.is_dir()
        else []
    )
    key = repr((CACHE_VERSION, _identity(file), sides, tuple(sorted((first, second))), level))
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def _read_file_cached(file: Path, first: str, second: str, level: str) -> pd.DataFrame:
    """One file's flows for the pair: from the extract cache when the same file was read for the same
    pair before (a rerun, or another notebook of the same run), else parsed and stored.

    A big BACI year file takes about a second to stream; the pair's extract is a few kilobytes. The
    key covers the file's path, size and modification time and those of its release's code files,
    so an edited or replaced download is read again. Warnings the first read raised are raised again.
    """
    import json

    folder = _cache_dir()
    key = _cache_key(file, first, second, level) if folder else None
    if folder is not None:
        data, notes = folder / f"{key}.parquet", folder / f"{key}.json"
        if data.exists() and notes.exists():
            try:
                frame = pd.read_parquet(data)
                for message in json.loads(notes.read_text(encoding="utf-8")):
                    warnings.warn(message, OfficialDataWarning, stacklevel=3)
                return frame
            except (OSError, ValueError, pa.ArrowException):
                pass  # a damaged cache entry is ignored and rewritten
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OfficialDataWarning)
        header = read_header(file)
        fmt = _format_of(header, display_path(file))
        frame = (
            _baci_file(file, header, first, second, level)
            if fmt is BACI
            else _comtrade_file(file, header, fmt, first, second, level)
        )
    messages = [str(w.message) for w in caught if issubclass(w.category, OfficialDataWarning)]
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if folder is not None:
        try:
            tmp = folder / f"{key}.{os.getpid()}.tmp"
            frame.to_parquet(tmp, index=False)
            tmp.replace(folder / f"{key}.parquet")
            (folder / f"{key}.json").write_text(json.dumps(messages), encoding="utf-8")
        except (OSError, ValueError, pa.ArrowException):
            pass  # caching is an optimisation: a read-only or full disk only costs speed
    return frame


def read_flows(
    path: Path | str, reporter: str, partner: str, level: str = "chapter", progress: bool | None = None
) -> pd.DataFrame:
    """Trade between two countries, both directions, from Comtrade or BACI downloads at ``path``.

    ``path`` is one file or a folder of files (read one at a time, with a progress bar on stderr
    when there are several; ``progress=False`` hides it, e.g. in stored notebook outputs);
    ``reporter`` and ``partner`` are ISO3 codes (e.g. IRN, IRQ); which is which does not matter,
    both directions are returned. ``level`` ("chapter", "4" or "6") is the HS level summed (see
    the module's rules). Assumptions the reader should know of (no code file, a level a file
    lacks, no trade found) are reported as :class:`OfficialDataWarning`.

    Returns one row per source, year, exporter, importer, reporting side, flow and HS code with
    columns :data:`FLOW_COLUMNS`: ``source`` (comtrade | comtrade_legacy | baci), ``year``,
    ``exporter``, ``importer`` (ISO3), ``reported_by`` (exporter | importer | reconciled), ``flow``
    (X, M, RX, RM or reconciled), ``hs_chapter`` (2-character text; empty for TOTAL rows),
    ``hs_code`` (text at the requested level, or TOTAL), ``value_usd`` (USD) and ``file`` (name).
    """
    if level not in LEVELS:
        raise ParameterError(f"level {level!r} must be one of: {', '.join(LEVELS)}")
    first, second = resolve_country(reporter), resolve_country(partner)
    if first == second:
        raise ParameterError(f"reporter and partner are the same country ({first}); give two countries")
    frames = []
    for file in _progress(data_files(path), progress):
        frames.append(_read_file_cached(file, first, second, level))
    flows = pd.concat(frames, ignore_index=True) if frames else _empty()
    flows = _typed(flows)
    _check_overlaps(flows, display_path(Path(path)))
    if flows.empty:
        warnings.warn(
            f"no trade between {first} and {second} in {display_path(Path(path))}", OfficialDataWarning, stacklevel=2
        )
    return flows.sort_values(["source", "year", "exporter", "importer", "flow", "hs_code"], ignore_index=True)


def _check_overlaps(flows: pd.DataFrame, shown: str) -> None:
    """The same flow from two files (two releases, HS revisions or overlapping downloads) is an error.

    Comtrade's current and legacy files count as one source here: both carry the same reports.
    Files that split one flow by HS code are fine if they use the same level.
    """
    if flows.empty:
        return
    digits = flows["hs_code"].str.len().where(flows["hs_code"] != "TOTAL", 0)
    frame = flows.assign(family=flows["source"].replace({"comtrade_legacy": "comtrade"}), digits=digits)
    group = ["family", "year", "exporter", "importer", "reported_by", "flow"]
    twice = frame[frame.duplicated(group + ["hs_code"], keep=False)]
    mixed = frame[frame.groupby(group)["digits"].transform("nunique") > 1]
    bad, what = (twice, "the same flow") if not twice.empty else (mixed, "the same flow at different HS levels")
    if bad.empty:
        return
    first = bad.iloc[0]
    files = sorted(set(bad.loc[(bad[group] == first[group]).all(axis=1), "file"]))
    raise DataError(
        shown,
        Problem(
            f"{what} ({first['family']} {first['year']} {first['exporter']}->{first['importer']} {first['flow']}) "
            f"is in {' and '.join(files)}: two releases, HS revisions or overlapping downloads would be counted twice; keep one"
        ),
    )


# ---------------------------------------------------------------------------
# Tables

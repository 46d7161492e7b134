"""The three download formats, their columns, and how a file's format is told from its header.

* ``comtrade`` -- the current UN Comtrade API / bulk files (``refYear``, ``reporterCode``, ...): the
  CSV the website and ``comtradeapicall`` write, the tab-separated bulk files (gzipped) and the API's
  JSON response saved as it came (``.json``, ``.json.gz``; read by :mod:`helpers.official.comtrade_json`);
* ``comtrade_legacy`` -- the older export (``"Year"``, ``"Trade Flow Code"``, ...);
* ``baci`` -- CEPII BACI yearly files ``BACI_HS{rev}_Y{year}_V{version}.csv`` (``t,i,j,k,v,q``).

Rules, stated here:

* A format is recognised from the header line alone: a UTF-8 byte-order mark, CRLF line endings,
  quoted names, tabs instead of commas, other letter case and extra columns are fine. Column names
  are compared without regard to case.
* At most one MiB is read to find the header, whatever the file's size: a garbage file is refused
  after a bounded read.
* A gzip-compressed file (``.gz``) that cannot be decompressed (a damaged deflate stream, a failed
  CRC, cut off) is a :class:`~helpers.errors.DataError` naming it, wherever it is read
  (:data:`READ_FAILURES`); one whose header is refused is read to its end first, so a damaged file is
  said to be damaged rather than to have a header it never had.
* A header that carries at least half of one format's key columns is that format, damaged: the
  error names the columns it lacks. Any other header is refused with every format's key columns.
* A JSON file (:data:`JSON_SUFFIXES`) is a Comtrade API response: JSON has no header line, so it is
  told by its name, and a bounded read (:func:`check_json_start`) refuses a file that is not JSON
  before it is parsed or hashed. Its fields are the current layout's column names.
* Country ISO columns (:attr:`Format.iso_fields`: Comtrade's ``reporterISO``, ``partnerISO``) are read
  stripped and in capitals (``" irq"`` is IRQ), by every reader and by what a download is said to
  hold alike; a value that is no ISO3 code (e.g. a number) names no country.
* Numeric fields are written plainly: whole numbers (:data:`WHOLE_NUMBER`, read as 32-bit
  integers) and numbers without thousands separators, currency signs or NA (:data:`PLAIN_NUMBER`).
  Everything else (commodity codes included) is text.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.config import display_path as _display_path
from helpers.errors import DataError, Problem


def display_path(path: Path | str) -> str:
    """:func:`helpers.config.display_path`, remembered per path and working folder (it resolves the
    path, a few system calls: the readers name every file they touch)."""
    return _display(os.fspath(path), os.getcwd())


@functools.lru_cache(maxsize=4096)
def _display(path: str, cwd: str) -> str:
    return _display_path(path)


#: A whole number as the downloads write it (at most 9 digits: read as a 32-bit integer).
WHOLE_NUMBER = re.compile(r"^\s*[-+]?\d{1,9}\s*$")
#: A number as the downloads write it: digits, an optional decimal point and exponent.
PLAIN_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
#: Name of a BACI yearly file, with its HS revision, year and release version.
BACI_FILE_NAME = re.compile(r"^BACI_HS(?P<rev>\d{2})_Y(?P<year>\d{4})_V(?P<version>\w+?)\.csv(\.gz)?$", re.I)


def baci_revision(name: str) -> str | None:
    """The HS revision of a BACI yearly file by its name (``BACI_HS17_...`` -> ``HS17``), else None."""
    found = BACI_FILE_NAME.match(name)
    return f"HS{found['rev']}" if found else None


#: Name endings of Comtrade API responses saved as JSON (gzip-compressed too).
JSON_SUFFIXES = (".json", ".json.gz")
#: Largest JSON file read (bytes on disk): an API response holds at most 250,000 records (about 300 MB).
JSON_SIZE_LIMIT = 1 << 30

_HEADER_LIMIT = 1 << 20  # characters read at most to find the header line


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
    iso_fields: tuple[str, ...] = ()  # text fields of country ISO codes: read stripped and in capitals

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
    iso_fields=("reporter_iso", "partner_iso"),
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
    iso_fields=("reporter_iso", "partner_iso"),
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

#: Every format by name, in the order headers are tried.
FORMATS: dict[str, Format] = {f.name: f for f in (COMTRADE, COMTRADE_LEGACY, BACI)}


def expected_formats() -> str:
    """Every format with its key columns, as listed in error messages."""
    return "; ".join(f"{f.name} ({f.title}: {f.key_columns()})" for f in FORMATS.values())


@dataclass(frozen=True)
class Header:
    """The first line of a file: column names and the delimiter."""

    names: list[str]
    delimiter: str


def open_text(path: Path) -> io.TextIOBase:
    """The file as text (gzip-compressed files too); undecodable bytes become U+FFFD."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


#: What reading a file (a gzip-compressed one too) raises when its bytes cannot be had or decompressed:
#: a damaged deflate stream is a :class:`zlib.error`, which is no OSError.
READ_FAILURES = (OSError, EOFError, zlib.error)


def _check_file(path: Path) -> None:
    """A missing, folder or empty path is a DataError."""
    if not path.exists():
        raise DataError(display_path(path), Problem("file not found"))
    if path.is_dir():
        raise DataError(display_path(path), Problem("expected a file, found a folder"))
    if path.stat().st_size == 0:
        raise DataError(display_path(path), Problem("file is empty"))


def _first_line(path: Path) -> str:
    """The file's first line without its line ending, read with a bounded ``readline``."""
    try:
        with open_text(path) as fh:
            first = fh.readline(_HEADER_LIMIT)
    except READ_FAILURES as exc:
        raise unreadable(path, exc) from None
    return first.rstrip("\r\n")


def check_gzip_intact(path: Path) -> None:
    """For a gzip-compressed file: decompress it to its end (bounded memory), so that a damaged one (a deflate
    stream that fails, a CRC that does not match, cut off) is a DataError saying so; nothing for another file."""
    if not path.name.lower().endswith(".gz"):
        return
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except READ_FAILURES as exc:
        raise unreadable(path, exc) from None


def unreadable(path: Path, exc: BaseException) -> DataError:
    """The DataError of a file whose bytes cannot be had (:data:`READ_FAILURES`): a gzip-compressed file that
    cannot be decompressed is said to be damaged."""
    if path.name.lower().endswith(".gz"):
        rule = f"damaged gzip file: it cannot be decompressed ({exc}); nothing of it was used; download it again"
    else:
        rule = f"cannot be read ({exc}); is the download complete?"
    return DataError(display_path(path), Problem(rule))


def parse_header(first: str, shown: str | Callable[[], str]) -> Header:
    """Column names and delimiter from a download's first line (quotes and tabs tolerated); ``shown``
    names the file in errors. One rule for files and archive members alike."""
    if not first.strip():
        raise DataError(_named(shown), Problem("file is empty or its first line is blank; expected a header", line=1))
    if "\x00" in first:  # UTF-16 (Excel's "Unicode Text") or a binary file: no UTF-8 header to recognise
        raise DataError(
            _named(shown),
            Problem(
                "header not recognised: the first line holds NUL bytes, so the file is UTF-16 text (as Excel "
                'saves "Unicode Text") or not text at all; save it as "CSV UTF-8" or give the download as it came',
                line=1,
            ),
        )
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        names = [n.strip() for n in next(csv.reader([first], delimiter=delimiter))]
    except csv.Error as exc:  # e.g. a binary or garbage file: one huge "field"
        raise DataError(
            _named(shown), Problem(f"header not recognised ({exc}); expected one of: {expected_formats()}", line=1)
        ) from None
    return Header(names, delimiter)


#: What the csv module's messages mean, for a reader of a download.
_CSV_RULES = {
    "unexpected end of data": 'a quoted field opened here is never closed: an unmatched quote (") runs to the end '
    "of the file; is the download cut off, or a quote in a text field not doubled?",
    "expected after": 'text after the closing quote of a quoted field: a quote (") inside a quoted field must be '
    'written twice ("")',
    "field larger than field limit": 'a field longer than {limit} characters: an unmatched quote (") or a damaged '
    "file (a trade download's fields are short)",
    "new-line character seen in unquoted field": "a line break inside a field: the file mixes line endings (CR "
    "alone); save it again with Windows (CRLF) or Unix (LF) line endings",
}
#: The rule when a quoted field runs over lines to a quote followed by text (an unmatched quote, most often).
_RUNS_ON = (
    'a quoted field opened here runs on to line {last}, where text follows a quote: an unmatched quote ("), or a '
    'quote inside a quoted field not written twice ("")'
)


def malformed_record(
    exc: csv.Error, first: int, last: int, lines: list[str], names: list[str], delimiter: str = ","
) -> Problem:
    """The problem of a record the csv module refuses: the rule in a reader's words, on the line the record
    starts on (``first``; ``last`` is where the csv module stopped), in the column (of ``names``) where it
    broke when it can be told from the record's ``lines``."""
    message = str(exc)
    rule = next((text for key, text in _CSV_RULES.items() if key in message), f"the record does not parse ({message})")
    if "expected after" in message and last > first:
        rule = _RUNS_ON
    elif last > first:
        rule += " (the record runs from line {first} to line {last})"
    rule = rule.format(limit=csv.field_size_limit(), first=first, last=last)
    at = _breaking_field("".join(lines), delimiter)
    column = names[at] if at is not None and at < len(names) else None
    return Problem(rule, line=first, column=column)


def strict_records(
    lines: Iterable[str],
    shown: str | Callable[[], str],
    names: Sequence[str] | Callable[[], Sequence[str]] = (),
    delimiter: str = ",",
) -> Iterator[tuple[int, list[str]]]:
    """(line a record starts on, its fields) of every record of ``lines`` (the header's too), parsed strictly
    by the csv module. A record it cannot parse is a DataError naming ``shown``, that line, the column of
    ``names`` (or of what ``names()`` gives then) where it broke, and the rule (:func:`malformed_record`)."""
    pending: list[str] = []  # the lines of the record being parsed (bounded by the field size limit)

    def kept() -> Iterator[str]:
        for line in lines:
            pending.append(line)
            yield line

    reader = csv.reader(kept(), delimiter=delimiter, strict=True)
    end = 0  # the last line of the record before the one being parsed
    try:
        for fields in reader:
            first, end = end + 1, reader.line_num
            pending.clear()
            yield first, fields
    except csv.Error as exc:
        columns = list(names() if callable(names) else names)
        problem = malformed_record(exc, end + 1, reader.line_num, pending, columns, delimiter)
        raise DataError(_named(shown), problem) from None


def _breaking_field(text: str, delimiter: str) -> int | None:
    """The index of the field of a record's ``text`` where the csv module's strict parse breaks: the field an
    unmatched quote opens, the quoted field followed by other text, the field over the size limit; None when
    no field breaks a rule the scan knows."""
    index, start, quoted, closed = 0, 0, False, False
    limit = csv.field_size_limit()
    i = 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"':
                if text[i + 1 : i + 2] == '"':
                    i += 1
                else:
                    quoted, closed = False, True
        elif closed and char not in (delimiter, "\r", "\n"):
            return index
        elif char == delimiter:
            index, start, closed = index + 1, i + 1, False
        elif char in "\r\n":
            return None  # the record ends here, unbroken by any rule the scan knows
        elif char == '"' and i == start:
            quoted = True
        if i - start >= limit:
            return index
        i += 1
    return index if quoted else None


def read_header(path: Path) -> Header:
    """Column names and delimiter of a download (BOM, CRLF, quotes and tabs tolerated)."""
    path = Path(path)
    _check_file(path)
    try:
        header = parse_header(_first_line(path), functools.partial(display_path, path))
        if not any(not fmt.missing(header.names) for fmt in FORMATS.values()):
            format_of(header, functools.partial(display_path, path))  # the header's own error
    except DataError:
        check_gzip_intact(path)  # a damaged gzip file is said to be damaged, not to have a wrong header
        raise
    return header


def _named(shown: str | Callable[[], str]) -> str:
    """A file's name in a message, given or made when a message needs it (resolving costs system calls)."""
    return shown() if callable(shown) else shown


def format_of(header: Header, shown: str | Callable[[], str]) -> Format:
    """The format whose key columns the header has; else a DataError (for file ``shown``) listing every format."""
    for fmt in FORMATS.values():
        if not fmt.missing(header.names):
            return fmt
    seen = ", ".join(header.names[:8]) + (", ..." if len(header.names) > 8 else "")
    _refuse_other_separator(header, shown)
    damaged = _damaged_format(header)
    if damaged is not None:
        raise DataError(
            _named(shown),
            Problem(
                f"header looks like {damaged.name} but lacks column(s) {', '.join(damaged.missing(header.names))}; "
                f"expected one of: {expected_formats()}",
                line=1,
                value=seen,
            ),
        )
    raise DataError(
        _named(shown),
        Problem(
            f"header not recognised as a Comtrade or BACI download; expected one of: {expected_formats()}",
            line=1,
            value=seen,
        ),
    )


#: Separators a spreadsheet may save a download with instead of commas (semicolons: where decimals take commas).
_OTHER_SEPARATORS = {";": "semicolons (;)", "|": "vertical bars (|)"}


def _refuse_other_separator(header: Header, shown: str | Callable[[], str]) -> None:
    """A header that is a download's once split at semicolons (or bars): a DataError saying so, how the file
    came to be so (re-saved by a spreadsheet) and what to give instead."""
    if len(header.names) != 1:
        return
    for separator, named in _OTHER_SEPARATORS.items():
        names = [n.strip().strip('"') for n in header.names[0].split(separator)]
        fmt = next((f for f in FORMATS.values() if len(names) > 1 and not f.missing(names)), None)
        if fmt is not None:
            raise DataError(
                _named(shown),
                Problem(
                    f"header not recognised: its columns are separated by {named}, not commas; it is a {fmt.title} "
                    "file re-saved by a spreadsheet (set to a language that writes decimal commas), whose numbers "
                    "may have changed too: give the download as it came, or save it again as CSV with commas and "
                    "numbers written plainly",
                    line=1,
                ),
            )


def _damaged_format(header: Header) -> Format | None:
    """The first format of which the header carries at least half the key columns, if any."""
    for fmt in FORMATS.values():
        if len(fmt.missing(header.names)) <= len(fmt.missing([])) / 2:
            return fmt
    return None


def detect_format(path: Path | str) -> str:
    """Name of the download format of ``path`` ("comtrade", "comtrade_legacy" or "baci"), from its header.

    A JSON file (:func:`is_json`) is a Comtrade API response ("comtrade") once :func:`check_json_start`
    passes; its fields are checked when it is read. Raises :class:`DataError` naming the file and the
    formats' key columns when the header is not one of them, and for a missing or empty file.
    """
    path = Path(path)
    if is_json(path):
        check_json_start(path)
        return COMTRADE.name
    return format_of(read_header(path), display_path(path)).name


def is_json(path: object) -> bool:
    """Whether ``path`` (a path; anything else, e.g. an archive member, is not) is named as a saved
    Comtrade API response (:data:`JSON_SUFFIXES`, any case)."""
    path = Path(path) if isinstance(path, str) else path
    return isinstance(path, Path) and path.name.lower().endswith(JSON_SUFFIXES)


def check_json_start(path: Path) -> None:
    """Refuse, after a bounded read, a JSON file that cannot be a Comtrade API response: missing, empty,
    larger than :data:`JSON_SIZE_LIMIT`, or not starting (after blanks) with ``{`` or ``[``."""
    path = Path(path)
    _check_file(path)
    shown = display_path(path)
    size = path.stat().st_size
    if size > JSON_SIZE_LIMIT:
        raise DataError(
            shown,
            Problem(
                f"{size / 2**20:,.0f} MiB is more than an API response holds (at most 250,000 records); "
                "for bigger downloads use the bulk files (tab-separated), which are streamed"
            ),
        )
    try:
        with open_text(path) as fh:
            start = fh.read(_HEADER_LIMIT).lstrip()
    except READ_FAILURES as exc:
        raise unreadable(path, exc) from None
    if not start:
        raise DataError(shown, Problem("file is empty or blank; expected a Comtrade API response (JSON)"))
    if start[0] not in "{[":
        raise DataError(
            shown,
            Problem(
                'not JSON: expected a Comtrade API response {"count": ..., "data": [...], "error": ""}',
                line=1,
                value=start[:40],
            ),
        )

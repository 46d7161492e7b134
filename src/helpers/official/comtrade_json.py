"""One UN Comtrade API response saved as JSON: read by the same rules as a Comtrade CSV, to the same flows.

The Comtrade+ data API (``https://comtradeapi.un.org/data/v1/get/C/A/HS?...``; its preview
``/public/v1/preview/C/A/HS?...`` answers alike) sends one JSON object::

    {"elapsedTime": "0.11 secs", "count": 2, "error": "",
     "data": [{"typeCode": "C", "freqCode": "A", "refYear": 2022, "period": "2022", "reporterCode": 364,
               "reporterISO": "IRN", "flowCode": "X", "partnerCode": 368, "partner2Code": 0,
               "cmdCode": "01", "customsCode": "C00", "motCode": 0, "primaryValue": 1234.0, ...}, ...]}

whose records carry the current layout's fields under the CSV's column names (codes as JSON
numbers, ``period`` and ``cmdCode`` as text, values as numbers, ``null`` where there is none).

Rules, stated here:

* Memory: an API response holds at most 250,000 records (100,000 on the free tier, 500 from the
  preview), so the file is parsed whole with :func:`json.load`, not streamed; while it is parsed each
  record keeps only the fields the format reads (an ``object_hook``), about a third of them: a full
  250,000-record response (about 270 MB of JSON) costs about 0.5 GB at its peak and 7 s. A file
  larger than :data:`~helpers.official.formats.JSON_SIZE_LIMIT` is refused: bigger downloads are the
  bulk files (tab-separated), which are streamed.
* What is read: the response object, or its ``data`` list saved alone. A response whose ``error`` is
  not empty, or that has no ``data`` (e.g. the gateway's ``{"statusCode": 401, "message": ...}``), is a
  :class:`DataError` quoting it; so is a response without records. Exactly 500, 100,000 or 250,000
  records are the API's caps: the response is probably cut off, an :class:`OfficialDataWarning`.
* Fields are told by the names of the first record (compared without regard to case), as a CSV's
  columns by its header: the key columns must be there. Numeric fields are JSON numbers, or text
  written plainly by the CSV's rules (:data:`~helpers.official.formats.WHOLE_NUMBER` for codes and
  years, :data:`~helpers.official.formats.PLAIN_NUMBER` for values); ``null`` or absent is "a value is
  required". Text fields may be JSON numbers (``partner2Code`` 0, ``motCode`` 0, a ``cmdCode`` that
  lost its leading zero) and are read as their digits.
* Row rules: exactly those of a CSV, by the same code (:func:`helpers.official.comtrade.comtrade_flows`):
  only second-partner, customs and mode-of-transport totals, goods, HS, annual rows; flows X, M,
  RX and RM apart; one HS level; directions and countries alike.
* Errors name the file, the record (``data[i]``, counted from 0) and the field (:class:`RecordProblem`).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from helpers.config import display_path
from helpers.errors import DataError, Problem
from helpers.official.comtrade import Locate, comtrade_flows, pair_filter
from helpers.official.countries import country_or_none, iso_column_country
from helpers.official.formats import (
    COMTRADE,
    PLAIN_NUMBER,
    READ_FAILURES,
    WHOLE_NUMBER,
    check_json_start,
    open_text,
    unreadable,
)
from helpers.official.schema import OfficialDataWarning
from helpers.official.stream import MAX_PROBLEMS

#: Records an API call returns at most: the preview, the free tier, a subscription.
API_CAPS = (500, 100_000, 250_000)

_ARROW_TYPES = {"int": pa.int32(), "float": pa.float64(), "text": pa.string()}
_LARGEST_WHOLE = 10**9  # whole numbers have at most 9 digits, as in a CSV (read as 32-bit integers)
_NUMBER_RULE = "must be a number written plainly (no thousands separators, currency signs or NA)"


@dataclass
class RecordProblem(Problem):
    """One broken rule at one record of a JSON response: ``record`` is its index in ``data``."""

    record: int | None = None

    def describe(self) -> str:
        where = []
        if self.record is not None:
            where.append(f"record data[{self.record}]")
        if self.column is not None:
            where.append(f"field '{self.column}'")
        got = "" if self.value is None else f" (got {self.value!r})"
        prefix = ", ".join(where)
        return f"{prefix}: {self.rule}{got}" if prefix else f"{self.rule}{got}"


def read_comtrade_json(path: Path | str, first: str, second: str, level: str) -> pd.DataFrame:
    """One saved API response: the pair's usable records at one HS level, by direction and flow (the
    flows :func:`helpers.official.comtrade.read_comtrade_file` returns for the same rows in a CSV)."""
    path = Path(path)
    names, columns = _table(path)
    pair, table = pair_filter(COMTRADE, names, first, second)
    batch = pa.RecordBatch.from_pydict(columns)
    hits = pair.select(batch)
    rows = batch.take(hits).append_column("rec", hits.cast(pa.int64())).to_pandas()
    return comtrade_flows(path, rows, COMTRADE, first, second, level, table, _locate(path))


def table_batch(path: Path | str) -> tuple[list[str], pa.RecordBatch, Locate]:
    """A saved response's field names, its records as one batch (the format's keys as columns and
    ``rec``, the record's index) and where a rule's records are, for questions about all its pairs."""
    path = Path(path)
    names, columns = _table(path)
    batch = pa.RecordBatch.from_pydict(columns)
    batch = batch.append_column("rec", pa.array(range(batch.num_rows), type=pa.int64()))
    return names, batch, _locate(path)


def comtrade_json_countries(path: Path | str) -> set[str]:
    """ISO3 codes of the countries one saved API response holds (reporters and partners), areas and
    World left out: by the ISO fields when it has both, else by the numeric codes."""
    path = Path(path)
    names, columns = _table(path)
    present = COMTRADE.positions(names)
    keys = ["reporter_iso", "partner_iso"] if {"reporter_iso", "partner_iso"} <= present.keys() else None
    values = set().union(*(columns[key].to_pylist() for key in keys or ["reporter", "partner"]))
    named = iso_column_country if keys else country_or_none
    found = (named(value) for value in values if value not in (None, ""))
    return {iso for iso in found if iso}


def _table(path: Path) -> tuple[list[str], dict[str, pa.Array]]:
    """The field names of the first record and the format's fields present, typed, one array each."""
    check_json_start(path)
    shown = display_path(path)
    slim = _Slim()
    records = _records(path, _load(path, slim))
    not_objects = [i for i, record in enumerate(records) if not isinstance(record, dict)]
    if not_objects:
        raise DataError(
            shown,
            [
                RecordProblem("must be a JSON object of the record's fields", record=i)
                for i in not_objects[:MAX_PROBLEMS]
            ],
        )
    names = slim.first if slim.first is not None else list(records[0])
    missing = COMTRADE.missing(names)
    if missing:
        seen = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise DataError(
            shown,
            Problem(
                f"records lack the field(s) {', '.join(missing)}; expected the Comtrade API layout "
                f"({COMTRADE.key_columns()})",
                value=seen,
            ),
        )
    return names, _columns(shown, records, list(COMTRADE.positions(names)))


class _Slim:
    """``object_hook`` for :func:`json.load`: a record keeps only the fields the format reads, under their
    internal keys; any other object (the response, an error payload) is kept whole. ``first`` is the
    first record's field names (all of them), the JSON's "header"."""

    def __init__(self) -> None:
        self._wanted = {f.header.lower(): f.key for f in COMTRADE.fields}
        self._seen: set[str] = set()
        self._hits: dict[str, str] = {}  # field name as written -> internal key
        self.first: list[str] | None = None

    def __call__(self, obj: dict) -> dict:
        if not obj.keys() <= self._seen:
            for name in obj.keys() - self._seen:
                self._seen.add(name)
                key = self._wanted.get(name.lower())
                if key is not None:
                    self._hits[name] = key
        kept = {key: obj[name] for name, key in self._hits.items() if name in obj}
        if not kept:
            return obj
        if self.first is None:
            self.first = list(obj)
        return kept


def _load(path: Path, slim: _Slim) -> object:
    """The parsed file (records slimmed by ``slim``); a file that is not valid JSON is a DataError."""
    shown = display_path(path)
    try:
        with open_text(path) as fh:
            return json.load(fh, object_hook=slim)
    except json.JSONDecodeError as exc:
        raise DataError(
            shown,
            Problem(f"not valid JSON ({exc.msg}, column {exc.colno}); is the download complete?", line=exc.lineno),
        ) from None
    except RecursionError:
        raise DataError(shown, Problem("not a Comtrade API response: JSON nested too deeply")) from None
    except READ_FAILURES as exc:
        raise unreadable(path, exc) from None


def _records(path: Path, doc: object) -> list:
    """The response's records (``data``, or the whole file when it is the list alone); an error payload,
    a response without ``data`` and one without records are each a DataError quoting what it says."""
    shown = display_path(path)
    if isinstance(doc, dict):
        error = doc.get("error")
        if error not in (None, ""):
            text = error if isinstance(error, str) else json.dumps(error)
            raise DataError(shown, Problem(f"the API answered with an error instead of data: {text}"))
        if "data" not in doc:
            raise DataError(
                shown,
                Problem(
                    f'no "data" in the response: {_what_it_says(doc)}; expected a Comtrade API response '
                    '{"count": ..., "data": [...], "error": ""}'
                ),
            )
        data = doc["data"]
    else:
        data = doc
    if not isinstance(data, list):
        raise DataError(
            shown,
            Problem(f'"data" must be a list of records, got {_json_type(data)}; expected a Comtrade API response'),
        )
    if not data:
        raise DataError(
            shown, Problem('the response has no records ("count": 0): the query found no data; check its parameters')
        )
    if len(data) in API_CAPS:
        warnings.warn(
            f"{path.name}: exactly {len(data):,} records, the most an API call returns: the response is probably "
            "cut off; split the query (by year, reporter or commodity) so that each call returns fewer",
            OfficialDataWarning,
            stacklevel=4,
        )
    return data


def _what_it_says(doc: dict) -> str:
    """An error payload's message (the gateway's ``statusCode``/``message``, ``errorObject``), else its keys."""
    nested = doc.get("errorObject")
    message = doc.get("message") or (nested.get("errorMessage") if isinstance(nested, dict) else None)
    if message:
        status = doc.get("statusCode")
        return f"{message} (status {status})" if status is not None else str(message)
    return f"it holds {', '.join(map(str, list(doc)[:8])) or 'nothing'}"


def _json_type(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _columns(shown: str, records: list[dict], keys: list[str]) -> dict[str, pa.Array]:
    """The fields ``keys`` of every record, converted by their kind; bad values are a DataError naming
    record and field (the first :data:`~helpers.official.stream.MAX_PROBLEMS`, in record order)."""
    columns: dict[str, pa.Array] = {}
    problems: list[RecordProblem] = []
    for key in keys:
        field = COMTRADE.field(key)
        raw = [record.get(key) for record in records]
        values, bad = _CONVERT[field.kind](raw)
        if key in COMTRADE.iso_fields:  # country ISO codes, read as the CSV readers read them
            values = [value.strip().upper() for value in values]
        problems += [RecordProblem(rule, column=field.header, value=_shown(raw[i]), record=i) for i, rule in bad]
        columns[key] = pa.array(values, type=_ARROW_TYPES[field.kind])
    if problems:
        problems.sort(key=lambda p: p.record)
        raise DataError(shown, problems[:MAX_PROBLEMS])
    return columns


def _ints(raw: list) -> tuple[list, list[tuple[int, str]]]:
    """Whole numbers: JSON integers or plainly written digits, at most 9 of them."""
    if all(type(v) is int and -_LARGEST_WHOLE < v < _LARGEST_WHOLE for v in raw):
        return raw, []
    values, bad = [], []
    for i, v in enumerate(raw):
        if type(v) is int and -_LARGEST_WHOLE < v < _LARGEST_WHOLE:
            values.append(v)
        elif isinstance(v, str) and WHOLE_NUMBER.match(v):
            values.append(int(v))
        else:
            values.append(None)
            bad.append((i, _missing(v) or "must be a whole number of at most 9 digits, written plainly"))
    return values, bad


def _floats(raw: list) -> tuple[list, list[tuple[int, str]]]:
    """Numbers: JSON numbers or plainly written ones."""
    values, bad = [], []
    for i, v in enumerate(raw):
        try:
            if type(v) in (int, float):
                values.append(float(v))
                continue
            if isinstance(v, str) and PLAIN_NUMBER.match(v):
                values.append(float(v))
                continue
        except OverflowError:
            pass
        values.append(None)
        bad.append((i, _missing(v) or _NUMBER_RULE))
    return values, bad


def _texts(raw: list) -> tuple[list, list[tuple[int, str]]]:
    """Text: strings as they are, null as empty, numbers as their digits (0, not 0.0)."""
    return [v if type(v) is str else _as_text(v) for v in raw], []


_CONVERT = {"int": _ints, "float": _floats, "text": _texts}


def _as_text(value: object) -> str:
    """A JSON value that is not a string, as a CSV would hold it."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def _missing(value: object) -> str | None:
    """The rule a null, absent or blank numeric field breaks, or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "a value is required"
    return None


def _shown(value: object) -> str | None:
    """A bad value as messages show it: text as it is, other JSON values as JSON; nothing for null."""
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _locate(path: Path) -> Locate:
    """Where rows that break a rule are, for :func:`~helpers.official.comtrade.comtrade_flows`: their
    records (``rec`` is the index in ``data``)."""

    def locate(
        recs: Iterable[int], rule: str, column: str | None = None, values: dict[int, str] | None = None
    ) -> DataError:
        wanted = sorted({int(r) for r in recs})[:MAX_PROBLEMS]
        values = values or {}
        problems = [RecordProblem(rule, column=column, value=values.get(r), record=r) for r in wanted]
        return DataError(display_path(path), problems or [Problem(rule, column=column)])

    return locate

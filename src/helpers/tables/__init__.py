"""Column specifications of the curated tables and the one loader that reads them all.

Reading happens in two steps so that every broken rule gets one readable message:

1. *parsing*: the raw text of each field is turned into a typed value with the project's
   own rules (plain numbers only, ISO dates, enums), remembering the file line;
2. *validation*: a pandera schema built from the same specification checks ranges, enums,
   keys and cross-column rules on the typed frame.

Both steps report file, line, column and rule through :class:`helpers.errors.DataError`.
The frame's index is the line number in the file, so any later message can cite it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from helpers.config import display_path
from helpers.errors import DataError, Problem

#: Curated files are small; anything larger is refused before it is read.
MAX_CURATED_BYTES = 20 * 1024 * 1024

STATED_BY = (
    "iranian_customs",
    "trade_promotion",
    "chamber",
    "iranian_government",
    "iraqi_government",
    "iraqi_research",
    "mirror_data",
    "international",
    "media",
)
STATUS = ("confirmed", "unconfirmed")
BOUND = ("exact", "lower", "approx")
CALENDARS = ("gregorian", "iranian", "unstated")
FLOWS = (
    "iran_exports_to_iraq",
    "iran_imports_from_iraq",
    "two_way",
    "iraq_imports_from_iran",
    "iraq_exports_to_iran",
)
EVENT_CATEGORIES = ("political", "security", "economic", "energy", "diplomatic", "social")

_INT_RE = re.compile(r"^-?\d+$")
_NUM_RE = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Col:
    """One column: its kind, whether it may be empty, and its allowed values or range."""

    name: str
    kind: str = "text"  # text | enum | int | number | bool | date | url
    required: bool = True
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    doc: str = ""
    unit: str = ""


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row (or of a group of rows); ``test`` returns True where rows pass."""

    name: str
    test: Callable[[pd.DataFrame], pd.Series]
    column: str


@dataclass(frozen=True)
class TableSpec:
    """A curated table: file name, columns in order, key columns and row rules."""

    name: str
    file: str
    title: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


# ---------------------------------------------------------------------------
# Row rules shared by several tables


def _unconfirmed_has_reason(df: pd.DataFrame) -> pd.Series:
    return (df["status"] != "unconfirmed") | df["status_note"].fillna("").str.strip().ne("")


def _months_ordered(df: pd.DataFrame) -> pd.Series:
    both = df["month_from"].notna() & df["month_to"].notna()
    return ~both | (df["month_from"] <= df["month_to"])


def _months_match_calendar(df: pd.DataFrame) -> pd.Series:
    """Dated periods need both months; an unstated period has none."""
    has = df["month_from"].notna() & df["month_to"].notna()
    none = df["month_from"].isna() & df["month_to"].isna()
    unstated = df["calendar"] == "unstated"
    return (unstated & none) | (~unstated & has)


def _partial_flag_matches_months(df: pd.DataFrame) -> pd.Series:
    """``partial`` must say whether the months cover less than the whole year."""
    full = (df["month_from"] == 1) & (df["month_to"] == 12)
    expected = ~full.fillna(True).astype(bool)
    expected = expected.where(df["calendar"] != "unstated", False)
    return df["partial"] == expected


def _year_fits_calendar(df: pd.DataFrame) -> pd.Series:
    """Iranian solar years are around 1380-1410 here; Gregorian ones 1990-2100."""
    iran = df["calendar"] == "iranian"
    ok_iran = df["year"].between(1300, 1500)
    ok_greg = df["year"].between(1900, 2100)
    return (iran & ok_iran) | (~iran & ok_greg)


def _shares_not_over_100(df: pd.DataFrame) -> pd.Series:
    """Shares of one breakdown (same period, body and source) may not sum past 100%."""
    keys = ["calendar", "year", "month_from", "month_to", "stated_by", "source_url"]
    share = (
        df["share_pct"].fillna(0.0).where(df["part_of"].isna(), 0.0)
    )  # nested groups are inside their parent's share
    total = share.groupby([df[k].astype("string").fillna("") for k in keys]).transform("sum")
    return total <= 100.0 + 1e-9


def _date_before_deadline(df: pd.DataFrame) -> pd.Series:
    has = df["date"].notna() & df["deadline_year"].notna()
    return ~has | (df["date"].dt.year <= df["deadline_year"])


def _precision_matches_date(df: pd.DataFrame) -> pd.Series:
    unknown = df["date_precision"] == "unknown"
    return (unknown & df["date"].isna()) | (~unknown & df["date"].notna())


def _high_not_below_low(low: str, high: str) -> Callable[[pd.DataFrame], pd.Series]:
    def test(df: pd.DataFrame) -> pd.Series:
        both = df[low].notna() & df[high].notna()
        return ~both | (df[high] >= df[low])

    return test


_PROVENANCE = (
    Col("source_url", "url", doc="Page the figure was read from"),
    Col("checked", "date", doc="Date the figure was confirmed at (or looked for at) its source"),
    Col("status", "enum", values=STATUS, doc="`confirmed` at the source, or `unconfirmed` (see status_note)"),
    Col("status_note", required=False, doc="Why a row is unconfirmed"),
)
_STATUS_RULE = RowRule("an unconfirmed row needs a status_note saying why", _unconfirmed_has_reason, "status_note")
_PERIOD_COLS = (
    Col(
        "calendar",
        "enum",
        values=CALENDARS,
        doc="iranian (solar year from ~21 March), gregorian, or unstated (no period given; for trade, an annual level claimed without a period)",
    ),
    Col(
        "year",
        "int",
        min=1300,
        max=2100,
        doc="Iranian solar year (e.g. 1401) or Gregorian year; for unstated, the year of the statement",
    ),
    Col("month_from", "int", required=False, min=1, max=12, doc="First month covered (Iranian month 1 = Farvardin)"),
    Col("month_to", "int", required=False, min=1, max=12, doc="Last month covered"),
    Col("partial", "bool", doc="true when the months cover less than the whole year"),
)
_PERIOD_RULES = (
    RowRule("month_from must not be after month_to (start after end)", _months_ordered, "month_from"),
    RowRule(
        "dated periods need month_from and month_to; an unstated period has neither",
        _months_match_calendar,
        "month_from",
    ),
    RowRule(
        "partial must be true exactly when the months cover less than the full year",
        _partial_flag_matches_months,
        "partial",
    ),
    RowRule("year out of range for its calendar (Iranian 1300-1500, Gregorian 1900-2100)", _year_fits_calendar, "year"),
)

TRADE = TableSpec(
    name="trade_reported",
    file="trade_reported.csv",
    title="Reported Iran–Iraq bilateral trade values",
    description="Every published figure of trade between Iran and Iraq, one row per figure, each stating body kept as its own series.",
    columns=(
        Col("record_id", doc="Unique id of the row"),
        Col(
            "flow",
            "enum",
            values=FLOWS,
            doc="Direction as reported (Iran-side exports/imports, two-way total, or Iraq-side figures)",
        ),
        Col(
            "coverage",
            "enum",
            values=("goods", "goods_and_services", "unspecified"),
            doc="Goods only, goods and services, or not said",
        ),
        Col(
            "energy",
            "enum",
            values=("included", "excluded", "unknown"),
            doc="Whether gas, electricity and oil products are in the figure",
        ),
        *_PERIOD_COLS,
        Col("value", "int", min=0, doc="Value", unit="US dollars, nominal"),
        Col("unit", "enum", values=("USD",), doc="Currency of value"),
        Col("bound", "enum", values=BOUND, doc='exact, lower ("over $10bn") or approx ("about")'),
        Col("stated_by", "enum", values=STATED_BY, doc="Body that stated the figure"),
        Col("speaker", doc="Person and office quoted"),
        Col("publisher", doc="Outlet where the figure was read"),
        Col("published", "date", required=False, doc="Publication date of the page"),
        *_PROVENANCE,
        Col("note", required=False, doc="Definitions, inferred year basis, comparisons (own words)"),
    ),
    key=("flow", "calendar", "year", "month_from", "month_to", "energy", "stated_by", "source_url"),
    rules=(*_PERIOD_RULES, _STATUS_RULE),
)

IRAQ_IMPORTS = TableSpec(
    name="iraq_imports",
    file="iraq_imports.csv",
    title="Iraq's total imports and imports by supplier",
    description="Iraq's imports from the world (partner WLD) and from main suppliers other than Iran, by calendar year; goods and goods-and-services kept apart.",
    columns=(
        Col("record_id", doc="Unique id of the row"),
        Col("partner", "text", doc="WLD for all partners, else the supplier's ISO 3166 alpha-3 code"),
        Col("year", "int", min=1990, max=2100, doc="Gregorian year"),
        Col("coverage", "enum", values=("goods", "goods_and_services"), doc="Goods only or goods and services"),
        Col("value", "int", min=0, doc="Value", unit="US dollars, nominal"),
        Col("unit", "enum", values=("USD",), doc="Currency of value"),
        Col("bound", "enum", values=BOUND, doc="exact, lower or approx"),
        Col("stated_by", "enum", values=STATED_BY, doc="Body that stated the figure"),
        Col("speaker", required=False, doc="Person or office quoted"),
        Col("publisher", doc="Outlet or database where the figure was read"),
        Col("basis", doc="Statistical basis (national accounts, customs, partner data)"),
        Col(
            "quality",
            "enum",
            values=("ok", "partial_coverage", "suspect", "duplicate"),
            doc="ok; partial_coverage (records only part of imports: a lower bound); suspect (contradicts the source's own numbers); duplicate (a copy of another row's report)",
        ),
        Col("published", "date", required=False, doc="Publication date of the page"),
        *_PROVENANCE,
        Col("note", required=False, doc="Remarks (own words)"),
    ),
    key=("partner", "year", "coverage", "stated_by", "source_url"),
    rules=(_STATUS_RULE,),
)

TARGETS = TableSpec(
    name="targets",
    file="targets.csv",
    title="Public statements of an Iran–Iraq trade target",
    description="Each dated restatement of the trade goal (mostly $20bn), with speaker, side, any deadline and the current level the speaker claimed.",
    columns=(
        Col("target_id", doc="Unique id of the row"),
        Col("date", "date", required=False, doc="Date of the statement (empty when undated)"),
        Col("date_precision", "enum", values=("day", "month", "unknown"), doc="How exactly the date is known"),
        Col("speaker", doc="Who stated the target"),
        Col("role", required=False, doc="Office at the time"),
        Col("side", "enum", values=("iranian", "iraqi", "joint", "outlet"), doc="Whose statement"),
        Col(
            "measure",
            "enum",
            values=("two_way_trade", "iran_exports", "potential", "forecast"),
            doc="What the target measures",
        ),
        Col("target_value", "int", min=0, doc="Target", unit="US dollars a year"),
        Col(
            "target_value_high",
            "int",
            required=False,
            min=0,
            doc="Upper end of a target range",
            unit="US dollars a year",
        ),
        Col(
            "deadline_year",
            "int",
            required=False,
            min=1990,
            max=2100,
            doc="Gregorian year by which the target is to be reached",
        ),
        Col(
            "current_level_claimed",
            "int",
            required=False,
            min=0,
            doc="Current annual trade claimed in the same statement",
            unit="US dollars",
        ),
        Col("current_level_high", "int", required=False, min=0, doc="Upper end of a claimed range", unit="US dollars"),
        Col("current_bound", "enum", required=False, values=BOUND, doc="Bound of the claimed current level"),
        Col("publisher", doc="Outlet"),
        *_PROVENANCE,
        Col("note", required=False, doc="Remarks (own words)"),
    ),
    key=("date", "speaker", "measure", "source_url"),
    rules=(
        _STATUS_RULE,
        RowRule("date_precision 'unknown' exactly when date is empty", _precision_matches_date, "date_precision"),
        RowRule(
            "target_value_high must not be below target_value",
            _high_not_below_low("target_value", "target_value_high"),
            "target_value_high",
        ),
        RowRule(
            "current_level_high must not be below current_level_claimed",
            _high_not_below_low("current_level_claimed", "current_level_high"),
            "current_level_high",
        ),
        RowRule("deadline_year must not be before the statement", _date_before_deadline, "deadline_year"),
    ),
)

EVENTS = TableSpec(
    name="events",
    file="events.csv",
    title="Influence timeline: dated events, 2003 onwards",
    description="Dated, categorized and sourced events bearing on Iran's political, security, economic, energy, diplomatic and social role in Iraq.",
    columns=(
        Col("event_id", doc="Unique id of the row"),
        Col("date", "date", doc="Date of the event (first of month/year when less precise)"),
        Col("date_precision", "enum", values=("day", "month", "year"), doc="How exactly the date is known"),
        Col("title", doc="Short label for chart annotations"),
        Col("description", doc="What happened (own words)"),
        Col("category", "enum", values=EVENT_CATEGORIES, doc="Main category"),
        Col("source_url", "url", doc="Source page"),
        Col("publisher", doc="Site of the source"),
        Col("checked", "date", doc="Date confirmed at the source"),
        Col("status", "enum", values=STATUS, doc="confirmed or unconfirmed"),
        Col("status_note", required=False, doc="Why unconfirmed"),
    ),
    key=("date", "title"),
    rules=(_STATUS_RULE,),
)

COMPOSITION = TableSpec(
    name="composition",
    file="composition.csv",
    title="Reported breakdowns of Iran's exports to Iraq by product group",
    description="Each product group of each published breakdown, with its value and/or share, as the source names it.",
    columns=(
        Col("record_id", doc="Unique id of the row"),
        *_PERIOD_COLS,
        Col("reported_group", doc="Product group as the source names it"),
        Col("value", "int", required=False, min=0, doc="Value of the group", unit="US dollars"),
        Col(
            "share_pct", "number", required=False, min=0, max=100, doc="Share of the breakdown's total", unit="percent"
        ),
        Col("total_value", "int", required=False, min=0, doc="Total of the breakdown as stated", unit="US dollars"),
        Col("total_bound", "enum", required=False, values=BOUND, doc="Bound of the stated total"),
        Col(
            "part_of",
            required=False,
            doc="record_id of the row this group is part of (nested groups are never summed with their parent)",
        ),
        Col("stated_by", "enum", values=STATED_BY, doc="Body that stated the breakdown"),
        Col("speaker", doc="Person and office quoted"),
        Col("publisher", doc="Outlet"),
        Col("published", "date", required=False, doc="Publication date"),
        *_PROVENANCE,
        Col("note", required=False, doc="Remarks (own words)"),
    ),
    key=("calendar", "year", "month_from", "month_to", "reported_group", "stated_by", "source_url"),
    rules=(
        *_PERIOD_RULES,
        _STATUS_RULE,
        RowRule("shares of one breakdown sum to more than 100%", _shares_not_over_100, "share_pct"),
        RowRule("a group needs a value or a share", lambda df: df["value"].notna() | df["share_pct"].notna(), "value"),
        RowRule(
            "part_of must name the record_id of another row of the same file",
            lambda df: df["part_of"].isna() | df["part_of"].isin(df["record_id"]),
            "part_of",
        ),
    ),
)

CATEGORIES = TableSpec(
    name="categories",
    file="categories.csv",
    title="Product categories: the chamber's ten, energy, mixed buckets and unmapped",
    columns=(
        Col("category_id", doc="Id used in the concordances"),
        Col("label", doc="Label shown in charts"),
        Col("kind", "enum", values=("chamber_ten", "energy", "mixed", "unmapped"), doc="Which kind of group"),
        Col("description", doc="What the category holds"),
    ),
    key=("category_id",),
)

CONCORDANCE_HS = TableSpec(
    name="concordance_hs",
    file="concordance_hs.csv",
    title="HS chapters to the chamber's categories",
    columns=(
        Col("hs_chapter", doc="Two-digit HS chapter, as text with leading zero"),
        Col("hs_section", required=False, doc="HS section, Roman numeral (empty for chapter 99)"),
        Col("chapter_title", doc="Short title (own words)"),
        Col("category_id", doc="Category of categories.csv"),
        Col("rationale", doc="Why this mapping"),
    ),
    key=("hs_chapter",),
    rules=(
        RowRule(
            "hs_chapter must be two digits",
            lambda df: df["hs_chapter"].str.fullmatch(r"\d{2}").fillna(False),
            "hs_chapter",
        ),
    ),
)

CONCORDANCE_GROUPS = TableSpec(
    name="concordance_groups",
    file="concordance_groups.csv",
    title="Reported product groups to the chamber's categories",
    columns=(
        Col("reported_group", doc="Group as reported (matches composition.csv)"),
        Col("category_id", doc="Category of categories.csv"),
        Col("rationale", doc="Why this mapping"),
    ),
    key=("reported_group",),
)

PHASES = TableSpec(
    name="phases",
    file="phases.csv",
    title="Phases shaded on the influence timeline",
    description="Analytical phases of the Iran–Iraq relationship; each starts at a dated, sourced event of events.csv.",
    columns=(
        Col("phase_id", doc="Id of the phase"),
        Col("label", doc="Label drawn on the chart"),
        Col("start", "date", doc="First day"),
        Col("end", "date", doc="Last day (for the last phase: the end of the data)"),
        Col("start_event", doc="event_id in events.csv that opens the phase"),
        Col("description", doc="What marks the phase (own words)"),
    ),
    key=("phase_id",),
    rules=(RowRule("start must not be after end", lambda df: df["start"] <= df["end"], "start"),),
)

CLAIMS = TableSpec(
    name="claims",
    file="claims.csv",
    title="Checkable statements of the 2024 report",
    description="Each checkable statement of the seed report, paraphrased, with the value it asserts and what it refers to.",
    columns=(
        Col("claim_id", doc="Id; the checking rule in helpers.claims has the same id"),
        Col("claim", doc="The statement, paraphrased"),
        Col("value", "number", required=False, doc="Value asserted"),
        Col("unit", required=False, doc="Unit of value"),
        Col("refers_to", doc="What the value refers to"),
        Col("speaker", doc="Who makes the statement in the report"),
    ),
    key=("claim_id",),
)

SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in (
        TRADE,
        IRAQ_IMPORTS,
        TARGETS,
        EVENTS,
        PHASES,
        COMPOSITION,
        CATEGORIES,
        CONCORDANCE_HS,
        CONCORDANCE_GROUPS,
        CLAIMS,
    )
}


# ---------------------------------------------------------------------------
# Reading


def _read_text(path: Path, shown: str) -> str:
    if not path.exists():
        raise DataError(shown, Problem("file not found"))
    if path.is_dir():
        raise DataError(shown, Problem("expected a CSV file, found a folder"))
    size = path.stat().st_size
    if size > MAX_CURATED_BYTES:
        raise DataError(
            shown, Problem(f"file is {size:,} bytes; a curated table may be at most {MAX_CURATED_BYTES:,} bytes")
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(shown, Problem("file is empty"))
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark from a spreadsheet is fine
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(shown, Problem("file is not UTF-8 text (save it as UTF-8)", line=line)) from None


def _parse_field(col: Col, text: str) -> tuple[object, str | None]:
    """Return (typed value, broken rule or None) for one raw field."""
    if text == "":
        return (pd.NA, None) if not col.required else (pd.NA, "a value is required")
    if col.kind in ("text", "enum"):
        return text, None
    if col.kind == "int":
        if _INT_RE.match(text):
            return int(text), None
        return (
            pd.NA,
            "must be a whole number written plainly (digits only: no thousands separators, currency signs or units)",
        )
    if col.kind == "number":
        if _NUM_RE.match(text):
            return float(text), None
        return pd.NA, "must be a number written plainly (no thousands separators, currency or percent signs)"
    if col.kind == "bool":
        low = text.lower()
        if low in ("true", "false"):
            return low == "true", None
        return pd.NA, "must be true or false"
    if col.kind == "date":
        if _DATE_RE.match(text):
            try:
                return pd.Timestamp(text), None
            except ValueError:
                pass
        return pd.NA, "must be a date written YYYY-MM-DD"
    if col.kind == "url":
        if _URL_RE.match(text):
            return text, None
        return pd.NA, "must be a web address starting with http:// or https://"
    raise AssertionError(f"unknown column kind {col.kind}")


_DTYPES = {
    "text": "string",
    "enum": "string",
    "url": "string",
    "int": "Int64",
    "number": "Float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}


def parse_csv(text: str, spec: TableSpec, shown: str, strict_columns: bool = True) -> pd.DataFrame:
    """Parse CSV text into a typed frame indexed by file line; raise DataError on any broken rule."""
    lines = text.splitlines()
    # Trailing blank lines (common from spreadsheets) are not records.
    while lines and not lines[-1].strip():
        lines.pop()
    reader = csv.reader(io.StringIO("\n".join(lines) + "\n"), strict=True)
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

    positions = {c: header.index(c) for c in expected}
    cols = {c.name: c for c in spec.columns}
    records: dict[str, list[object]] = {c: [] for c in expected}
    line_numbers: list[int] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not f.strip() for f in row):
                continue
            if len(row) != len(header):
                problems.append(
                    Problem(
                        f"row has {len(row)} fields, header has {len(header)} (truncated row or stray comma?)",
                        line=line,
                    )
                )
                continue
            line_numbers.append(line)
            for name in expected:
                raw = row[positions[name]].strip()
                value, broken = _parse_field(cols[name], raw)
                if broken:
                    problems.append(Problem(broken, line=line, column=name, value=raw if raw else None))
                records[name].append(value)
    except csv.Error as exc:
        problems.append(
            Problem(f"malformed CSV ({exc}); is the file truncated inside a quoted field?", line=reader.line_num)
        )
        raise DataError(shown, problems) from None
    if not line_numbers and not problems:
        raise DataError(shown, Problem("header only: the file has no data rows", line=1))
    if len(line_numbers) != len(records[expected[0]]) or any(p.line is not None and p.column is None for p in problems):
        raise DataError(shown, problems)  # rows of the wrong width: the typed frame cannot be built
    index = pd.Index(line_numbers, name="line")
    frame = pd.DataFrame(
        {name: pd.Series(records[name], index=index, dtype=_DTYPES[cols[name].kind]) for name in expected}
    )
    try:
        validate(frame, spec, shown)
    except DataError as err:
        # a field that failed to parse is already reported; do not report it again as missing
        reported = {(p.line, p.column) for p in problems}
        problems += [p for p in err.problems if (p.line, p.column) not in reported]
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise DataError(shown, problems)
    return frame


def _schema(spec: TableSpec):
    import pandera.pandas as pa

    columns = {}
    for col in spec.columns:
        checks = []
        if col.kind == "enum":
            checks.append(pa.Check.isin(list(col.values), error=f"must be one of: {', '.join(col.values)}"))
        if col.min is not None:
            checks.append(
                pa.Check.ge(
                    col.min, error=f"must be at least {col.min:g}" + (" (no negative values)" if col.min == 0 else "")
                )
            )
        if col.max is not None:
            checks.append(pa.Check.le(col.max, error=f"must be at most {col.max:g}"))
        columns[col.name] = pa.Column(_DTYPES[col.kind], checks=checks, nullable=not col.required)
    frame_checks = [
        pa.Check(
            lambda df, key=spec.key: ~df[list(key)].astype("string").fillna("").duplicated(keep=False),
            error=f"duplicate key: another row has the same ({', '.join(spec.key)})",
        )
    ]
    frame_checks += [pa.Check(rule.test, error=rule.name) for rule in spec.rules]
    return pa.DataFrameSchema(columns, checks=frame_checks, strict=True, ordered=True)


#: Built schemas by spec identity (the spec is kept with its schema, so an id is never reused).
_SCHEMAS: dict[int, tuple[TableSpec, object]] = {}


def validate(frame: pd.DataFrame, spec: TableSpec, shown: str) -> pd.DataFrame:
    """Apply the pandera schema of ``spec``; translate failures into one DataError."""
    import pandera.errors as pe

    entry = _SCHEMAS.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = _SCHEMAS[id(spec)] = (spec, _schema(spec))
    schema = entry[1]
    try:
        return schema.validate(frame, lazy=True)
    except pe.SchemaErrors as err:
        raise DataError(shown, _problems_from_pandera(err, spec, frame)) from None


def _problems_from_pandera(err, spec: TableSpec, frame: pd.DataFrame) -> list[Problem]:
    rule_columns = {r.name: r.column for r in spec.rules}
    problems = []
    seen: set[tuple[object, str]] = set()
    for case in err.failure_cases.itertuples(index=False):
        line = None if pd.isna(case.index) else int(case.index)
        column = case.column if isinstance(case.column, str) else None
        rule = str(case.check)
        value = None
        frame_level = case.schema_context == "DataFrameSchema"
        if frame_level:
            # pandera lists a failing row once per column; report it once, at the rule's column
            if (line, rule) in seen:
                continue
            seen.add((line, rule))
        if frame_level or column is None:
            column = rule_columns.get(rule, spec.key[0] if rule.startswith("duplicate key") else None)
            if line is not None and column in frame.columns:
                value = _shown(frame.at[line, column])
        else:
            value = _shown(case.failure_case)
        problems.append(Problem(rule, line=line, column=column, value=value))
    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    return problems


def _shown(value: object) -> str | None:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def read_table(spec: TableSpec | str, path: Path | str | None = None, verify_checksum: bool = True) -> pd.DataFrame:
    """Load a curated table, checked against its specification (and its recorded checksum when shipped).

    ``path`` defaults to the shipped file in ``data/``. A file the user points to elsewhere
    carries no recorded checksum and is only checked against the rules.
    """
    from helpers.config import DATA_DIR
    from helpers.tables import manifest as provenance

    spec = SPECS[spec] if isinstance(spec, str) else spec
    target = Path(path) if path is not None else DATA_DIR / spec.file
    shown = display_path(target)
    key = _memo_key(spec, target, verify_checksum)
    if key is not None and key in _MEMO:
        return _MEMO[key].copy()  # the same bytes, already checked in this process
    text = _read_text(target, shown)
    if verify_checksum:
        provenance.verify_checksum(target)
    stored = _store_path(spec, text)
    frame = _from_store(stored)
    if frame is None:
        frame = parse_csv(text, spec, shown)
        _to_store(stored, spec.name, frame)
    if key is not None:
        _MEMO[key] = frame.copy()
    return frame


# ---------------------------------------------------------------------------
# Checked tables kept between runs


#: Entries kept per table; older ones (earlier versions of the file or of the rules) are removed.
STORE_KEEP = 8


_FINGERPRINT: list[str] = []


def _code_fingerprint() -> str:
    """What a check depends on besides the bytes: this package's code and the pandas/pandera installs.

    Any edit of a rule, a schema or a library version gives new keys, so nothing checked under other
    rules is ever reused. (pandera's version is read from its install's folder name, without
    importing it: importing pandera and running a schema is the cost this store saves.)
    """
    if not _FINGERPRINT:
        import hashlib
        import importlib.util

        digest = hashlib.sha256(pd.__version__.encode())
        package = Path(__file__).resolve().parents[1]
        for source in sorted(package.rglob("*.py")):
            digest.update(source.relative_to(package).as_posix().encode() + source.read_bytes())
        found = importlib.util.find_spec("pandera")
        if found is not None and found.origin:
            # the installed version, from the dist-info folder's name (importlib.metadata is slower)
            site = Path(found.origin).parents[1]
            digest.update(" ".join(sorted(p.name for p in site.glob("pandera-*.dist-info"))).encode())
            digest.update(found.origin.encode())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def _store_path(spec: TableSpec, text: str) -> Path | None:
    """Where the checked frame of ``text`` under ``spec`` is kept; None when it must not be.

    Only the shipped specifications use the store: their rules are this package's code, which the
    key covers. A specification built at run time (other rules under the same name) never does.
    """
    import hashlib

    from helpers.config import checked_tables_dir, run_context

    if SPECS.get(spec.name) is not spec:
        return None
    # the runner names the store its kernels use (one for the run when the user's store is off)
    configured = run_context().get("tables_store")
    folder = Path(configured) if configured else checked_tables_dir()
    if folder is None:
        return None
    try:
        fingerprint = _code_fingerprint()
    except OSError:  # the package's sources cannot be read: no key, no store
        return None
    key = hashlib.sha256(f"{spec.name}\0{fingerprint}\0".encode() + text.encode("utf-8", "surrogatepass")).hexdigest()[
        :40
    ]
    return folder / f"{spec.name}-{key}.pkl"


def _from_store(path: Path | None) -> pd.DataFrame | None:
    """The frame stored at ``path`` (see :func:`_store_path`) on an earlier run, or None.

    Keyed by the content (not the file's date), so any edit, however small, is checked again; only
    tables that passed every rule are ever stored.
    """
    if path is None:
        return None
    try:
        if not path.is_file():
            return None
        frame = pd.read_pickle(path)
    except Exception:  # noqa: BLE001 - an unreadable store or a damaged entry only costs a check
        return None
    return frame if isinstance(frame, pd.DataFrame) else None


def _to_store(path: Path | None, table: str, frame: pd.DataFrame) -> None:
    """Keep a checked frame at ``path`` (None: no store), atomically, and prune the table's old entries."""
    if path is None:
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_pickle(tmp)
        tmp.replace(path)  # atomic: a concurrent run never reads half an entry
        _prune(path.parent, table)
    except OSError:
        # the store only saves time: a read-only or full disk costs speed, nothing else
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _prune(folder: Path, table: str) -> None:
    """Keep the newest ``STORE_KEEP`` entries of a table (other file versions, other rules)."""
    entries = sorted(folder.glob(f"{table}-*.pkl"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[STORE_KEEP:]:
        old.unlink(missing_ok=True)


def check_shipped() -> int:
    """Load and check every shipped table (schema, rules and recorded checksum) into the store of
    checked tables, so that a broken file is reported before any kernel starts and the kernels only
    read the store. Returns how many tables were checked."""
    from helpers.config import DATA_DIR

    checked = 0
    for spec in SPECS.values():
        if (DATA_DIR / spec.file).exists():
            read_table(spec)
            checked += 1
    return checked


#: Tables already loaded and checked in this process, keyed by file identity (path, size, mtime).
_MEMO: dict[tuple, pd.DataFrame] = {}


def _memo_key(spec: TableSpec, path: Path, verify_checksum: bool) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    manifest = path.parent / "datapackage.json"
    mstamp = manifest.stat().st_mtime_ns if verify_checksum and manifest.exists() else 0
    return (spec.name, str(path.resolve()), st.st_size, st.st_mtime_ns, verify_checksum, mstamp)

"""The specifications of the curated tables: one declaration per table feeds the parser, the
schema, the data package and the data dictionary.

Rules stated here:

- a column has one *kind* (text, enum, int, number, bool, date, url) and one pandas dtype per kind
  (:data:`DTYPES`); a required column may not be empty; an enum lists every allowed value;
- every sourced row carries its provenance (``source_url``, ``checked``, ``status``); an
  unconfirmed row says why (``status_note``), and only an unconfirmed row has a ``status_note``;
- one statement carried by several outlets (or repeated by a second body) is one piece of evidence:
  its rows share a ``statement_id`` and must agree on what was said (flow or partner, period, and
  value within :data:`STATEMENT_VALUE_TOLERANCE`);
- ``bound`` says what the wording of the source says (:data:`BOUND`);
- a period is a calendar, a year and a span of months, and the row rules below keep them coherent;
- :data:`SPECS` holds the shipped specifications, by table name: only these are ever kept in the
  store of checked tables (their rules are this package's code, which the store's key covers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

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
#: What a figure's wording says about it: ``exact`` only for a precise figure as published; ``approx`` for
#: "about", "around", "some", "roughly" (or a round figure that other copies of the same remark give as "around");
#: ``lower`` for "over", "more than", "exceeds", "at least"; ``upper`` for "nearly", "almost", "close to",
#: "up to", "less than", "under".
BOUND = ("exact", "lower", "approx", "upper")
BOUND_DOC = (
    'exact (a precise figure as published), approx ("about", "around"), lower ("over", "more than") or upper '
    '("nearly", "up to", "less than")'
)
#: Quality of a total of Iraq's imports.
QUALITY = ("ok", "partial_coverage", "suspect")
CALENDARS = ("gregorian", "iranian", "unstated")
FLOWS = (
    "iran_exports_to_iraq",
    "iran_imports_from_iraq",
    "two_way",
    "iraq_imports_from_iran",
    "iraq_exports_to_iran",
)
EVENT_CATEGORIES = ("political", "security", "economic", "energy", "diplomatic", "social")


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
    #: Holds no country pair's figures (the categories, the HS concordance): read as it is for any pair.
    any_pair: bool = False

    @property
    def column_names(self) -> list[str]:
        """The column names, in file order."""
        return [c.name for c in self.columns]


#: The pandas dtype of each column kind (the parser builds these; the schema checks them).
DTYPES: dict[str, str] = {
    "text": "string",
    "enum": "string",
    "url": "string",
    "int": "Int64",
    "number": "Float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}

# ---------------------------------------------------------------------------
# Row rules shared by several tables


def _unconfirmed_has_reason(df: pd.DataFrame) -> pd.Series:
    """An unconfirmed row says why in ``status_note``."""
    return (df["status"] != "unconfirmed") | df["status_note"].fillna("").str.strip().ne("")


def _months_ordered(df: pd.DataFrame) -> pd.Series:
    """The first month covered is not after the last."""
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
    keys = [k for k in ("calendar", "year", "year_to", "month_from", "month_to", "stated_by", "source_url") if k in df]
    share = (
        df["share_pct"].fillna(0.0).where(df["part_of"].isna(), 0.0)
    )  # nested groups are inside their parent's share
    total = share.groupby([df[k].astype("string").fillna("") for k in keys]).transform("sum")
    return total <= 100.0 + 1e-9


def _date_before_deadline(df: pd.DataFrame) -> pd.Series:
    """A target's deadline is not before the statement that sets it."""
    has = df["date"].notna() & df["deadline_year"].notna()
    return ~has | (df["date"].dt.year <= df["deadline_year"])


def _precision_matches_date(df: pd.DataFrame) -> pd.Series:
    """An undated statement says its date is unknown, and only an undated one."""
    unknown = df["date_precision"] == "unknown"
    return (unknown & df["date"].isna()) | (~unknown & df["date"].notna())


def _high_not_below_low(low: str, high: str) -> Callable[[pd.DataFrame], pd.Series]:
    """A rule that the upper end of a range (column ``high``) is not below its lower end (``low``)."""

    def test(df: pd.DataFrame) -> pd.Series:
        """Where both ends are given, the upper one is not below the lower one."""
        both = df[low].notna() & df[high].notna()
        return ~both | (df[high] >= df[low])

    return test


def _status_note_only_if_unconfirmed(df: pd.DataFrame) -> pd.Series:
    """``status_note`` says why a row is unconfirmed, so a confirmed row leaves it empty (remarks go in ``note``)."""
    return (df["status"] == "unconfirmed") | df["status_note"].fillna("").str.strip().eq("")


def _same_statement_same(columns: tuple[str, ...]) -> Callable[[pd.DataFrame], pd.Series]:
    """A rule that rows sharing a ``statement_id`` agree on ``columns`` (missing values compare as equal)."""

    def test(df: pd.DataFrame) -> pd.Series:
        """Each row whose statement has more than one combination of ``columns`` fails."""
        present = [c for c in columns if c in df.columns]
        combo = df[present].astype("string").fillna("").agg("|".join, axis=1)
        return combo.groupby(df["statement_id"].fillna("")).transform("nunique").le(1)

    return test


#: Relative gap allowed between the values of rows that carry one statement (published figures are rounded).
STATEMENT_VALUE_TOLERANCE = 0.05


def _same_statement_close_values(df: pd.DataFrame) -> pd.Series:
    """Rows sharing a ``statement_id`` give values within :data:`STATEMENT_VALUE_TOLERANCE` of the largest."""
    value = df["value"].astype("Float64")
    sid = df["statement_id"].fillna("")
    low = value.groupby(sid).transform("min")
    high = value.groupby(sid).transform("max")
    return (value.isna() | (low >= high * (1 - STATEMENT_VALUE_TOLERANCE))).fillna(True).astype(bool)


_STATEMENT = Col(
    "statement_id",
    doc="One statement carried by several outlets, or repeated by a second body, shares one id and counts once",
)
_STATUS_NOTE_RULE = RowRule(
    "status_note only on unconfirmed rows (move remarks on a confirmed row to note)",
    _status_note_only_if_unconfirmed,
    "status_note",
)
_STATEMENT_VALUE_RULE = RowRule(
    f"rows sharing a statement_id must agree on value within {STATEMENT_VALUE_TOLERANCE:.0%}",
    _same_statement_close_values,
    "statement_id",
)

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
        doc=(
            "iranian (solar year from ~21 March), gregorian, or unstated (no period given; for trade, an annual level "
            "claimed without a period)"
        ),
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
    description=(
        "Every published figure of trade between Iran and Iraq, one row per figure, each stating body kept as its own "
        "series."
    ),
    columns=(
        Col("record_id", doc="Unique id of the row"),
        _STATEMENT,
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
        Col("bound", "enum", values=BOUND, doc=BOUND_DOC),
        Col("stated_by", "enum", values=STATED_BY, doc="Body that stated the figure"),
        Col("speaker", doc="Person and office quoted"),
        Col("publisher", doc="Outlet where the figure was read"),
        Col("published", "date", required=False, doc="Publication date of the page"),
        *_PROVENANCE,
        Col("note", required=False, doc="Definitions, inferred year basis, comparisons (own words)"),
    ),
    key=("flow", "calendar", "year", "month_from", "month_to", "energy", "stated_by", "source_url"),
    rules=(
        *_PERIOD_RULES,
        _STATUS_RULE,
        _STATUS_NOTE_RULE,
        RowRule(
            "rows sharing a statement_id must have the same flow and period (calendar, year, month_from, month_to)",
            _same_statement_same(("flow", "calendar", "year", "month_from", "month_to")),
            "statement_id",
        ),
        _STATEMENT_VALUE_RULE,
    ),
)

IRAQ_IMPORTS = TableSpec(
    name="iraq_imports",
    file="iraq_imports.csv",
    title="Iraq's total imports and imports by supplier",
    description=(
        "Iraq's imports from the world (partner WLD) and from main suppliers other than Iran, by calendar year; goods "
        "and goods-and-services kept apart."
    ),
    columns=(
        Col("record_id", doc="Unique id of the row"),
        _STATEMENT,
        Col("partner", "text", doc="WLD for all partners, else the supplier's ISO 3166 alpha-3 code"),
        Col("year", "int", min=1960, max=2100, doc="Gregorian year"),
        Col("coverage", "enum", values=("goods", "goods_and_services"), doc="Goods only or goods and services"),
        Col("value", "int", min=0, doc="Value", unit="US dollars, nominal"),
        Col("unit", "enum", values=("USD",), doc="Currency of value"),
        Col("bound", "enum", values=BOUND, doc=BOUND_DOC),
        Col("stated_by", "enum", values=STATED_BY, doc="Body that stated the figure"),
        Col("speaker", required=False, doc="Person or office quoted"),
        Col("publisher", doc="Outlet or database where the figure was read"),
        Col("basis", doc="Statistical basis (national accounts, customs, partner data)"),
        Col(
            "quality",
            "enum",
            values=QUALITY,
            doc=(
                "ok; partial_coverage (records only part of imports: a lower bound); suspect (contradicts the source's "
                "own numbers, or exceeds a broader total for the same year; the note says which). A copy of another "
                "row's report is ok and shares that row's statement_id"
            ),
        ),
        Col("published", "date", required=False, doc="Publication date of the page"),
        *_PROVENANCE,
        Col(
            "via",
            required=False,
            doc="Public copy the figure was read from when it is not the publisher's page (repository @ commit, file)",
        ),
        Col("note", required=False, doc="Remarks (own words)"),
    ),
    key=("partner", "year", "coverage", "stated_by", "source_url"),
    rules=(
        _STATUS_RULE,
        _STATUS_NOTE_RULE,
        RowRule(
            "rows sharing a statement_id must have the same partner, year and coverage",
            _same_statement_same(("partner", "year", "coverage")),
            "statement_id",
        ),
        _STATEMENT_VALUE_RULE,
    ),
)

TARGETS = TableSpec(
    name="targets",
    file="targets.csv",
    title="Public statements of an Iran–Iraq trade target",
    description=(
        "Each dated restatement of the trade goal (mostly $20bn), with speaker, side, any deadline and the current "
        "level the speaker claimed."
    ),
    columns=(
        Col("target_id", doc="Unique id of the row"),
        _STATEMENT,
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
        Col(
            "current_bound",
            "enum",
            required=False,
            values=BOUND,
            doc="Bound of the claimed current level: " + BOUND_DOC,
        ),
        Col("publisher", doc="Outlet"),
        *_PROVENANCE,
        Col("note", required=False, doc="Remarks (own words)"),
    ),
    key=("date", "speaker", "measure", "source_url"),
    rules=(
        _STATUS_RULE,
        _STATUS_NOTE_RULE,
        RowRule(
            "rows sharing a statement_id must have the same date and measure",
            _same_statement_same(("date", "measure")),
            "statement_id",
        ),
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
    description=(
        "Dated, categorized and sourced events bearing on Iran's political, security, economic, energy, diplomatic and "
        "social role in Iraq."
    ),
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
        Col(
            "statement_id",
            doc=(
                "The statement of this group's figure: one (breakdown, group) figure carried by several outlets, or "
                "repeated by a second body, shares one id and counts once"
            ),
        ),
        *_PERIOD_COLS[:2],
        Col(
            "year_to",
            "int",
            required=False,
            min=1900,
            max=2100,
            doc="Last Gregorian year of a multi-year period (the period runs from year, month_from to year_to, "
            "month_to); empty for a period within one year",
        ),
        *_PERIOD_COLS[2:],
        Col("reported_group", doc="Product group as the source names it"),
        Col("value", "int", required=False, min=0, doc="Value of the group", unit="US dollars"),
        Col(
            "share_pct", "number", required=False, min=0, max=100, doc="Share of the breakdown's total", unit="percent"
        ),
        Col(
            "bound",
            "enum",
            required=False,
            values=BOUND,
            doc="Bound of the group's value and share: " + BOUND_DOC + "; empty = exact as published",
        ),
        Col("total_value", "int", required=False, min=0, doc="Total of the breakdown as stated", unit="US dollars"),
        Col("total_bound", "enum", required=False, values=BOUND, doc="Bound of the stated total: " + BOUND_DOC),
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
        _STATUS_NOTE_RULE,
        RowRule(
            "year_to must be a Gregorian year after year",
            lambda df: df["year_to"].isna() | ((df["calendar"] == "gregorian") & (df["year_to"] > df["year"])),
            "year_to",
        ),
        RowRule(
            "rows sharing a statement_id must have the same period (calendar, year, year_to, month_from, month_to)",
            _same_statement_same(("calendar", "year", "year_to", "month_from", "month_to")),
            "statement_id",
        ),
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
    description=(
        "The ten categories the seed report attributes to the Joint Chamber of Commerce, energy (kept apart from "
        "them), mixed buckets for reported groups that span two categories, and unmapped; every HS chapter and "
        "every reported product group is mapped to one of them."
    ),
    columns=(
        Col("category_id", doc="Id used in the concordances"),
        Col("label", doc="Label shown in charts"),
        Col("kind", "enum", values=("chamber_ten", "energy", "mixed", "unmapped"), doc="Which kind of group"),
        Col("description", doc="What the category holds"),
    ),
    key=("category_id",),
    any_pair=True,
)

CONCORDANCE_HS = TableSpec(
    name="concordance_hs",
    file="concordance_hs.csv",
    title="HS chapters to the chamber's categories",
    description=(
        "Each two-digit HS chapter mapped to one category of categories.csv, with the reason for each judgement "
        "call; official statistics (Comtrade, BACI) of any country pair are summed into the categories through it."
    ),
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
    any_pair=True,
)

CONCORDANCE_GROUPS = TableSpec(
    name="concordance_groups",
    file="concordance_groups.csv",
    title="Reported product groups to the chamber's categories",
    description=(
        "Each product group named in a published breakdown (composition.csv) mapped to a category of "
        "categories.csv, or to a mixed bucket when the group spans two categories."
    ),
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
    description=(
        "Each checkable statement of the seed report, paraphrased, with the value it asserts and what it refers to."
    ),
    columns=(
        Col("claim_id", doc="Id; the checking rule in helpers.analysis.claims has the same id"),
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

REPORT_SOURCES = TableSpec(
    name="report_sources",
    file="report_sources.csv",
    title="Where the seed report and the remarks it carries were published",
    description=(
        "The seed report's own publication (appearance), the primary reports of the meeting it covers "
        "(first_appearance: page and publisher from the events.csv row named in record) and the speaker it quotes "
        "(speaker: name and role from the targets.csv row named in record). Read by the claims' ClaimReview markup "
        "(reports/<run>/claims.jsonld)."
    ),
    columns=(
        Col(
            "role",
            "enum",
            values=("appearance", "first_appearance", "speaker"),
            doc="appearance (the report itself), first_appearance (a primary report) or speaker (who is quoted)",
        ),
        Col(
            "record",
            required=False,
            doc="first_appearance: event_id in events.csv (its source_url and publisher); speaker: target_id in "
            "targets.csv (its speaker and role)",
        ),
        Col("title", required=False, doc="Headline of the page as published"),
        Col("publisher", required=False, doc="Outlet, when the row names no record that gives it"),
        Col("url", "url", required=False, doc="Page, when the row names no record that gives it (never guessed)"),
        Col("published", "date", required=False, doc="Date the page was published"),
        Col("checked", "date", doc="Date the row was looked up"),
        Col("note", required=False, doc="What was found, and what was not"),
    ),
    key=("role", "record", "title"),
)
SPECS[REPORT_SOURCES.name] = REPORT_SOURCES

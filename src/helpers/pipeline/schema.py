"""The run parameters of every notebook, declared once.

Each :class:`Param` gives a parameter's name, its type as written in a ``parameters`` cell, its
default, the values it accepts, a one-line description and the notebooks that declare it. The
rules across parameters (:data:`RULES`) are declared beside them. From this one declaration come

* the runner's checks, made before any kernel starts (:func:`problems`, called by
  ``helpers.pipeline.parameters.load``);
* each notebook's expected ``parameters`` cell (:func:`parameters_cell`; a test compares the cells);
* the README's parameter tables (:func:`update_readme`; a test checks that the README is current).

Enumerations come from ``helpers.tables``, the same ones the data files are checked against.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from helpers.analysis.claims import REPORT_DATE
from helpers.tables import EVENT_CATEGORIES, STATED_BY

if TYPE_CHECKING:
    from helpers.errors import CountryNotInDownload

SOURCE_CHOICES = ("reported", "comtrade", "baci")

# ---------------------------------------------------------------------------
# What one value may be


class Check(Protocol):
    """A constraint on one parameter's value: a description for readers and the messages for a bad value."""

    def describe(self) -> str:
        """The accepted values, in Markdown, for the README."""
        ...

    def problems(self, name: str, value: Any) -> list[str]:
        """Messages naming ``name`` when ``value`` breaks the constraint (none when it holds)."""
        ...


@dataclass(frozen=True)
class Positive:
    """A number greater than 0."""

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return "greater than 0"

    def problems(self, name: str, value: Any) -> list[str]:
        """A message when ``value`` is 0 or less."""
        return [f"'{name}' must be greater than 0; got {value!r}"] if value <= 0 else []


@dataclass(frozen=True)
class Between:
    """A whole number from ``lo`` to ``hi`` (no upper bound when ``hi`` is None)."""

    lo: int
    hi: int | None
    what: str = "a whole number"

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return f"{self.what} from {self.lo} to {self.hi}" if self.hi is not None else f"{self.what}, at least {self.lo}"

    def problems(self, name: str, value: Any) -> list[str]:
        """A message when ``value`` is outside the range."""
        if self.lo <= value and (self.hi is None or value <= self.hi):
            return []
        return [f"'{name}' must be {self.describe()}; got {value!r}"]


@dataclass(frozen=True)
class OneOf:
    """One of a fixed set of words."""

    choices: tuple[str, ...]

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return "one of " + ", ".join(f"`{c}`" for c in self.choices)

    def problems(self, name: str, value: Any) -> list[str]:
        """A message when ``value`` is not one of the choices."""
        return [] if value in self.choices else [f"'{name}' must be one of: {', '.join(self.choices)}; got {value!r}"]


@dataclass(frozen=True)
class SubsetOf:
    """A list of words from a fixed set (not empty unless ``allow_empty``)."""

    choices: tuple[str, ...]
    allow_empty: bool = False

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return ("any" if self.allow_empty else "one or more") + " of " + ", ".join(f"`{c}`" for c in self.choices)

    def problems(self, name: str, value: Any) -> list[str]:
        """Messages for an empty list or for words outside the set."""
        if not value and not self.allow_empty:
            return [f"'{name}' must not be empty; choose from: {', '.join(self.choices)}"]
        bad = [x for x in value if x not in self.choices]
        if bad:
            return [
                f"'{name}' has unknown value(s) {', '.join(map(repr, bad))}; choose from: {', '.join(self.choices)}"
            ]
        return []


@dataclass(frozen=True)
class IsoDate:
    """A calendar date written YYYY-MM-DD."""

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return "a date written YYYY-MM-DD"

    def problems(self, name: str, value: Any) -> list[str]:
        """A message when ``value`` is not a real date in ISO form."""
        return [] if iso_date(value) is not None else [f"'{name}' must be a date written YYYY-MM-DD; got {value!r}"]


@dataclass(frozen=True)
class ExistingPath:
    """Empty, or a file or folder that exists (relative to the project root unless absolute)."""

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return "empty, or an existing file or folder (relative to the project root)"

    def problems(self, name: str, value: Any) -> list[str]:
        """A message when ``value`` names a path that does not exist."""
        from helpers.config import resolve_path

        if not value or resolve_path(value).exists():
            return []
        return [f"'{name}' points to {value!r}, which does not exist{_relative_hint(str(value))}"]


def _relative_hint(value: str) -> str:
    """For a relative path that does not exist: where it was looked for (the project folder, never the folder
    the command was typed in), and whether the current folder has one of that name."""
    if Path(value).expanduser().is_absolute():
        return ""
    hint = (
        " (a relative path is read from the project folder, the one holding params/ and notebooks/, not from the "
        "folder the command is typed in"
    )
    if (Path.cwd() / value).exists():
        hint += f"; the current folder has a {value!r}: give its absolute path"
    return hint + ")"


@dataclass(frozen=True)
class WebAddress:
    """Empty, or an absolute http(s) address with a host and no query or fragment."""

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return "empty, or an absolute `https://` (or `http://`) address"

    def problems(self, name: str, value: Any) -> list[str]:
        """A message when ``value`` is neither empty nor an absolute http(s) address."""
        from urllib.parse import urlsplit

        if not value:
            return []
        parts = urlsplit(str(value))
        if parts.scheme in ("http", "https") and parts.netloc and not parts.query and not parts.fragment:
            return []
        return [f"'{name}' must be empty or an absolute address such as https://example.org/reports; got {value!r}"]


@dataclass(frozen=True)
class Country:
    """An ISO 3166 alpha-3 country code, current or former (checked with pycountry).

    Given in any case or with spaces (``irn``, `` IRN ``), or as a numeric UN Comtrade/ISO code
    (``364``, ``"0364"``), it is normalised to the alpha-3 code (:meth:`normalise`) before any check, so
    every notebook, cache key and download read sees one spelling (``irn`` would match no row)."""

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return (
            "an ISO 3166 alpha-3 country code, e.g. `IRN`, `IRQ`, `TUR` (any case; a former one such as `SCG`), "
            "or its numeric code, e.g. `364`"
        )

    def normalise(self, value: Any) -> Any:
        """``value`` as the alpha-3 code of the country it names (any case, spaces around, a numeric code
        such as 364 or "0364" as :func:`helpers.official.countries.resolve_country` reads it); the value
        itself when it names no country (its check says why)."""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return value
        from helpers.errors import ParameterError
        from helpers.official.countries import resolve_country

        try:
            return resolve_country(value)
        except ParameterError:
            return value

    def problems(self, name: str, value: Any) -> list[str]:
        """A message when ``value`` is not a known alpha-3 code (a country's name or alpha-2 code gets the
        alpha-3 code it would be; an area its name)."""
        from helpers.analysis.countries import country_entry

        if country_entry(value) is not None:
            return []
        return [
            f"'{name}' must be an ISO 3166 alpha-3 country code such as IRN, IRQ, TUR (or a numeric code such as "
            f"364); got {value!r}{_country_hint(value)}"
        ]


def _country_hint(value: Any) -> str:
    """What a value that is no alpha-3 code may have meant: ``; did you mean IRN (Iran)?`` for a country's
    name or alpha-2 code, the area a numeric area code is; empty when nothing fits."""
    import pycountry

    from helpers.errors import ParameterError
    from helpers.official.countries import resolve_country

    text = str(value).strip()
    if not text:
        return ""
    if text.isdigit():
        try:
            resolve_country(text)
        except ParameterError as exc:
            return f" ({exc})"
        return ""
    try:
        found = [pycountry.countries.lookup(text)]
    except LookupError:
        try:
            found = pycountry.countries.search_fuzzy(text)[:3] if len(text) > 3 else []
        except LookupError:
            found = []
    if not found:
        return ""
    named = ", ".join(f"{c.alpha_3} ({getattr(c, 'common_name', None) or c.name})" for c in found)
    return f"; did you mean {named}?" if len(found) == 1 else f"; did you mean one of {named}?"


@dataclass(frozen=True)
class CategoryShares:
    """A mapping of the category ids of ``data/categories.csv`` to fractions from 0 to 1."""

    def describe(self) -> str:
        """The accepted values, in Markdown."""
        return "category ids of `data/categories.csv`, each to a fraction from 0 to 1 (0.30 for 30%)"

    def problems(self, name: str, value: Any) -> list[str]:
        """Messages for unknown category ids and for values that are not fractions."""
        from helpers.tables import read_table

        known = list(read_table("categories")["category_id"])
        bad_keys = [k for k in value if k not in known]
        bad_values = [k for k, x in value.items() if not _is_number(x) or not 0 <= x <= 1]
        out = []
        if bad_keys:
            out.append(
                f"'{name}' has unknown category id(s) {', '.join(map(repr, bad_keys))}; choose from: {', '.join(known)}"
            )
        if bad_values:
            out.append(
                f"'{name}' values must be fractions from 0 to 1 (0.30 for 30%); "
                f"check {', '.join(map(repr, bad_values))}"
            )
        return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def iso_date(value: Any) -> dt.date | None:
    """``value`` read as a YYYY-MM-DD date, or None when it is not one."""
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# The parameters


@dataclass(frozen=True)
class Param:
    """One run parameter: its declaration in a ``parameters`` cell and the values it accepts."""

    name: str
    type: str  # as written in the cell: float, int, str, bool, list[str], dict
    default: Any
    doc: str  # the cell's comment: one line, no '#'
    notebooks: tuple[str, ...]  # stems of the notebooks that declare it
    check: Check | None = None

    def problems(self, value: Any) -> list[str]:
        """Messages for a value this parameter does not accept (its type is checked apart)."""
        return self.check.problems(self.name, value) if self.check is not None else []

    def normalise(self, value: Any) -> Any:
        """The value as the parameter keeps it, before its type and checks (a country's code in capitals,
        :meth:`Country.normalise`); unchanged for a parameter whose check has no normal form."""
        normalise = getattr(self.check, "normalise", None)
        return normalise(value) if normalise is not None else value


TRADE = "01-trade-volume"
COMPOSITION = "02-composition"
TIMELINE = "03-influence-timeline"
CLAIMS = "04-claims-check"

DEFAULT_ANNOTATE = [
    "e-2003-03-20-us-invasion",
    "e-2011-12-18-us-withdrawal",
    "e-2014-06-15-pmf-founded",
    "e-2016-11-26-pmf-law",
    "e-2017-06-21-gas-exports-begin",
    "e-2018-11-05-sanctions-waiver",
    "e-2020-01-03-soleimani-killed",
    "e-2024-09-11-pezeshkian-visit",
    "e-2025-03-08-waiver-ended",
]

#: Every parameter of every notebook, in the order each notebook's ``parameters`` cell lists them.
PARAMETERS: tuple[Param, ...] = (
    Param(
        "target_usd",
        "float",
        20e9,
        "two-way trade target, US dollars a year (the ambassador's $20bn)",
        (TRADE,),
        Positive(),
    ),
    Param(
        "target_year",
        "int",
        2030,
        "Gregorian year by which the target would be reached (no deadline was stated in 2024)",
        (TRADE,),
        Between(1990, 2100, "a year"),
    ),
    Param(
        "base_year",
        "int",
        2022,
        "Gregorian base year for the required growth (latest year with both Iranian years reported)",
        (TRADE,),
        Between(1990, 2100, "a year"),
    ),
    Param(
        "growth_window",
        "int",
        5,
        "years of history used for the historical growth rate",
        (TRADE,),
        Between(1, 30, "a whole number of years"),
    ),
    Param(
        "stated_by",
        "list[str]",
        [
            "iranian_customs",
            "trade_promotion",
            "chamber",
            "iranian_government",
            "iraqi_government",
            "iraqi_research",
            "mirror_data",
            "media",
        ],
        "stating bodies to draw",
        (TRADE,),
        SubsetOf(STATED_BY),
    ),
    Param(
        "include_energy",
        "bool",
        True,
        "keep natural gas, electricity and oil products in the shares (False re-bases shares on non-energy trade)",
        (COMPOSITION,),
    ),
    Param(
        "report_shares",
        "dict",
        {"agriculture": 0.30, "leather": 0.03},
        "the report's stated category shares (fractions), by category id",
        (COMPOSITION,),
        CategoryShares(),
    ),
    Param(
        "min_suppliers",
        "int",
        3,
        "years with at least this many sourced suppliers get a supplier ranking",
        (COMPOSITION,),
        Between(1, None),
    ),
    Param("start", "str", "2003-01-01", "first date shown (YYYY-MM-DD)", (TIMELINE,), IsoDate()),
    Param("end", "str", "2025-12-31", "last date shown (YYYY-MM-DD)", (TIMELINE,), IsoDate()),
    Param(
        "categories",
        "list[str]",
        ["political", "security", "economic", "energy", "diplomatic", "social"],
        "event categories to draw",
        (TIMELINE,),
        SubsetOf(EVENT_CATEGORIES),
    ),
    Param("annotate", "list[str]", DEFAULT_ANNOTATE, "event ids labelled on the chart", (TIMELINE,)),
    Param(
        "as_of",
        "str",
        REPORT_DATE,
        "date the claims are judged at (the report's date): later evidence is not used where a check is time-bound",
        (CLAIMS,),
        IsoDate(),
    ),
    Param(
        "source",
        "str",
        "reported",
        "where trade figures come from: reported (shipped in data/, Iran–Iraq only), comtrade or baci "
        "(your own download, see data_path)",
        (TRADE, COMPOSITION, TIMELINE, CLAIMS),
        OneOf(SOURCE_CHOICES),
    ),
    Param(
        "data_path",
        "str",
        "",
        "Comtrade/BACI file or folder of yearly files (relative to the project root), for source comtrade or baci",
        (TRADE, COMPOSITION, TIMELINE, CLAIMS),
        ExistingPath(),
    ),
    Param(
        "reporter",
        "str",
        "IRN",
        "ISO3 code (any case) or numeric code of the first country (exports run from reporter to partner)",
        (TRADE, COMPOSITION, TIMELINE, CLAIMS),
        Country(),
    ),
    Param(
        "partner",
        "str",
        "IRQ",
        "ISO3 code (any case) or numeric code of the second country (exports run from reporter to partner)",
        (TRADE, COMPOSITION, TIMELINE, CLAIMS),
        Country(),
    ),
    Param(
        "events_path",
        "str",
        "",
        "events file for another pair, same columns as data/events.csv (empty: the shipped Iran–Iraq events)",
        (TIMELINE,),
        ExistingPath(),
    ),
    Param(
        "claims_path",
        "str",
        "",
        "claims file for another report or pair, same columns as data/claims.csv (empty: the shipped claims)",
        (CLAIMS,),
        ExistingPath(),
    ),
    Param(
        "site_url",
        "str",
        "",
        "address the reports folder is published at, for absolute links in claims.jsonld (empty: relative links)",
        (CLAIMS,),
        WebAddress(),
    ),
)

#: Parameters that choose the country pair and its evidence (the README's "Official statistics" table).
PAIR_PARAMETERS = ("source", "data_path", "reporter", "partner", "events_path", "claims_path")

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMETERS}


def notebook_stems() -> list[str]:
    """The notebooks the schema describes, sorted."""
    return sorted({s for p in PARAMETERS for s in p.notebooks})


def parameters_of(stem: str) -> list[Param]:
    """The parameters a notebook declares, in the schema's order (empty for a notebook it does not describe)."""
    return [p for p in PARAMETERS if stem in p.notebooks]


def defaults_of(params: Sequence[Param]) -> dict[str, Any]:
    """Name to a copy of the default, for ``params``."""
    return {p.name: copy.deepcopy(p.default) for p in params}


# ---------------------------------------------------------------------------
# Types as written in a cell


def fits(type_name: str, value: Any) -> bool:
    """Does ``value`` fit the type written in a cell (``float``, ``list[str]``, ``Optional[int]`` ...)?"""
    t = type_name.lower().replace(" ", "")
    if t in ("none", "", "any"):
        return True
    if t.startswith("optional[") or t.endswith("|none"):
        if value is None:
            return True
        t = t.removeprefix("optional[").removesuffix("]").removesuffix("|none")
    if t == "float":
        return _is_number(value)
    if t == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "bool":
        return isinstance(value, bool)
    if t == "str":
        return isinstance(value, (str, dt.date))  # YAML reads an unquoted 2020-01-01 as a date
    if t.startswith("list"):
        inner = t[5:-1] if t.startswith("list[") else ""
        return isinstance(value, list) and all(fits(inner, v) for v in value)
    if t.startswith("dict"):
        return isinstance(value, dict)
    return True


def coerce(type_name: str, value: Any) -> Any:
    """An int given for a float becomes a float and a YAML date for a str its ISO text, so the injected cell
    keeps the declared type."""
    if type_name.lower() == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type_name.lower() == "str" and isinstance(value, dt.date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------
# Rules across parameters


@dataclass(frozen=True)
class Rule:
    """A rule across parameters; it applies to a notebook that declares every name in ``names``."""

    names: tuple[str, ...]
    doc: str  # Markdown, for the README
    check: Callable[[Mapping[str, Any]], list[str]]


def _target_after_base(p: Mapping[str, Any]) -> list[str]:
    target, base = p["target_year"], p["base_year"]
    return [f"'target_year' ({target}) must be after 'base_year' ({base})"] if target <= base else []


def _dates_ordered(p: Mapping[str, Any]) -> list[str]:
    start, end = iso_date(p["start"]), iso_date(p["end"])
    if start is None or end is None or start <= end:
        return []  # a date that does not parse is reported by its own check
    return [f"'start' ({p['start']}) must not be after 'end' ({p['end']})"]


def _source_needs_data(p: Mapping[str, Any]) -> list[str]:
    source = p["source"]
    if source in SOURCE_CHOICES and source != "reported" and not p.get("data_path"):
        return [f"'source' {source!r} needs 'data_path': the downloaded file, or a folder of yearly files"]
    return []


@functools.lru_cache(maxsize=16)
def _has_pair_rows(path: Path, reporter: str, partner: str, files: tuple[tuple[str, int, int], ...]) -> bool:
    """Whether the download at ``path`` holds any row for the pair; read once per content stamp ``files``
    (each data file's name, size and modification time), through the extract cache."""
    from helpers import official

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", official.OfficialDataWarning)  # the notebook that reads it says them
        return len(official.read_flows(path, reporter, partner, progress=False)) > 0


def _content_stamp(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of the download's files: the file or archive itself, or every
    file in the folder (its code files too)."""
    files = [path] if path.is_file() else sorted(f for f in path.iterdir() if f.is_file())
    return tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files)


def _download_holds_pair(p: Mapping[str, Any]) -> list[str]:
    from helpers.config import resolve_path
    from helpers.errors import CountryNotInDownload, DataError, ParameterError

    source, data_path = p["source"], p.get("data_path")
    reporter, partner = str(p["reporter"]).upper(), str(p["partner"]).upper()
    if source not in ("comtrade", "baci") or not data_path or reporter == partner:
        return []  # no download, or a rule above says what is wrong
    if Country().problems("reporter", reporter) or Country().problems("partner", partner):
        return []  # reported by the countries' own checks
    path = resolve_path(str(data_path))
    try:
        if _has_pair_rows(path, reporter, partner, _content_stamp(path)):
            return []
    except CountryNotInDownload as exc:
        return [_not_in_download(str(data_path), reporter, partner, exc)]
    except (DataError, ParameterError, OSError):
        return []  # a missing, damaged or mismatched download is reported where it is read
    from helpers import evidence

    return [evidence.empty_download_reason(str(data_path), reporter, partner)]


def _not_in_download(data_path: str, reporter: str, partner: str, exc: CountryNotInDownload) -> str:
    """One message for a country the download's code file does not list (a BACI release's
    ``country_codes_V*.csv``): which country, which file, and the countries the download does hold."""
    from helpers import evidence
    from helpers.errors import DataError

    why = f": {exc.country} is not in the release's code file {exc.file}"
    try:
        return evidence.empty_download_reason(data_path, reporter, partner, why)
    except DataError as other:  # a file the listing reads is broken: say that instead
        return f"data_path {data_path!r}: {other}"


def _pair_differs(p: Mapping[str, Any]) -> list[str]:
    a, b = p["reporter"], p["partner"]
    if a and b and str(a).upper() == str(b).upper():
        return [f"'reporter' and 'partner' must be two different countries; both are {a!r}"]
    return []


def events_in_use(p: Mapping[str, Any]) -> Path | None:
    """The events file a timeline run draws: ``events_path`` when given, the shipped ``data/events.csv`` for
    Iran–Iraq, None for another pair without one (no events are drawn)."""
    from helpers.analysis.countries import is_default_pair
    from helpers.config import data_file, resolve_path

    if p.get("events_path"):
        return resolve_path(p["events_path"])
    if is_default_pair(str(p.get("reporter", "IRN")), str(p.get("partner", "IRQ"))):
        return data_file("events.csv")
    return None


def _annotated_events_exist(p: Mapping[str, Any]) -> list[str]:
    from helpers.config import data_file, display_path
    from helpers.errors import DataError
    from helpers.tables import curated

    path = events_in_use(p)
    if path is None or not path.exists():
        return []  # nothing drawn, or a missing events_path, reported by its own check
    if path.resolve() == data_file("events.csv").resolve():
        ids = curated.load_events()["event_id"]  # the shipped file, checksum and all; its errors name it
    else:
        try:
            ids = curated.load_events(path)["event_id"]
        except DataError as exc:
            return [f"'events_path' ({p.get('events_path')!r}) is not a usable events file: {exc}"]
    unknown = [a for a in p["annotate"] if a not in set(ids)]
    if not unknown or (list(p["annotate"]) == DEFAULT_ANNOTATE and len(unknown) == len(DEFAULT_ANNOTATE)):
        return []  # all known; or the default labels (shipped events) and a file holding none of them: no labels
    return [
        f"'annotate' names unknown event id(s) {', '.join(map(repr, unknown))}; "
        f"ids look like: {', '.join(ids.head(5))} (see {display_path(path)})"
    ]


def _claims_file_usable(p: Mapping[str, Any]) -> list[str]:
    from helpers.config import resolve_path
    from helpers.errors import DataError
    from helpers.tables import curated

    if not p.get("claims_path") or not resolve_path(p["claims_path"]).exists():
        return []  # the shipped claims, or a missing claims_path, reported by its own check
    try:
        curated.load_claims(resolve_path(p["claims_path"]))
    except DataError as exc:
        return [f"'claims_path' ({p['claims_path']!r}) is not a usable claims file: {exc}"]
    return []


#: Rules across parameters, checked for every notebook before any kernel starts.
RULES: tuple[Rule, ...] = (
    Rule(("base_year", "target_year"), "`target_year` is after `base_year`", _target_after_base),
    Rule(("start", "end"), "`start` is not after `end`", _dates_ordered),
    Rule(("source",), "`source` `comtrade` or `baci` needs `data_path`", _source_needs_data),
    Rule(("reporter", "partner"), "`reporter` and `partner` are two different countries", _pair_differs),
    Rule(
        ("source", "data_path", "reporter", "partner"),
        "`source` `comtrade` or `baci`: the download at `data_path` holds rows for `reporter` and `partner` "
        "(else the message names the countries it does hold)",
        _download_holds_pair,
    ),
    Rule(
        ("annotate",),
        "every `annotate` id is an `event_id` of the events file in use: `events_path` when given, else "
        "`data/events.csv` for Iran–Iraq (another pair without `events_path` draws no events; with its own "
        "`events_path` holding none of the default ids and no `annotate`, no event is labelled)",
        _annotated_events_exist,
    ),
    Rule(
        ("claims_path",),
        "`claims_path`, when given, is a claims file with the columns and rules of `data/claims.csv`",
        _claims_file_usable,
    ),
)


def problems(values: Mapping[str, Any], declared: Mapping[str, Param]) -> list[str]:
    """Messages for every broken check and rule of one notebook, judged on its defaults overlaid with ``values``.

    ``declared`` maps the notebook's parameter names to their declarations; types are checked before.
    """
    merged = {**defaults_of(list(declared.values())), **values}
    out: list[str] = []
    for name, value in merged.items():
        out += declared[name].problems(value)
    for rule in RULES:
        if all(n in merged for n in rule.names):
            out += rule.check(merged)
    return out


# ---------------------------------------------------------------------------
# The parameters cell


def literal(value: Any) -> str:
    """Python source for a default, as a cell writes it (``20e9``, ``"IRN"``, ``["a", "b"]``)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, float):
        return _float_literal(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is also a Python string literal
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no cell literal for {type(value).__name__} {value!r}")


def _float_literal(value: float) -> str:
    """Large round amounts in engineering form (``20e9``), others as Python writes them."""
    if not value.is_integer() or abs(value) < 1e6:
        return repr(value)
    mantissa, exponent = int(value), 0
    while mantissa % 1000 == 0:
        mantissa, exponent = mantissa // 1000, exponent + 3
    return f"{mantissa}e{exponent}"


def cell_line(param: Param) -> str:
    """One line of a ``parameters`` cell: ``name: type = default  # doc``."""
    return f"{param.name}: {param.type} = {literal(param.default)}  # {param.doc}"


def parameters_cell(stem: str) -> str:
    """The source a notebook's ``parameters`` cell must have: one line per parameter, in the schema's order."""
    return "\n".join(cell_line(p) for p in parameters_of(stem))


# ---------------------------------------------------------------------------
# The README's parameter tables

README_BLOCKS = {
    "parameters": "every parameter but the country pair's",
    "pair-parameters": "the country pair's parameters",
}


def readme_markers(block: str) -> tuple[str, str]:
    """Start and end markers of a generated README block."""
    return (
        f"<!-- {block}:start (generated from src/helpers/pipeline/schema.py by its update_readme; do not edit) -->",
        f"<!-- {block}:end -->",
    )


def _readme_default(param: Param) -> str:
    """A default as shown in the README: long lists are summarised against their choices."""
    text = literal(param.default)
    if len(text) <= 40:
        return f"`{text}`"
    if isinstance(param.check, SubsetOf):
        left_out = [c for c in param.check.choices if c not in param.default]
        if not left_out:
            return "all"
        return "all but " + ", ".join(f"`{c}`" for c in left_out)
    return f"{len(param.default)} values (see the notebook's `parameters` cell)"


def _readme_allowed(param: Param) -> str:
    described = param.check.describe() if param.check is not None else ""
    if not described and any(param.name in r.names for r in RULES):
        return "see the rules below"
    return described or "any"


def parameter_table(names: Sequence[str]) -> str:
    """A Markdown table of the parameters ``names``: type, default, accepted values, notebooks, meaning."""
    lines = ["| parameter | type | default | accepted | notebooks | meaning |", "| --- | --- | --- | --- | --- | --- |"]
    for name in names:
        p = BY_NAME[name]
        numbers = ", ".join(s[:2] for s in p.notebooks)
        lines.append(f"| `{p.name}` | `{p.type}` | {_readme_default(p)} | {_readme_allowed(p)} | {numbers} | {p.doc} |")
    return "\n".join(lines)


def readme_block(block: str) -> str:
    """The Markdown between the markers of one README block."""
    if block == "pair-parameters":
        return parameter_table(PAIR_PARAMETERS)
    if block == "parameters":
        table = parameter_table([p.name for p in PARAMETERS if p.name not in PAIR_PARAMETERS])
        rules = "\n".join(f"- {r.doc}" for r in RULES)
        return f"{table}\n\nChecked together, for every notebook, before any kernel starts:\n\n{rules}"
    raise KeyError(f"no README block {block!r}; blocks: {', '.join(README_BLOCKS)}")


def readme_with_tables(text: str) -> str:
    """``text`` (the README) with every generated parameter block replaced from the schema."""
    for block in README_BLOCKS:
        start, end = readme_markers(block)
        i, j = text.index(start), text.index(end)
        text = text[: i + len(start)] + "\n" + readme_block(block) + "\n" + text[j:]
    return text


def update_readme(readme: Path) -> bool:
    """Rewrite the README's parameter tables from the schema; return True when the file changed."""
    text = readme.read_text(encoding="utf-8")
    new = readme_with_tables(text)
    if new != text:
        readme.write_text(new, encoding="utf-8")
        return True
    return False

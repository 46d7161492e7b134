"""Range and consistency rules on run parameters, checked before any kernel starts.

Types are checked against each notebook's ``parameters`` cell; these rules add what a type
cannot say (a target year after the base year, a positive target, a known country code ...).
Each returns messages that state the accepted range.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any, Callable

from helpers.config import ROOT
from helpers.tables import EVENT_CATEGORIES, STATED_BY

Rule = Callable[[dict[str, Any]], list[str]]

# The same enums the data files are checked against: one definition for both.
BODY_CHOICES = STATED_BY
EVENT_CATEGORY_CHOICES = EVENT_CATEGORIES
SOURCE_CHOICES = ("reported", "comtrade", "baci")


def _positive(name: str) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        v = p.get(name)
        return [f"'{name}' must be greater than 0; got {v!r}"] if v is not None and v <= 0 else []

    return rule


def _year_range(name: str, lo: int = 1990, hi: int = 2100) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        v = p.get(name)
        return [f"'{name}' must be a year from {lo} to {hi}; got {v!r}"] if v is not None and not lo <= v <= hi else []

    return rule


def _after(later: str, earlier: str) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        a, b = p.get(later), p.get(earlier)
        if a is None or b is None:
            return []
        return [f"'{later}' ({a}) must be after '{earlier}' ({b})"] if a <= b else []

    return rule


def _subset(name: str, choices: tuple[str, ...], allow_empty: bool = False) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        v = p.get(name)
        if v is None:
            return []
        if not v and not allow_empty:
            return [f"'{name}' must not be empty; choose from: {', '.join(choices)}"]
        bad = [x for x in v if x not in choices]
        return (
            [f"'{name}' has unknown value(s) {', '.join(map(repr, bad))}; choose from: {', '.join(choices)}"]
            if bad
            else []
        )

    return rule


def _iso_date(name: str) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        v = p.get(name)
        if v is None:
            return []
        try:
            dt.date.fromisoformat(str(v))
        except ValueError:
            return [f"'{name}' must be a date written YYYY-MM-DD; got {v!r}"]
        return []

    return rule


def _dates_ordered(start: str, end: str) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        a, b = p.get(start), p.get(end)
        try:
            if a is not None and b is not None and dt.date.fromisoformat(str(a)) > dt.date.fromisoformat(str(b)):
                return [f"'{start}' ({a}) must not be after '{end}' ({b})"]
        except ValueError:
            return []
        return []

    return rule


def _window(name: str, lo: int = 1, hi: int = 30) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        v = p.get(name)
        return (
            [f"'{name}' must be a whole number of years from {lo} to {hi}; got {v!r}"]
            if v is not None and not lo <= v <= hi
            else []
        )

    return rule


def _existing_path(name: str) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        v = p.get(name)
        if not v:
            return []
        path = Path(v) if Path(v).is_absolute() else ROOT / v
        return [f"'{name}' points to {v!r}, which does not exist"] if not path.exists() else []

    return rule


def _country(name: str) -> Rule:
    def rule(p: dict[str, Any]) -> list[str]:
        v = p.get(name)
        if v is None:
            return []
        import pycountry

        if not isinstance(v, str) or len(v) != 3 or pycountry.countries.get(alpha_3=v.upper()) is None:
            return [f"'{name}' must be an ISO 3166 alpha-3 country code such as IRN, IRQ, TUR; got {v!r}"]
        return []

    return rule


def _source_needs_data(p: dict[str, Any]) -> list[str]:
    source = p.get("source")
    if source is None:
        return []
    if source not in SOURCE_CHOICES:
        return [f"'source' must be one of: {', '.join(SOURCE_CHOICES)}; got {source!r}"]
    if source != "reported" and not p.get("data_path"):
        return [f"'source' {source!r} needs 'data_path': the downloaded file, or a folder of yearly files"]
    return []


def _pair_differs(p: dict[str, Any]) -> list[str]:
    a, b = p.get("reporter"), p.get("partner")
    return (
        [f"'reporter' and 'partner' must be two different countries; both are {a!r}"]
        if a and b and str(a).upper() == str(b).upper()
        else []
    )


def _shares(name: str) -> Rule:
    """A mapping of category ids to fractions between 0 and 1."""

    def rule(p: dict[str, Any]) -> list[str]:
        v = p.get(name)
        if v is None:
            return []
        from helpers.tables import read_table

        known = list(read_table("categories")["category_id"])
        bad_keys = [k for k in v if k not in known]
        bad_values = [
            k for k, x in v.items() if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x <= 1
        ]
        out = []
        if bad_keys:
            out.append(
                f"'{name}' has unknown category id(s) {', '.join(map(repr, bad_keys))}; choose from: {', '.join(known)}"
            )
        if bad_values:
            out.append(
                f"'{name}' values must be fractions from 0 to 1 (0.30 for 30%); check {', '.join(map(repr, bad_values))}"
            )
        return out

    return rule


RULES: list[Rule] = [
    _positive("target_usd"),
    _year_range("target_year"),
    _year_range("base_year"),
    _after("target_year", "base_year"),
    _window("growth_window"),
    _subset("stated_by", BODY_CHOICES),
    _subset("categories", EVENT_CATEGORY_CHOICES),
    _iso_date("start"),
    _iso_date("as_of"),
    _iso_date("end"),
    _dates_ordered("start", "end"),
    _existing_path("data_path"),
    _existing_path("events_path"),
    _existing_path("claims_path"),
    _country("reporter"),
    _country("partner"),
    _pair_differs,
    _shares("report_shares"),
    _source_needs_data,
]


def check(values: dict[str, Any], defaults: dict[str, str]) -> list[str]:
    """Messages for every broken rule, judged on the defaults overlaid with ``values``."""
    merged: dict[str, Any] = {}
    for name, text in defaults.items():
        try:
            merged[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
    merged.update(values)
    out: list[str] = []
    for rule in RULES:
        out += rule(merged)
    return out

"""Periods and calendars: placing Iranian-year figures on the real calendar span they cover.

Iranian customs and the Trade Promotion Organization report by Iranian solar (Jalali) year,
which starts at Nowruz (about 21 March). Conversion uses the maintained ``jdatetime``
library, not hand arithmetic (leap years of the solar calendar do not follow a simple rule).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator

import jdatetime


def jalali_month_span(year: int, month_from: int, month_to: int) -> tuple[dt.date, dt.date]:
    """Gregorian first and last day of Iranian months ``month_from``..``month_to`` of ``year``."""
    # jdatetime refuses numpy integers
    return _jalali_month_span(int(year), int(month_from), int(month_to))


@functools.lru_cache(maxsize=4096)
def _jalali_month_span(year: int, month_from: int, month_to: int) -> tuple[dt.date, dt.date]:
    if not (1 <= month_from <= month_to <= 12):
        raise ValueError(f"months must satisfy 1 <= from <= to <= 12, got {month_from}..{month_to}")
    start = jdatetime.date(year, month_from, 1).togregorian()
    if month_to == 12:
        end = jdatetime.date(year + 1, 1, 1).togregorian() - dt.timedelta(days=1)
    else:
        end = jdatetime.date(year, month_to + 1, 1).togregorian() - dt.timedelta(days=1)
    return start, end


def gregorian_month_span(year: int, month_from: int, month_to: int) -> tuple[dt.date, dt.date]:
    """First and last day of Gregorian months ``month_from``..``month_to`` of ``year``."""
    if not (1 <= month_from <= month_to <= 12):
        raise ValueError(f"months must satisfy 1 <= from <= to <= 12, got {month_from}..{month_to}")
    start = dt.date(year, month_from, 1)
    end = (
        dt.date(year + 1, 1, 1) - dt.timedelta(days=1)
        if month_to == 12
        else dt.date(year, month_to + 1, 1) - dt.timedelta(days=1)
    )
    return start, end


def period_span(
    calendar: str, year: int, month_from: int | None, month_to: int | None, year_to: int | None = None
) -> tuple[dt.date, dt.date]:
    """Real calendar span of a reported period.

    An ``unstated`` period (an annual level claimed without saying which year) is placed on the
    Gregorian year of the statement. A multi-year Gregorian period (``year_to`` given) runs from
    ``month_from`` of ``year`` to the end of ``month_to`` of ``year_to``.
    """
    if year_to is not None:
        if calendar != "gregorian" or int(year_to) <= int(year):
            raise ValueError(f"a multi-year period needs a Gregorian year_to after {year}, got {calendar} {year_to}")
        start, _ = gregorian_month_span(int(year), int(month_from), 12)
        _, end = gregorian_month_span(int(year_to), 1, int(month_to))
        return start, end
    if calendar == "iranian":
        return jalali_month_span(int(year), int(month_from), int(month_to))
    if calendar == "gregorian":
        return gregorian_month_span(int(year), int(month_from), int(month_to))
    if calendar == "unstated":
        return gregorian_month_span(int(year), 1, 12)
    raise ValueError(f"unknown calendar {calendar!r}")


def period_label(
    calendar: str, year: int, month_from: int | None, month_to: int | None, year_to: int | None = None
) -> str:
    """Human label: '1401 (Mar 2022–Mar 2023)', '1403 M1–M5', '2021', '2016–2020' (a multi-year period),
    'period not given, stated in 2024'."""
    if year_to is not None:
        if month_from == 1 and month_to == 12:
            return f"{year}–{year_to}"
        return f"{year} M{month_from}–{year_to} M{month_to}"
    if calendar == "unstated":
        return f"period not given, stated in {year}"
    full = month_from == 1 and month_to == 12
    if calendar == "gregorian":
        return f"{year}" if full else f"{year} M{month_from}–M{month_to}"
    start, end = period_span(calendar, year, month_from, month_to)
    span = f"{start:%b %Y}–{end:%b %Y}"
    return f"{year} ({span})" if full else f"{year} M{month_from}–M{month_to} ({span})"


def add_spans(frame):
    """Add ``start``, ``end``, ``mid`` (Timestamps) and ``period`` (label) columns to a period table."""
    import pandas as pd

    out = frame.copy()
    year_to = out["year_to"] if "year_to" in out else pd.Series(pd.NA, index=out.index)

    def given(value):
        """The value, or None where it is missing."""
        return value if pd.notna(value) else None

    rows = list(zip(out["calendar"], out["year"], out["month_from"], out["month_to"], year_to))
    spans = [period_span(c, y, given(f), given(t), given(y2)) for c, y, f, t, y2 in rows]
    out["start"] = pd.to_datetime([s for s, _ in spans])
    out["end"] = pd.to_datetime([e for _, e in spans])
    out["mid"] = out["start"] + (out["end"] - out["start"]) / 2
    out["period"] = [period_label(c, y, given(f), given(t), given(y2)) for c, y, f, t, y2 in rows]
    return out


def gregorian_share_of_jalali_year(jalali_year: int, gregorian_year: int) -> float:
    """Fraction of the days of Iranian year ``jalali_year`` that fall in ``gregorian_year``."""
    return _gregorian_share(int(jalali_year), operator.index(gregorian_year))


@functools.lru_cache(maxsize=4096)
def _gregorian_share(jalali_year: int, gregorian_year: int) -> float:
    start, end = jalali_month_span(jalali_year, 1, 12)
    days = (end - start).days + 1
    lo = max(start, dt.date(gregorian_year, 1, 1))
    hi = min(end, dt.date(gregorian_year, 12, 31))
    return max(0, (hi - lo).days + 1) / days

"""Trade volume: annual series by stating body, the preferred series, calendar-year estimates,
and the growth arithmetic of the $20bn target.

Rules, stated once:

* **Full years only.** Annual series use rows whose period is a whole Iranian or Gregorian year.
  Partial periods (year-to-date figures) are never summed with full years or with each other;
  they are shown as their own points.
* **Preferred series.** Only rows that count (:mod:`helpers.analysis.counting`: confirmed, one per
  statement) enter a series. When several cover the same flow and period, the preferred figure is
  the first in the evidence order of :func:`helpers.analysis.counting.evidence_order` (who measured
  it, coverage, the latest publication); the ``bound`` label never decides it.
* **Two-way trade** is a directly reported two-way figure, or Iran's exports to Iraq plus its
  imports from Iraq for the same full period (each the preferred figure); the weaker of the two
  bodies carries over to the sum, and its bound follows :func:`combine_bounds`.
* **Calendar-year estimates** from Iranian-year figures exist only where both overlapping Iranian
  years have a figure: Gregorian year G takes each year's value in proportion to the days of that
  Iranian year falling in G (an even spread within the year is assumed). They are marked as estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.analysis import counting
from helpers.analysis.periods import gregorian_share_of_jalali_year
from helpers.answers import or_unanswered

BODY_PREFERENCE = counting.BODY_ORDER
COVERAGE_PREFERENCE = counting.COVERAGE_ORDER


def combine_bounds(bounds) -> str:
    """Bound of a sum or weighted mix: exact parts stay exact; an approximate part, or lower- and
    upper-bound parts together, make it approximate (no longer a bound); exact parts with lower-bound
    parts give a lower bound, with upper-bound parts an upper bound."""
    bounds = set(bounds)
    if "approx" in bounds or {"lower", "upper"} <= bounds:
        return "approx"
    if "lower" in bounds:
        return "lower"
    if "upper" in bounds:
        return "upper"
    return "exact"


def full_years(frame: pd.DataFrame, flow: str, bodies: list[str] | None = None) -> pd.DataFrame:
    """Full-year rows of one flow (optionally only some stating bodies); partial periods excluded."""
    return frame.iloc[full_year_positions(frame, flow, bodies)]


def full_year_positions(frame: pd.DataFrame, flow: str, bodies: list[str] | None = None) -> np.ndarray:
    """The positions in ``frame`` of :func:`full_years`'s rows, in its order."""
    selected = counting.mask((frame["flow"] == flow) & (~frame["partial"]) & (frame["calendar"] != "unstated"))
    if bodies is not None:
        selected = selected & counting.mask(frame["stated_by"].isin(bodies))
    return counting.sort_positions(frame, np.flatnonzero(selected), ["start", "stated_by", "record_id"])


def partial_periods(frame: pd.DataFrame, flow: str) -> pd.DataFrame:
    """Year-to-date rows of one flow, kept apart from full years."""
    return frame[(frame["flow"] == flow) & frame["partial"]].sort_values(["start", "end", "record_id"])


def stated_levels(frame: pd.DataFrame, flow: str = "two_way") -> pd.DataFrame:
    """Annual levels claimed without a period ("annual trade exceeds $10bn"), placed at their publication date."""
    rows = frame[(frame["flow"] == flow) & (frame["calendar"] == "unstated")].copy()
    rows["when"] = rows["published"].fillna(rows["mid"])
    return rows.sort_values(["when", "record_id"])


PREFERRED_COLUMNS = [
    "calendar",
    "year",
    "period",
    "start",
    "end",
    "value",
    "bound",
    "stated_by",
    "coverage",
    "energy",
    "status",
    "publisher",
    "published",
    "record_id",
]


def preferred(frame: pd.DataFrame, flow: str, calendar: str = "iranian") -> pd.DataFrame:
    """One preferred full-year figure per year of ``flow`` in one calendar, by the rule in the module docstring.

    Calendars are never mixed in one series: an Iranian year and a Gregorian year overlap by nine
    months, so putting both in one series would count most of a year twice.
    """
    return counting.rows_at(frame, _preferred_positions(frame, flow, calendar), PREFERRED_COLUMNS)


def _preferred_positions(
    frame: pd.DataFrame, flow: str, calendar: str, keys: tuple[np.ndarray, ...] | None = None
) -> np.ndarray:
    """The positions in ``frame`` of :func:`preferred`'s rows, in its order: the full years that count, in
    ``calendar``, best first, the first of each year, by start (``keys``: the frame's
    :func:`helpers.analysis.counting.order_keys`, when already computed)."""
    keys = counting.order_keys(frame) if keys is None else keys
    rows = counting.counted_positions(frame, full_year_positions(frame, flow), keys)
    rows = rows[counting.mask(frame["calendar"] == calendar)[rows]]
    rows = _first_per_year(frame, counting.ordered(keys, rows))
    return counting.sort_positions(frame, rows, ["start"])


def _first_per_year(frame: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """``frame.iloc[positions].groupby(["calendar", "year"], sort=False).head(1)``'s rows (a missing key is
    no group), as positions."""
    calendars, years = frame["calendar"].array.take(positions), frame["year"].array.take(positions)
    seen, first = set(), []
    for p, key in zip(positions, zip(calendars, years)):
        if pd.isna(key[0]) or pd.isna(key[1]) or key in seen:
            continue
        seen.add(key)
        first.append(p)
    return np.array(first, dtype=np.intp)


TWO_WAY_COLUMNS = [*PREFERRED_COLUMNS, "method"]


def two_way(frame: pd.DataFrame, calendar: str = "iranian") -> pd.DataFrame:
    """Preferred two-way figure per full year of one calendar: reported directly, or exports plus imports."""
    keys = counting.order_keys(frame)
    direct = counting.counted_positions(frame, full_year_positions(frame, "two_way"), keys)
    direct = direct[counting.mask(frame["calendar"] == calendar)[direct]]
    exports = _values(frame, _preferred_positions(frame, "iran_exports_to_iraq", calendar, keys))
    imports = _values(frame, _preferred_positions(frame, "iran_imports_from_iraq", calendar, keys))
    by_year = {(r["calendar"], r["year"]): r for r in imports}
    rows = []
    for x in exports:
        m = by_year.get((x["calendar"], x["year"]))
        if m is None:
            continue
        rows.append(
            {
                "calendar": x["calendar"],
                "year": x["year"],
                "period": x["period"],
                "start": x["start"],
                "end": x["end"],
                "value": int(x["value"] + m["value"]),
                "bound": combine_bounds([x["bound"], m["bound"]]),
                "stated_by": max(x["stated_by"], m["stated_by"], key=_body_rank),
                "coverage": max(x["coverage"], m["coverage"], key=COVERAGE_PREFERENCE.index),
                "energy": x["energy"],
                "status": "confirmed" if x["status"] == m["status"] == "confirmed" else "unconfirmed",
                "publisher": " + ".join(dict.fromkeys([x["publisher"], m["publisher"]])),
                # the sum is known once both parts are published
                "published": pd.NaT
                if pd.isna(x["published"]) or pd.isna(m["published"])
                else max(x["published"], m["published"]),
                "record_id": f"{x['record_id']} + {m['record_id']}",
                "method": "exports + imports",
            }
        )
    summed = pd.DataFrame(rows, columns=[*rows[0].keys()] if rows else ["calendar", "year", "record_id", "method"])
    reported = counting.rows_at(frame, direct, PREFERRED_COLUMNS).assign(method="reported two-way")
    candidates = pd.concat([reported, summed.reindex(columns=TWO_WAY_COLUMNS)], ignore_index=True)
    if candidates.empty:
        return candidates.assign(method=pd.Series(dtype="string"))
    best = _first_per_year(candidates, counting.ordered(counting.order_keys(candidates), np.arange(len(candidates))))
    return counting.rows_at(candidates, counting.sort_positions(candidates, best, ["start"]), TWO_WAY_COLUMNS)


def _values(frame: pd.DataFrame, positions: np.ndarray) -> list[dict]:
    """The preferred columns of the rows at ``positions``, one dict of Python values per row (as a row of the
    frame gives them)."""
    columns = {c: list(pd.Series(counting.values_at(frame[c], positions), copy=False)) for c in PREFERRED_COLUMNS}
    return [dict(zip(columns, row)) for row in zip(*columns.values())]


ESTIMATE_COLUMNS = [
    "year",
    "value",
    "from_years",
    "bound",
    "estimate",
    "stated_by",
    "publisher",
    "published",
    "record_id",
]


@or_unanswered
def calendar_year_estimates(series: pd.DataFrame) -> pd.DataFrame:
    """Gregorian-year estimates from a preferred Iranian-year series, where both overlapping years exist."""
    at = np.flatnonzero(counting.mask(series["calendar"] == "iranian"))
    years = series["year"].array.take(at).tolist()
    if len(set(years)) < len(years) or any(pd.isna(y) for y in years):
        return _estimates_by_rows(series)
    optional = [c for c in ("publisher", "published", "record_id") if c in series]
    columns = {c: series[c].array.take(at).tolist() for c in ["value", "bound", "stated_by", *optional]}
    iran = {year: {c: values[k] for c, values in columns.items()} for k, year in enumerate(years)}
    return pd.DataFrame([_estimate(iran, jy) for jy in sorted(iran) if jy + 1 in iran], columns=ESTIMATE_COLUMNS)


def _estimate(iran, jy: int) -> dict:
    """The estimate for the Gregorian year holding the end of Iranian year ``jy`` and the start of the next;
    ``iran``: the figures by Iranian year (rows, or dicts of their values)."""
    nxt = jy + 1
    g = jy + 622  # Gregorian year that holds the end of jy and the start of jy + 1
    w1 = gregorian_share_of_jalali_year(jy, g)
    w2 = gregorian_share_of_jalali_year(nxt, g)
    a, b = iran[jy], iran[nxt]
    return {
        "year": g,
        "value": a["value"] * w1 + b["value"] * w2,
        "from_years": f"{jy} ({w1:.0%}) + {nxt} ({w2:.0%})",
        "bound": combine_bounds([a["bound"], b["bound"]]),
        "estimate": True,
        "stated_by": max(a["stated_by"], b["stated_by"], key=_body_rank),
        "publisher": " + ".join(dict.fromkeys([a.get("publisher", ""), b.get("publisher", "")])),
        "published": _later(a.get("published"), b.get("published")),
        "record_id": f"{a.get('record_id', jy)} + {b.get('record_id', nxt)}",
    }


def _estimates_by_rows(series: pd.DataFrame) -> pd.DataFrame:
    """:func:`calendar_year_estimates` of a series whose Iranian years are not one row each."""
    iran = series[series["calendar"] == "iranian"].set_index("year")
    out = [_estimate(iran.loc, jy) for jy in sorted(iran.index) if jy + 1 in iran.index]
    return pd.DataFrame(out, columns=ESTIMATE_COLUMNS)


def _body_rank(body: str) -> int:
    return BODY_PREFERENCE.index(body) if body in BODY_PREFERENCE else len(BODY_PREFERENCE)


def _later(a, b):
    """The later of two publication dates; unknown when either is (an estimate is known once both are)."""
    return pd.NaT if pd.isna(a) or pd.isna(b) else max(a, b)


# ---------------------------------------------------------------------------
# Growth arithmetic


def cagr(start_value: float, end_value: float, years: float) -> float:
    """Compound annual growth rate between two values ``years`` apart."""
    if start_value <= 0 or end_value <= 0:
        raise ValueError("growth needs positive values")
    if years <= 0:
        raise ValueError("years must be positive")
    return (end_value / start_value) ** (1.0 / years) - 1.0


@or_unanswered
def required_growth(base_value: float, target_value: float, base_year: int, target_year: int) -> float:
    """Annual growth needed to go from ``base_value`` in ``base_year`` to ``target_value`` in ``target_year``
    (negative when the base is already above the target)."""
    if target_year <= base_year:
        raise ValueError("target_year must be after base_year")
    return cagr(base_value, target_value, target_year - base_year)


def year_reached(base_value: float, base_year: int, target_value: float, growth: float) -> float | None:
    """Fractional year at which ``base_value`` growing at ``growth`` reaches ``target_value`` (None if never)."""
    if base_value >= target_value:
        return float(base_year)  # already at or above the target
    if growth <= 0:
        return None
    return base_year + math.log(target_value / base_value) / math.log1p(growth)


def project(base_value: float, base_year: int, year: int, growth: float) -> float:
    """Value in ``year`` growing from ``base_value`` at a constant annual rate."""
    return base_value * (1.0 + growth) ** (year - base_year)


@or_unanswered
def sensitivity(base_value: float, base_year: int, target_years: list[int], growth_rates: list[float]) -> pd.DataFrame:
    """Projected value (US$ bn) in each target year (columns) at each growth rate (rows)."""
    table = pd.DataFrame(
        {str(y): [round(project(base_value, base_year, y, g) / 1e9, 1) for g in growth_rates] for y in target_years},
        index=pd.Index([f"{g:.1%}" for g in growth_rates], name="annual growth"),
    )
    return table


@dataclass(frozen=True)
class Growth:
    """Growth between two points of a series."""

    first_label: str
    last_label: str
    first_value: float
    last_value: float
    years: int
    rate: float
    first_bound: str = "exact"  # the bound of the figure at each end ("lower", "upper", "approx", "exact")
    last_bound: str = "exact"

    @property
    def lower_bound_end(self) -> bool:
        """The latest figure is a lower bound (so the rate is at least this, its start being exact)."""
        return self.last_bound == "lower"


@or_unanswered
def historical_growth(series: pd.DataFrame, window: int, end_year: int | None = None) -> Growth | None:
    """Compound growth over ``window`` years ending at the latest year (or ``end_year``) of a preferred series.

    Years are the series' own (Iranian or Gregorian). Returns None when the series is empty, when
    either end is missing (a gap stays a gap: no neighbouring year stands in, nothing is
    interpolated) or when an end is zero (no growth rate starts or ends at zero).
    """
    s = series.set_index("year")
    if s.empty:
        return None
    last = end_year if end_year is not None else int(s.index.max())
    first = last - window
    if last not in s.index or first not in s.index:
        return None
    a, b = s.loc[first], s.loc[last]
    if float(a["value"]) <= 0 or float(b["value"]) <= 0:
        return None
    return Growth(
        str(a.get("period", first)),
        str(b.get("period", last)),
        float(a["value"]),
        float(b["value"]),
        window,
        cagr(float(a["value"]), float(b["value"]), window),
        str(a["bound"]),
        str(b["bound"]),
    )


def base_value(
    two_way_series: pd.DataFrame, base_year: int, gregorian_series: pd.DataFrame | None = None
) -> dict | None:
    """Two-way value for a Gregorian ``base_year``: a Gregorian figure, else a calendar-year estimate
    from the Iranian-year series, else the Iranian year that begins in ``base_year`` (each labelled
    with how it was obtained)."""
    pool = (
        two_way_series if gregorian_series is None else pd.concat([gregorian_series, two_way_series], ignore_index=True)
    )
    greg = pool[(pool["calendar"] == "gregorian") & (pool["year"] == base_year)]
    if len(greg):
        r = greg.iloc[0]
        return {"value": float(r["value"]), "how": f"reported for calendar year {base_year}", "bound": r["bound"]}
    est = calendar_year_estimates(two_way_series)
    hit = est[est["year"] == base_year]
    if len(hit):
        r = hit.iloc[0]
        return {
            "value": float(r["value"]),
            "how": f"calendar-year estimate from Iranian years {r['from_years']}",
            "bound": r["bound"],
        }
    jy = base_year - 621
    iran = two_way_series[(two_way_series["calendar"] == "iranian") & (two_way_series["year"] == jy)]
    if len(iran):
        r = iran.iloc[0]
        return {
            "value": float(r["value"]),
            "how": f"Iranian year {r['period']} (begins in {base_year})",
            "bound": r["bound"],
        }
    return None


def energy_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods with one figure including and one excluding energy from the same page (what energy adds)."""
    known = frame[frame["energy"].isin(["included", "excluded"])]
    keys = ["flow", "calendar", "year", "month_from", "month_to", "source_url"]
    rows = []
    for _, grp in known.groupby(keys, dropna=False, sort=True):
        inc = grp[grp["energy"] == "included"]
        exc = grp[grp["energy"] == "excluded"]
        if len(inc) and len(exc):
            i, e = inc.iloc[0], exc.iloc[0]
            rows.append(
                {
                    "period": i["period"],
                    "flow": i["flow"],
                    "with_energy": int(i["value"]),
                    "without_energy": int(e["value"]),
                    "energy_share": 1 - e["value"] / i["value"],
                    "stated_by": i["stated_by"],
                    "publisher": i["publisher"],
                }
            )
    return pd.DataFrame(
        rows, columns=["period", "flow", "with_energy", "without_energy", "energy_share", "stated_by", "publisher"]
    )


# ---------------------------------------------------------------------------
# Chart


def chart_data(
    frame: pd.DataFrame, bodies: list[str], flows: tuple[str, ...] = ("iran_exports_to_iraq", "two_way")
) -> pd.DataFrame:
    """The rows the volume chart draws: full-year figures of ``flows`` by the chosen bodies, and
    stated annual levels of two-way trade (period-less statements). Partial periods are not drawn."""
    parts = [full_years(frame, f, bodies) for f in flows]
    levels = stated_levels(frame, "two_way")
    levels = levels[levels["stated_by"].isin(bodies)]
    cols = [
        "record_id",
        "flow",
        "calendar",
        "period",
        "start",
        "end",
        "value",
        "bound",
        "stated_by",
        "publisher",
        "checked",
    ]
    drawn = pd.concat([*(p[cols] for p in parts), levels[cols]], ignore_index=True)
    return drawn.sort_values(["flow", "start", "stated_by", "record_id"]).reset_index(drop=True)

"""Iran's share of Iraq's total imports, as a range over every sourced pairing, and Iran's place
among Iraq's suppliers.

Pairing rule, stated once: a numerator (Iran's sales to Iraq) and a denominator (Iraq's imports
from all countries) pair when they cover the same calendar year and the same coverage (goods with
goods, goods and services with goods and services). Numerators are full calendar-year figures as
reported (Iranian exports or Iraqi-side imports from Iran) and, marked as estimates, calendar-year
estimates from Iranian-year figures. Every pairing is kept; the result per year is a range, not one
chosen number. A lower-bound numerator gives a lower-bound share; a lower-bound denominator
(a sum over the largest suppliers only, or a customs total that records only part of imports)
gives an upper-bound share. The range itself uses only the pairings whose figures count
(:mod:`helpers.analysis.counting`: confirmed, one per statement, totals of quality ``ok``) and whose
shares are not upper bounds; every other pairing stays in the table, marked with why it is left
out, but out of the range. Notebook 02's range and the claims check's evidence for the 65% claim
are the same pairings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.analysis import counting, volume
from helpers.answers import or_unanswered

NUMERATOR_FLOWS = ("iran_exports_to_iraq", "iraq_imports_from_iran")
#: Shares that count in the range: not upper bounds, not unbounded.
RANGE_KINDS = ("as computed", "approximate", "lower bound")


def numerators(trade: pd.DataFrame) -> pd.DataFrame:
    """Full calendar-year figures of Iran's sales to Iraq, and calendar-year estimates from Iranian years."""
    return pd.concat([reported_numerators(trade), estimated_numerators(trade)], ignore_index=True)


def reported_rows(trade: pd.DataFrame) -> pd.Series:
    """The trade rows :func:`reported_numerators` reads: full calendar-year figures of Iran's sales to Iraq."""
    return (
        trade["flow"].isin(NUMERATOR_FLOWS)
        & (trade["calendar"] == "gregorian")
        & ~trade["partial"]
        & trade["coverage"].isin(["goods", "goods_and_services"])
    )


def estimated_rows(trade: pd.DataFrame) -> pd.Series:
    """The trade rows :func:`estimated_numerators` reads: full-year figures of Iran's exports to Iraq."""
    return (trade["flow"] == "iran_exports_to_iraq") & ~trade["partial"] & (trade["calendar"] != "unstated")


def reported_numerators(trade: pd.DataFrame) -> pd.DataFrame:
    """The numerators of :func:`numerators` reported for a calendar year."""
    rows = np.flatnonzero(counting.mask(reported_rows(trade)))

    def column(name: str):
        return counting.values_at(trade[name], rows)

    return pd.DataFrame(
        {
            "year": column("year").astype(int),
            "coverage": column("coverage"),
            "iran_value": column("value").astype(float),
            "iran_bound": column("bound"),
            "iran_source": column("stated_by") + " · " + column("publisher"),
            "iran_record": column("record_id"),
            "iran_status": column("status"),
            "iran_repeats": counting.repeats_at(trade, rows),
            "iran_stated_by": column("stated_by"),
            "iran_publisher": column("publisher"),
            "iran_published": column("published"),
            "estimate": False,
        }
    )


def estimated_numerators(trade: pd.DataFrame) -> pd.DataFrame:
    """The numerators of :func:`numerators` estimated for a calendar year from Iranian years."""
    est = volume.calendar_year_estimates(volume.preferred(trade, "iran_exports_to_iraq", "iranian"))
    return pd.DataFrame(
        {
            "year": est["year"].astype(int),
            "coverage": "goods",
            "iran_value": est["value"].astype(float),
            "iran_bound": est["bound"],
            "iran_source": "estimate from Iranian years " + est["from_years"],
            "iran_record": "calendar-year estimate",
            "iran_status": "confirmed",
            "iran_repeats": False,
            "iran_stated_by": est["stated_by"],
            "iran_publisher": est["publisher"],
            "iran_published": est["published"],
            "estimate": True,
        }
    )


@or_unanswered
def pairings(trade: pd.DataFrame, imports: pd.DataFrame) -> pd.DataFrame:
    """Every numerator–denominator pairing with the same year and coverage, with the share it implies."""
    return pair_up(numerators(trade), imports)


def pair_up(num: pd.DataFrame, imports: pd.DataFrame) -> pd.DataFrame:
    """:func:`pairings` from numerators already computed (:func:`numerators`)."""
    return pair_with(num, denominators(imports))


def denominators(imports: pd.DataFrame) -> pd.DataFrame:
    """Iraq's imports from all countries (the rows for partner WLD), as :func:`pair_with` pairs them."""
    rows = np.flatnonzero(counting.mask(imports["partner"] == "WLD"))

    def column(name: str):
        return counting.values_at(imports[name], rows)

    return pd.DataFrame(
        {
            "year": column("year").astype(int),
            "coverage": column("coverage"),
            "iraq_total": column("value").astype(float),
            "total_bound": column("bound"),
            "total_source": column("stated_by") + " · " + column("publisher"),
            "total_record": column("record_id"),
            "total_quality": column("quality"),
            "total_status": column("status"),
            "total_repeats": counting.repeats_at(imports, rows),
            "total_stated_by": column("stated_by"),
            "total_publisher": column("publisher"),
            "total_published": column("published"),
        }
    )


def pair_with(num: pd.DataFrame, den: pd.DataFrame) -> pd.DataFrame:
    """:func:`pairings` from numerators and denominators already computed (:func:`numerators`,
    :func:`denominators`)."""
    on = ["year", "coverage"]
    joined = _joined(num, den, on)
    if joined is None:
        pairs = num.merge(den, on=on, how="inner")
    else:
        # the pairs in the order of the table (by year, share and records), then built at once
        at_num, at_den = joined
        share = pd.Series(counting.values_at(num["iran_value"], at_num)) / pd.Series(
            counting.values_at(den["iraq_total"], at_den)
        )
        order = counting.sort_order(
            [
                counting.values_at(num["year"], at_num),
                share,
                counting.values_at(num["iran_record"], at_num),
                counting.values_at(den["total_record"], at_den),
            ]
        )
        at_num, at_den = at_num[order], at_den[order]
        columns = {c: counting.values_at(num[c], at_num) for c in num.columns}
        columns.update({c: counting.values_at(den[c], at_den) for c in den.columns if c not in on})
        pairs = pd.DataFrame(columns, copy=False)
    pairs["share"] = pairs["iran_value"] / pairs["iraq_total"]
    pairs["share_is"] = _share_bounds(pairs)
    pairs["left_out_because"] = _left_out_because(pairs)
    pairs["in_range"] = pairs["left_out_because"] == ""
    pairs = pairs.drop(columns=["iran_repeats", "total_repeats"])
    if joined is None:
        pairs = pairs.sort_values(["year", "share", "iran_record", "total_record"]).reset_index(drop=True)
    return pairs


def _joined(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """The rows ``left.merge(right, on=on, how="inner")`` pairs: each left row, in order, with every right row
    of the same keys, in order (positions in each). None where pandas must merge: keys of other dtypes (text
    differing only in how it is stored compares as the same values), a missing key, or another column on both."""
    shared = (set(left.columns) & set(right.columns)) - set(on)
    if shared or not all(_same_keys(left[k].dtype, right[k].dtype) for k in on):
        return None
    left_keys = list(zip(*(left[k].tolist() for k in on)))
    right_keys = list(zip(*(right[k].tolist() for k in on)))
    if any(pd.isna(v) for key in (*left_keys, *right_keys) for v in key):  # pandas pairs missing keys
        return None
    matches: dict[tuple, list[int]] = {}
    for j, key in enumerate(right_keys):
        matches.setdefault(key, []).append(j)
    pairs = [(i, j) for i, key in enumerate(left_keys) for j in matches.get(key, ())]
    return np.array([i for i, _ in pairs], dtype=np.intp), np.array([j for _, j in pairs], dtype=np.intp)


def _same_keys(a, b) -> bool:
    """Whether keys of dtypes ``a`` and ``b`` are compared as equal values (a text column held by pyarrow or as
    Python strings has the same values)."""
    if isinstance(a, pd.StringDtype) and isinstance(b, pd.StringDtype):
        return a.na_value is b.na_value
    return a == b


def _share_bounds(pairs: pd.DataFrame) -> pd.Series:
    """What each share is: a lower-bound numerator gives a lower bound, a lower-bound or partial total an
    upper bound, both nothing; otherwise approximate or as computed."""
    iran, total, quality = pairs["iran_bound"].tolist(), pairs["total_bound"].tolist(), pairs["total_quality"].tolist()
    if any(pd.isna(v) for v in (*iran, *total, *quality)):
        return _share_bounds_with_missing(pairs)
    kinds = []
    for iran_bound, total_bound, total_quality in zip(iran, total, quality):
        low = iran_bound == "lower"
        high = total_bound == "lower" or total_quality == "partial_coverage"
        if low and high:
            kinds.append("unbounded (both ends are lower bounds)")
        elif low:
            kinds.append("lower bound")
        elif high:
            kinds.append("upper bound")
        elif iran_bound == "approx" or total_bound == "approx":
            kinds.append("approximate")
        else:
            kinds.append("as computed")
    return pd.Series(kinds, index=pairs.index, dtype="object")


def _share_bounds_with_missing(pairs: pd.DataFrame) -> pd.Series:
    """:func:`_share_bounds` where a bound or a quality is missing."""
    low = pairs["iran_bound"] == "lower"
    high = (pairs["total_bound"] == "lower") | (pairs["total_quality"] == "partial_coverage")
    approx = (pairs["iran_bound"] == "approx") | (pairs["total_bound"] == "approx")
    kinds = np.select(
        [low & high, low, high, approx],
        ["unbounded (both ends are lower bounds)", "lower bound", "upper bound", "approximate"],
        "as computed",
    )
    return pd.Series(kinds, index=pairs.index, dtype="object")


def _left_out_because(pairs: pd.DataFrame) -> pd.Series:
    """Why each pairing stays out of the range ('' when it counts), by the counting rules."""
    iran_status, total_status = pairs["iran_status"].tolist(), pairs["total_status"].tolist()
    quality = pairs["total_quality"].tolist()
    if any(pd.isna(v) for v in (*iran_status, *total_status, *quality)):
        return _left_out_because_with_missing(pairs)
    rules = (
        (pairs["share_is"].tolist(), lambda v: v not in RANGE_KINDS, lambda v: "share is " + v),
        (iran_status, lambda v: v != counting.COUNTED_STATUS, lambda v: "Iran's figure unconfirmed"),
        (total_status, lambda v: v != counting.COUNTED_STATUS, lambda v: "total unconfirmed"),
        (quality, lambda v: v != counting.COUNTED_QUALITY, lambda v: "total " + v.replace("_", " ")),
        (pairs["iran_repeats"].astype(bool).tolist(), bool, lambda v: "Iran's figure repeats another row's statement"),
        (pairs["total_repeats"].astype(bool).tolist(), bool, lambda v: "total repeats another row's statement"),
    )
    out = [
        "; ".join(text(v) for (_, applies, text), v in zip(rules, row) if applies(v))
        for row in zip(*(values for values, _, _ in rules))
    ]
    return pd.Series(out, index=pairs.index, dtype="object")


def _left_out_because_with_missing(pairs: pd.DataFrame) -> pd.Series:
    """:func:`_left_out_because` where a status or quality is missing (such a reason is missing too)."""
    reasons = [
        (~pairs["share_is"].isin(RANGE_KINDS), "share is " + pairs["share_is"]),
        (pairs["iran_status"] != counting.COUNTED_STATUS, "Iran's figure unconfirmed"),
        (pairs["total_status"] != counting.COUNTED_STATUS, "total unconfirmed"),
        (pairs["total_quality"] != counting.COUNTED_QUALITY, "total " + pairs["total_quality"].str.replace("_", " ")),
        (pairs["iran_repeats"].astype(bool), "Iran's figure repeats another row's statement"),
        (pairs["total_repeats"].astype(bool), "total repeats another row's statement"),
    ]
    out = pd.Series("", index=pairs.index, dtype="object")
    for mask, text in reasons:
        out = out.where(~mask, out + "; " + text)
    return out.str.removeprefix("; ")


@or_unanswered
def share_ranges(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per year and coverage: lowest and highest share over the pairings in the range, how many there
    are, and how many more were left out of the range (see the module docstring)."""
    groups: dict[tuple, list] = {}
    left_out: dict[tuple, int] = {}
    for year, coverage, share, estimate, in_range in zip(
        pairs["year"].tolist(),
        pairs["coverage"].tolist(),
        pairs["share"].tolist(),
        pairs["estimate"].tolist(),
        pairs["in_range"].tolist(),
    ):
        if pd.isna(year) or pd.isna(coverage):
            continue  # no group, as in a groupby
        if in_range:
            groups.setdefault((year, coverage), []).append((share, estimate))
        else:
            left_out[(year, coverage)] = left_out.get((year, coverage), 0) + 1
    keys = sorted(groups)
    shares = [[s for s, _ in groups[k] if not pd.isna(s)] for k in keys]
    return pd.DataFrame(
        {
            "year": pd.array([k[0] for k in keys], dtype=pairs["year"].dtype),
            "coverage": pd.array([k[1] for k in keys], dtype=pairs["coverage"].dtype),
            "low": np.array([min(s) if s else np.nan for s in shares], dtype=float),
            "high": np.array([max(s) if s else np.nan for s in shares], dtype=float),
            "pairings": np.array([len(groups[k]) for k in keys], dtype=np.int64),
            "estimates": np.array([sum(bool(e) for _, e in groups[k]) for k in keys], dtype=np.int64),
            "left_out": np.array([left_out.get(k, 0) for k in keys], dtype=np.int64),
        }
    )


@or_unanswered
def suppliers(trade: pd.DataFrame, imports: pd.DataFrame, min_suppliers: int = 3) -> pd.DataFrame:
    """Iraq's goods imports by supplier per year, Iran included, where at least ``min_suppliers`` are sourced.

    Figures come from different sources (partner statistics, Iraqi officials, researchers); the rank
    is by value across them and says so. Several figures for one supplier and year: the
    highest and lowest are both kept as a range.
    """
    from helpers.analysis.countries import country_name

    others = imports[(imports["partner"] != "WLD") & (imports["coverage"] == "goods")]
    rows = [
        {"year": int(r.year), "partner": r.partner, "value": float(r.value), "source": f"{r.stated_by} · {r.publisher}"}
        for r in others.itertuples()
    ]
    num = numerators(trade)
    num = num[(num["coverage"] == "goods")]
    rows += [
        {"year": int(r.year), "partner": "IRN", "value": float(r.iran_value), "source": r.iran_source}
        for r in num.itertuples()
    ]
    frame = pd.DataFrame(rows)
    agg = (
        frame.groupby(["year", "partner"])
        .agg(
            low=("value", "min"),
            high=("value", "max"),
            figures=("value", "size"),
            sources=("source", lambda s: "; ".join(sorted(set(s)))),
        )
        .reset_index()
    )
    counts = agg.groupby("year")["partner"].transform("size")
    agg = agg[counts >= min_suppliers].copy()
    agg["country"] = agg["partner"].map(country_name)
    agg["rank_by_high"] = agg.groupby("year")["high"].rank(ascending=False, method="min").astype(int)
    return agg.sort_values(["year", "rank_by_high", "partner"]).reset_index(drop=True)


def range_summary(ranges: pd.DataFrame) -> dict:
    """The numbers every sentence about Iran's share quotes (notebook 02's title and finding, the 65% claim's
    reason): lowest and highest share over all years, the pairings counted, the first and last year, and the
    latest year's range."""
    latest = ranges[ranges["year"] == ranges["year"].max()]
    return {
        "low": float(ranges["low"].min()),
        "high": float(ranges["high"].max()),
        "pairings": int(ranges["pairings"].sum()),
        "first": int(ranges["year"].min()),
        "last": int(ranges["year"].max()),
        "latest_low": float(latest["low"].min()),
        "latest_high": float(latest["high"].max()),
    }

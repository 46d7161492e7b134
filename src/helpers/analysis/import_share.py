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
    rows = trade[
        trade["flow"].isin(NUMERATOR_FLOWS)
        & (trade["calendar"] == "gregorian")
        & ~trade["partial"]
        & trade["coverage"].isin(["goods", "goods_and_services"])
    ]
    reported = pd.DataFrame(
        {
            "year": rows["year"].astype(int),
            "coverage": rows["coverage"],
            "iran_value": rows["value"].astype(float),
            "iran_bound": rows["bound"],
            "iran_source": rows["stated_by"] + " · " + rows["publisher"],
            "iran_record": rows["record_id"],
            "iran_status": rows["status"],
            "iran_repeats": counting.repeats(rows),
            "iran_stated_by": rows["stated_by"],
            "iran_publisher": rows["publisher"],
            "iran_published": rows["published"],
            "estimate": False,
        }
    )
    est = volume.calendar_year_estimates(volume.preferred(trade, "iran_exports_to_iraq", "iranian"))
    estimated = pd.DataFrame(
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
    return pd.concat([reported, estimated], ignore_index=True)


@or_unanswered
def pairings(trade: pd.DataFrame, imports: pd.DataFrame) -> pd.DataFrame:
    """Every numerator–denominator pairing with the same year and coverage, with the share it implies."""
    return pair_up(numerators(trade), imports)


def pair_up(num: pd.DataFrame, imports: pd.DataFrame) -> pd.DataFrame:
    """:func:`pairings` from numerators already computed (:func:`numerators`)."""
    den = imports[imports["partner"] == "WLD"]
    den = pd.DataFrame(
        {
            "year": den["year"].astype(int),
            "coverage": den["coverage"],
            "iraq_total": den["value"].astype(float),
            "total_bound": den["bound"],
            "total_source": den["stated_by"] + " · " + den["publisher"],
            "total_record": den["record_id"],
            "total_quality": den["quality"],
            "total_status": den["status"],
            "total_repeats": counting.repeats(den),
            "total_stated_by": den["stated_by"],
            "total_publisher": den["publisher"],
            "total_published": den["published"],
        }
    )
    pairs = num.merge(den, on=["year", "coverage"], how="inner")
    pairs["share"] = pairs["iran_value"] / pairs["iraq_total"]
    pairs["share_is"] = _share_bounds(pairs)
    pairs["left_out_because"] = _left_out_because(pairs)
    pairs["in_range"] = pairs["left_out_because"] == ""
    pairs = pairs.drop(columns=["iran_repeats", "total_repeats"])
    return pairs.sort_values(["year", "share", "iran_record", "total_record"]).reset_index(drop=True)


def _share_bounds(pairs: pd.DataFrame) -> pd.Series:
    """What each share is: a lower-bound numerator gives a lower bound, a lower-bound or partial total an
    upper bound, both nothing; otherwise approximate or as computed."""
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
    used = pairs[pairs["in_range"]]
    g = used.groupby(["year", "coverage"])
    out = g.agg(
        low=("share", "min"), high=("share", "max"), pairings=("share", "size"), estimates=("estimate", "sum")
    ).reset_index()
    out["estimates"] = out["estimates"].astype(int)
    left_out = pairs[~pairs["in_range"]].groupby(["year", "coverage"]).size().rename("left_out")
    out = out.merge(left_out, left_on=["year", "coverage"], right_index=True, how="left")
    out["left_out"] = out["left_out"].fillna(0).astype(int)
    return out


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

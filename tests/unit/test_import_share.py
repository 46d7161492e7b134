"""Iran's share of Iraq's imports: pairing rule, bounds and ranges."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import import_share
from tests.fixtures import rows


def imports(*specs, quality="ok"):
    recs = [
        {
            "record_id": f"i{k}",
            "partner": p,
            "year": y,
            "coverage": cov,
            "value": v,
            "bound": b,
            "stated_by": "international",
            "publisher": f"pub{k}",
            "quality": quality,
            "status": "confirmed",
            "published": pd.NaT,
            "statement_id": f"t{k}",
        }
        for k, (p, y, cov, v, b) in enumerate(specs)
    ]
    return pd.DataFrame(recs)


def test_pairs_same_year_and_coverage_only():
    t = rows(
        ("iran_exports_to_iraq", "gregorian", 2019, 1, 12, 9e9, "exact", "iranian_customs"),
        ("iraq_imports_from_iran", "gregorian", 2019, 1, 12, 8e9, "exact", "iraqi_research"),
    )
    im = imports(
        ("WLD", 2019, "goods", 30e9, "exact"),
        ("WLD", 2019, "goods_and_services", 60e9, "exact"),
        ("WLD", 2020, "goods", 20e9, "exact"),
        ("TUR", 2019, "goods", 10e9, "exact"),
    )
    p = import_share.pairings(t, im)
    assert len(p) == 2  # both numerators with the goods total of 2019; not with services, other years or suppliers
    assert sorted(p["share"]) == pytest.approx([8 / 30, 9 / 30])
    r = import_share.share_ranges(p).iloc[0]
    assert (r["low"], r["high"], r["pairings"]) == (pytest.approx(8 / 30), pytest.approx(0.3), 2)


def test_bounds_carry_into_the_share():
    t = rows(
        ("iran_exports_to_iraq", "gregorian", 2023, 1, 12, 10e9, "lower", "iranian_customs"),
        ("iraq_imports_from_iran", "gregorian", 2023, 1, 12, 9e9, "exact", "iraqi_research"),
    )
    im = imports(("WLD", 2023, "goods", 67e9, "lower"), ("WLD", 2023, "goods", 95e9, "exact"))
    p = import_share.pairings(t, im).set_index(["iran_value", "iraq_total"])["share_is"]
    assert p[(10e9, 95e9)] == "lower bound"
    assert p[(9e9, 67e9)] == "upper bound"
    assert p[(10e9, 67e9)].startswith("unbounded")
    assert p[(9e9, 95e9)] == "as computed"


def test_calendar_estimates_enter_as_marked_numerators():
    t = rows(
        ("iran_exports_to_iraq", "iranian", 1400, 1, 12, 8e9, "exact", "iranian_customs"),
        ("iran_exports_to_iraq", "iranian", 1401, 1, 12, 10e9, "exact", "iranian_customs"),
    )
    n = import_share.numerators(t)
    assert list(n["year"]) == [2022]
    assert bool(n.iloc[0]["estimate"]) is True


def test_partial_and_unspecified_figures_are_not_numerators():
    t = rows(
        ("iran_exports_to_iraq", "gregorian", 2019, 1, 6, 4e9, "exact", "iranian_customs"),
        ("iran_exports_to_iraq", "gregorian", 2020, 1, 12, 4e9, "exact", "media", "unspecified"),
    )
    assert import_share.numerators(t).empty


def test_supplier_ranking_needs_enough_suppliers_and_names_countries():
    t = rows(("iraq_imports_from_iran", "gregorian", 2023, 1, 12, 9.3e9, "exact", "iraqi_research"))
    im = imports(
        ("ARE", 2023, "goods", 23e9, "approx"),
        ("TUR", 2023, "goods", 12.8e9, "approx"),
        ("TUR", 2023, "goods", 12e9, "approx"),
        ("CHN", 2022, "goods", 14e9, "exact"),
    )
    r = import_share.suppliers(t, im, min_suppliers=3)
    assert list(r["partner"]) == ["ARE", "TUR", "IRN"]
    assert list(r["rank_by_high"]) == [1, 2, 3]
    assert r.set_index("partner").loc["TUR", "low"] == 12e9 and r.set_index("partner").loc["TUR", "figures"] == 2
    assert r.set_index("partner").loc["ARE", "country"] == "United Arab Emirates"
    assert import_share.suppliers(t, im, min_suppliers=4).empty


def test_range_leaves_out_upper_bounds_and_doubtful_totals():
    t = rows(("iraq_imports_from_iran", "gregorian", 2023, 1, 12, 9e9, "exact", "iraqi_research"))
    im = pd.concat(
        [
            imports(("WLD", 2023, "goods", 90e9, "exact")),
            imports(("WLD", 2023, "goods", 30e9, "approx"), quality="partial_coverage"),
            imports(("WLD", 2023, "goods", 60e9, "lower")),
        ],
        ignore_index=True,
    )
    im["record_id"] = ["a", "b", "c"]
    p = import_share.pairings(t, im).set_index("total_record")
    assert bool(p.loc["a", "in_range"]) and not p.loc["b", "in_range"] and not p.loc["c", "in_range"]
    assert p.loc["b", "share_is"] == "upper bound"  # partial coverage: the total is a lower bound
    r = import_share.share_ranges(import_share.pairings(t, im)).iloc[0]
    assert (r["low"], r["high"], r["pairings"], r["left_out"]) == (pytest.approx(0.1), pytest.approx(0.1), 1, 2)

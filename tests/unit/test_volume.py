"""Series building and growth arithmetic of notebook 01, on small hand-made fixtures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.analysis import volume
from tests.fixtures import rows

EXP = "iran_exports_to_iraq"
IMP = "iran_imports_from_iraq"


def test_partial_periods_never_enter_annual_series():
    t = rows(
        (EXP, "iranian", 1401, 1, 12, 10e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1402, 1, 6, 5e9, "exact", "iranian_customs"),
    )
    assert list(volume.full_years(t, EXP)["year"]) == [1401]
    assert list(volume.partial_periods(t, EXP)["year"]) == [1402]
    assert list(volume.preferred(t, EXP)["year"]) == [1401]


def test_preference_rule_body_then_coverage_then_publication_never_the_bound():
    t = rows(
        (EXP, "iranian", 1400, 1, 12, 9.0e9, "exact", "chamber"),
        (EXP, "iranian", 1400, 1, 12, 8.9e9, "approx", "iranian_customs"),
        (EXP, "iranian", 1401, 1, 12, 10e9, "lower", "trade_promotion"),
        (EXP, "iranian", 1401, 1, 12, 10.2e9, "exact", "trade_promotion"),
        (EXP, "iranian", 1397, 1, 12, 13e9, "exact", "iranian_customs", "goods_and_services"),
        (EXP, "iranian", 1397, 1, 12, 9e9, "exact", "media"),
        (EXP, "iranian", 1398, 1, 12, 6e9, "exact", "chamber", "goods_and_services"),
        (EXP, "iranian", 1398, 1, 12, 5e9, "approx", "chamber"),
    )
    t.loc[2, "published"] = pd.Timestamp("2023-05-01")  # the later page revises the earlier one
    t.loc[3, "published"] = pd.Timestamp("2023-01-01")
    pref = volume.preferred(t, EXP).set_index("year")
    assert pref.loc[1400, "value"] == 8.9e9  # customs measured it: beats the chamber's exact figure
    assert pref.loc[1401, "value"] == 10e9  # same body and coverage: the later page, though "over"
    assert pref.loc[1397, "value"] == 13e9  # who measured it comes before coverage
    assert pref.loc[1398, "value"] == 5e9  # same body: goods before goods and services


def test_a_repeated_statement_counts_once_and_unconfirmed_rows_never():
    t = rows(
        (EXP, "iranian", 1398, 1, 12, 9e9, "approx", "chamber"),
        (EXP, "iranian", 1398, 1, 12, 9e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1399, 1, 12, 7e9, "exact", "iranian_customs", "goods", "unknown", "unconfirmed"),
    )
    t.loc[0, "statement_id"] = t.loc[1, "statement_id"]
    pref = volume.preferred(t, EXP)
    assert list(pref["year"]) == [1398]  # the unconfirmed 1399 figure is shown elsewhere, never counted
    assert pref.iloc[0]["record_id"] == "r1"  # the statement's row by the body that measured it


def test_confirmed_beats_unconfirmed():
    t = rows(
        (EXP, "iranian", 1399, 1, 12, 7.3e9, "exact", "iranian_customs", "goods", "unknown", "unconfirmed"),
        (EXP, "iranian", 1399, 1, 12, 7.4e9, "lower", "chamber", "goods", "unknown", "confirmed"),
    )
    assert volume.preferred(t, EXP).iloc[0]["value"] == 7.4e9


def test_calendars_are_never_mixed():
    t = rows(
        (EXP, "iranian", 1401, 1, 12, 10e9, "exact", "iranian_customs"),
        (EXP, "gregorian", 2022, 1, 12, 9e9, "exact", "mirror_data"),
    )
    assert list(volume.preferred(t, EXP, "iranian")["calendar"]) == ["iranian"]
    assert list(volume.preferred(t, EXP, "gregorian")["calendar"]) == ["gregorian"]


def test_two_way_sums_exports_and_imports_and_keeps_weaker_bound():
    t = rows(
        (EXP, "iranian", 1401, 1, 12, 10e9, "lower", "trade_promotion"),
        (IMP, "iranian", 1401, 1, 12, 0.2e9, "approx", "iranian_customs"),
    )
    tw = volume.two_way(t)
    assert len(tw) == 1
    assert tw.iloc[0]["value"] == 10.2e9
    assert tw.iloc[0]["bound"] == "approx"  # a lower bound plus an approximate value is no longer a bound
    t.loc[1, "bound"] = "exact"
    assert volume.two_way(t).iloc[0]["bound"] == "lower"
    assert tw.iloc[0]["stated_by"] == "trade_promotion"
    assert tw.iloc[0]["method"] == "exports + imports"


def test_two_way_needs_both_directions_for_the_same_full_period():
    t = rows(
        (EXP, "iranian", 1401, 1, 12, 10e9, "exact", "iranian_customs"),
        (IMP, "iranian", 1402, 1, 12, 0.2e9, "exact", "iranian_customs"),
    )
    assert volume.two_way(t).empty


def test_calendar_year_estimate_weights_by_days_and_needs_both_years():
    t = rows(
        (EXP, "iranian", 1400, 1, 12, 8e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1401, 1, 12, 10e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1403, 1, 12, 12e9, "exact", "iranian_customs"),
    )
    est = volume.calendar_year_estimates(volume.preferred(t, EXP))
    assert list(est["year"]) == [2022]  # 2023 and 2024 lack 1402: no estimate
    w1401 = 286 / 365  # 21 Mar to 31 Dec 2022
    assert est.iloc[0]["value"] == pytest.approx(8e9 * (1 - w1401) + 10e9 * w1401, rel=1e-3)
    assert bool(est.iloc[0]["estimate"]) is True


def test_growth_arithmetic():
    assert volume.cagr(100, 121, 2) == pytest.approx(0.10)
    assert volume.required_growth(10e9, 20e9, 2022, 2030) == pytest.approx(2 ** (1 / 8) - 1)
    assert volume.year_reached(10e9, 2022, 20e9, 0.10) == pytest.approx(2022 + math.log(2) / math.log(1.1))
    assert volume.year_reached(10e9, 2022, 20e9, 0.0) is None
    assert volume.year_reached(25e9, 2022, 20e9, 0.0) == 2022
    assert volume.project(10e9, 2022, 2024, 0.1) == pytest.approx(12.1e9)
    with pytest.raises(ValueError):
        volume.required_growth(10e9, 20e9, 2030, 2030)
    with pytest.raises(ValueError):
        volume.cagr(0, 10, 1)


def test_sensitivity_table_shape_and_values():
    grid = volume.sensitivity(10e9, 2022, [2024, 2030], [0.0, 0.1])
    assert list(grid.columns) == ["2024", "2030"]
    assert list(grid.index) == ["0.0%", "10.0%"]
    assert grid.loc["10.0%", "2024"] == 12.1
    assert grid.loc["0.0%", "2030"] == 10.0


def test_historical_growth_leaves_gaps_alone():
    t = rows(
        (EXP, "iranian", 1397, 1, 12, 9e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1402, 1, 12, 10e9, "lower", "iranian_customs"),
    )
    s = volume.preferred(t, EXP)
    g = volume.historical_growth(s, 5)
    assert g.rate == pytest.approx((10 / 9) ** 0.2 - 1)
    assert g.lower_bound_end is True
    assert volume.historical_growth(s, 3) is None  # 1399 missing: not interpolated


def test_base_value_prefers_gregorian_then_estimate_then_iranian_year():
    t = rows(
        (EXP, "iranian", 1400, 1, 12, 8e9, "exact", "iranian_customs"),
        (IMP, "iranian", 1400, 1, 12, 1e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1401, 1, 12, 10e9, "exact", "iranian_customs"),
        (IMP, "iranian", 1401, 1, 12, 1e9, "exact", "iranian_customs"),
    )
    tw = volume.two_way(t)
    assert "estimate" in volume.base_value(tw, 2022)["how"]
    assert "begins in 2021" in volume.base_value(tw, 2021)["how"]
    assert volume.base_value(tw, 2010) is None
    greg = rows(("two_way", "gregorian", 2022, 1, 12, 15e9, "exact", "iraqi_government"))
    assert volume.base_value(tw, 2022, volume.two_way(greg, "gregorian"))["value"] == 15e9


def test_energy_pairs_from_the_same_page():
    t = rows(
        (EXP, "iranian", 1401, 1, 8, 4.665e9, "exact", "trade_promotion", "goods", "included"),
        (EXP, "iranian", 1401, 1, 8, 4.305e9, "exact", "trade_promotion", "goods", "excluded"),
    )
    t.loc[1, "source_url"] = t.loc[0, "source_url"]
    pairs = volume.energy_pairs(t)
    assert len(pairs) == 1
    assert pairs.iloc[0]["energy_share"] == pytest.approx(1 - 4.305 / 4.665)


def test_chart_data_draws_only_chosen_bodies_and_no_partials():
    t = rows(
        (EXP, "iranian", 1401, 1, 12, 10e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1401, 1, 12, 9e9, "exact", "chamber"),
        (EXP, "iranian", 1402, 1, 5, 4e9, "exact", "iranian_customs"),
        ("two_way", "unstated", 2024, None, None, 10e9, "lower", "iraqi_government"),
    )
    drawn = volume.chart_data(t, ["iranian_customs", "iraqi_government"])
    assert set(drawn["stated_by"]) == {"iranian_customs", "iraqi_government"}
    assert len(drawn) == 2


def test_combining_bounds():
    assert volume.combine_bounds(["exact", "exact"]) == "exact"
    assert volume.combine_bounds(["exact", "lower"]) == "lower"
    assert volume.combine_bounds(["lower", "approx"]) == "approx"  # an approximate part: no longer a bound
    t = rows(
        (EXP, "iranian", 1400, 1, 12, 9e9, "approx", "chamber"),
        (EXP, "iranian", 1401, 1, 12, 10e9, "lower", "trade_promotion"),
    )
    assert volume.calendar_year_estimates(volume.preferred(t, EXP)).iloc[0]["bound"] == "approx"

"""Sentences stating the findings, from small frames: titles, lines and findings."""

from __future__ import annotations

import pandas as pd

from helpers.analysis import headlines, volume
from helpers.answers import Unanswered
from tests.fixtures import rows

EXP = "iran_exports_to_iraq"
IMP = "iran_imports_from_iraq"


def test_volume_title_states_the_latest_export_figure_against_the_target():
    trade = rows(
        (EXP, "iranian", 1400, 1, 12, 8e9, "exact", "iranian_customs"),
        (EXP, "iranian", 1401, 1, 12, 9e9, "lower", "chamber"),
    )
    title = headlines.volume_title(volume.preferred(trade, EXP), 20e9)
    assert title.startswith("Iran's exports to Iraq alone reached over $9.0bn in 1401: at least 45% of the $20bn")


def test_lines_of_the_target_arithmetic_follow_the_bound_of_the_base():
    base = {"value": 10e9, "bound": "lower", "how": "reported for calendar year 2022"}
    need = volume.required_growth(10e9, 20e9, 2022, 2030)
    assert headlines.base_line(base, "reported figures", 2022) == (
        "Base (reported figures): over $10.00bn in 2022 (reported for calendar year 2022)."
    )
    assert headlines.target_line(base, need, 20e9, 2022, 2030).startswith("Reaching $20bn by 2030 takes at most 9.1%")
    above = {"value": 25e9, "bound": "exact", "how": "x"}
    assert headlines.target_line(above, -0.02, 20e9, 2022, 2030).endswith("no growth is needed.")
    assert headlines.need_phrase(base, need) == "needs at most 9.1% a year"


def test_growth_and_reached_lines_say_when_a_rate_is_missing():
    assert "growth not computed" in headlines.growth_line("two-way trade", None, 5)
    assert headlines.reached_line({"value": 10e9}, 2022, 20e9, None) is None
    g = volume.Growth("1396", "1401", 5e9, 10e9, 5, volume.cagr(5e9, 10e9, 5))
    assert headlines.growth_line("exports", g, 5) == "exports: 14.9% a year from 1396 to 1401."
    assert headlines.reached_line({"value": 10e9}, 2022, 20e9, g) == (
        "At 14.9% a year from the 2022 base, $20bn is reached around 2027."
    )


def test_an_unanswered_input_is_handed_on_by_every_headline():
    gap = Unanswered("no base")
    assert headlines.base_line(gap, "x", 2022) is gap
    assert headlines.reported_volume_finding(gap, gap, gap, gap, 2022, 20e9, 2030) is gap
    assert headlines.official_volume_finding("baci", "Iran–Iraq", gap, gap, 2022, 20e9, 2030) is gap
    assert headlines.share_title(gap) is gap


def test_share_title_compares_the_range_with_the_report():
    ranges = pd.DataFrame({"low": [0.1, 0.12], "high": [0.15, 0.17]})
    assert headlines.share_title(ranges).endswith(
        "10%–17% of Iraq's goods imports in the usable pairings, below the report's 65%"
    )
    assert "up to" in headlines.share_title(pd.DataFrame({"low": [0.5], "high": [0.7]}))


def test_claims_finding_counts_every_rating_names_the_failed_and_counts_later_evidence():
    verdicts = pd.DataFrame(
        {
            "claim_id": ["c1", "c2", "c3", "c4"],
            "rating": ["consistent", "inconsistent", "misleading", "consistent"],
            "evidence_after_as_of": [0, 0, 2, 1],
        }
    )
    text = headlines.claims_finding(verdicts, "2024-09-03", object(), "Iran–Iraq")
    assert text == (
        "Judged at 2024-09-03 (the report's date), each claim rated as written: of 4 claims, "
        "2 consistent, 0 mixed, 0 unverifiable, 1 misleading, 1 inconsistent; misleading: c3; inconsistent: c2; "
        "2 ratings use evidence published after it."
    )
    other = headlines.claims_finding(verdicts.iloc[[0]], "2025-01-01", None, "Türkiye–Iraq")
    assert (
        other == "Judged at 2025-01-01, for Türkiye–Iraq: of 1 claim, 1 consistent, 0 mixed, 0 unverifiable, "
        "0 misleading, 0 inconsistent."
    )


def test_share_range_phrase_gives_every_year_and_the_latest():
    ranges = pd.DataFrame(
        {"year": [2019, 2023, 2023], "low": [0.1, 0.12, 0.13], "high": [0.15, 0.17, 0.14], "pairings": [1, 2, 1]}
    )
    assert headlines.share_range_phrase(ranges) == (
        "10%–17% of Iraq's imports in 4 usable pairings, 2019–2023 (2023: 12%–17%)"
    )


def test_supplier_rank_line_gives_the_rank_among_that_years_suppliers():
    ranking = pd.DataFrame({"year": [2021, 2021, 2021], "partner": ["CHN", "IRN", "TUR"], "rank_by_high": [1, 3, 2]})
    assert headlines.supplier_rank_line(ranking) == "Iran's rank by value among sourced suppliers: 2021: 3 of 3"


def test_official_title_without_two_way_figures_states_no_level():
    empty = pd.DataFrame(columns=["year", "value"])
    assert headlines.official_title("Türkiye–Iraq", empty) == "Türkiye–Iraq trade in official statistics"
    one = pd.DataFrame({"year": [2022], "value": [5.1e9]})
    assert headlines.official_title("Türkiye–Iraq", one).endswith(": $5.1bn both ways in 2022")


def test_a_target_at_or_below_the_base_is_said_to_be_reached_already():
    g = volume.Growth("1396", "1401", 5e9, 10e9, 5, volume.cagr(5e9, 10e9, 5))
    line = headlines.reached_line({"value": 10e9}, 2022, 1.0, g)
    assert line == "The 2022 base is already at or above $1, whatever the rate."


def test_supplier_rank_line_says_why_no_rank_is_given():
    none = pd.DataFrame({"year": [], "partner": [], "rank_by_high": []})
    assert "no year has enough sourced suppliers" in headlines.supplier_rank_line(none)
    others = pd.DataFrame({"year": [2021, 2021, 2021], "partner": ["CHN", "SAU", "TUR"], "rank_by_high": [1, 3, 2]})
    assert "Iran is in none of the years ranked" in headlines.supplier_rank_line(others)


def test_timeline_finding_over_one_year_names_its_one_event_and_one_figure():
    from helpers import evidence
    from helpers.analysis import timeline

    pair = evidence.load("IRN", "IRQ", "reported", "")
    events = pair.events()
    iranian, gregorian = pair.primary.exports("iranian"), pair.primary.exports("gregorian")
    start, end = "2016-11-01", "2016-11-30"
    shown = timeline.select(events, start, end, ["security"])
    trade = timeline.trade_beside(timeline.in_span(gregorian, start, end), timeline.in_span(iranian, "2015-01-01", end))
    finding = headlines.timeline_finding(pair, events, shown.head(1), trade.tail(1), "", "reported")
    assert ": 1 sourced event from 2016 to 2016;" in finding
    assert "the one preferred figure of exports IRN→IRQ (reported) in the same span is $" in finding
    assert " go from " not in finding


def test_one_year_to_the_target_is_one_year():
    line = headlines.target_line({"bound": None}, 0.5, 20e9, 2023, 2024)
    assert line == "Reaching $20bn by 2024 takes 50.0% growth a year for 1 year."


def test_timeline_caption_and_alt_name_the_pair_and_draw_phases_only_when_there_are_any():
    from helpers.analysis import timeline

    events = pd.DataFrame({"category": ["economic", "energy", "economic"]})
    none = timeline.shading(evidence_unanswered())
    caption = headlines.timeline_caption("Türkiye", "Iraq", none)
    assert "figures of Türkiye's exports to Iraq" in caption and "Shading" not in caption
    assert caption.endswith("source). Labels name selected events.")
    assert headlines.timeline_alt(events, none, "2020-01-01") == (
        "Two stacked panels sharing a time axis from 2020: trade bars above, event dots in 2 category lanes below."
    )
    phases = pd.DataFrame({"label": ["a"], "start": [pd.Timestamp("2003-01-01")], "end": [pd.Timestamp("2010-01-01")]})
    assert "Shading marks the phases; labels name" in headlines.timeline_caption("Iran", "Iraq", phases)
    assert headlines.timeline_alt(events, phases, "2003-01-01").endswith("below, with shaded phases.")


def evidence_unanswered():
    from helpers.answers import Unanswered

    return Unanswered("no phases for this pair")


def test_the_energy_line_keeps_each_share_s_bound():
    effect = pd.DataFrame({"energy_share": [0.11, 0.65], "energy_bound": ["exact", "lower"]})
    assert headlines.energy_line(effect, 1).startswith("2 breakdowns itemise energy, at 11%, over 65% of their totals")

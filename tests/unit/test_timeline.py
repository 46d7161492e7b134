"""Timeline selection, phases and growth within phases."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import timeline
from helpers.errors import DataError
from helpers.tables import curated
from tests.fixtures import rows


def events():
    return pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4"],
            "date": pd.to_datetime(["2003-03-20", "2014-06-13", "2016-11-26", "2024-09-11"]),
            "category": ["security", "security", "political", "diplomatic"],
            "title": ["invasion", "fatwa", "PMF law", "visit"],
            "status": ["confirmed", "confirmed", "unconfirmed", "confirmed"],
        }
    )


PHASES = pd.DataFrame(
    {
        "phase_id": ["p1", "p2"],
        "label": ["one", "two"],
        "start": pd.to_datetime(["2003-03-20", "2014-06-13"]),
        "end": pd.to_datetime(["2014-06-13", "2025-12-31"]),
        "start_event": ["e1", "e2"],
    }
)


def test_select_filters_dates_and_categories():
    ev = events()
    assert list(timeline.select(ev, "2010-01-01", "2020-12-31", ["security", "political"])["event_id"]) == ["e2", "e3"]
    assert list(timeline.select(ev, "2003-03-20", "2003-03-20", ["security"])["event_id"]) == ["e1"]  # inclusive bounds


def test_phase_boundary_day_opens_the_later_phase():
    assert timeline.phase_of(pd.Timestamp("2014-06-13"), PHASES) == "p2"
    assert timeline.phase_of(pd.Timestamp("2014-06-12"), PHASES) == "p1"
    assert timeline.phase_of(pd.Timestamp("2030-01-01"), PHASES) is None


def test_growth_within_each_phase_uses_first_and_last_year_by_midpoint():
    s = rows(
        ("iran_exports_to_iraq", "iranian", 1394, 1, 12, 6e9, "exact", "iranian_customs"),
        ("iran_exports_to_iraq", "iranian", 1397, 1, 12, 9e9, "exact", "iranian_customs"),
        ("iran_exports_to_iraq", "iranian", 1402, 1, 12, 10e9, "lower", "iranian_customs"),
    )
    g = timeline.phase_growth(s, PHASES).set_index("phase")
    assert g.loc["one", "years_with_figures"] == 0 and g.loc["one", "caveat"] == "no full-year figure in this phase"
    assert g.loc["two", "annual_growth"] == pytest.approx((10 / 6) ** (1 / 8) - 1)
    assert g.loc["two", "caveat"] == "an end point is a lower bound"


def test_one_year_in_a_phase_gives_no_growth():
    s = rows(("iran_exports_to_iraq", "iranian", 1394, 1, 12, 6e9, "exact", "iranian_customs"))
    g = timeline.phase_growth(s, PHASES).set_index("phase")
    assert pd.isna(g.loc["two", "annual_growth"]) and g.loc["two", "caveat"] == "one year only: no growth"


def test_phases_must_start_at_known_events(data_copy):
    ev = curated.load_events(data_copy / "events.csv")
    path = data_copy / "phases.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("e-2011-12-18-us-withdrawal", "e-missing"), encoding="utf-8"
    )
    with pytest.raises(DataError, match="line 3, column 'start_event'.*not an event_id"):
        curated.load_phases(ev, path)


def test_shipped_timeline_has_enough_sourced_events():
    ev = curated.load_events()
    assert len(ev) >= 35
    assert (ev["status"] == "confirmed").sum() >= 35
    assert ev["date"].min().year == 2003
    assert set(ev["category"]) == set(timeline.CATEGORY_ORDER)

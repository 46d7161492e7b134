"""Influence timeline: dated, sourced events in category lanes, shaded phases, and trade beside them.

Trade growth within a phase is a description of what happened in the same years, not a cause:
co-occurrence is not causation, and many other things changed in each phase.
"""

from __future__ import annotations

import pandas as pd

from helpers.answers import Unanswered, is_answered, or_unanswered
from helpers.tables.specs import EVENT_CATEGORIES

CATEGORY_ORDER = EVENT_CATEGORIES  # lanes in the order the data dictionary lists the categories


#: Columns of the phases table, for a pair without phases (nothing shaded).
PHASE_COLUMNS = ["phase_id", "label", "start", "end", "start_event", "description"]
#: Columns of the trade drawn beside the events when there is none.
TRADE_COLUMNS = ["start", "end", "value", "bound", "calendar", "period", "year"]


@or_unanswered
def select(events: pd.DataFrame, start: str, end: str, categories: list[str]) -> pd.DataFrame | Unanswered:
    """Events between ``start`` and ``end`` (inclusive) in the chosen categories, in date order."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    chosen = events[(events["date"] >= lo) & (events["date"] <= hi) & events["category"].isin(categories)]
    if chosen.empty:
        return Unanswered(f"No events between {start} and {end} in the chosen categories.")
    return chosen.sort_values(["date", "event_id"]).reset_index(drop=True)


def shading(phases: pd.DataFrame | Unanswered) -> pd.DataFrame:
    """The phases to shade on the chart: none (an empty table) for a pair without phases."""
    if is_answered(phases):
        return phases
    return pd.DataFrame(
        {c: pd.Series(dtype="datetime64[ns]" if c in ("start", "end") else object) for c in PHASE_COLUMNS}
    )


@or_unanswered
def in_span(series: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """The figures of a series whose period overlaps ``start``–``end``."""
    if series.empty:
        return series
    return series[(series["end"] >= pd.Timestamp(start)) & (series["start"] <= pd.Timestamp(end))]


def calendars_drawn(trade: pd.DataFrame | None) -> set[str]:
    """The calendars of the trade figures drawn beside the events; both when none are (the legend and caption
    then name both)."""
    return set(trade["calendar"]) if trade is not None and len(trade) else {"iranian", "gregorian"}


def trade_beside(*series: pd.DataFrame | Unanswered) -> pd.DataFrame:
    """The trade figures drawn above the events: every series given that has figures, in date order
    (calendars stay separate series in the frame; an unanswered series adds nothing)."""
    parts = [s for s in series if is_answered(s) and len(s)]
    if not parts:
        return pd.DataFrame(columns=TRADE_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values("start").reset_index(drop=True)


def phase_of(date: pd.Timestamp, phases: pd.DataFrame) -> str | None:
    """The phase containing ``date`` (phases are half-open: a boundary day opens the later phase)."""
    import numpy as np

    if pd.isna(date):
        return None
    day = pd.Timestamp(date).to_datetime64()
    # plain arrays: this runs once per event, and boolean indexing of the frame costs ~1 ms a call
    inside = (phases["start"].to_numpy() <= day) & (day < phases["end"].to_numpy() + np.timedelta64(1, "D"))
    hits = np.flatnonzero(inside)
    return None if hits.size == 0 else str(phases["phase_id"].iloc[hits[-1]])


@or_unanswered
def phase_growth(series: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    """Compound growth of a preferred annual series within each phase.

    Each year is placed in the phase holding its mid-point. Growth is computed between the first and
    last year of a phase when both exist (at least two years apart from each other); otherwise it is
    left missing. Lower-bound end points are flagged.
    """
    from helpers.analysis.volume import cagr

    s = series.copy()
    s["mid"] = s["start"] + (s["end"] - s["start"]) / 2
    s["phase_id"] = [phase_of(m, phases) for m in s["mid"]]
    rows = []
    for ph in phases.itertuples():
        part = s[s["phase_id"] == ph.phase_id].sort_values("start")
        row = {
            "phase": ph.label,
            "from": ph.start.date(),
            "to": ph.end.date(),
            "years_with_figures": len(part),
            "first": None,
            "last": None,
            "annual_growth": float("nan"),
            "caveat": "",
        }
        if len(part):
            first, last = part.iloc[0], part.iloc[-1]
            row["first"] = f"{first['period'].split(' (')[0]}: {first['value'] / 1e9:.2f}bn"
            row["last"] = f"{last['period'].split(' (')[0]}: {last['value'] / 1e9:.2f}bn"
            years = int(last["year"] - first["year"])
            if years >= 1:
                row["annual_growth"] = cagr(float(first["value"]), float(last["value"]), years)
                if "lower" in (first["bound"], last["bound"]):
                    row["caveat"] = "an end point is a lower bound"
            else:
                row["caveat"] = "one year only: no growth"
        else:
            row["caveat"] = "no full-year figure in this phase"
        rows.append(row)
    return pd.DataFrame(rows)


def lanes(events: pd.DataFrame) -> list[str]:
    """Category lanes present, in the fixed order."""
    return [c for c in CATEGORY_ORDER if c in set(events["category"])]


@or_unanswered
def growth_by_phase(phases: pd.DataFrame, iranian: pd.DataFrame, gregorian: pd.DataFrame) -> pd.DataFrame:
    """:func:`phase_growth` of the Iranian-year and the calendar-year series, one block each."""
    blocks = [phase_growth(iranian, phases).assign(series="Iranian years")]
    blocks.append(phase_growth(gregorian, phases).assign(series="calendar years"))
    return pd.concat(blocks, ignore_index=True)


def with_phase(events: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    """``events`` with the id of the phase each falls in."""
    return events.assign(phase=[phase_of(d, phases) for d in events["date"]])


@or_unanswered
def busiest_phase(events: pd.DataFrame, phases: pd.DataFrame) -> str | None:
    """The label of the phase holding most of ``events``; None without phases."""
    counts = with_phase(events, phases).groupby("phase").size()
    if not len(counts) or not len(phases):
        return None
    return str(phases.set_index("phase_id").loc[counts.idxmax(), "label"])


@or_unanswered
def events_by_phase(events: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    """Number of events per phase (rows, by label, in phase order) and category (columns)."""
    table = with_phase(events, phases).pivot_table(
        index="phase", columns="category", values="event_id", aggfunc="count", fill_value=0
    )
    table = table.reindex([p for p in phases["phase_id"] if p in table.index])
    table.index = [phases.set_index("phase_id").loc[p, "label"] for p in table.index]
    return table.reset_index(names="phase")

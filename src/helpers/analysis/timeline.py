"""Influence timeline: dated, sourced events in category lanes, shaded phases, and trade beside them.

Trade growth within a phase is a description of what happened in the same years, not a cause:
co-occurrence is not causation, and many other things changed in each phase.
"""

from __future__ import annotations

import pandas as pd

from helpers.errors import ParameterError
from helpers.tables import EVENT_CATEGORIES

CATEGORY_ORDER = EVENT_CATEGORIES  # lanes in the order the data dictionary lists the categories


def select(events: pd.DataFrame, start: str, end: str, categories: list[str]) -> pd.DataFrame:
    """Events between ``start`` and ``end`` (inclusive) in the chosen categories, in date order."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    chosen = events[(events["date"] >= lo) & (events["date"] <= hi) & events["category"].isin(categories)]
    return chosen.sort_values(["date", "event_id"]).reset_index(drop=True)


def check_annotate(events: pd.DataFrame, annotate: list[str]) -> None:
    """Refuse event ids that do not exist, naming a few that do."""
    unknown = [a for a in annotate if a not in set(events["event_id"])]
    if unknown:
        sample = ", ".join(events["event_id"].head(5))
        raise ParameterError(
            f"'annotate' names unknown event id(s) {', '.join(map(repr, unknown))}; ids look like: {sample} (see data/events.csv)"
        )


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

"""Influence timeline: dated, sourced events in category lanes, shaded phases, and trade beside them.

Trade growth within a phase is a description of what happened in the same years, not a cause:
co-occurrence is not causation, and many other things changed in each phase.
"""

from __future__ import annotations

import pandas as pd

from helpers.errors import DataError, ParameterError, Problem
from helpers.tables import EVENT_CATEGORIES

CATEGORY_ORDER = EVENT_CATEGORIES  # lanes in the order the data dictionary lists the categories


def load_events(path=None) -> pd.DataFrame:
    from helpers.tables import read_table

    return read_table("events", path, verify_checksum=path is None)


def load_phases(events: pd.DataFrame, path=None) -> pd.DataFrame:
    """Phases, each checked to start at an event of ``events``."""
    from helpers.paths import display_path
    from helpers.tables import SPECS, read_table

    phases = read_table("phases", path, verify_checksum=path is None)
    unknown = phases[~phases["start_event"].isin(events["event_id"])]
    if len(unknown):
        from helpers.paths import DATA_DIR

        shown = display_path(path) if path else display_path(DATA_DIR / SPECS["phases"].file)
        raise DataError(shown, [Problem("start_event is not an event_id of events.csv", line=int(i), column="start_event", value=v) for i, v in unknown["start_event"].items()])
    return phases.sort_values("start").reset_index(drop=True)


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
        raise ParameterError(f"'annotate' names unknown event id(s) {', '.join(map(repr, unknown))}; ids look like: {sample} (see data/events.csv)")


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
    from helpers.volume import cagr

    s = series.copy()
    s["mid"] = s["start"] + (s["end"] - s["start"]) / 2
    s["phase_id"] = [phase_of(m, phases) for m in s["mid"]]
    rows = []
    for ph in phases.itertuples():
        part = s[s["phase_id"] == ph.phase_id].sort_values("start")
        row = {"phase": ph.label, "from": ph.start.date(), "to": ph.end.date(), "years_with_figures": len(part), "first": None, "last": None, "annual_growth": float("nan"), "caveat": ""}
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


def plot_timeline(events: pd.DataFrame, phases: pd.DataFrame, trade: pd.DataFrame, annotate: list[str], start: str, end: str, title: str):
    """Two panels on one time axis: reported trade on top, events by category below, phases shaded."""
    import textwrap

    import matplotlib.pyplot as plt

    from helpers import charts

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(13, 8), sharex=True, gridspec_kw={"height_ratios": [1, 1.6], "hspace": 0.08})
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    shades = ["#F2F2F2", "#FFFFFF"]
    for i, ph in enumerate(phases.itertuples()):
        a, b = max(ph.start, lo), min(ph.end, hi)
        if a >= b:
            continue
        for ax in (top, bottom):
            ax.axvspan(a, b, color=shades[i % 2], zorder=0)
        import matplotlib.dates as mdates

        # wrapped to about the phase's width (~7 characters of 8-pt text per year at this size),
        # so that the labels of short neighbouring phases do not run into each other
        years = (b - a).days / 365.25
        label = textwrap.fill(ph.label, max(12, int(years * 7)), break_long_words=False)
        top.text(mdates.date2num(a + (b - a) / 2), 1.02, label, transform=top.get_xaxis_transform(), ha="center", va="bottom", fontsize=8, color="#333333")
    for row in trade.itertuples():
        greg = row.calendar == "gregorian"
        top.plot([row.start, row.end], [row.value, row.value], color="#555555" if greg else charts.PALETTE[0], lw=2 if greg else 4, ls=":" if greg else "-", solid_capstyle="butt")
        if row.bound == "lower":
            mid = row.start + (row.end - row.start) / 2
            top.annotate("", xy=(mid, row.value * 1.1), xytext=(mid, row.value), arrowprops={"arrowstyle": "->", "lw": 1})
    top.plot([], [], color=charts.PALETTE[0], lw=4, label="Iranian years")
    top.plot([], [], color="#555555", lw=2, ls=":", label="calendar years")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, title="preferred series", title_fontsize=8)
    charts.billions(top)
    top.set_ylabel("Iran's exports to Iraq\n(US$ bn a year, preferred series)")
    top.set_ylim(0, max(1.0, float(trade["value"].max()) * 1.25) if len(trade) else 1.0)
    names = lanes(events) or list(CATEGORY_ORDER)
    y = {c: i for i, c in enumerate(names)}
    for cat in names:
        ev = events[events["category"] == cat]
        conf = ev[ev["status"] == "confirmed"]
        unconf = ev[ev["status"] != "confirmed"]
        colour = charts.CATEGORY_COLOURS[cat]
        bottom.plot(conf["date"], [y[cat]] * len(conf), "o", color=colour, ms=7, label=f"{cat}")
        bottom.plot(unconf["date"], [y[cat]] * len(unconf), "o", mfc="white", color=colour, ms=7)
    for k, ev in enumerate(events[events["event_id"].isin(annotate)].itertuples()):
        dy = 0.35 if k % 2 == 0 else -0.35
        # A plain leader line from the label's near edge (relpos) to the dot: matplotlib's default
        # clips the line to the label's box with Bézier splitting on every draw, and there are three
        # draws per figure (tight box, PNG, SVG).
        above = dy > 0
        bottom.annotate(
            ev.title, (ev.date, y[ev.category]), xytext=(0, 14 if above else -14), textcoords="offset points", fontsize=7.5, ha="center", va="bottom" if above else "top",
            arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "#666666", "patchA": None, "shrinkA": 0, "shrinkB": 0, "relpos": (0.5, 0.0 if above else 1.0)},
        )
    bottom.set_yticks(range(len(names)), names)
    bottom.set_ylim(-0.8, len(names) - 0.2)
    bottom.invert_yaxis()
    bottom.set_xlim(lo, hi)
    bottom.set_xlabel("Date")
    bottom.set_ylabel("Event category")
    bottom.plot([], [], "o", mfc="white", color="#555555", label="unconfirmed at source")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    top.set_title(title, pad=34)
    return fig, (top, bottom)

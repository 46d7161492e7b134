"""The influence timeline: trade above, events in category lanes below, phases shaded."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.timeline import CATEGORY_ORDER, calendars_drawn, lanes
from helpers.answers import or_unanswered
from helpers.plots import marks, style
from helpers.present import bound_prefix


@or_unanswered
def plot_timeline(
    events: pd.DataFrame,
    phases: pd.DataFrame,
    trade: pd.DataFrame,
    annotate: list[str],
    start: str,
    end: str,
    title: str,
    flow: str = "Iran's exports to Iraq",
):
    """Two panels on one time axis: the pair's trade (``flow`` names it) on top, events by category below,
    phases shaded; the legend lists only the calendars drawn."""
    import textwrap

    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(13, 8), sharex=True, gridspec_kw={"height_ratios": [1, 1.6], "hspace": 0.08}
    )
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
        top.text(
            mdates.date2num(a + (b - a) / 2),
            1.02,
            label,
            transform=top.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            color="#333333",
        )
    for row in trade.itertuples():
        greg = row.calendar == "gregorian"
        (bar,) = top.plot(
            [row.start, row.end],
            [row.value, row.value],
            color="#555555" if greg else style.PALETTE[0],
            lw=2 if greg else 4,
            ls=":" if greg else "-",
            solid_capstyle="butt",
        )
        value = bound_prefix(row.bound) + marks.billions_text(row.value)
        body = style.BODY_LABELS.get(getattr(row, "stated_by", ""), getattr(row, "stated_by", ""))
        said = marks.joined(f"{flow}: {value}", getattr(row, "period", ""), body)
        marks.link_row(fig, bar, row, marks.joined(said, getattr(row, "publisher", "")))
        if row.bound == "lower":
            mid = row.start + (row.end - row.start) / 2
            top.annotate(
                "", xy=(mid, row.value * 1.1), xytext=(mid, row.value), arrowprops={"arrowstyle": "->", "lw": 1}
            )
    drawn = calendars_drawn(trade)
    if "iranian" in drawn:
        top.plot([], [], color=style.PALETTE[0], lw=4, label="Iranian years")
    if "gregorian" in drawn:
        top.plot([], [], color="#555555", lw=2, ls=":", label="calendar years")
    top.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
        frameon=False,
        title="preferred series",
        title_fontsize=8,
    )
    style.billions(top)
    top.set_ylabel(f"{flow}\n(US$ bn a year, preferred series)")
    top.set_ylim(0, max(1.0, float(trade["value"].max()) * 1.25) if len(trade) else 1.0)
    names = lanes(events) or list(CATEGORY_ORDER)
    y = {c: i for i, c in enumerate(names)}
    for cat in names:
        ev = events[events["category"] == cat]
        conf = ev[ev["status"] == "confirmed"]
        unconf = ev[ev["status"] != "confirmed"]
        colour = style.CATEGORY_COLOURS[cat]
        bottom.plot([], [], "o", color=colour, ms=7, label=f"{cat}")
        for part, look in ((conf, {}), (unconf, {"mfc": "white"})):
            for ev in part.itertuples():
                (dot,) = bottom.plot([ev.date], [y[cat]], "o", color=colour, ms=7, **look)
                when = pd.Timestamp(ev.date).strftime("%Y-%m-%d")
                marks.link_row(fig, dot, ev, marks.joined(ev.title, when, cat, ev.status, ev.publisher))
    for k, ev in enumerate(events[events["event_id"].isin(annotate)].itertuples()):
        dy = 0.35 if k % 2 == 0 else -0.35
        # A plain leader line from the label's near edge (relpos) to the dot: matplotlib's default
        # clips the line to the label's box with Bézier splitting on every draw, and there are three
        # draws per figure (tight box, PNG, SVG).
        above = dy > 0
        bottom.annotate(
            ev.title,
            (ev.date, y[ev.category]),
            xytext=(0, 14 if above else -14),
            textcoords="offset points",
            fontsize=7.5,
            ha="center",
            va="bottom" if above else "top",
            arrowprops={
                "arrowstyle": "-",
                "lw": 0.6,
                "color": "#666666",
                "patchA": None,
                "shrinkA": 0,
                "shrinkB": 0,
                "relpos": (0.5, 0.0 if above else 1.0),
            },
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
    return fig

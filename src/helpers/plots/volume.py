"""The volume chart: reported figures over the real span each covers, under the target."""

from __future__ import annotations

import pandas as pd

from helpers.answers import or_unanswered
from helpers.plots import marks, style
from helpers.present import bound_prefix


@or_unanswered
def plot_volume(drawn: pd.DataFrame, targets: pd.DataFrame, target_usd: float, title: str):
    """Reported values as horizontal bars over the real span each covers; lower bounds drawn as bounds.

    Nothing is connected across years: a missing year shows as a gap.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 5.5))
    seen: set[str] = set()
    for row in drawn.itertuples():
        colour = style.BODY_COLOURS[row.stated_by]
        label = style.BODY_LABELS[row.stated_by]
        two_way = row.flow == "two_way"
        dash = "--" if two_way else "-"
        mid = row.start + (row.end - row.start) / 2
        if row.calendar == "unstated":
            (line,) = ax.plot([mid], [row.value], marker="*", ms=12, color=colour, ls="none")
        else:
            (line,) = ax.plot(
                [row.start, row.end],
                [row.value, row.value],
                ls=dash,
                lw=3,
                color=colour,
                solid_capstyle="butt",
                label=label if label not in seen else None,
            )
        flow = "two-way trade" if two_way else "Iran's exports to Iraq"
        value = bound_prefix(row.bound) + marks.billions_text(row.value)
        marks.link_row(fig, line, row, marks.joined(f"{flow}: {value}", row.period, label, row.publisher))
        if row.bound == "lower":
            ax.annotate(
                "",
                xy=(mid, row.value * 1.08),
                xytext=(mid, row.value),
                arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.2},
            )
        seen.add(label)
    ax.axhline(target_usd, color="#444444", lw=1, ls=":")
    ax.text(
        drawn["end"].max(),
        target_usd * 1.02,
        f"target ${target_usd / 1e9:,.0f}bn a year (two-way)",
        fontsize=9,
        color="#444444",
        va="bottom",
        ha="right",
    )
    dated = targets[
        targets["date"].notna() & (targets["measure"] == "two_way_trade") & (targets["target_value"] == target_usd)
    ]
    for k, row in enumerate(dated.itertuples()):
        (tick,) = ax.plot(
            [row.date],
            [target_usd],
            ls="none",
            marker="|",
            ms=14,
            mew=1.5,
            color="#444444",
            label="$ target restated (each tick a dated statement)" if k == 0 else None,
        )
        said = f"target restated: {marks.billions_text(row.target_value)} a year (two-way)"
        when = pd.Timestamp(row.date).strftime("%Y-%m-%d")
        marks.link_row(fig, tick, row, marks.joined(said, when, row.speaker, row.publisher))
    ax.plot([], [], ls="--", lw=3, color="#777777", label="dashed: two-way trade; solid: Iran's exports")
    ax.plot([], [], ls="none", marker="*", ms=10, color="#777777", label="star: annual level stated without a period")
    style.billions(ax)
    ax.set_ylabel("US$ billion a year (nominal)")
    ax.set_xlabel("Period covered (Iranian years drawn over their real March-to-March span)")
    ax.set_ylim(0, max(target_usd, float(drawn["value"].max())) * 1.15)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig

"""Official series by direction and reporting side."""

from __future__ import annotations

import pandas as pd

from helpers.answers import or_unanswered
from helpers.plots import marks, style


@or_unanswered
def plot_official(long: pd.DataFrame, target_usd: float | None, title: str):
    """Official series by direction and reporting side; a missing year breaks the line (never bridged)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 5.5))
    styles = {"reconciled": "-", "importer": "--", "exporter": ":"}
    years = range(int(long["year"].min()), int(long["year"].max()) + 1) if len(long) else range(0)
    for i, (name, grp) in enumerate(long.groupby("series", sort=True)):
        s = grp.set_index("year")["value_usd"].reindex(years)  # NaN for a missing year: a gap, not a line
        ax.plot(
            list(years),
            s.to_numpy(),
            marker="o",
            ls=styles.get(grp["reported_by"].iloc[0], "-"),
            color=style.PALETTE[i % len(style.PALETTE)],
            label=name,
        )
        for row in grp.itertuples():  # each year its own mark, linked to the download's origin records
            (dot,) = ax.plot([row.year], [row.value_usd], "o", color=style.PALETTE[i % len(style.PALETTE)])
            tip = marks.joined(f"{name}: {marks.billions_text(row.value_usd)}", int(row.year), row.reported_by)
            marks.link(fig, dot, tip, marks.ORIGIN_LINK)
    if target_usd:
        ax.axhline(target_usd, color="#444444", lw=1, ls=":")
    style.billions(ax)
    ax.set_ylabel("US$ billion a year (nominal)")
    ax.set_xlabel("Calendar year")
    ax.set_xticks(list(years))
    ax.set_title(title)
    if len(long):  # no series (e.g. only re-exports): no legend, and no warning of an empty one in the report
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig

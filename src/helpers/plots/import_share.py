"""Iran's share of Iraq's imports: each pairing a dot, the range per year a line."""

from __future__ import annotations

import pandas as pd

from helpers.answers import or_unanswered
from helpers.plots import style


@or_unanswered
def plot_ranges(pairs: pd.DataFrame, title: str):
    """Each pairing as a dot, the range per year as a line; estimates hollow; goods and goods+services apart."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5))
    colours = {"goods": style.PALETTE[0], "goods_and_services": style.PALETTE[1]}
    offsets = {"goods": 0.0, "goods_and_services": 0.2}
    for cov, grp in pairs.groupby("coverage"):
        for year, g in grp[grp["in_range"]].groupby("year"):
            x = year + offsets[cov]
            ax.plot([x, x], [g["share"].min() * 100, g["share"].max() * 100], color=colours[cov], lw=2, alpha=0.6)
        out = grp[~grp["in_range"]]
        grp = grp[grp["in_range"]]
        rep = grp[~grp["estimate"]]
        est = grp[grp["estimate"]]
        label = cov.replace("_", " ")
        ax.plot(
            rep["year"] + offsets[cov], rep["share"] * 100, "o", color=colours[cov], label=f"{label}: reported figures"
        )
        ax.plot(
            est["year"] + offsets[cov],
            est["share"] * 100,
            "o",
            mfc="white",
            color=colours[cov],
            label=f"{label}: with calendar-year estimate",
        )
        ax.plot(
            out["year"] + offsets[cov],
            out["share"] * 100,
            "x",
            color="#999999",
            label=f"{label}: left out (upper bound, partial or suspect total)",
        )
    ax.set_ylabel("Iran's share of Iraq's imports (%)")
    ax.set_xlabel("Calendar year")
    ax.set_ylim(0, max(70, float(pairs["share"].max()) * 110))
    ax.axhline(65, color="#444444", ls=":", lw=1)
    ax.text(pairs["year"].min() - 0.4, 66, "65%: the report's figure (one reading)", fontsize=8, color="#444444")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    return fig

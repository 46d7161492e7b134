"""The importer's whole market from official statistics: a supplier's share by year beside the
reported-figure range, and the suppliers ranked."""

from __future__ import annotations

import pandas as pd

from helpers.answers import Unanswered, is_answered, or_unanswered
from helpers.plots import marks, style


def plot_market_share(share: pd.DataFrame, reported_ranges: pd.DataFrame | Unanswered, supplier: str, title: str):
    """The supplier's share of the importer's imports by year from official data (dots joined where years
    follow each other; a missing year is a gap), beside the range of the reported figures (grey bars) and the
    report's 65%, both left out when there are no reported figures (another pair: they are Iran–Iraq's)."""
    import matplotlib.pyplot as plt

    if not is_answered(share) or not is_answered(title):
        return share if not is_answered(share) else title

    fig, ax = plt.subplots(figsize=(11, 5))
    if is_answered(reported_ranges):
        for r in reported_ranges.itertuples():
            (rng,) = ax.plot([r.year - 0.15] * 2, [r.low * 100, r.high * 100], color="#999999", lw=4, alpha=0.7)
            tip = f"reported figures, {r.year}: Iran's share {r.low:.1%} to {r.high:.1%} (notebook section 5)"
            marks.link(fig, rng, tip)
        ax.plot([], [], color="#999999", lw=4, alpha=0.7, label="range of the reported figures (notebook section 5)")
    years = share["year"].astype(int)
    runs = (years.diff() != 1).cumsum()  # consecutive years are joined; a gap stays a gap
    for _, run in share.groupby(runs):
        ax.plot(run["year"], run["share"] * 100, "-", color=style.PALETTE[0], lw=1.5)
    mirror = share["basis"].str.startswith("mirror")
    for chosen, look, legend in (
        (~mirror, {}, f"{supplier}'s share, official statistics"),
        (mirror, {"mfc": "white"}, f"{supplier}'s share, official mirror data (suppliers' reports)"),
    ):
        ax.plot([], [], "o", ls="none", color=style.PALETTE[0], label=legend, **look)
        for row in share[chosen].itertuples():
            (dot,) = ax.plot([row.year], [row.share * 100], "o", color=style.PALETTE[0], **look)
            marks.link(
                fig,
                dot,
                marks.joined(f"{supplier}'s share: {row.share:.1%}", int(row.year), row.basis),
                marks.ORIGIN_LINK,
            )
    if is_answered(reported_ranges):
        ax.axhline(65, color="#444444", ls=":", lw=1)
        ax.text(float(years.min()) - 0.4, 66, "65%: the report's figure", fontsize=8, color="#444444")
    ax.set_ylim(0, max(70.0, float(share["share"].max()) * 110))
    ax.set_ylabel("share of the importer's imports (%)")
    ax.set_xlabel("Calendar year")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    return fig


@or_unanswered
def plot_supplier_ranking(suppliers: pd.DataFrame, highlight: str, title: str, top: int = 12):
    """The largest suppliers of the latest year as horizontal bars (US$ bn), ``highlight`` in the accent colour."""
    import matplotlib.pyplot as plt

    latest = suppliers[suppliers["year"] == suppliers["year"].max()].nsmallest(top, "rank").iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(latest) + 1.5))
    colours = [style.PALETTE[1] if e == highlight else style.PALETTE[0] for e in latest["exporter"]]
    bars = ax.barh(latest["country"], latest["value_usd"] / 1e9, color=colours)
    for bar, row in zip(bars, latest.itertuples()):
        tip = marks.joined(f"{row.country}: {marks.billions_text(row.value_usd)} ({row.share:.0%})", int(row.year))
        marks.link(fig, bar, tip, marks.ORIGIN_LINK)
    for y, (v, s) in enumerate(zip(latest["value_usd"], latest["share"])):
        ax.text(v / 1e9, y, f" {s:.0%}", va="center", fontsize=8)
    ax.set_xlabel(f"imports in {int(latest['year'].max())}, US$ bn (share of the total the download holds)")
    ax.set_title(title)
    return fig

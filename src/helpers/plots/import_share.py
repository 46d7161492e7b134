"""Iran's share of Iraq's imports: each pairing a dot, the range per year a line."""

from __future__ import annotations

import pandas as pd

from helpers.answers import or_unanswered
from helpers.plots import marks, style


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
            (rng,) = ax.plot(
                [x, x], [g["share"].min() * 100, g["share"].max() * 100], color=colours[cov], lw=2, alpha=0.6
            )
            span = f"{cov.replace('_', ' ')} {year}: {g['share'].min():.1%} to {g['share'].max():.1%}"
            marks.link(fig, rng, marks.joined(f"range of Iran's share, {span}", f"{len(g)} pairings"), marks.DATA_LINK)
        label = cov.replace("_", " ")
        kinds = (
            (grp["in_range"] & ~grp["estimate"], {"color": colours[cov]}, f"{label}: reported figures", "o"),
            (
                grp["in_range"] & grp["estimate"],
                {"mfc": "white", "color": colours[cov]},
                f"{label}: with calendar-year estimate",
                "o",
            ),
            (~grp["in_range"], {"color": "#999999"}, f"{label}: left out (upper bound, partial or suspect total)", "x"),
        )
        for chosen, look, legend, marker in kinds:
            ax.plot([], [], marker, ls="none", label=legend, **look)
            for row in grp[chosen].itertuples():
                (dot,) = ax.plot([row.year + offsets[cov]], [row.share * 100], marker, ls="none", **look)
                marks.link(fig, dot, pairing_title(row), *pairing_source(row))
    ax.set_ylabel("Iran's share of Iraq's imports (%)")
    ax.set_xlabel("Calendar year")
    ax.set_ylim(0, max(70, float(pairs["share"].max()) * 110))
    ax.axhline(65, color="#444444", ls=":", lw=1)
    ax.text(pairs["year"].min() - 0.4, 66, "65%: the report's figure (one reading)", fontsize=8, color="#444444")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    return fig


def pairing_title(row) -> str:
    """A pairing's tooltip: the share, its year and coverage, and both figures with who stated them."""
    return marks.joined(
        f"Iran's share of Iraq's imports: {row.share:.1%}",
        f"{row.year} ({str(row.coverage).replace('_', ' ')})",
        f"Iran's sales {marks.billions_text(row.iran_value)} ({row.iran_source})",
        f"Iraq's imports {marks.billions_text(row.iraq_total)} ({row.total_source})",
        f"left out: {row.left_out_because}" if not row.in_range else "",
    )


def pairing_source(row) -> tuple[str, str, str, str]:
    """(source page, record id, publisher, date checked) of a pairing: its figure of Iran's sales, or, for a
    calendar-year estimate (made from two Iranian-year figures), its figure of Iraq's imports."""
    shipped = marks.shipped_row(str(row.iran_record), "record_id", only=True)
    if shipped:
        return shipped.get("source_url", ""), str(row.iran_record), str(row.iran_publisher), shipped.get("checked", "")
    total = marks.shipped_row(str(row.total_record), "record_id", only=True)
    return total.get("source_url", ""), str(row.total_record), str(row.total_publisher), total.get("checked", "")

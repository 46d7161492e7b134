"""The composition chart: each breakdown as one stacked bar of category shares."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.composition import NOT_ITEMISED
from helpers.answers import or_unanswered
from helpers.plots import marks, style


@or_unanswered
def plot_shares(shares: pd.DataFrame, title: str):
    """Stacked horizontal bars: one per breakdown, categories in fixed colours, 'not itemised' in grey."""
    import textwrap

    import matplotlib.pyplot as plt

    order = list(dict.fromkeys(shares["breakdown"]))
    cats = list(dict.fromkeys(shares.sort_values("kind")["category"]))
    palette = {
        c: style.PALETTE[i % len(style.PALETTE)]
        for i, c in enumerate(c for c in cats if c not in (NOT_ITEMISED, "unmapped"))
    }
    palette[NOT_ITEMISED] = "#DDDDDD"
    palette["unmapped"] = "#999999"
    fig, ax = plt.subplots(figsize=(12, 0.55 * len(order) + 2))
    left = {b: 0.0 for b in order}
    hatches = {"mixed": "//", "energy": "..", "unmapped": "", "not itemised": ""}
    for cat in cats:
        part = shares[shares["category"] == cat].set_index("breakdown")["share"]
        vals = [float(part.get(b, 0.0)) * 100 for b in order]
        kind = shares.loc[shares["category"] == cat, "kind"].iloc[0]
        bars = ax.barh(
            order,
            vals,
            left=[left[b] for b in order],
            color=palette[cat],
            hatch=hatches.get(kind, ""),
            edgecolor="white",
            label=cat,
        )
        rows = shares[shares["category"] == cat].drop_duplicates("breakdown").set_index("breakdown")
        for b, bar in zip(order, bars):
            if b in rows.index:
                row = rows.loc[b]
                tip = marks.joined(f"{cat}: {float(part.get(b, 0.0)) * 100:.1f}% of the breakdown", b)
                marks.link(fig, bar, tip, *breakdown_source(row))
        for b, v in zip(order, vals):
            left[b] += v
    # Long labels (period · body · outlet) wrapped on two lines: a one-line label made the chart
    # about 2,000 px wide, and unreadable once scaled down to a page or a phone.
    ax.set_yticks(range(len(order)), [textwrap.fill(b, 48, break_long_words=False) for b in order], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of the breakdown's total (%)")
    ax.set_ylabel("Breakdown (period · stating body · outlet)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def breakdown_source(row) -> tuple[str, str, str, str]:
    """(source page, record id, publisher, date checked) of a breakdown: the shipped composition row of the
    same body, publisher and year, or the row's own ``source_url`` (official data: their origin records)."""
    own, record = marks.source_of(row)
    if own or record:
        return own, record, str(row.get("publisher", "")), str(row.get("checked", "") or "")
    if "stated_by" not in row.index:
        return marks.ORIGIN_LINK, "", "", ""
    year = pd.Timestamp(row["start"]).year if pd.notna(row.get("start")) else None
    for rid, shipped in marks.file_rows("composition.csv").items():
        if not shipped.get("year", "").isdigit():
            continue
        shift = 621 if shipped.get("calendar") == "iranian" else 0  # an Iranian year starts in March of +621
        same = (shipped.get("stated_by"), shipped.get("publisher")) == (row["stated_by"], row["publisher"])
        if same and int(shipped["year"]) + shift == year:
            return shipped.get("source_url", ""), rid, shipped.get("publisher", ""), shipped.get("checked", "")
    return "", "", str(row.get("publisher", "")), ""

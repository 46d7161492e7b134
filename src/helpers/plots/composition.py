"""The composition chart: each breakdown as one stacked bar of category shares."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.composition import NOT_ITEMISED
from helpers.answers import or_unanswered
from helpers.plots import style


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
        ax.barh(
            order,
            vals,
            left=[left[b] for b in order],
            color=palette[cat],
            hatch=hatches.get(kind, ""),
            edgecolor="white",
            label=cat,
        )
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

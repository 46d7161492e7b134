"""Where a run's figures come from: the reported figures shipped in ``data/`` (Iran–Iraq only),
or official statistics the user downloaded (UN Comtrade, CEPII BACI) for any country pair.

Official flows are turned into the same shapes the analyses already use (annual series,
category shares), so each notebook calls the same functions whatever the source.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.errors import ParameterError
from helpers.paths import ROOT

DEFAULT_PAIR = ("IRN", "IRQ")
#: For a series from official data, which figure stands for a year and direction, best first.
OFFICIAL_PREFERENCE = (("baci", "reconciled", "reconciled"), ("comtrade", "importer", "M"), ("comtrade_legacy", "importer", "M"), ("comtrade", "exporter", "X"), ("comtrade_legacy", "exporter", "X"))


def is_default_pair(reporter: str, partner: str) -> bool:
    """True for Iran and Iraq, in either order: the pair the shipped reported figures are about."""
    return {reporter.upper(), partner.upper()} == set(DEFAULT_PAIR)


def country_name(iso3: str) -> str:
    import pycountry

    c = pycountry.countries.get(alpha_3=iso3.upper())
    return getattr(c, "common_name", None) or (c.name if c else iso3)


def resolve_path(path: str) -> Path:
    """A user path, relative to the repository root when not absolute (papermill and nbval run elsewhere)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else ROOT / p


def load_official(source: str, data_path: str, reporter: str, partner: str) -> pd.DataFrame:
    """Flows between the pair from the user's download; the file's format must match ``source``."""
    from helpers import official

    if not data_path:
        raise ParameterError(f"source {source!r} needs data_path: the downloaded file or a folder of yearly files")
    path = resolve_path(data_path)
    flows = official.read_flows(path, reporter, partner, progress=False)
    found = set(flows["source"]) if len(flows) else set()
    wanted = {"comtrade": {"comtrade", "comtrade_legacy"}, "baci": {"baci"}}[source]
    if found and not found <= wanted:
        raise ParameterError(f"source is {source!r} but {data_path!r} holds {', '.join(sorted(found))} data; set source to match the files")
    return flows


def official_series(flows: pd.DataFrame, exporter: str | None = None, importer: str | None = None) -> pd.DataFrame:
    """One figure per calendar year for one direction (or both summed when exporter is None), in the
    shape of :func:`helpers.volume.preferred`: BACI's reconciled value first, then the importer's
    reported imports, then the exporter's reported exports (``OFFICIAL_PREFERENCE``)."""
    from helpers import official

    totals = official.annual_totals(flows)
    totals = totals[totals["flow"].isin(["X", "M", "reconciled"])]
    rank = {k: i for i, k in enumerate(OFFICIAL_PREFERENCE)}
    totals = totals.assign(_rank=[rank.get((s, r, f), 99) for s, r, f in zip(totals["source"], totals["reported_by"], totals["flow"])])
    best = totals.sort_values(["_rank"]).groupby(["year", "exporter", "importer"], sort=True).head(1)
    if exporter is not None:
        best = best[(best["exporter"] == exporter) & (best["importer"] == importer)]
        rows = best.assign(method=best["source"] + " · " + best["reported_by"])
    else:
        both = best.groupby("year")
        rows = both.agg(value_usd=("value_usd", "sum"), directions=("exporter", "size"), method=("source", lambda s: " + ".join(sorted(set(s))))).reset_index()
        rows = rows[rows["directions"] == 2]  # a year with one direction only is not two-way trade
    years = rows["year"].astype(int)
    return pd.DataFrame(
        {
            "calendar": "gregorian",
            "year": years.to_numpy(),
            "period": years.astype(str).to_numpy(),
            "start": pd.to_datetime(years.astype(str) + "-01-01").to_numpy(),
            "end": pd.to_datetime(years.astype(str) + "-12-31").to_numpy(),
            "value": rows["value_usd"].to_numpy(),
            "bound": "exact",
            "stated_by": "mirror_data",
            "coverage": "goods",
            "energy": "included",
            "status": "confirmed",
            "record_id": "official: " + rows["method"].astype(str).to_numpy(),
            "method": rows["method"].astype(str).to_numpy(),
        }
    ).sort_values("year", ignore_index=True)


def category_shares(flows: pd.DataFrame, exporter: str, importer: str, include_energy: bool = True) -> pd.DataFrame:
    """Shares of the chamber's categories in one direction's trade per year, from HS chapters through
    ``data/concordance_hs.csv``, in the shape of :func:`helpers.composition.category_shares`."""
    from helpers import official
    from helpers.tables import read_table

    cats = read_table("categories").set_index("category_id")
    by = official.by_hs_chapter(flows)
    by = by[(by["exporter"] == exporter) & (by["importer"] == importer) & by["flow"].isin(["X", "M", "reconciled"])]
    rows = []
    for (year, source, side, flow), grp in by.groupby(["year", "source", "reported_by", "flow"], sort=True):
        grp = grp.groupby("category_id")["value_usd"].sum()
        total = float(grp.sum())
        note = ""
        if not include_energy:
            grp = grp.drop(index="energy", errors="ignore")
            total = float(grp.sum())
            note = "re-based on the non-energy total"
        if total <= 0:
            continue
        label = f"{year} · {source} · {side}"
        for cid, value in grp.items():
            known = cid in cats.index
            rows.append(
                {
                    "breakdown": label,
                    "start": pd.Timestamp(f"{year}-01-01"),
                    "category_id": cid if known or cid != "not itemised" else "not_itemised",
                    "category": cats.loc[cid, "label"] if known else cid,
                    "kind": cats.loc[cid, "kind"] if known else ("not itemised" if cid == "not itemised" else "unmapped"),
                    "share": float(value) / total,
                    "note": note,
                }
            )
    out = pd.DataFrame(rows, columns=["breakdown", "start", "category_id", "category", "kind", "share", "note"])
    return out.sort_values(["start", "breakdown", "share"], ascending=[True, True, False], ignore_index=True)


def official_long(flows: pd.DataFrame) -> pd.DataFrame:
    """Annual totals per direction and reporting side, as drawn: one line per (direction, side)."""
    from helpers import official

    t = official.annual_totals(flows)
    t = t[t["flow"].isin(["X", "M", "reconciled"])]
    t = t.assign(series=t["exporter"] + "→" + t["importer"] + " · " + t["source"] + " · " + t["reported_by"])
    return t[["series", "exporter", "importer", "source", "reported_by", "flow", "year", "value_usd"]].sort_values(["series", "year"], ignore_index=True)


def plot_official(long: pd.DataFrame, target_usd: float | None, title: str):
    """Official series by direction and reporting side; a missing year breaks the line (never bridged)."""
    import matplotlib.pyplot as plt

    from helpers import charts

    fig, ax = plt.subplots(figsize=(12, 5.5))
    styles = {"reconciled": "-", "importer": "--", "exporter": ":"}
    years = range(int(long["year"].min()), int(long["year"].max()) + 1) if len(long) else range(0)
    for i, (name, grp) in enumerate(long.groupby("series", sort=True)):
        s = grp.set_index("year")["value_usd"].reindex(years)  # NaN for a missing year: a gap, not a line
        ax.plot(list(years), s.to_numpy(), marker="o", ls=styles.get(grp["reported_by"].iloc[0], "-"), color=charts.PALETTE[i % len(charts.PALETTE)], label=name)
    if target_usd:
        ax.axhline(target_usd, color="#444444", lw=1, ls=":")
    charts.billions(ax)
    ax.set_ylabel("US$ billion a year (nominal)")
    ax.set_xlabel("Calendar year")
    ax.set_xticks(list(years))
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig, ax

"""Official statistics (UN Comtrade, CEPII BACI flows as :func:`helpers.official.read_flows`
returns them) turned into the shapes the other analyses use: annual series, mirror tables,
values by HS chapter and category shares. Frames in, frames out."""

from __future__ import annotations

import pandas as pd

from helpers.official.countries import resolve_country
from helpers.official.schema import COMTRADE_SOURCES, FLOW_COLUMNS, GROUP_KEYS

#: For a series from official data, which figure stands for a year and direction, best first.
OFFICIAL_PREFERENCE = (
    ("baci", "reconciled", "reconciled"),
    ("comtrade", "importer", "M"),
    ("comtrade_legacy", "importer", "M"),
    ("comtrade", "exporter", "X"),
    ("comtrade_legacy", "exporter", "X"),
)


def official_series(flows: pd.DataFrame, exporter: str | None = None, importer: str | None = None) -> pd.DataFrame:
    """One figure per calendar year for one direction (or both summed when exporter is None), in the
    shape of :func:`helpers.analysis.volume.preferred`: BACI's reconciled value first, then the importer's
    reported imports, then the exporter's reported exports (``OFFICIAL_PREFERENCE``)."""
    best = preferred_totals(flows)
    if exporter is not None:
        best = best[(best["exporter"] == exporter) & (best["importer"] == importer)]
        rows = best.assign(method=best["source"] + " · " + best["reported_by"])
    else:
        both = best.groupby("year")
        rows = both.agg(
            value_usd=("value_usd", "sum"),
            directions=("exporter", "size"),
            method=("source", lambda s: " + ".join(sorted(set(s)))),
        ).reset_index()
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


def preferred_totals(flows: pd.DataFrame) -> pd.DataFrame:
    """The annual totals of the one figure per year, exporter and importer that ``OFFICIAL_PREFERENCE``
    chooses (BACI's reconciled value, then the importer's report, then the exporter's)."""
    totals = annual_totals(flows)
    totals = totals[totals["flow"].isin(["X", "M", "reconciled"])]
    rank = {k: i for i, k in enumerate(OFFICIAL_PREFERENCE)}
    keys = zip(totals["source"], totals["reported_by"], totals["flow"])
    totals = totals.assign(_rank=[rank.get(k, 99) for k in keys])
    best = totals.sort_values(["_rank", "exporter"]).groupby(["year", "exporter", "importer"], sort=True).head(1)
    return best.drop(columns="_rank")


def category_shares(
    flows: pd.DataFrame,
    exporter: str,
    importer: str,
    categories: pd.DataFrame,
    concordance: pd.DataFrame,
    include_energy: bool = True,
) -> pd.DataFrame:
    """Shares of the chamber's categories in one direction's trade per year, from HS chapters through
    ``concordance`` (``data/concordance_hs.csv``), in the shape of
    :func:`helpers.analysis.composition.category_shares`; ``categories`` is ``data/categories.csv``."""
    cats = categories.set_index("category_id")
    by = by_hs_chapter(flows, concordance)
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
                    "kind": cats.loc[cid, "kind"]
                    if known
                    else ("not itemised" if cid == "not itemised" else "unmapped"),
                    "share": float(value) / total,
                    "note": note,
                }
            )
    out = pd.DataFrame(rows, columns=["breakdown", "start", "category_id", "category", "kind", "share", "note"])
    return out.sort_values(["start", "breakdown", "share"], ascending=[True, True, False], ignore_index=True)


def official_long(flows: pd.DataFrame) -> pd.DataFrame:
    """Annual totals per direction and reporting side, as drawn: one line per (direction, side)."""
    t = annual_totals(flows)
    t = t[t["flow"].isin(["X", "M", "reconciled"])]
    t = t.assign(series=t["exporter"] + "→" + t["importer"] + " · " + t["source"] + " · " + t["reported_by"])
    return t[["series", "exporter", "importer", "source", "reported_by", "flow", "year", "value_usd"]].sort_values(
        ["series", "year"], ignore_index=True
    )


def coverage(flows: pd.DataFrame) -> pd.DataFrame:
    """Who reports which direction in which year: one row per source, reporting country, direction and year
    with a figure of flow X, M or reconciled (re-exports and re-imports are kept apart and not counted).

    ``reporter`` is the country whose report the figure is (the exporter for X, the importer for M), or
    ``BACI`` for a reconciled value. A year or direction the download lacks has no row: nothing is filled in.
    """
    t = annual_totals(flows)
    t = t[t["flow"].isin(["X", "M", "reconciled"])]
    by_importer = t["reported_by"] == "importer"
    reporter = t["exporter"].where(~by_importer, t["importer"]).where(t["reported_by"] != "reconciled", "BACI")
    out = pd.DataFrame(
        {
            "source": t["source"].astype("string"),
            "reporter": reporter.astype("string"),
            "exporter": t["exporter"].astype("string"),
            "importer": t["importer"].astype("string"),
            "flow": t["flow"].astype("string"),
            "year": t["year"].astype("int64"),
        }
    )
    return out.drop_duplicates().sort_values(["source", "reporter", "exporter", "year"], ignore_index=True)


def direction_years(flows: pd.DataFrame, exporter: str, importer: str) -> list[int]:
    """The years with a figure (flow X, M or reconciled) for trade from ``exporter`` to ``importer``, sorted."""
    cov = coverage(flows)
    hit = cov[(cov["exporter"] == resolve_country(exporter)) & (cov["importer"] == resolve_country(importer))]
    return sorted({int(y) for y in hit["year"]})


def _require_flows(flows: pd.DataFrame) -> None:
    """A frame that is not read_flows()' output is a ValueError."""
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        raise ValueError(f"not a read_flows() frame: missing column(s) {', '.join(missing)}")


def annual_totals(flows: pd.DataFrame) -> pd.DataFrame:
    """Value per source, year, exporter, importer, reporting side and flow (re-exports apart).

    Sums the HS codes of :func:`read_flows`' frame; ``n_codes`` is how many were added.
    """
    _require_flows(flows)
    grouped = flows.groupby(GROUP_KEYS, dropna=False, sort=True)
    return grouped.agg(value_usd=("value_usd", "sum"), n_codes=("hs_code", "size")).reset_index()


def mirror_table(flows: pd.DataFrame, exporter: str | None = None, importer: str | None = None) -> pd.DataFrame:
    """Exporter-reported exports beside importer-reported imports, per direction and year.

    Columns: ``exporter``, ``importer``, ``year``, ``exporter_reported_usd`` (Comtrade flow X
    reported by the exporter), ``importer_reported_usd`` (flow M reported by the importer),
    ``baci_usd`` (BACI's reconciled value), ``gap_usd`` (importer minus exporter) and ``ratio``
    (importer over exporter; imports are usually valued CIF, exports FOB, so a ratio near 1.1 is
    normal). Re-exports and re-imports are not included. A value no file gives stays missing,
    and so do the gap and ratio that need it; it is never read as 0. ``exporter``/``importer``
    restrict the table to one direction.
    """
    _require_flows(flows)
    totals = annual_totals(flows)
    if exporter is not None:
        totals = totals[totals["exporter"] == resolve_country(exporter)]
    if importer is not None:
        totals = totals[totals["importer"] == resolve_country(importer)]
    side = ["exporter", "importer", "year"]
    comtrade = totals["source"].isin(COMTRADE_SOURCES)

    def column(mask: pd.Series) -> pd.Series:
        return totals[mask].groupby(side)["value_usd"].sum(min_count=1)

    table = pd.concat(
        {
            "exporter_reported_usd": column(comtrade & (totals["reported_by"] == "exporter") & (totals["flow"] == "X")),
            "importer_reported_usd": column(comtrade & (totals["reported_by"] == "importer") & (totals["flow"] == "M")),
            "baci_usd": column(totals["source"] == "baci"),
        },
        axis=1,
    )
    table = table.reindex(columns=["exporter_reported_usd", "importer_reported_usd", "baci_usd"]).astype("float64")
    table["gap_usd"] = table["importer_reported_usd"] - table["exporter_reported_usd"]
    table["ratio"] = table["importer_reported_usd"] / table["exporter_reported_usd"].where(
        table["exporter_reported_usd"] > 0
    )
    table.index = table.index.set_names(side) if len(table) else pd.MultiIndex.from_tuples([], names=side)
    return table.reset_index().sort_values(side, ignore_index=True)


def by_hs_chapter(flows: pd.DataFrame, concordance: pd.DataFrame) -> pd.DataFrame:
    """Value per HS chapter, with its share of the year's total and the chamber's category.

    One row per source, year, exporter, importer, reporting side, flow and chapter. ``share`` is
    the chapter's part of its group's total. ``category_id`` comes from ``data/concordance_hs.csv``
    (``concordance``, a frame with hs_chapter and category_id): chapters it lacks are
    "unmapped", values with no chapter (Comtrade TOTAL rows) are "not itemised".
    """
    _require_flows(flows)
    keys = GROUP_KEYS + ["hs_chapter"]
    out = flows.groupby(keys, dropna=False, sort=True)["value_usd"].sum().reset_index()
    out["share"] = out["value_usd"] / out.groupby(GROUP_KEYS)["value_usd"].transform("sum").where(lambda s: s > 0)
    mapping = dict(zip(concordance["hs_chapter"].astype(str), concordance["category_id"].astype(str)))
    category = out["hs_chapter"].map(mapping).astype("string").fillna("unmapped")
    out["category_id"] = category.where(out["hs_chapter"].notna(), "not itemised")
    return out

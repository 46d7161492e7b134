"""The importer's whole market from official statistics: its imports by supplier and year, each
supplier's share and rank, and the composition of all its imports by the chamber's categories.

Input: every country's exports to one importer, as :func:`helpers.official.read_imports` returns them.

Rules, stated once:

* **One figure per supplier and year**, by :data:`helpers.analysis.official.OFFICIAL_PREFERENCE`:
  BACI's reconciled value, else the importer's reported imports, else the supplier's reported
  exports. The figure's ``basis`` says which; an exporter's report of what it sold to the importer is
  a **mirror** figure (the importer did not report it), and every table and sentence says so.
* **The market** of a year is the sum of the suppliers the download holds for that year (World and
  areas are never added in): a download that lacks a supplier gives a smaller total, and says how
  many suppliers it holds. A supplier absent in a year is absent, never zero.
* **Shares and ranks** are of that total; rank 1 is the largest supplier (ties share the rank). A year in
  which the download holds no supplier but the pair's own exporter (a download of the pair alone) is no
  market: it is left out, and said to be (:func:`pair_only_years`).
* **Composition** sums every chosen supplier figure's HS chapters through ``data/concordance_hs.csv``;
  energy is a category of its own and "the ten categories" are the kind ``chamber_ten``.
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis import official
from helpers.analysis.countries import country_name

BASIS = {
    ("baci", "reconciled"): "reconciled (BACI)",
    ("comtrade", "importer"): "importer's report",
    ("comtrade_legacy", "importer"): "importer's report",
    ("comtrade", "exporter"): "mirror: supplier's report",
    ("comtrade_legacy", "exporter"): "mirror: supplier's report",
}
MIRROR = "mirror: supplier's report"
SUPPLIER_COLUMNS = ["year", "exporter", "country", "value_usd", "share", "rank", "suppliers", "basis", "source"]


def _chosen(flows: pd.DataFrame) -> pd.DataFrame:
    """The annual totals of the one figure per supplier and year the rules choose, with its basis."""
    best = official.preferred_totals(flows)
    basis = [BASIS.get((s, r), f"{s} · {r}") for s, r in zip(best["source"], best["reported_by"])]
    return best.assign(basis=basis)


def pair_only_years(flows: pd.DataFrame, supplier: str) -> list[int]:
    """The years in which the download holds no supplier of the importer but ``supplier`` (the pair's own
    exporter): a share of that "market" is 100% by construction, so those years say nothing of it."""
    best = _chosen(flows)
    best = best[best["value_usd"] > 0]
    others = best.loc[best["exporter"].astype(str) != supplier, "year"].astype(int).unique()
    return sorted(set(best["year"].astype(int)) - set(others))


def without_years(flows: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """The flows of every year but ``years``."""
    return flows[~flows["year"].astype(int).isin(years)] if years else flows


def supplier_shares(flows: pd.DataFrame) -> pd.DataFrame:
    """Every supplier's value, share of the market and rank, per year (see the module's rules)."""
    best = _chosen(flows)
    best = best[best["value_usd"] > 0]
    total = best.groupby("year")["value_usd"].transform("sum")
    out = pd.DataFrame(
        {
            "year": best["year"].astype(int),
            "exporter": best["exporter"].astype(str),
            "country": best["exporter"].map(country_name),
            "value_usd": best["value_usd"].astype(float),
            "share": best["value_usd"] / total,
            "rank": best.groupby("year")["value_usd"].rank(ascending=False, method="min").astype(int),
            "suppliers": best.groupby("year")["exporter"].transform("size").astype(int),
            "basis": best["basis"],
            "source": best["source"].astype(str),
        }
    )
    return out.sort_values(["year", "rank", "exporter"], ignore_index=True)[SUPPLIER_COLUMNS]


def market_totals(shares: pd.DataFrame) -> pd.DataFrame:
    """The importer's total imports per year over the suppliers held, with how much of it is mirror data."""
    mirror = shares["value_usd"].where(shares["basis"] == MIRROR, 0.0)
    grouped = shares.assign(mirror_usd=mirror).groupby("year")
    out = grouped.agg(
        total_usd=("value_usd", "sum"), suppliers=("exporter", "size"), mirror_usd=("mirror_usd", "sum")
    ).reset_index()
    out["mirror_share"] = out["mirror_usd"] / out["total_usd"]
    return out.drop(columns="mirror_usd")


def supplier_share(shares: pd.DataFrame, supplier: str) -> pd.DataFrame:
    """One supplier's share of the market and rank per year, only in the years it is in the download."""
    mine = shares[shares["exporter"] == supplier]
    return mine[["year", "value_usd", "share", "rank", "suppliers", "basis"]].reset_index(drop=True)


def composition(flows: pd.DataFrame, categories: pd.DataFrame, concordance: pd.DataFrame) -> pd.DataFrame:
    """Shares of the chamber's categories in the importer's imports from all suppliers, per year
    (energy a category of its own; ``kind`` from ``data/categories.csv``)."""
    chosen = _chosen(flows)[["year", "exporter", "source", "reported_by", "flow"]]
    by = official.by_hs_chapter(flows, concordance).merge(
        chosen, on=["year", "exporter", "source", "reported_by", "flow"]
    )
    sums = by.groupby(["year", "category_id"])["value_usd"].sum().reset_index()
    sums = sums[sums["value_usd"] > 0]
    sums["share"] = sums["value_usd"] / sums.groupby("year")["value_usd"].transform("sum")
    cats = categories.set_index("category_id")
    sums["category"] = sums["category_id"].map(cats["label"]).fillna(sums["category_id"])
    sums["kind"] = (
        sums["category_id"]
        .map(cats["kind"])
        .fillna(sums["category_id"].where(sums["category_id"] == "not itemised", "unmapped"))
    )
    return sums.sort_values(["year", "share"], ascending=[True, False], ignore_index=True)


def kind_shares(composition_: pd.DataFrame, kinds: tuple[str, ...]) -> pd.DataFrame:
    """Per year, the share of the categories of the given kinds together (e.g. the ten categories): 0 in a year
    whose breakdown has none of them, missing (never 0) in a year with no breakdown (totals only)."""
    hit = composition_[composition_["kind"].isin(kinds)]
    itemised = composition_.loc[composition_["kind"] != "not itemised", "year"].unique()
    out = hit.groupby("year")["share"].sum().reindex(itemised, fill_value=0.0)
    out = out.reindex(composition_["year"].unique())
    return out.rename("share").rename_axis("year").reset_index().sort_values("year", ignore_index=True)

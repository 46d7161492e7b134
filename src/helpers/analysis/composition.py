"""Composition of Iran's exports to Iraq by the chamber's ten categories.

Rules, stated once:

* Each reported product group is mapped through ``data/concordance_groups.csv`` (HS chapters
  through ``data/concordance_hs.csv``). A group that straddles categories goes to its labelled
  mixed bucket; a group with no mapping is ``unmapped``. Nothing is spread by guesswork.
* A *breakdown* is the set of groups one source gives for one period (same period, body and page).
  A group's share is the stated share, or its value over the breakdown's stated total; with neither
  a total nor a share, no share is computed.
* Only groups that count (:mod:`helpers.analysis.counting`: confirmed, one per statement) enter a
  breakdown: a breakdown carried by two outlets is one breakdown.
* Groups nested in another (``part_of``) are shown but never added to their parent's breakdown.
* Whatever a breakdown's groups do not cover is "not itemised", never assigned to a category.
* ``include_energy=False`` removes energy groups and re-bases shares on the non-energy total; this is
  possible only where the breakdown itemises its energy, otherwise the share is left as it is and
  marked "energy not itemised".
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis import counting
from helpers.answers import or_unanswered

NOT_ITEMISED = "not itemised"


def breakdown_label(row) -> str:
    """'1399 (Mar 2020–Mar 2021), chamber, Trend' — period, body and outlet of a breakdown."""
    return f"{row['period']} · {row['stated_by']} · {row['publisher']}"


def with_shares(comp: pd.DataFrame) -> pd.DataFrame:
    """Add ``breakdown`` (label) and ``share`` (fraction of the breakdown total, where computable)."""
    out = comp.copy()
    out["breakdown"] = out.apply(breakdown_label, axis=1)
    from_value = out["value"].astype("Float64") / out["total_value"].astype("Float64")
    out["share"] = (out["share_pct"].astype("Float64") / 100).fillna(from_value)
    out["share_basis"] = out["share_pct"].notna().map({True: "stated share", False: "value / stated total"})
    out.loc[out["share"].isna(), "share_basis"] = "no total: share not computable"
    return out


@or_unanswered
def category_shares(comp: pd.DataFrame, include_energy: bool = True) -> pd.DataFrame:
    """Long table: share of each category in each breakdown, plus the part not itemised.

    Nested groups are left out of the sums; energy is removed and shares re-based when
    ``include_energy`` is False and the breakdown itemises its energy.
    """
    s = with_shares(counting.counted(comp))
    s = s[s["part_of"].isna() & s["share"].notna()]
    rows = []
    for label, grp in s.groupby("breakdown", sort=False):
        energy = float(grp.loc[grp["kind"] == "energy", "share"].sum())
        has_energy = bool((grp["kind"] == "energy").any())
        note = ""
        base = 1.0
        first = grp.iloc[0]
        if not include_energy:
            if has_energy:
                grp = grp[grp["kind"] != "energy"]
                base = 1.0 - energy
                note = "re-based on the non-energy total"
            else:
                note = "energy not itemised: shares as stated"
        if base <= 0:
            continue
        by_cat = grp.groupby(["category_id", "category", "kind"], sort=False)["share"].sum()
        # the row a category's bar segment comes from: its first reported group (a mark links to one row)
        records = grp.groupby(["category_id", "category", "kind"], sort=False)["record_id"].first()
        for (cid, cat, kind), share in by_cat.items():
            rows.append(
                {
                    "breakdown": label,
                    "start": first["start"],
                    "category_id": cid,
                    "category": cat,
                    "kind": kind,
                    "share": float(share) / base,
                    "note": note,
                    "record_id": records[(cid, cat, kind)],
                }
            )
        rest = 1.0 - float(by_cat.sum()) / base
        if rest > 1e-9:
            rows.append(
                {
                    "breakdown": label,
                    "start": first["start"],
                    "category_id": "not_itemised",
                    "category": NOT_ITEMISED,
                    "kind": "not itemised",
                    "share": rest,
                    "note": note,
                    "record_id": first["record_id"],
                }
            )
    columns = ["breakdown", "start", "category_id", "category", "kind", "share", "note", "record_id"]
    out = pd.DataFrame(rows, columns=columns)
    sources = s.drop_duplicates("breakdown").set_index("breakdown")[
        ["stated_by", "publisher", "published", "source_url"]
    ]
    out = out.join(sources, on="breakdown")
    return out.sort_values(["start", "breakdown", "share"], ascending=[True, True, False]).reset_index(drop=True)


@or_unanswered
def comparable_breakdowns(shares: pd.DataFrame, min_itemised: float = 0.9, single_groups: bool = True) -> list[str]:
    """Breakdowns whose category shares can be set beside a stated share.

    A top-ten product list says little about a category's share (the category's other products
    are not listed), so only breakdowns that itemise at least ``min_itemised`` of their total count;
    with ``single_groups``, so does a statement giving one group's share only ("agricultural
    products are 23%"), which is direct evidence of that share.
    """
    rest = shares[shares["category_id"] == "not_itemised"].set_index("breakdown")["share"]
    listed = shares[shares["category_id"] != "not_itemised"].groupby("breakdown").size()
    return [
        b
        for b in shares["breakdown"].unique()
        if float(rest.get(b, 0.0)) <= 1 - min_itemised or (single_groups and listed.get(b, 0) == 1)
    ]


@or_unanswered
def versus_report(shares: pd.DataFrame, stated: dict[str, float]) -> pd.DataFrame:
    """Each breakdown's share of the categories the report quantifies, beside the report's figure.

    ``stated`` maps category ids to the report's shares (fractions), e.g. {"agriculture": 0.30}.
    A category a breakdown does not itemise is shown as missing, not as zero. Agriculture mixed with
    food industries is shown in its own column: it contains agriculture but also more.
    """
    rows = []
    for label, grp in shares.groupby("breakdown", sort=False):
        cat = grp.set_index("category_id")["share"]
        row = {"breakdown": label}
        for cid, value in stated.items():
            row[f"{cid} (report {value:.0%})"] = float(cat[cid]) if cid in cat else float("nan")
        row["agriculture + food mixed"] = float(cat["mixed_agri_food"]) if "mixed_agri_food" in cat else float("nan")
        row["largest category"] = (
            grp.loc[grp["kind"] != "not itemised"].sort_values("share", ascending=False)["category"].head(1).squeeze()
            if (grp["kind"] != "not itemised").any()
            else ""
        )
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out):
        out["comparable"] = out["breakdown"].isin(comparable_breakdowns(shares))
    return out


@or_unanswered
def energy_effect(comp: pd.DataFrame) -> pd.DataFrame:
    """Energy's share in each breakdown that itemises it (what the picture loses or gains with energy)."""
    s = with_shares(counting.counted(comp))
    s = s[s["part_of"].isna() & s["share"].notna()]
    e = (
        s[s["kind"] == "energy"]
        .groupby("breakdown", sort=False)
        .agg(start=("start", "first"), energy_share=("share", "sum"), publisher=("publisher", "first"))
    )
    return e.reset_index().sort_values("start").reset_index(drop=True)


@or_unanswered
def itemised_summary(versus: pd.DataFrame, stated: dict[str, float]) -> dict[str, str]:
    """One sentence per category the report quantifies: in how many comparable breakdowns it is itemised
    (see :func:`comparable_breakdowns`), at what shares."""
    out = {}
    usable = versus[versus["comparable"]] if "comparable" in versus else versus
    for cid, value in stated.items():
        col = f"{cid} (report {value:.0%})"
        found = usable[col].dropna() if col in usable else pd.Series(dtype=float)
        label = cid.replace("_", " ")
        if found.empty:
            out[cid] = f"{label}: itemised in no comparable breakdown (report: {value:.0%})"
        else:
            out[cid] = (
                f"{label} alone: {', '.join(f'{v:.0%}' for v in found)} in {len(found)} "
                f"comparable breakdown{'s' if len(found) > 1 else ''} (report: {value:.0%})"
            )
    return out


#: Categories that count as agriculture or food when a breakdown's largest category is asked.
AGRI_FOOD = ("agriculture", "mixed_agri_food", "food_industry")


@or_unanswered
def largest_categories(shares: pd.DataFrame, breakdowns: list[str]) -> pd.DataFrame:
    """The largest itemised category of each of ``breakdowns`` (one row each)."""
    chosen = shares[shares["breakdown"].isin(breakdowns) & (shares["kind"] != "not itemised")]
    return chosen.sort_values("share", ascending=False).groupby("breakdown", sort=False).head(1)


@or_unanswered
def rebased_breakdowns(shares: pd.DataFrame) -> int:
    """How many breakdowns of ``shares`` (computed without energy) were re-based on the non-energy total."""
    return int(shares.loc[shares["note"] == "re-based on the non-energy total", "breakdown"].nunique())


@or_unanswered
def top_category(shares: pd.DataFrame) -> tuple[int, str, float] | None:
    """(year, category, share) of the largest mapped category in the latest year of ``shares``; ties go
    to the first label in alphabetical order. None when the latest year maps nothing."""
    latest_year = int(shares["start"].max().year)
    newest = shares[shares["start"].dt.year == latest_year]
    mapped = newest[~newest["kind"].isin(["not itemised", "unmapped"])]
    top = mapped.sort_values(["share", "category"], ascending=[False, True]).head(1)
    if top.empty:
        return None
    return latest_year, str(top["category"].iloc[0]), float(top["share"].iloc[0])


def categories_with_chapters(categories: pd.DataFrame, concordance: pd.DataFrame) -> pd.DataFrame:
    """The chamber's categories with how many HS chapters the concordance maps to each."""
    counts = concordance.groupby("category_id").size().rename("HS chapters").astype("Int64")
    table = categories.merge(counts, left_on="category_id", right_index=True, how="left")
    return table[["category_id", "label", "kind", "HS chapters"]]

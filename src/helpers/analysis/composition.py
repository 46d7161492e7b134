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
* A share keeps its source's bound (:func:`share_bounds`): "more than 65%" is a lower bound, and so is a
  share of a total given as "nearly $3bn"; energy's share of a breakdown carries it (:func:`energy_effect`).
* ``include_energy=False`` removes energy groups and re-bases shares on the non-energy total; this is
  possible only where the breakdown itemises its energy, otherwise the share is left as it is and
  marked "energy not itemised".
"""

from __future__ import annotations

import collections

import numpy as np
import pandas as pd

from helpers.analysis import counting
from helpers.answers import or_unanswered

NOT_ITEMISED = "not itemised"


def breakdown_label(row) -> str:
    """'1399 (Mar 2020–Mar 2021), chamber, Trend' — period, body and outlet of a breakdown."""
    return f"{row['period']} · {row['stated_by']} · {row['publisher']}"


def with_shares(comp: pd.DataFrame) -> pd.DataFrame:
    """Add ``breakdown`` (label) and ``share`` (fraction of the breakdown total, where computable)."""
    out = comp.copy(deep=False)  # the columns added are the copy's own (copy on write)
    out["breakdown"] = _labels(out)
    out["share"] = _shares(out)
    out["share_basis"] = out["share_pct"].notna().map({True: "stated share", False: "value / stated total"})
    out.loc[out["share"].isna(), "share_basis"] = "no total: share not computable"
    return out


def _shares(comp) -> pd.Series:
    """Each group's share of its breakdown: the stated share, else the value over the stated total."""
    from_value = comp["value"].astype("Float64") / comp["total_value"].astype("Float64")
    return (comp["share_pct"].astype("Float64") / 100).fillna(from_value)


def _labels(comp: pd.DataFrame) -> pd.Series:
    """:func:`breakdown_label` of every row (as ``comp.apply(breakdown_label, axis=1)``)."""
    if comp.empty:  # text, as for rows (``apply`` on no rows gives numbers, which nothing joins to)
        return pd.Series([], index=comp.index, dtype=object)
    parts = zip(comp["period"].tolist(), comp["stated_by"].tolist(), comp["publisher"].tolist())
    return pd.Series([f"{period} · {body} · {publisher}" for period, body, publisher in parts], index=comp.index)


@or_unanswered
def category_shares(comp: pd.DataFrame, include_energy: bool = True) -> pd.DataFrame:
    """Long table: share of each category in each breakdown, plus the part not itemised.

    Nested groups are left out of the sums; energy is removed and shares re-based when
    ``include_energy`` is False and the breakdown itemises its energy.
    """
    return category_shares_of(counted_shares(comp), include_energy)


def category_shares_of(s: pd.DataFrame, include_energy: bool = True) -> pd.DataFrame:
    """:func:`category_shares` from the groups :func:`counted_shares` gives."""
    groups = ["category_id", "category", "kind"]
    kinds = s["kind"].tolist()
    summed = s if include_energy else s[s["kind"] != "energy"]
    # each breakdown's categories in the order they first appear in it: what a groupby of the breakdown's
    # rows gives, for every breakdown at once (a sum runs over the same rows in the same order)
    by_cat = summed.groupby(["breakdown", *groups], sort=False)
    # the row a category's bar segment comes from: its first reported group (a mark links to one row)
    by_cat_share, by_cat_record = by_cat["share"].sum(), by_cat["record_id"].first()
    categories: dict[str, list] = {}
    for (label, cid, cat, kind), share, record in zip(by_cat_share.index, by_cat_share.tolist(), by_cat_record):
        categories.setdefault(label, []).append((cid, cat, kind, share, record))
    share_values = s["share"].array
    labels, starts, records = s["breakdown"].tolist(), s["start"].tolist(), s["record_id"].tolist()
    members: dict[str, list[int]] = {}
    for position, label in enumerate(labels):
        if not pd.isna(label):
            members.setdefault(label, []).append(position)
    rows, sources = [], []  # sources: the position in ``s`` of the first group of each row's breakdown
    for label, positions in members.items():
        at_energy = [p for p in positions if isinstance(kinds[p], str) and kinds[p] == "energy"]
        energy = float(share_values.take(at_energy).sum())  # as the Series of those shares sums them
        has_energy = bool(at_energy)
        note = ""
        base = 1.0
        first = positions[0]
        if not include_energy:
            if has_energy:
                base = 1.0 - energy
                note = "re-based on the non-energy total"
            else:
                note = "energy not itemised: shares as stated"
        if base <= 0:
            continue
        found = categories.get(label, [])
        for cid, cat, kind, share, record in found:
            rows.append(
                {
                    "breakdown": label,
                    "start": starts[first],
                    "category_id": cid,
                    "category": cat,
                    "kind": kind,
                    "share": float(share) / base,
                    "note": note,
                    "record_id": record,
                }
            )
            sources.append(first)
        total = pd.array([share for _, _, _, share, _ in found], dtype=by_cat_share.dtype).sum()
        rest = 1.0 - float(total) / base
        if rest > 1e-9:
            rows.append(
                {
                    "breakdown": label,
                    "start": starts[first],
                    "category_id": "not_itemised",
                    "category": NOT_ITEMISED,
                    "kind": "not itemised",
                    "share": rest,
                    "note": note,
                    "record_id": records[first],
                }
            )
            sources.append(first)
    columns = ["breakdown", "start", "category_id", "category", "kind", "share", "note", "record_id"]
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:  # as pandas joins no rows
        sources_of = s.drop_duplicates("breakdown").set_index("breakdown")[SOURCE_COLUMNS]
        out = out.join(sources_of, on="breakdown")
        return out.sort_values(["start", "breakdown", "share"], ascending=[True, True, False]).reset_index(drop=True)
    # the breakdown's source (from its first group, as a join on the breakdown gives it), rows sorted
    order = counting.sort_positions(out, np.arange(len(out)), ["start", "breakdown", "share"], [True, True, False])
    at_source = np.array(sources, dtype=np.intp)[order]
    table = {c: counting.values_at(out[c], order) for c in columns}
    table.update({c: counting.values_at(s[c], at_source) for c in SOURCE_COLUMNS})
    return pd.DataFrame(table, columns=[*columns, *SOURCE_COLUMNS], copy=False)


#: The columns of a breakdown's source that :func:`category_shares` gives with every share.
SOURCE_COLUMNS = ["stated_by", "publisher", "published", "source_url"]


def counted_shares(comp: pd.DataFrame) -> pd.DataFrame:
    """The groups that count (:func:`helpers.analysis.counting.counted`) with their shares
    (:func:`with_shares`), nested groups and groups without a share left out: what :func:`category_shares`
    and :func:`energy_effect` sum."""
    rows = counting.counted_positions(comp, np.arange(len(comp)))
    # the groups kept (not nested, with a share), found from the columns they are decided by
    part = {c: pd.Series(counting.values_at(comp[c], rows)) for c in ("part_of", "value", "total_value", "share_pct")}
    kept = rows[counting.mask(part["part_of"].isna() & _shares(part).notna())]
    if not len(kept):  # no group: as the frame of every counted group, then filtered, has it
        s = with_shares(comp.iloc[rows])
        return s[s["part_of"].isna() & s["share"].notna()]
    return with_shares(comp.iloc[kept])


@or_unanswered
def comparable_breakdowns(shares: pd.DataFrame, min_itemised: float = 0.9, single_groups: bool = True) -> list[str]:
    """Breakdowns whose category shares can be set beside a stated share.

    A top-ten product list says little about a category's share (the category's other products
    are not listed), so only breakdowns that itemise at least ``min_itemised`` of their total count;
    with ``single_groups``, so does a statement giving one group's share only ("agricultural
    products are 23%"), which is direct evidence of that share.
    """
    labels, categories = shares["breakdown"].tolist(), shares["category_id"].tolist()
    known = not any(pd.isna(v) for v in (*labels, *categories))
    rests = (
        [(b, v) for b, c, v in zip(labels, categories, shares["share"].tolist()) if c == "not_itemised"]
        if known
        else []
    )
    if known and len({b for b, _ in rests}) == len(rests):
        # the same as below, for breakdowns with at most one part not itemised, none unlabelled
        rest = dict(rests)
        listed = collections.Counter(b for b, c in zip(labels, categories) if c != "not_itemised")
        return [
            b
            for b in dict.fromkeys(labels)
            if float(rest.get(b, 0.0)) <= 1 - min_itemised or (single_groups and listed.get(b, 0) == 1)
        ]
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
    return energy_effect_of(counted_shares(comp))


def energy_effect_of(s: pd.DataFrame) -> pd.DataFrame:
    """:func:`energy_effect` from the groups :func:`counted_shares` gives.

    ``energy_bound`` is the bound of ``energy_share`` (see :func:`share_bounds`): "more than 65%" gas is a
    ``lower`` bound, a share of a total given as "nearly $3bn" too. ``not_itemised`` is the part of the
    breakdown no group covers: it may be energy or not, so it is never counted on either side."""
    bounds = share_bounds(s)
    is_energy = s["kind"] == "energy"
    energy = s[is_energy].groupby("breakdown", sort=False)
    listed = s.groupby("breakdown", sort=False)["share"].sum()
    e = pd.DataFrame(
        {
            "start": energy["start"].first(),
            "energy_share": energy["share"].sum(),
            "energy_bound": bounds[is_energy].groupby(s.loc[is_energy, "breakdown"], sort=False).agg(combined_bound),
            "publisher": energy["publisher"].first(),
        }
    )
    e["not_itemised"] = (1.0 - listed.reindex(e.index).astype(float)).clip(lower=0.0).where(lambda x: x > 1e-9, 0.0)
    return e.reset_index().sort_values("start").reset_index(drop=True)


#: A bound read the other way: a share of a total that is "over" some figure is at most the share computed.
FLIPPED_BOUND = {"lower": "upper", "upper": "lower"}
#: The bound of a figure whose parts are bounded both ways (a lower bound plus an upper one): no comparison can
#: use it (:func:`helpers.analysis.claims` treats it as deciding nothing).
UNKNOWN_BOUND = "unknown"


def _bound(value) -> str:
    """A ``bound`` cell as text: a missing bound is ``exact`` (the figure as published)."""
    return "exact" if value is None or pd.isna(value) or not str(value).strip() else str(value)


def share_bounds(s: pd.DataFrame) -> pd.Series:
    """The bound of each group's ``share``: a stated share has the group's ``bound``; a value over a stated
    total has the value's bound with the total's read the other way (a total "over $7.4bn" makes every share
    of it an upper bound, one of "nearly $3bn" a lower bound). Missing columns are exact."""
    own = s["bound"].map(_bound) if "bound" in s else pd.Series("exact", index=s.index)
    total = s["total_bound"].map(_bound) if "total_bound" in s else pd.Series("exact", index=s.index)
    stated = s["share_pct"].notna() if "share_pct" in s else pd.Series(False, index=s.index)
    of_total = [combined_bound([b, FLIPPED_BOUND.get(t, t)]) for b, t in zip(own.tolist(), total.tolist())]
    return own.where(stated, pd.Series(of_total, index=s.index, dtype=object))


def combined_bound(bounds) -> str:
    """The bound of a sum (or ratio) of figures with these bounds: exact when all are; one direction when
    every bounded part goes that way (an approximate part goes with it); ``approx`` when the only bound is
    "about"; :data:`UNKNOWN_BOUND` when parts are bounded both ways."""
    found = {_bound(b) for b in bounds} - {"exact"}
    directions = found & {"lower", "upper"}
    if UNKNOWN_BOUND in found or len(directions) > 1:
        return UNKNOWN_BOUND
    if directions:
        return directions.pop()
    return "approx" if "approx" in found else "exact"


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
    """(year, category, share) of the largest mapped category in the latest year of ``shares`` that maps one;
    ties go to the first label in alphabetical order. A later year that maps nothing (totals only, or chapters
    the concordance lacks) is skipped, never read as zero shares. None when no year maps anything."""
    mapped = shares[~shares["kind"].isin([NOT_ITEMISED, "unmapped"])]
    if mapped.empty:
        return None
    latest_year = int(mapped["start"].max().year)
    newest = mapped[mapped["start"].dt.year == latest_year]
    top = newest.sort_values(["share", "category"], ascending=[False, True]).head(1)
    return latest_year, str(top["category"].iloc[0]), float(top["share"].iloc[0])


def categories_with_chapters(categories: pd.DataFrame, concordance: pd.DataFrame) -> pd.DataFrame:
    """The chamber's categories with how many HS chapters the concordance maps to each."""
    counts = concordance.groupby("category_id").size().rename("HS chapters").astype("Int64")
    table = categories.merge(counts, left_on="category_id", right_index=True, how="left")
    return table[["category_id", "label", "kind", "HS chapters"]]

"""Composition shares, nesting, energy re-basing and the comparison with the report, on small fixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis import composition

KIND = {
    "agriculture": "chamber_ten",
    "food_industry": "chamber_ten",
    "leather": "chamber_ten",
    "energy": "energy",
    "mixed_agri_food": "mixed",
    "unmapped": "unmapped",
    "chemicals": "chamber_ten",
}


def comp(*rows):
    """rows: (breakdown key, record_id, category_id, value, share_pct, total_value, part_of)."""
    recs = []
    for key, rid, cid, value, share, total, part_of in rows:
        recs.append(
            {
                "record_id": rid,
                "statement_id": f"s-{rid}",
                "source_url": f"https://example.org/{key}",
                "status": "confirmed",
                "published": pd.NaT,
                "period": f"period {key}",
                "stated_by": "chamber",
                "publisher": f"pub {key}",
                "start": pd.Timestamp(f"20{10 + key}-01-01"),
                "category_id": cid,
                "category": cid.replace("_", " "),
                "kind": KIND[cid],
                "value": value,
                "share_pct": share,
                "total_value": total,
                "part_of": part_of,
            }
        )
    frame = pd.DataFrame(recs)
    for c in ("value", "total_value"):
        frame[c] = frame[c].astype("Int64")
    frame["share_pct"] = frame["share_pct"].astype("Float64")
    return frame


def test_shares_from_values_over_total_and_not_itemised_rest():
    c = comp((1, "a", "agriculture", 30, None, 100, None), (1, "b", "energy", 50, None, 100, None))
    s = composition.category_shares(c).set_index("category_id")["share"]
    assert s["agriculture"] == pytest.approx(0.30)
    assert s["energy"] == pytest.approx(0.50)
    assert s["not_itemised"] == pytest.approx(0.20)


def test_nested_groups_are_not_added_to_their_parent():
    c = comp((1, "a", "mixed_agri_food", None, 30.0, None, None), (1, "b", "agriculture", 10, None, 100, "a"))
    s = composition.category_shares(c).set_index("category_id")["share"]
    assert "agriculture" not in s
    assert s["mixed_agri_food"] == pytest.approx(0.30)


def test_without_energy_rebases_only_where_energy_is_itemised():
    c = comp(
        (1, "a", "agriculture", 30, None, 100, None),
        (1, "b", "energy", 50, None, 100, None),
        (2, "c", "chemicals", None, 40.0, None, None),
    )
    s = composition.category_shares(c, include_energy=False)
    one = s[s["breakdown"].str.contains("period 1")].set_index("category_id")["share"]
    assert one["agriculture"] == pytest.approx(0.60)  # 30 of the 50 non-energy
    assert "energy" not in one
    two = s[s["breakdown"].str.contains("period 2")]
    assert set(two["note"]) == {"energy not itemised: shares as stated"}
    assert two.set_index("category_id")["share"]["chemicals"] == pytest.approx(0.40)


def test_a_breakdown_of_energy_only_becomes_not_itemised_without_energy():
    c = comp((1, "a", "energy", None, 65.0, None, None))
    s = composition.category_shares(c, include_energy=False)
    assert list(s["category_id"]) == ["not_itemised"]


def test_groups_without_share_or_total_are_not_given_a_share():
    c = comp((1, "a", "agriculture", 30, None, None, None))
    assert composition.category_shares(c).empty
    assert composition.with_shares(c).iloc[0]["share_basis"] == "no total: share not computable"


def test_versus_report_keeps_missing_as_missing():
    c = comp((1, "a", "agriculture", None, 25.0, None, None), (1, "b", "food_industry", None, 40.0, None, None))
    v = composition.versus_report(composition.category_shares(c), {"agriculture": 0.30, "leather": 0.03}).iloc[0]
    assert v["agriculture (report 30%)"] == pytest.approx(0.25)
    assert pd.isna(v["leather (report 3%)"])
    assert v["largest category"] == "food industry"


def test_energy_effect():
    c = comp((1, "a", "energy", 35, None, 100, None), (1, "b", "agriculture", 20, None, 100, None))
    e = composition.energy_effect(c)
    assert e.iloc[0]["energy_share"] == pytest.approx(0.35)


def test_every_reported_group_in_the_data_has_a_mapping():
    from helpers.tables import read_table

    groups = set(read_table("concordance_groups")["reported_group"])
    cats = set(read_table("categories")["category_id"])
    assert set(read_table("composition")["reported_group"]) <= groups
    assert set(read_table("concordance_groups")["category_id"]) <= cats
    hs = read_table("concordance_hs")
    assert set(hs["category_id"]) <= cats
    assert set(hs["hs_chapter"]) >= {f"{i:02d}" for i in range(1, 98)}
    assert hs.set_index("hs_chapter").loc["27", "category_id"] == "energy"
    ten = read_table("categories")
    assert (ten["kind"] == "chamber_ten").sum() == 10


def test_itemised_summary_names_each_stated_category():
    c = comp((1, "a", "agriculture", None, 25.0, None, None), (2, "b", "agriculture", None, 15.0, None, None))
    versus = composition.versus_report(composition.category_shares(c), {"agriculture": 0.30, "leather": 0.03})
    out = composition.itemised_summary(versus, {"agriculture": 0.30, "leather": 0.03})
    assert out["agriculture"] == "agriculture alone: 25%, 15% in 2 comparable breakdowns (report: 30%)"
    assert out["leather"] == "leather: itemised in no comparable breakdown (report: 3%)"


def test_top_lists_are_not_comparable_but_single_statements_are():
    c = comp(
        (1, "a", "agriculture", 2, None, 100, None),
        (1, "b", "energy", 40, None, 100, None),  # a top list: 42% itemised
        (2, "c", "agriculture", None, 23.0, None, None),  # one group's share, stated
        (3, "d", "agriculture", None, 60.0, None, None),
        (3, "e", "chemicals", None, 35.0, None, None),  # 95% itemised
    )
    shares = composition.category_shares(c)
    ok = composition.comparable_breakdowns(shares)
    assert [b.split(" · ")[0] for b in ok] == ["period 2", "period 3"]
    assert [b.split(" · ")[0] for b in composition.comparable_breakdowns(shares, single_groups=False)] == ["period 3"]


def test_a_breakdown_carried_by_two_outlets_counts_once():
    c = comp((1, "a", "agriculture", 30, None, 100, None), (2, "b", "agriculture", 30, None, 100, None))
    assert composition.category_shares(c)["breakdown"].nunique() == 2
    c.loc[1, "statement_id"] = "s-a"
    assert composition.category_shares(c)["breakdown"].nunique() == 1
    c.loc[1, "statement_id"] = "s-b"
    c.loc[1, "status"] = "unconfirmed"
    assert composition.category_shares(c)["breakdown"].nunique() == 1


@pytest.mark.parametrize("include_energy", [True, False])
def test_no_breakdown_known_gives_an_empty_table_not_an_error(include_energy):
    # e.g. the claims judged at a date before the first published breakdown
    none = comp((1, "a", "agriculture", 30, None, 100, None)).iloc[:0]
    shares = composition.category_shares(none, include_energy)
    assert shares.empty
    assert {"breakdown", "share", *composition.SOURCE_COLUMNS} <= set(shares.columns)


def test_energy_effect_keeps_the_bound_of_the_share_and_the_part_not_itemised():
    c = comp((1, "a", "energy", None, 65.0, None, None))
    c["bound"] = ["lower"]  # "more than 65%"
    e = composition.energy_effect(c).iloc[0]
    assert e["energy_share"] == pytest.approx(0.65) and e["energy_bound"] == "lower"
    assert e["not_itemised"] == pytest.approx(0.35)
    over = comp((1, "a", "energy", 27, None, 74, None), (1, "b", "agriculture", 47, None, 74, None))
    over["total_bound"] = "lower"  # a share of a total "over $7.4bn" is at most the share computed
    e = composition.energy_effect(over).iloc[0]
    assert e["energy_bound"] == "upper" and e["not_itemised"] == pytest.approx(0.0)


def test_a_sum_of_bounds_both_ways_has_no_bound():
    assert composition.combined_bound(["exact", None, "lower", "approx"]) == "lower"
    assert composition.combined_bound(["approx", "exact"]) == "approx"
    assert composition.combined_bound(["lower", "upper"]) == composition.UNKNOWN_BOUND

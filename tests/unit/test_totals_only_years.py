"""A year that an official download gives as totals only (Comtrade TOTAL rows, no HS chapters) is never read
as zero shares: the composition claims are rated on the latest year with a product breakdown (and say so), or
are unverifiable when no year has one; the claims about total trade still use that year. Small frames in the
shapes the analyses return, and one small Comtrade file read through the pair's evidence."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import evidence
from helpers.analysis import claims, composition, headlines, market
from helpers.answers import Unanswered
from tests.fixtures import COMTRADE_HEADER, comtrade_row, write

AS_OF = "2024-09-03"
CLAIMS = pd.DataFrame(
    {
        "claim_id": [
            "c01-trade-over-10bn",
            "c02-aim-20bn",
            "c03-target-doubles",
            "c07-share-65pct",
            "c08-agriculture-30pct",
            "c09-agriculture-largest",
            "c10-leather-3pct",
        ],
        "value": [10e9, 20e9, 2.0, 65.0, 30.0, float("nan"), 3.0],
    }
)
COMPOSITION_READINGS = {
    "the ten categories' share of Iran's exports to Iraq",
    "energy's share of Iran's exports to Iraq",
    "agricultural products alone (HS 01–14, as mapped)",
    "agriculture with food industries (HS 01–24)",
    "leather (HS 41–43)",
}
TEN = {"agriculture": "Agriculture", "leather": "Leather", "textiles": "Textiles"}


def breakdown(year: int, shares: dict[str, float] | None, side: str = "exporter") -> list[dict]:
    """One breakdown in the shape of :func:`helpers.analysis.official.category_shares`; None: totals only."""
    label, start = f"{year} · comtrade · {side}", pd.Timestamp(f"{year}-01-01")
    if shares is None:
        shares = {"not itemised": 1.0}
    rows = []
    for cid, share in shares.items():
        kind = "not itemised" if cid == "not itemised" else "energy" if cid == "energy" else "chamber_ten"
        category = TEN.get(cid, cid)
        cid = "not_itemised" if cid == "not itemised" else cid
        rows.append(dict(breakdown=label, start=start, category_id=cid, category=category, kind=kind, share=share))
    return rows


def pair_shares(*breakdowns: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for rows in breakdowns for row in rows]).assign(note="")


def market_year(year: int, shares: dict[str, float] | None) -> list[dict]:
    """One year of :func:`helpers.analysis.market.composition`; None: totals only."""
    shares = {"not itemised": 1.0} if shares is None else shares
    rows = []
    for cid, share in shares.items():
        kind = "not itemised" if cid == "not itemised" else "energy" if cid == "energy" else "chamber_ten"
        rows.append(dict(year=year, category_id=cid, value_usd=share * 1e9, share=share, category=cid, kind=kind))
    return rows


def series(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"year": list(values), "value": list(values.values())})


def supplier(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"year": list(values), "share": list(values.values()), "rank": 2, "suppliers": 5, "basis": "importer's report"}
    )


def results(shares, market_=None, as_of: str = AS_OF, two_way=None, share=None) -> pd.DataFrame:
    none = Unanswered("not in this test")
    return claims.official_results(
        CLAIMS,
        as_of,
        none if two_way is None else two_way,
        none if share is None else share,
        shares,
        none if market_ is None else pd.DataFrame(market_),
        lambda year: None,
        none,
        "official comtrade statistics",
    )


def by_reading(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("reading")


ITEMISED_2017 = {"agriculture": 0.2, "energy": 0.7, "leather": 0.1}
ITEMISED_2018 = {"agriculture": 0.31, "energy": 0.6, "leather": 0.03, "textiles": 0.06}


def test_a_totals_only_latest_year_is_skipped_for_composition_and_kept_for_total_trade():
    shares = pair_shares(breakdown(2017, ITEMISED_2017), breakdown(2018, ITEMISED_2018), breakdown(2020, None))
    table = results(shares, two_way=series({2018: 8e9, 2020: 11e9}), share=supplier({2018: 0.1, 2020: 0.12}))
    rows = by_reading(table)
    composition_rows = table[table["claim_id"].isin(["c08-agriculture-30pct", "c09-agriculture-largest"])]
    assert set(composition_rows["year"]) == {2018}
    assert rows.loc["agricultural products alone (HS 01–14, as mapped)", "official_value"] == pytest.approx(0.31)
    assert rows.loc["agricultural products alone (HS 01–14, as mapped)", "official_result"] == "consistent"
    assert rows.loc["leather (HS 41–43)", "official_result"] == "consistent"
    assert rows.loc["energy's share of Iran's exports to Iraq", "official_value"] == pytest.approx(0.6)
    assert rows.loc["the ten categories' share of Iran's exports to Iraq", "official_value"] == pytest.approx(0.4)
    assert rows.loc["the largest category is energy", "official_result"] == "inconsistent"
    for reading in COMPOSITION_READINGS:
        assert rows.loc[reading, "year"] == 2018
        assert "latest year with a product breakdown (2020: totals only)" in rows.loc[reading, "basis"]
    # the totals-only year still counts for the claims about total trade
    assert rows.loc["two-way trade in the latest year before the report", "year"] == 2020
    assert rows.loc["two-way trade in the latest year before the report", "official_result"] == "consistent"
    assert rows.loc["Iran's share of Iraq's total imports (as written)", "year"] == 2020


def test_a_totals_only_middle_year_is_skipped_when_it_is_the_latest_before_the_date():
    shares = pair_shares(breakdown(2017, ITEMISED_2017), breakdown(2018, None), breakdown(2020, ITEMISED_2018))
    early = by_reading(results(shares, as_of="2019-09-03"))
    for reading in COMPOSITION_READINGS:
        assert early.loc[reading, "year"] == 2017  # 2018 gives totals only, 2020 is after the date
        assert "(2018: totals only)" in early.loc[reading, "basis"]
    assert early.loc["leather (HS 41–43)", "official_value"] == pytest.approx(0.1)
    late = by_reading(results(shares))
    for reading in COMPOSITION_READINGS:
        assert late.loc[reading, "year"] == 2020 and "totals only" not in late.loc[reading, "basis"]


def test_a_year_whose_one_side_gives_totals_only_is_rated_on_the_side_with_chapters():
    shares = pair_shares(
        breakdown(2018, ITEMISED_2017), breakdown(2020, None), breakdown(2020, ITEMISED_2018, "importer")
    )
    rows = by_reading(results(shares))
    assert rows.loc["agricultural products alone (HS 01–14, as mapped)", "year"] == 2020
    assert rows.loc["agricultural products alone (HS 01–14, as mapped)", "official_value"] == pytest.approx(0.31)
    assert rows.loc["leather (HS 41–43)", "basis"].endswith("2020 · comtrade · importer")


def test_every_year_totals_only_leaves_every_composition_reading_unverifiable():
    shares = pair_shares(breakdown(2017, None), breakdown(2018, None), breakdown(2020, None))
    table = results(shares, market_=market_year(2020, None), two_way=series({2020: 11e9}))
    rows = by_reading(table)
    composition_rows = table[table["reading"].isin(COMPOSITION_READINGS | {"the largest category"})]
    assert len(composition_rows) == len(COMPOSITION_READINGS) + 1
    assert set(composition_rows["official_result"]) == {"unverifiable"}
    assert composition_rows["official_value"].isna().all()  # no zero shares
    assert set(composition_rows["year"]) == {2020}
    assert all("no year before the date has a product breakdown" in b for b in composition_rows["basis"])
    assert "(2017, 2018, 2020: totals only)" in composition_rows["basis"].iloc[0]
    market_row = rows.loc["the ten categories' share of Iraq's imports from all countries"]
    assert market_row["official_result"] == "unverifiable" and pd.isna(market_row["official_value"])
    assert rows.loc["two-way trade in the latest year before the report", "official_result"] == "consistent"
    shown = claims.side_by_side(pd.DataFrame({"claim_id": ["c10-leather-3pct"], "rating": ["consistent"]}), table)
    assert shown.iloc[0]["official_statistics"] == "leather (HS 41–43) (2020): unverifiable, no figure"


def test_the_market_composition_skips_a_totals_only_year_and_keeps_a_partly_itemised_part_a_gap():
    full = {"agriculture": 0.4, "textiles": 0.25, "energy": 0.35}
    rows = by_reading(results(Unanswered("none"), market_=market_year(2018, full) + market_year(2020, None)))
    ten = rows.loc["the ten categories' share of Iraq's imports from all countries"]
    assert (ten["year"], ten["official_value"], ten["official_result"]) == (2018, pytest.approx(0.65), "consistent")
    assert "(2020: totals only)" in ten["basis"]
    # 2020 partly itemised: the ten categories are 50% of what is itemised, 20% is not itemised (some supplier
    # gave totals only): the share lies between 50% and 70%, which neither supports nor contradicts 65%
    partial = {"agriculture": 0.3, "textiles": 0.2, "energy": 0.3, "not itemised": 0.2}
    rows = by_reading(results(Unanswered("none"), market_=market_year(2018, full) + market_year(2020, partial)))
    ten = rows.loc["the ten categories' share of Iraq's imports from all countries"]
    assert (ten["year"], ten["official_result"]) == (2020, "unverifiable")
    assert "20% not itemised (totals only): the share is 50%–70%" in ten["basis"]
    low = {"agriculture": 0.1, "textiles": 0.1, "energy": 0.7, "not itemised": 0.1}  # 20%–30%: contradicts 65%
    rows = by_reading(results(Unanswered("none"), market_=market_year(2020, low)))
    assert rows.loc["the ten categories' share of Iraq's imports from all countries", "official_result"] == (
        "inconsistent"
    )


def test_the_largest_category_with_a_part_not_itemised_is_decided_only_when_that_part_cannot_change_it():
    def largest(shares: dict[str, float]) -> pd.Series:
        table = results(pair_shares(breakdown(2020, shares)))
        return table[table["claim_id"] == "c09-agriculture-largest"].iloc[0]

    assert largest({"agriculture": 0.6, "energy": 0.3, "not itemised": 0.1})["official_result"] == "consistent"
    assert largest({"agriculture": 0.45, "energy": 0.4, "not itemised": 0.15})["official_result"] == "unverifiable"
    assert largest({"energy": 0.7, "agriculture": 0.2, "not itemised": 0.1})["official_result"] == "inconsistent"
    unsure = largest({"energy": 0.5, "agriculture": 0.2, "not itemised": 0.3})
    assert unsure["official_result"] == "unverifiable"
    assert unsure["reading"] == "the largest itemised category is energy (30% not itemised)"


def test_the_ten_categories_of_the_whole_market_are_missing_not_zero_in_a_totals_only_year():
    comp = pd.DataFrame(
        market_year(2017, {"agriculture": 0.5, "energy": 0.5})
        + market_year(2018, None)
        + market_year(2020, {"energy": 1.0})
    )
    ten = market.kind_shares(comp, ("chamber_ten",)).set_index("year")["share"]
    assert ten[2017] == pytest.approx(0.5) and ten[2020] == 0.0  # itemised, none of the ten: a real zero
    assert pd.isna(ten[2018])  # totals only: no share


def test_the_largest_category_in_the_composition_finding_comes_from_the_latest_year_with_a_breakdown():
    shares = pair_shares(breakdown(2018, ITEMISED_2018), breakdown(2020, None))
    assert composition.top_category(shares) == (2018, "energy", pytest.approx(0.6))
    assert composition.top_category(pair_shares(breakdown(2018, None), breakdown(2020, None))) is None

    class Pair:
        name, exporter_name, importer_name = "Iran–Iraq", "Iran", "Iraq"

    none = Unanswered("no reported figures")
    found = headlines.composition_finding(Pair(), none, none, none, shares, "comtrade")
    assert "in 2018 was energy (60%)" in found and "2020: no HS chapter mapped to a category" in found


def test_a_download_with_a_totals_only_latest_year_rates_composition_on_the_year_with_chapters(tmp_path):
    irn, irq, tur = 364, 368, 792
    rows = [
        comtrade_row(irn, irq, "X", "01", 1e9, 2017),
        comtrade_row(irn, irq, "X", "27", 5e9, 2017),
        comtrade_row(irn, irq, "X", "01", 3e9, 2018),
        comtrade_row(irn, irq, "X", "41", 1e9, 2018),
        comtrade_row(irn, irq, "X", "27", 6e9, 2018),
        comtrade_row(irn, irq, "X", "TOTAL", 9e9, 2020),
        comtrade_row(irn, irq, "M", "TOTAL", 2e9, 2020),
        comtrade_row(tur, irq, "X", "84", 7e9, 2020),
    ]
    path = write(tmp_path / "comtrade.csv", COMTRADE_HEADER, rows)
    pair = evidence.load("IRN", "IRQ", "comtrade", str(path))
    table = pair.download().claims_results(pair.claims(), AS_OF, pair.reported)
    found = by_reading(table)
    agriculture = found.loc["agricultural products alone (HS 01–14, as mapped)"]
    assert (agriculture["year"], agriculture["official_value"]) == (2018, pytest.approx(0.3))
    assert agriculture["official_result"] == "consistent" and "(2020: totals only)" in agriculture["basis"]
    assert found.loc["leather (HS 41–43)", "official_value"] == pytest.approx(0.1)
    assert found.loc["the largest category is energy", "year"] == 2018
    two_way = found.loc["two-way trade in the latest year before the report"]
    assert (two_way["year"], two_way["official_value"], two_way["official_result"]) == (2020, 11e9, "consistent")
    assert found.loc["Iran's share of Iraq's total imports (as written)", "year"] == 2020
    # the chart still shows 2020 as not itemised: a gap, not a share
    shares = pair.download().category_shares()
    assert set(shares.loc[shares["start"].dt.year == 2020, "kind"]) == {"not itemised"}


def test_a_download_of_totals_only_leaves_composition_unverifiable_and_total_trade_decided(tmp_path):
    rows = [
        comtrade_row(364, 368, "X", "TOTAL", 9e9, 2020),
        comtrade_row(364, 368, "M", "TOTAL", 2e9, 2020),
        comtrade_row(364, 368, "X", "TOTAL", 8e9, 2021),
        comtrade_row(364, 368, "M", "TOTAL", 2e9, 2021),
    ]
    pair = evidence.load("IRN", "IRQ", "comtrade", str(write(tmp_path / "totals.csv", COMTRADE_HEADER, rows)))
    assert isinstance(pair.download().category_shares(), Unanswered)  # nothing to draw
    table = pair.download().claims_results(pair.claims(), AS_OF, pair.reported)
    composition_rows = table[
        table["claim_id"].isin(["c08-agriculture-30pct", "c09-agriculture-largest", "c10-leather-3pct"])
    ]
    assert len(composition_rows) == 4 and set(composition_rows["official_result"]) == {"unverifiable"}
    assert composition_rows["official_value"].isna().all() and set(composition_rows["year"]) == {2021}
    assert all("(2020, 2021: totals only)" in b for b in composition_rows["basis"])
    two_way = by_reading(table).loc["two-way trade in the latest year before the report"]
    assert (two_way["year"], two_way["official_value"]) == (2021, 10e9)


def test_the_composition_claims_read_the_best_ranked_side_of_the_year():
    # the importer's report comes before the exporter's (OFFICIAL_PREFERENCE), as for every official series
    both = pair_shares(breakdown(2020, ITEMISED_2017), breakdown(2020, ITEMISED_2018, "importer"))
    rows = by_reading(results(both))
    assert rows.loc["leather (HS 41–43)", "official_value"] == pytest.approx(0.03)
    assert rows.loc["leather (HS 41–43)", "basis"].endswith("2020 · comtrade · importer")

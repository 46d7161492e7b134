"""The importer's whole market from official files written here in the real layouts: suppliers' shares and
ranks, absent suppliers, mirror labels, composition, and the claims decided on official data."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import evidence
from helpers.analysis import headlines, market
from helpers.official import read_imports
from helpers.tables import read_table
from tests.fixtures import COMTRADE_HEADER, baci_folder, comtrade_row, write

IRN, IRQ, TUR, ARE = 364, 368, 792, 784


@pytest.fixture
def release(tmp_path):
    """BACI values are thousands of US$: 2021 Iraq buys 300 from Iran (farm goods), 500 from Türkiye (gas),
    200 from the UAE (clothing); 2022 400 from Iran and 100 from Türkiye, nothing from the UAE."""
    return baci_folder(
        tmp_path / "baci",
        {
            2021: [
                [2021, IRN, IRQ, "010121", 300.0, 1.0],
                [2021, TUR, IRQ, "271111", 500.0, 1.0],
                [2021, ARE, IRQ, "610910", 200.0, 1.0],
                [2021, IRN, TUR, "010121", 999.0, 1.0],  # not Iraq's imports
            ],
            2022: [[2022, IRN, IRQ, "010121", 400.0, 1.0], [2022, TUR, IRQ, "271111", 100.0, 1.0]],
        },
    )


def test_known_supplier_totals_give_exact_shares_and_ranks_and_an_absent_supplier_stays_absent(release):
    shares = market.supplier_shares(read_imports(release, "IRQ", progress=False)).set_index(["year", "exporter"])
    assert shares.loc[(2021, "TUR"), "share"] == pytest.approx(0.5)
    assert shares.loc[(2021, "IRN"), "share"] == pytest.approx(0.3)
    assert shares.loc[(2021, "IRN"), "value_usd"] == pytest.approx(300_000.0)
    assert [shares.loc[(2021, c), "rank"] for c in ("TUR", "IRN", "ARE")] == [1, 2, 3]
    assert shares.loc[(2022, "IRN"), "share"] == pytest.approx(0.8) and shares.loc[(2022, "IRN"), "rank"] == 1
    assert (2022, "ARE") not in shares.index  # absent, not zero
    assert set(shares["basis"]) == {"reconciled (BACI)"}
    totals = market.market_totals(shares.reset_index()).set_index("year")
    assert totals.loc[2021, "total_usd"] == pytest.approx(1_000_000.0) and totals.loc[2022, "suppliers"] == 2


def test_composition_of_the_whole_market_by_the_ten_categories(release):
    comp = market.composition(
        read_imports(release, "IRQ", progress=False), read_table("categories"), read_table("concordance_hs")
    )
    first = comp[comp["year"] == 2021].set_index("category_id")["share"]
    assert first["energy"] == pytest.approx(0.5) and first["agriculture"] == pytest.approx(0.3)
    assert first["textiles"] == pytest.approx(0.2)
    ten = market.kind_shares(comp, ("chamber_ten",)).set_index("year")["share"]
    assert ten[2021] == pytest.approx(0.5) and ten[2022] == pytest.approx(0.8)


def test_mirror_figures_are_labelled_and_the_importers_own_report_comes_first(tmp_path):
    rows = [
        comptrade
        for comptrade in (
            comtrade_row(reporter=IRN, partner=IRQ, flow="X", cmd="01", value=100.0, year=2022),
            comtrade_row(reporter=TUR, partner=IRQ, flow="X", cmd="27", value=300.0, year=2022),
            comtrade_row(reporter=IRQ, partner=TUR, flow="M", cmd="27", value=350.0, year=2022),
        )
    ]
    path = write(tmp_path / "comtrade.csv", COMTRADE_HEADER, rows)
    shares = market.supplier_shares(read_imports(path, "IRQ", progress=False)).set_index("exporter")
    assert shares.loc["TUR", "value_usd"] == 350.0 and shares.loc["TUR", "basis"] == "importer's report"
    assert shares.loc["IRN", "basis"] == market.MIRROR
    totals = market.market_totals(shares.reset_index())
    assert totals.iloc[0]["mirror_share"] == pytest.approx(100 / 450)
    assert headlines.mirror_line(totals, "Iraq").startswith("Mirror data (suppliers' reports, not Iraq's own)")
    only_mirror = market.market_totals(shares.reset_index().query("exporter == 'IRN'"))
    assert "every figure of Iraq's imports is a supplier's report" in headlines.mirror_line(only_mirror, "Iraq")


def test_the_pair_answers_the_importers_market_and_the_claims_on_official_data(release):
    pair = evidence.load("IRN", "IRQ", "baci", str(release))
    mine = pair.download().reporter_share().set_index("year")
    assert mine.loc[2021, "rank"] == 2 and mine.loc[2022, "share"] == pytest.approx(0.8)
    results = pair.download().claims_results(pair.claims(), "2024-09-03", pair.reported)
    share = results[results["reading"].str.startswith("Iran's share")].iloc[0]
    assert (share["year"], share["official_value"], share["official_result"]) == (
        2022,
        pytest.approx(0.8),
        "inconsistent",
    )
    assert "rank 1 of 2 suppliers" in share["basis"]
    ten = results[results["reading"] == "the ten categories' share of Iraq's imports from all countries"].iloc[0]
    assert ten["official_value"] == pytest.approx(0.8)
    agri = results[results["reading"].str.startswith("agricultural products alone")].iloc[0]
    assert agri["official_value"] == pytest.approx(1.0) and agri["official_result"] == "inconsistent"
    assert set(results["official_result"]) <= {"consistent", "inconsistent", "mixed", "unverifiable"}
    # the ratings themselves come from the reported evidence and are untouched by the download
    assert "c07-share-65pct" in set(results["claim_id"])


def test_a_second_pair_gets_its_importers_market_with_no_code_change(release):
    pair = evidence.load("TUR", "IRQ", "baci", str(release))
    mine = pair.download().reporter_share().set_index("year")
    assert mine.loc[2021, "share"] == pytest.approx(0.5) and mine.loc[2022, "rank"] == 2
    assert isinstance(pair.claims(), type(pair.reported))  # no shipped claims for Türkiye–Iraq: an Unanswered
    assert pd.api.types.is_float_dtype(pair.download().suppliers()["share"])


@pytest.mark.slow  # rates claims with their robustness: make test, not the inner loop
def test_ratings_stand_beside_the_official_results_never_replaced(release):
    from helpers.analysis import claims

    pair = evidence.load("IRN", "IRQ", "baci", str(release))
    two = pair.claims().query("claim_id in ['c05-students-1200', 'c07-share-65pct']")
    verdicts = claims.verdict_table(claims.check_all(two, pair.claims_evidence("2024-09-03")))
    results = pair.download().claims_results(pair.claims(), "2024-09-03", pair.reported)
    table = claims.side_by_side(verdicts, results).set_index("claim_id")
    assert list(table["rating (reported evidence)"]) == list(verdicts["rating"])
    assert table.loc["c07-share-65pct", "official_statistics"].startswith(
        "Iran's share of Iraq's total imports (as written) (2022): inconsistent, 80%"
    )
    assert table.loc["c05-students-1200", "official_statistics"] == "not decided by official statistics"


def test_a_download_of_the_pair_alone_gives_no_share_of_the_importers_market(tmp_path):
    # the usual Comtrade download for Iran–Iraq: Iran reports its exports to Iraq and nothing else; 2023 also
    # holds Türkiye's exports to Iraq, so only that year is a market
    rows = [
        comtrade_row(reporter=IRN, partner=IRQ, flow="X", cmd="01", value=100.0, year=2022),
        comtrade_row(reporter=IRN, partner=IRQ, flow="X", cmd="01", value=120.0, year=2023),
        comtrade_row(reporter=TUR, partner=IRQ, flow="X", cmd="27", value=360.0, year=2023),
    ]
    path = write(tmp_path / "comtrade.csv", COMTRADE_HEADER, rows)
    flows = read_imports(path, "IRQ", progress=False)
    assert market.pair_only_years(flows, "IRN") == [2022]
    pair = evidence.load("IRN", "IRQ", "comtrade", str(path))
    official = pair.download()
    mine = official.reporter_share()
    assert list(mine["year"]) == [2023] and mine.iloc[0]["share"] == pytest.approx(0.25)
    assert "holds no supplier of Iraq but Iran in 2022" in official.mirror_note()
    assert list(official.market_composition()["year"].unique()) == [2023]

    alone = write(tmp_path / "alone.csv", COMTRADE_HEADER, rows[:2])
    official = evidence.load("IRN", "IRQ", "comtrade", str(alone)).download()
    for answer in (official.reporter_share(), official.suppliers(), official.market_composition()):
        assert not isinstance(answer, pd.DataFrame)
        assert str(answer).startswith("The download holds no supplier of Iraq but Iran in 2022–2023: no share")
    assert official.mirror_note() is official.reporter_share()  # one reason, said once a cell
    reported = evidence.load("IRN", "IRQ", "reported", "")
    results = official.claims_results(reported.claims(), "2024-09-03", reported.reported)
    assert not any(results["reading"].str.startswith("Iran's share"))  # no 100% "share" of a one-supplier market


def test_claims_of_another_report_are_said_to_be_beyond_the_official_rules(release):
    official = evidence.load("TUR", "IRQ", "baci", str(release)).download()
    others = pd.DataFrame(
        {"claim_id": ["t01-trade-over-20bn"], "claim": ["Trade exceeds $20bn"], "value": [20e9], "unit": ["USD a year"]}
    )
    undecided = official.claims_results(
        others, "2024-09-03", evidence.load("TUR", "IRQ", "baci", str(release)).reported
    )
    assert "written for the claims of the 2024 report" in str(undecided)
    assert "no year before" not in str(undecided)

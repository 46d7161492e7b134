"""The pair's evidence: reported figures and an official download answer the same questions, and
whatever a run's evidence cannot answer says so."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import evidence
from helpers.answers import Unanswered, is_answered
from tests.fixtures import COMTRADE_HEADER, comtrade_row, write


@pytest.fixture(scope="module")
def iran_iraq():
    return evidence.load("IRN", "IRQ")


def comtrade_download(folder, reporter=792, partner=368):
    rows = [
        comtrade_row(reporter, partner, "X", "01", 3e9, 2021),
        comtrade_row(reporter, partner, "X", "27", 1e9, 2021),
        comtrade_row(partner, reporter, "M", "01", 4.4e9, 2021),
        comtrade_row(reporter, partner, "X", "01", 5e9, 2022),
        comtrade_row(partner, reporter, "X", "84", 0.5e9, 2022),
    ]
    return write(folder / "comtrade.csv", COMTRADE_HEADER, rows)


def test_the_shipped_pair_answers_from_reported_figures(iran_iraq):
    assert iran_iraq.name == "Iran–Iraq" and iran_iraq.primary is iran_iraq.reported
    assert iran_iraq.reported.kind == "reported"
    base = iran_iraq.primary.base(2022)
    assert base["value"] > 9e9 and base["bound"] in ("exact", "approx", "lower")
    assert iran_iraq.reported.exports("iranian")["calendar"].eq("iranian").all()
    assert len(iran_iraq.events()) > 50 and len(iran_iraq.claims()) > 10


def test_without_a_download_every_official_answer_says_what_to_set(iran_iraq):
    official = iran_iraq.download("add official series")
    assert isinstance(official, Unanswered)
    assert "Set source to comtrade or baci" in official.reason and "to add official series" in official.reason
    assert official.series_long() is official and official.mirror() is official


def test_another_pair_has_no_reported_figures_events_phases_or_claims(tmp_path):
    pair = evidence.load("TUR", "IRQ", "comtrade", str(comtrade_download(tmp_path)))
    assert not is_answered(pair.reported) and "Türkiye–Iraq" in pair.reported.reason
    assert pair.primary is pair.download()
    for answer in (pair.events(), pair.phases(), pair.claims()):
        assert isinstance(answer, Unanswered) and "Türkiye–Iraq" in answer.reason
    assert pair.claims_evidence("2024-09-03") is None


def test_a_download_answers_the_same_questions_as_reported_figures(tmp_path):
    pair = evidence.load("TUR", "IRQ", "comtrade", str(comtrade_download(tmp_path)))
    official = pair.primary
    exports = official.exports()
    assert exports.set_index("year")["value"].to_dict() == {2021: 4.4e9, 2022: 5e9}  # importer's report first
    assert official.exports("iranian").empty  # official data are calendar years only
    assert official.two_way().set_index("year")["value"].to_dict() == {2022: 5.5e9}  # 2021 has one direction only
    assert official.base(2022)["value"] == 5.5e9
    missing = official.base(2021)
    assert isinstance(missing, Unanswered) and "base year 2021" in missing.reason
    shares = official.category_shares()
    assert set(shares["breakdown"]) == {
        "2021 · comtrade · exporter",
        "2021 · comtrade · importer",
        "2022 · comtrade · exporter",
    }
    # the source line names the release and layout (no date that changes between runs) and the file
    assert official.citation().startswith("Source: UN Comtrade (HS H6, current Comtrade+ layout), download at ")
    assert "comtrade.csv" in official.citation()
    assert official.synthetic_notice() is None


def test_a_download_without_the_direction_asked_says_so(tmp_path):
    rows = [comtrade_row(368, 792, "X", "01", 1e9, 2022)]  # only Iraq's exports to Türkiye
    path = write(tmp_path / "one-way.csv", COMTRADE_HEADER, rows)
    official = evidence.load("TUR", "IRQ", "comtrade", str(path)).primary
    shares = official.category_shares()
    assert isinstance(shares, Unanswered) and shares.reason.startswith("No TUR→IRQ flows in the download")
    assert "Türkiye reports no exports to Iraq, and Iraq no imports from Türkiye" in shares.reason
    assert isinstance(official.exports(), pd.DataFrame) and official.exports().empty

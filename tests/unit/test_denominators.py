"""Iraq's total imports from official releases (WDI, WITS, IMF DOTS) in data/iraq_imports.csv equal the public
copies they were read from (tests/fixtures/official_denominators), year by year, units converted."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from helpers.tables import read_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "official_denominators"


def _read(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def wdi() -> dict[int, tuple[int, bool]]:
    """WDI merchandise imports of Iraq, current US$: year -> (dollars, estimate)."""
    return {
        int(r["year"]): (int(r["value_usd"]), False)
        for r in _read("wdi_merchandise_trade_IRQ_IRN.csv")
        if r["iso3"] == "IRQ" and r["indicator"] == "TM.VAL.MRCH.CD.WT"
    }


def wits() -> dict[int, tuple[int, bool]]:
    """WITS world exports to Iraq (US$ thousand in the copy): year -> (dollars, estimate)."""
    out = {}
    for r in _read("wits_world_by_partner_IRQ_IRN.csv"):
        if r["partner"] == "Iraq":
            dollars = Decimal(r["world_exports_to_partner_usd_thousand"]) * 1000
            assert dollars == dollars.to_integral_value(), "the copy has at most two decimals of a thousand"
            out[int(r["year"])] = (int(dollars), False)
    return out


def dots() -> dict[int, tuple[int, bool]]:
    """IMF DOTS, Iraq's imports c.i.f. from the World (US$ millions; a trailing 'e' marks an IMF estimate)."""
    out = {}
    for r in _read("imf_dots_iran_iraq.csv"):
        if r["reporter"] == "Iraq" and r["sheet"] == "Imports, CIF" and r["partner"] == "World":
            raw = r["value_usd_millions_raw"].strip()
            millions = Decimal(raw.removesuffix("e").strip())
            dollars = (millions * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            out[int(r["year"])] = (int(dollars), raw.endswith("e"))
    return out


SOURCES = {
    "wdi-merch": (wdi, "international", "https://data.worldbank.org/indicator/TM.VAL.MRCH.CD.WT?locations=IQ"),
    "wits-mirror": (wits, "mirror_data", "https://wits.worldbank.org/"),
    "dots": (dots, "international", "https://data.imf.org/"),
}


@pytest.fixture(scope="module")
def imports():
    return read_table("iraq_imports")


def _rows(imports, prefix: str):
    rows = imports[imports["record_id"].str.fullmatch(rf"{prefix}-\d{{4}}-wld")]
    return rows.set_index("year")


@pytest.mark.parametrize("prefix", sorted(SOURCES))
def test_every_row_equals_the_copy_for_its_year(imports, prefix):
    load, stated_by, url = SOURCES[prefix]
    copy = load()
    rows = _rows(imports, prefix)
    assert len(rows) > 0
    for year, row in rows.iterrows():
        value, estimate = copy[int(year)]
        assert int(row["value"]) == value, (prefix, year)
        assert row["bound"] == ("approx" if estimate else "exact"), (prefix, year)
        assert row["record_id"] == f"{prefix}-{year}-wld"
        assert (row["partner"], row["coverage"], row["unit"]) == ("WLD", "goods", "USD")
        assert row["stated_by"] == stated_by and row["source_url"] == url
        assert str(row["via"]).startswith("GitHub ") and " @ " in str(row["via"])
        assert str(row["basis"]).strip() and row["status"] == "confirmed"
        if estimate:
            assert "estimate" in str(row["note"])


@pytest.mark.parametrize("prefix", sorted(SOURCES))
def test_every_year_of_the_copy_is_present(imports, prefix):
    load, _, _ = SOURCES[prefix]
    years = {int(y) for y in _rows(imports, prefix).index}
    assert years == set(load())


def test_copies_span_the_years_the_research_note_names():
    assert (min(wdi()), max(wdi())) == (1960, 2021)
    assert (min(wits()), max(wits())) == (1988, 2021)
    assert max(dots()) == 2020
    # the research note's spot figures, as a guard against reading the wrong column
    assert round(wdi()[2019][0] / 1e9, 1) == 72.3
    assert round(wits()[2019][0] / 1e9, 1) == 55.9
    assert round(dots()[2019][0] / 1e9, 1) == 39.3

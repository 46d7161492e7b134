"""Cases an independent checker built beyond the developers' own files: Comtrade and BACI downloads
for Türkiye–Iraq and Iran–Iraq with variations of the real layouts the readers must agree on."""

from __future__ import annotations

import json
import warnings

import pytest

from helpers import evidence
from helpers.errors import DataError
from helpers.official import OfficialDataWarning, download_countries, read_flows
from helpers.official.read import read_imports
from tests.fixtures import COMTRADE_HEADER, baci_folder, comtrade_row, values, write

TUR, IRQ = 792, 368


def _with_iso(reporter_iso: str, partner_iso: str, **extra) -> list:
    return comtrade_row(TUR, IRQ, reporterISO=reporter_iso, partnerISO=partner_iso, **extra)


@pytest.mark.parametrize("written", [("tur", "irq"), (" TUR", "IRQ "), ("Tur", "Irq")])
def test_iso_columns_in_another_case_or_padded_are_read_as_the_download_is_said_to_hold_them(tmp_path, written):
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, [_with_iso(*written), _with_iso(*written, cmd="02", value=5)])
    assert download_countries(path) == ["IRQ", "TUR"]
    assert values(read_flows(path, "TUR", "IRQ"), ["exporter", "importer", "hs_code"]) == {
        ("TUR", "IRQ", "01"): 100.0,
        ("TUR", "IRQ", "02"): 5.0,
    }
    assert values(read_imports(path, "IRQ"), ["exporter"]) == {"TUR": 105.0}


def test_iso_columns_in_another_case_in_a_saved_api_response_too(tmp_path):
    names = COMTRADE_HEADER
    record = dict(zip(names, _with_iso("tur", "irq")))
    record.update(refYear=2022, reporterCode=TUR, partnerCode=IRQ, primaryValue=100.0)
    path = tmp_path / "response.json"
    path.write_text(json.dumps({"count": 1, "data": [record], "error": ""}))
    assert download_countries(path) == ["IRQ", "TUR"]
    assert values(read_flows(path, "TUR", "IRQ"), ["exporter"]) == {"TUR": 100.0}


def test_numbers_in_the_iso_columns_name_no_country_the_readers_could_not_read(tmp_path):
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, [_with_iso("792", "368")])
    with pytest.warns(Warning, match="no trade between TUR and IRQ"):
        assert read_flows(path, "TUR", "IRQ").empty
    assert download_countries(path) == []  # never "it holds IRQ, TUR" for a pair that reads empty


def test_a_supplier_code_the_release_code_file_lacks_is_said_never_silently_left_out(tmp_path):
    rows = [[2022, 792, 368, "010121", 1.5, 1], [2022, 999, 368, "270900", 3.0, 1], [2022, 490, 368, "270900", 2.0, 1]]
    folder = baci_folder(tmp_path / "baci", {2022: rows})
    with pytest.warns(OfficialDataWarning, match=r"exporter code\(s\) 999 are not in the release's country code"):
        market = read_imports(folder, "IRQ")
    assert values(market, ["exporter"]) == {"TUR": 1500.0}  # 490 is an area: left out without a word


def test_finer_rows_whose_heading_the_summed_level_lacks_are_said_never_silently_left_out(tmp_path):
    rows = [
        comtrade_row(TUR, IRQ, "X", "01", 100),
        comtrade_row(TUR, IRQ, "X", "0101", 60),  # inside chapter 01, which has its own row: not added
        comtrade_row(TUR, IRQ, "X", "2709", 500),  # chapter 27 has no 2-digit row
    ]
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, rows)
    with pytest.warns(OfficialDataWarning, match=r"1 row\(s\) of code\(s\) 2709 \(500 USD\) are finer"):
        flows = read_flows(path, "TUR", "IRQ")
    assert values(flows, ["hs_code"]) == {"01": 100.0}
    with pytest.warns(OfficialDataWarning, match=r"2709 \(500 USD\)"):
        read_imports(path, "IRQ")


def test_one_full_level_beside_another_warns_of_nothing(tmp_path):
    rows = [comtrade_row(TUR, IRQ, "X", c, v) for c, v in [("01", 100), ("0101", 60), ("0102", 40), ("27", 5)]]
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert values(read_flows(path, "TUR", "IRQ"), ["hs_code"]) == {"01": 100.0, "27": 5.0}


def test_a_direction_with_only_re_exports_says_it_holds_them_never_that_it_holds_nothing(tmp_path):
    rows = [comtrade_row(TUR, IRQ, "RX", "01", 100, year) for year in (2020, 2021, 2023)]
    rows += [comtrade_row(TUR, IRQ, "RM", "02", 10, 2021)]
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OfficialDataWarning)
        found = evidence.load("TUR", "IRQ", "comtrade", str(path)).download()
    assert found.absent("TUR", "IRQ") == (
        "No TUR→IRQ flows in the download: Türkiye reports no exports to Iraq, and Iraq no imports from Türkiye; "
        "it holds only re-exports (RX) for 2020–2021, 2023, which are kept apart and never counted as exports or "
        "imports."
    )
    assert found.absent("IRQ", "TUR").endswith(
        "it holds only re-imports (RM) for 2021, which are kept apart and never counted as exports or imports."
    )


def test_the_official_chart_of_a_download_without_exports_or_imports_warns_of_no_empty_legend(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from helpers.plots.official import plot_official

    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, [comtrade_row(TUR, IRQ, "RX", "01", 100, 2021)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OfficialDataWarning)
        found = evidence.load("TUR", "IRQ", "comtrade", str(path)).download()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_official(found.series_long(), 20e9, "Türkiye–Iraq")


def test_a_utf16_file_as_excel_saves_unicode_text_is_named_so(tmp_path):
    path = write(tmp_path / "ct.txt", COMTRADE_HEADER, [comtrade_row(TUR, IRQ)], delimiter="\t")
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(
        DataError,
        match=r"ct\.txt: line 1: header not recognised: the first line holds NUL bytes, so the file is UTF-16",
    ):
        read_flows(path, "TUR", "IRQ")


def test_breakdown_codes_written_with_a_decimal_point_by_pandas_are_read_as_the_whole_numbers_they_are(tmp_path):
    rows = [
        comtrade_row(TUR, IRQ, "X", "01", 100, partner2Code="0.0", motCode="0.0"),
        comtrade_row(TUR, IRQ, "X", "01", 40, partner2Code="0.0", motCode="2100.0"),  # a breakdown: left out
        comtrade_row(TUR, IRQ, "X", "01", 30, partner2Code="364.0", motCode="0.0"),  # a breakdown: left out
    ]
    path = write(tmp_path / "saved_by_pandas.csv", COMTRADE_HEADER, rows)
    assert values(read_flows(path, "TUR", "IRQ"), ["hs_code"]) == {"01": 100.0}


def test_a_total_beyond_the_sum_of_its_chapters_is_said_with_what_is_left_out(tmp_path):
    """A TOTAL row is never added to the chapters beside it (one level per sum); what it holds beyond them
    (trade not itemised by code) is said, with its value; a TOTAL equal to its chapters says nothing."""
    rows = [
        comtrade_row(TUR, IRQ, "X", "TOTAL", 1000),
        comtrade_row(TUR, IRQ, "X", "01", 300),
        comtrade_row(TUR, IRQ, "X", "02", 500),
        comtrade_row(TUR, IRQ, "M", "TOTAL", 50),
        comtrade_row(TUR, IRQ, "M", "01", 50),
    ]
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, rows)
    said = r"TOTAL row of 1 .*2022 TUR->IRQ X, exceeds the sum of the HS rows .*\(200 USD in all\)"
    with pytest.warns(OfficialDataWarning, match=said):
        flows = read_flows(path, "TUR", "IRQ")
    assert values(flows, ["flow", "hs_code"]) == {("X", "01"): 300.0, ("X", "02"): 500.0, ("M", "01"): 50.0}
    even = write(tmp_path / "even.csv", COMTRADE_HEADER, rows[3:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_flows(even, "TUR", "IRQ")

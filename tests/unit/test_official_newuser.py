"""The official-download path as a new user meets it: parameters written as people write them, downloads
saved as the publishers' websites and spreadsheets save them, and one readable message for each bad input
(file, line, column, rule) before any kernel starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.errors import DataError, ParameterError
from helpers.official import OfficialDataWarning, read_flows
from helpers.pipeline import parameters as params
from tests.fixtures import COMTRADE_HEADER, baci_folder, comtrade_row, make_notebook, values, write

GOOD_BACI = [[2022, 364, 368, "010121", 1.5, 2], [2022, 368, 364, "270900", 3.0, 1]]


@pytest.fixture
def pair_notebook(tmp_path):
    """A notebook that declares the country pair's parameters, as the collection's four do."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    make_notebook(
        folder / "01-pair.ipynb",
        "source: str = 'reported'  # where\n"
        "data_path: str = ''  # file or folder\n"
        "reporter: str = 'IRN'  # ISO3\n"
        "partner: str = 'IRQ'  # ISO3",
    )
    return params.notebook_paths(folder)


# ---------------------------------------------------------------------------
# 1. Country codes in another case, padded, or numeric


@pytest.mark.parametrize("written", ["irn", " IRN ", "Irn", "364", "0364", 364, " 364 "])
def test_a_country_code_in_another_case_padded_or_numeric_is_normalised(pair_notebook, written):
    out = params.resolve({"reporter": written, "partner": " irq"}, pair_notebook)
    assert out["01-pair"]["reporter"] == "IRN"
    assert out["01-pair"]["partner"] == "IRQ"


def test_a_normalised_code_is_what_the_download_is_asked_about(tmp_path, pair_notebook, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    folder = baci_folder(tmp_path / "baci", {2022: GOOD_BACI})
    out = params.resolve({"source": "baci", "data_path": str(folder), "reporter": "irn", "partner": 368}, pair_notebook)
    assert (out["01-pair"]["reporter"], out["01-pair"]["partner"]) == ("IRN", "IRQ")


@pytest.mark.parametrize(
    "written, hint",
    [("Iran", "did you mean IRN (Iran)?"), ("IQ", "did you mean IRQ (Iraq)?"), ("490", "'Other Asia, nes', an area")],
)
def test_a_name_alpha2_code_or_area_is_refused_saying_what_it_would_be(pair_notebook, written, hint):
    with pytest.raises(ParameterError) as err:
        params.resolve({"reporter": written}, pair_notebook)
    assert "'reporter' must be an ISO 3166 alpha-3 country code" in str(err.value)
    assert hint in str(err.value)


# ---------------------------------------------------------------------------
# 2. A BACI country the release's code file does not list


def _without(folder, code: int):
    """The folder's country code file without the line of ``code`` (a trimmed or older release's file)."""
    (codes,) = folder.glob("country_codes_V*.csv")
    lines = codes.read_text(encoding="utf-8").splitlines()
    codes.write_text("\n".join(line for line in lines if not line.startswith(f"{code},")) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("partner", ["IRQ", "DEU"])
def test_a_country_missing_from_the_baci_code_file_is_one_message_naming_what_the_download_holds(
    tmp_path, pair_notebook, monkeypatch, partner
):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    rows = [*GOOD_BACI, [2022, 792, 364, "010121", 2.0, 1], [2022, 842, 368, "010121", 2.0, 1]]
    folder = _without(baci_folder(tmp_path / "baci", {2022: rows}), 368)
    with pytest.raises(ParameterError) as err:
        params.resolve(
            {"source": "baci", "data_path": str(folder), "reporter": "IRN", "partner": partner}, pair_notebook
        )
    message = str(err.value)
    assert f"holds no rows for IRN and {partner}: {partner} is not in the release's code file" in message
    assert "country_codes_V202501.csv" in message
    assert "it holds: IRN, TUR, USA (set reporter and partner to two of them)" in message
    assert "KeyError" not in message and "Traceback" not in message


def test_a_country_missing_from_a_v202301_code_file_in_a_release_zip_is_named_too(tmp_path, pair_notebook, monkeypatch):
    """The real V202301 code file lists no TWN (Taiwan is BACI's 490 "Other Asia, nes")."""
    from tests.fixtures.official_layouts import baci_zip

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    rows = [[2021, 364, 368, "010111", 1.5, 2], [2021, 368, 364, "270900", 3.0, 1]]
    archive = baci_zip(tmp_path / "BACI_HS92_V202301.zip", {2021: rows}, "V202301", folder="BACI_HS92_V202301/")
    with pytest.raises(ParameterError) as err:
        params.resolve(
            {"source": "baci", "data_path": str(archive), "reporter": "IRN", "partner": "TWN"}, pair_notebook
        )
    assert "TWN is not in the release's code file" in str(err.value)
    assert "BACI_HS92_V202301.zip/BACI_HS92_V202301/country_codes_V202301.csv" in str(err.value)
    assert "it holds: IRN, IRQ (set reporter and partner to two of them)" in str(err.value)


# ---------------------------------------------------------------------------
# 3. A record the csv module cannot parse: file, line, column and rule


def _csv_line(row: list) -> str:
    import csv
    import io

    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(row)
    return text.getvalue()


def _comtrade_text(*lines: str) -> str:
    return ",".join(COMTRADE_HEADER) + "\n" + "".join(lines)


def test_a_comtrade_download_cut_off_inside_a_quoted_field_names_the_line_and_column(tmp_path):
    """The website's CSV quotes descriptions ("goods, described"); a download cut off inside one."""
    cut = _csv_line(comtrade_row(cmd="02")).split('"goods')[0] + '"goods, descr'
    path = tmp_path / "TradeData_cut.csv"
    path.write_text(_comtrade_text(_csv_line(comtrade_row()), cut), encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_flows(path, "IRN", "IRQ")
    message = str(err.value)
    assert message.startswith("TradeData_cut.csv: line 3, column 'cmdDesc': a quoted field opened here is never closed")
    assert "is the download cut off" in message
    assert "malformed CSV" not in message


def test_an_unmatched_quote_that_runs_on_to_a_later_quote_names_the_line_it_opens_on(tmp_path):
    """Comtrade's fields may hold line breaks inside quotes, so an unmatched quote runs on to the next quote."""
    bad = _csv_line(comtrade_row(cmd="02")).replace('"goods, described"', '"goods, described', 1)
    path = tmp_path / "ct.csv"
    path.write_text(_comtrade_text(_csv_line(comtrade_row()), bad, _csv_line(comtrade_row(cmd="03"))))
    with pytest.raises(DataError) as err:
        read_flows(path, "IRN", "IRQ")
    assert str(err.value).startswith(
        "ct.csv: line 3, column 'cmdDesc': a quoted field opened here runs on to line 4, where text follows a quote"
    )


@pytest.mark.parametrize(
    "bad, rule",
    [
        ('2022,364,368,"010122,1.0,2\n2022,364,368,010123,1.0,2\n', "a quoted field opened here is never closed"),
        ("2022,364,368," + "1" * 140_000 + ",1.0,2\n", "a field longer than 131072 characters"),
    ],
    ids=["unmatched-quote", "field-over-the-limit"],
)
def test_a_baci_record_the_csv_module_cannot_parse_names_file_line_column_and_rule(tmp_path, monkeypatch, bad, rule):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    folder = baci_folder(tmp_path / "baci", {2022: GOOD_BACI})
    year = folder / "BACI_HS17_Y2022_V202501.csv"
    year.write_text(year.read_text() + bad)
    with pytest.raises(DataError) as err:
        read_flows(folder, "IRN", "IRQ")
    assert str(err.value).startswith(f"BACI_HS17_Y2022_V202501.csv: line 4, column 'k': {rule}")


def test_an_unmatched_quote_in_the_country_code_file_names_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    folder = baci_folder(tmp_path / "baci", {2022: GOOD_BACI})
    codes = folder / "country_codes_V202501.csv"
    lines = codes.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("France", '"France')  # line 3; the rest of the file would become its name
    codes.write_text("".join(lines))
    with pytest.raises(DataError) as err:
        read_flows(folder, "IRN", "IRQ")
    assert str(err.value).startswith(
        "country_codes_V202501.csv: line 3, column 'country_name': a quoted field opened here runs on to line 5"
    )


# ---------------------------------------------------------------------------
# Monthly downloads (period 202301): refused or said, never mixed with annual figures


def _month(month: int, year: int = 2023, **extra) -> list:
    period = f"{year}{month:02d}"
    return comtrade_row(year=year, freqCode="M", period=period, refMonth=month, refPeriodId=f"{period}01", **extra)


def test_a_monthly_download_is_refused_saying_the_collection_sums_annual_figures(tmp_path):
    path = write(tmp_path / "monthly.csv", COMTRADE_HEADER, [_month(1), _month(2)])
    with pytest.raises(DataError) as err:
        read_flows(path, "IRN", "IRQ")
    assert "monthly.csv: none of the 2 rows between IRN and IRQ can be summed (2 monthly, not annual)" in str(err.value)
    assert "download the annual data (frequency A, period YYYY)" in str(err.value)


def test_months_of_a_year_without_annual_rows_are_left_out_with_a_warning_naming_the_year(tmp_path):
    rows = [comtrade_row(year=2022), _month(1, 2022), _month(1), _month(2), _month(1, cmd="02")]
    path = write(tmp_path / "mixed.csv", COMTRADE_HEADER, rows)
    with pytest.warns(OfficialDataWarning, match=r"mixed.csv: 3 monthly row\(s\) of 2023, with no annual row in this"):
        flows = read_flows(path, "IRN", "IRQ")
    assert values(flows, ["year"]) == {2022: 100.0}  # the annual figure alone: no month added to it


def test_months_beside_their_years_annual_rows_are_left_out_unsaid(tmp_path):
    import warnings

    path = write(tmp_path / "both.csv", COMTRADE_HEADER, [comtrade_row(year=2023), _month(1), _month(2)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", OfficialDataWarning)
        assert values(read_flows(path, "IRN", "IRQ"), ["year"]) == {2023: 100.0}


# ---------------------------------------------------------------------------
# A Comtrade+ CSV as the website saves it, and as a spreadsheet saves it again

#: The exact 47-column header of a CSV downloaded from UN Comtrade+ (see tests/fixtures/comtrade/SOURCE.md).
PLUS_HEADER = (
    (Path(__file__).parents[1] / "fixtures" / "comtrade" / "comtrade_plus_csv_header.txt")
    .read_text(encoding="utf-8")
    .strip()
    .split(",")
)


def plus_row(**extra) -> list:
    """One row of the website's CSV (the API row's fields, the columns the website adds empty)."""
    fields = dict(zip(COMTRADE_HEADER, comtrade_row(**extra)))
    return [fields.get(name, "") for name in PLUS_HEADER]


@pytest.mark.parametrize("saved", [{"bom": True}, {"crlf": True}, {"bom": True, "crlf": True, "quote_all": True}])
def test_the_websites_csv_with_a_bom_windows_line_endings_or_quotes_is_read(tmp_path, saved):
    rows = [plus_row(), plus_row(flow="M", cmd="27", value=50.0)]
    path = write(tmp_path / "TradeData_1_1_2025.csv", PLUS_HEADER, rows, **saved)
    assert values(read_flows(path, "IRN", "IRQ"), ["flow", "hs_code"]) == {("M", "27"): 50.0, ("X", "01"): 100.0}


@pytest.mark.parametrize("quote_all", [False, True])
def test_a_csv_re_saved_with_semicolons_is_refused_saying_so(tmp_path, quote_all):
    path = write(tmp_path / "TradeData.csv", PLUS_HEADER, [plus_row(value="100,5")], delimiter=";", quote_all=quote_all)
    with pytest.raises(DataError) as err:
        read_flows(path, "IRN", "IRQ")
    assert str(err.value).startswith(
        "TradeData.csv: line 1: header not recognised: its columns are separated by semicolons (;), not commas; it "
        "is a UN Comtrade (current API / bulk) file re-saved by a spreadsheet"
    )
    assert "give the download as it came" in str(err.value)


# ---------------------------------------------------------------------------
# data_path: relative to the project folder, never the current folder


def test_a_relative_data_path_that_is_not_found_says_where_it_was_looked_for(tmp_path, pair_notebook, monkeypatch):
    download = tmp_path / "mine" / "TradeData.csv"
    download.parent.mkdir()
    write(download, COMTRADE_HEADER, [comtrade_row()])
    monkeypatch.chdir(tmp_path)  # the user typed the command here, where mine/TradeData.csv is
    with pytest.raises(ParameterError) as err:
        params.resolve({"source": "comtrade", "data_path": "mine/TradeData.csv"}, pair_notebook)
    message = str(err.value)
    assert (
        "'data_path' points to 'mine/TradeData.csv', which does not exist (a relative path is read from the " in message
    )
    assert (
        "project folder, the one holding params/ and notebooks/, not from the folder the command is typed in" in message
    )
    assert "the current folder has a 'mine/TradeData.csv': give its absolute path" in message
    assert params.resolve({"source": "comtrade", "data_path": str(download)}, pair_notebook)["01-pair"]["data_path"]


def test_an_absolute_data_path_that_is_not_found_is_said_plainly(tmp_path, pair_notebook):
    with pytest.raises(ParameterError) as err:
        params.resolve({"source": "comtrade", "data_path": str(tmp_path / "gone.csv")}, pair_notebook)
    assert str(err.value).endswith("gone.csv', which does not exist")


def test_a_folder_whose_files_are_in_a_sub_folder_names_the_sub_folder(tmp_path):
    """An unpacked BACI release keeps its files in a folder of its own: the user gives the folder above it."""
    baci_folder(tmp_path / "downloads" / "BACI_HS17_V202501", {2022: GOOD_BACI})
    with pytest.raises(DataError) as err:
        read_flows(tmp_path / "downloads", "IRN", "IRQ")
    assert str(err.value).startswith(
        "downloads: no download files in the folder; its sub-folder(s) BACI_HS17_V202501 hold download files "
        "(sub-folders are not read): give the one to read, e.g. downloads/BACI_HS17_V202501; expected one of:"
    )


# ---------------------------------------------------------------------------
# BACI zips: a nested folder is read; two releases, or one release twice, are refused naming the files


def test_a_baci_zip_with_its_release_in_a_nested_folder_is_read(tmp_path, monkeypatch):
    from tests.fixtures.official_layouts import baci_zip

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    archive = baci_zip(tmp_path / "BACI_HS17_V202501.zip", {2022: GOOD_BACI}, folder="downloads/BACI_HS17_V202501/")
    assert values(read_flows(archive, "IRN", "IRQ"), ["exporter"]) == {"IRN": 1500.0, "IRQ": 3000.0}


def test_a_zip_holding_one_release_twice_says_the_file_is_there_twice(tmp_path, monkeypatch):
    from tests.fixtures.official_layouts import baci_members, write_zip

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    members = baci_members({2022: GOOD_BACI})
    files = {f"BACI_HS17_V202501/{n}": b for n, b in members.items()} | {f"copy/{n}": b for n, b in members.items()}
    archive = write_zip(tmp_path / "downloads.zip", files)
    with pytest.raises(DataError) as err:
        read_flows(archive, "IRN", "IRQ")
    assert "is in two files named BACI_HS17_Y2022_V202501.csv: the download holds that file twice" in str(err.value)


def test_a_zip_holding_two_releases_names_both_files(tmp_path, monkeypatch):
    from tests.fixtures.official_layouts import baci_members, write_zip

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    rows = [[2021, 364, 368, "010111", 1.5, 2]]
    files = {f"BACI_HS17_V202501/{n}": b for n, b in baci_members({2021: rows}, "V202501").items()}
    files |= {f"BACI_HS92_V202301/{n}": b for n, b in baci_members({2021: rows}, "V202301").items()}
    with pytest.raises(DataError) as err:
        read_flows(write_zip(tmp_path / "both.zip", files), "IRN", "IRQ")
    assert "is in BACI_HS17_Y2021_V202501.csv and BACI_HS92_Y2021_V202301.csv" in str(err.value)


# ---------------------------------------------------------------------------
# An Excel workbook downloaded instead of CSV


def _workbook(path: Path) -> Path:
    """A minimal .xlsx: a zip archive of XML parts, as Excel writes it."""
    import zipfile

    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return path


def test_an_excel_workbook_is_refused_saying_to_download_csv(tmp_path):
    with pytest.raises(DataError) as err:
        read_flows(_workbook(tmp_path / "TradeData.xlsx"), "IRN", "IRQ")
    assert str(err.value).startswith("TradeData.xlsx: a spreadsheet workbook is not read: download the data as CSV")


def test_a_folder_of_workbooks_says_they_are_not_read(tmp_path):
    _workbook(tmp_path / "TradeData.xlsx")
    with pytest.raises(DataError) as err:
        read_flows(tmp_path, "IRN", "IRQ")
    assert "no download files in the folder; TradeData.xlsx is a spreadsheet workbook, which is not read" in str(
        err.value
    )

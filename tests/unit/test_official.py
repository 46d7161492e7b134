"""Comtrade and BACI downloads: format detection, codes kept as text, units, countries through the
release's code file, both directions, nothing double counted, one HS level per sum, folders of
yearly files, mirror gaps, and damaged files reported with file, line, column and rule.

Every file here is small, synthetic and written with the csv module in the real formats' layouts.
"""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from helpers import official
from helpers.analysis.official import annual_totals, by_hs_chapter, mirror_table
from helpers.errors import DataError, ParameterError
from helpers.official import OfficialDataWarning, detect_format, read_flows, resolve_country, stream
from helpers.tables import read_table
from tests.fixtures import (
    BACI_HEADER,
    COMTRADE_HEADER,
    COUNTRY_CODES,
    LEGACY_HEADER,
    baci_folder,
    comtrade_row,
    legacy_row,
    values,
    write,
)

# ---------------------------------------------------------------------------
# Formats


@pytest.mark.parametrize(
    ("name", "header", "row"),
    [
        ("comtrade", COMTRADE_HEADER, comtrade_row()),
        ("comtrade_legacy", LEGACY_HEADER, legacy_row()),
        ("baci", BACI_HEADER, [2022, 364, 368, "010121", 1.5, "NA"]),
    ],
)
@pytest.mark.parametrize("style", ["plain", "bom-crlf-quoted-extra"])
def test_each_format_is_recognised_from_its_header(tmp_path, name, header, row, style):
    write(
        tmp_path / "country_codes_V202501.csv",
        ["country_code", "country_name", "country_iso2", "country_iso3"],
        COUNTRY_CODES,
    )
    if style == "plain":
        path = write(tmp_path / "download.csv", header, [row])
    else:  # a spreadsheet's re-save, plus a column a later version of the format adds
        path = write(
            tmp_path / "download.csv", header + ["newColumn"], [row + ["x"]], bom=True, crlf=True, quote_all=True
        )
    assert detect_format(path) == name
    flows = read_flows(path, "IRN", "IRQ")
    assert len(flows) == 1 and flows["source"].iloc[0] == name
    assert (flows["exporter"].iloc[0], flows["importer"].iloc[0], flows["hs_chapter"].iloc[0]) == ("IRN", "IRQ", "01")


def test_tab_separated_gzip_bulk_file_is_read(tmp_path):
    path = write(tmp_path / "bulk.txt.gz", COMTRADE_HEADER, [comtrade_row(value=42.0)], delimiter="\t")
    assert detect_format(path) == "comtrade"
    assert read_flows(path, "IRN", "IRQ")["value_usd"].tolist() == [42.0]


def test_unknown_header_names_the_file_and_every_expected_format(tmp_path):
    path = write(
        tmp_path / "mystery.csv", ["year", "exporter", "importer", "product", "value"], [[2022, 364, 368, "0101", 1]]
    )
    with pytest.raises(DataError) as err:
        detect_format(path)
    msg = str(err.value)
    assert msg.startswith("mystery.csv: line 1: header not recognised")
    for fragment in ("comtrade (", "comtrade_legacy (", "baci (", "primaryValue", "Trade Flow Code", "t, i, j, k, v"):
        assert fragment in msg


def test_header_missing_one_key_column_says_which(tmp_path):
    header = [h for h in COMTRADE_HEADER if h != "primaryValue"]
    path = write(tmp_path / "cut.csv", header, [comtrade_row()[: len(header)]])
    with pytest.raises(DataError, match=r"looks like comtrade but lacks column\(s\) primaryValue"):
        detect_format(path)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(DataError, match="nowhere.csv: file or folder not found"):
        read_flows(tmp_path / "nowhere.csv", "IRN", "IRQ")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataError, match="empty.csv: file is empty"):
        read_flows(tmp_path / "empty.csv", "IRN", "IRQ")
    folder = baci_folder(tmp_path / "baci", {2022: []})
    with pytest.raises(DataError, match="BACI_HS17_Y2022_V202501.csv: line 1: header only"):
        read_flows(folder, "IRN", "IRQ")


# ---------------------------------------------------------------------------
# Codes, units, countries


def test_commodity_codes_stay_text_with_their_leading_zero(tmp_path):
    rows = [
        comtrade_row(cmd="0101", value=10),
        comtrade_row(cmd="201", value=20),
    ]  # the second lost its zero in a spreadsheet
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, rows)
    flows = read_flows(path, "IRN", "IRQ", level="4")
    assert values(flows, ["hs_code"]) == {"0101": 10.0, "0201": 20.0}
    assert set(flows["hs_chapter"]) == {"01", "02"}


def test_baci_product_codes_stay_six_characters_and_values_become_usd(tmp_path):
    folder = baci_folder(
        tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 12.5, "NA"], [2022, 364, 368, "870323", 0.001, ""]]}
    )
    flows = read_flows(folder, "IRN", "IRQ", level="6")
    assert values(flows, ["hs_code"]) == {"010121": 12_500.0, "870323": 1.0}  # thousands of USD -> USD
    assert flows.set_index("hs_code").loc["010121", "hs_chapter"] == "01"
    chapters = read_flows(folder, "IRN", "IRQ")
    assert values(chapters, ["hs_code"]) == {"01": 12_500.0, "87": 1.0}


def test_baci_countries_come_from_the_release_code_file(tmp_path):
    rows = [
        [2022, 842, 251, "010121", 1, 1],  # USA -> France in BACI's numbering
        [2022, 840, 250, "010121", 99, 1],  # ISO numeric USA/France: not what BACI means by them
        [2022, 699, 364, "010121", 2, 1],  # India -> Iran
        [2022, 490, 368, "010121", 3, 1],  # Other Asia, nes -> Iraq: an area, never Iran
        [2022, 792, 368, "010121", 4, 1],
        [2022, 784, 364, "010121", 5, 1],
        [2022, 364, 368, "010121", 6, 1],
        [2022, 368, 364, "270900", 7, 1],
    ]
    folder = baci_folder(tmp_path / "baci", {2022: rows})
    codes = official.read_country_codes(folder / "country_codes_V202501.csv")
    assert (
        codes[842] == "USA"
        and codes[251] == "FRA"
        and codes[699] == "IND"
        and codes[490] == "S19"
        and codes[516] == "NAM"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a code file is there: no fallback, no warning
        usa = read_flows(folder, "USA", "FRA")
        pair = read_flows(folder, "IRN", "IRQ")
        gulf = read_flows(folder, "ARE", "IRN")
    assert values(usa, ["exporter", "importer"]) == {("USA", "FRA"): 1000.0}
    assert values(pair, ["exporter", "importer"]) == {("IRN", "IRQ"): 6000.0, ("IRQ", "IRN"): 7000.0}
    assert values(gulf, ["exporter", "importer"]) == {("ARE", "IRN"): 5000.0}
    assert values(read_flows(folder, "TUR", "IRQ"), ["exporter"]) == {"TUR": 4000.0}


def test_without_a_code_file_iso_numeric_is_used_and_said(tmp_path):
    folder = baci_folder(
        tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1], [2022, 842, 368, "010121", 2, 1]]}, codes=False
    )
    with pytest.warns(OfficialDataWarning, match="no country_codes_V.*ISO 3166 numeric"):
        flows = read_flows(folder, "IRN", "IRQ")
    assert values(flows, ["exporter"]) == {"IRN": 1000.0}
    with pytest.warns(OfficialDataWarning):
        assert values(read_flows(folder, "USA", "IRQ"), ["exporter"]) == {"USA": 2000.0}  # UN deviation 842


def test_a_country_missing_from_the_code_file_is_an_error(tmp_path):
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1]]})
    with pytest.raises(DataError, match=r"country_codes_V202501.csv: no country with ISO3 code DEU"):
        read_flows(folder, "IRN", "DEU")


@pytest.mark.parametrize(
    ("given", "iso3"),
    [
        ("IRN", "IRN"),
        ("irq", "IRQ"),
        (364, "IRN"),
        ("368", "IRQ"),
        ("792", "TUR"),
        (784, "ARE"),
        ("842", "USA"),
        ("251", "FRA"),
        ("699", "IND"),
    ],
)
def test_resolve_country(given, iso3):
    assert resolve_country(given) == iso3


@pytest.mark.parametrize(
    ("given", "fragment"),
    [("XYZ", "ISO 3166 alpha-3"), ("Iran", "ISO 3166 alpha-3"), ("490", "Other Asia, nes"), ("0", "World")],
)
def test_resolve_country_refuses_what_is_not_a_country(given, fragment):
    with pytest.raises(ParameterError, match=fragment):
        resolve_country(given)


def test_same_country_twice_and_unknown_level_are_refused(tmp_path):
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, [comtrade_row()])
    with pytest.raises(ParameterError, match="same country"):
        read_flows(path, "IRN", "irn")
    with pytest.raises(ParameterError, match="chapter, 4, 6"):
        read_flows(path, "IRN", "IRQ", level="2")


# ---------------------------------------------------------------------------
# Directions, flows, filters, levels


def test_both_directions_and_both_reporters(tmp_path):
    rows = [
        comtrade_row(364, 368, "X", "01", 100),  # Iran's exports to Iraq, as Iran reports them
        comtrade_row(364, 368, "M", "27", 30),  # Iran's imports from Iraq
        comtrade_row(368, 364, "M", "01", 120),  # Iraq's imports from Iran
        comtrade_row(368, 364, "X", "27", 25),  # Iraq's exports to Iran
        comtrade_row(364, 792, "X", "01", 999),  # Iran to Türkiye: another pair
    ]
    flows = read_flows(
        write(tmp_path / "ct.csv", COMTRADE_HEADER, rows), "IRQ", "IRN"
    )  # order of the two does not matter
    assert values(flows, ["exporter", "importer", "reported_by", "flow"]) == {
        ("IRN", "IRQ", "exporter", "X"): 100.0,
        ("IRQ", "IRN", "importer", "M"): 30.0,
        ("IRN", "IRQ", "importer", "M"): 120.0,
        ("IRQ", "IRN", "exporter", "X"): 25.0,
    }


def test_re_exports_and_re_imports_are_kept_apart(tmp_path):
    rows = [
        comtrade_row(364, 368, "X", "01", 100),
        comtrade_row(364, 368, "RX", "01", 50),
        comtrade_row(368, 364, "M", "01", 120),
        comtrade_row(368, 364, "RM", "01", 5),
        comtrade_row(364, 368, "DX", "01", 90),  # domestic exports: part of X, never added
    ]
    flows = read_flows(write(tmp_path / "ct.csv", COMTRADE_HEADER, rows), "IRN", "IRQ")
    totals = annual_totals(flows)
    assert values(totals, ["flow"]) == {"X": 100.0, "RX": 50.0, "M": 120.0, "RM": 5.0}
    mirror = mirror_table(flows).iloc[0]
    assert (mirror["exporter_reported_usd"], mirror["importer_reported_usd"]) == (100.0, 120.0)


def test_legacy_flow_codes(tmp_path):
    rows = [
        legacy_row(flow=2, value=10),
        legacy_row(flow=3, value=2),
        legacy_row(368, 364, flow=1, value=11),
        legacy_row(368, 364, flow=4, value=1),
    ]
    flows = read_flows(write(tmp_path / "legacy.csv", LEGACY_HEADER, rows), "IRN", "IRQ")
    assert values(flows, ["flow", "reported_by"]) == {
        ("X", "exporter"): 10.0,
        ("RX", "exporter"): 2.0,
        ("M", "importer"): 11.0,
        ("RM", "importer"): 1.0,
    }
    assert set(flows["year"]) == {2015}


def test_comtrade_without_iso_columns_reads_numeric_codes_and_says_so(tmp_path):
    header = [h for h in LEGACY_HEADER if h not in ("Reporter ISO", "Partner ISO")]
    rows = [
        [v for h, v in zip(LEGACY_HEADER, legacy_row(flow=2, value=10)) if h in header],
        [v for h, v in zip(LEGACY_HEADER, legacy_row(368, 364, flow=1, value=12)) if h in header],
    ]
    with pytest.warns(OfficialDataWarning, match="without ISO columns"):
        flows = read_flows(write(tmp_path / "legacy.csv", header, rows), "IRN", "IRQ")
    assert values(flows, ["exporter", "importer", "reported_by"]) == {
        ("IRN", "IRQ", "exporter"): 10.0,
        ("IRN", "IRQ", "importer"): 12.0,
    }


def test_breakdowns_monthly_and_services_rows_are_not_added(tmp_path):
    rows = [
        comtrade_row(value=100),  # all partners2, all procedures, all modes: the one to keep
        comtrade_row(value=60, partner2Code=792, partner2ISO="TUR"),  # via Türkiye: part of the 100
        comtrade_row(value=70, customsCode="C01"),
        comtrade_row(value=80, motCode=2100),  # by sea
        comtrade_row(value=9, freqCode="M", period="202203", refMonth=3),
        comtrade_row(value=5, typeCode="S", classificationCode="EB"),
    ]
    flows = read_flows(write(tmp_path / "ct.csv", COMTRADE_HEADER, rows), "IRN", "IRQ")
    assert flows["value_usd"].tolist() == [100.0]


def test_only_breakdown_rows_is_an_error_that_says_why(tmp_path):
    rows = [comtrade_row(value=9, freqCode="M", period="202203"), comtrade_row(value=60, partner2Code=792)]
    with pytest.raises(DataError, match=r"none of the 2 rows.*1 broken down by second partner.*1 monthly"):
        read_flows(write(tmp_path / "ct.csv", COMTRADE_HEADER, rows), "IRN", "IRQ")


def test_one_hs_level_per_sum(tmp_path):
    rows = [
        comtrade_row(cmd="TOTAL", value=1000),
        comtrade_row(cmd="01", value=300),
        comtrade_row(cmd="02", value=500),  # chapters sum to 800: the rest is confidential
        comtrade_row(cmd="0101", value=100),
        comtrade_row(cmd="0102", value=200),
        comtrade_row(cmd="010121", value=40),
    ]
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, rows)
    # the TOTAL row is never summed with the HS rows; what the level summed leaves out of it is said
    for level, kept, left_out in (
        ("chapter", {"01": 300.0, "02": 500.0}, 200),
        ("4", {"0101": 100.0, "0102": 200.0}, 700),
        ("6", {"010121": 40.0}, 960),
    ):
        with pytest.warns(OfficialDataWarning, match=rf"exceeds the sum of the HS rows .*\({left_out} USD in all\)"):
            assert values(read_flows(path, "IRN", "IRQ", level=level), ["hs_code"]) == kept


def test_six_digit_rows_are_added_up_to_chapters_and_totals_alone_kept_without_chapter(tmp_path):
    six = [
        comtrade_row(cmd="010121", value=5),
        comtrade_row(cmd="010129", value=7),
        comtrade_row(cmd="020110", value=3),
    ]
    flows = read_flows(write(tmp_path / "six.csv", COMTRADE_HEADER, six), "IRN", "IRQ")
    assert values(flows, ["hs_chapter"]) == {"01": 12.0, "02": 3.0}
    totals = read_flows(
        write(tmp_path / "totals.csv", COMTRADE_HEADER, [comtrade_row(cmd="TOTAL", value=1000)]), "IRN", "IRQ"
    )
    assert totals["hs_code"].tolist() == ["TOTAL"] and totals["hs_chapter"].isna().all()
    assert by_hs_chapter(totals, read_table("concordance_hs"))["category_id"].tolist() == ["not itemised"]


def test_a_level_the_file_lacks_is_left_out_with_a_warning(tmp_path):
    path = write(tmp_path / "chapters.csv", COMTRADE_HEADER, [comtrade_row(cmd="01")])
    with pytest.warns(OfficialDataWarning) as caught:
        assert read_flows(path, "IRN", "IRQ", level="6").empty
    said = [str(w.message) for w in caught]
    assert any("no rows usable at level '6'" in m for m in said) and any(
        "no trade between IRN and IRQ" in m for m in said
    )


def test_the_same_flow_twice_is_an_error(tmp_path):
    rows = [
        comtrade_row(cmd="01", value=10, classificationCode="H5"),
        comtrade_row(cmd="01", value=10, classificationCode="H6"),
    ]
    with pytest.raises(DataError, match=r"ct.csv: line 2, column 'cmdCode': the same year.*appear twice"):
        read_flows(write(tmp_path / "ct.csv", COMTRADE_HEADER, rows), "IRN", "IRQ")


# ---------------------------------------------------------------------------
# Folders, mirror, composition


def test_a_folder_of_yearly_baci_files_is_read_one_file_at_a_time(tmp_path, capsys, monkeypatch):
    folder = baci_folder(
        tmp_path / "baci",
        {
            2021: [[2021, 364, 368, "010121", 1, 1]],
            2022: [[2022, 364, 368, "010121", 2, 1], [2022, 368, 364, "270900", 3, 1]],
        },
    )
    opened = []
    real_open = stream.open_stream
    monkeypatch.setattr(stream, "open_stream", lambda path, *a: opened.append(path.name) or real_open(path, *a))
    flows = read_flows(folder, "IRN", "IRQ")
    assert opened == ["BACI_HS17_Y2021_V202501.csv", "BACI_HS17_Y2022_V202501.csv"]
    assert values(flows, ["year", "exporter"]) == {(2021, "IRN"): 1000.0, (2022, "IRN"): 2000.0, (2022, "IRQ"): 3000.0}
    assert set(flows["file"]) == set(opened)
    assert "2/2" in capsys.readouterr().err  # the progress bar, on stderr
    read_flows(folder, "IRN", "IRQ", progress=False)
    assert capsys.readouterr().err == ""


def test_two_releases_of_one_year_would_double_count(tmp_path):
    folder = tmp_path / "baci"
    baci_folder(folder, {2022: [[2022, 364, 368, "010121", 1, 1]]}, version="202401")
    baci_folder(folder, {2022: [[2022, 364, 368, "010121", 1, 1]]}, version="202501")
    with pytest.raises(
        DataError, match=r"is in BACI_HS17_Y2022_V202401.csv and BACI_HS17_Y2022_V202501.csv.*counted twice"
    ):
        read_flows(folder, "IRN", "IRQ")


def test_one_year_and_flow_in_two_hs_revisions_is_an_error_whatever_codes_each_file_holds(tmp_path):
    split = tmp_path / "split"
    split.mkdir()
    write(split / "H5.csv", COMTRADE_HEADER, [comtrade_row(cmd="27", year=2021, classificationCode="H5")])
    write(split / "H6.csv", COMTRADE_HEADER, [comtrade_row(cmd="01", year=2021, classificationCode="H6")])
    both = r"comtrade 2021 IRN->IRQ X\) is in two HS revisions: H5 in H5.csv and H6 in H6.csv"
    for read in (lambda: read_flows(split, "IRN", "IRQ"), lambda: official.read_imports(split, "IRQ")):
        with pytest.raises(DataError, match=both):
            read()
    one = [
        comtrade_row(cmd="27", year=2021, classificationCode="H5"),
        comtrade_row(cmd="01", year=2021, classificationCode="H6"),
    ]
    with pytest.raises(
        DataError, match=r"one.csv: line 2, column 'classificationCode': .* in two HS revisions \(H5 and H6\)"
    ):
        read_flows(write(tmp_path / "one.csv", COMTRADE_HEADER, one), "IRN", "IRQ")
    baci = tmp_path / "baci"
    baci_folder(baci, {2021: [[2021, 364, 368, "270900", 1, 1]]}, rev="17")
    baci_folder(baci, {2021: [[2021, 364, 368, "010121", 1, 1]]}, rev="22")
    for level in ("chapter", "6"):
        with pytest.raises(DataError, match=r"HS17 in BACI_HS17_Y2021_V202501.csv and HS22 in BACI_HS22_Y2021"):
            read_flows(baci, "IRN", "IRQ", level=level)


def test_revisions_of_different_years_and_one_revision_split_by_chapter_are_read(tmp_path):
    years, chapters = tmp_path / "years", tmp_path / "chapters"
    years.mkdir()
    chapters.mkdir()
    write(years / "H5.csv", COMTRADE_HEADER, [comtrade_row(cmd="27", value=10, year=2021, classificationCode="H5")])
    write(years / "H6.csv", COMTRADE_HEADER, [comtrade_row(cmd="01", value=20, year=2022, classificationCode="H6")])
    write(chapters / "a.csv", COMTRADE_HEADER, [comtrade_row(cmd="27", value=10, year=2021)])
    write(chapters / "b.csv", COMTRADE_HEADER, [comtrade_row(cmd="01", value=20, year=2021)])
    in_one = write(
        tmp_path / "one.csv",
        COMTRADE_HEADER,
        [
            comtrade_row(cmd="27", value=10, year=2021, classificationCode="H5"),
            comtrade_row(cmd="01", value=20, year=2022, classificationCode="H6"),
        ],
    )
    for path in (years, in_one):
        assert values(read_flows(path, "IRN", "IRQ"), ["year", "hs_code"]) == {(2021, "27"): 10.0, (2022, "01"): 20.0}
    assert values(read_flows(chapters, "IRN", "IRQ"), ["year", "hs_code"]) == {(2021, "01"): 20.0, (2021, "27"): 10.0}
    baci = tmp_path / "baci"
    baci_folder(baci, {2016: [[2016, 364, 368, "270900", 1, 1]]}, rev="12")
    baci_folder(baci, {2017: [[2017, 364, 368, "010121", 2, 1]]}, rev="17")
    assert values(read_flows(baci, "IRN", "IRQ"), ["year"]) == {2016: 1000.0, 2017: 2000.0}


def test_mirror_table_keeps_missing_values_missing(tmp_path):
    folder = tmp_path / "mixed"
    baci_folder(folder, {2022: [[2022, 364, 368, "010121", 150, 1]]})
    write(
        folder / "comtrade.csv",
        COMTRADE_HEADER,
        [
            comtrade_row(364, 368, "X", "01", 100, year=2021),
            comtrade_row(364, 368, "X", "01", 200, year=2022),
            comtrade_row(368, 364, "M", "01", 110, year=2021),  # Iraq reports 2021 only
        ],
    )
    table = mirror_table(read_flows(folder, "IRN", "IRQ"), exporter="IRN", importer="IRQ").set_index("year")
    assert list(table.index) == [2021, 2022]
    y21, y22 = table.loc[2021], table.loc[2022]
    assert (y21["exporter_reported_usd"], y21["importer_reported_usd"], y21["gap_usd"]) == (100.0, 110.0, 10.0)
    assert math.isclose(y21["ratio"], 1.1) and math.isnan(y21["baci_usd"])
    assert y22["exporter_reported_usd"] == 200.0 and y22["baci_usd"] == 150_000.0
    assert math.isnan(y22["importer_reported_usd"]) and math.isnan(y22["gap_usd"]) and math.isnan(y22["ratio"])


def test_by_hs_chapter_adds_categories_and_shares(tmp_path):
    rows = [comtrade_row(cmd="01", value=25), comtrade_row(cmd="27", value=75), comtrade_row(cmd="98", value=0)]
    table = by_hs_chapter(
        read_flows(write(tmp_path / "ct.csv", COMTRADE_HEADER, rows), "IRN", "IRQ"), read_table("concordance_hs")
    ).set_index("hs_chapter")
    assert table.loc["01", "category_id"] == "agriculture" and table.loc["27", "category_id"] == "energy"
    assert table.loc["98", "category_id"] == "unmapped"  # not in data/concordance_hs.csv
    assert (table.loc["01", "share"], table.loc["27", "share"]) == (0.25, 0.75)


# ---------------------------------------------------------------------------
# Damaged files, and the streaming itself


def _baci_rows(n: int) -> list[list[object]]:
    return [[2022, 364 if r % 2 else 4, 368, f"{10101 + r:06d}", 1.5, 2] for r in range(n)]


@pytest.mark.parametrize(
    ("damage", "line", "fragment"),
    [
        (
            lambda rows: rows.__setitem__(47, [2022, 4, 368, "010121"]),
            49,
            "row has 4 fields, header has 6 (truncated row",
        ),
        (
            lambda rows: rows.__setitem__(47, [2022, 364, 368, "010148", "1,5", 2]),
            49,
            "column 'v': must be a number written plainly (no thousands separators, currency signs or NA) (got '1,5')",
        ),
        (
            lambda rows: rows.__setitem__(47, [2022, 364, 368, "010148", "n/a", 2]),
            49,
            "column 'v': must be a number written plainly",
        ),
        (lambda rows: rows.__setitem__(47, [2022, 364, 368, "010148", "", 2]), 49, "column 'v': a value is required"),
        (
            lambda rows: rows.__setitem__(47, [2022, "IRN", 368, "010148", 1, 2]),
            49,
            "column 'i': must be a whole number",
        ),
        (
            lambda rows: rows.__setitem__(47, [2022, 364, 368, "01A148", 1, 2]),
            49,
            "column 'k': must be a 6-digit HS code",
        ),
        (
            lambda rows: rows.__setitem__(47, [2022, 364, 368, "010148", -3, 2]),
            49,
            "column 'v': must be a finite value of at least 0",
        ),
        (
            lambda rows: rows.__setitem__(47, [2021, 364, 368, "010148", 1, 2]),
            49,
            "column 't': year differs from the file name's Y2022",
        ),
    ],
    ids=[
        "truncated",
        "decimal-comma",
        "not-a-number",
        "empty-value",
        "iso-instead-of-code",
        "bad-product",
        "negative",
        "wrong-year",
    ],
)
def test_damaged_baci_file_names_file_line_column_and_rule(tmp_path, monkeypatch, damage, line, fragment):
    monkeypatch.setattr(stream, "BLOCK_SIZE", 512)  # several batches: the damage is not in the first
    rows = _baci_rows(80)
    damage(rows)
    folder = baci_folder(tmp_path / "baci", {2022: rows})
    with pytest.raises(DataError) as err:
        read_flows(folder, "IRN", "IRQ")
    assert str(err.value).startswith(f"BACI_HS17_Y2022_V202501.csv: line {line}")
    assert fragment in str(err.value)


def test_damaged_comtrade_value_names_its_column(tmp_path):
    rows = [comtrade_row(cmd="01"), comtrade_row(cmd="02", primaryValue="1.2.3")]
    with pytest.raises(DataError, match=r"ct.csv: line 3, column 'primaryValue': must be a number"):
        read_flows(write(tmp_path / "ct.csv", COMTRADE_HEADER, rows), "IRN", "IRQ")


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        ([2022, 364, 368, "010121", "-1.0", 1], "column 'v': must be a finite value of at least 0 (got '-1.0')"),
        ([2022, 364, 368, "010121", "-1", 1], "column 'v': must be a finite value of at least 0 (got '-1')"),
        ([2022, 364, 368, "010121", "1e400", 1], "column 'v': must be a finite value of at least 0 (got '1e400')"),
        ([2018, 364, 368, "010121", "1", 1], "column 't': year differs from the file name's Y2022 (got '2018')"),
    ],
    ids=["negative", "negative-integer", "overflow", "wrong-year"],
)
@pytest.mark.parametrize("level", ["chapter", "6"])
def test_a_baci_error_shows_the_value_as_the_file_writes_it(tmp_path, monkeypatch, row, shown, level):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010129", 1, 1], row]})
    for read in (lambda: read_flows(folder, "IRN", "IRQ", level=level), lambda: official.read_imports(folder, "IRQ")):
        with pytest.raises(DataError) as err:
            read()
        assert str(err.value) == f"BACI_HS17_Y2022_V202501.csv: line 3, {shown}"


def test_product_missing_from_the_release_is_an_error(tmp_path):
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1]]})
    write(folder / "product_codes_HS17_V202501.csv", ["code", "description"], [["010129", "other horses"]])
    with pytest.raises(
        DataError, match=r"line 2, column 'k': product code not in product_codes_HS17_V202501.csv \(got '010121'\)"
    ):
        read_flows(folder, "IRN", "IRQ")


def test_streaming_reads_batches_and_never_a_whole_frame(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")  # both reads must stream
    rows = _baci_rows(400)
    folder = baci_folder(tmp_path / "baci", {2022: rows})
    expected = read_flows(folder, "IRN", "IRQ", level="6")

    def refuse(*args, **kwargs):
        raise AssertionError("a whole-file reader was used")

    monkeypatch.setattr(pd, "read_csv", refuse)
    monkeypatch.setattr(stream.pacsv, "read_csv", refuse)
    monkeypatch.setattr(stream, "BLOCK_SIZE", 1024)
    batches = []
    real_select = stream.PairFilter.select
    monkeypatch.setattr(
        stream.PairFilter, "select", lambda self, batch: batches.append(batch.num_rows) or real_select(self, batch)
    )
    flows = read_flows(folder, "IRN", "IRQ", level="6")
    assert len(batches) > 5 and sum(batches) == 400
    pd.testing.assert_frame_equal(flows, expected)
    assert len(flows) == 200 and flows["value_usd"].sum() == 200 * 1500.0


@pytest.mark.parametrize(
    ("bad_row", "fragment"),
    [
        (b"2022,364,368,010123,x,1", "column 'v': must be a number"),
        (b"2022,364,368,01A123,1,1", "column 'k': must be a 6-digit HS code"),
    ],
)
def test_line_numbers_count_blank_lines_and_crlf(tmp_path, bad_row, fragment):
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1]]})
    (folder / "BACI_HS17_Y2022_V202501.csv").write_bytes(
        b"t,i,j,k,v,q\r\n2022,364,368,010121,1,1\r\n\r\n2022,4,368,010122,1,1\r\n" + bad_row + b"\r\n\r\n"
    )
    with pytest.raises(DataError, match=rf"BACI_HS17_Y2022_V202501.csv: line 5, {fragment}"):
        read_flows(folder, "IRN", "IRQ")


# ---------------------------------------------------------------------------
# The extract cache


def test_a_second_read_of_the_same_file_and_pair_comes_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / "cache"))
    folder = baci_folder(tmp_path / "baci", {2022: _baci_rows(60)})
    first = read_flows(folder, "IRN", "IRQ")
    parsed = []
    real = stream.open_stream  # one stream opened per file parsed
    monkeypatch.setattr(stream, "open_stream", lambda *a: parsed.append(1) or real(*a))
    pd.testing.assert_frame_equal(read_flows(folder, "IRQ", "IRN"), first)  # same pair, either order
    assert parsed == []
    with pytest.warns(OfficialDataWarning, match="no trade between IRN and TUR"):
        read_flows(folder, "IRN", "TUR")  # another pair is answered from the same all-pairs extract
    assert parsed == []


def test_an_edited_download_is_read_again(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / "cache"))
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1]]})
    assert read_flows(folder, "IRN", "IRQ")["value_usd"].sum() == 1000.0
    f = folder / "BACI_HS17_Y2022_V202501.csv"
    write(f, BACI_HEADER, [[2022, 364, 368, "010121", 2, 1]])
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    assert read_flows(folder, "IRN", "IRQ")["value_usd"].sum() == 2000.0


def test_cached_reads_repeat_the_warnings(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / "cache"))
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1]]}, codes=False)
    for _ in range(2):
        with pytest.warns(OfficialDataWarning, match="no country_codes"):
            read_flows(folder, "IRN", "IRQ")


def test_cache_off_and_unwritable_cache_still_read(tmp_path, monkeypatch):
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1]]})
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    assert read_flows(folder, "IRN", "IRQ")["value_usd"].sum() == 1000.0
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(blocker / "cache"))  # cannot be created
    assert read_flows(folder, "IRN", "IRQ")["value_usd"].sum() == 1000.0


def test_an_edit_that_keeps_size_and_modification_time_is_read_again(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / "cache"))
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1]]})
    data, codes = folder / "BACI_HS17_Y2022_V202501.csv", folder / "country_codes_V202501.csv"
    assert values(read_flows(folder, "IRN", "IRQ"), ["exporter"]) == {"IRN": 1000.0}

    def edit_in_place(path, old, new):  # same size, and the old times put back
        before = path.stat()
        path.write_bytes(path.read_bytes().replace(old, new))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    edit_in_place(data, b"010121,1,1", b"010121,2,1")
    assert values(read_flows(folder, "IRN", "IRQ"), ["exporter"]) == {"IRN": 2000.0}
    edit_in_place(codes, b"Iran,IR,IRN", b"Iran,IR,IRX")  # the release's code file counts too
    with pytest.raises(DataError, match="no country with ISO3 code IRN"):
        read_flows(folder, "IRN", "IRQ")


def test_a_moved_download_is_served_from_the_cache_under_its_name(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / "cache"))
    folder = baci_folder(tmp_path / "baci", {2022: _baci_rows(60)})
    first = read_flows(folder, "IRN", "IRQ")
    moved = shutil.move(folder, tmp_path / "elsewhere" / "baci")
    parsed = []
    real = stream.open_stream
    monkeypatch.setattr(stream, "open_stream", lambda *a: parsed.append(1) or real(*a))
    pd.testing.assert_frame_equal(read_flows(moved, "IRN", "IRQ"), first)  # the key is the content, not the path
    assert parsed == []
    renamed = tmp_path / "elsewhere" / "baci" / "baci_2022.csv"
    (tmp_path / "elsewhere" / "baci" / "BACI_HS17_Y2022_V202501.csv").rename(renamed)
    assert set(read_flows(moved, "IRN", "IRQ")["file"]) == {renamed.name}  # another name is another extract
    assert parsed == [1]


# ---------------------------------------------------------------------------
# What a download holds


def test_download_countries_of_a_comtrade_file_are_its_reporters_and_partners_without_areas(tmp_path):
    rows = [
        comtrade_row(364, 792, "X", "01", 10),
        comtrade_row(792, 784, "X", "01", 20),
        comtrade_row(784, 364, "M", "01", 30),
        comtrade_row(364, 792, "X", "01", 5, partnerCode=0, partnerISO="W00", partnerDesc="World"),
        comtrade_row(364, 792, "X", "01", 5, partnerCode=490, partnerISO="S19", partnerDesc="Other Asia, nes"),
    ]
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, rows)
    assert official.download_countries(path) == ["ARE", "IRN", "TUR"]
    assert official.download_countries(str(path)) == ["ARE", "IRN", "TUR"]


def test_download_countries_of_a_legacy_file_without_iso_columns_reads_numeric_codes(tmp_path):
    header = [h for h in LEGACY_HEADER if h not in ("Reporter ISO", "Partner ISO")]
    full = [
        legacy_row(792, 368, flow=2),
        legacy_row(368, 364, flow=1),
        legacy_row(368, 364, flow=1, **{"Partner Code": 0}),  # World
        legacy_row(368, 364, flow=1, **{"Partner Code": 842}),  # UN Comtrade's USA
        legacy_row(368, 364, flow=1, **{"Partner Code": 490}),  # Other Asia, nes
    ]
    rows = [[v for h, v in zip(LEGACY_HEADER, row) if h in header] for row in full]
    assert official.download_countries(write(tmp_path / "legacy.csv", header, rows)) == ["IRN", "IRQ", "TUR", "USA"]


def test_download_countries_of_a_baci_folder_and_a_mixed_one(tmp_path):
    rows = [
        [2022, 842, 251, "010121", 1, 1],  # USA -> France in BACI's numbering
        [2022, 490, 368, "010121", 3, 1],  # Other Asia, nes (S19): an area
        [2022, 792, 516, "010121", 4, 1],
    ]
    folder = baci_folder(tmp_path / "baci", {2021: [[2021, 699, 784, "010121", 1, 1]], 2022: rows})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert official.download_countries(folder) == ["ARE", "FRA", "IND", "IRQ", "NAM", "TUR", "USA"]
    write(folder / "comtrade.csv", COMTRADE_HEADER, [comtrade_row(364, 368)])
    assert official.download_countries(folder) == ["ARE", "FRA", "IND", "IRN", "IRQ", "NAM", "TUR", "USA"]
    bare = baci_folder(tmp_path / "bare", {2022: rows}, codes=False)  # ISO numeric plus UN deviations, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert official.download_countries(bare) == ["FRA", "IRQ", "NAM", "TUR", "USA"]  # 251 France, 842 USA


def test_download_countries_are_streamed_and_damage_is_the_same_error(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    folder = baci_folder(tmp_path / "baci", {2022: _baci_rows(400)})

    def refuse(*args, **kwargs):
        raise AssertionError("a whole-file reader was used")

    monkeypatch.setattr(pd, "read_csv", refuse)
    monkeypatch.setattr(stream.pacsv, "read_csv", refuse)
    monkeypatch.setattr(stream, "BLOCK_SIZE", 1024)
    opened = []
    real_open = stream.open_stream
    monkeypatch.setattr(stream, "open_stream", lambda path, *a: opened.append(a[2]) or real_open(path, *a))
    assert official.download_countries(folder) == ["IRN", "IRQ"]  # code 4 is Afghanistan's only outside the file
    assert [sorted(positions) for positions in opened] == [["exporter", "importer"]]  # only the two columns converted
    rows = _baci_rows(40)
    rows[30] = [2022, "IRN", 368, "010148", 1, 2]
    baci_folder(tmp_path / "bad", {2022: rows})
    with pytest.raises(DataError, match=r"BACI_HS17_Y2022_V202501.csv: line 32, column 'i': must be a whole number"):
        official.download_countries(tmp_path / "bad")


def test_download_countries_are_cached_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / "cache"))
    folder = baci_folder(tmp_path / "baci", {2022: [[2022, 364, 368, "010121", 1, 1]]})
    assert official.download_countries(folder) == ["IRN", "IRQ"]
    parsed = []
    real = stream.open_stream
    monkeypatch.setattr(stream, "open_stream", lambda *a: parsed.append(1) or real(*a))
    assert official.download_countries(folder) == ["IRN", "IRQ"]
    assert parsed == []
    write(folder / "BACI_HS17_Y2022_V202501.csv", BACI_HEADER, [[2022, 364, 792, "010121", 1, 1]])
    assert official.download_countries(folder) == ["IRN", "TUR"]
    assert parsed == [1]


@pytest.mark.parametrize("release", ["V202501", "V202301"])
def test_download_countries_of_a_baci_zip_in_either_layout(tmp_path, monkeypatch, release):
    from tests.fixtures.official_layouts import baci_zip

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / "cache"))
    rows = [[2022, 364, 368, "270900", 1, 1], [2022, 490, 516, "270900", 1, 1], [2022, 842, 784, "270900", 1, 1]]
    archive = baci_zip(tmp_path / "baci.zip", {2022: rows}, release, folder="BACI/")
    assert official.download_countries(archive) == ["ARE", "IRN", "IRQ", "NAM", "USA"]  # never 490 (S19 or N/A)
    assert official.download_countries(archive) == ["ARE", "IRN", "IRQ", "NAM", "USA"]  # from the cache


def test_download_countries_keep_nothing_of_a_member_that_fails_its_crc(tmp_path, monkeypatch):
    import zipfile

    from tests.fixtures.official_layouts import baci_zip, corrupt_member

    cache = tmp_path / "cache"
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(cache))
    archive = baci_zip(tmp_path / "baci.zip", {2022: [[2022, 364, 368, "270900", 1, 1]]}, method=zipfile.ZIP_STORED)
    corrupt_member(archive, "BACI_HS17_Y2022_V202501.csv", b"364,368", b"364,792")
    with pytest.raises(DataError, match="baci.zip/BACI_HS17_Y2022_V202501.csv: damaged member .*CRC-32 check failed"):
        official.download_countries(archive)
    assert list(cache.glob("*.countries.json")) == []


# ---------------------------------------------------------------------------
# The package's shape


def test_analysis_imports_only_the_light_modules():
    import subprocess
    import sys

    code = (
        "import sys, helpers.analysis.official; "
        "print(sorted(m for m in sys.modules if m.startswith('helpers.official')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert eval(loaded) == [
        "helpers.official",
        "helpers.official.countries",
        "helpers.official.formats",
        "helpers.official.schema",
    ]


def test_no_private_name_crosses_modules_and_no_environment_is_read():
    import ast
    from pathlib import Path

    folder = Path(official.__file__).parent
    sources = [*sorted(folder.glob("*.py")), folder.parent / "analysis" / "official.py"]
    crossing = []
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, source.name
        tree = ast.parse(text)
        modules = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        modules |= {
            a.asname or a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("helpers")
            for a in n.names
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                crossing += [f"{source.name}: {a.name}" for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                if node.attr.startswith("_") and not node.attr.startswith("__"):
                    crossing.append(f"{source.name}: {node.value.id}.{node.attr}")
    assert crossing == []
    for light in ("schema.py", "countries.py"):  # the modules helpers.analysis.official imports
        tree = ast.parse((folder / light).read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not any(m.startswith("pyarrow") for m in imported), light


def test_every_public_name_is_importable_from_the_package():
    import importlib

    package = importlib.import_module("helpers.official")
    for name in package.__all__:
        assert getattr(package, name) is not None, name
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018

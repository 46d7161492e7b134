"""UN Comtrade+ files as people save them: the API's JSON response, the bulk files (tab-separated,
gzipped) and ``comtradeapicall``'s CSV, all with the real 47 field names, read to the same flows as
the website's CSV; error payloads and bad values named by file, record and field.

Every record here is synthetic, written under the real names (tests/fixtures/comtrade/SOURCE.md).
"""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.official import OfficialDataWarning, detect_format, download_countries, read_flows
from helpers.official.comtrade_json import comtrade_json_countries, read_comtrade_json
from tests.fixtures import ISO, values, write

#: The exact header of a Comtrade+ CSV download: 47 columns, also the API records' field names.
HEADER = (Path(__file__).parents[1] / "fixtures" / "comtrade" / "comtrade_plus_csv_header.txt").read_text().strip()
NAMES = HEADER.split(",")
#: Partners that are no country: World and an area.
NOT_COUNTRIES = {0: ("W00", "World"), 899: ("_X", "Areas, nes")}
FLOWS = {"X": "Export", "M": "Import", "RX": "Re-export", "RM": "Re-import", "DX": "Domestic Export"}
SORT = ["source", "year", "exporter", "importer", "flow", "hs_code"]


def record(
    reporter: int = 364,
    partner: int = 368,
    flow: str = "X",
    cmd: str = "01",
    value: float = 100.0,
    year: int = 2022,
    **extra: object,
) -> dict:
    """One record as the API sends it: codes as JSON numbers, period and cmdCode as text, null where none."""
    countries = ISO | NOT_COUNTRIES
    row = {
        "typeCode": "C",
        "freqCode": "A",
        "refPeriodId": int(f"{year}0101"),
        "refYear": year,
        "refMonth": 52,
        "period": str(year),
        "reporterCode": reporter,
        "reporterISO": countries[reporter][0],
        "reporterDesc": countries[reporter][1],
        "flowCode": flow,
        "flowDesc": FLOWS[flow],
        "partnerCode": partner,
        "partnerISO": countries[partner][0],
        "partnerDesc": countries[partner][1],
        "partner2Code": 0,
        "partner2ISO": "W00",
        "partner2Desc": "World",
        "classificationCode": "H6",
        "classificationSearchCode": "HS",
        "isOriginalClassification": True,
        "cmdCode": cmd,
        "cmdDesc": 'Goods; "described", with commas',
        "aggrLevel": len(cmd) if cmd.isdigit() else 0,
        "isLeaf": False,
        "customsCode": "C00",
        "customsDesc": "TOTAL CPC",
        "mosCode": "0",
        "motCode": 0,
        "motDesc": "TOTAL MOT",
        "qtyUnitCode": -1,
        "qtyUnitAbbr": "N/A",
        "qty": None,
        "isQtyEstimated": False,
        "altQtyUnitCode": -1,
        "altQtyUnitAbbr": "N/A",
        "altQty": None,
        "isAltQtyEstimated": False,
        "netWgt": None,
        "isNetWgtEstimated": False,
        "grossWgt": None,
        "isGrossWgtEstimated": False,
        "cifvalue": None,
        "fobvalue": value,
        "primaryValue": value,
        "legacyEstimationFlag": 0,
        "isReported": True,
        "isAggregate": False,
    } | extra
    assert set(row) == set(NAMES)
    return {name: row[name] for name in NAMES}


#: One file's records: every rule of the CSV reader has a record that tests it.
RECORDS = [
    record(value=100.0),  # Iran's exports to Iraq, chapter 01: all partners2, procedures and modes
    record(value=60.0, partner2Code=792, partner2ISO="TUR", partner2Desc="Türkiye"),  # part of the 100
    record(value=70.0, customsCode="C01", customsDesc="Import for inward processing"),
    record(value=80.0, motCode=2100, motDesc="Sea"),
    record(cmd="27", value=250.0),
    record(cmd="TOTAL", value=350.0),  # all chapters (100 + 250), reported too: never added to them
    record(cmd="0101", value=40.0),  # the 4-digit level
    record(flow="RX", value=5.0),  # re-exports: a flow of their own
    record(flow="DX", value=90.0),  # domestic exports: part of X, left out
    record(368, 364, "M", value=120.0),  # Iraq's imports from Iran
    record(368, 364, "M", value=9.0, freqCode="M", period="202203", refMonth=3),  # monthly
    record(364, 368, "M", "27", 30.0),  # Iran's imports from Iraq
    record(364, 0, value=1000.0),  # Iran's exports to the World
    record(364, 899, value=7.0),  # to an area
    record(value=5.0, typeCode="S", classificationCode="EB", cmdCode="200"),  # services
    record(792, 368, value=999.0),  # Türkiye to Iraq: another pair
]
EXPECTED_CHAPTERS = {
    ("IRN", "IRQ", "exporter", "X", "01"): 100.0,
    ("IRN", "IRQ", "exporter", "X", "27"): 250.0,
    ("IRN", "IRQ", "exporter", "RX", "01"): 5.0,
    ("IRN", "IRQ", "importer", "M", "01"): 120.0,
    ("IRQ", "IRN", "importer", "M", "27"): 30.0,
}


def response(records: list[dict], **envelope: object) -> dict:
    """The API's answer around ``records``."""
    return {"elapsedTime": "0.11 secs", "count": len(records), "data": records, "error": ""} | envelope


def write_json(path: Path, doc: object) -> Path:
    """Save an API answer as a browser or ``requests`` saves it (gzipped when the name says so)."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def cell(value: object) -> object:
    """A JSON value as the CSV and TSV downloads write it."""
    return "" if value is None else value


def write_rows(path: Path, records: list[dict], delimiter: str = ",") -> Path:
    """The same records as a download with the full 47-column header (CSV, or TSV as the bulk files)."""
    return write(path, NAMES, [[cell(r[n]) for n in NAMES] for r in records], delimiter=delimiter)


def flows_of(frame: pd.DataFrame) -> pd.DataFrame:
    """A flows frame without the file's name, in one order, for comparisons."""
    return frame.drop(columns="file").sort_values(SORT, ignore_index=True)


def quietly(read, *args):
    """``read(*args)`` with its warnings recorded: (flows, warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        flows = read(*args)
    return flows, [str(w.message) for w in caught if issubclass(w.category, OfficialDataWarning)]


# ---------------------------------------------------------------------------
# The same rows, three layouts, the same flows


def test_the_header_has_the_47_columns_of_a_comtrade_plus_download():
    assert len(NAMES) == 47 and len(set(NAMES)) == 47
    assert NAMES[:4] == ["typeCode", "freqCode", "refPeriodId", "refYear"] and NAMES[-1] == "isAggregate"


@pytest.mark.parametrize("name", ["download.json", "download.json.gz"])
@pytest.mark.parametrize("level", ["chapter", "4"])
def test_api_json_gives_the_flows_of_the_same_rows_as_a_csv(tmp_path, name, level):
    csv_path = write_rows(tmp_path / "download.csv", RECORDS)
    json_path = write_json(tmp_path / name, response(RECORDS))
    from_csv, csv_warnings = quietly(read_flows, csv_path, "IRN", "IRQ", level)
    from_json, json_warnings = quietly(read_comtrade_json, json_path, "IRN", "IRQ", level)
    pd.testing.assert_frame_equal(flows_of(from_json), flows_of(from_csv))
    assert set(from_json["file"]) == {name}
    assert [m.replace(name, "F") for m in json_warnings] == [m.replace("download.csv", "F") for m in csv_warnings]
    if level == "chapter":
        assert values(from_json, ["exporter", "importer", "reported_by", "flow", "hs_code"]) == EXPECTED_CHAPTERS
        assert not json_warnings
    else:
        assert values(from_json, ["hs_code"]) == {"0101": 40.0} and json_warnings  # the others lack level 4


def test_bulk_tsv_gzipped_with_the_full_header_gives_the_same_flows(tmp_path):
    csv_flows = flows_of(read_flows(write_rows(tmp_path / "download.csv", RECORDS), "IRN", "IRQ"))
    # as the bulk API serves it (Content-Disposition C_A_364_2022_H6_O.txt.gz), in a folder of yearly files
    folder = tmp_path / "bulk"
    folder.mkdir()
    bulk = write_rows(folder / "C_A_364_2022_H6_O.txt.gz", RECORDS, delimiter="\t")
    assert gzip.open(bulk, "rt", encoding="utf-8").readline() == HEADER.replace(",", "\t") + "\n"
    assert detect_format(bulk) == "comtrade"
    pd.testing.assert_frame_equal(flows_of(read_flows(folder, "IRN", "IRQ")), csv_flows)
    # as comtradeapicall's bulkDownloadFinalFile names it, read as a file
    renamed = write_rows(tmp_path / "COMTRADE-FINAL-CA3642022H6[2023-06-30].gz", RECORDS, delimiter="\t")
    pd.testing.assert_frame_equal(flows_of(read_flows(renamed, "IRN", "IRQ")), csv_flows)


def test_comtradeapicall_dataframe_saved_with_to_csv_gives_the_same_flows(tmp_path):
    """getFinalData returns pandas.json_normalize(response["data"]); people save it with to_csv (index too)."""
    saved = tmp_path / "data.csv"
    pd.json_normalize(RECORDS).to_csv(saved)
    assert saved.read_text(encoding="utf-8").startswith(",typeCode,freqCode,")
    expected = flows_of(read_flows(write_rows(tmp_path / "download.csv", RECORDS), "IRN", "IRQ"))
    pd.testing.assert_frame_equal(flows_of(read_flows(saved, "IRN", "IRQ")), expected)


def test_data_list_saved_alone_is_read_too(tmp_path):
    flows = read_comtrade_json(write_json(tmp_path / "data.json", RECORDS), "IRN", "IRQ", "chapter")
    assert values(flows, ["exporter", "importer", "reported_by", "flow", "hs_code"]) == EXPECTED_CHAPTERS


def test_codes_written_as_json_numbers_or_text_are_read_as_the_csv_reads_them(tmp_path):
    records = [
        record(cmd="01", value=10, motCode=0.0, partner2Code="0"),  # a whole-number value, a float mode
        record(cmdCode=2, value="20.5", reporterCode="364", refYear="2022"),  # lost its zero; numbers as text
    ]
    flows = read_comtrade_json(write_json(tmp_path / "r.json", response(records)), "IRN", "IRQ", "chapter")
    assert values(flows, ["hs_code"]) == {"01": 10.0, "02": 20.5}
    flows = read_comtrade_json(write_json(tmp_path / "r4.json", response([record(cmdCode=201)])), "IRN", "IRQ", "4")
    assert values(flows, ["hs_code"]) == {"0201": 100.0}


def test_json_without_iso_fields_reads_numeric_codes_and_says_so(tmp_path):
    records = [{k: v for k, v in r.items() if k not in ("reporterISO", "partnerISO")} for r in RECORDS]
    with pytest.warns(OfficialDataWarning, match="without ISO columns"):
        flows = read_comtrade_json(write_json(tmp_path / "r.json", response(records)), "IRN", "IRQ", "chapter")
    assert values(flows, ["exporter", "importer", "reported_by", "flow", "hs_code"]) == EXPECTED_CHAPTERS


def test_a_saved_response_and_a_csv_of_one_year_and_flow_in_two_revisions_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "download"
    folder.mkdir()
    write_json(folder / "H5.json", response([record(cmd="27", value=10.0, classificationCode="H5")]))
    write_rows(folder / "H6.csv", [record(cmd="01", value=20.0)])
    for _ in range(2):  # the second read serves the response's flows from the pair cache
        with pytest.raises(DataError, match=r"two HS revisions: H5 in H5.json and H6 in H6.csv"):
            read_flows(folder, "IRN", "IRQ")


def test_json_is_detected_and_its_countries_are_listed(tmp_path):
    path = write_json(tmp_path / "r.json.gz", response(RECORDS))
    assert detect_format(path) == "comtrade"
    assert comtrade_json_countries(path) == {"IRN", "IRQ", "TUR"}  # World and the area left out


def test_a_response_cut_off_at_an_api_cap_is_a_warning(tmp_path):
    others = [record(792, 784, cmd=f"{c:02d}", value=1.0) for c in range(1, 100)]
    others += [record(792, 784, cmd=f"{c:04d}", value=1.0) for c in range(100, 500)]
    path = write_json(tmp_path / "r.json", response([record(value=3.0), *others]))
    with pytest.warns(OfficialDataWarning, match=r"exactly 500 records.*probably cut off"):
        flows = read_comtrade_json(path, "IRN", "IRQ", "chapter")
    assert flows["value_usd"].tolist() == [3.0]


# ---------------------------------------------------------------------------
# Error payloads and bad values


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            response([], count=0, error="Out of call volume quota. Quota will be replenished in 00:42:10."),
            "r.json: the API answered with an error instead of data: Out of call volume quota. Quota will be "
            "replenished in 00:42:10.",
        ),
        (
            {
                "statusCode": 401,
                "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an "
                "active subscription.",
            },
            'r.json: no "data" in the response: Access denied due to invalid subscription key. Make sure to provide a '
            "valid key for an active subscription. (status 401)",
        ),
        ({"elapsedTime": "0.01 secs", "count": 0}, 'r.json: no "data" in the response: it holds elapsedTime, count'),
        (response([]), 'r.json: the response has no records ("count": 0)'),
        ({"data": {"typeCode": "C"}, "error": ""}, 'r.json: "data" must be a list of records, got an object'),
        (response([record(), 7]), "r.json: record data[1]: must be a JSON object of the record's fields"),
        (
            response([{k: v for k, v in record().items() if k != "primaryValue"}]),
            "r.json: records lack the field(s) primaryValue; expected the Comtrade API layout",
        ),
    ],
)
def test_error_payloads_are_data_errors_that_quote_them(tmp_path, doc, message):
    path = write_json(tmp_path / "r.json", doc)
    with pytest.raises(DataError) as err:
        read_comtrade_json(path, "IRN", "IRQ", "chapter")
    assert str(err.value).startswith(message), str(err.value)


def test_a_file_that_is_no_json_is_refused_after_a_bounded_read(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("<html><body>Rate limit is exceeded</body></html>", encoding="utf-8")
    with pytest.raises(DataError, match=r"r.json: line 1: not JSON: expected a Comtrade API response"):
        detect_format(path)
    with pytest.raises(DataError, match="not JSON"):
        read_comtrade_json(path, "IRN", "IRQ", "chapter")


def test_a_cut_off_response_names_line_and_column(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(response(RECORDS))[:500], encoding="utf-8")
    with pytest.raises(DataError, match=r"r.json: line 1: not valid JSON \(.*, column \d+\); is the download complete"):
        read_comtrade_json(path, "IRN", "IRQ", "chapter")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("n/a", "must be a number written plainly (no thousands separators, currency signs or NA) (got 'n/a')"),
        ("1,000", "must be a number written plainly (no thousands separators, currency signs or NA) (got '1,000')"),
        (True, "must be a number written plainly (no thousands separators, currency signs or NA) (got 'true')"),
        (None, "a value is required"),
    ],
)
def test_a_non_numeric_primary_value_names_file_record_and_field(tmp_path, bad, message):
    records = [record(), record(792, 784), record(cmd="02", primaryValue=bad)]
    with pytest.raises(DataError) as err:
        read_comtrade_json(write_json(tmp_path / "r.json", response(records)), "IRN", "IRQ", "chapter")
    assert str(err.value) == f"r.json: record data[2], field 'primaryValue': {message}"


def test_bad_values_are_listed_in_record_order(tmp_path):
    records = [record(primaryValue="x"), record(reporterCode="IRN"), record(refYear=2022.5, primaryValue="y")]
    with pytest.raises(DataError) as err:
        read_comtrade_json(write_json(tmp_path / "r.json", response(records)), "IRN", "IRQ", "chapter")
    lines = str(err.value).splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "record data[0], field 'primaryValue'",
        "record data[1], field 'reporterCode'",
        "record data[2], field 'refYear'",
        "record data[2], field 'primaryValue'",
    ]


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([record(), record(cmd="27", value=-5.0)], "record data[1], field 'primaryValue': must be a finite value"),
        ([record(), record(cmd="1A")], "record data[1], field 'cmdCode': must be an HS code of 2, 4 or 6 digits"),
        ([record(), record(value=3.0)], "record data[0], field 'cmdCode': the same year, reporter, partner, flow"),
        (
            [record(freqCode="", period="22", refYear=None)],
            "record data[0], field 'refYear': a value is required",
        ),
    ],
)
def test_rules_checked_on_the_pairs_rows_name_the_record(tmp_path, records, message):
    with pytest.raises(DataError) as err:
        read_comtrade_json(write_json(tmp_path / "r.json", response(records)), "IRN", "IRQ", "chapter")
    assert str(err.value).splitlines()[0].startswith(f"r.json: {message}"), str(err.value)


def test_read_flows_and_download_countries_take_a_saved_response_or_a_folder_of_them(tmp_path):
    csv_flows = flows_of(read_flows(write_rows(tmp_path / "download.csv", RECORDS), "IRN", "IRQ"))
    folder = tmp_path / "api"
    folder.mkdir()
    saved = write_json(folder / "iran-iraq-2022.json.gz", response(RECORDS))
    pd.testing.assert_frame_equal(flows_of(read_flows(saved, "IRN", "IRQ")), csv_flows)
    pd.testing.assert_frame_equal(flows_of(read_flows(folder, "IRN", "IRQ")), csv_flows)
    pd.testing.assert_frame_equal(flows_of(read_flows(saved, "IRN", "IRQ")), csv_flows)  # served by the cache
    assert download_countries(folder) == sorted(comtrade_json_countries(saved))
    with pytest.raises(DataError, match="invalid subscription key"):
        read_flows(
            write_json(tmp_path / "denied.json", {"statusCode": 401, "message": "invalid subscription key"}),
            "IRN",
            "IRQ",
        )

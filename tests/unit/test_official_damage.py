"""Damaged official downloads, as a user's copy can be: one readable DataError naming file, line, column and
rule, nothing kept of what failed, and one side of a pair missing is no damage. Small files built here in
the publishers' real layouts (see tests/fixtures/official_layouts.py)."""

from __future__ import annotations

import gzip
import json

import pytest

from helpers.errors import DataError
from helpers.official import download_countries, prepare, read_flows, read_imports
from tests.fixtures import BACI_HEADER, COMTRADE_HEADER, baci_folder, comtrade_row, values
from tests.fixtures.official_layouts import baci_members, write_zip


@pytest.fixture(autouse=True)
def _no_flow_cache(monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")


# ---------------------------------------------------------------------------
# Two BACI year files of one year (two releases, or two HS revisions): refused naming both, whatever they hold

TWO_FILES = "BACI year 2022 is in BACI_HS17_Y2022_V202301.csv and BACI_HS17_Y2022_V202501.csv"


def _two_releases_of_2022(folder):
    """Y2022 of releases V202501 and V202301 side by side, the pair trading other products in each, so that no
    one flow is in both files (what the flows' own overlap check sees)."""
    baci_folder(folder, {2022: [[2022, 364, 368, "010121", 1.5, 2]]}, version="202501")
    baci_folder(folder, {2022: [[2022, 368, 364, "270900", 3.0, 1]]}, version="202301")
    return folder


@pytest.mark.parametrize("read", [read_flows, lambda p, *_: read_imports(p, "IRQ"), lambda p, *_: prepare(p)])
def test_two_releases_of_one_year_are_refused_naming_both_files_whatever_flows_each_holds(tmp_path, read):
    folder = _two_releases_of_2022(tmp_path / "baci")
    with pytest.raises(DataError) as err:
        read(folder, "IRN", "IRQ")
    assert str(err.value).startswith(f"baci: {TWO_FILES}")
    assert "counted twice" in str(err.value)


def test_two_releases_of_one_year_in_a_zip_are_refused_in_either_country_file_layout(tmp_path):
    files = {f"BACI_HS17_V202501/{n}": b for n, b in baci_members({2022: [[2022, 364, 368, "010121", 1, 1]]}).items()}
    v202301 = baci_members({2022: [[2022, 368, 364, "270900", 2, 1]]}, "V202301")  # HS92, the real V202301 files
    files |= {f"BACI_HS92_V202301/{n}": b for n, b in v202301.items()}
    archive = write_zip(tmp_path / "both.zip", files)
    both = "BACI year 2022 is in BACI_HS17_Y2022_V202501.csv and BACI_HS92_Y2022_V202301.csv"
    for read in (lambda: read_flows(archive, "IRN", "IRQ"), lambda: read_imports(archive, "IRQ")):
        with pytest.raises(DataError, match=both):
            read()


def test_one_release_of_a_year_beside_other_years_of_another_is_read(tmp_path):
    folder = baci_folder(tmp_path / "baci", {2021: [[2021, 364, 368, "010121", 1, 1]]}, version="202301")
    baci_folder(folder, {2022: [[2022, 364, 368, "010121", 2, 1]]}, version="202501")
    assert values(read_flows(folder, "IRN", "IRQ"), ["year"]) == {2021: 1000.0, 2022: 2000.0}


# ---------------------------------------------------------------------------
# A gzip-compressed download (Comtrade's bulk files, a .csv.gz, an API response as .json.gz) whose deflate
# stream is damaged: one DataError naming the file, never a bare zlib error, never a header it never had


def _gzip_damaged_in_its_deflate_stream(data: bytes) -> bytes:
    """The gzip bytes of ``data`` with one byte of the first deflate block changed (gzip's own header, 10
    bytes, left alone): the first lines decompress wrong, or not at all."""
    raw = bytearray(gzip.compress(data, mtime=0))
    raw[10] ^= 0x55
    return bytes(raw)


def _csv(header: list[str], rows: list[list]) -> bytes:
    return ("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n").encode()


GZIPPED = {
    "bulk.txt.gz": lambda: _csv(COMTRADE_HEADER, [comtrade_row(cmd="01"), comtrade_row(cmd="27")]).replace(b",", b"\t"),
    "comtrade.csv.gz": lambda: _csv(COMTRADE_HEADER, [comtrade_row(cmd="01"), comtrade_row(cmd="27")]),
    "BACI_HS17_Y2022_V202501.csv.gz": lambda: _csv(BACI_HEADER, [[2022, 364, 368, "010121", 1.5, 2]]),
    "response.json.gz": lambda: json.dumps({"data": [{"refYear": 2022, "cmdCode": "01"}], "error": ""}).encode(),
}


READERS = {
    "read_flows": lambda path: read_flows(path, "IRN", "IRQ"),
    "download_countries": download_countries,
    "prepare": prepare,  # builds the extracts before any kernel starts (a JSON response has none: not read there)
}


@pytest.mark.parametrize(
    "name, reader", [(n, r) for n in GZIPPED for r in READERS if not (n.endswith(".json.gz") and r == "prepare")]
)
def test_a_gzip_file_whose_deflate_stream_is_damaged_is_one_data_error_saying_so(tmp_path, name, reader):
    path = tmp_path / name
    path.write_bytes(_gzip_damaged_in_its_deflate_stream(GZIPPED[name]()))
    with pytest.raises(DataError) as err:
        READERS[reader](path)
    assert str(err.value).startswith(f"{name}: damaged gzip file: it cannot be decompressed")
    assert "download it again" in str(err.value)


def test_a_gzip_file_cut_short_is_said_to_be_damaged(tmp_path):
    data = gzip.compress(_csv(COMTRADE_HEADER, [comtrade_row(cmd="01"), comtrade_row(cmd="27")]), mtime=0)
    path = tmp_path / "bulk.csv.gz"
    path.write_bytes(data[: len(data) - 12])
    with pytest.raises(DataError, match=r"^bulk.csv.gz: damaged gzip file: it cannot be decompressed"):
        read_flows(path, "IRN", "IRQ")


def test_a_folder_holding_baci_and_comtrade_files_says_to_keep_each_source_apart(tmp_path):
    from helpers import evidence
    from helpers.errors import ParameterError
    from tests.fixtures import COMTRADE_HEADER, baci_folder, comtrade_row, write

    folder = baci_folder(tmp_path / "mixed", {2021: [[2021, 364, 368, "010111", 100.0, 1.0]]})
    write(folder / "comtrade.csv", COMTRADE_HEADER, [comtrade_row(period=2022, refYear=2022, cmd="01", value=5)])
    for source in ("baci", "comtrade"):
        with pytest.raises(ParameterError) as info:
            evidence.load_official(source, str(folder), "IRN", "IRQ")
        said = str(info.value)
        assert "holds baci, comtrade data" in said and "keep each source's files in a folder of their own" in said
        assert "set source to" not in said


def test_a_row_with_more_fields_than_its_header_names_the_likely_stray_delimiter(tmp_path):
    from helpers.errors import DataError
    from helpers.official import read_flows
    from tests.fixtures import baci_folder

    rows = [[2021, 364, 368, "010111", 100.0, 1.0], [2021, 364, 368, "010112", "1", "5", 2.0]]
    folder = baci_folder(tmp_path / "baci", {2021: rows})
    with pytest.raises(DataError) as info:
        read_flows(folder, "IRN", "IRQ")
    said = str(info.value)
    assert "line 3: row has 7 fields, header has 6 (a stray delimiter, such as a decimal comma" in said
    short = baci_folder(
        tmp_path / "short", {2021: [[2021, 364, 368, "010111", 100.0, 1.0], [2021, 364, 368, "010112"]]}
    )
    with pytest.raises(DataError, match=r"line 3: row has 4 fields, header has 6 \(truncated row\?\)"):
        read_flows(short, "IRN", "IRQ")

"""A BACI release read straight from its zip archive: members streamed (nothing unpacked), code files
found inside the archive in both country-file layouts, members in a sub-folder, and a damaged
archive (a failed CRC, a truncated file, a compression method not read) refused with the
project's error naming archive and member, with nothing of a damaged member kept or cached.

Every archive here is small, synthetic and written with zipfile in the real release's layout; the
V202301 code files are the real ones (tests/fixtures/baci_V202301/).
"""

from __future__ import annotations

import warnings
import zipfile

import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.official import (
    ArchiveMember,
    OfficialDataWarning,
    data_files,
    extracts,
    read_flows,
    read_imports,
    stream,
)
from helpers.official import archive as archive_module
from tests.fixtures import COMTRADE_HEADER, COUNTRY_CODES, baci_folder, comtrade_row, values
from tests.fixtures.official_layouts import (
    COUNTRY_HEADER_V202501,
    baci_members,
    baci_zip,
    corrupt_member,
    csv_bytes,
    member_data_offset,
    write_zip,
)

YEARS = {
    2021: [[2021, 364, 368, "010121", 1, 1], [2021, 368, 364, "270900", 3, 1]],
    2022: [[2022, 364, 368, "010121", 2, 1], [2022, 792, 368, "010121", 4, 1], [2022, 490, 364, "270900", 5, 1]],
}
#: The same trade in release V202301's own numbering: its product codes lost their leading zero.
YEARS_V202301 = {
    2021: [[2021, 364, 368, "10111", 1, 1], [2021, 368, 364, "270900", 3, 1]],
    2022: [[2022, 364, 368, "10111", 2, 1], [2022, 792, 368, "10111", 4, 1], [2022, 490, 364, "270900", 5, 1]],
}
ZIP = "BACI_HS17_V202501.zip"
Y2022 = "BACI_HS17_Y2022_V202501.csv"


@pytest.fixture
def no_cache(monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(folder))
    return folder


def entries(folder):
    kept = [*folder.glob("*.parquet"), *folder.glob("*.arrow")] if folder.exists() else []
    return sorted(p.name for p in kept)


# ---------------------------------------------------------------------------
# Reading in place


def test_a_release_is_read_from_its_zip_as_from_its_folder_and_nothing_is_unpacked(tmp_path, no_cache, monkeypatch):
    folder = baci_folder(tmp_path / "unpacked", YEARS)
    archive = baci_zip(tmp_path / ZIP, YEARS)
    expected = read_flows(folder, "IRN", "IRQ")

    def refuse(*args, **kwargs):
        raise AssertionError("a member was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    monkeypatch.setattr(stream, "BLOCK_SIZE", 64)  # members are streamed batch by batch
    batches = []
    real_open = stream.open_stream

    def counting(*args):  # every batch parsed from a member, as it is streamed
        for batch in real_open(*args):
            batches.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(stream, "open_stream", counting)
    before = sorted(tmp_path.rglob("*"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the code files are found inside the archive: no fallback, no warning
        flows = read_flows(archive, "IRN", "IRQ")
    pd.testing.assert_frame_equal(flows, expected)
    assert values(flows, ["year", "exporter"]) == {(2021, "IRN"): 1000.0, (2021, "IRQ"): 3000.0, (2022, "IRN"): 2000.0}
    assert set(flows["file"]) == {"BACI_HS17_Y2021_V202501.csv", Y2022}
    assert len(batches) > 2 and sum(batches) == 5
    assert sorted(tmp_path.rglob("*")) == before  # nothing written beside the archive


def test_data_files_of_an_archive_are_its_data_members_in_name_order(tmp_path):
    archive = baci_zip(tmp_path / ZIP, YEARS, folder="BACI_HS17_V202501/")
    members = data_files(archive)
    assert all(isinstance(m, ArchiveMember) for m in members)
    assert [m.member for m in members] == [
        "BACI_HS17_V202501/BACI_HS17_Y2021_V202501.csv",
        "BACI_HS17_V202501/BACI_HS17_Y2022_V202501.csv",
    ]  # the code files and the readme are not data
    assert [m.name for m in members] == ["BACI_HS17_Y2021_V202501.csv", Y2022]


@pytest.mark.parametrize("release", ["V202501", "V202301"])
def test_both_country_file_layouts_work_inside_the_archive(tmp_path, no_cache, release):
    years = YEARS if release == "V202501" else YEARS_V202301
    archive = baci_zip(tmp_path / f"BACI_{release}.zip", years, release)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pair = read_flows(archive, "IRN", "IRQ", level="6")
        iran = read_flows(archive, "TUR", "IRQ", level="6")
    assert values(pair, ["year", "exporter", "hs_code"]) == {
        (2021, "IRN", "010121" if release == "V202501" else "010111"): 1000.0,
        (2021, "IRQ", "270900"): 3000.0,
        (2022, "IRN", "010121" if release == "V202501" else "010111"): 2000.0,
    }  # 490 (an area: S19 in V202501, N/A in V202301) is never Iran's partner
    assert values(iran, ["exporter"]) == {"TUR": 4000.0}


@pytest.mark.parametrize("release", ["V202501", "V202301"])
def test_areas_are_no_suppliers_in_either_layout_and_former_countries_are(tmp_path, no_cache, release):
    # 490 "Other Asia, nes" and 697 "Europe EFTA, nes" are areas: S19 and R20 in V202501's country file,
    # N/A in V202301's (the real one); 530 Netherlands Antilles (ANT) is a former country in both
    years = YEARS if release == "V202501" else YEARS_V202301
    area_rows = [[2005, 530, 364, "270900", 6, 1], [2005, 490, 364, "270900", 7, 1], [2005, 697, 364, "270900", 8, 1]]
    files = baci_members({**years, 2005: area_rows}, release)
    if release == "V202501":
        codes = [
            *COUNTRY_CODES,
            (697, "Europe EFTA, nes", "", "R20"),
            (530, "Netherlands Antilles (...2010)", "AN", "ANT"),
        ]
        files["country_codes_V202501.csv"] = csv_bytes(COUNTRY_HEADER_V202501, [list(c) for c in codes])
    archive = write_zip(tmp_path / f"BACI_{release}.zip", files)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        imports = read_imports(archive, "IRN", progress=False)
        pair = read_flows(archive, "IRN", "IRQ", progress=False)
    assert values(imports, ["year", "exporter"]) == {(2005, "ANT"): 6000.0, (2021, "IRQ"): 3000.0}
    assert values(pair, ["year", "exporter"]) == {(2021, "IRN"): 1000.0, (2021, "IRQ"): 3000.0, (2022, "IRN"): 2000.0}


def test_a_product_missing_from_the_release_inside_the_archive_is_an_error(tmp_path, no_cache):
    years = {2022: [[2022, 364, 368, "10112", 1, 1]]}  # not an HS92 code of the real product file
    archive = baci_zip(tmp_path / "BACI_HS92_V202301.zip", years, "V202301")
    with pytest.raises(DataError, match=r"line 2, column 'k': product code not in product_codes_HS92_V202301.csv"):
        read_flows(archive, "IRN", "IRQ")


def test_members_in_a_sub_folder_find_their_code_files_beside_them(tmp_path, no_cache):
    archive = baci_zip(tmp_path / ZIP, YEARS, folder="BACI_HS17_V202501/")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flows = read_flows(archive, "TUR", "IRQ")  # without the code file beside it, a warning (an error here)
    assert values(flows, ["exporter"]) == {"TUR": 4000.0}
    files = {**baci_members(YEARS), "BACI_HS17_Y2023_V202501.csv": csv_bytes(["t", "i", "j", "k", "v", "q"], [])}
    write_zip(tmp_path / "nested.zip", files, folder="release/data/")
    with pytest.raises(DataError, match=r"nested.zip/release/data/BACI_HS17_Y2023_V202501.csv: line 1: header only"):
        read_flows(tmp_path / "nested.zip", "IRN", "IRQ")


def test_a_member_without_code_files_beside_it_falls_back_and_says_so(tmp_path, no_cache):
    archive = baci_zip(tmp_path / ZIP, YEARS, codes=False)
    with pytest.warns(OfficialDataWarning, match="no country_codes_V.*ISO 3166 numeric"):
        flows = read_flows(archive, "IRN", "IRQ")
    assert values(flows, ["exporter"]) == {"IRN": 3000.0, "IRQ": 3000.0}


def test_a_damaged_row_inside_the_archive_names_archive_member_line_and_column(tmp_path, no_cache, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_SIZE", 64)
    rows = [[2022, 4, 368, f"{10101 + r:06d}", 1, 1] for r in range(40)]
    rows[30] = [2022, 364, 368, "010121", "1,5", 1]
    archive = baci_zip(tmp_path / ZIP, {2022: rows})
    with pytest.raises(DataError) as err:
        read_flows(archive, "IRN", "IRQ")
    assert str(err.value).startswith(f"{ZIP}/{Y2022}: line 32")
    assert "column 'v': must be a number written plainly" in str(err.value)


def test_a_comtrade_file_inside_a_zip_is_read_too(tmp_path, no_cache):
    data = csv_bytes(COMTRADE_HEADER, [comtrade_row(value=42.0), comtrade_row(368, 364, "M", value=40.0)])
    archive = write_zip(tmp_path / "comtrade.zip", {"TradeData_2022.csv": data})
    flows = read_flows(archive, "IRN", "IRQ")
    assert values(flows, ["reported_by"]) == {"exporter": 42.0, "importer": 40.0}


# ---------------------------------------------------------------------------
# The extract cache


def test_members_are_served_from_the_cache_and_an_edited_member_is_read_again(tmp_path, cache, monkeypatch):
    archive = baci_zip(tmp_path / ZIP, YEARS)
    first = read_flows(archive, "IRN", "IRQ")
    assert len(entries(cache)) == 2  # one extract a member
    parsed = []
    real = stream.open_stream
    monkeypatch.setattr(stream, "open_stream", lambda *a: parsed.append(1) or real(*a))
    pd.testing.assert_frame_equal(read_flows(archive, "IRQ", "IRN"), first)
    assert parsed == []
    edited = {**YEARS, 2022: [[2022, 364, 368, "010121", 7, 1], *YEARS[2022][1:]]}
    baci_zip(archive, edited)  # the same names, another value: the 2021 member's bytes are unchanged
    assert values(read_flows(archive, "IRN", "IRQ"), ["year", "exporter"])[(2022, "IRN")] == 7000.0
    assert parsed == [1]


def test_a_byte_changed_after_a_cached_read_is_read_again_and_refused(tmp_path, cache):
    archive = baci_zip(tmp_path / ZIP, YEARS, method=zipfile.ZIP_STORED)
    read_flows(archive, "IRN", "IRQ")
    corrupt_member(archive, Y2022, b"364,368,010121,2,", b"364,368,010121,9,")  # CRC and sizes stay as they were
    with pytest.raises(DataError, match="CRC-32 check failed"):
        read_flows(archive, "IRN", "IRQ")  # a key of the CRC and size would have served the stale extract


# ---------------------------------------------------------------------------
# Damaged archives


@pytest.mark.parametrize(
    ("old", "new"),
    [(b",2,1\n", b",8,1\n"), (b",2,1\n", b",x,1\n")],
    ids=["digit-for-digit-only-the-crc-can-tell", "not-a-number"],
)
def test_a_member_that_fails_its_crc_is_an_error_and_nothing_of_it_is_kept(tmp_path, cache, old, new):
    archive = baci_zip(tmp_path / ZIP, YEARS, method=zipfile.ZIP_STORED)
    corrupt_member(archive, Y2022, old, new)
    with pytest.raises(DataError) as err:
        read_flows(archive, "IRN", "IRQ")
    assert str(err.value) == (
        f"{ZIP}/{Y2022}: damaged member of archive {ZIP}: its CRC-32 check failed (the bytes differ from those "
        "packed); nothing of it was used; download it again"
    )
    kept = [extracts.entry_metadata(cache / name)["file"] for name in entries(cache)]
    assert kept == ["BACI_HS17_Y2021_V202501.csv"]  # the sound member's extract only


@pytest.mark.slow  # a 40 MiB member: make test only
def test_a_large_member_is_checked_at_its_end_after_its_rows_were_streamed(tmp_path, cache, monkeypatch):
    rows = [[2022, 364 if r % 2 else 4, 368, f"{100000 + r:06d}", 1, 1] for r in range(120_000)]
    rows[-1] = [2022, 364, 368, "270900", 5, 1]
    archive = baci_zip(tmp_path / ZIP, {2022: rows}, method=zipfile.ZIP_STORED)
    with zipfile.ZipFile(archive) as packed:
        assert packed.getinfo(Y2022).file_size > 2 * stream.BLOCK_SIZE  # more than a header read takes
    reads = []
    real_read = archive_module.MemberStream.read

    def read(self, size=-1):
        if self.member.name == Y2022:
            reads.append(size)
        return real_read(self, size)

    monkeypatch.setattr(archive_module.MemberStream, "read", read)
    corrupt_member(archive, Y2022, b"270900,5,1\n", b"270900,6,1\n")  # the last row: only the end can tell
    with pytest.raises(DataError, match="CRC-32 check failed"):
        read_flows(archive, "IRN", "IRQ")
    assert len(reads) > 3 and all(0 < size <= 2 * stream.BLOCK_SIZE for size in reads)  # streamed, never read whole
    assert entries(cache) == []


@pytest.mark.parametrize("where", [0.3, 0.6])
def test_a_damaged_deflated_member_is_an_error(tmp_path, cache, where):
    rows = [[2022, 364, 368, f"{10101 + r:06d}", r, 1] for r in range(3000)]
    archive = baci_zip(tmp_path / ZIP, {2022: rows})
    with zipfile.ZipFile(archive) as packed:
        info = packed.getinfo(Y2022)
    raw = bytearray(archive.read_bytes())
    at = member_data_offset(archive, Y2022) + int(info.compress_size * where)
    raw[at] ^= 0x55
    archive.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=rf"^{ZIP}/{Y2022}: damaged member of archive {ZIP}: it"):
        read_flows(archive, "IRN", "IRQ")
    assert entries(cache) == []


def test_a_code_file_that_fails_its_crc_is_an_error(tmp_path, cache):
    archive = baci_zip(tmp_path / ZIP, YEARS, method=zipfile.ZIP_STORED)
    corrupt_member(archive, "country_codes_V202501.csv", b"Iraq,IQ,IRQ", b"Iraq,IQ,IRN")
    with pytest.raises(DataError, match=r"country_codes_V202501.csv: damaged member .* CRC-32 check failed"):
        read_flows(archive, "IRN", "IRQ")
    assert entries(cache) == []


@pytest.mark.parametrize(
    ("method", "name", "number"), [(zipfile.ZIP_LZMA, "lzma", 14), (zipfile.ZIP_BZIP2, "bzip2", 12)]
)
@pytest.mark.parametrize("member", [Y2022, "country_codes_V202501.csv"])
def test_a_compression_method_not_read_is_refused_by_name(tmp_path, no_cache, method, name, number, member):
    archive = baci_zip(tmp_path / ZIP, YEARS, methods={member: method})
    with pytest.raises(DataError) as err:
        read_flows(archive, "IRN", "IRQ")
    assert str(err.value).startswith(
        f"{ZIP}: member {member} uses compression method {name!r} ({number}); this reader supports stored and deflated"
    )


@pytest.mark.parametrize("keep", [0.5, 0.97, -3], ids=["half", "central-directory-cut", "last-bytes"])
def test_a_truncated_archive_says_so(tmp_path, no_cache, keep):
    archive = baci_zip(tmp_path / ZIP, YEARS)
    raw = archive.read_bytes()
    archive.write_bytes(raw[: int(len(raw) * keep)] if keep > 0 else raw[:keep])
    with pytest.raises(DataError, match=rf"^{ZIP}: not a readable zip archive .*cut off or damaged; is the download"):
        read_flows(archive, "IRN", "IRQ")


def test_an_archive_without_download_files_and_a_folder_holding_only_an_archive(tmp_path):
    write_zip(tmp_path / "docs.zip", {"Readme.txt": b"about BACI"})
    with pytest.raises(DataError, match=r"docs.zip: no download files in the archive \(it holds Readme.txt\)"):
        read_flows(tmp_path / "docs.zip", "IRN", "IRQ")
    folder = tmp_path / "downloads"
    folder.mkdir()
    baci_zip(folder / ZIP, YEARS)
    with pytest.raises(DataError, match=rf"no download files in the folder; to read {ZIP}, give the archive itself"):
        read_flows(folder, "IRN", "IRQ")

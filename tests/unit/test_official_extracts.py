"""All-pairs extracts: each download file read once, every later question answered from its extract;
file digests remembered by path, size and times; origin records and run.json's official_downloads."""

from __future__ import annotations

import hashlib
import os
import zipfile

import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.official import (
    OfficialDataWarning,
    origin_records,
    prepare,
    read_flows,
    read_imports,
    release_label,
    store,
    stream,
)
from helpers.official import extracts as extracts_module
from tests.fixtures import BACI_HEADER, COMTRADE_HEADER, baci_folder, comtrade_row, values, write
from tests.fixtures.official_layouts import baci_zip, padded_baci_rows

Y2022 = "BACI_HS17_Y2022_V202501.csv"
ROWS = [
    [2022, 364, 368, "010121", 1.5, 1],
    [2022, 364, 368, "010129", 2.25, 1],
    [2022, 364, 368, "270900", 10, 1],
    [2022, 368, 364, "270900", 3, 1],
    [2022, 792, 368, "010121", 4, 1],
    [2022, 792, 368, "720839", 0.5, 1],
    [2022, 784, 368, "270900", 7, 1],
    [2022, 792, 364, "010121", 8, 1],
]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(folder))
    store.forget_digests()
    yield folder
    store.forget_digests()


def extracts_in(folder):
    return sorted(folder.glob("*.extract.*")) if folder.exists() else []


def counting(monkeypatch):
    """Count CSV streams opened and files hashed."""
    parsed, hashed = [], []
    real_open, real_digest = stream.open_stream, store.file_digest
    monkeypatch.setattr(stream, "open_stream", lambda *a: parsed.append(a[0].name) or real_open(*a))
    monkeypatch.setattr(store, "file_digest", lambda path: hashed.append(path.name) or real_digest(path))
    return parsed, hashed


def test_an_extract_is_built_once_and_a_second_read_neither_parses_nor_hashes(tmp_path, cache, monkeypatch):
    folder = baci_folder(tmp_path / "baci", {2022: ROWS})
    prepare(folder)
    assert len(extracts_in(cache)) == 1
    parsed, hashed = counting(monkeypatch)
    store.forget_digests()  # as a new process would: the index file on disk is what remembers
    first = read_flows(folder, "IRN", "IRQ")
    imports = read_imports(folder, "IRQ")
    read_flows(folder, "TUR", "IRQ")  # another pair, the same extract
    assert parsed == [] and hashed == []
    assert values(first, ["exporter", "hs_chapter"]) == {
        ("IRN", "01"): 3750.0,
        ("IRN", "27"): 10000.0,
        ("IRQ", "27"): 3000.0,
    }
    assert values(imports, ["exporter", "hs_chapter"]) == {
        ("ARE", "27"): 7000.0,
        ("IRN", "01"): 3750.0,
        ("IRN", "27"): 10000.0,
        ("TUR", "01"): 4000.0,
        ("TUR", "72"): 500.0,
    }
    assert set(imports["importer"]) == {"IRQ"} and set(imports["reported_by"]) == {"reconciled"}


def test_an_importers_market_leaves_out_areas_of_comtrade_by_the_rule_of_baci(tmp_path, cache):
    area = {"partnerCode": 490, "partnerISO": "S19", "partnerDesc": "Other Asia, nes"}
    former = {"partnerCode": 530, "partnerISO": "ANT", "partnerDesc": "Netherlands Antilles"}
    rows = [
        comtrade_row(368, 364, "M", "27", 10),
        comtrade_row(368, 364, "M", "27", 20, **area),
        comtrade_row(368, 364, "M", "27", 30, partnerCode=0, partnerISO="W00", partnerDesc="World"),
        comtrade_row(368, 364, "M", "27", 40, year=2005, **former),
    ]
    imports = read_imports(write(tmp_path / "ct.csv", COMTRADE_HEADER, rows), "IRQ")
    assert values(imports, ["year", "exporter"]) == {(2005, "ANT"): 40.0, (2022, "IRN"): 10.0}


def test_the_pair_from_the_extract_is_the_pair_of_a_direct_read(tmp_path, cache):
    from helpers.official.archive import source_header
    from helpers.official.formats import BACI
    from helpers.official.read import read_file

    folder = baci_folder(tmp_path / "baci", {2022: ROWS})
    file = folder / Y2022
    direct = read_file(file, source_header(file), BACI, "IRN", "IRQ", "chapter")
    pd.testing.assert_frame_equal(
        read_flows(folder, "IRN", "IRQ"), direct.sort_values(["year", "exporter"], ignore_index=True)
    )


def test_touching_a_file_rehashes_it_but_reuses_its_extract(tmp_path, cache, monkeypatch):
    folder = baci_folder(tmp_path / "baci", {2022: ROWS})
    prepare(folder)
    parsed, hashed = counting(monkeypatch)
    data = folder / Y2022
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 10**9))
    read_flows(folder, "IRN", "IRQ")
    assert hashed == [Y2022] and parsed == []
    read_flows(folder, "IRN", "IRQ")
    assert hashed == [Y2022]  # remembered under its new time
    assert len(extracts_in(cache)) == 1


def test_a_changed_byte_builds_a_new_extract(tmp_path, cache, monkeypatch):
    folder = baci_folder(tmp_path / "baci", {2022: ROWS})
    prepare(folder)
    data = folder / Y2022
    data.write_bytes(data.read_bytes().replace(b"270900,10,", b"270900,90,"))
    parsed, _ = counting(monkeypatch)
    assert values(read_flows(folder, "IRN", "IRQ"), ["exporter", "hs_chapter"])[("IRN", "27")] == 90000.0
    assert parsed == [Y2022] and len(extracts_in(cache)) == 2


def test_a_bad_value_anywhere_names_file_line_and_column_and_leaves_no_extract(tmp_path, cache):
    rows = [*ROWS[:5], [2022, 792, 368, "720839", "0,5", 1], *ROWS[6:]]  # not the pair's row: still an error
    folder = baci_folder(tmp_path / "baci", {2022: rows})
    with pytest.raises(DataError, match=rf"^{Y2022}: line 7, column 'v': must be a number written plainly"):
        read_flows(folder, "IRN", "IRQ")
    assert extracts_in(cache) == []
    assert not list(cache.glob("*.tmp"))


def test_a_row_twice_outside_the_pair_is_an_error(tmp_path, cache):
    folder = baci_folder(tmp_path / "baci", {2022: [*ROWS, ROWS[5]]})
    with pytest.raises(DataError, match=r"line 7, column 'k': the same year, exporter, importer and product"):
        read_flows(folder, "IRN", "IRQ")
    assert extracts_in(cache) == []


def test_a_big_file_read_in_two_ranges_gives_the_extract_of_one_stream(tmp_path, cache, monkeypatch):
    rows = [
        [2022, i, j, f"{k:06d}", 1 + k % 7, 1]
        for i in (364, 368, 792)
        for j in (364, 368, 784)
        if i != j
        for k in range(10101, 13000)
    ]
    folder = baci_folder(tmp_path / "baci", {2022: rows})
    file = folder / Y2022
    from helpers.official.archive import source_header
    from helpers.official.formats import BACI

    one = extracts_module.build(file, source_header(file), BACI, progress=False)
    monkeypatch.setattr(extracts_module, "SPLIT_BYTES", 1)
    assert len(extracts_module.byte_ranges(file)) == 2
    two = extracts_module.build(file, source_header(file), BACI, progress=False)
    assert two.equals(one)
    assert pc_sum(two) == sum(r[4] for r in rows) * 1000


def pc_sum(table):
    return float(table.column("value_usd").to_numpy().sum())


def test_two_runs_give_identical_extracts(tmp_path, monkeypatch):
    folder = baci_folder(tmp_path / "baci", {2022: ROWS})
    digests = []
    for run in ("a", "b"):
        monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path / run))
        store.forget_digests()
        prepare(folder)
        (entry,) = extracts_in(tmp_path / run)
        digests.append((entry.name, hashlib.sha256(entry.read_bytes()).hexdigest()))
    assert digests[0] == digests[1]
    from helpers.official.formats import BACI

    table = extracts_module.load_entry(tmp_path / "a" / digests[0][0], BACI).table
    assert [str(t) for t in table.schema.types] == ["int16", "int16", "int16", "int8", "double"]


def test_comtrade_pairs_and_importers_keep_comtrade_rules(tmp_path, cache, monkeypatch):
    rows = [
        comtrade_row(364, 368, "X", "TOTAL", 500),
        comtrade_row(364, 368, "X", "01", 100),
        comtrade_row(364, 368, "X", "27", 300),
        comtrade_row(364, 368, "X", "27", 50, motCode=1),  # a mode-of-transport breakdown: never summed
        comtrade_row(364, 368, "X", "27", 40, partner2Code=792),  # a second-partner breakdown
        comtrade_row(368, 364, "M", "27", 280),
        comtrade_row(792, 368, "X", "01", 20),
        comtrade_row(368, 792, "M", "01", 25),
        comtrade_row(368, 792, "M", "01", 99, partnerCode=0, partnerISO="W00", partnerDesc="World"),
    ]
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, rows)
    # the TOTAL row (500) is 100 more than the HS rows kept (100 + 300): said for the pair and for the importer
    with pytest.warns(OfficialDataWarning, match=r"\(100 USD in all\)"):
        pair = read_flows(path, "IRN", "IRQ")
    assert values(pair, ["reported_by", "hs_code"]) == {
        ("exporter", "01"): 100.0,
        ("exporter", "27"): 300.0,
        ("importer", "27"): 280.0,
    }
    parsed, _ = counting(monkeypatch)
    with pytest.warns(OfficialDataWarning, match=r"\(100 USD in all\)"):
        imports = read_imports(path, "IRQ")
    assert parsed == []
    assert values(imports, ["exporter", "reported_by", "hs_code"]) == {
        ("IRN", "exporter", "01"): 100.0,
        ("IRN", "exporter", "27"): 300.0,
        ("IRN", "importer", "27"): 280.0,  # Iraq's own report of its imports from Iran
        ("TUR", "exporter", "01"): 20.0,
        ("TUR", "importer", "01"): 25.0,
    }
    assert set(imports["importer"]) == {"IRQ"}


# ---------------------------------------------------------------------------
# Origin records and run.json


def test_origin_records_of_a_baci_zip(tmp_path, cache):
    archive = baci_zip(tmp_path / "BACI_HS92_V202301.zip", {2021: [[2021, 364, 368, "10111", 1, 1]]}, release="V202301")
    (record,) = origin_records(archive)
    assert record["producer"] == "CEPII" and record["dataset"] == "BACI"
    assert (record["classification"], record["version"]) == ("HS92", "V202301")
    assert record["size_bytes"] == archive.stat().st_size
    assert record["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert record["licence"].startswith("Etalab Open Licence 2.0")
    assert record["members"] == ["BACI_HS92_Y2021_V202301.csv"]
    assert not os.path.isabs(record["file"])
    assert release_label(archive) == "CEPII BACI HS92 V202301"
    with zipfile.ZipFile(archive) as packed:
        assert "country_codes_V202301.csv" in packed.namelist()


def test_origin_records_of_a_comtrade_csv(tmp_path, cache):
    path = write(tmp_path / "ct.csv", COMTRADE_HEADER, [comtrade_row(364, 368, "X", "01", 1)])
    (record,) = origin_records(path)
    assert (record["producer"], record["dataset"]) == ("UN Statistics Division", "UN Comtrade")
    assert (record["classification"], record["version"]) == ("H6", "not stated")
    assert record["size_bytes"] == path.stat().st_size
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "may not be republished" in record["licence"]
    assert release_label(path) == "UN Comtrade (HS H6, current Comtrade+ layout)"


def test_run_json_lists_each_download_file_once(tmp_path, cache):
    from helpers.pipeline.runner import official_downloads

    folder = baci_folder(tmp_path / "baci", {2021: [[2021, 364, 368, "010121", 1, 1]], 2022: ROWS})
    per_notebook = {
        "01": {"source": "baci", "data_path": str(folder)},
        "02": {"source": "baci", "data_path": str(folder)},
        "03": {"source": "reported", "data_path": str(tmp_path / "elsewhere")},
        "04": {"as_of": "2025-01-01"},
    }
    records = official_downloads(per_notebook)
    names = [os.path.basename(r["file"]) for r in records]
    assert names == sorted(set(names)) and len(names) == 4  # two year files, the country and product files
    assert {r["version"] for r in records} == {"V202501"}
    assert official_downloads(per_notebook) == records  # deterministic
    assert official_downloads({"04": {"as_of": "2025-01-01"}}) == []
    write(folder / Y2022, BACI_HEADER, ROWS[:1])
    assert official_downloads(per_notebook) != records  # another content, another digest


# ---------------------------------------------------------------------------
# One pass over a big file, and questions that read only what they need


def many_rows(fraction=False):
    """Rows of several pairs and many products, sorted as CEPII sorts them (values with cents when
    ``fraction``, so that a group split between ranges is summed in floating point)."""
    return [
        [2022, i, j, f"{k:06d}", (1 + k % 7) + (0.37 if fraction else 0), 1]
        for i in (364, 368, 784, 792)
        for j in (364, 368, 784, 792)
        if i != j
        for k in (chapter * 10_000 + 101 + 7 * n for chapter in range(1, 41) for n in range(12))
    ]


def read_in_ranges(monkeypatch, size: int = 4096) -> None:
    """Every plain BACI file is read in byte ranges of about ``size`` bytes, however small."""
    monkeypatch.setattr(extracts_module, "SPLIT_BYTES", 1)
    monkeypatch.setattr(extracts_module, "RANGE_BYTES", size)


def assert_bad_value_named(folder, rows, at: int, cache) -> None:
    """A file whose row ``at`` (from the end) has a ``v`` that is no number stops the read, naming its line,
    and keeps nothing."""
    baci_folder(folder, {2022: rows})
    line = len(rows) + at + 2
    with pytest.raises(DataError, match=rf"^{Y2022}: line {line}, column 'v': must be a number written plainly"):
        prepare(folder)
    assert extracts_in(cache) == [] and not list(cache.glob("*.tmp"))


def test_one_pass_hashes_the_bytes_it_parses_and_remembers_hashlibs_digest(tmp_path, cache, monkeypatch):
    folder = baci_folder(tmp_path / "baci", {2022: many_rows()})
    file = folder / Y2022
    read_in_ranges(monkeypatch)  # many ranges, each hashed as it is read
    assert len(extracts_module.byte_ranges(file)) > 10
    parsed, hashed = counting(monkeypatch)
    prepare(folder)
    assert Y2022 not in hashed and parsed == []  # read once: no separate hash; ranges parsed whole, not streamed
    assert store.known_digest(file) == hashlib.sha256(file.read_bytes()).hexdigest()
    store.forget_digests()
    assert store.known_digest(file) == hashlib.sha256(file.read_bytes()).hexdigest()  # in the index too
    assert len(extracts_in(cache)) == 1
    hashed.clear()
    read_flows(folder, "IRN", "IRQ")
    assert Y2022 not in hashed and parsed == [] and len(extracts_in(cache)) == 1


def test_a_file_in_many_ranges_gives_the_extract_of_one_stream(tmp_path, monkeypatch):
    from helpers.official.archive import source_header
    from helpers.official.formats import BACI

    rows = many_rows(fraction=True)
    folder = baci_folder(tmp_path / "baci", {2022: rows})
    file = folder / Y2022
    one = extracts_module.build(file, source_header(file), BACI, progress=False)
    read_in_ranges(monkeypatch, 3000)  # groups split between ranges
    assert len(extracts_module.byte_ranges(file)) > 20
    many = extracts_module.build(file, source_header(file), BACI, progress=False)
    assert many.schema == one.schema and many.num_rows == one.num_rows
    for column in ("year", "exporter", "importer", "chapter"):
        assert many.column(column).equals(one.column(column))
    assert many.column("value_usd").to_numpy() == pytest.approx(one.column("value_usd").to_numpy(), rel=1e-12)
    frame = pd.DataFrame(rows, columns=["t", "i", "j", "k", "v", "q"]).assign(chapter=lambda f: f["k"].str[:2])
    expected = (frame.groupby(["i", "j", "chapter"])["v"].sum() * 1000).to_dict()
    got = many.to_pandas()
    got = {(r.exporter, r.importer, f"{r.chapter:02d}"): r.value_usd for r in got.itertuples()}
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(expected[k], rel=1e-12) for k in expected)
    importers = many.column("importer").to_numpy()
    assert (importers[1:] >= importers[:-1]).all()  # kept by importer: a question touches its importers' runs
    keys = [many.column(c).to_numpy().astype("int64") for c in ("importer", "exporter", "chapter")]
    packed = (keys[0] * 1000 + keys[1]) * 100 + keys[2]
    assert (packed[1:] > packed[:-1]).all()  # and within an importer, by exporter and chapter


def test_an_unsorted_file_in_many_ranges_gives_the_same_extract(tmp_path, monkeypatch):
    from helpers.official.archive import source_header
    from helpers.official.formats import BACI

    rows = many_rows()
    folder = baci_folder(tmp_path / "sorted", {2022: rows})
    expected = extracts_module.build(folder / Y2022, source_header(folder / Y2022), BACI, progress=False)
    shuffled = baci_folder(tmp_path / "shuffled", {2022: rows[1::2] + rows[::2]})
    read_in_ranges(monkeypatch)
    file = shuffled / Y2022
    assert extracts_module.build(file, source_header(file), BACI, progress=False).equals(expected)


def test_a_bad_value_in_a_later_range_names_its_line_and_keeps_nothing(tmp_path, cache, monkeypatch):
    rows = many_rows()
    rows[-40][4] = "1.5e"  # not a number, far from the first range
    read_in_ranges(monkeypatch)
    assert_bad_value_named(tmp_path / "baci", rows, -40, cache)
    rows[-40][4] = 1.5
    rows[-3] = list(rows[-4])  # a row twice, in the last range
    folder = baci_folder(tmp_path / "twice", {2022: rows})
    with pytest.raises(DataError, match=rf"line {len(rows) - 2}, column 'k': the same year, exporter, importer"):
        prepare(folder)
    assert extracts_in(cache) == []


def test_a_question_touches_only_the_rows_of_its_importers(tmp_path, cache, monkeypatch):
    import pyarrow as pa

    from helpers.official.archive import source_header
    from helpers.official.formats import BACI
    from helpers.official.read import read_file

    folder = baci_folder(tmp_path / "baci", {2022: many_rows()})
    prepare(folder)
    (entry,) = extracts_in(cache)
    assert entry.suffix == ".arrow"
    about = extracts_module.entry_metadata(entry)
    importer = extracts_module.load_entry(entry, BACI).table.column("importer").to_numpy()
    touched = []
    real_concat = pa.concat_tables
    monkeypatch.setattr(
        extracts_module.pa, "concat_tables", lambda tables: touched.extend(tables) or real_concat(tables)
    )
    pair = read_flows(folder, "IRN", "IRQ")
    assert sum(t.num_rows for t in touched) == int(((importer == 364) | (importer == 368)).sum()) < len(importer)
    file = folder / Y2022
    direct = read_file(file, source_header(file), BACI, "IRN", "IRQ", "chapter")
    pd.testing.assert_frame_equal(pair, direct.sort_values(["year", "exporter", "hs_code"], ignore_index=True))
    touched.clear()
    imports = read_imports(folder, "IRQ")
    assert sum(t.num_rows for t in touched) == int((importer == 368).sum()) <= len(importer) // 2
    assert set(imports["exporter"]) == {"IRN", "ARE", "TUR"} and set(imports["importer"]) == {"IRQ"}
    assert about["format"] == BACI.name and about["file"] == Y2022


def test_the_files_flows_joined_as_arrays_are_the_frames_joined(tmp_path, cache):
    from helpers.official.extracts import Flows, flows_frame, sorted_flows
    from helpers.official.read import FLOWS_ORDER, download_part, file_imports
    from helpers.official.schema import typed_flows

    rows = {2021: [[2021, *r[1:]] for r in ROWS], 2022: ROWS}
    folder = baci_folder(tmp_path / "baci", rows)
    files = sorted(folder.glob("BACI_*.csv"))
    for parts in (
        [download_part(f, "IRN", "IRQ", "chapter") for f in files],
        [file_imports(f, "IRQ", "chapter") for f in files],
    ):
        assert all(isinstance(p, Flows) for p in parts)
        general = flows_frame(parts).sort_values(FLOWS_ORDER, ignore_index=True)
        pd.testing.assert_frame_equal(sorted_flows(parts), general)
        frames = pd.concat([p.frame() for p in parts], ignore_index=True)  # each file's frame, as before
        pd.testing.assert_frame_equal(typed_flows(frames).sort_values(FLOWS_ORDER, ignore_index=True), general)
    twice = [download_part(files[1], "IRN", "IRQ", "chapter")] * 2
    assert sorted_flows(twice) is None  # a flow in two files: left to the general check, which names them


def test_prepare_stores_every_files_extract_before_it_returns(tmp_path, cache, monkeypatch):
    rows = {2020: [[2020, *r[1:]] for r in ROWS], 2021: [[2021, *r[1:]] for r in ROWS], 2022: ROWS}
    folder = baci_folder(tmp_path / "baci", rows)
    assert prepare(folder) == 3
    assert len(extracts_in(cache)) == 3 and not list(cache.glob("*.tmp"))
    parsed, hashed = counting(monkeypatch)
    store.forget_digests()
    assert set(read_imports(folder, "IRQ")["year"]) == {2020, 2021, 2022}
    assert parsed == [] and hashed == []
    good = [[2019, *r[1:]] for r in ROWS]  # a content not read before
    broken = baci_folder(tmp_path / "broken", {2019: good, 2022: [*ROWS[:3], [2022, 792, 368, "720839", "x", 1]]})
    with pytest.raises(DataError, match=rf"^{Y2022}: line 5, column 'v'"):
        prepare(broken)
    assert len(extracts_in(cache)) == 4  # the good file's extract is kept, the broken one has none


def test_the_importer_index_fits_the_rows_and_an_extract_it_does_not_fit_is_built_again(tmp_path, cache):
    import json

    import numpy as np
    import pyarrow as pa

    from helpers.official.formats import BACI

    rows = {2021: [[2021, *r[1:]] for r in many_rows()], 2022: many_rows()}
    folder = baci_folder(tmp_path / "baci", rows)
    prepare(folder)
    entry = next(e for e in extracts_in(cache) if extracts_module.entry_metadata(e)["file"] == Y2022)
    table = extracts_module.load_entry(entry, BACI).table
    meta = {k.encode(): v.encode() for k, v in extracts_module.entry_metadata(entry).items()}
    codes, starts = extracts_module.importer_runs(meta, table)
    importer = table.column("importer").to_numpy()
    for code in (364, 368, 784, 792, 999):
        spans = [range(s, e) for c, s, e in zip(codes, starts, [*starts[1:], len(importer)]) if c == code]
        assert [n for span in spans for n in span] == np.flatnonzero(importer == code).tolist()
    assert extracts_module.importer_runs({}, table) is None  # no index
    shifted = json.dumps([codes.tolist(), [0, *(starts[1:] + 1).tolist()]]).encode()
    assert extracts_module.importer_runs({b"importers": shifted}, table) is None  # an index off by a row
    expected = read_imports(folder, "IRQ")
    for damage in (b"", entry.read_bytes()[: entry.stat().st_size // 2], b"not an extract at all"):
        entry.write_bytes(damage)
        store.forget_digests()
        pd.testing.assert_frame_equal(read_imports(folder, "IRQ"), expected)
        assert extracts_module.load_entry(entry, BACI) is not None  # built again and kept
    good = entry.read_bytes()
    with pa.ipc.open_file(pa.BufferReader(good)) as reader:  # the same rows, under an index that does not fit
        schema = reader.schema.with_metadata({**reader.schema.metadata, b"importers": shifted})
        batch = pa.record_batch(reader.get_batch(0).columns, schema=schema)
    with pa.OSFile(str(entry), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        writer.write_batch(batch)
    assert extracts_module.load_entry(entry, BACI) is None
    pd.testing.assert_frame_equal(read_imports(folder, "IRQ"), expected)
    assert entry.read_bytes() == good


# ---------------------------------------------------------------------------
# Values padded as CEPII's recent releases write them


@pytest.mark.parametrize("ranges", [False, True], ids=["one range", "many ranges"])
def test_values_padded_as_cepii_writes_them_read_as_plain_ones(tmp_path, cache, monkeypatch, ranges):
    rows = many_rows(fraction=True)
    rows[5][5] = ""  # a quantity not known: NA in the padded file (q is not read; the row must still be)
    plain = baci_folder(tmp_path / "plain", {2022: rows})
    padded = baci_folder(tmp_path / "padded", {2022: padded_baci_rows(rows)})
    assert b",        1.370,           NA\n" in (padded / Y2022).read_bytes()  # the layout, not only wider
    if ranges:
        read_in_ranges(monkeypatch)
        assert len(extracts_module.byte_ranges(padded / Y2022)) > 5
    for level in ("chapter", "6"):
        expected = read_flows(plain, "IRN", "IRQ", level=level)
        got = read_flows(padded, "IRN", "IRQ", level=level)
        pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(read_imports(padded, "IRQ"), read_imports(plain, "IRQ"))
    archive = baci_zip(tmp_path / "BACI_HS17_V202501.zip", {2022: padded_baci_rows(rows)})
    for level in ("chapter", "6"):
        expected = read_flows(plain, "IRN", "IRQ", level=level)
        pd.testing.assert_frame_equal(read_flows(archive, "IRN", "IRQ", level=level), expected)


def test_a_bad_padded_value_names_its_line_and_column(tmp_path, cache, monkeypatch):
    rows = padded_baci_rows(many_rows())
    rows[-30][4] = f"{'1.5e':>13}"  # padded like the rest, but not a number
    read_in_ranges(monkeypatch)
    assert_bad_value_named(tmp_path / "baci", rows, -30, cache)

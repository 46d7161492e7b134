"""Every loader rule fires on a broken copy, with file, line, column and rule in one message;
what spreadsheets commonly write (BOM, CRLF, trailing blank lines, quoting) loads like clean data."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from helpers.config import CHECKED_TABLES_ENV, DATA_DIR
from helpers.errors import DataError
from helpers.tables import SPECS, TRADE, parse, read_table, store

GOOD_TRADE = [
    {
        "record_id": "irica-1401-exp",
        "statement_id": "s-irica-1401-exp",
        "flow": "iran_exports_to_iraq",
        "coverage": "goods",
        "energy": "included",
        "calendar": "iranian",
        "year": "1401",
        "month_from": "1",
        "month_to": "12",
        "partial": "false",
        "value": "10000000000",
        "unit": "USD",
        "bound": "lower",
        "stated_by": "iranian_customs",
        "speaker": "IRICA head",
        "publisher": "Mehr",
        "published": "2023-04-20",
        "source_url": "https://example.org/a",
        "checked": "2026-11-27",
        "status": "confirmed",
        "status_note": "",
        "note": "",
    },
    {
        "record_id": "tpo-1403-m5",
        "statement_id": "s-tpo-1403-m5",
        "flow": "iran_exports_to_iraq",
        "coverage": "goods",
        "energy": "unknown",
        "calendar": "iranian",
        "year": "1403",
        "month_from": "1",
        "month_to": "5",
        "partial": "true",
        "value": "4500000000",
        "unit": "USD",
        "bound": "approx",
        "stated_by": "trade_promotion",
        "speaker": "TPO official, West Asia",
        "publisher": "Shafaq News",
        "published": "",
        "source_url": "https://example.org/b",
        "checked": "2026-11-27",
        "status": "unconfirmed",
        "status_note": "page not stored",
        "note": "quoted, with comma",
    },
]


def render(rows: list[dict], header: list[str] | None = None, delimiter: str = ",", newline: str = "\n") -> str:
    header = header or TRADE.column_names
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    return buf.getvalue()


def with_change(**changes) -> list[dict]:
    rows = [dict(r) for r in GOOD_TRADE]
    rows[1].update(changes)
    return rows


def load(tmp_path: Path, content: str | bytes) -> pd.DataFrame:
    path = tmp_path / "trade_reported.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return read_table(TRADE, path)


def test_clean_file_loads(tmp_path):
    frame = load(tmp_path, render(GOOD_TRADE))
    assert list(frame.index) == [2, 3]  # index = line number in the file
    assert frame.loc[3, "value"] == 4_500_000_000
    assert bool(frame.loc[3, "partial"]) is True
    assert frame.loc[2, "published"] == pd.Timestamp("2023-04-20")


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: ("\ufeff" + t).encode("utf-8"), id="utf8-bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: t + "\n\n\r\n", id="trailing-blank-lines"),
        pytest.param(lambda t: render(GOOD_TRADE).replace("iranian_customs", '"iranian_customs"'), id="quoted-fields"),
    ],
)
def test_spreadsheet_habits_load_like_clean(tmp_path, variant):
    clean = load(tmp_path, render(GOOD_TRADE))
    other = load(tmp_path, variant(render(GOOD_TRADE)))
    pd.testing.assert_frame_equal(clean, other)


BAD_CASES = [
    # id, content builder, expected fragments of the message
    ("empty-file", lambda: "", ["file is empty"]),
    ("header-only", lambda: render([]), ["header only", "line 1"]),
    ("wrong-delimiter", lambda: render(GOOD_TRADE, delimiter=";"), ["wrong delimiter", "line 1"]),
    (
        "not-utf8",
        lambda: render(GOOD_TRADE).replace("Shafaq News", "Shafaq Newsé").encode("latin-1"),
        ["not UTF-8", "line 3"],
    ),
    (
        "missing-column",
        lambda: render(GOOD_TRADE, [c for c in TRADE.column_names if c != "bound"]),
        ["missing column(s) bound", "line 1"],
    ),
    ("unexpected-column", lambda: render(GOOD_TRADE, TRADE.column_names + ["extra"]), ["unexpected column(s) extra"]),
    ("non-numeric", lambda: render(with_change(value="four billion")), ["line 3", "column 'value'", "whole number"]),
    ("negative", lambda: render(with_change(value="-5")), ["line 3", "column 'value'", "no negative values"]),
    (
        "thousands-separator",
        lambda: render(with_change(value="4,500,000,000")),
        ["line 3", "column 'value'", "no thousands separators"],
    ),
    ("currency-sign", lambda: render(with_change(value="$4500000000")), ["line 3", "column 'value'", "currency"]),
    ("bad-date", lambda: render(with_change(checked="27/11/2026")), ["line 3", "column 'checked'", "YYYY-MM-DD"]),
    (
        "impossible-date",
        lambda: render(with_change(published="2024-02-30")),
        ["line 3", "column 'published'", "YYYY-MM-DD"],
    ),
    ("start-after-end", lambda: render(with_change(month_from="6", month_to="2")), ["line 3", "start after end"]),
    (
        "duplicate-key",
        lambda: render([GOOD_TRADE[0], dict(GOOD_TRADE[0], record_id="other")]),
        ["duplicate key", "line 2", "line 3"],
    ),
    (
        "unknown-body",
        lambda: render(with_change(stated_by="customs")),
        ["line 3", "column 'stated_by'", "must be one of"],
    ),
    ("unknown-flow", lambda: render(with_change(flow="exports")), ["line 3", "column 'flow'", "must be one of"]),
    (
        "partial-used-as-full-year",
        lambda: render(with_change(partial="false")),
        ["line 3", "column 'partial'", "less than the full year"],
    ),
    ("unconfirmed-without-reason", lambda: render(with_change(status_note="")), ["line 3", "status_note"]),
    ("truncated-mid-row", lambda: render(GOOD_TRADE)[:-60], ["line 3"]),
    ("truncated-in-quotes", lambda: render(GOOD_TRADE)[:-8], ["line 3"]),
    ("required-empty", lambda: render(with_change(source_url="")), ["line 3", "column 'source_url'", "required"]),
    ("not-a-url", lambda: render(with_change(source_url="www.example.org")), ["line 3", "column 'source_url'", "http"]),
    ("year-out-of-calendar", lambda: render(with_change(year="2024")), ["line 3", "column 'year'"]),
    (
        "status-note-on-confirmed-row",
        lambda: render([dict(GOOD_TRADE[0], status_note="found on the page"), GOOD_TRADE[1]]),
        ["line 2", "column 'status_note'", "status_note only on unconfirmed rows"],
    ),
    (
        "one-statement-two-periods",
        lambda: render(with_change(statement_id="s-irica-1401-exp")),
        ["line 2", "line 3", "column 'statement_id'", "same flow and period"],
    ),
    (
        "one-statement-two-values",
        lambda: render(
            [
                GOOD_TRADE[0],
                dict(
                    GOOD_TRADE[0],
                    record_id="copy",
                    statement_id="s-irica-1401-exp",
                    value="12000000000",
                    source_url="https://example.org/c",
                ),
            ]
        ),
        ["line 3", "column 'statement_id'", "agree on value within 5%"],
    ),
    ("upper-bound-accepted-only-as-listed", lambda: render(with_change(bound="below")), ["column 'bound'", "upper"]),
]


@pytest.mark.parametrize("case_id, build, fragments", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_gets_one_readable_error(tmp_path, case_id, build, fragments):
    with pytest.raises(DataError) as info:
        load(tmp_path, build())
    message = str(info.value)
    assert message.startswith("trade_reported.csv") or "trade_reported.csv" in message.splitlines()[0]
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_table(TRADE, tmp_path / "nope.csv")


def test_huge_garbage_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "trade_reported.csv"
    with open(path, "wb") as fh:
        fh.truncate(2 * 1024**3)  # a sparse 2 GB file: no disk used
    read_bytes = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read_bytes.append(self) or original(self))
    with pytest.raises(DataError, match="at most"):
        read_table(TRADE, path)
    assert read_bytes == []  # refused from its size alone


def test_messages_list_each_problem_once(tmp_path):
    rows = with_change(value="x", stated_by="nobody")
    with pytest.raises(DataError) as info:
        load(tmp_path, render(rows))
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert len(info.value.problems) == 2


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_shipped_table_loads_and_checks(name, data_copy):
    spec = SPECS[name]
    frame = read_table(spec, data_copy / spec.file)
    assert len(frame) > 0
    assert list(frame.columns) == spec.column_names


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_table_refuses_an_unknown_column_and_a_duplicate(name, data_copy):
    spec = SPECS[name]
    path = data_copy / spec.file
    text = path.read_text(encoding="utf-8")
    header, first, *rest = text.splitlines()
    path.write_text("\n".join([header, first, first, *rest]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="duplicate key"):
        read_table(spec, path, verify_checksum=False)
    path.write_text("\n".join([header + ",surprise", *(r + "," for r in [first, *rest])]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="unexpected column"):
        read_table(spec, path, verify_checksum=False)


def test_shares_over_100_are_refused(data_copy):
    path = data_copy / "composition.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = frame.index[frame["share_pct"] != ""][0]
    frame.loc[idx, "share_pct"] = "99"
    sibling = frame[(frame["source_url"] == frame.loc[idx, "source_url"]) & (frame.index != idx)].index
    assert len(sibling), "fixture needs a breakdown with two rows"
    frame.loc[sibling[0], "share_pct"] = "50"
    frame.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(DataError, match="sum to more than 100%"):
        read_table("composition", path, verify_checksum=False)


def test_changed_shipped_file_is_reported_with_the_fix(data_copy):
    path = data_copy / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"confirmed", b"confirmed", 1) + b"\n")
    with pytest.raises(DataError) as info:
        read_table("events", path)
    assert "changed since it was checked" in str(info.value)
    assert "python -m helpers data record" in str(info.value)
    assert "CHANGELOG.md" in str(info.value)


def test_a_file_that_breaks_its_rules_is_never_recorded(data_copy, capsys):
    from helpers.__main__ import main

    events, manifest_file = data_copy / "events.csv", data_copy / "datapackage.json"
    before = manifest_file.read_bytes(), (data_copy / "README.md").read_bytes()
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    date = lines[2].split(",")[1]
    lines[2] = lines[2].replace(f",{date},", ",2003-04-31,", 1)  # line 3 of the file: a date no calendar has
    events.write_text("".join(lines), encoding="utf-8")
    assert main(["data", "record", "--folder", str(data_copy)]) == 1
    said = capsys.readouterr().err
    assert "events.csv: line 3, column 'date': must be a date written YYYY-MM-DD (got '2003-04-31')" in said
    assert "Nothing recorded" in said
    assert (manifest_file.read_bytes(), (data_copy / "README.md").read_bytes()) == before
    with pytest.raises(DataError, match="changed since it was checked"):  # the old checksum still guards it
        read_table("events", events)


def test_user_file_without_manifest_has_no_checksum(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(render(GOOD_TRADE), encoding="utf-8")
    assert len(read_table(TRADE, path)) == 2


def test_checked_tables_are_reused_between_runs_only_for_the_same_bytes(tmp_path, monkeypatch):
    """A rerun skips parsing and the schema for a table whose bytes and rules are unchanged; an edit is checked
    again."""
    monkeypatch.setenv(CHECKED_TABLES_ENV, str(tmp_path / "store"))
    shipped = DATA_DIR / TRADE.file
    good = tmp_path / "trade.csv"
    good.write_bytes(shipped.read_bytes())
    first = read_table(TRADE, good, verify_checksum=False)
    assert len(list((tmp_path / "store").glob("trade_reported-*.pkl"))) == 1

    store.clear_memory()  # a new process: only the store's disk layer remains
    calls = []
    real = parse.parse_csv
    monkeypatch.setattr(parse, "parse_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    pd.testing.assert_frame_equal(read_table(TRADE, good, verify_checksum=False), first)
    assert calls == []  # same bytes, same rules: not parsed or checked again

    # the same file with one value broken is checked, refused, and never stored
    store.clear_memory()
    lines = shipped.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[1]]))
    row[header.index("value")] = "-5"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, row])
    good.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(DataError, match="value"):
        read_table(TRADE, good, verify_checksum=False)
    assert calls == [1] and len(list((tmp_path / "store").glob("trade_reported-*.pkl"))) == 1


def test_store_never_serves_a_frame_checked_under_other_rules(tmp_path, monkeypatch):
    """A spec built at run time (same name, fewer rules) neither writes nor reads the store, and the
    shipped spec's schema is not confused with it: the shipped rules still refuse the bad row."""
    import dataclasses

    monkeypatch.setenv(CHECKED_TABLES_ENV, str(tmp_path / "store"))
    shipped = DATA_DIR / TRADE.file
    lines = shipped.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[1]]))
    row[header.index("value")] = "-5"  # breaks a rule of the shipped spec
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, row])
    bad = tmp_path / "trade.csv"
    bad.write_text(out.getvalue(), encoding="utf-8")

    loose = dataclasses.replace(
        TRADE, columns=[dataclasses.replace(c, min=None) if c.name == "value" else c for c in TRADE.columns], rules=()
    )
    assert len(read_table(loose, bad, verify_checksum=False)) == 1  # its own, looser rules
    assert not list((tmp_path / "store").glob("*.pkl"))
    store.clear_memory()
    with pytest.raises(DataError, match="value"):
        read_table(TRADE, bad, verify_checksum=False)


def test_store_key_follows_the_code(monkeypatch, tmp_path):
    monkeypatch.setenv(CHECKED_TABLES_ENV, str(tmp_path / "store"))
    before = store.key_for(TRADE, "same bytes")
    monkeypatch.setattr(store, "code_fingerprint", lambda: "helpers edited")
    assert store.key_for(TRADE, "same bytes") != before
    assert store.key_for(TRADE, "other bytes") != before


def test_cache_folder_never_lands_in_the_working_directory(monkeypatch, tmp_path):
    from helpers.config import user_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir("checked-tables") == tmp_path / "xdg" / "iran-iraq-trade" / "checked-tables"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG rules say
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_cache_dir("flows") == tmp_path / "home" / ".cache" / "iran-iraq-trade" / "flows"

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert user_cache_dir("flows") is None


def test_store_off_or_unwritable_only_costs_time(tmp_path, monkeypatch):
    source = DATA_DIR / TRADE.file
    monkeypatch.setenv(CHECKED_TABLES_ENV, "off")
    assert store.key_for(TRADE, "x") is None
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    monkeypatch.setenv(CHECKED_TABLES_ENV, str(blocker / "store"))
    store.clear_memory()
    assert len(read_table(TRADE, source, verify_checksum=False)) > 100


# ---------------------------------------------------------------------------
# The one cache of curated tables: a memory and a disk layer under one content key


def counting_parses(monkeypatch) -> list[int]:
    """Count the parses (and so the schema checks) of the following loads."""
    calls: list[int] = []
    real = parse.parse_csv
    monkeypatch.setattr(parse, "parse_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def broken_copy(text: str) -> str:
    """``text`` with the first row's value made negative, keeping the length of the text."""
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[1]]))
    value = row[header.index("value")]
    lines[1] = lines[1].replace(f",{value},", f",-{'9' * (len(value) - 1)},", 1)
    assert len(lines[1]) == len(text.splitlines(keepends=True)[1])
    return "".join(lines)


def test_memory_layer_is_keyed_by_content_not_by_file_identity(tmp_path, monkeypatch):
    """A second load in one process is served from memory; an edit that keeps the size and the
    modification time is still checked (the bytes, not the file's identity, are the key)."""
    import os

    monkeypatch.setenv(CHECKED_TABLES_ENV, str(tmp_path / "store"))
    path = tmp_path / "trade.csv"
    text = (DATA_DIR / TRADE.file).read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    calls = counting_parses(monkeypatch)
    first = read_table(TRADE, path, verify_checksum=False)
    first.loc[first.index[0], "value"] = 1  # the caller's frame is its own
    second = read_table(TRADE, path, verify_checksum=False)
    assert calls == [1]
    assert second.loc[second.index[0], "value"] != 1

    stamp = path.stat()
    path.write_text(broken_copy(text), encoding="utf-8")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert path.stat().st_size == stamp.st_size
    with pytest.raises(DataError, match="no negative values"):
        read_table(TRADE, path, verify_checksum=False)
    assert calls == [1, 1]


def test_with_the_store_off_every_load_is_checked(monkeypatch):
    monkeypatch.setenv(CHECKED_TABLES_ENV, "off")
    calls = counting_parses(monkeypatch)
    read_table("categories")
    read_table("categories")
    assert calls == [1, 1]


def test_checksum_is_verified_on_every_load_even_when_the_table_is_kept(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv(CHECKED_TABLES_ENV, str(tmp_path / "store"))
    path = data_copy / "events.csv"
    read_table("events", path)
    path.write_bytes(path.read_bytes() + b"\n")  # the same table, other bytes than recorded
    with pytest.raises(DataError, match="changed since it was checked"):
        read_table("events", path)


def test_check_shipped_fills_the_runs_store_and_the_kernels_only_read_it(tmp_path, monkeypatch):
    """The runner checks every shipped table into the store it names in the run context; a kernel
    (a new process: nothing in memory) then reads each table from that store without checking it."""
    from helpers.config import run_context_environment

    for name, value in run_context_environment(tables_store=str(tmp_path / "run-store")).items():
        monkeypatch.setenv(name, value)
    from helpers.tables import check_shipped

    shipped = [s for s in SPECS.values() if (DATA_DIR / s.file).exists()]
    assert check_shipped() == len(shipped)
    assert len(list((tmp_path / "run-store").glob("*.pkl"))) == len(shipped)

    store.clear_memory()
    calls = counting_parses(monkeypatch)
    for spec in shipped:
        read_table(spec)
    assert calls == []


def test_a_table_in_memory_is_written_to_a_store_folder_that_lacks_it(tmp_path, monkeypatch):
    """One process, two runs with their own stores: the second run's folder gets the table too."""
    monkeypatch.setenv(CHECKED_TABLES_ENV, str(tmp_path / "first"))
    read_table("categories")
    monkeypatch.setenv(CHECKED_TABLES_ENV, str(tmp_path / "second"))
    calls = counting_parses(monkeypatch)
    read_table("categories")
    assert calls == []
    assert len(list((tmp_path / "second").glob("categories-*.pkl"))) == 1


def test_each_layer_keeps_the_newest_entries_of_a_table(tmp_path):
    import shutil

    folder = tmp_path / "store"
    keys = [store.Key("categories", f"{i:040x}", folder) for i in range(store.STORE_KEEP + 3)]
    for i, key in enumerate(keys):
        store.put(key, pd.DataFrame({"n": [i]}))
    assert len(list(folder.glob("categories-*.pkl"))) == store.STORE_KEEP
    shutil.rmtree(folder)  # only the memory layer is left
    assert store.get(keys[0]) is None
    assert store.get(keys[-1])["n"].tolist() == [len(keys) - 1]
    assert sum(store.get(k) is not None for k in keys) == store.STORE_KEEP


def test_code_fingerprint_reads_every_python_file_of_the_package(monkeypatch):
    import helpers

    read: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.resolve()) or original(self))
    store.code_fingerprint.__wrapped__()
    package = Path(helpers.__file__).resolve().parent
    assert {p.resolve() for p in package.rglob("*.py")} <= set(read)


def test_tables_modules_read_no_environment_and_share_no_private_names():
    """helpers.config is the one module that reads the environment; no module of helpers imports a
    private name of the tables package."""
    import ast

    import helpers

    package = Path(helpers.__file__).resolve().parent
    for source in sorted((package / "tables").glob("*.py")):
        text = source.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, source.name
    for source in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers.tables"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{source.relative_to(package)} imports {private} from {node.module}"


def test_every_shipped_table_is_described_in_the_data_dictionary():
    import json

    from helpers.config import DATA_DIR
    from helpers.tables.specs import SPECS

    manifest = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["name"]: r.get("description", "") for r in manifest["resources"]}
    assert set(SPECS) <= set(described)
    assert [name for name, text in described.items() if len(text) < 40] == []  # a sentence, not a blank


def test_the_data_packages_sources_name_each_publisher_and_where_its_pages_are():
    import json

    from helpers.config import DATA_DIR

    manifest = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in manifest["resources"]}
    titles = [s["title"] for s in by_name["report_sources"]["sources"]]
    assert titles and not any(t.startswith(" ") for t in titles)  # no blank publisher
    assert all(t.endswith("page per row in url)") for t in titles)  # report_sources.csv has no source_url
    assert all(s["title"].endswith("page per row in source_url)") for s in by_name["events"]["sources"])

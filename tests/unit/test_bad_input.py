"""Table-driven bad input for every curated loader, and random damage that must end in the project's own error."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.errors import DataError
from helpers.tables import SPECS, read_table
from tests.fixtures import apply_damage, mutation

# (column kind, extra condition, bad value, fragment of the rule's wording)
FIELD_MUTATIONS = [
    ("int", lambda c: True, "1,000", "whole number"),
    ("int", lambda c: True, "$12", "whole number"),
    ("int", lambda c: c.min == 0, "-5", "no negative values"),
    ("number", lambda c: True, "30%", "number written plainly"),
    ("date", lambda c: True, "03/09/2024", "YYYY-MM-DD"),
    ("date", lambda c: True, "2024-13-01", "YYYY-MM-DD"),
    ("enum", lambda c: True, "bogus-value", "must be one of"),
    ("url", lambda c: True, "ftp://example.org", "http"),
    ("bool", lambda c: True, "yes", "true or false"),
    ("text", lambda c: c.required, "", "required"),
]


def _cases():
    """One case per table, column and rule. Every fifth runs in the inner loop (``make check``), all of them in
    ``make test``: a fixed sample that still reaches every rule kind and every table."""
    number = 0
    for name, spec in sorted(SPECS.items()):
        for col in spec.columns:
            for kind, cond, bad, fragment in FIELD_MUTATIONS:
                if col.kind == kind and cond(col):
                    marks = () if number % 5 == 0 else (pytest.mark.slow,)
                    number += 1
                    yield pytest.param(
                        name, col.name, bad, fragment, id=f"{name}-{col.name}-{bad or 'empty'}", marks=marks
                    )


def _rewrite(path, column, value, row_index=0):
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1 + row_index][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("name, column, bad, fragment", list(_cases()))
def test_each_field_rule_names_file_line_column_and_rule(data_copy, name, column, bad, fragment):
    spec = SPECS[name]
    path = data_copy / spec.file
    _rewrite(path, column, bad)
    with pytest.raises(DataError) as info:
        read_table(spec, path, verify_checksum=False)
    first = str(info.value).splitlines()[0]
    assert first.startswith(spec.file) or spec.file in first
    assert any(p.line == 2 and p.column == column and fragment in p.rule for p in info.value.problems), str(info.value)


FILE_DAMAGE = {
    "empty": (lambda b: b"", "file is empty"),
    "header-only": (lambda b: b.split(b"\n", 1)[0] + b"\n", "header only"),
    "semicolons": (lambda b: b.replace(b",", b";"), "wrong delimiter"),
    "tabs": (lambda b: b.replace(b",", b"\t"), "wrong delimiter"),
    "latin-1": (lambda b: b.replace(b"\n", "\nÉ".encode("latin-1"), 1) + b"", "not UTF-8"),
    "utf-16": (lambda b: b.decode("utf-8").encode("utf-16"), "not UTF-8"),
    "missing-column": (lambda b: b"\n".join(line.rsplit(b",", 1)[0] for line in b.split(b"\n")), "missing column"),
    "truncated-mid-row": (lambda b: b.rstrip(b"\n")[:-3].rsplit(b",", 2)[0], "truncated"),
}


@pytest.mark.parametrize("name", sorted(SPECS))
@pytest.mark.parametrize("damage", sorted(FILE_DAMAGE))
def test_file_damage_is_refused(data_copy, name, damage):
    spec = SPECS[name]
    path = data_copy / spec.file
    fn, fragment = FILE_DAMAGE[damage]
    path.write_bytes(fn(path.read_bytes()))
    with pytest.raises(DataError) as info:
        read_table(spec, path, verify_checksum=False)
    assert fragment in str(info.value)
    assert spec.file in str(info.value)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spreadsheet_output_loads_like_the_original(data_copy, name):
    import pandas as pd

    spec = SPECS[name]
    path = data_copy / spec.file
    clean = read_table(spec, path, verify_checksum=False)
    raw = path.read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8") + b"\r\n\r\n")
    pd.testing.assert_frame_equal(clean, read_table(spec, path, verify_checksum=False))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SPECS))
def test_random_damage_loads_or_raises_the_projects_error(tmp_path, name):
    from helpers.config import DATA_DIR

    spec = SPECS[name]
    original = (DATA_DIR / spec.file).read_text(encoding="utf-8")

    @settings(
        deadline=None, derandomize=True, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(mutation, min_size=1, max_size=4))
    def check(muts):
        path = tmp_path / spec.file
        path.write_bytes(apply_damage(original, muts).encode("utf-8", errors="surrogatepass"))
        try:
            frame = read_table(spec, path, verify_checksum=False)
        except DataError:
            return
        assert list(frame.columns) == spec.column_names
        assert len(frame) > 0

    check()


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(path, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def test_one_statement_with_two_periods_is_refused_with_file_row_column_and_rule(data_copy):
    """A row given the statement_id of a row about another period breaks the statement rule: both lines are named."""
    path = data_copy / "trade_reported.csv"
    rows = _rows(path)
    header = rows[0]
    sid, year = header.index("statement_id"), header.index("year")
    ids = [r[sid] for r in rows[1:]]
    shared = next(s for s in ids if ids.count(s) > 1)
    first = next(i for i, r in enumerate(rows) if i and r[sid] == shared)
    other = next(i for i, r in enumerate(rows) if i and r[sid] != shared and r[year] != rows[first][year])
    rows[other][sid] = shared
    _write(path, rows)
    with pytest.raises(DataError) as info:
        read_table("trade_reported", path, verify_checksum=False)
    message = str(info.value)
    assert "trade_reported.csv" in message.splitlines()[0]
    hits = [p for p in info.value.problems if "same flow and period" in p.rule]
    assert {p.line for p in hits} >= {first + 1, other + 1}, message
    assert all(p.column == "statement_id" for p in hits)
    assert any(p.value == shared for p in hits)


def test_one_statement_in_iraq_imports_must_share_partner_year_and_coverage(data_copy):
    path = data_copy / "iraq_imports.csv"
    rows = _rows(path)
    header = rows[0]
    sid, year = header.index("statement_id"), header.index("year")
    target = next(i for i, r in enumerate(rows) if i and r[year] == "2023")
    other = next(i for i, r in enumerate(rows) if i and r[year] == "2024")
    rows[other][sid] = rows[target][sid]
    _write(path, rows)
    with pytest.raises(DataError) as info:
        read_table("iraq_imports", path, verify_checksum=False)
    assert any(
        p.line == other + 1 and p.column == "statement_id" and "same partner, year and coverage" in p.rule
        for p in info.value.problems
    ), str(info.value)


@pytest.mark.parametrize("name", ["trade_reported", "iraq_imports", "targets", "composition"])
def test_status_note_on_a_confirmed_row_is_refused(data_copy, name):
    spec = SPECS[name]
    path = data_copy / spec.file
    rows = _rows(path)
    header = rows[0]
    status, note = header.index("status"), header.index("status_note")
    line = next(i for i, r in enumerate(rows) if i and r[status] == "confirmed")
    rows[line][note] = "figure found on the stored page"
    _write(path, rows)
    with pytest.raises(DataError) as info:
        read_table(spec, path, verify_checksum=False)
    assert spec.file in str(info.value).splitlines()[0]
    assert any(
        p.line == line + 1 and p.column == "status_note" and "only on unconfirmed rows" in p.rule
        for p in info.value.problems
    ), str(info.value)


def test_shipped_rows_sharing_a_statement_agree():
    """The shipped tables hold the statements the December 2026 audit found repeated, each under one id."""
    trade = read_table("trade_reported")
    pairs = trade.groupby("statement_id")["record_id"].apply(set)
    assert pairs["s-latifi-2019-exp"] == {"irica-2019-exp-latifi", "chamber-2019-exp-latifi"}
    assert set(trade.loc[trade["statement_id"] == "s-latifi-2019-exp", "stated_by"]) == {"iranian_customs"}
    for customs in (
        "irica-1400-m01-m06-exp",
        "irica-1400-m01-m08-exp",
        "irica-1400-m01-m10-imp",
        "irica-1402-m01-m04-exp",
    ):
        assert len(pairs[f"s-{customs}"]) == 2
    imports = read_table("iraq_imports")
    assert "duplicate" not in set(imports["quality"])
    shafaq = imports.set_index("record_id").loc["iff-2023-wld-shafaq-en"]
    assert shafaq["statement_id"] == imports.set_index("record_id").loc["iff-2023-wld-top11", "statement_id"]

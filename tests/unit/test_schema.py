"""The parameter schema: one declaration that the notebooks' cells, params/default.yaml, the README
and the runner's checks all follow."""

from __future__ import annotations

import ast
import atexit
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from helpers import tables
from helpers.config import NOTEBOOK_DIR, PARAMS_DIR, ROOT, data_file
from helpers.errors import ParameterError
from helpers.pipeline import parameters as params
from helpers.pipeline import schema
from tests.fixtures import COMTRADE_HEADER, comtrade_row, make_notebook, write

NOTEBOOKS = params.notebook_paths(NOTEBOOK_DIR)


def _download_of_another_pair() -> str:
    """A Comtrade file of Türkiye–UAE trade only (no row for Iran–Iraq), written once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="other-pair-"))
    atexit.register(shutil.rmtree, folder, True)
    rows = [comtrade_row(792, 784, "X", "01", 1e9, 2022), comtrade_row(784, 792, "M", "01", 1.1e9, 2022)]
    return str(write(folder / "comtrade.csv", COMTRADE_HEADER, rows))


#: A download that holds no row for the default pair (used by the table of bad values below).
OTHER_PAIR = _download_of_another_pair()


def _parameters_cell(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", []))


# ---------------------------------------------------------------------------
# The declaration itself


def test_schema_describes_exactly_the_collection_s_notebooks():
    assert schema.notebook_stems() == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("param", schema.PARAMETERS, ids=lambda p: p.name)
def test_every_default_fits_its_type_and_is_written_back_unchanged(param):
    assert param.type in ("float", "int", "str", "bool", "list[str]", "dict")
    assert schema.fits(param.type, param.default)
    text = schema.literal(param.default)
    assert ast.literal_eval(text) == param.default
    assert type(ast.literal_eval(text)) is type(param.default)
    assert param.doc and "\n" not in param.doc and "#" not in param.doc


@pytest.mark.parametrize("stem", schema.notebook_stems())
def test_defaults_pass_every_check_and_rule(stem):
    declared = {p.name: p for p in schema.parameters_of(stem)}
    assert schema.problems({}, declared) == []


def test_enums_are_the_data_files_own():
    assert schema.BY_NAME["stated_by"].check.choices is tables.STATED_BY
    assert schema.BY_NAME["categories"].check.choices is tables.EVENT_CATEGORIES


def test_shared_parameters_have_one_declaration():
    names = [p.name for p in schema.PARAMETERS]
    assert len(names) == len(set(names))
    for name in ("source", "data_path", "reporter", "partner"):
        assert len(schema.BY_NAME[name].notebooks) >= 3


# ---------------------------------------------------------------------------
# (a), (b) the notebooks' parameters cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_the_one_the_schema_renders(path):
    assert _parameters_cell(path) == schema.parameters_cell(path.stem)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_reads_the_schema_s_defaults_and_docs(path):
    from papermill import inspect_notebook

    found = inspect_notebook(str(path))
    expected = schema.parameters_of(path.stem)
    assert list(found) == [p.name for p in expected]
    for p in expected:
        assert ast.literal_eval(found[p.name]["default"]) == p.default, p.name
        assert found[p.name]["help"] == p.doc, p.name
        assert found[p.name]["inferred_type_name"] == p.type, p.name


@pytest.mark.parametrize("stem", schema.notebook_stems())
def test_rendered_cell_reads_back_through_papermill(stem, tmp_path):
    from papermill import inspect_notebook

    path = make_notebook(tmp_path / f"{stem}.ipynb", schema.parameters_cell(stem))
    found = inspect_notebook(str(path))
    for p in schema.parameters_of(stem):
        assert ast.literal_eval(found[p.name]["default"]) == p.default
        assert (found[p.name]["help"], found[p.name]["inferred_type_name"]) == (p.doc, p.type)


# ---------------------------------------------------------------------------
# (c) params/default.yaml holds only schema defaults


def test_default_parameter_set_holds_only_schema_defaults():
    raw = params.read_yaml(PARAMS_DIR / "default.yaml")
    sections = raw.pop("notebooks", None) or {}
    for name, value in raw.items():
        p = schema.BY_NAME[name]
        assert schema.coerce(p.type, value) == p.default, name
    for stem, section in sections.items():
        for name, value in section.items():
            p = schema.BY_NAME[name]
            assert stem in p.notebooks and schema.coerce(p.type, value) == p.default, (stem, name)
    resolved = params.load(PARAMS_DIR / "default.yaml", NOTEBOOKS)
    for stem, values in resolved.items():
        assert values == {k: v for k, v in schema.defaults_of(schema.parameters_of(stem)).items() if k in values}


# ---------------------------------------------------------------------------
# (e) the README's parameter tables


def test_readme_parameter_tables_are_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    fix = (
        "from helpers.pipeline import schema; from helpers.config import ROOT; schema.update_readme(ROOT / 'README.md')"
    )
    assert schema.readme_with_tables(text) == text, f'README tables are stale: python -c "{fix}"'


def test_readme_tables_list_every_parameter_once():
    listed = schema.readme_block("parameters") + schema.readme_block("pair-parameters")
    for p in schema.PARAMETERS:
        assert listed.count(f"| `{p.name}` |") == 1, p.name


# ---------------------------------------------------------------------------
# (d) every check and rule refuses a bad value, naming the parameter, before any kernel starts

BAD = [
    ("target_usd", {"target_usd": -5.0}, "'target_usd' must be greater than 0"),
    ("target_year", {"target_year": 1900}, "'target_year' must be a year from 1990 to 2100"),
    ("base_year", {"base_year": 2200}, "'base_year' must be a year from 1990 to 2100"),
    ("growth_window", {"growth_window": 31}, "'growth_window' must be a whole number of years from 1 to 30"),
    ("stated_by", {"stated_by": []}, "'stated_by' must not be empty"),
    ("stated_by", {"stated_by": ["customs"]}, "'stated_by' has unknown value(s) 'customs'"),
    ("include_energy", {"include_energy": "no"}, "parameter 'include_energy' (02-composition) must be of type bool"),
    ("report_shares", {"report_shares": {"agri": 0.3}}, "'report_shares' has unknown category id(s) 'agri'"),
    ("report_shares", {"report_shares": {"agriculture": 30}}, "'report_shares' values must be fractions"),
    ("min_suppliers", {"min_suppliers": 0}, "'min_suppliers' must be a whole number, at least 1"),
    ("start", {"start": "January 2014"}, "'start' must be a date written YYYY-MM-DD"),
    ("end", {"end": "2025-13-01"}, "'end' must be a date written YYYY-MM-DD"),
    ("categories", {"categories": ["military"]}, "'categories' has unknown value(s) 'military'"),
    ("annotate", {"annotate": ["e-nope"]}, "'annotate' names unknown event id(s) 'e-nope'"),
    ("as_of", {"as_of": "notadate"}, "'as_of' must be a date written YYYY-MM-DD"),
    ("source", {"source": "wits"}, "'source' must be one of: reported, comtrade, baci"),
    ("data_path", {"data_path": "no/such/file.csv"}, "'data_path' points to 'no/such/file.csv', which does not exist"),
    ("reporter", {"reporter": "XYZ"}, "'reporter' must be an ISO 3166 alpha-3 country code"),
    ("partner", {"partner": "Iraq"}, "'partner' must be an ISO 3166 alpha-3 country code"),
    ("events_path", {"events_path": "no/events.csv"}, "'events_path' points to 'no/events.csv', which does not exist"),
    ("claims_path", {"claims_path": "no/claims.csv"}, "'claims_path' points to 'no/claims.csv', which does not exist"),
    ("site_url", {"site_url": "example.org"}, "'site_url' must be empty or an absolute address"),
    (("base_year", "target_year"), {"target_year": 2020}, "'target_year' (2020) must be after 'base_year' (2022)"),
    (("start", "end"), {"start": "2024-01-01", "end": "2020-01-01"}, "'start' (2024-01-01) must not be after 'end'"),
    (("source",), {"source": "comtrade"}, "'source' 'comtrade' needs 'data_path'"),
    (("reporter", "partner"), {"partner": "IRN"}, "'reporter' and 'partner' must be two different countries"),
    (
        ("source", "data_path", "reporter", "partner"),
        {"source": "comtrade", "data_path": OTHER_PAIR},
        "holds no rows for IRN and IRQ; it holds: ARE, TUR (set reporter and partner to two of them)",
    ),
    (("annotate",), {"annotate": ["e-2014-06-15-pmf-founded", "e-x"]}, "'annotate' names unknown event id(s) 'e-x'"),
    (
        ("claims_path",),
        {"claims_path": "data/events.csv"},
        "'claims_path' ('data/events.csv') is not a usable claims file: data/events.csv: line 1: missing column(s)",
    ),
]


@pytest.fixture
def no_kernels(monkeypatch):
    """Starting a kernel, or executing a notebook, fails the test."""
    import jupyter_client
    import papermill

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started while checking parameters")

    monkeypatch.setattr(jupyter_client.KernelManager, "start_kernel", refuse)
    monkeypatch.setattr(papermill, "execute_notebook", refuse)


@pytest.mark.parametrize("about, overrides, fragment", BAD, ids=[str(b[0]) for b in BAD])
def test_load_refuses_a_bad_value_naming_the_parameter(no_kernels, about, overrides, fragment):
    with pytest.raises(ParameterError) as info:
        params.load(None, NOTEBOOKS, overrides)
    assert fragment in str(info.value)


def test_every_check_and_rule_has_a_bad_value_above():
    covered = {b[0] for b in BAD}
    assert {p.name for p in schema.PARAMETERS} <= covered
    assert {r.names for r in schema.RULES} <= covered


def test_schema_notebooks_are_checked_without_reading_them(tmp_path):
    """The schema is the declaration: the runner's check needs no notebook file, let alone a kernel."""
    absent = [tmp_path / p.name for p in NOTEBOOKS]
    assert params.load(None, absent, {"target_year": 2028})["01-trade-volume"] == {"target_year": 2028}
    with pytest.raises(ParameterError, match="unknown parameter 'target_yaer'"):
        params.load(None, absent, {"target_yaer": 2028})


def test_a_message_for_a_shared_parameter_names_every_notebook_once():
    with pytest.raises(ParameterError) as info:
        params.load(None, NOTEBOOKS, {"reporter": "XYZ"})
    lines = [line for line in str(info.value).splitlines() if "'reporter' must be" in line]
    assert len(lines) == 1
    assert all(p.stem in lines[0] for p in NOTEBOOKS)


def test_annotate_is_checked_against_the_events_file_in_use(tmp_path):
    lines = data_file("events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    events = tmp_path / "events.csv"
    events.write_text("".join(lines[:4]), encoding="utf-8")
    kept = [line.split(",")[0] for line in lines[1:4]]
    ok = params.load(None, NOTEBOOKS, {"events_path": str(events), "annotate": kept})
    assert ok["03-influence-timeline"]["annotate"] == kept
    with pytest.raises(ParameterError) as info:  # the defaults name Iran–Iraq events this file does not hold
        params.load(None, NOTEBOOKS, {"events_path": str(events)})
    assert "'annotate' names unknown event id(s) 'e-2011-12-18-us-withdrawal'" in str(info.value)
    assert "events.csv" in str(info.value)


def test_another_pairs_events_file_is_drawn_without_the_default_labels(tmp_path):
    events = tmp_path / "events.csv"
    header = data_file("events.csv").read_text(encoding="utf-8").splitlines()[0]
    events.write_text(
        header + "\ne-2024-04-22-road,2024-04-22,day,A memorandum,Two ministers signed a memorandum.,economic,"
        "https://example.org/road,Example News,2026-12-01,unconfirmed,written for the test\n",
        encoding="utf-8",
    )
    given = {"reporter": "TUR", "events_path": str(events)}
    out = params.load(None, NOTEBOOKS, given)  # the default ids name none of its events: nothing is labelled
    assert out["03-influence-timeline"]["events_path"] == str(events)
    with pytest.raises(ParameterError) as info:  # an id the user gives is checked as ever
        params.load(None, NOTEBOOKS, given | {"annotate": ["e-2003-03-20-us-invasion"]})
    assert "'annotate' names unknown event id(s) 'e-2003-03-20-us-invasion'" in str(info.value)


def test_annotate_is_not_checked_for_a_pair_without_events(tmp_path):
    out = params.load(None, NOTEBOOKS, {"reporter": "TUR", "annotate": ["e-nope"]})
    assert out["03-influence-timeline"]["annotate"] == ["e-nope"]


def test_a_broken_events_file_is_refused_naming_events_path(tmp_path):
    broken = tmp_path / "events.csv"
    shutil.copy(data_file("events.csv"), broken)
    broken.write_text(broken.read_text(encoding="utf-8").replace(",political,", ",politics,", 1), encoding="utf-8")
    with pytest.raises(ParameterError, match="'events_path' .* is not a usable events file"):
        params.load(None, NOTEBOOKS, {"events_path": str(broken)})


def test_a_broken_claims_file_stops_the_run_before_any_kernel_naming_its_line_and_column(tmp_path, no_kernels):
    broken = tmp_path / "claims.csv"
    lines = data_file("claims.csv").read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], lines[1], lines[2].replace(",20000000000,", ",20bn,")]) + "\n", "utf-8")
    with pytest.raises(ParameterError) as info:
        params.load(None, NOTEBOOKS, {"claims_path": str(broken)})
    said = str(info.value)
    assert "'claims_path'" in said and "is not a usable claims file" in said
    assert "claims.csv: line 3, column 'value'" in said and "(got '20bn')" in said
    broken.write_text(lines[0] + "\n", "utf-8")
    with pytest.raises(ParameterError, match="claims.csv: line 1: header only"):
        params.load(None, NOTEBOOKS, {"claims_path": str(broken)})
    broken.write_text("\n".join(lines[:3]) + "\n", "utf-8")  # a usable file passes
    assert params.load(None, NOTEBOOKS, {"claims_path": str(broken)})["04-claims-check"]["claims_path"] == str(broken)


def test_a_download_without_the_pair_stops_the_run_with_one_message(no_kernels):
    with pytest.raises(ParameterError) as info:
        params.load(None, NOTEBOOKS, {"source": "comtrade", "data_path": OTHER_PAIR})
    lines = [line for line in str(info.value).splitlines() if "holds no rows" in line]
    assert len(lines) == 1, str(info.value)
    assert lines[0].endswith(
        f"data_path {OTHER_PAIR!r} holds no rows for IRN and IRQ; it holds: ARE, TUR "
        "(set reporter and partner to two of them)"
    )
    assert all(p.stem in lines[0] for p in NOTEBOOKS)  # 04 reads the download too (the claims on official data)


def test_a_download_holding_the_pair_passes_and_is_read_once(no_kernels, monkeypatch):
    from helpers import official

    calls = []
    read = official.read_flows
    monkeypatch.setattr(official, "read_flows", lambda *a, **k: calls.append(a) or read(*a, **k))
    out = params.load(
        None, NOTEBOOKS, {"source": "comtrade", "data_path": OTHER_PAIR, "reporter": "TUR", "partner": "ARE"}
    )
    assert out["01-trade-volume"]["reporter"] == "TUR"
    assert len(calls) <= 1  # three notebooks declare the rule's parameters: the download is read once


def test_a_download_the_reader_refuses_is_left_to_the_notebook_that_reads_it(tmp_path):
    (tmp_path / "notes.txt").write_text("not a download\n", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    for path in (tmp_path / "notes.txt", empty):  # not a Comtrade/BACI file; no data file in the folder
        declared = {p.name: p for p in schema.parameters_of("01-trade-volume")}
        found = schema.problems({"source": "comtrade", "data_path": str(path)}, declared)
        assert not [m for m in found if "holds no rows" in m]


def test_a_baci_zip_as_downloaded_is_checked_like_its_folder(no_kernels, tmp_path):
    """``data_path`` may be the release's zip: the pair check reads it in place, as it reads a folder."""
    from tests.fixtures.official_layouts import baci_zip

    years = {2022: [[2022, 364, 368, "270900", 100.25, 1.0], [2022, 792, 784, "010121", 5.0, 1.0]]}
    archive = baci_zip(tmp_path / "BACI_HS17_V202501.zip", years, folder="BACI_HS17_V202501/")
    out = params.load(None, NOTEBOOKS, {"source": "baci", "data_path": str(archive)})
    assert out["01-trade-volume"]["data_path"] == str(archive)
    with pytest.raises(ParameterError) as info:
        params.load(None, NOTEBOOKS, {"source": "baci", "data_path": str(archive), "reporter": "IRN", "partner": "TUR"})
    assert "holds no rows for IRN and TUR; it holds: ARE, IRN, IRQ, TUR" in str(info.value)

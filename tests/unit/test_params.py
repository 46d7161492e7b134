"""Parameter sets are checked against the notebooks before any kernel starts."""

from __future__ import annotations

import pytest

from helpers.config import NOTEBOOK_DIR, PARAMS_DIR
from helpers.errors import ParameterError
from helpers.pipeline import overrides
from helpers.pipeline import parameters as params
from tests.fixtures import make_notebook


@pytest.fixture
def notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    make_notebook(
        folder / "01-a.ipynb",
        "target_usd: float = 20e9  # target\n"
        "target_year: int = 2030  # year\n"
        "base_year: int = 2022  # base\n"
        "stated_by: list[str] = ['chamber']  # bodies",
    )
    make_notebook(
        folder / "02-b.ipynb",
        "include_energy: bool = True  # energy\n"
        "start: str = '2003-01-01'  # from\n"
        "end: str = '2025-12-31'  # to\n"
        "reporter: str = 'IRN'  # ISO3\n"
        "partner: str = 'IRQ'  # ISO3\n"
        "data_path: str = ''  # file or folder\n"
        "growth_window: int = 5  # years",
    )
    return params.notebook_paths(folder)


def test_shared_keys_go_to_the_notebooks_that_declare_them(notebooks):
    out = params.resolve({"target_year": 2028, "include_energy": False}, notebooks)
    assert out == {"01-a": {"target_year": 2028}, "02-b": {"include_energy": False}}


def test_per_notebook_sections_override_shared_keys(notebooks):
    out = params.resolve({"target_year": 2028, "notebooks": {"01-a": {"target_year": 2035}}}, notebooks)
    assert out["01-a"]["target_year"] == 2035


def test_int_for_float_is_widened(notebooks):
    out = params.resolve({"target_usd": 25000000000}, notebooks)
    assert isinstance(out["01-a"]["target_usd"], float)


@pytest.mark.parametrize(
    "raw, fragments",
    [
        ({"target_yaer": 2030}, ["unknown parameter 'target_yaer'", "accepted:", "target_year"]),
        ({"target_year": "2030"}, ["'target_year'", "type int", "got str"]),
        ({"target_usd": "20e9"}, ["'target_usd'", "YAML reads numbers like 20e9 as text"]),
        ({"include_energy": "yes"}, ["'include_energy'", "type bool"]),
        ({"target_year": 2020, "base_year": 2022}, ["'target_year' (2020) must be after 'base_year' (2022)"]),
        ({"target_usd": -5.0}, ["'target_usd' must be greater than 0"]),
        ({"target_usd": 0}, ["'target_usd' must be greater than 0"]),
        ({"stated_by": []}, ["'stated_by' must not be empty", "choose from"]),
        ({"stated_by": ["customs"]}, ["unknown value(s) 'customs'", "iranian_customs"]),
        ({"start": "2024-01-01", "end": "2020-01-01"}, ["'start' (2024-01-01) must not be after 'end' (2020-01-01)"]),
        ({"start": "January 2024"}, ["'start' must be a date written YYYY-MM-DD"]),
        ({"notebooks": {"09-nope": {}}}, ["unknown notebook section '09-nope'"]),
        ({"reporter": "XYZ"}, ["'reporter' must be an ISO 3166 alpha-3 country code", "IRN"]),
        ({"partner": "Iraq"}, ["'partner' must be an ISO 3166 alpha-3"]),
        ({"data_path": "no/such/folder"}, ["'data_path' points to 'no/such/folder', which does not exist"]),
        ({"growth_window": 0}, ["'growth_window' must be a whole number of years from 1 to 30"]),
        ({"target_year": 2030.5}, ["'target_year'", "type int", "got float"]),
        ({"notebooks": {"02-b": {"target_year": 2030}}}, ["unknown parameter 'target_year' for 02-b"]),
    ],
)
def test_bad_parameters_are_refused_with_accepted_values(notebooks, raw, fragments):
    with pytest.raises(ParameterError) as info:
        params.resolve(raw, notebooks)
    for f in fragments:
        assert f in str(info.value)


def test_yaml_syntax_error_names_line_and_column(tmp_path, notebooks):
    bad = tmp_path / "bad.yaml"
    bad.write_text("target_year: 2030\nbase_year: [2022\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"line \d+, column \d+"):
        params.load(bad, notebooks)


def test_non_mapping_yaml_is_refused(tmp_path, notebooks):
    bad = tmp_path / "list.yaml"
    bad.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="mapping"):
        params.load(bad, notebooks)


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    path = make_notebook(tmp_path / "01-x.ipynb", "a = 1")
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells[1].metadata["tags"] = []
    nbformat.write(nb, path)
    with pytest.raises(ParameterError, match="no cell tagged 'parameters'"):
        params.declared_parameters(path)


@pytest.mark.parametrize("name", sorted(p.name for p in PARAMS_DIR.glob("*.yaml")))
def test_shipped_parameter_sets_are_valid(name, tmp_path):
    from helpers.official import samples

    raw = params.read_yaml(PARAMS_DIR / name)
    overrides = {}
    if raw.get("data_path"):  # the user's download: stand in the synthetic samples of the same layout
        folder = samples.write_all(tmp_path)[0 if raw["source"] == "baci" else 1]
        overrides["data_path"] = str(folder)
    resolved = params.load(PARAMS_DIR / name, params.notebook_paths(NOTEBOOK_DIR), overrides)
    assert set(resolved) == {p.stem for p in params.notebook_paths(NOTEBOOK_DIR)}


def test_every_notebook_parameter_is_typed_and_documented():
    for path in params.notebook_paths(NOTEBOOK_DIR):
        for decl in params.declared_parameters(path).values():
            assert decl.type_name not in ("None", ""), f"{path.name}: {decl.name} has no type annotation"
            assert decl.help, f"{path.name}: {decl.name} has no comment"


def test_command_line_overrides_win_and_are_checked(tmp_path, notebooks):
    f = tmp_path / "p.yaml"
    f.write_text("target_year: 2028\nnotebooks:\n  01-a:\n    target_year: 2035\n", encoding="utf-8")
    out = params.load(f, notebooks, overrides.parse_overrides(["target_year=2040", "stated_by=[chamber, media]"]))
    assert out["01-a"]["target_year"] == 2040
    assert out["01-a"]["stated_by"] == ["chamber", "media"]
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        overrides.parse_overrides(["target_year"])
    with pytest.raises(ParameterError, match="unknown parameter 'nope'"):
        params.load(f, notebooks, {"nope": 1})


def test_source_rules(notebooks, tmp_path):
    folder = tmp_path / "nb2"
    folder.mkdir()
    make_notebook(
        folder / "01-x.ipynb",
        "source: str = 'reported'  # where figures come from\n"
        "data_path: str = ''  # file or folder\n"
        "reporter: str = 'IRN'  # ISO3\n"
        "partner: str = 'IRQ'  # ISO3",
    )
    nbs = params.notebook_paths(folder)
    with pytest.raises(ParameterError, match="'source' must be one of: reported, comtrade, baci"):
        params.resolve({"source": "wits"}, nbs)
    with pytest.raises(ParameterError, match="'source' 'baci' needs 'data_path'"):
        params.resolve({"source": "baci"}, nbs)
    with pytest.raises(ParameterError, match="two different countries"):
        params.resolve({"partner": "IRN"}, nbs)
    assert params.resolve({"source": "baci", "data_path": str(tmp_path)}, nbs)["01-x"]["source"] == "baci"


def test_unquoted_yaml_dates_become_iso_strings(tmp_path, notebooks):
    f = tmp_path / "d.yaml"
    f.write_text("start: 2020-01-01\nend: 2024-12-31\n", encoding="utf-8")
    out = params.load(f, notebooks)
    assert out["02-b"]["start"] == "2020-01-01" and out["02-b"]["end"] == "2024-12-31"
    f.write_text("start: 2024-01-01\nend: 2020-01-01\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="'start' \\(2024-01-01\\) must not be after 'end'"):
        params.load(f, notebooks)


def test_report_shares_rule(tmp_path):
    folder = tmp_path / "nb3"
    folder.mkdir()
    make_notebook(folder / "01-x.ipynb", "report_shares: dict = {'agriculture': 0.3}  # shares")
    nbs = params.notebook_paths(folder)
    assert params.resolve({"report_shares": {"leather": 0.05}}, nbs)["01-x"]["report_shares"] == {"leather": 0.05}
    with pytest.raises(ParameterError, match="unknown category id\\(s\\) 'agri'"):
        params.resolve({"report_shares": {"agri": 0.3}}, nbs)
    with pytest.raises(ParameterError, match="fractions from 0 to 1"):
        params.resolve({"report_shares": {"agriculture": 30}}, nbs)


def test_impossible_dates_and_bad_as_of_are_refused(tmp_path, notebooks):
    with pytest.raises(ParameterError, match="--set start: value does not parse"):
        overrides.parse_overrides(["start=2024-02-30"])
    f = tmp_path / "bad-date.yaml"
    f.write_text("start: 2024-02-30\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="a value does not parse"):
        params.load(f, notebooks)
    folder = tmp_path / "nb4"
    folder.mkdir()
    make_notebook(folder / "01-x.ipynb", "as_of: str = '2024-09-03'  # date")
    with pytest.raises(ParameterError, match="'as_of' must be a date written YYYY-MM-DD"):
        params.resolve({"as_of": "notadate"}, params.notebook_paths(folder))


def test_a_notebook_the_schema_does_not_describe_is_checked_against_its_cell(tmp_path):
    """A draft or a test's notebook: its cell names what it accepts; names the schema knows get its checks."""
    folder = tmp_path / "nb5"
    folder.mkdir()
    make_notebook(folder / "01-draft.ipynb", "answer: int = 1  # the answer\nreporter: str = 'IRN'  # ISO3")
    nbs = params.notebook_paths(folder)
    assert set(params.accepted_parameters(nbs[0])) == {"answer", "reporter"}
    assert params.resolve({"answer": 2}, nbs) == {"01-draft": {"answer": 2}}
    with pytest.raises(ParameterError, match="'answer' \\(01-draft\\) must be of type int like its default 1"):
        params.resolve({"answer": "two"}, nbs)
    with pytest.raises(ParameterError, match="'reporter' must be an ISO 3166 alpha-3 country code"):
        params.resolve({"reporter": "XX"}, nbs)

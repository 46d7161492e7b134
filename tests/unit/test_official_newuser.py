"""The official-download path as a new user meets it: parameters written as people write them, downloads
saved as the publishers' websites and spreadsheets save them, and one readable message for each bad input
(file, line, column, rule) before any kernel starts."""

from __future__ import annotations

import pytest

from helpers.errors import ParameterError
from helpers.pipeline import parameters as params
from tests.fixtures import baci_folder, make_notebook

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

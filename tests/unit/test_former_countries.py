"""Former countries (ISO 3166-3: Serbia and Montenegro, Netherlands Antilles, ...) are countries a pair can
name, as older BACI and Comtrade years do; former entries that were areas are not."""

from __future__ import annotations

import warnings

import pycountry
import pytest

from helpers.analysis.countries import FORMER_AREAS, country_entry, country_name
from helpers.errors import ParameterError
from helpers.official import read_flows, resolve_country
from helpers.official.countries import UN_AREAS, is_country_iso3, numeric_codes
from helpers.pipeline.schema import Country
from tests.fixtures import COUNTRY_CODES, baci_folder, values, write


@pytest.mark.parametrize(("given", "iso3"), [("SCG", "SCG"), ("scg", "SCG"), (" ANT ", "ANT"), ("530", "ANT")])
def test_a_former_country_is_resolved_by_its_code(given, iso3):
    assert resolve_country(given) == iso3


def test_a_number_two_former_countries_had_is_refused_naming_both():
    with pytest.raises(ParameterError, match="give SCG or YUG"):
        resolve_country("891")


@pytest.mark.parametrize("given", ["NTZ", "PUS", "536"])
def test_former_entries_that_were_areas_are_no_countries(given):
    with pytest.raises(ParameterError):
        resolve_country(given)
    assert not is_country_iso3(given)


def test_the_former_areas_are_the_former_entries_comtrade_counts_as_areas():
    had_area_numbers = {
        c.alpha_3 for c in pycountry.historic_countries if getattr(c, "numeric", None) and int(c.numeric) in UN_AREAS
    }
    assert had_area_numbers == FORMER_AREAS


def test_the_parameter_check_names_and_numbers_agree_on_former_countries():
    assert Country().problems("reporter", "SCG") == [] and Country().problems("partner", "ant") == []
    assert Country().problems("reporter", "NTZ") and Country().problems("reporter", "XYZ")
    assert country_name("SCG") == "Serbia and Montenegro" and country_entry("SCG").numeric == "891"
    assert numeric_codes("SCG") == {891} and numeric_codes("IRQ") == {368}


def test_a_pair_with_a_former_country_is_read_from_a_baci_release(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    rows = [[2005, 891, 368, "270900", 6, 1], [2005, 368, 891, "010121", 2, 1]]
    folder = baci_folder(tmp_path / "baci", {2005: rows})
    write(
        folder / "country_codes_V202501.csv",
        ["country_code", "country_name", "country_iso2", "country_iso3"],
        [*COUNTRY_CODES, (891, "Serbia and Montenegro (...2005)", "CS", "SCG")],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flows = read_flows(folder, "SCG", "IRQ", progress=False)
    assert values(flows, ["exporter", "importer"]) == {("SCG", "IRQ"): 6000.0, ("IRQ", "SCG"): 2000.0}

"""One CEPII BACI year file: the pair's rows, checked against the release's side files, summed to a level.

Rules, stated here:

* BACI is 6-digit throughout: a product code ``k`` that is not six digits (after a lost leading
  zero is given back) is an error, and so is one missing from the release's product file.
* Values are reconciled by CEPII (``reported_by`` and ``flow`` are "reconciled") and given in
  thousands of USD, converted here to USD.
* Countries are read through the release's country code file (see
  :mod:`helpers.official.countries`); a country it lacks is an error. Without one, numeric codes
  are read as ISO 3166 numeric plus UN Comtrade's deviations, with an :class:`OfficialDataWarning`.
* A file named ``BACI_HS{rev}_Y{year}_V{version}.csv`` holds that year only.
* The same year, exporter, importer and product found twice is an error.
* A file may be a member of the release's zip archive (:mod:`helpers.official.archive`): its code
  files are then the members beside it in the archive.
* The countries a file holds (:func:`baci_countries`) are its exporters and importers read through
  the same code file (or, without one, as ISO numeric plus the deviations), areas left out.
"""

from __future__ import annotations

import functools
import warnings

import pandas as pd

from helpers.errors import CountryNotInDownload
from helpers.official.archive import shown
from helpers.official.codes import hs_columns, normalise_codes
from helpers.official.countries import (
    COUNTRY_CODES_PREFIX,
    PRODUCT_CODES_PREFIX,
    baci_side_file,
    country_or_none,
    find_release_file,
    numeric_codes,
    read_country_codes,
    read_product_codes,
)
from helpers.official.formats import BACI, BACI_FILE_NAME, Header
from helpers.official.schema import OfficialDataWarning, empty_flows, sum_by_code
from helpers.official.stream import PairFilter, Source, check_values, distinct_values, fail_at, stream_pair

#: BACI's unit: thousands of USD.
USD_PER_UNIT = 1000.0


def read_baci_file(path: Source, header: Header, first: str, second: str, level: str) -> pd.DataFrame:
    """One BACI year file: the pair's rows, checked against the release's side files, summed to ``level``."""
    codes, table = pair_codes(path, first, second)
    rows = stream_pair(path, header, BACI, PairFilter("exporter", "importer", codes[first], codes[second]))
    if rows.empty:
        return empty_flows()
    rows["cmd"] = normalise_codes(rows["cmd"])
    _check_rows(path, header, rows)
    hs_code, chapter = hs_columns(rows["cmd"], level)
    out = pd.DataFrame(
        {
            "source": "baci",
            "year": rows["year"],
            "exporter": rows["exporter"].map(table),
            "importer": rows["importer"].map(table),
            "reported_by": "reconciled",
            "flow": "reconciled",
            "hs_chapter": chapter,
            "hs_code": hs_code,
            "value_usd": rows["value"] * USD_PER_UNIT,
        }
    )
    return sum_by_code(out, path.name)


def _no_code_file(path: Source) -> None:
    warnings.warn(
        f"{path.name}: no country_codes_V*.csv next to it; numeric codes read as ISO 3166 numeric (pycountry) "
        "plus UN Comtrade's deviations (842 USA, 251 France, 699 India, 757 Switzerland, 579 Norway)",
        OfficialDataWarning,
        stacklevel=4,
    )


def pair_codes(path: Source, first: str, second: str) -> tuple[dict[str, frozenset], dict[int, str]]:
    """BACI codes of each of the two countries, and code -> ISO3 for them: from the release's code
    file, else (with a warning) ISO numeric plus UN Comtrade's deviations."""
    code_file = baci_side_file(path, COUNTRY_CODES_PREFIX)
    if code_file is None:
        _no_code_file(path)
        codes = {iso: frozenset(numeric_codes(iso)) for iso in (first, second)}
        return codes, {c: iso for iso, cs in codes.items() for c in cs}
    table = read_country_codes(code_file)
    codes = {iso: frozenset(c for c, i in table.items() if i == iso) for iso in (first, second)}
    for iso, found in codes.items():
        if not found:
            raise _not_in_release(code_file, iso)
    return codes, table


def _not_in_release(code_file: Source, iso: str) -> CountryNotInDownload:
    """The error for a country the release's code file does not list: no file of the release can hold it."""
    return CountryNotInDownload(
        shown(code_file),
        iso,
        f"no country with ISO3 code {iso} in the release's code file, so no file of this release holds its "
        "trade; choose countries the download holds (helpers.official.download_countries lists them)",
    )


def release_table(path: Source, iso: str) -> dict[int, str | None]:
    """Every BACI code -> ISO3, for questions about ``iso`` and all its partners: through the release's
    code file (where ``iso`` must be; None where it gives no ISO3, and an area's code as the file writes
    it, e.g. V202501's S19, which the readers leave out by
    :func:`~helpers.official.countries.is_country_iso3`), else, with the same warning as
    :func:`pair_codes`, ISO numeric plus UN Comtrade's deviations (None for areas and codes of no
    country)."""
    code_file = baci_side_file(path, COUNTRY_CODES_PREFIX)
    if code_file is None:
        _no_code_file(path)
        return _numeric_table()
    table = read_country_codes(code_file)
    if iso not in table.values():
        raise _not_in_release(code_file, iso)
    return table


@functools.cache
def _numeric_table() -> dict[int, str | None]:
    return {code: country_or_none(code) for code in range(1000)}


def _check_rows(path: Source, header: Header, rows: pd.DataFrame) -> None:
    """Six-digit product codes, values finite and not negative, the file name's year and release
    products, no row twice."""
    bad = ~rows["cmd"].str.fullmatch(r"\d{6}").fillna(False)
    if bad.any():
        raise fail_at(
            path,
            header,
            rows.loc[bad, "rec"],
            "must be a 6-digit HS code written as text (e.g. 010121)",
            "k",
            dict(zip(rows.loc[bad, "rec"], rows.loc[bad, "cmd"])),
        )
    check_values(path, header, rows, "v")
    _check_named_release(path, header, rows)
    dup = rows.duplicated(["year", "exporter", "importer", "cmd"], keep=False)
    if dup.any():
        raise fail_at(
            path, header, rows.loc[dup, "rec"], "the same year, exporter, importer and product appear twice", "k"
        )


def _check_named_release(path: Source, header: Header, rows: pd.DataFrame) -> None:
    """For a file named like BACI's yearly files: the year of its name, products of its release's file."""
    name = BACI_FILE_NAME.match(path.name)
    if not name:
        return
    wrong = rows["year"] != int(name["year"])
    if wrong.any():
        raise fail_at(
            path,
            header,
            rows.loc[wrong, "rec"],
            f"year differs from the file name's Y{name['year']}",
            "t",
            dict(zip(rows.loc[wrong, "rec"], rows.loc[wrong, "year"].astype(str))),
        )
    product_file = baci_side_file(path, PRODUCT_CODES_PREFIX, name["rev"])
    if product_file is None:
        return
    unknown = ~rows["cmd"].isin(read_product_codes(product_file))
    if unknown.any():
        raise fail_at(
            path,
            header,
            rows.loc[unknown, "rec"],
            f"product code not in {product_file.name}",
            "k",
            dict(zip(rows.loc[unknown, "rec"], rows.loc[unknown, "cmd"])),
        )


def baci_countries(path: Source, header: Header) -> set[str]:
    """ISO3 codes of the countries that export or import in one BACI file, streamed (bounded memory):
    through the release's code file when there is one, else ISO numeric plus UN Comtrade's deviations
    (no warning here: :func:`read_baci_file` gives it). Areas and codes of no country are left out."""
    codes = set().union(*distinct_values(path, header, BACI, ["exporter", "importer"]).values())
    code_file, _ = find_release_file(path, COUNTRY_CODES_PREFIX)
    if code_file is None:
        found = (country_or_none(code) for code in codes)
    else:
        table = read_country_codes(code_file)
        found = (country_or_none(table[code]) for code in codes if table.get(code))
    return {iso for iso in found if iso}

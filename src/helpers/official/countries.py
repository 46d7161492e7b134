"""Countries: ISO 3166 alpha-3 codes from what users and downloads give, and BACI's code files.

Light on purpose (no pyarrow import): :mod:`helpers.analysis.official` resolves countries with it.

Rules, stated here:

* Countries are ISO 3166 alpha-3. A user gives alpha-3 (any case) or a numeric code; numeric codes
  are ISO 3166 numeric (pycountry) plus UN Comtrade's published deviations
  (:data:`UN_CODE_DEVIATIONS`). Areas such as 490 "Other Asia, nes" are not countries.
* BACI codes are not ISO numeric (842 is the USA, 251 France, 699 India): they are read through
  the release's ``country_codes_V*.csv`` next to the data. The code file of the data file's own
  release is used; else the only one there is, with an :class:`OfficialDataWarning`; several and
  none of the release is an error. Without one, codes are read as ISO numeric plus the deviations
  (the BACI reader says so with a warning).
* Product codes are checked against the release's ``product_codes_HS{rev}_V*.csv`` when there is
  one of the data file's release.
* In a zip archive the release's files are found beside the data member, in the same folder of
  the archive (:mod:`helpers.official.archive`); a member is used only once its CRC has passed.
* Side files are small: read whole, as UTF-8 or, failing that, Latin-1.
* What a download holds (:func:`country_or_none`): codes that are countries, never areas, World
  or codes no country has.
* Who is a country among the exporters and importers of a download's rows (:func:`is_country_iso3`,
  one rule for BACI and Comtrade): an ISO3 code of a country of ISO 3166-1 (pycountry), or of a former
  one of ISO 3166-3 (Netherlands Antilles ANT, Serbia and Montenegro SCG, ...: BACI's and Comtrade's
  older years hold them), never of an area. Areas have codes of no country: BACI V202501 writes
  490 "Other Asia, nes" as ``S19`` (697 "Europe EFTA, nes" ``R20``, ...), V202301 as ``N/A``,
  Comtrade as ``S19``, World as ``W00``; former ISO entries that are areas (:data:`UN_AREAS`) are
  not countries either.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.analysis.countries import FORMER_AREAS, country_entry
from helpers.errors import DataError, ParameterError, Problem
from helpers.official.formats import BACI_FILE_NAME, WHOLE_NUMBER, strict_records
from helpers.official.schema import OfficialDataWarning

if TYPE_CHECKING:
    from helpers.official.archive import ArchiveMember

    #: A file on disk, or a member of a zip archive (both offer name, parent.glob and read_bytes).
    Source = Path | ArchiveMember

#: Where UN Comtrade (and so BACI) numeric codes differ from ISO 3166 numeric.
UN_CODE_DEVIATIONS = {842: "USA", 251: "FRA", 699: "IND", 757: "CHE", 579: "NOR"}
#: Codes that are areas, not countries (536 and 849 were ISO 3166 entries once: NTZ, PUS).
UN_AREAS = {
    0: "World",
    490: "Other Asia, nes",
    899: "Areas, nes",
    839: "Special categories",
    536: "Neutral Zone",
    849: "US Misc. Pacific Isds",
}
#: Name prefixes of a BACI release's side files.
COUNTRY_CODES_PREFIX = "country_codes_"
PRODUCT_CODES_PREFIX = "product_codes_"

_ISO3 = re.compile(r"[A-Z][A-Z0-9]{2}")


def resolve_country(code_or_iso3: str | int) -> str:
    """ISO 3166 alpha-3 code of a country given as alpha-3 (any case) or as a numeric code.

    Numeric codes are ISO 3166 numeric, plus UN Comtrade's deviations (842 USA, 251 France,
    699 India, 757 Switzerland, 579 Norway). Raises :class:`ParameterError` naming the accepted
    forms for anything else, including areas such as 490 "Other Asia, nes".
    """
    import pycountry

    text = str(code_or_iso3).strip()
    found = None
    if text.isdigit():
        number = int(text)
        if number in UN_CODE_DEVIATIONS:
            return UN_CODE_DEVIATIONS[number]
        if number in UN_AREAS:
            raise ParameterError(
                f"country code {text} is {UN_AREAS[number]!r}, an area rather than a country; give a country"
            )
        found = pycountry.countries.get(numeric=f"{number:03d}")
        if found is None:
            found = _former_by_number(number)
    elif len(text) == 3 and text.isalpha():
        found = country_entry(text)
    if found is None:
        raise ParameterError(
            f"unknown country {code_or_iso3!r}: give an ISO 3166 alpha-3 country code such as IRN, IRQ, TUR, "
            "or a numeric UN Comtrade/ISO code such as 364"
        )
    return found.alpha_3


def _former_by_number(number: int) -> Any:
    """The former country (ISO 3166-3) that had numeric code ``number``, when only one had it; a code two
    had (891: Yugoslavia, then Serbia and Montenegro) is refused naming both."""
    import pycountry

    had = [c for c in pycountry.historic_countries if getattr(c, "numeric", None) == f"{number:03d}"]
    had = [c for c in had if c.alpha_3 not in FORMER_AREAS]
    if len(had) > 1:
        codes = " or ".join(sorted(c.alpha_3 for c in had))
        raise ParameterError(f"country code {number} was used by more than one former country; give {codes}")
    return had[0] if had else None


def country_or_none(code_or_iso3: str | int) -> str | None:
    """ISO3 code of a country given as :func:`resolve_country` accepts it, or None for anything that is
    not a country (areas such as 490 "Other Asia, nes" or BACI's S19, World, W00, unknown codes)."""
    try:
        return resolve_country(code_or_iso3)
    except ParameterError:
        return None


def iso_column_country(value: object) -> str | None:
    """ISO3 code of a country as a download's ISO column writes it (read stripped and in capitals, as
    the readers match it), or None: a number there names no country (the readers match ISO columns by
    their text, never as numeric codes)."""
    if not isinstance(value, str) or not _ISO3.fullmatch(value.strip().upper()):
        return None
    return country_or_none(value)


@functools.lru_cache(maxsize=4096)  # asked once per row of an importer's market
def is_country_iso3(iso3: object) -> bool:
    """Whether ``iso3`` (as a download's row or code file writes it) is the ISO3 code of a country:
    of ISO 3166-1, or a former country of ISO 3166-3 (e.g. ANT, SCG); False for areas (BACI's S19, R20,
    ``N/A``; World, W00) and anything else. The one rule for both BACI and Comtrade rows."""
    if not isinstance(iso3, str) or not _ISO3.fullmatch(iso3.strip().upper()):
        return False
    return country_entry(iso3) is not None


def numeric_codes(iso3: str) -> set[int]:
    """Numeric codes that mean ``iso3`` when no code file says otherwise (ISO numeric and UN deviations)."""
    country = country_entry(iso3)
    codes = {int(country.numeric)} if getattr(country, "numeric", None) else set()
    return codes | {code for code, iso in UN_CODE_DEVIATIONS.items() if iso == iso3}


def _shown(path: Source) -> str:
    """A side file as messages name it (an archive member as ``<archive>/<member>``)."""
    from helpers.official.archive import shown  # imported on use: this module stays light

    return shown(path)


def _parse_small_csv(raw: bytes, shown: str = "") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header (lower case) and (line, fields) rows of a small side file; UTF-8 or, failing that, Latin-1.
    A record the csv module cannot parse (an unmatched quote, text after a closing quote) is a
    :class:`DataError` naming ``shown``, the line it starts on, its column and the rule."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for first, fields in strict_records(io.StringIO(text, newline=""), shown, lambda: header):
        if not header:
            header = [h.strip().lower() for h in fields]
        elif fields and (fields[0].strip() or "".join(fields).strip()):
            rows.append((first, fields))
    return header, rows


def read_country_codes(path: Source) -> dict[int, str | None]:
    """A BACI release's country code file: numeric code -> ISO3 (None where the file has none).

    Accepts the current columns (V202501: country_code, country_name, country_iso2, country_iso3) and
    the older ones (V202301: country_code, country_name_abbreviation, country_name_full,
    iso_2digit_alpha, iso_3digit_alpha, where areas have ``N/A``).
    """
    return dict(_country_codes(_shown(path), path.read_bytes()))


@functools.lru_cache(maxsize=32)
def _country_codes(shown: str, raw: bytes) -> dict[int, str | None]:
    """:func:`read_country_codes` of a file's bytes, parsed once per content (a copy is handed out)."""
    header, rows = _parse_small_csv(raw, shown)
    iso_col = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in header), None)
    if "country_code" not in header or iso_col is None:
        raise DataError(
            shown,
            Problem(
                "expected columns country_code, country_name, country_iso2, country_iso3 (or the older "
                "country_code, country_name_abbreviation, country_name_full, iso_2digit_alpha, iso_3digit_alpha)",
                line=1,
                value=", ".join(header),
            ),
        )
    at_code, at_iso = header.index("country_code"), header.index(iso_col)
    codes: dict[int, str | None] = {}
    for line, fields in rows:
        if len(fields) != len(header):
            raise DataError(shown, Problem(f"row has {len(fields)} fields, header has {len(header)}", line=line))
        code = fields[at_code].strip()
        if not WHOLE_NUMBER.match(code):
            raise DataError(shown, Problem("must be a whole number", line=line, column="country_code", value=code))
        iso = fields[at_iso].strip().upper()
        codes[int(code)] = iso if _ISO3.fullmatch(iso) else None
    return codes


def read_product_codes(path: Source) -> set[str]:
    """HS6 codes of a BACI release's product file (column ``code``), as 6-character text."""
    return set(product_codes(path))


def product_codes(path: Source) -> frozenset[str]:
    """:func:`read_product_codes`, parsed once per content of the file (the bytes are read each time)."""
    return _product_codes(_shown(path), path.read_bytes())


@functools.lru_cache(maxsize=32)
def _product_codes(shown: str, raw: bytes) -> frozenset[str]:
    header, rows = _parse_small_csv(raw, shown)
    if "code" not in header:
        raise DataError(shown, Problem("expected columns code, description", line=1, value=", ".join(header)))
    at = header.index("code")
    return frozenset(fields[at].strip().zfill(6) for _, fields in rows if len(fields) > at)


def find_release_file(data_file: Source, prefix: str, rev: str | None = None) -> tuple[Source | None, str | None]:
    """The release's side file next to a BACI file (in its folder, or its folder inside a zip archive),
    without warning: ``(file, note)``.

    The side file of the data file's own release when there is one; for country codes, else the only
    one there is, with ``note`` the warning to give about it. Several country code files and none of
    the release is a :class:`DataError`. ``(None, None)`` when there is no usable file.
    """
    name = BACI_FILE_NAME.match(data_file.name)
    version = name["version"] if name else None
    stem = f"{prefix}HS{rev}_" if rev else prefix
    candidates = _candidates(data_file.parent, f"{stem}V*.csv")
    if version:
        exact = [p for p in candidates if p.name.lower() == f"{stem}V{version}.csv".lower()]
        if exact:
            return exact[0], None
    if prefix != COUNTRY_CODES_PREFIX or not candidates:
        return None, None
    if len(candidates) > 1:
        raise DataError(
            _shown(data_file),
            Problem(
                f"several country code files ({', '.join(p.name for p in candidates)}) and none of this file's "
                "release; keep the one that belongs to it"
            ),
        )
    note = f"{data_file.name}: using {candidates[0].name}, which is not of release V{version}" if version else None
    return candidates[0], note


_LOOKUPS = threading.local()


@contextlib.contextmanager
def side_files_listed_once() -> Iterator[None]:
    """While the block runs (one question over the files of a download), each folder is searched for
    side files of a name pattern once, on this thread: a question reads many yearly files of one
    release, each of which looks for the same code files. Nested blocks share the outer one's list."""
    outer = getattr(_LOOKUPS, "found", None)
    _LOOKUPS.found = {} if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            _LOOKUPS.found = None


def _candidates(folder, pattern: str) -> list:
    """The files of ``folder`` (on disk or in an archive) whose names match ``pattern``, sorted."""
    found = getattr(_LOOKUPS, "found", None)
    if found is None:
        return sorted(folder.glob(pattern))
    key = (folder, pattern)
    if key not in found:
        found[key] = sorted(folder.glob(pattern))
    return list(found[key])


def baci_side_file(data_file: Source, prefix: str, rev: str | None = None) -> Source | None:
    """The release's side file next to a BACI file (see :func:`find_release_file`), warning when it is
    not of the data file's release."""
    found, note = find_release_file(data_file, prefix, rev)
    if note:
        warnings.warn(note, OfficialDataWarning, stacklevel=2)
    return found


def release_code_files(data_file: Source) -> list[Source]:
    """The country and product code files the BACI reader would use for ``data_file`` (none for a file
    that has none next to it); a choice that would be an error gives no file here, the read says why."""
    try:
        country, _ = find_release_file(data_file, COUNTRY_CODES_PREFIX)
    except DataError:
        country = None
    name = BACI_FILE_NAME.match(data_file.name)
    product = find_release_file(data_file, PRODUCT_CODES_PREFIX, name["rev"])[0] if name else None
    return [p for p in (country, product) if p is not None]

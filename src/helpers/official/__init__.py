"""Read UN Comtrade and CEPII BACI downloads for any country pair, at full scale.

Three download formats are recognised from their header line: the current UN Comtrade API / bulk
files, the older Comtrade export and CEPII BACI's yearly files, alone, in a folder or in a zip
archive (a BACI release as CEPII publishes it). :func:`read_flows` returns the trade between two
countries, both directions, as one frame of :data:`FLOW_COLUMNS`; :func:`read_imports` every
country's exports to one importer; :func:`download_countries` says which countries a download
holds; :func:`prepare` reads each file once into its all-pairs extract; :func:`origin_records` and
:func:`release_label` say where a download comes from.

Each module states the rules it carries out:

* :mod:`~helpers.official.schema` -- the flows frame: columns, types, HS levels (light: no pyarrow);
* :mod:`~helpers.official.formats` -- the formats' columns and how a header is recognised;
* :mod:`~helpers.official.countries` -- ISO 3166 codes, UN deviations and areas, BACI's code files;
* :mod:`~helpers.official.codes` -- HS codes kept as text, one HS level per sum;
* :mod:`~helpers.official.archive` -- zip archives read in place: members streamed, CRC checked;
* :mod:`~helpers.official.stream` -- pyarrow streaming filtered to the pair, damaged rows located;
* :mod:`~helpers.official.comtrade`, :mod:`~helpers.official.baci` -- one file of each format;
* :mod:`~helpers.official.store` -- the pair cache, keyed by content; remembered file digests;
* :mod:`~helpers.official.extracts` -- all-pairs extracts: each file read once, every question answered from them;
* :mod:`~helpers.official.origin` -- origin records of a download (producer, release, sizes, SHA-256, licence);
* :mod:`~helpers.official.read` -- :func:`read_flows` over files, folders and archives, overlaps
  between files; :func:`download_countries`;
* :mod:`~helpers.official.samples` -- small synthetic downloads in the real layouts.

The names below are imported from their modules on first use, so importing a light module (e.g.
``helpers.official.schema``) does not load the readers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpers.official.archive import ArchiveMember
    from helpers.official.countries import numeric_codes, read_country_codes, read_product_codes, resolve_country
    from helpers.official.formats import FORMATS, Field, Format, detect_format, read_header
    from helpers.official.origin import origin_records, release_label
    from helpers.official.read import data_files, download_countries, prepare, read_flows, read_imports
    from helpers.official.schema import COMTRADE_SOURCES, FLOW_COLUMNS, GROUP_KEYS, LEVELS, OfficialDataWarning

#: Public name -> the module of this package that defines it.
_EXPORTS = {
    "FORMATS": "formats",
    "Field": "formats",
    "Format": "formats",
    "detect_format": "formats",
    "read_header": "formats",
    "LEVELS": "schema",
    "FLOW_COLUMNS": "schema",
    "GROUP_KEYS": "schema",
    "COMTRADE_SOURCES": "schema",
    "OfficialDataWarning": "schema",
    "resolve_country": "countries",
    "numeric_codes": "countries",
    "read_country_codes": "countries",
    "read_product_codes": "countries",
    "data_files": "read",
    "read_flows": "read",
    "download_countries": "read",
    "read_imports": "read",
    "prepare": "read",
    "origin_records": "origin",
    "release_label": "origin",
    "ArchiveMember": "archive",
}

__all__ = [
    "FORMATS",
    "Field",
    "Format",
    "detect_format",
    "read_header",
    "LEVELS",
    "FLOW_COLUMNS",
    "GROUP_KEYS",
    "COMTRADE_SOURCES",
    "OfficialDataWarning",
    "resolve_country",
    "numeric_codes",
    "read_country_codes",
    "read_product_codes",
    "data_files",
    "read_flows",
    "download_countries",
    "read_imports",
    "prepare",
    "origin_records",
    "release_label",
    "ArchiveMember",
]


def __getattr__(name: str) -> object:
    """A public name, imported from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names and the public names not imported yet."""
    return sorted(set(globals()) | set(__all__))

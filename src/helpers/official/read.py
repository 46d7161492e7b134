"""The public reader: :func:`read_flows` over one download or a folder of them, for any country pair.

Rules, stated here:

* A folder is read one file at a time, in name order: CSV/TSV/TXT files (gzip-compressed too);
  BACI's ``country_codes_*``/``product_codes_*`` side files, readme files and hidden files are not
  data (:func:`data_files`). Each file's format is told from its header (see
  :mod:`helpers.official.formats`) and it is read by that format's reader
  (:mod:`helpers.official.comtrade`, :mod:`helpers.official.baci`), through the extract cache
  (:mod:`helpers.official.store`).
* Nothing is counted twice across files: the same flow found in two files (two HS revisions, two
  BACI releases, overlapping downloads) is an error, and so is one flow at different HS levels.
  Comtrade's current and legacy files count as one source here: both carry the same reports.
* Assumptions the reader should know of (no code file, a level a file lacks, no trade found) are
  :class:`~helpers.official.schema.OfficialDataWarning`; broken files are
  :class:`helpers.errors.DataError`; bad arguments :class:`helpers.errors.ParameterError`.
"""

from __future__ import annotations

import functools
import re
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from helpers.config import display_path
from helpers.errors import DataError, ParameterError, Problem
from helpers.official.baci import read_baci_file
from helpers.official.comtrade import read_comtrade_file
from helpers.official.countries import resolve_country
from helpers.official.formats import BACI, Format, Header, expected_formats, format_of, read_header
from helpers.official.schema import LEVELS, OfficialDataWarning, empty_flows, typed_flows
from helpers.official.store import cached_extract

_DATA_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz", ".tsv", ".tsv.gz")
_SIDE_FILES = re.compile(r"^(country_codes_|product_codes_|readme)", re.I)
_SORT = ["source", "year", "exporter", "importer", "flow", "hs_code"]


def data_files(path: Path | str) -> list[Path]:
    """The download files ``read_flows`` reads at ``path``: the file itself, or a folder's data files.

    In a folder, CSV/TSV/TXT files (gzip-compressed too) are taken in name order; BACI's
    ``country_codes_*``/``product_codes_*`` side files, readme files and hidden files are not data.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(display_path(path), Problem("file or folder not found"))
    if path.is_file():
        return [path]
    files = sorted(p for p in path.iterdir() if _is_data_file(p))
    if not files:
        raise DataError(
            display_path(path), Problem(f"no download files in the folder; expected one of: {expected_formats()}")
        )
    return files


def _is_data_file(path: Path) -> bool:
    """A folder entry that is a download: a file of a data suffix, not a side, readme or hidden file."""
    return (
        path.is_file()
        and path.name.lower().endswith(_DATA_SUFFIXES)
        and not _SIDE_FILES.match(path.name)
        and not path.name.startswith((".", "~$"))
    )


def read_file(path: Path, header: Header, fmt: Format, first: str, second: str, level: str) -> pd.DataFrame:
    """One file's flows between ``first`` and ``second`` (ISO3) at ``level``, by its format's reader;
    no cache (``header`` and ``fmt`` from :func:`~helpers.official.formats.read_header` and
    :func:`~helpers.official.formats.format_of`)."""
    if fmt is BACI:
        return read_baci_file(path, header, first, second, level)
    return read_comtrade_file(path, header, fmt, first, second, level)


def _progress(files: list[Path], show: bool | None) -> Iterable[Path]:
    """The files, with a progress bar on stderr when there are several (or as ``show`` says)."""
    hidden = len(files) < 2 if show is None else not show
    return tqdm(files, desc="files", unit="file", file=sys.stderr, disable=hidden, leave=True, dynamic_ncols=True)


def _pair(reporter: str, partner: str, level: str) -> tuple[str, str]:
    """The two countries as ISO3, after checking the level; the same country twice is refused."""
    if level not in LEVELS:
        raise ParameterError(f"level {level!r} must be one of: {', '.join(LEVELS)}")
    first, second = resolve_country(reporter), resolve_country(partner)
    if first == second:
        raise ParameterError(f"reporter and partner are the same country ({first}); give two countries")
    return first, second


def read_flows(
    path: Path | str, reporter: str, partner: str, level: str = "chapter", progress: bool | None = None
) -> pd.DataFrame:
    """Trade between two countries, both directions, from Comtrade or BACI downloads at ``path``.

    ``path`` is one file or a folder of files (read one at a time, with a progress bar on stderr
    when there are several; ``progress=False`` hides it, e.g. in stored notebook outputs);
    ``reporter`` and ``partner`` are ISO3 codes (e.g. IRN, IRQ); which is which does not matter,
    both directions are returned. ``level`` ("chapter", "4" or "6") is the HS level summed (see
    :mod:`helpers.official.codes`). Assumptions the reader should know of (no code file, a level a
    file lacks, no trade found) are reported as :class:`OfficialDataWarning`.

    Returns one row per source, year, exporter, importer, reporting side, flow and HS code with
    columns :data:`~helpers.official.schema.FLOW_COLUMNS`: ``source`` (comtrade | comtrade_legacy |
    baci), ``year``, ``exporter``, ``importer`` (ISO3), ``reported_by`` (exporter | importer |
    reconciled), ``flow`` (X, M, RX, RM or reconciled), ``hs_chapter`` (2-character text; empty for
    TOTAL rows), ``hs_code`` (text at the requested level, or TOTAL), ``value_usd`` (USD) and
    ``file`` (name).
    """
    first, second = _pair(reporter, partner, level)
    frames = []
    for file in _progress(data_files(path), progress):
        header = read_header(file)  # a bounded read: a file that is no download is refused before it is hashed
        reader = functools.partial(read_file, file, header, format_of(header, display_path(file)), first, second, level)
        frames.append(cached_extract(file, first, second, level, reader))
    flows = typed_flows(pd.concat(frames, ignore_index=True) if frames else empty_flows())
    _check_overlaps(flows, display_path(Path(path)))
    if flows.empty:
        warnings.warn(
            f"no trade between {first} and {second} in {display_path(Path(path))}", OfficialDataWarning, stacklevel=2
        )
    return flows.sort_values(_SORT, ignore_index=True)


def _check_overlaps(flows: pd.DataFrame, shown: str) -> None:
    """The same flow from two files (two releases, HS revisions or overlapping downloads) is an error.

    Comtrade's current and legacy files count as one source here: both carry the same reports.
    Files that split one flow by HS code are fine if they use the same level.
    """
    if flows.empty:
        return
    digits = flows["hs_code"].str.len().where(flows["hs_code"] != "TOTAL", 0)
    frame = flows.assign(family=flows["source"].replace({"comtrade_legacy": "comtrade"}), digits=digits)
    group = ["family", "year", "exporter", "importer", "reported_by", "flow"]
    twice = frame[frame.duplicated(group + ["hs_code"], keep=False)]
    mixed = frame[frame.groupby(group)["digits"].transform("nunique") > 1]
    bad, what = (twice, "the same flow") if not twice.empty else (mixed, "the same flow at different HS levels")
    if bad.empty:
        return
    first = bad.iloc[0]
    files = sorted(set(bad.loc[(bad[group] == first[group]).all(axis=1), "file"]))
    raise DataError(
        shown,
        Problem(
            f"{what} ({first['family']} {first['year']} {first['exporter']}->{first['importer']} {first['flow']}) "
            f"is in {' and '.join(files)}: two releases, HS revisions or overlapping downloads would be counted "
            "twice; keep one"
        ),
    )

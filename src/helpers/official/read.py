"""The public readers: :func:`read_flows` over one download, a folder of them or a zip archive, for any
country pair; :func:`download_countries`, the countries a download holds.

Rules, stated here:

* A folder is read one file at a time, in name order: CSV/TSV/TXT files (gzip-compressed too);
  BACI's ``country_codes_*``/``product_codes_*`` side files, readme files and hidden files are not
  data (:func:`data_files`). A ``.zip`` (a BACI release as CEPII publishes it) is read the same
  way, member by member, streamed from the archive and never unpacked (see
  :mod:`helpers.official.archive`). Each file's format is told from its header (see
  :mod:`helpers.official.formats`) and it is read by that format's reader
  (:mod:`helpers.official.comtrade`, :mod:`helpers.official.baci`), once, into its all-pairs
  extract (:mod:`helpers.official.extracts`), from which every question is answered: a pair
  (:func:`read_flows`), an importer's imports from all partners (:func:`read_imports`). BACI files
  at HS levels "4" and "6", and Comtrade API responses saved as JSON, are read per pair through
  the pair cache (:mod:`helpers.official.store`). :func:`prepare` builds a download's extracts
  ahead (the runner does, before any kernel starts).
* Nothing is counted twice across files: the same flow found in two files (two HS revisions, two
  BACI releases, overlapping downloads) is an error, and so is one flow at different HS levels, and
  one year and flow in two HS revisions whatever HS codes each file holds (an error naming both
  files; in one Comtrade file, naming its lines). One revision's flow split across files by HS
  code, and different revisions in different years, are read. Comtrade's current and legacy files
  count as one source here: both carry the same reports. A download holds at most one BACI yearly
  file a year, by the files' names (two releases or HS revisions of one year, whatever each holds, or
  one file found twice: an error naming both, :func:`check_one_baci_file_a_year`), checked by
  :func:`prepare` before a file is read, and by the readers after the flows' own checks.
* What a download holds (:func:`download_countries`): the ISO3 codes of every country that reports
  or is a partner (Comtrade), exports or imports (BACI) in any of its files, areas and World left
  out; streamed like the reads, and kept in the extract cache the same way.
* Assumptions the reader should know of (no code file, a level a file lacks, no trade found) are
  :class:`~helpers.official.schema.OfficialDataWarning`; broken files are
  :class:`helpers.errors.DataError`; bad arguments :class:`helpers.errors.ParameterError`.
"""

from __future__ import annotations

import functools
import re
import sys
import warnings
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from helpers.config import display_path
from helpers.errors import DataError, ParameterError, Problem
from helpers.official.archive import ArchiveMember, archive_members, is_archive, shown, source_header
from helpers.official.baci import baci_countries, read_baci_file
from helpers.official.comtrade import read_comtrade_file
from helpers.official.comtrade_json import comtrade_json_countries, read_comtrade_json
from helpers.official.countries import country_or_none, iso_column_country, resolve_country, side_files_listed_once
from helpers.official.extracts import (
    Flows,
    comtrade_importer_flows,
    extract_ahead,
    flows_frame,
    importer_parts,
    pair_parts,
    sorted_flows,
)
from helpers.official.formats import (
    BACI,
    BACI_FILE_NAME,
    JSON_SUFFIXES,
    Format,
    Header,
    baci_revision,
    check_json_start,
    expected_formats,
    format_of,
    is_json,
)
from helpers.official.schema import LEVELS, REVISION_KEYS, REVISIONS, OfficialDataWarning, revisions_of
from helpers.official.store import cached_countries, cached_extract
from helpers.official.stream import Source, distinct_values

#: Names of the files of a folder that are read as downloads (a reader of another format, e.g.
#: Comtrade JSON, adds its suffixes here and its dispatch in :func:`read_download_file` and
#: :func:`download_file_countries`).
DATA_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz", ".tsv", ".tsv.gz", *JSON_SUFFIXES)
#: Spreadsheet workbooks (UN Comtrade's website offers Excel beside CSV): refused, saying to download CSV.
WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods")
AS_CSV = (
    "download the data as CSV (UN Comtrade's website offers CSV beside Excel), or give the CSV file the workbook was "
    "made from; a sheet saved again as CSV may have lost leading zeros of HS codes"
)
#: Why one file found twice (two folders of an archive, a release unpacked twice) is refused.
_FILE_TWICE = (
    "the download holds that file twice (e.g. in two folders of the archive, or one release unpacked twice); "
    "summed, it would be counted twice; keep one copy"
)
_SIDE_FILES = re.compile(r"^(country_codes_|product_codes_|readme)", re.I)
#: The order of the rows :func:`read_flows` and :func:`read_imports` return.
FLOWS_ORDER = ["source", "year", "exporter", "importer", "flow", "hs_code"]


def data_files(path: Path | str) -> list[Path | ArchiveMember]:
    """The download files ``read_flows`` reads at ``path``: the file itself, a folder's data files or a
    zip archive's data members (:class:`~helpers.official.archive.ArchiveMember`, read in place).

    In a folder, CSV/TSV/TXT files (gzip-compressed too) are taken in name order; in an archive,
    CSV/TSV/TXT members in any of its folders, in name order. BACI's
    ``country_codes_*``/``product_codes_*`` side files, readme files and hidden files are not data.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(display_path(path), Problem("file or folder not found"))
    if path.is_file():
        if _is_workbook(path):
            raise DataError(display_path(path), Problem(f"a spreadsheet workbook is not read: {AS_CSV}"))
        return list(archive_members(path)) if is_archive(path) else [path]
    files = sorted(p for p in path.iterdir() if _is_data_file(p))
    if not files:
        archives = sorted(p.name for p in path.iterdir() if p.is_file() and is_archive(p))
        workbooks = sorted(p.name for p in path.iterdir() if p.is_file() and _is_workbook(p))
        hint = f"; to read {archives[0]}, give the archive itself" if archives else _subfolder_hint(path)
        if workbooks and not hint:
            hint = f"; {workbooks[0]} is a spreadsheet workbook, which is not read: {AS_CSV}"
        raise DataError(
            display_path(path),
            Problem(f"no download files in the folder{hint}; expected one of: {expected_formats()}"),
        )
    return files


def _is_workbook(path: Path) -> bool:
    """A spreadsheet workbook (:data:`WORKBOOK_SUFFIXES`), by its name."""
    return path.name.lower().endswith(WORKBOOK_SUFFIXES)


def _subfolder_hint(path: Path) -> str:
    """For a folder without download files: its sub-folders that hold some (an unpacked BACI release keeps its
    files in a folder of its own), named so that the user can give one; empty when none does."""
    holding = sorted(
        sub.name
        for sub in path.iterdir()
        if sub.is_dir() and not sub.name.startswith(".") and any(_is_data_file(p) for p in sub.iterdir())
    )
    if not holding:
        return ""
    listed = ", ".join(holding[:3]) + (", ..." if len(holding) > 3 else "")
    return (
        f"; its sub-folder(s) {listed} hold download files (sub-folders are not read): give the one to read, "
        f"e.g. {display_path(path)}/{holding[0]}"
    )


def _is_data_file(path: Path) -> bool:
    """A folder entry that is a download: a file of a data suffix, not a side, readme or hidden file."""
    return (
        path.is_file()
        and path.name.lower().endswith(DATA_SUFFIXES)
        and not _SIDE_FILES.match(path.name)
        and not path.name.startswith((".", "~$"))
    )


def read_file(path: Source, header: Header, fmt: Format, first: str, second: str, level: str) -> pd.DataFrame:
    """One file's flows between ``first`` and ``second`` (ISO3) at ``level``, by its format's reader;
    no cache (``header`` and ``fmt`` from :func:`~helpers.official.archive.source_header` and
    :func:`~helpers.official.formats.format_of`).

    The dispatch point from a format to its reader: BACI to :func:`read_baci_file`, every other
    format (Comtrade's layouts) to :func:`read_comtrade_file`.
    """
    if fmt is BACI:
        return read_baci_file(path, header, first, second, level)
    return read_comtrade_file(path, header, fmt, first, second, level)


def file_countries(path: Source, header: Header, fmt: Format) -> set[str]:
    """ISO3 codes of the countries one file holds, areas and World left out; no cache.

    The dispatch point from a format to its countries: BACI's exporters and importers through the
    release's code file (:func:`baci_countries`); for Comtrade's layouts, reporters and partners by
    the file's ISO columns when it has both, else by their numeric codes.
    """
    if fmt is BACI:
        return baci_countries(path, header)
    present = fmt.positions(header.names)
    keys = ["reporter_iso", "partner_iso"] if {"reporter_iso", "partner_iso"} <= present.keys() else None
    values = distinct_values(path, header, fmt, keys or ["reporter", "partner"])
    named = iso_column_country if keys else country_or_none
    found = (named(value) for value in set().union(*values.values()))
    return {iso for iso in found if iso}


def _progress(files: list[Source], show: bool | None) -> Iterable[Source]:
    """The files, with a progress bar on stderr when there are several (or as ``show`` says)."""
    hidden = len(files) < 2 if show is None else not show
    if hidden:
        return files  # no bar at all (a disabled bar still costs a lock)
    return tqdm(files, desc="files", unit="file", file=sys.stderr, disable=hidden, leave=True, dynamic_ncols=True)


def _pair(reporter: str, partner: str, level: str) -> tuple[str, str]:
    """The two countries as ISO3, after checking the level; the same country twice is refused."""
    if level not in LEVELS:
        raise ParameterError(f"level {level!r} must be one of: {', '.join(LEVELS)}")
    first, second = resolve_country(reporter), resolve_country(partner)
    if first == second:
        raise ParameterError(f"reporter and partner are the same country ({first}); give two countries")
    return first, second


@side_files_listed_once()
def read_flows(
    path: Path | str, reporter: str, partner: str, level: str = "chapter", progress: bool | None = None
) -> pd.DataFrame:
    """Trade between two countries, both directions, from Comtrade or BACI downloads at ``path``.

    ``path`` is one file, a folder of files or a zip archive such as a BACI release as CEPII
    publishes it (read one file at a time, members streamed from the archive, with a progress bar
    on stderr when there are several; ``progress=False`` hides it, e.g. in stored notebook outputs);
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
    files = data_files(path)
    parts = [download_part(file, first, second, level) for file in _progress(files, progress)]
    flows = _checked_and_sorted(parts, display_path(Path(path)))
    check_one_baci_file_a_year(files, display_path(Path(path)))
    if flows.empty:
        warnings.warn(
            f"no trade between {first} and {second} in {display_path(Path(path))}", OfficialDataWarning, stacklevel=2
        )
    return flows


def _checked_and_sorted(parts: list[pd.DataFrame | Flows], shown: str) -> pd.DataFrame:
    """The files' flows as one frame, no flow counted twice (:func:`_check_overlaps`), sorted; BACI
    files' flows at chapter level are joined and checked as arrays (:func:`sorted_flows`)."""
    fast = sorted_flows(parts)
    if fast is not None:
        return fast
    revisions = _comtrade_revisions(parts)  # kept with each Comtrade file's frame, lost when they are joined
    flows = flows_frame(parts)
    _check_overlaps(flows, shown, revisions)
    return flows.sort_values(FLOWS_ORDER, ignore_index=True)


def _comtrade_revisions(parts: list[pd.DataFrame | Flows]) -> pd.DataFrame:
    """The HS revision of each figure of the Comtrade files' frames (:func:`~helpers.official.schema.revisions_of`),
    with its file: columns ``file`` and :data:`~helpers.official.schema.REVISION_KEYS`."""
    frames = [
        revisions_of(part).assign(file=str(part["file"].iloc[0]))
        for part in parts
        if isinstance(part, pd.DataFrame) and len(part) and part.attrs.get(REVISIONS)
    ]
    if not frames:
        return pd.DataFrame(columns=["file", *REVISION_KEYS])
    return pd.concat(frames, ignore_index=True)


@side_files_listed_once()
def download_countries(path: Path | str) -> list[str]:
    """ISO3 codes of every country that appears in the download at ``path``, sorted.

    ``path`` is what :func:`read_flows` reads: a file, a folder of files or a zip archive. A country
    appears when it reports or is a partner in a Comtrade file, or exports or imports in a BACI file
    (through the release's code file); areas (e.g. "Other Asia, nes") and World are left out. Files
    are streamed as by :func:`read_flows` (bounded memory), and a broken one is the same
    :class:`DataError`; each file's answer is kept in the extract cache, keyed by its content.
    """
    return sorted(set().union(*(download_file_countries(file) for file in data_files(path))))


def read_download_file(file: Source, first: str, second: str, level: str) -> pd.DataFrame:
    """One download file's flows between ``first`` and ``second`` (ISO3) at ``level``, through the
    extract cache: the dispatch point of :func:`read_flows` for one file (a format told by other than
    its header line, e.g. a Comtrade JSON response, is dispatched here).

    The header is read first (a bounded read): a file that is no download is refused before it is hashed.
    """
    part = download_part(file, first, second, level)
    return part.frame() if isinstance(part, Flows) else part


def download_part(file: Source, first: str, second: str, level: str) -> pd.DataFrame | Flows:
    """:func:`read_download_file`, a BACI file's flows at chapter level as :class:`Flows` (joined with
    the other files' before a frame is made)."""
    if is_json(file):  # a saved API response: no header line; checked by a bounded read, then parsed whole
        check_json_start(file)
        return cached_extract(
            file, first, second, level, functools.partial(read_comtrade_json, file, first, second, level)
        )
    header = source_header(file)
    fmt = format_of(header, functools.partial(shown, file))
    if fmt is not BACI or level == "chapter":
        return pair_parts(file, header, fmt, first, second, level)
    reader = functools.partial(read_file, file, header, fmt, first, second, level)
    return cached_extract(file, first, second, level, reader)


@side_files_listed_once()
def read_imports(path: Path | str, importer: str, level: str = "chapter", progress: bool | None = None) -> pd.DataFrame:
    """Every country's exports to ``importer`` (ISO3) in the download at ``path``, by year and HS code,
    from the all-pairs extracts (built on first use, never reread after): one row per source, year,
    exporter, reporting side (``reported_by``: exporter, importer or reconciled), flow and HS code, as
    :data:`~helpers.official.schema.FLOW_COLUMNS` (``importer`` is always ``importer``). World and
    areas are left out, by one rule for BACI and Comtrade (:func:`~helpers.official.countries.is_country_iso3`):
    490 "Other Asia, nes" is not a supplier whether the BACI code file writes it ``S19`` (V202501) or
    ``N/A`` (V202301), nor Comtrade's ``S19``; former countries (ANT, SCG, ...) are suppliers. So the
    market these rows add up to (:mod:`helpers.analysis.market`) is of countries, areas never added
    in. ``level`` as in :func:`read_flows` (BACI extracts are at chapter level)."""
    if level not in LEVELS:
        raise ParameterError(f"level {level!r} must be one of: {', '.join(LEVELS)}")
    if level != "chapter" and any(_format_of_file(f) is BACI for f in data_files(path)):
        raise ParameterError(
            "BACI extracts are at chapter level: read_imports of a BACI download takes level='chapter'"
        )
    iso = resolve_country(importer)
    files = data_files(path)
    parts = [file_imports(file, iso, level) for file in _progress(files, progress)]
    flows = _checked_and_sorted(parts, display_path(Path(path)))
    check_one_baci_file_a_year(files, display_path(Path(path)))
    return flows


def _format_of_file(file: Source) -> Format | None:
    return None if is_json(file) else format_of(source_header(file), functools.partial(shown, file))


def file_imports(file: Source, importer: str, level: str) -> pd.DataFrame | Flows:
    """One file's flows into ``importer`` (see :func:`read_imports`)."""
    if is_json(file):
        from helpers.official.comtrade_json import table_batch
        from helpers.official.formats import COMTRADE

        check_json_start(file)
        names, rows, locate = table_batch(file)
        return comtrade_importer_flows(file, rows, COMTRADE, names, importer, level, locate)
    header = source_header(file)
    return importer_parts(file, header, format_of(header, functools.partial(shown, file)), importer, level)


@side_files_listed_once()
def prepare(path: Path | str, progress: bool | None = None) -> int:
    """Build the all-pairs extract of every file of the download at ``path`` that has none yet (one
    read of each, with a bar per file on a terminal); return how many files the download has. The
    runner calls this before any kernel starts, so the kernels only read extracts. Comtrade API
    responses saved as JSON have no extract (they are read per pair, through the pair cache). Each
    file's table is assembled and stored while the next file is read; every one is stored when this
    returns."""
    files = data_files(path)
    check_one_baci_file_a_year(files, display_path(Path(path)))  # by the names: before a file is read
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract-finish") as finishing:
        pending: deque[Future] = deque()  # tables assembled and stored while the next file is read
        for file in files:
            if not is_json(file):
                header = source_header(file)
                fmt = format_of(header, functools.partial(shown, file))
                built = extract_ahead(file, header, fmt, progress, finishing)
                if isinstance(built, Future):
                    pending.append(built)
                while len(pending) > 1:
                    pending.popleft().result()
        while pending:
            pending.popleft().result()
    return len(files)


def download_file_countries(file: Source) -> set[str]:
    """The countries one download file holds, through the cache: the dispatch point of
    :func:`download_countries` for one file (as :func:`read_download_file` is of :func:`read_flows`)."""
    if is_json(file):
        check_json_start(file)
        return cached_countries(file, functools.partial(comtrade_json_countries, file))
    header = source_header(file)
    fmt = format_of(header, functools.partial(shown, file))
    return cached_countries(file, functools.partial(file_countries, file, header, fmt))


def check_one_baci_file_a_year(files: list[Source], shown_as: str) -> None:
    """A download holds at most one BACI yearly file a year (by the files' names,
    :data:`~helpers.official.formats.BACI_FILE_NAME`): two releases (``V202301`` and ``V202501``) or two HS
    revisions of one year are each the whole world's trade of that year, so summed they count it twice,
    whichever pairs and products each file holds. An error naming both files; one file found twice (two
    folders of an archive, a release unpacked twice) is said to be there twice."""
    seen: dict[int, Source] = {}
    for file in files:
        found = BACI_FILE_NAME.match(file.name)
        if not found:
            continue
        year = int(found["year"])
        other = seen.setdefault(year, file)
        if other is file:
            continue
        if other.name == file.name:
            rule = (
                f"BACI year {year} is in two files named {file.name} ({shown(other)} and {shown(file)}): {_FILE_TWICE}"
            )
        else:
            first, last = sorted((other.name, file.name))
            rule = (
                f"BACI year {year} is in {first} and {last}: two releases or HS revisions of one year each hold "
                "that year's whole trade, so summed it would be counted twice; keep one file a year"
            )
        raise DataError(shown_as, Problem(rule))


def _check_overlaps(flows: pd.DataFrame, shown: str, revisions: pd.DataFrame | None = None) -> None:
    """The same flow from two files (two releases, HS revisions or overlapping downloads) is an error.

    Comtrade's current and legacy files count as one source here: both carry the same reports.
    Files that split one flow by HS code are fine if they use the same level and the same HS
    revision: the same year and flow in two revisions (a BACI file's by its name, a Comtrade figure's
    from ``revisions``: columns ``file`` and :data:`~helpers.official.schema.REVISION_KEYS`) is an
    error naming both files, whatever HS codes each holds. Different revisions in different years
    are fine.
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
        _check_one_revision_a_flow(frame, group, revisions, shown)
        return
    first = bad.iloc[0]
    files = sorted(set(bad.loc[(bad[group] == first[group]).all(axis=1), "file"]))
    flow = f"{first['family']} {first['year']} {first['exporter']}->{first['importer']} {first['flow']}"
    if len(files) == 1:  # one file's own rows are checked by its reader: two files of one name
        raise DataError(
            shown,
            Problem(f"{what} ({flow}) is in two files named {files[0]}: {_FILE_TWICE}"),
        )
    raise DataError(
        shown,
        Problem(
            f"{what} ({flow}) is in {' and '.join(files)}: two releases, HS revisions or overlapping downloads would "
            "be counted twice; keep one"
        ),
    )


def _check_one_revision_a_flow(frame: pd.DataFrame, group: list[str], revisions: pd.DataFrame | None, shown: str):
    """The same flow (``group``) of files of two HS revisions is an error naming the files (see
    :func:`_check_overlaps`)."""
    in_files = frame.groupby(group, dropna=False)["file"].transform("nunique") > 1
    if not in_files.any():
        return  # a flow in one file: that file's reader checked its revisions
    frame = frame[in_files]
    baci = (frame["source"] == "baci").to_numpy()
    revision = pd.Series(None, index=frame.index, dtype=object)
    revision[baci] = [baci_revision(str(name)) for name in frame.loc[baci, "file"]]
    keys = ["file", "year", "exporter", "importer", "reported_by", "flow"]
    if revisions is not None and len(revisions):
        stated = revisions[revisions["revision"].fillna("") != ""].drop_duplicates(keys)
        stated = stated.astype({"year": "int64", **{k: "string" for k in keys if k != "year"}})
        found = frame[keys].merge(stated, on=keys, how="left")["revision"].astype(object)
        found = pd.Series(found.where(found.notna(), None).to_numpy(dtype=object), index=frame.index)
        revision = revision.where(revision.notna(), found)
    frame = frame.assign(revision=revision)[revision.notna().to_numpy()]
    two = frame[frame.groupby(group, dropna=False)["revision"].transform("nunique") > 1]
    if two.empty:
        return
    first = two.iloc[0]
    rows = two[(two[group] == first[group]).all(axis=1)]
    where = sorted({(str(r), str(f)) for r, f in zip(rows["revision"], rows["file"])})
    raise DataError(
        shown,
        Problem(
            f"the same flow ({first['family']} {first['year']} {first['exporter']}->{first['importer']} "
            f"{first['flow']}) is in two HS revisions: {' and '.join(f'{r} in {f}' for r, f in where)}; summed, "
            "one trade would be counted twice whatever HS codes each file holds; keep one revision for a year"
        ),
    )

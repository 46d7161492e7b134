"""The flows frame every official reader returns, declared once: its columns, types and HS levels.

This module is light on purpose: it imports neither pyarrow nor any reader, so
:mod:`helpers.analysis.official` can import the column lists without loading the streaming code.

Rules, stated here:

* The frame has the columns :data:`FLOW_COLUMNS`, in that order: text as pandas strings, ``year``
  int64, ``value_usd`` float64 (see :func:`typed_flows`).
* ``level`` is one of :data:`LEVELS`; it says how many digits of the HS codes are summed.
* A file's rows are summed to one row per source, year, direction, reporting side, flow and HS code
  (:func:`sum_by_code`); the ``file`` column names the file they came from.
* The HS revision of each of a Comtrade file's figures (``classificationCode``, e.g. H5) is not a
  column: it rides with the file's frame as ``attrs[REVISIONS]`` (:func:`with_revisions`), one record
  per year, exporter, importer, reporting side and flow (kept by the pair cache's Parquet files too),
  so that the readers can refuse one flow of a year in two revisions. A BACI file's revision is
  its name's (``BACI_HS17_...``).
"""

from __future__ import annotations

import pandas as pd

#: ``level`` argument -> digits of the HS codes summed.
LEVELS = {"chapter": 2, "4": 4, "6": 6}
#: Columns of :func:`helpers.official.read_flows`' frame, in order.
FLOW_COLUMNS = [
    "source",
    "year",
    "exporter",
    "importer",
    "reported_by",
    "flow",
    "hs_chapter",
    "hs_code",
    "value_usd",
    "file",
]
#: Columns that identify one figure of one year and direction (without the HS breakdown).
GROUP_KEYS = ["source", "year", "exporter", "importer", "reported_by", "flow"]
#: Values of ``source`` that are UN Comtrade reports (current and legacy layout).
COMTRADE_SOURCES = ("comtrade", "comtrade_legacy")

_TEXT_COLUMNS = ("source", "exporter", "importer", "reported_by", "flow", "hs_chapter", "hs_code", "file")
#: Columns a file's rows are summed by (:func:`sum_by_code`).
SUM_KEYS = [*GROUP_KEYS, "hs_chapter", "hs_code"]
_SUM_KEYS = SUM_KEYS


class OfficialDataWarning(UserWarning):
    """Something was read on an assumption the reader should know about (e.g. no BACI code file)."""


def typed_flows(frame: pd.DataFrame) -> pd.DataFrame:
    """The flows columns in order, text as pandas strings, year int64, value float64."""
    out = frame[FLOW_COLUMNS].copy()
    for column in _TEXT_COLUMNS:
        out[column] = out[column].astype("string")
    out["year"] = out["year"].astype("int64")
    out["value_usd"] = out["value_usd"].astype("float64")
    return out


def empty_flows() -> pd.DataFrame:
    """A flows frame with no rows."""
    return typed_flows(pd.DataFrame({column: [] for column in FLOW_COLUMNS}))


def sum_by_code(rows: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """Sum one file's rows to (year, direction, reporting side, flow, HS code), naming the file."""
    out = rows.groupby(_SUM_KEYS, dropna=False, sort=True)["value_usd"].sum().reset_index()
    out["file"] = file_name
    return typed_flows(out)


#: Key of a flows frame's ``attrs`` holding its HS revisions (see the module's rules).
REVISIONS = "hs_revisions"
#: The columns of a revision record: the figure's group keys (less ``source``) and its revision.
REVISION_KEYS = ["year", "exporter", "importer", "reported_by", "flow", "revision"]


def with_revisions(frame: pd.DataFrame, revisions: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``revisions`` (columns :data:`REVISION_KEYS`, one row per figure) kept in its
    ``attrs`` as plain lists (storable as Parquet metadata)."""
    unique = revisions[REVISION_KEYS].drop_duplicates()
    records = [
        [int(year), *(None if pd.isna(v) else str(v) for v in rest)]
        for year, *rest in unique.itertuples(index=False, name=None)
    ]
    frame.attrs[REVISIONS] = records
    return frame


def revisions_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The revision records :func:`with_revisions` kept with ``frame`` (none when it kept none)."""
    return pd.DataFrame(frame.attrs.get(REVISIONS) or [], columns=REVISION_KEYS)

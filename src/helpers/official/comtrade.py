"""One UN Comtrade file (current or legacy layout): the pair's usable rows, summed at one HS level.

Rules, stated here:

* Nothing is counted twice. Rows are kept only for all second partners (``partner2Code`` 0), all
  customs procedures (``C00``) and all modes of transport (``motCode`` 0) where those columns
  exist; goods only (``typeCode`` C); HS classifications only; annual rows only. Flows M and X are
  kept, re-exports (RX) and re-imports (RM) as flows of their own, never added to X or M; other
  flow codes (DX, FM, processing flows) are parts of X or M and are left out. The same year,
  reporter, partner, flow and commodity found twice in a file is an error.
* One HS level per sum: rows are summed from one level per file, year, reporter, partner and flow
  (see :mod:`helpers.official.codes`); a group with no row usable at the requested level is left
  out with an :class:`OfficialDataWarning`.
* Directions: X and RX are reported by the exporter (the reporter), M and RM by the importer.
* Countries: the file's own ISO columns are used when present; else the numeric codes are read as
  ISO 3166 numeric plus UN Comtrade's deviations, with an :class:`OfficialDataWarning`.
* The year is ``refYear``/``Year`` when present, else the first four characters of the period.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from helpers.config import display_path
from helpers.errors import DataError, Problem
from helpers.official.codes import choose_level, code_level, hs_columns, normalise_codes
from helpers.official.countries import numeric_codes
from helpers.official.formats import COMTRADE_LEGACY, Format, Header
from helpers.official.schema import OfficialDataWarning, empty_flows, sum_by_code
from helpers.official.stream import PairFilter, check_values, fail_at, stream_pair

#: Comtrade flow code -> who reports it.
FLOW_REPORTED_BY = {"X": "exporter", "RX": "exporter", "M": "importer", "RM": "importer"}
#: Legacy layout's numeric flow codes -> current flow codes.
LEGACY_FLOWS = {"1": "M", "2": "X", "3": "RX", "4": "RM"}

_GROUP = ["year", "reporter", "partner", "flow"]


def read_comtrade_file(path: Path, header: Header, fmt: Format, first: str, second: str, level: str) -> pd.DataFrame:
    """One Comtrade file (current or legacy): the pair's usable rows at one HS level, by direction and flow."""
    pair, table = _pair_filter(fmt, header, first, second)
    rows = stream_pair(path, header, fmt, pair)
    if rows.empty:
        return empty_flows()
    rows = _usable_rows(path, rows, fmt, first, second)
    rows["year"] = _years(path, header, rows, fmt)
    if table is not None:
        rows["reporter_iso"], rows["partner_iso"] = rows["reporter"].map(table), rows["partner"].map(table)
    rows["cmd"] = normalise_codes(rows["cmd"])
    rows["level"] = code_level(rows["cmd"])
    _check_rows(path, header, rows, fmt)
    rows, unusable = choose_level(rows, _GROUP, level)
    if unusable:
        warnings.warn(
            f"{path.name}: no rows usable at level {level!r} for (year, reporter, partner, flow) "
            f"{', '.join(unusable[:5])}; left out",
            OfficialDataWarning,
            stacklevel=2,
        )
    return sum_by_code(_flows(rows, fmt, level), path.name)


def _pair_filter(fmt: Format, header: Header, first: str, second: str) -> tuple[PairFilter, dict[int, str] | None]:
    """Filter on the ISO columns when the file has them, else on numeric codes (with a warning).

    The second value maps numeric codes to ISO3 when the filter is on them, else it is None.
    """
    present = fmt.positions(header.names)
    if "reporter_iso" in present and "partner_iso" in present:
        return PairFilter("reporter_iso", "partner_iso", frozenset({first}), frozenset({second})), None
    warnings.warn(
        f"{fmt.name} file without ISO columns: numeric codes read as ISO 3166 numeric (pycountry) "
        "plus UN Comtrade's deviations",
        OfficialDataWarning,
        stacklevel=3,
    )
    a, b = numeric_codes(first), numeric_codes(second)
    table = {c: first for c in a} | {c: second for c in b}
    return PairFilter("reporter", "partner", frozenset(a), frozenset(b)), table


def _text(rows: pd.DataFrame, key: str) -> pd.Series:
    """Column ``key`` as stripped upper-case text; empty where the file has no such column."""
    if key in rows:
        return rows[key].astype("string").str.strip().str.upper().fillna("")
    return pd.Series("", index=rows.index, dtype="string")


def _keep(rows: pd.DataFrame) -> tuple[pd.Series, dict[str, int]]:
    """Which pair rows can be summed without double counting, and how many were left out and why."""
    classification = _text(rows, "classification")
    reasons = {
        "not flow M, X, RM or RX": ~rows["flow"].isin(list(FLOW_REPORTED_BY)),
        "services, not goods (typeCode)": ~_text(rows, "type").isin(["", "C"]),
        "not an HS classification": ~(classification.str.startswith("H") | (classification == "")),
        "broken down by second partner": ~_text(rows, "partner2").isin(["", "0"]),
        "broken down by customs procedure": ~_text(rows, "customs").isin(["", "C00"]),
        "broken down by mode of transport": ~_text(rows, "mot").isin(["", "0"]),
        "monthly, not annual": ~rows["annual"],
    }
    keep = pd.Series(True, index=rows.index)
    counts = {}
    for why, drop in reasons.items():
        counts[why] = int((keep & drop).sum())
        keep &= ~drop
    return keep, counts


def _usable_rows(path: Path, rows: pd.DataFrame, fmt: Format, first: str, second: str) -> pd.DataFrame:
    """The pair's rows with current flow codes, less those :func:`_keep` leaves out; none is an error."""
    if fmt is COMTRADE_LEGACY:
        rows["flow"] = rows["flow"].astype("string").str.strip().map(LEGACY_FLOWS).fillna("?")
    else:
        rows["flow"] = rows["flow"].astype("string").str.strip().str.upper()
    rows["annual"] = _annual(rows)
    keep, dropped = _keep(rows)
    if not keep.any():
        why = "; ".join(f"{n} {reason}" for reason, n in dropped.items() if n)
        raise DataError(
            display_path(path),
            Problem(f"none of the {len(rows)} rows between {first} and {second} can be summed ({why})"),
        )
    return rows[keep].copy()


def _annual(rows: pd.DataFrame) -> pd.Series:
    """Annual rows: freqCode A where the column exists, else a 4-character period."""
    if "freq" in rows:
        return rows["freq"].astype("string").str.strip().str.upper().isin(["A", ""]).fillna(True)
    if "period" in rows:
        return rows["period"].astype("string").str.strip().str.len().fillna(4) == 4
    return pd.Series(True, index=rows.index)


def _years(path: Path, header: Header, rows: pd.DataFrame, fmt: Format) -> pd.Series:
    """Year of each row: refYear/Year when present, else the first four characters of the period."""
    if "year" in rows:
        return rows["year"].astype("int64")
    period = rows["period"].astype("string").str.strip()
    bad = ~period.str.fullmatch(r"\d{4}(\d{2})?").fillna(False)
    if bad.any():
        raise fail_at(
            path,
            header,
            rows.loc[bad, "rec"],
            "period must be a year (YYYY) or a month (YYYYMM)",
            fmt.field("period").header,
        )
    return period.str.slice(0, 4).astype("int64")


def _check_rows(path: Path, header: Header, rows: pd.DataFrame, fmt: Format) -> None:
    """Commodity codes of a known level, values finite and not negative, no row twice."""
    cmd_col = fmt.field("cmd").header
    bad = rows["level"] < 0
    if bad.any():
        raise fail_at(
            path,
            header,
            rows.loc[bad, "rec"],
            "must be an HS code of 2, 4 or 6 digits written as text, or TOTAL",
            cmd_col,
            dict(zip(rows.loc[bad, "rec"], rows.loc[bad, "cmd"].astype(str))),
        )
    check_values(path, header, rows, fmt.field("value").header)
    dup = rows.duplicated([*_GROUP, "cmd"], keep=False)
    if dup.any():
        raise fail_at(
            path,
            header,
            rows.loc[dup, "rec"],
            "the same year, reporter, partner, flow and commodity appear twice "
            "(two HS revisions, or a breakdown column missing?)",
            cmd_col,
        )


def _flows(rows: pd.DataFrame, fmt: Format, level: str) -> pd.DataFrame:
    """The kept rows as flows: exporter and importer from the flow's direction, codes at ``level``."""
    export_side = rows["flow"].isin(["X", "RX"])
    hs_code, chapter = hs_columns(rows["cmd"], level)
    return pd.DataFrame(
        {
            "source": fmt.name,
            "year": rows["year"],
            "exporter": rows["reporter_iso"].where(export_side, rows["partner_iso"]),
            "importer": rows["partner_iso"].where(export_side, rows["reporter_iso"]),
            "reported_by": rows["flow"].map(FLOW_REPORTED_BY),
            "flow": rows["flow"],
            "hs_chapter": chapter,
            "hs_code": hs_code,
            "value_usd": rows["value"].astype("float64"),
        }
    )

"""One UN Comtrade file (current or legacy layout): the pair's usable rows, summed at one HS level.

Rules, stated here:

* Nothing is counted twice. Rows are kept only for all second partners (``partner2Code`` 0), all
  customs procedures (``C00``) and all modes of transport (``motCode`` 0; ``0.0`` as pandas writes a
  code column holding a blank is 0 too) where those columns exist; goods only (``typeCode`` C); HS
  classifications only; annual rows only. Flows M and X are kept, re-exports (RX) and re-imports
  (RM) as flows of their own, never added to X or M; other flow codes (DX, FM, processing flows)
  are parts of X or M and are left out. The same year,
  reporter, partner, flow and commodity found twice in a file is an error, and so is the same year,
  reporter, partner and flow in two HS revisions (``classificationCode`` H5 and H6: summed, they
  would count one trade twice); different revisions in different years are fine. Each figure's
  revision is kept with the frame (:func:`~helpers.official.schema.with_revisions`), so that the
  same flow in two revisions in two files is refused too (:mod:`helpers.official.read`).
* One HS level per sum: rows are summed from one level per file, year, reporter, partner and flow
  (see :mod:`helpers.official.codes`); a group with no row usable at the requested level is left
  out with an :class:`OfficialDataWarning`, and so are, with one, rows finer than the level kept
  whose heading has no row at that level (their value would be lost unsaid).
* Directions: X and RX are reported by the exporter (the reporter), M and RM by the importer.
* Countries: the file's own ISO columns are used when present; else the numeric codes are read as
  ISO 3166 numeric plus UN Comtrade's deviations, with an :class:`OfficialDataWarning`.
* The year is ``refYear``/``Year`` when present, else the first four characters of the period.
* The same rules for every way a file is read: :func:`comtrade_flows` applies them to the pair's rows
  however they were read (streamed from a CSV/TSV file here, or taken from an API response saved as
  JSON by :mod:`helpers.official.comtrade_json`); a :data:`Locate` callable turns the record numbers
  of rows that break a rule into a DataError naming where they are (lines of a CSV, records of a
  JSON).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from helpers.config import display_path
from helpers.errors import DataError, Problem
from helpers.official.codes import choose_level, code_level, hs_columns, normalise_codes
from helpers.official.countries import numeric_codes
from helpers.official.formats import COMTRADE_LEGACY, Format, Header
from helpers.official.schema import OfficialDataWarning, empty_flows, sum_by_code, with_revisions
from helpers.official.stream import PairFilter, fail_at, stream_pair

#: Comtrade flow code -> who reports it.
FLOW_REPORTED_BY = {"X": "exporter", "RX": "exporter", "M": "importer", "RM": "importer"}
#: Legacy layout's numeric flow codes -> current flow codes.
LEGACY_FLOWS = {"1": "M", "2": "X", "3": "RX", "4": "RM"}

_GROUP = ["year", "reporter", "partner", "flow"]

#: Says where rows that break a rule are: (record numbers, rule, column, {record: value}) -> DataError.
#: For a CSV/TSV file it is :func:`~helpers.official.stream.fail_at` bound to the file and its header.
Locate = Callable[[Iterable[int], str, str | None, dict[int, str] | None], DataError]


def read_comtrade_file(path: Path, header: Header, fmt: Format, first: str, second: str, level: str) -> pd.DataFrame:
    """One Comtrade file (current or legacy): the pair's usable rows at one HS level, by direction and flow."""
    pair, table = pair_filter(fmt, header.names, first, second)
    rows = stream_pair(path, header, fmt, pair)
    return comtrade_flows(path, rows, fmt, first, second, level, table, functools.partial(fail_at, path, header))


def comtrade_flows(
    path: Path,
    rows: pd.DataFrame,
    fmt: Format,
    first: str,
    second: str,
    level: str,
    table: dict[int, str] | None,
    locate: Locate,
) -> pd.DataFrame:
    """The module's rules applied to the pair's rows of one Comtrade file, however they were read.

    ``rows`` has the format's internal keys as columns (as :func:`~helpers.official.stream.stream_pair`
    returns them: numeric fields typed, text fields as text, ``rec`` the record number); ``table``
    maps numeric codes to ISO3 when the rows were picked by numeric code (see :func:`pair_filter`);
    ``locate`` says where rows that break a rule are.
    """
    if rows.empty:
        return empty_flows()
    rows = _usable_rows(path, rows, fmt, first, second)
    rows["year"] = _years(rows, fmt, locate)
    if table is not None:
        rows["reporter_iso"], rows["partner_iso"] = rows["reporter"].map(table), rows["partner"].map(table)
    rows["cmd"] = normalise_codes(rows["cmd"])
    rows["level"] = code_level(rows["cmd"])
    _check_rows(rows, fmt, locate)
    _check_one_revision(rows, fmt, locate)
    rows, unusable, every = *choose_level(rows, _GROUP, level), rows
    _warn_uncovered(path, every, rows)
    _warn_total_beyond_detail(path, every, rows)
    if unusable:
        warnings.warn(
            f"{path.name}: no rows usable at level {level!r} for (year, reporter, partner, flow) "
            f"{', '.join(unusable[:5])}; left out",
            OfficialDataWarning,
            stacklevel=3,
        )
    flows = _flows(rows, fmt, level)
    return with_revisions(sum_by_code(flows, path.name), flows.assign(revision=_text(rows, "classification")))


def _warn_total_beyond_detail(path: Path, every: pd.DataFrame, kept: pd.DataFrame) -> None:
    """A TOTAL row beside the HS rows kept for its (year, reporter, partner, flow) is not added to them (one
    level per sum); when it exceeds their sum (trade not itemised at that level, e.g. confidential), the
    difference is left out of the sums: said, with its value, never silently."""
    group = ["year", "reporter_iso", "partner_iso", "flow"]
    detail = kept[kept["level"] > 0]
    totals = every[every["level"] == 0]
    if detail.empty or totals.empty:
        return
    summed = detail.groupby(group, dropna=False)["value"].sum().rename("detail")
    stated = totals.groupby(group, dropna=False)["value"].sum().rename("total")
    both = pd.concat([summed, stated], axis=1, join="inner")
    beyond = both[both["total"] - both["detail"] > 0.005 * both["total"].abs().clip(lower=1.0)]  # not rounding
    if beyond.empty:
        return
    year, reporter, partner, flow = beyond.index[0]
    warnings.warn(
        f"{path.name}: the TOTAL row of {len(beyond)} (year, reporter, partner, flow), e.g. {int(year)} "
        f"{reporter}->{partner} {flow}, exceeds the sum of the HS rows kept at the level summed "
        f"({(beyond['total'] - beyond['detail']).sum():,.0f} USD in all): that much is left out of these sums "
        "(the TOTAL rows alone give the whole)",
        OfficialDataWarning,
        stacklevel=4,
    )


def _warn_uncovered(path: Path, every: pd.DataFrame, kept: pd.DataFrame) -> None:
    """Rows finer than the level kept for their (year, reporter, partner, flow) whose code has no row at that
    level (e.g. 2709 where the 2-digit rows lack chapter 27) are left out of the sums: said, with their value."""
    chosen = kept.drop_duplicates(_GROUP)[[*_GROUP, "level"]].rename(columns={"level": "kept"})
    rows = every.merge(chosen, on=_GROUP, how="left")
    finer = rows[(rows["kept"] > 0) & (rows["level"] > rows["kept"])]
    if finer.empty:
        return
    heads = finer["cmd"].astype(object)
    for digits in (2, 4):
        heads = heads.where(finer["kept"] != digits, finer["cmd"].str.slice(0, digits))
    have = kept[[*_GROUP, "cmd"]].drop_duplicates().assign(covered=True)
    found = finer[_GROUP].assign(cmd=heads.astype(finer["cmd"].dtype)).merge(have, on=[*_GROUP, "cmd"], how="left")
    lost = finer[found["covered"].isna().to_numpy()]
    if lost.empty:
        return
    codes = sorted(set(lost["cmd"]))
    warnings.warn(
        f"{path.name}: {len(lost)} row(s) of code(s) {', '.join(codes[:5])}{', ...' if len(codes) > 5 else ''} "
        f"({lost['value'].sum():,.0f} USD) are finer than the HS level summed for their year, reporter, partner "
        "and flow, whose rows lack their heading: left out (download one HS level for every code)",
        OfficialDataWarning,
        stacklevel=4,
    )


def pair_filter(fmt: Format, names: list[str], first: str, second: str) -> tuple[PairFilter, dict[int, str] | None]:
    """Filter on the ISO columns when the file (of column or field ``names``) has them, else on numeric
    codes (with a warning).

    The second value maps numeric codes to ISO3 when the filter is on them, else it is None.
    """
    present = fmt.positions(names)
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


def _code(rows: pd.DataFrame, key: str) -> pd.Series:
    """A numeric code column as :func:`_text`, a whole number written with a decimal point read as one
    (``0.0`` is 0: pandas writes a code column holding a blank that way)."""
    return _text(rows, key).str.replace(r"^(\d+)\.0*$", r"\1", regex=True)


def _keep(rows: pd.DataFrame) -> tuple[pd.Series, dict[str, int]]:
    """Which pair rows can be summed without double counting, and how many were left out and why."""
    classification = _text(rows, "classification")
    reasons = {
        "not flow M, X, RM or RX": ~rows["flow"].isin(list(FLOW_REPORTED_BY)),
        "services, not goods (typeCode)": ~_text(rows, "type").isin(["", "C"]),
        "not an HS classification": ~(classification.str.startswith("H") | (classification == "")),
        "broken down by second partner": ~_code(rows, "partner2").isin(["", "0"]),
        "broken down by customs procedure": ~_text(rows, "customs").isin(["", "C00"]),
        "broken down by mode of transport": ~_code(rows, "mot").isin(["", "0"]),
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
        advice = ANNUAL_ONLY if dropped["monthly, not annual"] else ""
        raise DataError(
            display_path(path),
            Problem(f"none of the {len(rows)} rows between {first} and {second} can be summed ({why}){advice}"),
        )
    _warn_monthly_only_years(path, rows, keep)
    return rows[keep].copy()


#: What a file of monthly rows is told: the collection sums calendar years from annual rows.
ANNUAL_ONLY = (
    ": the collection sums annual figures only, never months (a year of months may be incomplete or revised "
    "apart); download the annual data (frequency A, period YYYY)"
)


def _row_years(rows: pd.DataFrame) -> pd.Series:
    """Each row's year as text, as :func:`_years` reads it, without checking (a broken one is said there)."""
    if "year" in rows:
        return rows["year"].astype("string")
    return rows["period"].astype("string").str.strip().str.slice(0, 4)


def _warn_monthly_only_years(path: Path, rows: pd.DataFrame, keep: pd.Series) -> None:
    """Monthly rows of a year the file has no annual row of, between the pair, are left out: said, with the
    years, never silently (monthly rows of a year that has annual ones repeat them, and are left out unsaid)."""
    monthly = ~rows["annual"]
    if not monthly.any():
        return
    years = _row_years(rows)
    lost = monthly & ~years.isin(set(years[keep]))
    if not lost.any():
        return
    shown = sorted(set(years[lost].dropna()))
    warnings.warn(
        f"{path.name}: {int(lost.sum())} monthly row(s) of {', '.join(shown)}, with no annual row in this file, "
        f"left out{ANNUAL_ONLY}",
        OfficialDataWarning,
        stacklevel=4,
    )


def _annual(rows: pd.DataFrame) -> pd.Series:
    """Annual rows: freqCode A where the column exists, else a 4-character period."""
    if "freq" in rows:
        return rows["freq"].astype("string").str.strip().str.upper().isin(["A", ""]).fillna(True)
    if "period" in rows:
        return rows["period"].astype("string").str.strip().str.len().fillna(4) == 4
    return pd.Series(True, index=rows.index)


def _years(rows: pd.DataFrame, fmt: Format, locate: Locate) -> pd.Series:
    """Year of each row: refYear/Year when present, else the first four characters of the period."""
    if "year" in rows:
        return rows["year"].astype("int64")
    period = rows["period"].astype("string").str.strip()
    bad = ~period.str.fullmatch(r"\d{4}(\d{2})?").fillna(False)
    if bad.any():
        raise locate(
            rows.loc[bad, "rec"], "period must be a year (YYYY) or a month (YYYYMM)", fmt.field("period").header, None
        )
    return period.str.slice(0, 4).astype("int64")


def _check_rows(rows: pd.DataFrame, fmt: Format, locate: Locate) -> None:
    """Commodity codes of a known level, values finite and not negative, no row twice."""
    cmd_col = fmt.field("cmd").header
    bad = rows["level"] < 0
    if bad.any():
        raise locate(
            rows.loc[bad, "rec"],
            "must be an HS code of 2, 4 or 6 digits written as text, or TOTAL",
            cmd_col,
            dict(zip(rows.loc[bad, "rec"], rows.loc[bad, "cmd"].astype(str))),
        )
    bad = ~(rows["value"].map(math.isfinite) & (rows["value"] >= 0))
    if bad.any():
        raise locate(
            rows.loc[bad, "rec"],
            "must be a finite value of at least 0",
            fmt.field("value").header,
            dict(zip(rows.loc[bad, "rec"], rows.loc[bad, "value"].astype(str))),
        )
    dup = rows.duplicated([*_GROUP, "cmd"], keep=False)
    if dup.any():
        raise locate(
            rows.loc[dup, "rec"],
            "the same year, reporter, partner, flow and commodity appear twice "
            "(two HS revisions, or a breakdown column missing?)",
            cmd_col,
            None,
        )


def _check_one_revision(rows: pd.DataFrame, fmt: Format, locate: Locate) -> None:
    """One HS revision per year, reporter, partner and flow of a file (rows without one aside)."""
    if "classification" not in rows:
        return
    revision = _text(rows, "classification")
    stated = rows.assign(revision=revision)[revision != ""]
    groups = stated.groupby(_GROUP, dropna=False)
    mixed = groups["revision"].transform("nunique") > 1
    if not mixed.any():
        return
    ids = groups.ngroup()
    group = stated[ids == ids[mixed].iloc[0]]
    shown = " and ".join(sorted(set(group["revision"])))
    raise locate(
        group["rec"],
        f"the same year, reporter, partner and flow in two HS revisions ({shown}): summed, they would count "
        "one trade twice; keep one revision for a year",
        fmt.field("classification").header,
        dict(zip(group["rec"], group["revision"])),
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

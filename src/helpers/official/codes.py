"""HS commodity codes: kept as text, told apart by level, one level chosen per sum.

Rules, stated here:

* Commodity codes are text: ``"0101"`` stays ``"0101"``. A code of odd length (``101``, ``10121``)
  lost its leading zero in a spreadsheet and gets it back; anything else that is not 2, 4 or 6
  digits (or Comtrade's ``TOTAL``) is an error (the format readers say where). The HS chapter is
  the first two digits.
* One HS level per sum: for ``level="chapter"`` the 2-digit rows when there are any, else 4-digit,
  else 6-digit rows added up to chapters, else the ``TOTAL`` row (kept with an empty
  ``hs_chapter``); for ``"4"`` the 4-digit rows, else 6-digit ones; for ``"6"`` the 6-digit rows.
  Aggregate rows are never added to detail rows; a Comtrade TOTAL row that exceeds the rows kept
  beside it is said with the difference (``comtrade``), never silently left out.
"""

from __future__ import annotations

import pandas as pd

from helpers.official.schema import LEVELS

#: Levels (digits, 0 = TOTAL) usable for a requested level, preferred first.
LEVEL_PREFERENCES: dict[str, list[int]] = {"chapter": [2, 4, 6, 0], "4": [4, 6], "6": [6]}


def normalise_codes(codes: pd.Series) -> pd.Series:
    """Commodity codes as text: stripped, upper case, odd-length digit codes given back their leading zero."""
    text = codes.astype("string").str.strip().str.upper()
    odd = text.str.fullmatch(r"\d+").fillna(False) & (text.str.len() % 2 == 1)
    return text.where(~odd, "0" + text)


def code_level(codes: pd.Series) -> pd.Series:
    """Digits of each (normalised) code: 2, 4 or 6; 0 for TOTAL; -1 for anything else."""
    level = codes.str.len().astype("Int64")
    is_hs = codes.str.fullmatch(r"\d{2}|\d{4}|\d{6}").fillna(False)
    level = level.where(is_hs, -1)
    return level.where(codes != "TOTAL", 0).astype("int64")


def choose_level(rows: pd.DataFrame, group: list[str], level: str) -> tuple[pd.DataFrame, list[str]]:
    """Keep one HS level per group of ``rows`` (column ``level`` from :func:`code_level`): the coarsest
    usable for the requested ``level``. Also returns the groups that had none usable, as text."""
    prefs = LEVEL_PREFERENCES[level]
    rank = rows["level"].map({lv: i for i, lv in enumerate(prefs)})
    best = rank.groupby([rows[c] for c in group]).transform("min")
    unusable = rows[best.isna()]
    notes = [f"{k}" for k in unusable[group].drop_duplicates().itertuples(index=False, name=None)]
    return rows[rank == best].copy(), notes


def hs_columns(codes: pd.Series, level: str) -> tuple[pd.Series, pd.Series]:
    """(hs_code at the requested level, hs_chapter) of normalised codes; TOTAL keeps no chapter."""
    digits = LEVELS[level]
    total = codes == "TOTAL"
    hs_code = codes.str.slice(0, digits).where(~total, "TOTAL")
    chapter = codes.str.slice(0, 2).where(~total, pd.NA)
    return hs_code, chapter

"""Loaders of the curated tables in ``data/``: each returns the checked table, with real calendar
spans where the analysis needs them. The only place the analyses' inputs are read from disk.

Rules applied here: a file the user names (``path``) is checked against the rules only (it has no
recorded checksum), a shipped one also against its checksum; every phase starts at an event of
the events table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from helpers.analysis.claims import REPORT_DATE
from helpers.analysis.periods import add_spans
from helpers.errors import DataError, Problem
from helpers.tables.read import read_table
from helpers.tables.specs import SPECS

if TYPE_CHECKING:
    from helpers.analysis.claims import Evidence


def load_trade(path: Path | str | None = None) -> pd.DataFrame:
    """Reported bilateral trade rows with their real calendar spans (``start``, ``end``, ``period``)."""
    frame = read_table("trade_reported", path, verify_checksum=path is None)
    return add_spans(frame)


def load_composition(path: Path | str | None = None) -> pd.DataFrame:
    """Reported breakdowns with category, kind and real calendar spans."""
    comp = add_spans(read_table("composition", path, verify_checksum=path is None))
    groups = read_table("concordance_groups").set_index("reported_group")
    cats = read_table("categories").set_index("category_id")
    comp["category_id"] = comp["reported_group"].map(groups["category_id"]).fillna("unmapped")
    comp["category"] = comp["category_id"].map(cats["label"])
    comp["kind"] = comp["category_id"].map(cats["kind"])
    return comp


def load_imports(path: Path | str | None = None) -> pd.DataFrame:
    """Iraq's imports from the world and by supplier."""
    return read_table("iraq_imports", path, verify_checksum=path is None)


def load_events(path: Path | str | None = None) -> pd.DataFrame:
    """The dated, sourced events of the influence timeline."""
    return read_table("events", path, verify_checksum=path is None)


def load_phases(events: pd.DataFrame, path: Path | str | None = None) -> pd.DataFrame:
    """Phases, each checked to start at an event of ``events``."""
    from helpers.config import DATA_DIR, display_path

    phases = read_table("phases", path, verify_checksum=path is None)
    unknown = phases[~phases["start_event"].isin(events["event_id"])]
    if len(unknown):
        shown = display_path(path) if path else display_path(DATA_DIR / SPECS["phases"].file)
        raise DataError(
            shown,
            [
                Problem("start_event is not an event_id of events.csv", line=int(i), column="start_event", value=v)
                for i, v in unknown["start_event"].items()
            ],
        )
    return phases.sort_values("start").reset_index(drop=True)


def load_claims(path: Path | str | None = None) -> pd.DataFrame:
    """The checkable statements of the 2024 report."""
    return read_table("claims", path, verify_checksum=path is None)


def load_evidence(as_of: str = REPORT_DATE) -> Evidence:
    """The evidence the claims check may use, judged at ``as_of`` (see ``Evidence.judged_at``)."""
    from helpers.analysis.claims import Evidence

    return Evidence.judged_at(
        as_of, load_trade(), load_imports(), read_table("targets"), load_events(), load_composition()
    )

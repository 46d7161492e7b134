"""The curated tables in ``data/``: their specifications and the one reader that checks them.

Reading happens in two steps so that every broken rule gets one readable message:

1. *parsing* (:mod:`~helpers.tables.parse`): the raw text of each field is turned into a typed
   value with the project's own rules (plain numbers only, ISO dates, enums), remembering the
   file line;
2. *validation* (:mod:`~helpers.tables.validate`): a pandera schema built from the same
   specification (:mod:`~helpers.tables.specs`) checks ranges, enums, keys and cross-column rules
   on the typed frame.

Both steps report file, line, column and rule through :class:`helpers.errors.DataError`. The
frame's index is the line number in the file, so any later message can cite it. A checked frame is
kept in the store of checked tables (:mod:`~helpers.tables.store`, keyed by content);
:mod:`~helpers.tables.read` ties the steps together, :mod:`~helpers.tables.manifest` records the
data package and its checksums, and :mod:`~helpers.tables.curated` holds the analyses' loaders.

This module only re-exports the public names.
"""

from __future__ import annotations

from helpers.tables.parse import MAX_CURATED_BYTES, parse_csv
from helpers.tables.read import check_shipped, read_table
from helpers.tables.specs import (
    BOUND,
    CALENDARS,
    CATEGORIES,
    CLAIMS,
    COMPOSITION,
    CONCORDANCE_GROUPS,
    CONCORDANCE_HS,
    DTYPES,
    EVENT_CATEGORIES,
    EVENTS,
    FLOWS,
    IRAQ_IMPORTS,
    PHASES,
    SPECS,
    STATED_BY,
    STATUS,
    TARGETS,
    TRADE,
    Col,
    RowRule,
    TableSpec,
)
from helpers.tables.store import STORE_KEEP

__all__ = [
    "BOUND",
    "CALENDARS",
    "CATEGORIES",
    "CLAIMS",
    "COMPOSITION",
    "CONCORDANCE_GROUPS",
    "CONCORDANCE_HS",
    "DTYPES",
    "EVENTS",
    "EVENT_CATEGORIES",
    "FLOWS",
    "IRAQ_IMPORTS",
    "MAX_CURATED_BYTES",
    "PHASES",
    "SPECS",
    "STATED_BY",
    "STATUS",
    "STORE_KEEP",
    "TARGETS",
    "TRADE",
    "Col",
    "RowRule",
    "TableSpec",
    "check_shipped",
    "parse_csv",
    "read_table",
]

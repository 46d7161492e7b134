"""The one reader of curated tables: every curated file is loaded through :func:`read_table`.

Rules applied here, on every load:

- the file is read (and refused when missing, a folder, too large, empty or not UTF-8) and, when
  asked, its SHA-256 is compared with the one recorded in the ``datapackage.json`` beside it: a
  shipped file that changed is refused even when a checked frame of it is kept;
- the checked frame comes from the store of checked tables (:mod:`helpers.tables.store`) when the
  same text was checked under the same rules and code; otherwise the text is parsed and validated
  (:mod:`helpers.tables.parse`, :mod:`helpers.tables.validate`) and, when it passed, stored;
- with the store off, every load is parsed and validated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers import config
from helpers.config import display_path
from helpers.tables import manifest, parse, store
from helpers.tables.specs import SPECS, TableSpec


def checked_frame(spec: TableSpec, text: str, shown: str) -> pd.DataFrame:
    """The frame of ``text`` checked under ``spec``: from the store, or parsed, validated and stored."""
    key = store.key_for(spec, text)
    frame = store.get(key) if key is not None else None
    if frame is None:
        frame = parse.parse_csv(text, spec, shown)
        if key is not None:
            store.put(key, frame)
    return frame


def read_table(spec: TableSpec | str, path: Path | str | None = None, verify_checksum: bool = True) -> pd.DataFrame:
    """Load a curated table, checked against its specification (and its recorded checksum when shipped).

    ``spec`` is a specification or the name of a shipped one; ``path`` defaults to the shipped file
    in ``data/``. A file the user points to elsewhere carries no recorded checksum and is only
    checked against the rules.
    """
    spec = SPECS[spec] if isinstance(spec, str) else spec
    target = Path(path) if path is not None else config.DATA_DIR / spec.file
    shown = display_path(target)
    raw = parse.read_bytes(target, shown)
    text = parse.decode(raw, shown)
    if verify_checksum:
        manifest.verify_checksum(target, raw)
    return checked_frame(spec, text, shown)


def check_shipped() -> int:
    """Load and check every shipped table (schema, rules and recorded checksum) into the store of
    checked tables, so that a broken file is reported before any kernel starts and the kernels only
    read the store. Returns how many tables were checked."""
    checked = 0
    for spec in SPECS.values():
        if (config.DATA_DIR / spec.file).exists():
            read_table(spec)
            checked += 1
    return checked

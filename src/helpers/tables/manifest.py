"""The data package manifest (``data/datapackage.json``): checksums, schemas and sources.

Shipped files are never modified by code. Their SHA-256 is recorded in the manifest that sits
beside them; a loader refuses a file whose bytes no longer match, so an accidental edit is
caught, and a deliberate one is re-recorded with ``python -m helpers data record``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers.config import display_path
from helpers.errors import DataError, Problem
from helpers.tables.specs import SPECS, Col, TableSpec

MANIFEST = "datapackage.json"
RECORD_COMMAND = "python -m helpers data record"

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": (
        "Creative Commons Attribution 4.0 (the curation; figures are facts reported by the sources named per row)"
    ),
}


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(folder: Path) -> dict | None:
    """The manifest of a data folder, or None when the folder has none."""
    from helpers.pipeline.executions import view_read

    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        with view_read():  # its readers use the entries of the files they open, and fields no file makes
            text = path.read_text(encoding="utf-8")
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(display_path(path), Problem(f"manifest is not valid JSON ({exc})")) from None


def recorded_hash(path: Path) -> str | None:
    """The checksum recorded for ``path`` by the manifest beside it, if any."""
    manifest = load_manifest(path.parent)
    if not manifest:
        return None
    for res in manifest.get("resources", []):
        if res.get("path") == path.name:
            value = res.get("hash")
            return value.split(":", 1)[-1] if value else None
    return None


def verify_checksum(path: Path, content: bytes | None = None) -> None:
    """Raise DataError when a file listed in its folder's manifest has changed since it was checked.

    ``content`` is the file's bytes when the caller has already read them (they are hashed instead
    of reading the file again, so the bytes checked are the bytes parsed).
    """
    expected = recorded_hash(path)
    if expected is None:
        return
    actual = sha256(path) if content is None else hashlib.sha256(content).hexdigest()
    if actual != expected:
        raise DataError(
            display_path(path),
            Problem(
                "file changed since it was checked (its SHA-256 differs from datapackage.json). "
                f"If the edit is deliberate, run `{RECORD_COMMAND}` and add a line to CHANGELOG.md saying what "
                "changed, why, and the source"
            ),
        )


#: Frictionless field types of the column kinds.
FIELD_TYPES: dict[str, str] = {
    "text": "string",
    "enum": "string",
    "url": "string",
    "int": "integer",
    "number": "number",
    "bool": "boolean",
    "date": "date",
}


def _constraints(col: Col) -> dict:
    """The Frictionless constraints of a column: required, enum, minimum, maximum."""
    constraints: dict = {}
    if col.required:
        constraints["required"] = True
    if col.values:
        constraints["enum"] = list(col.values)
    if col.min is not None:
        constraints["minimum"] = col.min
    if col.max is not None:
        constraints["maximum"] = col.max
    return constraints


def _field(col: Col) -> dict:
    """The Frictionless field of a column: name, type, description, constraints and unit."""
    field: dict = {"name": col.name, "type": FIELD_TYPES[col.kind], "description": col.doc}
    constraints = _constraints(col)
    if constraints:
        field["constraints"] = constraints
    if col.kind == "bool":
        field["trueValues"] = ["true"]
        field["falseValues"] = ["false"]
    if col.unit:
        field["unit"] = col.unit
    return field


def _sources(path: Path) -> list[dict]:
    """Publishers named in a table, with how many rows each backs (for the manifest's sources)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "publisher" not in rows[0]:
        return []
    page = next((c for c in ("source_url", "url") if c in rows[0]), None)
    counts: dict[str, int] = {}
    for row in rows:
        if (row["publisher"] or "").strip():  # a row without one takes its record's (report_sources.csv)
            counts[row["publisher"]] = counts.get(row["publisher"], 0) + 1
    where = f"; page per row in {page}" if page else ""
    return [{"title": f"{name} ({n} row{'s' if n > 1 else ''}{where})"} for name, n in sorted(counts.items())]


def _resource(spec: TableSpec, path: Path) -> dict:
    """The data package resource of one table's file: description, checksum, sources and schema."""
    return {
        "name": spec.name,
        "path": spec.file,
        "title": spec.title,
        "description": spec.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "hash": f"sha256:{sha256(path)}",
        "bytes": path.stat().st_size,
        "licenses": [LICENSE],
        "sources": _sources(path),
        "schema": {
            "fields": [_field(c) for c in spec.columns],
            "primaryKey": list(spec.key),
            "missingValues": [""],
        },
    }


def _present(folder: Path) -> list[tuple[TableSpec, Path]]:
    """The shipped specifications whose file is in ``folder``, with that file, in the order of SPECS."""
    return [(spec, folder / spec.file) for spec in SPECS.values() if (folder / spec.file).exists()]


def build_manifest(folder: Path) -> dict:
    """A Frictionless Data Package describing every curated table present in ``folder``."""
    return {
        "name": "iran-iraq-trade",
        "title": "Iran–Iraq trade and Iran's influence in Iraq: reported figures, events and claims",
        "description": (
            "Curated, source-checked figures behind the notebooks. Each row names its page, who stated it and when it "
            "was checked."
        ),
        "licenses": [LICENSE],
        "resources": [_resource(spec, path) for spec, path in _present(folder)],
    }


_DICTIONARY_HEAD = [
    "# Data dictionary",
    "",
    "Generated from the table specifications in `src/helpers/tables/specs.py` by `python -m helpers data record`;",
    "do not edit by hand. Every file is UTF-8 CSV with a header row; empty fields are missing values.",
    "Each row of a sourced table names its page (`source_url`), who stated the figure (`stated_by`, `speaker`),",
    "the outlet (`publisher`) and the date it was checked at the source (`checked`).",
    "",
    "Stating bodies (`stated_by`): `iranian_customs` (IRICA), `trade_promotion` (TPO of Iran), `chamber`",
    "(chamber-of-commerce officials), `iranian_government`, `iraqi_government`, `iraqi_research`, `mirror_data`",
    "(partner-reported or reconciled statistics: OEC, BACI, Comtrade), `international` (World Bank, IMF, WTO),",
    "`media` (an outlet's own estimate).",
    "",
]


def _allowed(col: Col) -> str:
    """The dictionary's "unit / allowed values" of a column: its values or unit, and its range."""
    allowed = ", ".join(f"`{v}`" for v in col.values) if col.values else col.unit
    if col.min is not None or col.max is not None:
        low = col.min if col.min is not None else ""
        high = col.max if col.max is not None else ""
        allowed = (allowed + "; " if allowed else "") + f"range {low}–{high}"
    return allowed


def _dictionary_section(spec: TableSpec, path: Path) -> list[str]:
    """The dictionary's lines of one table: title, description, row count, key and a row per column."""
    with open(path, encoding="utf-8-sig") as fh:
        n = sum(1 for line in fh if line.strip()) - 1
    out = [
        f"## `{spec.file}` — {spec.title}",
        "",
        spec.description or "",
        "",
        f"{n} rows. Key: ({', '.join(spec.key)}).",
        "",
        "| column | meaning | type | unit / allowed values |",
        "| --- | --- | --- | --- |",
    ]
    for c in spec.columns:
        req = "" if c.required else " (optional)"
        out.append(f"| `{c.name}` | {c.doc}{req} | {c.kind} | {_allowed(c)} |")
    out.append("")
    return out


def data_dictionary(folder: Path) -> str:
    """The data dictionary (``data/README.md``): every table and column with meaning, unit and source."""
    out = list(_DICTIONARY_HEAD)
    for spec, path in _present(folder):
        out += _dictionary_section(spec, path)
    return "\n".join(out).rstrip() + "\n"


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, so a reader never sees half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def record(folder: Path) -> Path:
    """Re-record the manifest (schemas, sources and checksums) and the data dictionary of a data folder.

    Every table is first checked against its rules (DataError naming file, line and column): a checksum
    is never recorded for a file that breaks them, and nothing is written then."""
    from helpers.tables.read import read_table  # read imports this module

    for spec, table in _present(folder):
        read_table(spec, table, verify_checksum=False)
    path = folder / MANIFEST
    _write_atomic(path, json.dumps(build_manifest(folder), indent=2, ensure_ascii=False) + "\n")
    _write_atomic(folder / "README.md", data_dictionary(folder))
    return path

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

MANIFEST = "datapackage.json"
RECORD_COMMAND = "python -m helpers data record"

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 (the curation; figures are facts reported by the sources named per row)",
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
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
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


def verify_checksum(path: Path) -> None:
    """Raise DataError when a file listed in its folder's manifest has changed since it was checked."""
    expected = recorded_hash(path)
    if expected is None:
        return
    if sha256(path) != expected:
        raise DataError(
            display_path(path),
            Problem(
                "file changed since it was checked (its SHA-256 differs from datapackage.json). "
                f"If the edit is deliberate, run `{RECORD_COMMAND}` and add a line to CHANGELOG.md saying what changed, why, and the source"
            ),
        )


def _field(col) -> dict:
    types = {
        "text": "string",
        "enum": "string",
        "url": "string",
        "int": "integer",
        "number": "number",
        "bool": "boolean",
        "date": "date",
    }
    field: dict = {"name": col.name, "type": types[col.kind], "description": col.doc}
    constraints: dict = {}
    if col.required:
        constraints["required"] = True
    if col.values:
        constraints["enum"] = list(col.values)
    if col.min is not None:
        constraints["minimum"] = col.min
    if col.max is not None:
        constraints["maximum"] = col.max
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
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["publisher"]] = counts.get(row["publisher"], 0) + 1
    return [
        {"title": f"{name} ({n} row{'s' if n > 1 else ''}; page per row in source_url)"}
        for name, n in sorted(counts.items())
    ]


def build_manifest(folder: Path) -> dict:
    """A Frictionless Data Package describing every curated table present in ``folder``."""
    from helpers.tables import SPECS

    resources = []
    for spec in SPECS.values():
        path = folder / spec.file
        if not path.exists():
            continue
        resources.append(
            {
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
        )
    return {
        "name": "iran-iraq-trade",
        "title": "Iran–Iraq trade and Iran's influence in Iraq: reported figures, events and claims",
        "description": "Curated, source-checked figures behind the notebooks. Each row names its page, who stated it and when it was checked.",
        "licenses": [LICENSE],
        "resources": resources,
    }


def data_dictionary(folder: Path) -> str:
    """The data dictionary (``data/README.md``): every table and column with meaning, unit and source."""
    from helpers.tables import SPECS

    out = [
        "# Data dictionary",
        "",
        "Generated from the table specifications in `src/helpers/tables.py` by `python -m helpers data record`;",
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
    for spec in SPECS.values():
        path = folder / spec.file
        if not path.exists():
            continue
        with open(path, encoding="utf-8-sig") as fh:
            n = sum(1 for line in fh if line.strip()) - 1
        out += [
            f"## `{spec.file}` — {spec.title}",
            "",
            spec.description or "",
            "",
            f"{n} rows. Key: ({', '.join(spec.key)}).",
            "",
        ]
        out += ["| column | meaning | type | unit / allowed values |", "| --- | --- | --- | --- |"]
        for c in spec.columns:
            allowed = ", ".join(f"`{v}`" for v in c.values) if c.values else c.unit
            if c.min is not None or c.max is not None:
                allowed = (
                    allowed + "; " if allowed else ""
                ) + f"range {c.min if c.min is not None else ''}–{c.max if c.max is not None else ''}"
            req = "" if c.required else " (optional)"
            out.append(f"| `{c.name}` | {c.doc}{req} | {c.kind} | {allowed} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def record(folder: Path) -> Path:
    """Re-record the manifest (schemas, sources and checksums) and the data dictionary of a data folder."""
    path = folder / MANIFEST
    _write_atomic(path, json.dumps(build_manifest(folder), indent=2, ensure_ascii=False) + "\n")
    _write_atomic(folder / "README.md", data_dictionary(folder))
    return path

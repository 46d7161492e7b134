"""What a run used, kept as ``snapshot.json``, and what changed since the previous run of the same name
(``changes.json`` and the page ``changes.html``).

The snapshot holds, with no date and no absolute path: every row of the shipped data files the
notebooks read, by record id (the ``record_id`` column, else the file's first column) with the
SHA-256 of its content and the row itself; the SHA-256 of each file of the official downloads used;
each notebook's one-line finding; each claim's rating, verdict and robustness; and the rows of every
table the run exported (``tables/*.csv`` and ``claims.csv``).

``compare`` sets two snapshots side by side: findings, ratings and table rows that changed, and the
data rows added, corrected or removed. A changed rating or table row is given the data rows that
caused it where they can be told: the changed records whose id appears in the claim's evidence
tables (``tables/evidence_<claim_id>_N.csv``) or in the changed table rows. The runner writes into a
staging folder and swaps it in afterwards, so the previous report of the same name is still in
place when ``helpers.pipeline.site.write_run_outputs`` reads its snapshot.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from helpers.plots.marks import safe_url

SNAPSHOT = "snapshot.json"
CHANGES_JSON = "changes.json"
CHANGES_PAGE = "changes.html"
#: Table rows listed per table and side on the page (the JSON holds them all).
MAX_ROWS_SHOWN = 40


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def data_rows(path: Path) -> dict[str, dict[str, Any]]:
    """Every row of a data file by its record id, with the SHA-256 of its content (its CSV line)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        key = "record_id" if "record_id" in fields else (fields[0] if fields else "")
        rows: dict[str, dict[str, Any]] = {}
        for n, row in enumerate(reader, start=2):
            rid = row.get(key) or f"line {n}"
            line = json.dumps([row.get(f, "") for f in fields], ensure_ascii=False)
            rows[rid] = {"sha256": _sha(line), "row": row}
    return rows


def table_rows(path: Path) -> list[str]:
    """A table's lines (header first), as written."""
    return path.read_text(encoding="utf-8").splitlines()


def snapshot(
    folder: Path,
    data_dir: Path,
    reads: list[str],
    findings: dict[str, str],
    downloads: list[dict[str, Any]],
) -> dict[str, Any]:
    """What the run in ``folder`` used and found (see the module docstring)."""
    data = {name: data_rows(data_dir / name) for name in sorted(set(reads)) if (data_dir / name).is_file()}
    tables = {
        p.relative_to(folder).as_posix(): table_rows(p)
        for p in sorted([*folder.glob("tables/*.csv"), *folder.glob("claims.csv")])
    }
    ratings = {}
    if "claims.csv" in tables:
        for row in csv.DictReader(io.StringIO("\n".join(tables["claims.csv"]))):
            ratings[row["claim_id"]] = {k: row.get(k, "") for k in ("rating", "verdict", "robustness")}
    files = {str(d.get("file", "")): str(d.get("sha256", "")) for d in downloads}
    return {"data": data, "downloads": files, "findings": findings, "ratings": ratings, "tables": tables}


def read_snapshot(folder: Path) -> dict[str, Any] | None:
    """The snapshot a previous run left in ``folder``, or None (no run, or one made before snapshots)."""
    path = folder / SNAPSHOT
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_snapshot(folder: Path, snap: dict[str, Any]) -> None:
    (folder / SNAPSHOT).write_text(json.dumps(snap, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def _data_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Data rows added, corrected or removed, per file, and changed official download files."""
    out = []
    for name in sorted(set(old["data"]) | set(new["data"])):
        before, after = old["data"].get(name, {}), new["data"].get(name, {})
        for rid in sorted(set(before) | set(after)):
            a, b = before.get(rid), after.get(rid)
            if a and b and a["sha256"] == b["sha256"]:
                continue
            kind = "added" if a is None else "removed" if b is None else "corrected"
            fields = []
            if kind == "corrected":
                keys = list(dict.fromkeys([*a["row"], *b["row"]]))
                fields = [
                    {"field": k, "old": a["row"].get(k, ""), "new": b["row"].get(k, "")}
                    for k in keys
                    if a["row"].get(k, "") != b["row"].get(k, "")
                ]
            row = (b or a)["row"]
            out.append(
                {
                    "file": f"data/{name}",
                    "record_id": rid,
                    "change": kind,
                    "fields": fields,
                    "source_url": safe_url(row.get("source_url", "")),
                }
            )
    for file in sorted(set(old.get("downloads", {})) | set(new.get("downloads", {}))):
        a, b = old.get("downloads", {}).get(file), new.get("downloads", {}).get(file)
        if a != b:
            kind = "added" if a is None else "removed" if b is None else "corrected"
            out.append({"file": file, "record_id": "(download file)", "change": kind, "fields": [], "source_url": ""})
    return out


def _causes(texts: list[str], data: list[dict[str, Any]]) -> list[str]:
    """The changed record ids that appear in any of ``texts``."""
    joined = "\n".join(texts)
    return [d["record_id"] for d in data if d["record_id"] and d["record_id"] in joined]


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from ``old`` to ``new`` (two snapshots): findings, ratings, table rows and data rows."""
    data = _data_changes(old, new)
    findings = [
        {"notebook": nb, "old": old["findings"].get(nb, ""), "new": new["findings"].get(nb, "")}
        for nb in sorted(set(old["findings"]) | set(new["findings"]))
        if old["findings"].get(nb, "") != new["findings"].get(nb, "")
    ]
    ratings = []
    for cid in sorted(set(old["ratings"]) | set(new["ratings"])):
        a, b = old["ratings"].get(cid, {}), new["ratings"].get(cid, {})
        if a != b:
            evidence = [
                "\n".join(rows)
                for snap in (old, new)
                for name, rows in snap["tables"].items()
                if name.startswith(f"tables/evidence_{cid}_")
            ]
            ratings.append({"claim_id": cid, "old": a, "new": b, "caused_by": _causes(evidence, data)})
    tables = []
    for name in sorted(set(old["tables"]) | set(new["tables"])):
        a, b = old["tables"].get(name, []), new["tables"].get(name, [])
        if a == b:
            continue
        kept_old, kept_new = set(a[1:]), set(b[1:])
        removed = [r for r in a[1:] if r not in kept_new]
        added = [r for r in b[1:] if r not in kept_old]
        header = (b or a)[0] if (b or a) else ""
        tables.append(
            {
                "table": name,
                "header": header,
                "removed": removed,
                "added": added,
                "caused_by": _causes(removed + added, data),
            }
        )
    return {"compared": True, "findings": findings, "ratings": ratings, "tables": tables, "data": data}


def nothing_to_compare(reason: str) -> dict[str, Any]:
    """The changes of a run with no previous snapshot to compare with."""
    return {"compared": False, "reason": reason, "findings": [], "ratings": [], "tables": [], "data": []}


def summary(changes: dict[str, Any]) -> str:
    """One line for the index: how many findings, ratings, tables and data rows changed."""
    if not changes["compared"]:
        return changes["reason"]
    counts = [
        (len(changes[k]), k.rstrip("s") if len(changes[k]) == 1 else k) for k in ("findings", "ratings", "tables")
    ]
    parts = [f"{n} {label} changed" for n, label in counts if n]
    if changes["data"]:
        parts.append(f"{len(changes['data'])} data row(s) added, corrected or removed")
    return "; ".join(parts) if parts else "nothing changed since the previous run of this name"


def page_context(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes page's template context: the changes with each table's rows cut to ``MAX_ROWS_SHOWN``."""
    tables = [
        t
        | {
            "removed": t["removed"][:MAX_ROWS_SHOWN],
            "added": t["added"][:MAX_ROWS_SHOWN],
            "more": max(0, len(t["removed"]) + len(t["added"]) - 2 * MAX_ROWS_SHOWN),
        }
        for t in changes["tables"]
    ]
    return {**changes, "tables": tables, "summary": summary(changes)}


def write_changes(
    folder: Path, previous: dict[str, Any] | None, snap: dict[str, Any], had_report: bool
) -> dict[str, Any]:
    """Compare ``snap`` with the previous run's snapshot and write ``changes.json``; return the changes."""
    if previous is not None:
        changes = compare(previous, snap)
    elif had_report:
        changes = nothing_to_compare("the previous report of this name kept no snapshot: nothing to compare with")
    else:
        changes = nothing_to_compare("first run of this name: nothing to compare with")
    (folder / CHANGES_JSON).write_text(
        json.dumps(changes, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return changes

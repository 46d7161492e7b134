"""Where an official download comes from: one origin record per file, and a release label for the
source line of a chart drawn from it.

Rules, stated here:

* One record per file of the download (:func:`origin_records`): a zip archive is one file (the
  download as its producer ships it, with its data members named); a folder gives its data files
  and, for BACI, the release's code files beside them; a single file gives itself. Each record
  names the producer (CEPII / UN Statistics Division), the dataset (BACI / UN Comtrade), the
  classification, release and version, the file (relative to the project root, never an absolute
  path), its size in bytes, its SHA-256 (computed once and remembered, see
  :func:`helpers.official.store.source_digest`) and its licence.
* BACI's classification and version come from the names CEPII gives: ``BACI_HS92_V202301`` (a zip
  or folder) or ``BACI_HS92_Y2021_V202301.csv`` (a year file), ``country_codes_V202301.csv``.
  Comtrade's classification is what the file's ``classificationCode``/``Classification`` column says
  (e.g. H6), its release the layout; a Comtrade download states no version ("not stated").
* Deterministic: no dates, no absolute paths; records sorted by file name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from helpers.config import display_path
from helpers.official.archive import ArchiveMember, is_archive, open_archive, source_header
from helpers.official.formats import BACI, COMTRADE, COMTRADE_LEGACY, format_of, is_json
from helpers.official.store import source_digest

NOT_STATED = "not stated"
BACI_LICENCE = "Etalab Open Licence 2.0 (CEPII BACI)"
COMTRADE_LICENCE = "UN Comtrade terms of use: the data may not be republished or redistributed"
_BACI_RELEASE = re.compile(r"BACI_HS(?P<rev>\d{2})_(?:Y\d{4}_)?V(?P<version>\d+[a-z]?)", re.I)
_SIDE_VERSION = re.compile(r"^(?:country_codes_|product_codes_HS(?P<rev>\d{2})_)V(?P<version>\w+?)\.csv$", re.I)
_LAYOUTS = {
    COMTRADE.name: "current Comtrade+ layout",
    COMTRADE_LEGACY.name: "legacy Comtrade export layout",
    "json": "Comtrade+ API response (JSON)",
}


def _baci_names(*names: str) -> tuple[str, str]:
    """(classification, version) from the first name that carries them, else not stated."""
    for name in names:
        found = _BACI_RELEASE.search(name) or _SIDE_VERSION.match(name)
        if found:
            rev = found.groupdict().get("rev")
            return (f"HS{rev}" if rev else NOT_STATED), f"V{found['version']}"
    return NOT_STATED, NOT_STATED


def _baci_record(path: Path, members: list[str], context: list[str]) -> dict[str, Any]:
    classification, version = _baci_names(path.name, *members, *context)
    return {
        "producer": "CEPII",
        "dataset": "BACI",
        "classification": classification,
        "release": f"BACI {classification} {version}",
        "version": version,
    }


def _comtrade_classification(file: Path | ArchiveMember) -> str:
    """The classification codes a Comtrade file states (distinct values of its column), else not stated."""
    from helpers.official.stream import distinct_values

    header = source_header(file)
    fmt = format_of(header, file.name)
    if "classification" not in fmt.positions(header.names):
        return NOT_STATED
    values = distinct_values(file, header, fmt, ["classification"])["classification"]
    found = sorted({str(v).strip() for v in values if str(v).strip()})
    return ", ".join(found) if found else NOT_STATED


def _comtrade_record(file: Path) -> dict[str, Any]:
    if is_json(file):
        layout, classification = _LAYOUTS["json"], NOT_STATED
    else:
        layout = _LAYOUTS[format_of(source_header(file), file.name).name]
        classification = _comtrade_classification(file)
    return {
        "producer": "UN Statistics Division",
        "dataset": "UN Comtrade",
        "classification": classification,
        "release": f"UN Comtrade ({layout})",
        "version": NOT_STATED,
    }


def _file_record(path: Path, described: dict[str, Any], licence: str, **extra: Any) -> dict[str, Any]:
    return {
        **described,
        "file": display_path(path),
        "size_bytes": path.stat().st_size,
        "sha256": source_digest(path),
        "licence": licence,
        **extra,
    }


def origin_records(path: Path | str) -> list[dict[str, Any]]:
    """One origin record per file of the download at ``path`` (see the module's rules)."""
    from helpers.official.read import data_files

    path = Path(path)
    files = data_files(path)
    if is_archive(path):
        members = [m.member for m in files if isinstance(m, ArchiveMember)]
        with open_archive(path) as archive:
            every = [info.filename for info in archive.infolist()]
        first = files[0]
        is_baci = format_of(source_header(first), first.name) is BACI
        if is_baci:
            described, licence = _baci_record(path, members, every), BACI_LICENCE
        else:
            described, licence = _comtrade_record_of_member(first), COMTRADE_LICENCE
        return [_file_record(path, described, licence, members=sorted(members))]
    records = []
    side_files: set[Path] = set()
    for file in files:
        assert isinstance(file, Path)
        if not is_json(file) and format_of(source_header(file), file.name) is BACI:
            from helpers.official.countries import release_code_files

            side_files |= {Path(p) for p in release_code_files(file)}
            context = [path.name] if path.is_dir() else [file.parent.name]
            records.append(_file_record(file, _baci_record(file, [], context), BACI_LICENCE))
        else:
            records.append(_file_record(file, _comtrade_record(file), COMTRADE_LICENCE))
    baci = next((r for r in records if r["dataset"] == "BACI"), None)
    for side in sorted(side_files):
        described = {key: baci[key] for key in ("producer", "dataset", "classification", "release", "version")}
        records.append(_file_record(side, described, BACI_LICENCE, role="release code file"))
    return sorted(records, key=lambda r: r["file"])


def _comtrade_record_of_member(member: ArchiveMember) -> dict[str, Any]:
    layout = _LAYOUTS[format_of(source_header(member), member.name).name]
    return {
        "producer": "UN Statistics Division",
        "dataset": "UN Comtrade",
        "classification": _comtrade_classification(member),
        "release": f"UN Comtrade ({layout})",
        "version": NOT_STATED,
    }


def release_label(path: Path | str) -> str:
    """The release a chart's source line names for the download at ``path``, e.g. "CEPII BACI HS92
    V202301" or "UN Comtrade (HS, current Comtrade+ layout)"; several releases joined by "; "."""
    labels = []
    for record in origin_records(path):
        if record.get("role"):
            continue
        if record["dataset"] == "BACI":
            label = f"CEPII {record['release']}"
        else:
            classification = record["classification"]
            hs = "HS" if classification == NOT_STATED else f"HS {classification}"
            label = record["release"].replace("UN Comtrade (", f"UN Comtrade ({hs}, ", 1)
        if label not in labels:
            labels.append(label)
    return "; ".join(labels)


def downloads_used(per_notebook: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The origin records of every official download the notebooks' parameters name (``source`` comtrade
    or baci with a ``data_path``), each file once, sorted: the ``official_downloads`` entry of run.json."""
    from helpers.config import resolve_path

    paths = sorted(
        {
            str(params["data_path"])
            for params in per_notebook.values()
            if params.get("source") in ("comtrade", "baci") and params.get("data_path")
        }
    )
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for data_path in paths:
        for record in origin_records(resolve_path(data_path)):
            seen.setdefault((record["file"], record["sha256"]), record)
    return [seen[key] for key in sorted(seen)]

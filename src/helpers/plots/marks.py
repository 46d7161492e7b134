"""Marks that cite their sources: every mark a chart draws from a data row is its own artist with a
``gid`` and a ``url`` (matplotlib writes them into the SVG as ``<g id>`` and ``<a xlink:href>``), and
the figure remembers each mark's tooltip text, link and record id (``fig.collection_marks``).

``finish_svg`` is the one deterministic post-processing step of an exported SVG: every id (and every
reference to one) gets the figure's prefix, so that several charts inlined in one page never clash
(matplotlib repeats ``figure_1``, ``axes_1``, ... in every SVG), and each mark gets its ``<title>``
(the tooltip, escaped) and a plain ``href`` beside matplotlib's ``xlink:href``.

Links: a row's ``source_url`` when it has one, else the source page of its ``record_id`` in the
shipped data files; only ``http(s)`` addresses and links inside the run folder are kept, so text from
data never becomes a script link. ``DATA_LINK`` stands for the figure's own CSV (a mark drawn from
several rows, e.g. a range) and ``ORIGIN_LINK`` for the origin records of an official download
(``run.json``).
"""

from __future__ import annotations

import csv
import functools
import html
import re
from typing import Any

#: Placeholder link of a mark drawn from several rows: replaced by the figure's CSV on export.
DATA_LINK = "figure-data.csv"
#: Link of a mark drawn from an official download: the run's origin records of the files used.
ORIGIN_LINK = "run.json"
#: Shipped data files whose rows name their source page, by the column holding the row's id.
SOURCE_FILES = (
    ("trade_reported.csv", "record_id"),
    ("iraq_imports.csv", "record_id"),
    ("composition.csv", "record_id"),
    ("targets.csv", "target_id"),
    ("events.csv", "event_id"),
)
_SAFE_URL = re.compile(r"^(https?://[^\s\"'<>]+|[A-Za-z0-9][A-Za-z0-9._/-]*(#[A-Za-z0-9._-]*)?)$")


@functools.cache
def file_rows(name: str) -> dict[str, dict[str, str]]:
    """The rows of one shipped data file of :data:`SOURCE_FILES` that name an id, by that id (read once)."""
    from helpers.config import DATA_DIR

    key = dict(SOURCE_FILES)[name]
    path = DATA_DIR / name
    rows: dict[str, dict[str, str]] = {}
    if path.exists():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get(key):
                    rows.setdefault(row[key], row | {"file": f"data/{name}"})
    return rows


def shipped_row(record: str, key: str = "", only: bool = False) -> dict[str, str]:
    """The shipped row with id ``record`` ({} when none), the files keyed by ``key`` searched first (with
    ``only``, no other); files are read only until it is found (a notebook's recorded inputs are the files
    it needed)."""
    names = [n for n, k in SOURCE_FILES if k == key] + ([] if only else [n for n, k in SOURCE_FILES if k != key])
    for name in names:
        found = file_rows(name).get(record)
        if found is not None:
            return found
    return {}


def shipped_rows() -> dict[str, dict[str, str]]:
    """Every row of the shipped data files that names a source page, by its id (the first file's on a tie)."""
    rows: dict[str, dict[str, str]] = {}
    for name, _ in SOURCE_FILES:
        for record, row in file_rows(name).items():
            rows.setdefault(record, row)
    return rows


def safe_url(url: Any) -> str:
    """``url`` when it is an http(s) address or a plain link inside the run folder, else ``""``."""
    text = "" if url is None else str(url).strip()
    if text in ("", "nan", "None", "<NA>"):
        return ""
    return text if _SAFE_URL.match(text) else ""


def source_of(row: Any) -> tuple[str, str]:
    """(source page, record id) of a drawn row: its own ``source_url``, else its record's in the data files."""
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    record, key = _record_of(row)
    url = safe_url(get("source_url", None))
    if not url and record:
        url = safe_url(shipped_row(record, key).get("source_url"))
    return url, record


def _record_of(row: Any) -> tuple[str, str]:
    """(id, id column) of a drawn row: its record, event or target id; ("", "") without one."""
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    for key in ("record_id", "event_id", "target_id"):
        value = get(key, None)
        if value is not None and str(value) not in ("", "nan", "<NA>"):
            return str(value), key
    return "", ""


def link(
    fig, artist, title: str, url: str = "", record_id: str = "", publisher: str = "", checked: str = "", file: str = ""
):
    """Make ``artist`` one mark of ``fig``: a ``gid``, a link (when ``url`` is safe) and a tooltip text;
    ``file``: the shipped data file holding ``record_id`` (found from the id when not given)."""
    marks = getattr(fig, "collection_marks", None)
    if marks is None:
        marks = fig.collection_marks = []
    gid = f"mark-{len(marks) + 1}"
    artist.set_gid(gid)
    url = safe_url(url)
    if url:
        artist.set_url(url)
    marks.append(
        {
            "id": gid,
            "title": title,
            "url": url,
            "record_id": record_id,
            "publisher": publisher,
            "checked": checked,
            "file": file or (shipped_row(record_id, "record_id", only=True).get("file", "") if record_id else ""),
        }
    )
    return artist


def link_row(fig, artist, row: Any, title: str):
    """``link`` with the source page, record id, publisher and check date of a drawn row."""
    url, record = source_of(row)
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    own_publisher, own_checked = get("publisher", None), get("checked", None)
    shipped = shipped_row(record, _record_of(row)[1]) if record else {}
    publisher = str(own_publisher if _given(own_publisher) else shipped.get("publisher", "") or "")
    checked = re.match(r"\d{4}-\d{2}-\d{2}|", str(own_checked if _given(own_checked) else shipped.get("checked", "")))
    publisher = publisher if publisher != "nan" else ""
    return link(fig, artist, title, url, record, publisher, checked.group(0), shipped.get("file", ""))


def _given(value: Any) -> bool:
    """A row's own value is there (not missing, empty or a missing marker)."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return False
    return str(value) not in ("", "nan", "None", "<NA>", "NaT")


def billions_text(value: Any) -> str:
    """US$ value as ``US$10.2bn`` (``n/a`` when missing)."""
    try:
        return f"US${float(value) / 1e9:,.2f}bn"
    except (TypeError, ValueError):
        return "n/a"


def joined(*parts: Any) -> str:
    """The non-empty parts of a tooltip, joined with `` · ``."""
    return " · ".join(str(p) for p in parts if p is not None and str(p) not in ("", "nan", "None", "<NA>", "NaT"))


# --- the exported SVG --------------------------------------------------------------------------

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|xlink:href="#|href="#)([^")]+)')
_MARK_OPEN = re.compile(r'<g id="(?P<id>[^"]+)">')
_G_TAG = re.compile(r"<g\b[^>]*>|</g>")
_A_TAG = re.compile(r'<a xlink:href="(?P<href>[^"]*)"[^>]*>|</a>')


def _group_end(svg: str, start: int) -> int:
    """The index just past the ``</g>`` closing the group opened at ``start``."""
    depth = 0
    for m in _G_TAG.finditer(svg, start):
        depth += -1 if m.group(0) == "</g>" else 1
        if depth == 0:
            return m.end()
    return len(svg)


def _one_link(group: str, gid: str, title: str, data_link: str) -> str:
    """A mark's group as one link (matplotlib's ``<a>`` lifted to wrap the whole mark) with its ``<title>``."""
    inner = group[group.index(">") + 1 : -len("</g>")]
    hrefs = [m.group("href") for m in _A_TAG.finditer(inner) if m.group("href") is not None]
    inner = _A_TAG.sub("", inner)
    tip = f"<title>{html.escape(title, quote=False)}</title>"
    if not hrefs:
        return f'<g id="{gid}" class="mark">{tip}{inner}</g>'
    href = data_link if hrefs[0] == DATA_LINK and data_link else hrefs[0]
    return f'<g id="{gid}" class="mark"><a href="{href}" xlink:href="{href}">{tip}{inner}</a></g>'


def finish_svg(svg: str, marks: list[dict[str, Any]], prefix: str, data_link: str = "") -> str:
    """The SVG with ``prefix`` on every id and reference, and each mark one link holding its ``<title>``."""
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)
    titles = {f"{prefix}{m['id']}": m["title"] for m in marks}
    out, pos = [], 0
    for m in _MARK_OPEN.finditer(svg):
        if m.group("id") not in titles or m.start() < pos:
            continue
        end = _group_end(svg, m.start())
        out += [svg[pos : m.start()], _one_link(svg[m.start() : end], m.group("id"), titles[m.group("id")], data_link)]
        pos = end
    return "".join(out) + svg[pos:]


def inline_svg(svg: str) -> str:
    """The SVG element alone (no XML declaration or DOCTYPE), for a page's markup."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


@functools.cache
def _licences() -> dict[str, str]:
    """Licence title of each shipped data file, from ``data/datapackage.json``."""
    from helpers.config import DATA_DIR
    from helpers.tables.manifest import load_manifest

    manifest = load_manifest(DATA_DIR)
    if manifest is None:
        return {}
    default = "; ".join(x.get("title", x.get("name", "")) for x in manifest.get("licenses", []))
    return {
        f"data/{r['path']}": "; ".join(x.get("title", x.get("name", "")) for x in r.get("licenses", [])) or default
        for r in manifest.get("resources", [])
    }


def origins(marks: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One origin per source page the marks link to: publisher, URL, date checked and licence, in order."""
    seen: dict[str, dict[str, str]] = {}
    for m in marks:
        url = m.get("url", "")
        if not url or url in seen:
            continue
        file = m.get("file", "")
        licence = _licences().get(file, "") if file else ""
        if url == ORIGIN_LINK:
            licence = "see the licence of each file in run.json's official_downloads"
        seen[url] = {
            "publisher": m.get("publisher", ""),
            "url": url,
            "checked": m.get("checked", ""),
            "licence": licence,
        }
    return list(seen.values())

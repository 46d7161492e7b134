"""A notebook's two HTML pages: the reader's page (no code) and the page with code.

Pages are rendered in-process with nbconvert (no ``jupyter nbconvert`` process per notebook), with
the ``collection`` template in ``helpers/templates``. The run header on top of each page comes from
the Jinja template ``site/run_header.html.j2``; every template of the collection's own pages (header
and index, see ``helpers.pipeline.site``) is rendered by the one autoescaping environment of
``jinja_environment``, so text from data, metadata and parameters is always shown as text. The run
date and commit are added here, at render time, never stored in a notebook.

This module also writes what a notebook's outputs carry besides its pages: the figure download
links (in memory, on the pages) and the tables it exported as CSV (``export_tables``).
"""

from __future__ import annotations

import csv
import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.config import DATA_DIR

if TYPE_CHECKING:
    import jinja2
    from nbformat import NotebookNode

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
SITE_TEMPLATES = TEMPLATES / "site"
HEADER_TEMPLATE = "run_header.html.j2"

# The lab template loads require.js and MathJax from a CDN; the reports must work offline.
_CDN_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*", re.I)
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)

# a data file's "checked" date when the file is absent or has no dated row
_UNDATED = ("n/a", "missing")


# --- what a notebook declares ------------------------------------------------------------------


def notebook_info(nb: NotebookNode) -> dict[str, Any]:
    """The collection metadata a notebook declares: question, data files read, title."""
    meta = dict(nb.metadata.get("collection", {}))
    if "title" not in meta:
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                meta["title"] = first.lstrip("# ").strip()
                break
    return meta


def data_sources(files: list[str]) -> list[dict[str, str]]:
    """Title, path and last check date of each shipped data file a notebook reads."""
    manifest_path = DATA_DIR / "datapackage.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {"resources": []}
    by_path = {r["path"]: r for r in manifest.get("resources", [])}
    out = []
    for f in files:
        res = by_path.get(f, {})
        out.append({"file": f"data/{f}", "title": res.get("title", f), "checked": _last_checked(DATA_DIR / f)})
    return out


def _last_checked(path: Path) -> str:
    """The latest ``checked`` date of a data file's rows, ``n/a`` without one, ``missing`` without the file."""
    if not path.exists():
        return "missing"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        dates = [row.get("checked", "") for row in csv.DictReader(fh)]
    dates = [d for d in dates if d]
    return max(dates) if dates else "n/a"


# --- the Jinja templates of the collection's own markup ----------------------------------------


def _is_dated(checked: str) -> bool:
    """Jinja test ``dated``: a data file's check date is a real date (not ``n/a`` or ``missing``)."""
    return checked not in _UNDATED


@functools.cache
def jinja_environment() -> jinja2.Environment:
    """The one Jinja environment of the run header and the index page, autoescaping every template.

    ``autoescape=True`` covers every template whatever its name (``select_autoescape(["html"])``
    would not cover ``*.html.j2``). Undefined names fail loudly instead of printing nothing.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SITE_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["repr"] = repr
    env.tests["dated"] = _is_dated
    return env


def _header_html(
    info: dict[str, Any], params: dict[str, Any], run_info: dict[str, Any], other_page: str, other_label: str
) -> str:
    """The run header of one page: links, question, this run's parameters, data sources, run and commit."""
    return (
        jinja_environment()
        .get_template(HEADER_TEMPLATE)
        .render(
            info=info,
            params=params,
            sources=data_sources(info.get("reads", [])),
            run_info=run_info,
            other_page=other_page,
            other_label=other_label,
        )
    )


# --- nbconvert: the notebook's own markup ------------------------------------------------------


def _offline(page: str) -> str:
    """The page without the CDN scripts (require.js, MathJax) of nbconvert's lab template."""
    page = _MATHJAX_BLOCK.sub("", page)
    return _CDN_SCRIPT.sub("", page)


def _insert_after_body(page: str, block: str) -> str:
    """``block`` inserted right after the page's ``<body>`` tag (in front of the page without one)."""
    m = re.search(r"<body[^>]*>", page)
    return page[: m.end()] + block + page[m.end() :] if m else block + page


_EXPORTERS: dict[bool, Any] = {}

# What nbconvert's HTMLExporter does to each page with BeautifulSoup (parse, edit, serialise: about
# half of a page's rendering time), done on the template's own markup instead. Scripts and styles
# are passed over untouched; only real <div> and <img> tags are edited.
_TAGS = re.compile(r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>)|<div\b([^>]*)>|<img\b([^>]*)>", re.S | re.I)
_CLASS = re.compile(r'(?:^|\s)class\s*=\s*"([^"]*)"')
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}
_NO_ALT = "No description has been provided for this image"


def _has_attr(attrs: str, name: str) -> bool:
    """Whether a tag's attribute text sets the attribute ``name``."""
    return re.search(rf"(?:^|\s){name}\s*=", attrs) is not None


def _accessible_tag(m: re.Match) -> str:
    """One match of ``_TAGS``, with the tabindex or alt text nbconvert would add."""
    raw, div, img = m.group(1), m.group(2), m.group(3)
    if raw is not None:
        return raw
    if div is not None:
        cls = _CLASS.search(div)
        if cls and _FOCUSABLE & set(cls.group(1).split()) and not _has_attr(div, "tabindex"):
            return f'<div{div} tabindex="0">' if not div.endswith("/") else m.group(0)
        return m.group(0)
    if not _has_attr(img, "alt"):
        return f'<img alt="{_NO_ALT}"{img}>'
    return m.group(0)


def accessible(page: str) -> str:
    """Inputs and outputs reachable by keyboard (tabindex) and an alt text on every image, as
    nbconvert's HTMLExporter adds them."""
    return _TAGS.sub(_accessible_tag, page)


@functools.cache
def _exporter_class() -> type:
    """nbconvert's HTMLExporter without its BeautifulSoup pass (built once: nbconvert imports late)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class CollectionHTMLExporter(HTMLExporter):
        """HTMLExporter without its BeautifulSoup pass (see ``accessible``)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter(
                "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            )
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            html_page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible(html_page), resources

    return CollectionHTMLExporter


def exporter_options(exclude_input: bool) -> dict[str, Any]:
    """Options of the HTML exporter of a page kind (reader's page: no code)."""
    return {
        "extra_template_basedirs": [str(TEMPLATES)],
        "template_name": "collection",
        "exclude_input": exclude_input,
        "exclude_input_prompt": True,
        "exclude_output_prompt": True,
    }


def exporter(exclude_input: bool) -> Any:
    """One HTML exporter per page kind and process: its templates are loaded once, not per notebook."""
    if exclude_input not in _EXPORTERS:
        _EXPORTERS[exclude_input] = _exporter_class()(**exporter_options(exclude_input))
    return _EXPORTERS[exclude_input]


def load_exporters() -> None:
    """Load both page kinds' exporters and the run header template, e.g. once before forking workers."""
    exporter(True)
    exporter(False)
    jinja_environment().get_template(HEADER_TEMPLATE)


# --- a notebook's pages ------------------------------------------------------------------------

# (page suffix, code left out, suffix of the other page, label of the link to it)
_PAGE_KINDS = (
    (".html", True, ".code.html", "Page with code"),
    (".code.html", False, ".html", "Reader's page"),
)


def render_notebook(executed: Path, run_info: dict[str, Any]) -> list[str]:
    """Write ``<name>.html`` (reader's page, no code) and ``<name>.code.html`` beside the executed notebook."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    _link_figures(nb, executed.parent, executed.stem)
    info = notebook_info(nb)
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    written = []
    for suffix, exclude_input, other, label in _PAGE_KINDS:
        body, _ = exporter(exclude_input).from_notebook_node(nb)
        header = _header_html(info, params, run_info, executed.stem + other, label)
        out = executed.with_name(executed.stem + suffix)
        out.write_text(_insert_after_body(_offline(body), header), encoding="utf-8")
        written.append(str(out))
    return written


def _figure_links(folder: Path, stem: str, number: str) -> list[str]:
    """Markdown links to the exported PNG, SVG and data CSV of figure ``number`` that exist on disk."""
    base = f"figures/{stem}-fig{number}"
    return [
        f"[{label}]({base}.{ext})"
        for label, ext in (("PNG", "png"), ("SVG", "svg"), ("data (CSV)", "csv"))
        if (folder / f"{base}.{ext}").exists()
    ]


def _link_figures(nb: NotebookNode, folder: Path, stem: str) -> None:
    """Under each figure, add download links to its exported PNG, SVG and data CSV (in memory only)."""
    from nbformat.v4 import new_output

    for cell in nb.cells:
        new = []
        for out in cell.get("outputs", []):
            new.append(out)
            data = out.get("data", {})
            text = "".join(data.get("text/plain", "")) if "image/png" in data else ""
            m = re.match(r"Figure (\d+):", text)
            links = _figure_links(folder, stem, m.group(1)) if m else []
            if links:
                markdown = "Download figure " + m.group(1) + ": " + " · ".join(links)
                new.append(new_output("display_data", data={"text/markdown": markdown}))
        cell["outputs"] = new


# --- a notebook's tables -----------------------------------------------------------------------


def export_tables(nb: NotebookNode, folder: Path) -> None:
    """Write every table a notebook exported (mimetype text/csv with a file name) into ``folder/tables``.

    An output's ``folder`` metadata names another subfolder, or ``.`` for the run folder itself.
    """
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            meta = out.get("metadata", {}).get("text/csv", {})
            if "text/csv" in data and meta.get("filename"):
                name = Path(meta["filename"]).name
                sub = (
                    folder / Path(meta.get("folder", "tables")).name if meta.get("folder", "tables") != "." else folder
                )
                sub.mkdir(exist_ok=True)
                (sub / name).write_text("".join(data["text/csv"]), encoding="utf-8")

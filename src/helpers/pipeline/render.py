"""A notebook's two HTML pages: the reader's page (no code) and the page with code.

Pages are rendered in-process with nbconvert (no ``jupyter nbconvert`` process per notebook), with
the ``collection`` template in ``helpers/templates``. The run header on top of each page comes from
the Jinja template ``site/run_header.html.j2``; every template of the collection's own pages (header
and index, see ``helpers.pipeline.site``) is rendered by the one autoescaping environment of
``jinja_environment``, so text from data, metadata and parameters is always shown as text. No clock
in the pages: a notebook's pages name the run but never its date or commit (those are only on the
index and in ``run.json``), so that a page is a function of its inputs.

Charts: on the reader's page each exported figure is its SVG inlined (``inline_charts``: every mark a
link to its row's source with a tooltip, see ``helpers.plots.marks``), followed by the table of every
mark's row; the page with code, like the notebook, keeps the PNG.

This module also writes what a notebook's outputs carry besides its pages: the figure download
links (in memory, on the pages) and the tables it exported as CSV (``export_tables``).

Claim anchors: on a page whose notebook exported the claims table (``claims.csv``), the heading of
each claim's section gets ``id="<claim_id>"`` (``claim_anchors``), so that
``04-claims-check.html#c07-share-65pct`` stays the same whatever the heading's text. A claim's
heading is any heading (``<h1>``..``<h6>``, e.g. from a Markdown ``### c07-share-65pct — ...``)
whose text starts with the claim id followed by anything but a letter, digit, ``-`` or ``_``.
nbconvert would otherwise derive the id from the whole heading text. ``with_json_ld`` embeds
structured data (the claims' ClaimReview markup) in a page's head.
"""

from __future__ import annotations

import csv
import functools
import html
import io
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
    from helpers.pipeline.executions import view_read

    manifest_path = DATA_DIR / "datapackage.json"
    with view_read():  # titles only, no file's checksum
        text = manifest_path.read_text(encoding="utf-8") if manifest_path.exists() else '{"resources": []}'
    manifest = json.loads(text)
    by_path = {r["path"]: r for r in manifest.get("resources", [])}
    out = []
    for f in files:
        res = by_path.get(f, {})
        out.append({"file": f"data/{f}", "title": res.get("title", f), "checked": _last_checked(DATA_DIR / f)})
    return out


def other_pair(params: dict[str, Any]) -> str:
    """The name of the country pair a notebook's parameters name (``"Türkiye–Iraq"``) when it is not Iran and
    Iraq, the pair the shipped data and the notebooks' own text are about; ``""`` for Iran and Iraq."""
    from helpers.analysis.countries import DEFAULT_PAIR, is_default_pair, pair_name

    reporter = str(params.get("reporter") or DEFAULT_PAIR[0])
    partner = str(params.get("partner") or DEFAULT_PAIR[1])
    return "" if is_default_pair(reporter, partner) else pair_name(reporter, partner)


#: The shipped tables that hold no country pair's figures (``tables.specs`` ``any_pair``; named here because
#: the pages import no pandas): another pair's run reads them as they are.
ANY_PAIR_FILES = frozenset({"categories.csv", "concordance_hs.csv"})


def run_sources(files: list[str], params: dict[str, Any]) -> list[dict[str, str]]:
    """``data_sources`` of a notebook as this run used them: for another pair than Iran and Iraq (see
    ``other_pair``) the official download named by ``source`` and ``data_path`` comes first, and each shipped
    file about Iran and Iraq (all but :data:`ANY_PAIR_FILES`) says that this pair's figures come from that
    download only."""
    sources = data_sources(files)
    pair = other_pair(params)
    if not pair:
        return sources
    source, path = str(params.get("source") or "reported"), str(params.get("data_path") or "")
    shipped = f"shipped with the collection, about Iran and Iraq: the figures for {pair} come from official statistics"
    out = [
        s if s["file"].removeprefix("data/") in ANY_PAIR_FILES else {**s, "title": f"{s['title']} ({shipped})"}
        for s in sources
    ]
    if source != "reported" and path:
        official = f"Official statistics for {pair}: the {source} download (each file's origin and SHA-256 in run.json)"
        out.insert(0, {"file": path, "title": official, "checked": _UNDATED[0]})
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


def run_header_html(
    info: dict[str, Any], params: dict[str, Any], run_info: dict[str, Any], other_page: str, other_label: str
) -> str:
    """The run header of one page: links, question, this run's parameters, data sources and the run's name."""
    return (
        jinja_environment()
        .get_template(HEADER_TEMPLATE)
        .render(
            info=info,
            params=params,
            sources=run_sources(info.get("reads", []), params),
            run_info={"run": run_info.get("run", "")},
            other_page=other_page,
            other_label=other_label,
            pair=other_pair(params),
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
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class CollectionHTMLExporter(HTMLExporter):
        """HTMLExporter without its BeautifulSoup pass (see ``accessible``), whose Markdown is converted
        once for both pages of a notebook (:func:`markdown_key`)."""

        @pass_context
        def markdown2html(self, context, source):
            key = markdown_key(self, context, source)
            if key not in _MARKDOWN:
                if len(_MARKDOWN) >= MARKDOWN_KEPT:
                    _MARKDOWN.clear()
                _MARKDOWN[key] = HTMLExporter.markdown2html(self, context, source)
            return _MARKDOWN[key]

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


#: Markdown already converted, by :func:`markdown_key` (the two pages of a notebook share their Markdown
#: cells and outputs); emptied when it holds this many.
_MARKDOWN: dict[tuple, str] = {}
MARKDOWN_KEPT = 2048


def markdown_key(exporter: Any, context: Any, source: str) -> tuple:
    """Everything nbconvert's ``markdown2html`` reads: the text, the cell's attachments, the notebook's
    folder and the exporter's Markdown settings."""
    attachments = context.get("cell", {}).get("attachments", {})
    path = context.get("resources", {}).get("metadata", {}).get("path", "")
    settings = (exporter.embed_images, exporter.anchor_link_text, exporter.exclude_anchor_links)
    options = json.dumps(exporter.lexer_options, sort_keys=True, default=repr)
    return source, json.dumps(attachments, sort_keys=True, default=repr), path, settings, options


def exporter_options(exclude_input: bool) -> dict[str, Any]:
    """Options of the HTML exporter of a page kind (reader's page: no code)."""
    return {
        "extra_template_basedirs": [str(TEMPLATES)],
        "template_name": "collection",
        "exclude_input": exclude_input,
        "exclude_input_prompt": True,
        "exclude_output_prompt": True,
        # the notebook is validated once, after the preprocessors, not after each of them (a dozen
        # passes over every output otherwise: about a quarter of a page's rendering)
        "optimistic_validation": True,
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


def warm_exporters() -> None:
    """Turn a one-cell notebook into both page kinds, in memory: compiles the templates the pages
    include, loads the code highlighter and the notebook validator. A process's first page otherwise
    costs several times its next ones (a worker does this while the runner checks its inputs)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    result = new_output("execute_result", {"text/plain": "1", "text/html": "<b>1</b>"}, execution_count=1)
    nb = new_notebook(
        cells=[new_markdown_cell("# Warm-up\n\nA *page*."), new_code_cell("x = 1\nx", outputs=[result])],
        metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}},
    )
    nbformat.validate(nbformat.reads(nbformat.writes(nb), as_version=4))
    for exclude_input in (True, False):
        exporter(exclude_input).from_notebook_node(nb)


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
    ids = claim_ids(nb)
    reader_nb = inline_charts(nb, executed.parent, executed.stem)
    for suffix, exclude_input, other, label in _PAGE_KINDS:
        body, _ = exporter(exclude_input).from_notebook_node(reader_nb if exclude_input else nb)
        body = claim_anchors(body, ids) if ids else body
        header = run_header_html(info, params, run_info, executed.stem + other, label)
        out = executed.with_name(executed.stem + suffix)
        out.write_text(with_style(_insert_after_body(_offline(body), header)), encoding="utf-8")
        written.append(str(out))
    return written


def _figure_links(folder: Path, stem: str, number: str) -> list[str]:
    """Markdown links to the exported PNG, SVG, data CSV and metadata JSON of figure ``number`` on disk."""
    base = f"figures/{stem}-fig{number}"
    return [
        f"[{label}]({base}.{ext})"
        for label, ext in (("PNG", "png"), ("SVG", "svg"), ("data (CSV)", "csv"), ("sources (JSON)", "json"))
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


# --- charts inlined as SVG on the reader's page ------------------------------------------------

CHART_TEMPLATE = "chart.html.j2"
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def _figure_number(out: Any) -> str | None:
    """The number of the figure an output shows (its plain-text form is ``Figure N: alt``), else None."""
    data = out.get("data", {})
    text = "".join(data.get("text/plain", "")) if "image/png" in data else ""
    m = re.match(r"Figure (\d+):", text)
    return m.group(1) if m else None


def chart_html(svg_path: Path, alt: str, captioned: bool = False, meta: dict[str, Any] | None = None) -> str:
    """A figure's inline SVG (see ``helpers.plots.marks``) on its light panel, with the table of every mark's
    row and source under it (from ``meta``, the figure's metadata JSON beside the SVG, read when not given);
    ``captioned``: its caption and source line (from the same JSON) in the figure's ``<figcaption>``."""
    from helpers.plots.marks import inline_svg

    svg = _SVG_METADATA.sub("", inline_svg(svg_path.read_text(encoding="utf-8")))
    meta = _figure_metadata(svg_path) if meta is None else meta
    page = (
        jinja_environment()
        .get_template(CHART_TEMPLATE)
        .render(
            alt=alt,
            marks=meta.get("marks", []),
            count=len(meta.get("marks", [])),
            number=meta.get("figure", ""),
            anchor=svg_path.stem,
            caption=meta.get("caption", "") if captioned else "",
            source=meta.get("source", "") if captioned else "",
        )
    )
    return page.replace("<!-- svg -->", svg, 1)


def _figure_metadata(svg_path: Path) -> dict[str, Any]:
    """The metadata JSON written beside a figure's SVG (``plots.style.export_sidecars``), else {}."""
    meta_path = svg_path.with_suffix(".json")
    return json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}


def inline_charts(nb: NotebookNode, folder: Path, stem: str) -> NotebookNode:
    """A copy of ``nb`` whose exported figures show as inline SVG (text/html) instead of their PNG, each
    with its caption and source line in its ``<figcaption>`` (the caption's own output is then dropped):
    the reader's page. The notebook itself, and the page with code, keep the PNG and the caption under it."""
    import copy

    new = copy.deepcopy(nb)
    for cell in new.cells:
        outputs = cell.get("outputs", [])
        for out in list(outputs):
            number = _figure_number(out)
            svg = folder / "figures" / f"{stem}-fig{number}.svg"
            if number and svg.exists():
                alt = "".join(out["data"]["text/plain"])
                meta = _figure_metadata(svg)  # read once: it says whether there is a caption, and what the page shows
                caption = _caption_output(outputs, outputs.index(out), number) if meta.get("caption") else None
                out["data"] = {"text/html": chart_html(svg, alt, captioned=caption is not None, meta=meta)}
                out["metadata"] = {}
                if caption is not None:
                    outputs.remove(caption)
    return new


def _caption_output(outputs: list, after: int, number: str) -> Any:
    """The output after position ``after`` that is figure ``number``'s caption (``plots.style.show`` writes it
    as Markdown beginning ``**Figure N.**``), else None."""
    for out in outputs[after + 1 :]:
        text = "".join(out.get("data", {}).get("text/markdown", ""))
        if text.startswith(f"**Figure {number}.**"):
            return out
    return None


# --- claim anchors and structured data ---------------------------------------------------------

CLAIMS_TABLE = "claims.csv"
_HEADING = re.compile(r"<h([1-6])\b([^>]*)>(.*?)</h\1\s*>", re.S | re.I)
_ID_ATTR = re.compile(r"""(\s)id\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_ANCHOR_LINK = re.compile(r"""(<a\b[^>]*\bclass\s*=\s*"anchor-link"[^>]*\bhref\s*=\s*)("[^"]*"|'[^']*')""", re.I)
_ID_CHAR = re.compile(r"[A-Za-z0-9_-]")
_JSON_LD = re.compile(r'<script type="application/ld\+json">.*?</script>\n?', re.S)


def exported_table(nb: NotebookNode, filename: str) -> str | None:
    """The CSV text of the table a notebook exported under ``filename`` (see ``export_tables``), or None."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("text/csv", {})
            if "text/csv" in out.get("data", {}) and Path(meta.get("filename", "")).name == filename:
                return "".join(out["data"]["text/csv"])
    return None


def claim_ids(nb: NotebookNode) -> list[str]:
    """The claim ids of the claims table a notebook exported (``claims.csv``); empty for any other notebook."""
    text = exported_table(nb, CLAIMS_TABLE)
    if not text:
        return []
    rows = csv.DictReader(io.StringIO(text))
    return [row["claim_id"].strip() for row in rows if row.get("claim_id", "").strip()]


def _heading_text(inner: str) -> str:
    """A heading's text: its markup (and nbconvert's pilcrow link) left out, entities decoded."""
    inner = re.sub(r"<a\b[^>]*\bclass\s*=\s*\"anchor-link\"[^>]*>.*?</a\s*>", "", inner, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()


def _claim_of(text: str, ids: list[str]) -> str | None:
    """The claim id ``text`` starts with (followed by no id character), the longest one if several fit."""
    fits = [i for i in ids if text.startswith(i) and not _ID_CHAR.match(text[len(i) : len(i) + 1])]
    return max(fits, key=len) if fits else None


def claim_anchors(page: str, ids: list[str]) -> str:
    """``page`` with ``id="<claim_id>"`` on the heading of each claim (see the module docstring), and its
    nbconvert anchor link pointing there. Only a claim's first heading gets the id; other headings are kept."""
    done: set[str] = set()

    def anchor(m: re.Match) -> str:
        level, attrs, inner = m.group(1), m.group(2), m.group(3)
        claim = _claim_of(_heading_text(inner), ids)
        if claim is None or claim in done:
            return m.group(0)
        done.add(claim)
        value = html.escape(claim, quote=True)
        attrs = _ID_ATTR.sub("", attrs)
        inner = _ANCHOR_LINK.sub(lambda a: f'{a.group(1)}"#{value}"', inner)
        return f'<h{level} id="{value}"{attrs}>{inner}</h{level}>'

    return _HEADING.sub(anchor, page)


def json_ld_script(json_text: str) -> str:
    """A ``<script type="application/ld+json">`` element holding ``json_text``, which must already be
    escaped for a script element (``helpers.pipeline.claimreview.script_json``)."""
    if re.search(r"</script|<!--", json_text, re.I):
        raise ValueError("JSON for a script element must have '<' escaped")
    return f'<script type="application/ld+json">{json_text}</script>\n'


STYLESHEET = TEMPLATES / "static" / "collection.css"
_TITLE = re.compile(r"<title>.*?</title>\s*", re.S | re.I)


def _in_head(page: str, block: str) -> str:
    """``page`` with ``block`` at the end of its head (in front of the page without one)."""
    m = re.search(r"</head\s*>", page, re.I)
    return page[: m.start()] + block + page[m.start() :] if m else block + page


def with_style(page: str) -> str:
    """``page`` with the collection's stylesheet (``templates/static/collection.css``) inlined in its head."""
    return _in_head(page, "<style>\n" + STYLESHEET.read_text(encoding="utf-8") + "</style>\n")


def with_head_tags(page: str, tags_html: str) -> str:
    """``page`` with its ``<title>`` replaced by ``tags_html`` (title, description, Open Graph tags)."""
    return _in_head(_TITLE.sub("", page, count=1), tags_html)


def with_json_ld(page: str, json_text: str) -> str:
    """``page`` with a JSON-LD script element (see ``json_ld_script``) at the end of its head (in front of
    the page without one), in place of one added before."""
    block = json_ld_script(json_text)
    page = _JSON_LD.sub("", page)
    m = re.search(r"</head\s*>", page, re.I)
    return page[: m.start()] + block + page[m.start() :] if m else block + page


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

"""HTML reports: a reader's page and a full page per notebook, and the run's index.

Pages are rendered in-process with nbconvert (no ``jupyter nbconvert`` process per notebook).
The run date and commit are added here, at render time, never stored in a notebook.
Every piece of text that comes from data or parameters is HTML-escaped.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path
from typing import Any

from helpers.config import DATA_DIR

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

# The lab template loads require.js and MathJax from a CDN; the reports must work offline.
_CDN_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*", re.I)
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def notebook_info(nb) -> dict[str, Any]:
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
    import csv

    if not path.exists():
        return "missing"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        dates = [row.get("checked", "") for row in csv.DictReader(fh)]
    dates = [d for d in dates if d]
    return max(dates) if dates else "n/a"


def _header_html(
    info: dict[str, Any], params: dict[str, Any], run_info: dict[str, Any], other_page: str, other_label: str
) -> str:
    esc = html.escape
    rows = (
        "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(repr(v))}</code></td></tr>" for k, v in params.items())
        or "<tr><td>defaults of the notebook</td></tr>"
    )
    sources = "".join(
        f"<li>{esc(s['title'])} (<code>{esc(s['file'])}</code>{', checked at source ' + esc(s['checked']) if s['checked'] not in ('n/a', 'missing') else ''})</li>"
        for s in data_sources(info.get("reads", []))
    )
    return (
        '<header class="collection-header" style="max-width:60rem;margin:1rem auto;padding:1rem;border:1px solid #ccc;'
        'border-radius:6px;font-family:system-ui,sans-serif;background:#fafafa">'
        f'<p style="margin:0"><a href="index.html">&larr; All reports</a> · <a href="{esc(other_page)}">{esc(other_label)}</a></p>'
        f"<p><strong>Question:</strong> {esc(info.get('question', ''))}</p>"
        f"<details><summary>Parameters of this run</summary><table>{rows}</table></details>"
        f"<p><strong>Data:</strong></p><ul>{sources}</ul>"
        f'<p style="color:#555">Run {esc(run_info.get("run", ""))}, {esc(run_info.get("run_date", ""))}, '
        f"project commit <code>{esc(run_info.get('commit', ''))}</code>.</p>"
        "</header>"
    )


def _offline(page: str) -> str:
    page = _MATHJAX_BLOCK.sub("", page)
    return _CDN_SCRIPT.sub("", page)


def _insert_after_body(page: str, block: str) -> str:
    m = re.search(r"<body[^>]*>", page)
    return page[: m.end()] + block + page[m.end() :] if m else block + page


_EXPORTERS: dict[bool, object] = {}

# What nbconvert's HTMLExporter does to each page with BeautifulSoup (parse, edit, serialise: about
# half of a page's rendering time), done on the template's own markup instead. Scripts and styles
# are passed over untouched; only real <div> and <img> tags are edited.
_TAGS = re.compile(r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>)|<div\b([^>]*)>|<img\b([^>]*)>", re.S | re.I)
_CLASS = re.compile(r'(?:^|\s)class\s*=\s*"([^"]*)"')
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}
_NO_ALT = "No description has been provided for this image"


def _has_attr(attrs: str, name: str) -> bool:
    return re.search(rf"(?:^|\s){name}\s*=", attrs) is not None


def _accessible_tag(m: re.Match) -> str:
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
def _exporter_class():
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


def _exporter(exclude_input: bool):
    """One HTML exporter per page kind and process: its templates are loaded once, not per notebook."""
    if exclude_input not in _EXPORTERS:
        _EXPORTERS[exclude_input] = _exporter_class()(**exporter_options(exclude_input))
    return _EXPORTERS[exclude_input]


def render_notebook(executed: Path, run_info: dict[str, Any]) -> list[str]:
    """Write ``<name>.html`` (reader's page, no code) and ``<name>.code.html`` beside the executed notebook."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    _link_figures(nb, executed.parent, executed.stem)
    info = notebook_info(nb)
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    written = []
    for suffix, exclude_input, other, label in (
        (".html", True, ".code.html", "Page with code"),
        (".code.html", False, ".html", "Reader's page"),
    ):
        body, _ = _exporter(exclude_input).from_notebook_node(nb)
        header = _header_html(info, params, run_info, executed.stem + other, label)
        page = _insert_after_body(_offline(body), header)
        out = executed.with_name(executed.stem + suffix)
        out.write_text(page, encoding="utf-8")
        written.append(str(out))
    return written


def _link_figures(nb, folder: Path, stem: str) -> None:
    """Under each figure, add download links to its exported PNG, SVG and data CSV (in memory only)."""
    from nbformat.v4 import new_output

    for cell in nb.cells:
        outputs = cell.get("outputs", [])
        new = []
        for out in outputs:
            new.append(out)
            data = out.get("data", {})
            text = "".join(data.get("text/plain", "")) if "image/png" in data else ""
            m = re.match(r"Figure (\d+):", text)
            if not m:
                continue
            base = f"figures/{stem}-fig{m.group(1)}"
            links = [
                f"[{label}]({base}.{ext})"
                for label, ext in (("PNG", "png"), ("SVG", "svg"), ("data (CSV)", "csv"))
                if (folder / f"{base}.{ext}").exists()
            ]
            if links:
                new.append(
                    new_output(
                        "display_data",
                        data={"text/markdown": "Download figure " + m.group(1) + ": " + " · ".join(links)},
                    )
                )
        cell["outputs"] = new


def write_run_outputs(
    folder: Path, outcomes, per_notebook: dict[str, dict[str, Any]], run_info: dict[str, Any]
) -> None:
    """Files a run writes besides the notebooks: the index and the claims verdict table."""
    import nbformat

    entries = []
    for outcome in outcomes:
        nb_path = folder / f"{outcome.name}.ipynb"
        nb = nbformat.read(nb_path, as_version=4)
        info = notebook_info(nb)
        entries.append(
            {"name": outcome.name, "info": info, "params": per_notebook.get(outcome.name, {}), "finding": _finding(nb)}
        )
        _export_tables(nb, folder)
    (folder / "index.html").write_text(index_html(entries, run_info), encoding="utf-8")
    (folder / "run.json").write_text(
        json.dumps({**run_info, "notebooks": [e["name"] for e in entries]}, indent=2) + "\n", encoding="utf-8"
    )


def _finding(nb) -> str:
    """The one-line finding a notebook printed in an output tagged ``finding``."""
    for cell in nb.cells:
        if "finding" in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    return "".join(out.get("text", "")).strip()
                data = out.get("data", {})
                if "text/markdown" in data:
                    return "".join(data["text/markdown"]).strip()
    return ""


def _export_tables(nb, folder: Path) -> None:
    """Write every table a notebook exported (mimetype text/csv with a file name) into ``folder/tables``."""
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


def index_html(entries: list[dict[str, Any]], run_info: dict[str, Any]) -> str:
    """The run's index page: every report with its question, finding, parameters and data sources."""
    esc = html.escape
    cards = []
    for e in entries:
        params = ", ".join(f"{k}={v!r}" for k, v in e["params"].items()) or "notebook defaults"
        sources = "; ".join(
            s["title"] + (f" (checked {s['checked']})" if s["checked"] not in ("n/a", "missing") else "")
            for s in data_sources(e["info"].get("reads", []))
        )
        cards.append(
            '<article class="card">'
            f"<h2>{esc(e['info'].get('title', e['name']))}</h2>"
            f'<p class="q"><strong>Question:</strong> {esc(e["info"].get("question", ""))}</p>'
            + (f'<p class="finding"><strong>Finding:</strong> {esc(e["finding"])}</p>' if e["finding"] else "")
            + f'<p><a href="{esc(e["name"])}.html">Read the report</a> · <a href="{esc(e["name"])}.code.html">with code</a>'
            f' · <a href="{esc(e["name"])}.ipynb">notebook</a></p>'
            f'<p class="meta"><strong>Parameters:</strong> {esc(params)}</p>'
            f'<p class="meta"><strong>Data:</strong> {esc(sources)}</p>'
            "</article>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Iran–Iraq trade: reports ({esc(run_info.get('run', ''))})</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.5;color:#222}"
        ".card{border:1px solid #ddd;border-radius:6px;padding:0 1rem;margin:1rem 0}.meta{color:#555;font-size:.9rem}"
        "h1{font-size:1.6rem}h2{font-size:1.2rem}</style></head><body>"
        "<h1>Iran–Iraq trade and Iran's influence in Iraq</h1>"
        "<p>Reports of a reproducible notebook collection that tests a 2024 news report against sourced figures.</p>"
        f'<p class="meta">Run <strong>{esc(run_info.get("run", ""))}</strong> with {esc(run_info.get("params_file", ""))}, '
        f"{esc(run_info.get('run_date', ''))}, project commit <code>{esc(run_info.get('commit', ''))}</code>.</p>"
        + "".join(cards)
        + "</body></html>\n"
    )


FINDINGS_START = (
    "<!-- findings:start (generated by `python -m helpers findings --write` from the stored notebooks; do not edit) -->"
)
FINDINGS_END = "<!-- findings:end -->"


def findings_markdown(notebook_dir: Path) -> str:
    """The README's Findings section: each stored notebook's one-line finding, with its title."""
    import nbformat

    from helpers.pipeline.parameters import notebook_paths

    lines = []
    for path in notebook_paths(notebook_dir):
        nb = nbformat.read(path, as_version=4)
        finding = _finding(nb)
        if finding:
            lines.append(f"- **{notebook_info(nb).get('title', path.stem)}** — {finding}")
    return "\n".join(lines)


def update_readme(readme: Path, notebook_dir: Path) -> bool:
    """Replace the Findings block of the README; return True when it changed."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(FINDINGS_START), text.index(FINDINGS_END)
    new = text[: start + len(FINDINGS_START)] + "\n" + findings_markdown(notebook_dir) + "\n" + text[end:]
    if new != text:
        readme.write_text(new, encoding="utf-8")
        return True
    return False

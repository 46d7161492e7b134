"""HTML pages and the index escape text from data and carry no CDN scripts."""

from __future__ import annotations

import pytest

from helpers.pipeline import render as report
from helpers.pipeline import site

HOSTILE = "<script>alert(1)</script>"


def _hostile_contexts() -> dict[str, dict]:
    """For each template of the collection's Jinja environment, a context whose every text is ``HOSTILE``."""
    info = {"title": HOSTILE, "question": HOSTILE, "reads": []}
    source = {"title": HOSTILE, "file": HOSTILE, "checked": HOSTILE}
    run_info = {key: HOSTILE for key in ("run", "params_file", "run_date", "commit")}
    head = {"title": HOSTILE, "description": HOSTILE, "og": [(HOSTILE, HOSTILE)]}
    return {
        "run_header.html.j2": {
            "info": info,
            "params": {HOSTILE: HOSTILE},
            "sources": [source],
            "run_info": run_info,
            "other_page": HOSTILE,
            "other_label": HOSTILE,
            "pair": HOSTILE,
        },
        "index.html.j2": {
            "cards": [
                {
                    "name": HOSTILE,
                    "info": info,
                    "params": {HOSTILE: HOSTILE},
                    "finding": HOSTILE,
                    "sources": [source],
                    "thumbs": [{"file": HOSTILE, "alt": HOSTILE, "anchor": HOSTILE}],
                }
            ],
            "run_info": run_info,
            "verdicts": [
                {
                    "claim_id": HOSTILE,
                    "claim": HOSTILE,
                    "rating": HOSTILE,
                    "reason": HOSTILE,
                    "robustness": HOSTILE,
                    "later": True,
                    "href": HOSTILE,
                }
            ],
            "changes": {"href": HOSTILE, "summary": HOSTILE},
            "head": head,
        },
        "head.html.j2": {"head": head},
        "chart.html.j2": {
            "alt": HOSTILE,
            "number": HOSTILE,
            "anchor": HOSTILE,
            "count": HOSTILE,
            "caption": HOSTILE,
            "source": HOSTILE,
            "marks": [{"title": HOSTILE, "record_id": HOSTILE, "url": HOSTILE, "publisher": HOSTILE}],
        },
        "changes.html.j2": {
            "head": head,
            "run": HOSTILE,
            "changes": {
                "compared": True,
                "summary": HOSTILE,
                "ratings": [
                    {
                        "claim_id": HOSTILE,
                        "old": {"rating": HOSTILE, "robustness": HOSTILE},
                        "new": {"rating": HOSTILE, "robustness": HOSTILE},
                        "caused_by": [HOSTILE],
                    }
                ],
                "findings": [{"notebook": HOSTILE, "old": HOSTILE, "new": HOSTILE}],
                "tables": [
                    {
                        "table": HOSTILE,
                        "header": HOSTILE,
                        "caused_by": [HOSTILE],
                        "removed": [HOSTILE],
                        "added": [HOSTILE],
                        "more": HOSTILE,
                    }
                ],
                "data": [
                    {
                        "record_id": HOSTILE,
                        "file": HOSTILE,
                        "change": HOSTILE,
                        "source_url": HOSTILE,
                        "fields": [{"field": HOSTILE, "old": HOSTILE, "new": HOSTILE}],
                    }
                ],
            },
        },
    }


def test_every_template_escapes_what_it_is_given():
    """Every template of the one environment autoescapes: each value it prints is shown as text.

    (The notebook page itself is nbconvert's template: see test_code_is_escaped_on_the_code_page
    and the browser tests.)
    """
    env = report.jinja_environment()
    assert env.autoescape is True
    contexts = _hostile_contexts()
    assert sorted(env.list_templates()) == sorted(contexts), "give each new template a hostile context here"
    for name, context in contexts.items():
        page = env.get_template(name).render(**context)
        assert "<script" not in page, name
        # every {{ expression }} of the template printed HOSTILE once (loops run once here), escaped
        source = env.loader.get_source(env, name)[0]
        assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == source.count("{{"), name


def test_the_header_and_exporters_load_once_before_a_fork():
    report.load_exporters()
    assert report.exporter(True) is report.exporter(True)
    assert report.exporter(False) is not report.exporter(True)


def test_index_escapes_everything_from_data():
    entries = [
        {
            "name": "01-x",
            "info": {"title": "<script>alert(1)</script>", "question": "Q <img src=x onerror=alert(1)>", "reads": []},
            "params": {"p": "<b>"},
            "finding": "<script>bad()</script>",
        }
    ]
    page = site.index_html(entries, {"run": "<r>", "params_file": "p.yaml", "run_date": "d", "commit": "c"})
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert 'name="viewport"' in page


def test_offline_strips_cdn_scripts():
    page = '<html><head><script src="https://cdnjs.cloudflare.com/require.min.js"></script></head><body>x</body></html>'
    assert "cdnjs" not in report._offline(page)


def test_header_is_inserted_after_body():
    assert (
        report._insert_after_body('<html><body class="a">x</body></html>', "<header>h</header>")
        == '<html><body class="a"><header>h</header>x</body></html>'
    )


def test_pages_get_focusable_cells_and_alt_text_without_a_reparse():
    page = (
        '<div class="jp-Cell-inputWrapper">x</div>'
        '<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain">y</div>'
        '<div id="out" class="jp-OutputArea-output">js</div>'
        '<div class="jp-OutputArea-output-other">z</div>'
        '<div class="jp-RenderedImage jp-OutputArea-output " tabindex="0"><img src="a.png" alt="chart"></div>'
        '<img src="b.png?alt=media" data-alt="x">'
        '<script>var s = "<img src=c.png>"; var d = \'<div class="jp-OutputArea-output">\';</script>'
    )
    out = report.accessible(page)
    assert '<div class="jp-Cell-inputWrapper" tabindex="0">' in out
    assert '<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain" tabindex="0">' in out
    assert '<div id="out" class="jp-OutputArea-output" tabindex="0">' in out  # class after another attribute
    assert '<div class="jp-OutputArea-output-other">' in out  # another class, untouched
    assert out.count('tabindex="0"') == 4  # an existing tabindex is not doubled
    assert 'alt="chart"' in out
    assert '<img alt="No description has been provided for this image" src="b.png?alt=media" data-alt="x">' in out
    assert out.endswith('<script>var s = "<img src=c.png>"; var d = \'<div class="jp-OutputArea-output">\';</script>')


@pytest.mark.slow  # renders a stored notebook twice through nbconvert
def test_pages_match_what_nbconvert_adds_on_a_stored_notebook():
    """On a real notebook, the same tabindex and alt attributes as nbconvert's own BeautifulSoup pass."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from helpers.config import NOTEBOOK_DIR

    nb = nbformat.read(NOTEBOOK_DIR / "02-composition.ipynb", as_version=4)

    def marks(page: str) -> list[tuple]:
        soup = BeautifulSoup(page, "html.parser")
        return [
            (t.name, " ".join(t.get("class", [])), t.get("tabindex"), t.get("alt"))
            for t in soup.find_all(["div", "img"])
        ]

    for exclude_input in (True, False):
        theirs, _ = HTMLExporter(**report.exporter_options(exclude_input)).from_notebook_node(nb)
        ours, _ = report.exporter(exclude_input).from_notebook_node(nb)
        assert marks(ours) == marks(theirs)
        assert any(m[2] == "0" for m in marks(ours)) and any(m[0] == "img" and m[3] for m in marks(ours))


def test_code_is_escaped_on_the_code_page(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        cells=[new_code_cell('print("<script>alert(1)</script>")')], metadata={"language_info": {"name": "python"}}
    )
    path = tmp_path / "01-x.ipynb"
    nbformat.write(nb, path)
    report.render_notebook(path, {"run": "t", "run_date": "d", "commit": "c"})
    page = (tmp_path / "01-x.code.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_markdown_converted_once_is_never_served_for_other_attachments(tmp_path):
    """The two pages share each Markdown conversion; the same text with other attachments is converted anew."""
    import base64

    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    def png(colour: bytes) -> str:  # two different "images": only their bytes matter here
        return base64.b64encode(b"\x89PNG" + colour).decode("ascii")

    text = "Chart: ![figure](attachment:fig.png)"
    cells = [new_markdown_cell(text, attachments={"fig.png": {"image/png": png(c)}}) for c in (b"red", b"blue")]
    path = tmp_path / "01-x.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    report.render_notebook(path, {"run": "t", "run_date": "d", "commit": "c"})
    for suffix in (".html", ".code.html"):
        page = (tmp_path / f"01-x{suffix}").read_text(encoding="utf-8")
        assert png(b"red") in page and png(b"blue") in page


def test_a_worker_warmed_before_its_first_page_writes_the_pages_a_cold_one_does(tmp_path):
    """The warm-up a worker does while the runner checks its inputs (templates, highlighter, validator)
    leaves no trace in a page: a stored notebook's pages from a warmed process and from a cold one are
    byte-identical."""
    import shutil
    import subprocess
    import sys

    from helpers.config import NOTEBOOK_DIR

    pages = {}
    for warm in (False, True):
        folder = tmp_path / ("warm" if warm else "cold")
        folder.mkdir()
        shutil.copy(NOTEBOOK_DIR / "04-claims-check.ipynb", folder / "04-claims-check.ipynb")
        code = (
            "import sys; from pathlib import Path; from helpers.pipeline import render; render.load_exporters(); "
            + ("render.warm_exporters(); " if warm else "")
            + "render.render_notebook(Path(sys.argv[1]), {'run': 'r', 'commit': 'c'})"
        )
        subprocess.run([sys.executable, "-c", code, str(folder / "04-claims-check.ipynb")], check=True)
        pages[warm] = [(folder / f"04-claims-check{s}").read_bytes() for s in (".html", ".code.html")]
    assert pages[True] == pages[False]
    assert b"highlight" in pages[True][1]  # the code page's code is highlighted, warm or cold

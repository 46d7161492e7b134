"""The reader's pages without a browser: marks that cite their sources in the SVG, the verdicts-first
index, what changed since the last run, page heads, and no clock in a notebook's pages."""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers.pipeline import changes, render, site  # noqa: E402
from helpers.plots import marks, style  # noqa: E402

HOSTILE = '<script>alert(1)</script> & "q"'


def _svg(fig) -> str:
    import io

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "t"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def _two_mark_figure():
    fig, ax = plt.subplots()
    (dot,) = ax.plot([1], [2], "o", label="legend entry")
    marks.link(fig, dot, HOSTILE, "https://example.org/a?x=1&y=2", "rec-1", "Pub")
    bars = ax.barh(["a"], [3])
    marks.link(fig, bars[0], "bar", "javascript:alert(1)", "rec-2")
    ax.legend()
    return fig


def test_every_mark_gets_an_escaped_title_a_safe_link_and_prefixed_ids():
    fig = _two_mark_figure()
    recorded = fig.collection_marks
    out = marks.finish_svg(_svg(fig), recorded, "nb-fig1-")
    groups = re.findall(r'<g id="nb-fig1-mark-\d+" class="mark">', out)
    assert len(groups) == 2  # the legend copies neither gid nor url
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in out
    assert out.count("<title>") == 2
    assert 'href="https://example.org/a?x=1&amp;y=2" xlink:href="https://example.org/a?x=1&amp;y=2"' in out
    assert "javascript:" not in out and recorded[1]["url"] == ""
    ids = re.findall(r'\bid="([^"]+)"', out)
    assert ids and all(i.startswith("nb-fig1-") for i in ids)
    refs = re.findall(r'(?:url\(#|href="#)([^")]+)', out)
    assert refs and all(r.startswith("nb-fig1-") and r in ids for r in refs)
    assert marks.finish_svg(_svg(_two_mark_figure()), recorded, "nb-fig1-") == out  # deterministic


def test_a_row_without_source_url_links_to_its_records_source_page():
    row = pd.Series({"record_id": "oec-1998-exp", "publisher": "Shafaq News"})
    url, record = marks.source_of(row)
    assert record == "oec-1998-exp" and url == marks.shipped_rows()["oec-1998-exp"]["source_url"]
    assert url.startswith("https://")
    assert marks.safe_url("figures/x-fig1.csv") and not marks.safe_url("data:text/html,x")


def test_export_writes_svg_csv_and_metadata_with_an_origin_per_source(tmp_path):
    fig = _two_mark_figure()
    meta = style.Figure(1, "caption", "Source: x", "alt text")
    stem = str(tmp_path / "nb-fig1")
    style.export_sidecars(stem, _svg(fig), meta, fig.collection_marks, pd.DataFrame({"record_id": ["rec-1"]}))
    about = json.loads((tmp_path / "nb-fig1.json").read_text(encoding="utf-8"))
    assert [m["id"] for m in about["marks"]] == ["mark-1", "mark-2"]
    assert about["origins"] == [
        {"publisher": "Pub", "url": "https://example.org/a?x=1&y=2", "checked": "", "licence": ""}
    ]
    assert (tmp_path / "nb-fig1.csv").read_text(encoding="utf-8") == "record_id\nrec-1\n"
    assert 'id="nb-fig1-mark-1"' in (tmp_path / "nb-fig1.svg").read_text(encoding="utf-8")


def test_chart_html_inlines_the_svg_with_a_table_of_every_mark(tmp_path):
    fig = _two_mark_figure()
    style.export_sidecars(str(tmp_path / "nb-fig1"), _svg(fig), style.Figure(1, "c", "s", "a"), fig.collection_marks)
    page = render.chart_html(tmp_path / "nb-fig1.svg", "Figure 1: alt <b>")
    assert page.count("<svg") == 1 and "<?xml" not in page and "<metadata>" not in page
    assert 'aria-label="Figure 1: alt &lt;b&gt;"' in page
    assert page.count("<tr>") == 1 + 2 and "rec-1" in page and "rec-2" in page


def test_the_reader_page_puts_each_charts_caption_and_source_in_its_figcaption(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    fig = _two_mark_figure()
    meta = style.Figure(2, "Shares <by> year", "Source: A & B", "Dots of shares")
    (tmp_path / "figures").mkdir()
    style.export_sidecars(str(tmp_path / "figures" / "nb-fig2"), _svg(fig), meta, fig.collection_marks)
    markdown = "**Figure 2.** Shares \\<by\\> year  \n*Source: A & B*"
    caption = new_output("display_data", data={"text/markdown": markdown})
    outputs = [
        new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "Figure 2: Dots of shares"}),
        new_output("display_data", data={"text/markdown": "Download figure 2: [PNG](figures/nb-fig2.png)"}),
        caption,
        new_output("display_data", data={"text/markdown": "**Figure 3.** another figure's caption"}),
    ]
    nb = new_notebook(cells=[new_code_cell("show()", outputs=outputs)])
    page_nb = render.inline_charts(nb, tmp_path, "nb")
    shown = page_nb.cells[0].outputs
    html = shown[0].data["text/html"]
    assert html.count("<figcaption") == 1 and 'aria-label="Figure 2: Dots of shares"' in html
    assert "<figcaption><strong>Figure 2.</strong> Shares &lt;by&gt; year<br>" in html
    assert "<em>Source: A &amp; B</em></figcaption>" in html
    assert html.index("</svg>") < html.index("<figcaption") < html.index("</figure>")
    assert caption not in shown and len(shown) == 3  # said once, in the figure; the other figure's caption stays
    assert nbformat.validate(page_nb) is None
    assert nb.cells[0].outputs[2] == caption  # the notebook itself, and the page with code, keep it
    (tmp_path / "figures" / "nb-fig2.json").unlink()  # no metadata: no figcaption, and the caption stays
    bare = render.inline_charts(nb, tmp_path, "nb").cells[0].outputs
    assert "<figcaption" not in bare[0].data["text/html"] and caption in bare


def test_one_line_reason_stops_at_the_other_readings():
    assert site.one_line_reason("As written: consistent. X. Other readings: [a] b.") == "As written: consistent. X."
    assert site.one_line_reason("Only one.") == "Only one."


def test_open_graph_urls_are_absolute_only_with_site_url():
    relative = site.head_tags("T", "D", "01-x.html", "", "default", "figures/x.png")
    assert [p for p, _ in relative["og"]] == ["og:type", "og:title", "og:description", "og:site_name"]
    absolute = dict(site.head_tags("T", "D", "01-x.html", "https://ex.org/reports/", "default", "figures/x.png")["og"])
    assert absolute["og:url"] == "https://ex.org/reports/default/01-x.html"
    assert absolute["og:image"] == "https://ex.org/reports/default/figures/x.png"


def _snap(value: str, rating: str, finding: str) -> dict:
    row = {"record_id": "r1", "value": value, "source_url": "https://ex.org/r1"}
    return {
        "data": {"trade.csv": {"r1": {"sha256": value, "row": row}}},
        "downloads": {},
        "findings": {"01-x": finding},
        "ratings": {"c1": {"rating": rating, "verdict": rating, "robustness": "robust"}},
        "tables": {
            "tables/evidence_c1_1.csv": ["record_id,value", f"r1,{value}"],
            "tables/other.csv": ["a", "same"],
        },
    }


def test_changes_list_findings_ratings_table_rows_and_the_data_rows_behind_them():
    diff = changes.compare(_snap("1", "consistent", "old"), _snap("2", "misleading", "new"))
    assert diff["findings"] == [{"notebook": "01-x", "old": "old", "new": "new"}]
    assert diff["ratings"][0]["claim_id"] == "c1" and diff["ratings"][0]["caused_by"] == ["r1"]
    assert [(t["table"], t["removed"], t["added"], t["caused_by"]) for t in diff["tables"]] == [
        ("tables/evidence_c1_1.csv", ["r1,1"], ["r1,2"], ["r1"])
    ]
    assert diff["data"][0] | {"fields": None} == {
        "file": "data/trade.csv",
        "record_id": "r1",
        "change": "corrected",
        "fields": None,
        "source_url": "https://ex.org/r1",
    }
    assert diff["data"][0]["fields"] == [{"field": "value", "old": "1", "new": "2"}]
    same = changes.compare(_snap("1", "consistent", "old"), _snap("1", "consistent", "old"))
    assert changes.summary(same) == "nothing changed since the previous run of this name"


def test_the_first_run_of_a_name_says_there_is_nothing_to_compare_with(tmp_path):
    result = changes.write_changes(tmp_path, None, _snap("1", "consistent", "x"), had_report=False)
    assert changes.summary(result) == "first run of this name: nothing to compare with"
    assert json.loads((tmp_path / changes.CHANGES_JSON).read_text(encoding="utf-8"))["compared"] is False


@pytest.mark.slow  # renders one tiny notebook through nbconvert
def test_a_notebooks_pages_carry_no_clock(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("print(1)")], metadata={"language_info": {"name": "python"}})
    path = tmp_path / "01-x.ipynb"
    nbformat.write(nb, path)
    written = render.render_notebook(path, {"run": "r", "run_date": "2031-01-02 03:04 UTC", "commit": "abc1234"})
    for page in written:
        text = open(page, encoding="utf-8").read()
        assert "2031-01-02" not in text and "abc1234" not in text
        assert "Run r" in text and "prefers-color-scheme: dark" in text and "@media print" in text

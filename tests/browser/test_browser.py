"""The HTML reports in a real browser: Debian's headless Chromium, offline, driven by playwright.

The whole pipeline runs once into a temporary reports folder (never the repository's reports/);
then the index and every report page are opened over file:// and checked the way a reader would
meet them: images shown, links that lead somewhere, no script errors, no request leaving the
machine, the question on top, a page that fits a phone, and text from data shown as text.
A full-page screenshot of every page is written to ``<run>/screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from tests.browser import support as bs

pytestmark = pytest.mark.slow

if not bs.CHROMIUM.exists():
    pytest.skip(
        f"{bs.CHROMIUM} is not installed (CI installs Debian's chromium package with apt)", allow_module_level=True
    )

from playwright.sync_api import sync_playwright  # noqa: E402

from helpers.config import NOTEBOOK_DIR  # noqa: E402
from helpers.pipeline import runner  # noqa: E402
from tests.fixtures import make_notebook  # noqa: E402

STEMS = sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))
REPORT_PAGES = [f"{stem}{suffix}" for stem in STEMS for suffix in (".html", ".code.html")]
PAGES = ["index.html", "changes.html", *REPORT_PAGES]
PHONE_WIDTH = 390
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
PHONES = {
    "narrow-window": {"viewport": {"width": PHONE_WIDTH, "height": 844}, "device_scale_factor": 1},
    "phone": {
        "viewport": {"width": PHONE_WIDTH, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """The real pipeline with the notebooks' defaults, into a temporary reports folder."""
    return runner.run(None, reports_dir=tmp_path_factory.mktemp("reports"), run_name="default")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = bs.launch(p)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def visit(browser, run_dir):
    """Open a page of the run once (desktop size) and share the visit between the tests of this module."""
    visits: dict[str, bs.Visit] = {}

    def _visit(page_name: str) -> bs.Visit:
        if page_name not in visits:
            visits[page_name] = bs.open_page(browser, (run_dir / page_name).as_uri(), **DESKTOP)
        return visits[page_name]

    yield _visit
    for v in visits.values():
        v.close()


@pytest.fixture
def fresh_page(browser):
    """Open a page in a context of its own (closed after the test)."""
    opened: list[bs.Visit] = []

    def _open(url: str, **options) -> bs.Visit:
        opened.append(bs.open_page(browser, url, **options))
        return opened[-1]

    yield _open
    for v in opened:
        v.close()


def question_of(run_dir: Path, stem: str) -> str:
    return nbformat.read(run_dir / f"{stem}.ipynb", as_version=4).metadata["collection"]["question"]


def test_run_has_an_index_and_two_pages_per_notebook(run_dir):
    assert len(STEMS) == 4, STEMS
    assert sorted(p.name for p in run_dir.glob("*.html")) == sorted(PAGES)


@pytest.mark.parametrize("page_name", PAGES)
def test_page_loads_offline_without_errors(visit, page_name):
    v = visit(page_name)
    assert v.external_requests == [], (
        f"{page_name} asked for something off this machine (blocked): {v.external_requests}"
    )
    assert v.page_errors == [], f"{page_name}: uncaught script errors: {v.page_errors}"
    assert v.console_errors == [], f"{page_name}: console errors: {v.console_errors}"
    assert bs.broken_images(v.page) == [], f"{page_name}: images that did not load"
    assert v.requests and v.requests[0] == v.url  # the listener saw the page itself


@pytest.mark.parametrize("stem", STEMS)
def test_report_pages_show_their_charts(visit, run_dir, stem):
    # every PNG output of the executed notebook is an <img> that loaded, with its alt text
    nb = nbformat.read(run_dir / f"{stem}.ipynb", as_version=4)
    pngs = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    for page_name in (f"{stem}.html", f"{stem}.code.html"):
        page = visit(page_name).page
        shown = page.evaluate("() => Array.from(document.images).filter(i => i.naturalWidth > 0).map(i => i.alt)")
        # the reader's page inlines each exported chart as SVG (labelled by its alt text); the code page keeps PNGs
        shown += page.evaluate(
            """() => Array.from(document.querySelectorAll('figure.collection-chart'))
                .filter(f => f.querySelector('svg') && f.getBoundingClientRect().width > 0)
                .map(f => f.getAttribute('aria-label'))"""
        )
        assert len(shown) == len(pngs), f"{page_name}: {len(pngs)} charts in the notebook, {len(shown)} shown"
        assert all(alt and alt != "chart" for alt in shown), f"{page_name}: a chart without alt text: {shown}"
    reader = visit(f"{stem}.html").page
    assert reader.locator("figure.collection-chart svg").count() == len(list(run_dir.glob(f"figures/{stem}-fig*.svg")))
    # each chart's caption and source line are its <figcaption>, said once on the page
    captions = reader.evaluate(
        """() => Array.from(document.querySelectorAll('figure.collection-chart'))
            .map(f => f.querySelector('figcaption') ? f.querySelector('figcaption').innerText : '')"""
    )
    body = reader.evaluate("() => document.body.innerText")
    for number, caption in enumerate(captions, start=1):
        assert caption.startswith(f"Figure {number}.") and "Source" in caption, (number, caption)
        first_line = caption.splitlines()[0]
        assert body.count(first_line) == 1, f"{stem}: the caption of figure {number} is said twice"


def test_index_links_all_resolve(visit, run_dir):
    found = bs.links(visit("index.html").page)
    assert len(found) >= 3 * len(STEMS)
    broken = []
    for link in found:
        url = urlsplit(link["url"])
        target = Path(unquote(url.path))
        if url.scheme != "file" or not target.is_file() or target.parent != run_dir:
            broken.append(link["href"])
    assert broken == [], f"index links that lead nowhere in the run folder: {broken}"
    hrefs = {link["href"] for link in found}
    for stem in STEMS:
        assert {f"{stem}.html", f"{stem}.code.html", f"{stem}.ipynb"} <= hrefs


@pytest.mark.parametrize("page_name", REPORT_PAGES)
def test_report_page_links_resolve(visit, run_dir, page_name):
    page = visit(page_name).page
    broken = []
    for link in bs.links(page):
        url = urlsplit(link["url"])
        if url.scheme == "file":
            target = Path(unquote(url.path))
            if not target.is_file():
                broken.append(link["href"])
            elif target.name == page_name and url.fragment and not bs.fragment_target(page, "#" + url.fragment):
                broken.append(link["href"])
        elif url.scheme not in ("http", "https", "mailto"):
            broken.append(link["href"])
    assert broken == [], f"{page_name}: links that lead nowhere: {broken}"


@pytest.mark.parametrize("page_name", REPORT_PAGES)
def test_report_page_starts_with_the_question(visit, run_dir, page_name):
    page = visit(page_name).page
    header = page.locator("header.collection-header")
    assert header.count() == 1, f"{page_name}: no header block"
    assert header.is_visible()
    first = page.evaluate("() => document.body.firstElementChild && document.body.firstElementChild.className")
    assert "collection-header" in first, f"{page_name}: the header is not the first thing on the page ({first!r})"
    stem = page_name.split(".")[0]
    text = _words(header.inner_text())
    assert f"Question: {_words(question_of(run_dir, stem))}" in text
    assert "All reports" in text and "Run default" in text


def test_index_shows_every_question(visit, run_dir):
    page = visit("index.html").page
    assert page.locator("h1").first.is_visible()
    cards = page.locator("article.card")
    assert cards.count() == len(STEMS)
    for i, stem in enumerate(STEMS):
        question = cards.nth(i).locator("p.q")
        assert question.is_visible()
        assert _words(question.inner_text()) == f"Question: {_words(question_of(run_dir, stem))}"


@pytest.mark.parametrize("page_name", ["index.html", *REPORT_PAGES])  # a first run's changes page is one line
def test_full_page_screenshot(visit, run_dir, page_name):
    page = visit(page_name).page
    shots = run_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    path = shots / f"{page_name.removesuffix('.html')}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.is_file()
    width, height = bs.png_size(path)
    page_height = page.evaluate("() => document.documentElement.scrollHeight")
    assert width == DESKTOP["viewport"]["width"]
    assert height >= min(page_height, 16_000) and height >= 400, (width, height, page_height)
    assert path.stat().st_size > 20_000, f"{path.name} is only {path.stat().st_size} bytes"
    assert bs.distinct_grey_levels(path) > 16, f"{path.name} looks blank"


@pytest.mark.parametrize("device", PHONES)
def test_index_fits_a_phone_without_sideways_scrolling(fresh_page, run_dir, device):
    v = fresh_page((run_dir / "index.html").as_uri(), **PHONES[device])
    widths = bs.scroll_widths(v.page)
    assert widths["client"] == PHONE_WIDTH, widths  # the viewport meta tag is honoured
    assert widths["document"] <= PHONE_WIDTH and widths["body"] <= PHONE_WIDTH, (
        f"index scrolls sideways at {PHONE_WIDTH}px: {widths}; {bs.widest_elements(v.page)}"
    )


@pytest.mark.parametrize("page_name", REPORT_PAGES)
def test_report_page_fits_a_phone_without_sideways_scrolling(fresh_page, run_dir, page_name):
    v = fresh_page((run_dir / page_name).as_uri(), **PHONES["phone"])
    widths = bs.scroll_widths(v.page)
    assert widths["client"] == PHONE_WIDTH, widths
    assert widths["document"] <= PHONE_WIDTH, (
        f"{page_name} scrolls sideways at {PHONE_WIDTH}px: {widths}; {bs.widest_elements(v.page)}"
    )


# --- escaping: text from data, parameters and metadata shows as text, never runs ----------------

PERSIAN = "تجارت ایران و عراق"
TABLE_SCRIPT = "<script>window.__pwned = 1</script>"
CAPTION_SCRIPT = "<script>window.__pwned = 2</script>"
CAPTION_IMG = '<img src=x onerror="window.__pwned = 3">'
META_SCRIPT = "<script>window.__pwned = 4</script>"
PARAM_SCRIPT = "<script>window.__pwned = 5</script>"
FINDING_SCRIPT = "<script>window.__pwned = 6</script>"
MARKDOWN_TRAPS = "*not emphasis* [not a link](https://example.invalid/) `not code`"
CAPTION_TEXT = PERSIAN + " " + CAPTION_SCRIPT + " " + CAPTION_IMG + " " + MARKDOWN_TRAPS

ESCAPING_BODY = f"""
import pandas as pd
from IPython.display import Markdown, display
from helpers.present import md_escape
from helpers.present import show_table

frame = pd.DataFrame({{"{PERSIAN}": ["{PERSIAN}", {TABLE_SCRIPT!r}, label], "value": [1, 2, 3]}})
show_table(frame, "escaping", caption={(PERSIAN + " " + TABLE_SCRIPT)!r})
display(Markdown("**Caption.** " + md_escape({CAPTION_TEXT!r})))
"""


@pytest.fixture(scope="module")
def escaping_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("escaping")
    nbs = root / "notebooks"
    nbs.mkdir()
    path = make_notebook(
        nbs / "01-escaping.ipynb",
        "label: str = 'plain'  # a label shown in the table",
        ESCAPING_BODY,
        question=f"{PERSIAN}? {META_SCRIPT}",
    )
    nb = nbformat.read(path, as_version=4)
    nb.metadata["collection"]["title"] = f"01 — {PERSIAN} {META_SCRIPT}"
    finding = nbformat.v4.new_code_cell(f"print({(PERSIAN + ': ' + FINDING_SCRIPT)!r})")
    finding["id"] = "c3"
    finding.metadata["tags"] = ["finding"]
    nb.cells.append(finding)
    nbformat.write(nb, path)
    params = root / "escaping.yaml"
    params.write_text(f"label: '{PARAM_SCRIPT}'\n", encoding="utf-8")
    return runner.run(params, notebook_dir=nbs, reports_dir=root / "reports", run_name="escaping")


def _assert_nothing_ran(v: bs.Visit, page_name: str) -> None:
    assert v.page.evaluate("() => typeof window.__pwned") == "undefined", f"{page_name}: injected script ran"
    assert not v.page.evaluate("() => Array.from(document.scripts).some(s => s.text.includes('__pwned'))"), (
        f"{page_name}: injected <script> element"
    )
    assert v.page.locator("img[onerror]").count() == 0, f"{page_name}: injected <img onerror>"
    assert v.page_errors == [] and v.console_errors == [], (v.page_errors, v.console_errors)
    assert v.external_requests == [], v.external_requests
    assert all(u.startswith("data:") or u == v.url for u in v.requests), (
        f"{page_name}: unexpected requests {v.requests}"
    )


@pytest.mark.parametrize("page_name", ["01-escaping.html", "01-escaping.code.html"])
def test_text_from_data_is_shown_as_text_on_report_pages(fresh_page, escaping_run, page_name):
    v = fresh_page((escaping_run / page_name).as_uri(), **DESKTOP)
    _assert_nothing_ran(v, page_name)
    page = v.page
    page.locator("header.collection-header details").evaluate("d => d.open = true")  # the parameters table
    text = page.locator("body").inner_text()
    for shown in (
        PERSIAN,
        TABLE_SCRIPT,
        CAPTION_SCRIPT,
        CAPTION_IMG,
        MARKDOWN_TRAPS,
        f"{PERSIAN}? {META_SCRIPT}",
        repr(PARAM_SCRIPT),
    ):
        assert shown in text, f"{page_name}: {shown!r} is not shown as text"
    table = page.locator("table.collection-table")
    assert table.count() == 1
    for cell in (PERSIAN, TABLE_SCRIPT, PARAM_SCRIPT):
        td = table.locator("td").filter(has_text=cell).first
        assert td.is_visible() and td.inner_text().strip() == cell
    assert table.locator("th").filter(has_text=PERSIAN).first.is_visible()  # the Persian column header
    # Markdown in data stays literal: no link from "[text](url)", no emphasis, no code span. A bare URL is
    # still turned into a link by the notebook's Markdown renderer (GFM autolink); its text is the URL itself.
    assert page.locator("a", has_text="not a link").count() == 0
    assert page.evaluate(
        "() => Array.from(document.querySelectorAll('a[href*=\"example.invalid\"]'))"
        ".every(a => a.textContent === a.href)"
    )
    assert page.locator("em", has_text="not emphasis").count() == 0
    assert page.locator("code", has_text="not code").count() == 0


def test_text_from_data_is_shown_as_text_on_the_index(fresh_page, escaping_run):
    v = fresh_page((escaping_run / "index.html").as_uri(), **DESKTOP)
    _assert_nothing_ran(v, "index.html")
    text = v.page.locator("body").inner_text()
    for shown in (
        f"01 — {PERSIAN} {META_SCRIPT}",
        f"{PERSIAN}? {META_SCRIPT}",
        f"{PERSIAN}: {FINDING_SCRIPT}",
        PARAM_SCRIPT,
    ):
        assert shown in text, f"index: {shown!r} is not shown as text"
    assert v.page.locator("h3", has_text=PERSIAN).first.is_visible()


# --- charts whose marks cite their sources, the verdicts first, both colour schemes ----------------

CHART_PAGE = "01-trade-volume.html"


def test_every_mark_of_a_chart_has_a_tooltip_and_a_link_to_its_rows_source(visit, run_dir):
    import json

    from helpers.plots.marks import shipped_rows

    page = visit(CHART_PAGE).page
    found = bs.chart_marks(page)
    about = json.loads((run_dir / "figures" / "01-trade-volume-fig1.json").read_text(encoding="utf-8"))
    assert len(found) == len(about["marks"]) > 30
    assert all(m["title"].strip() for m in found), "a mark without a tooltip"
    assert all(m["href"] and m["focusable"] for m in found), [m["id"] for m in found if not m["focusable"]]
    rows = shipped_rows()
    by_id = {f"01-trade-volume-fig1-{m['id']}": m for m in about["marks"]}
    for mark in found[::5]:  # sampled: the link is the source page of the row the mark was drawn from
        record = by_id[mark["id"]]["record_id"]
        assert mark["href"] == rows[record]["source_url"], (mark["id"], record)
    ids = page.evaluate("() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
    assert len(ids) == len(set(ids)), "two elements of the page share an id"
    # the table under the chart lists every mark's row
    table_rows = page.locator("details.collection-marks").first.locator("tbody tr")
    assert table_rows.count() == len(found)


def test_index_opens_with_the_verdicts_linked_to_their_anchors(visit, fresh_page, run_dir):
    import csv

    with open(run_dir / "claims.csv", encoding="utf-8", newline="") as fh:
        claims = list(csv.DictReader(fh))
    page = visit("index.html").page
    first = page.evaluate("() => document.querySelector('main h2').textContent")
    assert first.startswith("Verdicts"), first
    verdicts = page.locator("li.verdict")
    assert verdicts.count() == len(claims)
    claims_page = fresh_page((run_dir / "04-claims-check.html").as_uri(), **DESKTOP).page
    for i, claim in enumerate(claims):
        item = verdicts.nth(i)
        assert item.locator(".badge").inner_text().strip().lower() == claim["rating"]  # text, not colour alone
        href = item.locator("h3 a").get_attribute("href")
        assert href == f"04-claims-check.html#{claim['claim_id']}"
        assert bs.fragment_target(claims_page, "#" + claim["claim_id"]) == claim["claim_id"]
        assert claim["robustness"] in item.inner_text()
    thumbs = page.locator("article.card .thumbs img")
    assert thumbs.count() == len(list(run_dir.glob("figures/*.png")))
    assert page.evaluate("() => document.body.innerText").count("UTC") == 1  # the run date, on the index only


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_colour_schemes_render_with_charts_on_a_light_panel(fresh_page, run_dir, scheme):
    v = fresh_page((run_dir / CHART_PAGE).as_uri(), color_scheme=scheme, **DESKTOP)
    body = bs.background(v.page, "body")
    assert (body == "rgb(255, 255, 255)") == (scheme == "light"), body
    assert bs.background(v.page, "figure.collection-chart") == "rgb(255, 255, 255)"
    index = fresh_page((run_dir / "index.html").as_uri(), color_scheme=scheme, **DESKTOP)
    assert (bs.background(index.page, "body") == "rgb(255, 255, 255)") == (scheme == "light")
    assert v.page_errors == [] and index.page_errors == []


# --- what changed since the last run ---------------------------------------------------------------

CHANGES_BODY = """
import pandas as pd
from helpers.present import show_table

show_table(pd.DataFrame({"record_id": ["oec-1998-exp"], "label": [label]}), "labels", caption="Labels")
"""


def test_the_changes_page_lists_a_change_the_test_made(tmp_path, fresh_page, monkeypatch):
    import shutil

    from helpers.config import DATA_DIR
    from helpers.pipeline import site

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    path = make_notebook(nbs / "01-changes.ipynb", "label: str = 'first'  # a label", CHANGES_BODY)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["collection"]["reads"] = ["trade_reported.csv"]
    finding = nbformat.v4.new_code_cell("print('Finding: the label is', label)")
    finding["id"] = "c3"
    finding.metadata["tags"] = ["finding"]
    nb.cells.append(finding)
    nbformat.write(nb, path)
    first = runner.run(None, notebook_dir=nbs, reports_dir=tmp_path / "reports", run_name="changes")
    assert "nothing to compare with" in (first / "changes.html").read_text(encoding="utf-8")
    # the test's change: a corrected data row (in a copy of data/) and another parameter value
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    text = (data / "trade_reported.csv").read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith("oec-1998-exp,"))
    (data / "trade_reported.csv").write_text(
        text.replace(line, line.replace(",30500000,", ",30600000,", 1)), encoding="utf-8"
    )
    monkeypatch.setattr(site, "DATA_DIR", data)
    params = tmp_path / "second.yaml"
    params.write_text("label: second\n", encoding="utf-8")
    second = runner.run(params, notebook_dir=nbs, reports_dir=tmp_path / "reports", run_name="changes")
    index = fresh_page((second / "index.html").as_uri(), **DESKTOP).page
    index.locator("a.changes-link").click()
    index.wait_for_load_state("load")
    assert index.url.endswith("/changes.html")
    text = _words(index.locator("main").inner_text())
    assert "1 finding changed" in text and "1 table changed" in text
    assert "Finding: the label is first" in text and "Finding: the label is second" in text
    assert "oec-1998-exp (data/trade_reported.csv): corrected" in text
    assert index.locator("del", has_text="first").count() >= 1 and index.locator("ins", has_text="second").count() >= 1
    assert bs.fragment_target(index, "#data-oec-1998-exp") == "data-oec-1998-exp"

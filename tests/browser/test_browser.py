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
PAGES = ["index.html", *REPORT_PAGES]
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
        assert len(shown) == len(pngs), f"{page_name}: {len(pngs)} charts in the notebook, {len(shown)} shown"
        assert all(alt and alt != "chart" for alt in shown), f"{page_name}: a chart without alt text: {shown}"


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


@pytest.mark.parametrize("page_name", PAGES)
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
    assert v.page.locator("h2", has_text=PERSIAN).first.is_visible()

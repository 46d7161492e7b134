"""Review of the reader's pages: a run for another country pair than Iran and Iraq states no Iran–Iraq fact
in the collection's own template text (index heading, lead, titles, data lines)."""

from __future__ import annotations

import re

from helpers.pipeline import render, site

TURKEY = {"source": "comtrade", "data_path": "downloads/sample-comtrade", "reporter": "TUR", "partner": "IRQ"}


def _entry(params: dict) -> dict:
    info = {"title": "01 — Trade volume", "question": "Q", "reads": ["trade_reported.csv"]}
    return {"name": "01-trade-volume", "info": info, "params": params, "finding": "F"}


def _run_info() -> dict:
    return {"run": "turkey", "params_file": "p.yaml", "run_date": "d", "commit": "c"}


def test_another_pairs_data_lines_name_its_download_first_and_mark_the_shipped_files():
    assert render.run_sources(["trade_reported.csv"], {}) == render.data_sources(["trade_reported.csv"])
    sources = render.run_sources(["trade_reported.csv"], TURKEY)
    assert sources[0]["file"] == "downloads/sample-comtrade" and "Türkiye–Iraq" in sources[0]["title"]
    assert "the figures for Türkiye–Iraq come from official statistics" in sources[1]["title"]


def test_the_tables_that_hold_no_pairs_figures_are_not_said_to_be_about_iran_and_iraq():
    from helpers.tables.specs import SPECS

    assert render.ANY_PAIR_FILES == {spec.file for spec in SPECS.values() if spec.any_pair}
    files = ["composition.csv", "categories.csv", "concordance_hs.csv", "concordance_groups.csv"]
    titles = {s["file"]: s["title"] for s in render.run_sources(files, TURKEY)}
    assert "about Iran and Iraq" in titles["data/composition.csv"]
    assert "about Iran and Iraq" in titles["data/concordance_groups.csv"]  # the reported groups' mapping
    assert titles["data/categories.csv"] == "Product categories: the chamber's ten, energy, mixed buckets and unmapped"
    assert titles["data/concordance_hs.csv"] == "HS chapters to the chamber's categories"


def test_another_pairs_index_names_that_pair_not_iran_and_iraq():
    page = site.index_html([_entry(TURKEY)], _run_info())
    h1 = re.search(r"<h1>(.*?)</h1>", page).group(1)
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert "Türkiye–Iraq" in h1 and "Iran" not in h1
    assert title.startswith("Türkiye–Iraq trade")
    assert "tests a 2024 news report" not in page
    assert "Official statistics for Türkiye–Iraq" in page
    default = site.index_html([_entry({})], _run_info())
    assert f"<h1>{site.SITE_TITLE.replace(chr(39), '&#39;')}</h1>" in default and site.SITE_LEAD in default


def test_index_headings_nest_and_it_says_how_the_run_was_made():
    page = site.index_html([_entry({})], _run_info())
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", page)]
    assert levels.count(1) == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    assert re.search(r"<h3>01 — Trade volume</h3>", page)  # a notebook's card under "The notebooks" (h2)
    assert "python -m helpers run --params p.yaml --name turkey" in page


def test_another_pairs_pages_say_the_notebooks_text_is_about_iran_and_iraq_and_what_it_prints_is_not():
    info = {"title": "01 — Trade volume", "question": "How large is Iran–Iraq trade?", "reads": []}
    header = render.run_header_html(info, TURKEY, _run_info(), "01-trade-volume.code.html", "Page with code")
    note = re.search(r'<p class="collection-pair-note">(.*?)</p>', header, re.S).group(1)
    assert "This run is for Türkiye–Iraq." in note and "written about Iran and Iraq" in note
    assert note.endswith("is about Türkiye–Iraq.")
    default = render.run_header_html(info, {}, _run_info(), "01-trade-volume.code.html", "Page with code")
    assert "collection-pair-note" not in default and "This run is for" not in default

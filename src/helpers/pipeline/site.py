"""The run folder's own pages and files: ``index.html`` (from ``site/index.html.j2``), ``changes.html``,
``snapshot.json``, ``changes.json``, ``run.json`` and, when the run checked the claims, ``claims.jsonld``.

The index opens with the verdicts (each claim, its rating as a text badge, the one-line reason, its
robustness and a link to its anchor on the claims page), then lists every report of the run with
thumbnails of its figures, its question, finding, parameters and data sources. It is the only page
with the run's date and commit (with ``run.json``). Its markup comes only from the templates,
rendered by ``render.jinja_environment`` (autoescaping).

Every page gets its title, description and Open Graph tags here (``head_tags``), with absolute
URLs only when the claims notebook's ``site_url`` setting is given, and the collection's stylesheet.

What changed: the run's snapshot is compared with the one the previous report of the same name left
(``helpers.pipeline.changes``): the runner writes into a staging folder beside ``reports/<name>/``
and swaps it in afterwards, so the previous report is still in place here.

``claims.jsonld`` is the schema.org ClaimReview markup of the run's ``claims.csv``
(``helpers.pipeline.claimreview``), written once that table is exported; the same reviews are
embedded in the claims page's head as ``<script type="application/ld+json">``. Its URLs are
relative unless the claims notebook's ``site_url`` setting is given.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from helpers.config import DATA_DIR
from helpers.pipeline import changes as changes_mod
from helpers.pipeline import render
from helpers.pipeline.findings import notebook_finding

INDEX_TEMPLATE = "index.html.j2"
CHANGES_TEMPLATE = "changes.html.j2"
HEAD_TEMPLATE = "head.html.j2"
SITE_TITLE = "Iran–Iraq trade and Iran's influence in Iraq"
SITE_DESCRIPTION = (
    "A reproducible notebook collection that tests a 2024 news report on Iran–Iraq trade, claim by claim, "
    "against sourced figures."
)
SITE_LEAD = "Reports of a reproducible notebook collection that tests a 2024 news report against sourced figures."
#: Where a claim's reason stops being its one-line reason (the other readings follow).
OTHER_READINGS = " Other readings:"


def one_line_reason(reason: str) -> str:
    """A claim's reason up to its other readings (the rating's own sentence or sentences)."""
    return reason.split(OTHER_READINGS, 1)[0].strip()


def verdicts(folder: Path) -> list[dict[str, str]]:
    """The index's verdicts from the run's ``claims.csv`` (none without it)."""
    from helpers.pipeline import claimreview  # pandas: only where a run's notebooks are post-processed

    table = folder / claimreview.CLAIMS_TABLE
    if not table.exists():
        return []
    rows = claimreview.read_verdicts(table).to_dict("records")
    return [
        {
            "claim_id": r["claim_id"],
            "claim": r.get("claim", ""),
            "rating": r.get("rating", ""),
            "reason": one_line_reason(r.get("reason", "")),
            "robustness": r.get("robustness", ""),
            "later": r.get("evidence_after_as_of", "") not in ("", "0", "False", "false"),
            "href": f"{claimreview.CLAIMS_PAGE}#{r['claim_id']}",
        }
        for r in rows
    ]


def thumbnails(folder: Path, name: str) -> list[dict[str, str]]:
    """File, alt text and anchor of each exported figure of notebook ``name``, in figure order."""
    out = []
    pngs = sorted(
        folder.glob(f"figures/{name}-fig*.png"), key=lambda p: int(re.sub(r"\D", "", p.stem[len(name) :]) or 0)
    )
    for png in pngs:
        meta_path = png.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        out.append({"file": f"figures/{png.name}", "alt": meta.get("alt", png.stem), "anchor": png.stem})
    return out


def head_tags(title: str, description: str, page: str, site_url: str, run: str, image: str = "") -> dict[str, Any]:
    """A page's title, description and Open Graph tags; ``og:url`` and ``og:image`` only with ``site_url``
    (absolute URLs), none relative."""
    og = [("og:type", "article"), ("og:title", title), ("og:description", description), ("og:site_name", SITE_TITLE)]
    if site_url:
        base = f"{site_url.rstrip('/')}/{run}/"
        og.append(("og:url", base + page))
        if image:
            og.append(("og:image", base + image))
    return {"title": title, "description": description, "og": og}


def run_pair(entries: list[dict[str, Any]]) -> str:
    """The country pair of a run when its parameters name another than Iran and Iraq (``render.other_pair``
    of the first notebook whose parameters name one), ``""`` for Iran and Iraq."""
    return next((pair for pair in (render.other_pair(e.get("params", {})) for e in entries) if pair), "")


def index_head(run: str, site_url: str, pair: str = "") -> dict[str, Any]:
    """The index's head tags (``head_tags``) with its heading and lead: for another country pair than Iran and
    Iraq (``run_pair``) they name that pair and say that the collection's own text and data are about Iran
    and Iraq, so that no line of the page states an Iran–Iraq fact for it."""
    if not pair:
        head = head_tags(f"{SITE_TITLE}: reports ({run})", SITE_DESCRIPTION, "index.html", site_url, run)
        return {**head, "heading": SITE_TITLE, "lead": SITE_LEAD}
    description = (
        f"{pair} trade from official statistics: a run of the reproducible notebook collection "
        f"“{SITE_TITLE}” for another country pair."
    )
    lead = (
        f"{description} Every figure, table and finding of these reports is about {pair} and comes from official "
        "trade statistics. The collection's shipped figures, events and claims are about Iran and Iraq and are not "
        "used here; the notebooks' explanatory text (questions, methods) is written for "
        "Iran and Iraq."
    )
    head = head_tags(f"{pair} trade: reports ({run})", description, "index.html", site_url, run)
    return {**head, "heading": f"{pair} trade, from official statistics", "lead": lead}


def load_templates() -> None:
    """Import what the run's own files are made with and compile their templates (the runner does it
    while the kernels run, instead of after them)."""
    import nbformat  # noqa: F401

    from helpers.pipeline import claimreview  # noqa: F401

    env = render.jinja_environment()
    for name in (INDEX_TEMPLATE, CHANGES_TEMPLATE, HEAD_TEMPLATE):
        env.get_template(name)


def index_html(
    entries: list[dict[str, Any]],
    run_info: dict[str, Any],
    verdict_rows: list[dict[str, Any]] | None = None,
    changes: dict[str, Any] | None = None,
    head: dict[str, Any] | None = None,
) -> str:
    """The run's index page: the verdicts, then every report with thumbnails, question, finding, parameters
    and data sources.

    Each entry has ``name``, ``info`` (``render.notebook_info``), ``params`` (this run's values for the
    notebook), ``finding`` (its one-line finding, or ``""``) and optionally ``thumbs``.
    """
    cards = [
        {**e, "sources": render.run_sources(e["info"].get("reads", []), e["params"]), "thumbs": e.get("thumbs", [])}
        for e in entries
    ]
    head = head or index_head(str(run_info.get("run", "")), "", run_pair(entries))
    page = (
        render.jinja_environment()
        .get_template(INDEX_TEMPLATE)
        .render(cards=cards, run_info=run_info, verdicts=verdict_rows or [], changes=changes, head=head)
    )
    return render.with_style(page)


def _entry(folder: Path, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The index entry of one executed notebook of the run; its exported tables are written on the way."""
    import nbformat

    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    render.export_tables(nb, folder)
    return {
        "name": name,
        "info": render.notebook_info(nb),
        "params": params,
        "finding": notebook_finding(nb),
        "thumbs": thumbnails(folder, name),
    }


def site_url_of(per_notebook: dict[str, dict[str, Any]]) -> str:
    """The ``site_url`` setting of the run (the claims notebook declares it), ``""`` without one."""
    return next((str(p["site_url"]) for p in per_notebook.values() if p.get("site_url")), "")


def _page_heads(folder: Path, entries: list[dict[str, Any]], site_url: str, run: str) -> None:
    """Title, description and Open Graph tags in the head of both pages of every notebook."""
    template = render.jinja_environment().get_template(HEAD_TEMPLATE)
    for e in entries:
        title = str(e["info"].get("title", e["name"]))
        pair = render.other_pair(e.get("params", {}))
        title = f"{title} ({pair})" if pair else title
        description = e["finding"] or str(e["info"].get("question", "")) or SITE_DESCRIPTION
        image = e["thumbs"][0]["file"] if e["thumbs"] else ""
        for suffix in (".html", ".code.html"):
            page = folder / f"{e['name']}{suffix}"
            if page.exists():
                tags = template.render(head=head_tags(title, description, page.name, site_url, run, image))
                page.write_text(render.with_head_tags(page.read_text(encoding="utf-8"), tags), encoding="utf-8")


def _changes(folder: Path, run: str, entries: list[dict[str, Any]], run_info: dict[str, Any]) -> dict[str, Any]:
    """Write the run's snapshot, compare it with the previous report's of the same name, write the changes."""
    previous_folder = folder.parent / run
    # in the staging folder, the previous report is still in place beside it; written in place (no
    # staging), the snapshot still in the folder is the previous run's
    previous = changes_mod.read_snapshot(previous_folder)
    reads = [f for e in entries for f in e["info"].get("reads", [])]
    findings = {e["name"]: e["finding"] for e in entries}
    snap = changes_mod.snapshot(folder, DATA_DIR, reads, findings, list(run_info.get("official_downloads", [])))
    had_report = (previous_folder / "index.html").exists()
    result = changes_mod.write_changes(folder, previous, snap, had_report)
    changes_mod.write_snapshot(folder, snap)
    return result


def notebook_outputs(
    folder: Path, outcomes: list[Any], per_notebook: dict[str, dict[str, Any]], run: str
) -> dict[str, Any]:
    """What a run's notebooks give its folder: their tables, ``claims.jsonld`` (with the claims page's
    embedded copy) and the heads of their pages. Returns what the run's own pages are made of (JSON:
    the index's entries and verdicts), so the execution cache can keep it with the folder."""
    from helpers.pipeline.schema import CLAIMS

    site_url = site_url_of(per_notebook)
    entries = [_entry(folder, o.name, per_notebook.get(o.name, {})) for o in outcomes]
    claims = next((e for e in entries if e["name"] == CLAIMS), None)
    if claims is not None:
        write_claim_reviews(folder, run, claims["info"], claims["params"])
    _page_heads(folder, entries, site_url, run)
    return {"entries": entries, "verdicts": verdicts(folder)}


def run_pages(
    folder: Path, parts: dict[str, Any], per_notebook: dict[str, dict[str, Any]], run_info: dict[str, Any]
) -> None:
    """The run's own files from ``parts`` (``notebook_outputs``): the snapshot and changes (against the
    previous report of the same name), ``index.html`` and ``run.json``. Imports no pandas."""
    run = str(run_info.get("run", folder.name))
    site_url = site_url_of(per_notebook)
    entries = parts["entries"]
    changes = _changes(folder, run, entries, run_info)
    changes_page = render.jinja_environment().get_template(CHANGES_TEMPLATE)
    pair = run_pair(entries)
    head = head_tags(
        f"What changed: {f'{pair} trade' if pair else SITE_TITLE} ({run})",
        changes_mod.summary(changes),
        changes_mod.CHANGES_PAGE,
        site_url,
        run,
    )
    context = changes_mod.page_context(changes)
    (folder / changes_mod.CHANGES_PAGE).write_text(
        render.with_style(changes_page.render(changes=context, head=head, run=run)), encoding="utf-8"
    )
    head_of_index = index_head(run, site_url, pair)
    summary = {"href": changes_mod.CHANGES_PAGE, "summary": context["summary"]}
    (folder / "index.html").write_text(
        index_html(entries, run_info, parts["verdicts"], summary, head_of_index), encoding="utf-8"
    )
    (folder / "run.json").write_text(
        json.dumps({**run_info, "notebooks": [e["name"] for e in entries]}, indent=2) + "\n", encoding="utf-8"
    )


def write_run_outputs(
    folder: Path,
    outcomes: list[Any],
    per_notebook: dict[str, dict[str, Any]],
    run_info: dict[str, Any],
    keep: Any = None,
) -> None:
    """Files a run writes besides the notebooks and their pages: the tables, ``claims.jsonld`` (with the
    claims page's embedded copy), the snapshot and changes, ``index.html`` and ``run.json``.

    ``outcomes`` are the runner's outcomes (anything with a ``name``), in the index's order; ``keep``
    (the execution cache) is called with the folder's parts once the notebooks' outputs are written.
    """
    parts = notebook_outputs(folder, outcomes, per_notebook, str(run_info.get("run", folder.name)))
    if keep is not None:
        keep(parts)
    run_pages(folder, parts, per_notebook, run_info)


def write_claim_reviews(folder: Path, run: str, info: dict[str, Any], params: dict[str, Any]) -> bool:
    """Write ``claims.jsonld`` from the run's ``claims.csv`` and embed it in the claims page; False (nothing
    written) when the run holds no claims table.

    ``info`` is the claims notebook's ``render.notebook_info`` (the data files it reads), ``params`` this
    run's values for it (``site_url``, ``claims_path``).
    """
    from helpers.pipeline import claimreview

    reviews = claimreview.write_claims_jsonld(
        folder,
        run,
        list(info.get("reads", [])),
        site_url=str(params.get("site_url", "") or ""),
        claims_path=str(params.get("claims_path", "") or ""),
    )
    if reviews is None:
        return False
    page = folder / claimreview.CLAIMS_PAGE
    if page.exists():
        text = page.read_text(encoding="utf-8")
        page.write_text(render.with_json_ld(text, claimreview.script_json(reviews)), encoding="utf-8")
    return True

"""The run folder's own pages and files: ``index.html`` (from ``site/index.html.j2``), ``run.json`` and,
when the run checked the claims, ``claims.jsonld``.

The index lists every report of the run with its question, finding, parameters and data sources.
Its markup comes only from the template, rendered by ``render.jinja_environment`` (autoescaping).

``claims.jsonld`` is the schema.org ClaimReview markup of the run's ``claims.csv``
(``helpers.pipeline.claimreview``), written once that table is exported; the same reviews are
embedded in the claims page's head as ``<script type="application/ld+json">``. Its URLs are
relative unless the claims notebook's ``site_url`` setting is given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers.pipeline import claimreview, render
from helpers.pipeline.findings import notebook_finding
from helpers.pipeline.schema import CLAIMS

INDEX_TEMPLATE = "index.html.j2"


def index_html(entries: list[dict[str, Any]], run_info: dict[str, Any]) -> str:
    """The run's index page: every report with its question, finding, parameters and data sources.

    Each entry has ``name``, ``info`` (``render.notebook_info``), ``params`` (this run's values for the
    notebook) and ``finding`` (its one-line finding, or ``""``).
    """
    cards = [{**e, "sources": render.data_sources(e["info"].get("reads", []))} for e in entries]
    return render.jinja_environment().get_template(INDEX_TEMPLATE).render(cards=cards, run_info=run_info)


def _entry(folder: Path, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The index entry of one executed notebook of the run; its exported tables are written on the way."""
    import nbformat

    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    render.export_tables(nb, folder)
    return {"name": name, "info": render.notebook_info(nb), "params": params, "finding": notebook_finding(nb)}


def write_run_outputs(
    folder: Path, outcomes: list[Any], per_notebook: dict[str, dict[str, Any]], run_info: dict[str, Any]
) -> None:
    """Files a run writes besides the notebooks and their pages: the tables, ``claims.jsonld`` (with the
    claims page's embedded copy), ``index.html`` and ``run.json``.

    ``outcomes`` are the runner's outcomes (anything with a ``name``), in the index's order.
    """
    entries = [_entry(folder, o.name, per_notebook.get(o.name, {})) for o in outcomes]
    claims = next((e for e in entries if e["name"] == CLAIMS), None)
    if claims is not None:
        write_claim_reviews(folder, str(run_info.get("run", folder.name)), claims["info"], claims["params"])
    (folder / "index.html").write_text(index_html(entries, run_info), encoding="utf-8")
    (folder / "run.json").write_text(
        json.dumps({**run_info, "notebooks": [e["name"] for e in entries]}, indent=2) + "\n", encoding="utf-8"
    )


def write_claim_reviews(folder: Path, run: str, info: dict[str, Any], params: dict[str, Any]) -> bool:
    """Write ``claims.jsonld`` from the run's ``claims.csv`` and embed it in the claims page; False (nothing
    written) when the run holds no claims table.

    ``info`` is the claims notebook's ``render.notebook_info`` (the data files it reads), ``params`` this
    run's values for it (``site_url``, ``claims_path``).
    """
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

"""The whole collection through the runner: a non-default parameter set, run twice, gives the same outputs."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil

import nbformat
import pandas as pd
import pytest

from helpers.analysis import claims as claims_check
from helpers.config import PARAMS_DIR
from helpers.pipeline import executions, runner
from helpers.pipeline.findings import notebook_finding

pytestmark = pytest.mark.slow


def _normalise_html(text: str) -> str:
    text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "RUN-DATE", text)
    return re.sub(r"project commit <code>[^<]*</code>", "project commit <code>COMMIT</code>", text)


PARAMS = PARAMS_DIR / "energy-excluded-since-2014.yaml"


@contextlib.contextmanager
def execution_cache(folder):
    """The execution cache on, in ``folder``, for the block (it is off in the other tests)."""
    before = os.environ.get("COLLECTION_EXECUTION_CACHE")
    os.environ["COLLECTION_EXECUTION_CACHE"] = str(folder)
    try:
        yield
    finally:
        os.environ["COLLECTION_EXECUTION_CACHE"] = before if before is not None else "off"


@pytest.fixture(scope="module")
def cache_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("execution-cache")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, cache_folder):
    """Two executions of a non-default parameter set: the first with the execution cache on (forced, so
    it is executed and stored), the second with it off."""
    with execution_cache(cache_folder):
        a = runner.run(PARAMS, reports_dir=tmp_path_factory.mktemp("a"), force=True)
    b = runner.run(PARAMS, reports_dir=tmp_path_factory.mktemp("b"))
    return a, b


def test_non_default_parameters_change_the_output(two_runs):
    out, _ = two_runs
    nb = nbformat.read(out / "01-trade-volume.ipynb", as_version=4)
    assert nb.metadata["papermill"]["parameters"]["target_year"] == 2032
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "by 2032" in text and "$25bn" in text
    claims = (out / "claims.csv").read_text(encoding="utf-8").splitlines()
    assert claims[0] == ",".join(claims_check.VERDICT_COLUMNS)
    assert len(claims) >= 11
    index = (out / "index.html").read_text(encoding="utf-8")
    for stem in ("01-trade-volume", "02-composition", "03-influence-timeline", "04-claims-check"):
        assert f'href="{stem}.html"' in index and (out / f"{stem}.html").exists()
    reviews = json.loads((out / "claims.jsonld").read_text(encoding="utf-8"))
    assert [r["url"].split("#")[1] for r in reviews] == [line.split(",")[0] for line in claims[1:]]


def test_the_same_question_has_the_same_numbers_everywhere(two_runs):
    """What the run wrote: notebook 02's share ranges, the 65% claim's evidence and reason, the README finding;
    notebook 01's two-way series and the doubling claim's base."""
    out, _ = two_runs
    tables = out / "tables"
    ranges = pd.read_csv(tables / "fig2_share_ranges.csv")
    evidence = pd.read_csv(tables / "evidence_c07-share-65pct_1.csv")
    as_of_year = pd.Timestamp(claims_check.REPORT_DATE).year
    used = evidence[evidence["in_range"]]
    per_year = used.groupby(["year", "coverage"])["share"].agg(["min", "max", "size"]).reset_index()
    before = ranges[ranges["year"] < as_of_year].reset_index(drop=True)
    assert list(zip(per_year["year"], per_year["coverage"])) == list(zip(before["year"], before["coverage"]))
    assert list(per_year["size"]) == list(before["pairings"])
    assert (per_year["min"] * 100).round(1).tolist() == before["low_pct"].tolist()
    assert (per_year["max"] * 100).round(1).tolist() == before["high_pct"].tolist()
    rated = pd.read_csv(out / "claims.csv").set_index("claim_id")
    low, high = per_year["min"].min(), per_year["max"].max()
    assert (
        f"{low:.0%}–{high:.0%} of Iraq's imports in {int(per_year['size'].sum())} usable pairings"
        in (rated.loc["c07-share-65pct", "reason"])
    )
    finding = notebook_finding(nbformat.read(out / "02-composition.ipynb", as_version=4))
    said = re.search(r"(\d+)%–(\d+)% of Iraq's imports in (\d+) usable pairings", finding)
    assert said, finding
    assert abs(int(said[1]) - ranges["low_pct"].min()) <= 0.55 and abs(int(said[2]) - ranges["high_pct"].max()) <= 0.55
    assert int(said[3]) == ranges["pairings"].sum()
    two_way = pd.read_csv(tables / "preferred_two_way.csv")
    base = pd.read_csv(tables / "evidence_c03-target-doubles_1.csv").iloc[0]
    row = two_way[two_way["record_id"] == base["record_id"]]
    assert len(row) == 1 and row.iloc[0]["value_usd_bn"] == pytest.approx(base["value"] / 1e9, abs=5e-4)
    assert row.index[0] == len(two_way[pd.to_numeric(two_way["period"].str[:4]) <= as_of_year - 622]) - 1


def test_two_runs_are_identical(two_runs):
    a, b = two_runs
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != "run.json")
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.name != "run.json")
    for rel in files:
        x, y = (a / rel).read_bytes(), (b / rel).read_bytes()
        if rel.suffix == ".html":
            assert _normalise_html(x.decode()) == _normalise_html(y.decode()), rel
        else:
            assert x == y, f"{rel} differs between two runs"


def test_a_reused_report_is_byte_identical_to_an_executed_one(two_runs, cache_folder, tmp_path):
    """The first run's entries reused: every notebook, with the run folder's notebook outputs from the
    cache, and again with that part of the cache deleted (post-processed again from the entries)."""
    executed, _ = two_runs
    with execution_cache(cache_folder):
        reused = [runner.run(PARAMS, reports_dir=tmp_path / "c")]
        shutil.rmtree(cache_folder / f"v{executions.FORMAT}" / "sites")
        reused.append(runner.run(PARAMS, reports_dir=tmp_path / "d"))
    for again in reused:
        done = json.loads((again / "run.json").read_text(encoding="utf-8"))["executions"]
        assert [r["executed"] for r in done] == [False] * 4 and {r["reason"] for r in done} == {"unchanged"}
    # each notebook's recorded inputs are the files it needed: 03 draws the trade series beside the
    # events and reads no target; every notebook reads the data package as a view
    read = {}
    for entry in (cache_folder / f"v{executions.FORMAT}" / "notebooks").glob("*/*/entry.json"):
        read[entry.parent.parent.name[:2]] = [d[0] for d in json.loads(entry.read_text(encoding="utf-8"))["deps"]]
    assert read["03"] == ["data/events.csv", "data/phases.csv", "data/trade_reported.csv", "view:data/datapackage.json"]
    assert read["01"] == ["data/targets.csv", "data/trade_reported.csv", "view:data/datapackage.json"]
    assert "data/targets.csv" in read["04"] and all("view:data/datapackage.json" in r for r in read.values())
    files = sorted(p.relative_to(executed) for p in executed.rglob("*") if p.is_file())
    for again in reused:
        assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
        for rel in files:
            if rel.name not in ("index.html", "run.json"):  # the only files with the run's date
                assert (executed / rel).read_bytes() == (again / rel).read_bytes(), rel

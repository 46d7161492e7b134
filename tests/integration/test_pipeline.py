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

#: What ipykernel prints on a kernel's stderr when its TCP sockets are not encrypted.
PLAIN_TCP_WARNING = "Kernel is running over TCP without encryption"


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


@pytest.mark.parametrize("name", ["sample-baci-iran-iraq", "sample-comtrade-turkey-iraq"])
def test_official_statistics_for_iran_iraq_and_a_second_pair(tmp_path, name, capfd):
    from helpers.official import samples

    folders = samples.write_all(tmp_path / "downloads")
    data = folders[0] if "baci" in name else folders[1]
    out = runner.run(PARAMS_DIR / f"{name}.yaml", reports_dir=tmp_path / "reports", overrides={"data_path": str(data)})
    # four kernels started in parallel, as `make report` does: none warns (of plain-text transport or else)
    printed = "".join(capfd.readouterr())
    assert PLAIN_TCP_WARNING not in printed and "[IPKernelApp] WARNING" not in printed, printed[-2000:]
    for stem in ("01-trade-volume", "02-composition", "03-influence-timeline", "04-claims-check"):
        assert (out / f"{stem}.html").exists()
    text = "".join(
        o.get("text", "")
        for c in nbformat.read(out / "01-trade-volume.ipynb", as_version=4).cells
        for o in c.get("outputs", [])
    )
    assert "official" in text and "SYNTHETIC" in (out / "01-trade-volume.html").read_text(encoding="utf-8")
    if "turkey" in name:
        assert "for Türkiye–Iraq only official statistics are used" in text
        nb3 = "".join(
            o.get("text", "")
            for c in nbformat.read(out / "03-influence-timeline.ipynb", as_version=4).cells
            for o in c.get("outputs", [])
        )
        assert "No events file for Türkiye–Iraq" in nb3
    assert (out / "figures" / "02-composition-fig1.png").exists()  # composition from HS chapters
    # the importer's whole market: the reporter's share by year, the supplier ranking, the release in source lines
    exporter = "Türkiye" if "turkey" in name else "Iran"
    nb2 = "".join(
        o.get("text", "")
        for c in nbformat.read(out / "02-composition.ipynb", as_version=4).cells
        for o in c.get("outputs", [])
    )
    assert f"{exporter}'s rank among Iraq's suppliers in official statistics: " in nb2
    suppliers = pd.read_csv(out / "tables" / "official_suppliers.csv")
    assert set(suppliers.groupby("year")["rank"].min()) == {1} and exporter in set(suppliers["country"])
    release = "CEPII BACI HS17 V202501" if "baci" in name else "UN Comtrade (HS H5"
    assert release in (out / "02-composition.html").read_text(encoding="utf-8")
    origins = json.loads((out / "run.json").read_text(encoding="utf-8"))["official_downloads"]
    assert origins and all(len(r["sha256"]) == 64 for r in origins if "sha256" in r)
    if "baci" in name:  # the claims decided on official data, beside the ratings
        results = pd.read_csv(out / "tables" / "official_results.csv")
        assert "Iran's share of Iraq's total imports (as written)" in set(results["reading"])
        assert set(results["official_result"]) <= {"consistent", "inconsistent", "unverifiable"}


# ---------------------------------------------------------------------------
# Official downloads as people really have them (see tests/unit/test_official_shapes.py for each shape alone)

STEMS = ("01-trade-volume", "02-composition", "03-influence-timeline", "04-claims-check")


def _iran_reports_only(folder):
    """Iran–Iraq as Iran reports it, Iraq reporting nothing: years 2018 and 2020 missing, Iraq's sales to
    Iran missing in 2021 too, chapters (a TOTAL row, World, an area and breakdowns beside them) in 2019,
    six-digit codes in 2021, TOTAL rows only in 2022."""
    from tests.fixtures import COMTRADE_HEADER, comtrade_row, write

    rows = [
        comtrade_row(364, 368, "X", "01", 1e9, 2016),
        comtrade_row(364, 368, "M", "01", 0.1e9, 2016),
        comtrade_row(364, 368, "X", "01", 2e9, 2017),
        comtrade_row(364, 368, "M", "01", 0.2e9, 2017),
        comtrade_row(364, 368, "X", "01", 1e9, 2019),
        comtrade_row(364, 368, "X", "27", 2e9, 2019),
        comtrade_row(364, 368, "X", "TOTAL", 3e9, 2019),
        comtrade_row(364, 368, "X", "TOTAL", 9e9, 2019, partnerCode=0, partnerISO="W00", partnerDesc="World"),
        comtrade_row(364, 368, "X", "TOTAL", 1e8, 2019, partnerCode=899, partnerISO="_X", partnerDesc="Areas, nes"),
        comtrade_row(364, 368, "X", "01", 5e8, 2019, partner2Code=792, partner2ISO="TUR"),
        comtrade_row(364, 368, "X", "01", 5e8, 2019, customsCode="C01"),
        comtrade_row(364, 368, "X", "01", 5e8, 2019, motCode=2100),
        comtrade_row(364, 368, "M", "27", 0.3e9, 2019),
        comtrade_row(364, 368, "X", "010121", 2e9, 2021),
        comtrade_row(364, 368, "X", "270111", 3e9, 2021),
        comtrade_row(364, 368, "X", "TOTAL", 6e9, 2022),
        comtrade_row(364, 368, "M", "TOTAL", 0.5e9, 2022),
    ]
    return write(folder / "iran-reports.csv", COMTRADE_HEADER, rows)


def _iraq_imports_from_turkey_only(folder):
    """Türkiye–Iraq as Iraq reports it, Türkiye reporting nothing: Iraq's imports from Türkiye only, so the
    IRQ→TUR direction is absent in every year."""
    from tests.fixtures import COMTRADE_HEADER, comtrade_row, write

    rows = [
        comtrade_row(368, 792, "M", c, v * (y - 2017), y)
        for y in (2019, 2020, 2021)
        for c, v in [("01", 1e9), ("84", 2e9)]
    ]
    return write(folder / "iraq-reports.csv", COMTRADE_HEADER, rows)


SHAPED_RUNS = {
    "iran-iraq-one-reporter": (_iran_reports_only, {"reporter": "IRN", "partner": "IRQ", "base_year": 2021}),
    "turkey-iraq-one-direction": (
        _iraq_imports_from_turkey_only,
        {"reporter": "TUR", "partner": "IRQ", "base_year": 2021, "growth_window": 2},
    ),
}


def _printed(out, stem: str) -> str:
    """Everything a notebook of the run shows as text: streams, plain text and Markdown."""
    nb = nbformat.read(out / f"{stem}.ipynb", as_version=4)
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts.append(o.get("text", ""))
            parts += [o.get("data", {}).get(kind, "") for kind in ("text/plain", "text/markdown")]
    return "\n".join(parts)


@pytest.fixture(scope="module", params=sorted(SHAPED_RUNS))
def shaped_run(request, tmp_path_factory):
    build, overrides = SHAPED_RUNS[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    data = build(folder)
    out = runner.run(
        None, reports_dir=folder / "reports", overrides={"source": "comtrade", "data_path": str(data)} | overrides
    )
    return request.param, out, {stem: _printed(out, stem) for stem in STEMS}


def test_every_notebook_runs_on_a_download_shaped_as_real_ones_and_says_what_is_missing(shaped_run):
    name, out, printed = shaped_run
    for stem in STEMS:
        assert (out / f"{stem}.html").exists() and (out / f"{stem}.code.html").exists(), stem
        assert "Traceback" not in printed[stem], (stem, printed[stem][-2000:])
    if name == "iran-iraq-one-reporter":
        trade, composition = printed["01-trade-volume"], printed["02-composition"]
        assert "Iran reports its exports to Iraq for 2016–2017, 2019, 2021–2022" in trade
        assert "Iraq reports nothing" in trade and "Iraq reports nothing" in composition
        gap = (
            "No two-way figure for base year 2021: the download has IRN→IRQ flows for 2016–2017, 2019, 2021–2022 "
            "and IRQ→IRN flows for 2016–2017, 2019, 2022"
        )
        assert gap in trade
        # both ends of the window are present: the rate is theirs alone ((6.5 / 2.2) ** (1 / 5) - 1)
        assert "two-way trade: 24.2% a year from 2017 to 2022." in trade
        assert "preferred figures of exports IRN→IRQ (comtrade)" in printed["03-influence-timeline"]
    else:
        missing = (
            "No IRQ→TUR flows in the download: Iraq reports no exports to Türkiye, and Türkiye no imports from Iraq."
        )
        assert missing in printed["01-trade-volume"] and "Türkiye reports nothing" in printed["01-trade-volume"]
        assert "the largest category of Türkiye's exports to Iraq in 2021" in printed["02-composition"]
        assert "No events file for Türkiye–Iraq" in printed["03-influence-timeline"]
        assert "No claims file for Türkiye–Iraq" in printed["04-claims-check"]


def test_a_download_without_the_pair_stops_the_run_before_any_kernel(tmp_path, monkeypatch):
    import papermill

    from helpers.errors import ParameterError
    from tests.fixtures import COMTRADE_HEADER, comtrade_row, write

    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)
    data = write(tmp_path / "other.csv", COMTRADE_HEADER, [comtrade_row(792, 784, "X", "01", 1e9, 2022)])
    with pytest.raises(ParameterError) as info:
        runner.run(None, reports_dir=tmp_path / "reports", overrides={"source": "comtrade", "data_path": str(data)})
    assert str(info.value).count("holds no rows for IRN and IRQ; it holds: ARE, TUR") == 1
    assert not (tmp_path / "reports").exists()

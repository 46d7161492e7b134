"""The collection through the runner on official downloads: the sample releases for Iran–Iraq and a
second pair, and downloads shaped as real ones (one reporter, one direction), each run end to end."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from helpers.config import PARAMS_DIR
from helpers.pipeline import findings, runner

pytestmark = pytest.mark.slow

#: What ipykernel prints on a kernel's stderr when its TCP sockets are not encrypted.
PLAIN_TCP_WARNING = "Kernel is running over TCP without encryption"


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
    assert "official" in text
    for stem in ("01-trade-volume", "02-composition", "03-influence-timeline", "04-claims-check"):
        # every notebook that reads the synthetic samples says so (the timeline draws their trade too)
        assert "are SYNTHETIC test data" in (out / f"{stem}.html").read_text(encoding="utf-8"), stem
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
        # a reason that stops several cells is said in full once, then by its first clause
        trade, reason = printed["01-trade-volume"], "The reported figures in data/ are about Iran and Iraq;"
        again = "Not answered here either: the reported figures in data/ are about Iran and Iraq (see above)."
        assert trade.count(reason) == 1 and trade.count(again) >= 2 and trade.index(reason) < trade.index(again)
    for stem in STEMS:  # a finding is quoted alone (index, page description, README): never a short form
        finding = findings.notebook_finding(nbformat.read(out / f"{stem}.ipynb", as_version=4))
        assert finding and not finding.startswith("Not answered here either"), (stem, finding)


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


@pytest.mark.parametrize(
    "rows, rule",
    [
        # a broken rule in the pair's own rows
        ([("27X", 364, 368, 5e8), ("27", 792, 368, 1e8)], "line 2, column 'cmdCode'"),
        # ... and in another supplier's rows to the partner, which the importer's whole market reads
        ([("27", 364, 368, 5e8), ("2X", 792, 368, 1e8)], "line 3, column 'cmdCode'"),
        # the pair's rows summable by no rule: only a mode-of-transport breakdown
        ([("27", 364, 368, 5e8, {"motCode": 2100}), ("27", 792, 368, 1e8)], "broken down by mode of transport"),
        # the same row twice
        ([("27", 364, 368, 5e8), ("27", 364, 368, 5e8)], "line 3, column 'cmdCode': the same year"),
    ],
)
def test_a_download_whose_rows_break_a_rule_stops_the_run_once_before_any_kernel(tmp_path, monkeypatch, rows, rule):
    """The kernels' questions are asked of the extracts before any kernel starts: one message, not one a notebook."""
    import papermill

    from helpers.errors import DataError
    from tests.fixtures import COMTRADE_HEADER, comtrade_row, write

    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)
    built = [
        comtrade_row(r, p, "X", cmd, value, 2021, **(extra[0] if extra else {})) for cmd, r, p, value, *extra in rows
    ]
    data = write(tmp_path / "c.csv", COMTRADE_HEADER, built)
    with pytest.raises(DataError) as info:
        runner.run(None, reports_dir=tmp_path / "reports", overrides={"source": "comtrade", "data_path": str(data)})
    assert str(info.value).startswith("c.csv") and str(info.value).count(rule) == 1, str(info.value)
    assert not [p for p in (tmp_path / "reports").iterdir() if not p.name.startswith(".")]  # nothing written

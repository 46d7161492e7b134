"""The whole collection through the runner: a non-default parameter set, run twice, gives the same outputs."""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers.config import PARAMS_DIR
from helpers.pipeline import runner

pytestmark = pytest.mark.slow

#: What ipykernel prints on a kernel's stderr when its TCP sockets are not encrypted.
PLAIN_TCP_WARNING = "Kernel is running over TCP without encryption"


def _normalise_html(text: str) -> str:
    text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "RUN-DATE", text)
    return re.sub(r"project commit <code>[^<]*</code>", "project commit <code>COMMIT</code>", text)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    params = PARAMS_DIR / "energy-excluded-since-2014.yaml"
    a = runner.run(params, reports_dir=tmp_path_factory.mktemp("a"))
    b = runner.run(params, reports_dir=tmp_path_factory.mktemp("b"))
    return a, b


def test_non_default_parameters_change_the_output(two_runs):
    out, _ = two_runs
    nb = nbformat.read(out / "01-trade-volume.ipynb", as_version=4)
    assert nb.metadata["papermill"]["parameters"]["target_year"] == 2032
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "by 2032" in text and "$25bn" in text
    claims = (out / "claims.csv").read_text(encoding="utf-8").splitlines()
    assert claims[0] == "claim_id,claim,value,unit,verdict,reason"
    assert len(claims) >= 11
    index = (out / "index.html").read_text(encoding="utf-8")
    for stem in ("01-trade-volume", "02-composition", "03-influence-timeline", "04-claims-check"):
        assert f'href="{stem}.html"' in index and (out / f"{stem}.html").exists()


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

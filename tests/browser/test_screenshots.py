"""`python -m helpers screenshots` writes a full-page PNG of every page of a run."""

from __future__ import annotations

import pytest

from helpers.errors import RunError
from helpers.pipeline import runner, screenshots
from tests.fixtures import make_notebook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not screenshots.CHROMIUM.exists(), reason="Debian chromium not installed (.ci/run installs it)"),
]


def test_every_page_gets_a_screenshot(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    make_notebook(nbs / "01-x.ipynb", "answer: int = 1  # the answer", "print('hello')")
    out = runner.run(None, notebook_dir=nbs, reports_dir=tmp_path / "reports", run_name="t")
    shots = screenshots.take(out)
    assert sorted(p.name for p in shots) == ["01-x.code.png", "01-x.png", "changes.png", "index.png"]
    for p in shots:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000


def test_a_folder_without_reports_is_refused(tmp_path):
    with pytest.raises(RunError, match="no index.html"):
        screenshots.take(tmp_path)

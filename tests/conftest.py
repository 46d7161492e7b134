"""Shared fixtures: copies of the shipped data in temporary folders, with their own manifests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# Tests check tables for real; the store of checked tables (in the user's cache) is tested on its own.
os.environ["COLLECTION_CHECKED_TABLES"] = "off"
# Tests execute for real (two runs compared are two executions); the execution cache is tested on its own.
os.environ["COLLECTION_EXECUTION_CACHE"] = "off"

from helpers.config import DATA_DIR  # noqa: E402
from helpers.tables import manifest  # noqa: E402


@pytest.fixture(scope="session")
def data_template(tmp_path_factory) -> Path:
    """One copy of data/ per test session, with a freshly recorded manifest: tests never edit it."""
    folder = tmp_path_factory.mktemp("data-template") / "data"
    folder.mkdir()
    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, folder / f.name)
    manifest.record(folder)
    return folder


@pytest.fixture
def data_copy(tmp_path: Path, data_template: Path) -> Path:
    """A copy of data/ with a freshly recorded manifest (so checksum rules are reachable)."""
    return Path(shutil.copytree(data_template, tmp_path / "data"))


@pytest.fixture(autouse=True)
def _flow_cache_in_tmp(tmp_path_factory, monkeypatch):
    """Official-data extracts are cached per test session in a temporary folder, never in ~/.cache."""
    monkeypatch.setenv("COLLECTION_FLOW_CACHE", str(tmp_path_factory.getbasetemp() / "flow-cache"))


@pytest.fixture(autouse=True)
def _fresh_tables_memory():
    """Each test starts with an empty memory layer of the store of checked tables (as a new process
    would), so no test depends on which tests ran before it in the same worker."""
    from helpers.tables import store

    store.clear_memory()
    yield
    store.clear_memory()

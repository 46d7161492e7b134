"""The execution cache's store and its record of what a notebook read, without kernels."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from helpers import config
from helpers.pipeline import executions


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """A project root with a data folder of two files and their manifest."""
    monkeypatch.setattr(config, "ROOT", tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (data / "b.csv").write_text("y\n2\n", encoding="utf-8")
    write_manifest(data, {"a.csv": "sha256:aaa", "b.csv": "sha256:bbb"})
    return tmp_path


def write_manifest(data: Path, hashes: dict[str, str], title: str = "B") -> None:
    resources = [
        {"name": "a", "path": "a.csv", "title": "A", "hash": hashes["a.csv"], "bytes": 4, "sources": ["p"]},
        {"name": "b", "path": "b.csv", "title": title, "hash": hashes["b.csv"], "bytes": 4, "sources": ["q"]},
    ]
    (data / "datapackage.json").write_text(json.dumps({"name": "x", "resources": resources}), encoding="utf-8")


def read(root: Path, view: bool) -> list[list]:
    """The dependencies of a reader that opens a.csv and the manifest (as a view or whole)."""
    with executions.recording() as opened:
        (root / "data" / "a.csv").read_bytes()
        if view:
            with executions.view_read():
                (root / "data" / "datapackage.json").read_text(encoding="utf-8")
        else:
            (root / "data" / "datapackage.json").read_text(encoding="utf-8")
    return executions.dependencies(executions.names(opened))


def test_a_manifest_read_as_a_view_changes_only_with_what_the_reader_could_use(root):
    deps = read(root, view=True)
    assert [d[0] for d in deps] == ["data/a.csv", "view:data/datapackage.json"]
    assert deps[1][5] == ["a.csv"]  # the files beside it the reader opened
    data = root / "data"
    # another file's checksum re-recorded: not what this reader used
    write_manifest(data, {"a.csv": "sha256:aaa", "b.csv": "sha256:ccc"})
    assert executions.first_change(deps) is None
    # the checksum of the file it opened, or a field no file's bytes make (a title), is
    write_manifest(data, {"a.csv": "sha256:ddd", "b.csv": "sha256:ccc"})
    assert executions.first_change(deps) == "data/datapackage.json changed"
    write_manifest(data, {"a.csv": "sha256:aaa", "b.csv": "sha256:ccc"}, title="another title")
    assert executions.first_change(deps) == "data/datapackage.json changed"


def test_a_manifest_read_whole_changes_with_every_byte(root):
    deps = read(root, view=False)
    assert [d[0] for d in deps] == ["data/a.csv", "data/datapackage.json"]
    write_manifest(root / "data", {"a.csv": "sha256:aaa", "b.csv": "sha256:ccc"})
    assert executions.first_change(deps) == "data/datapackage.json changed"


def test_a_view_of_a_file_also_read_whole_is_the_whole_file(root):
    with executions.recording() as opened:
        with executions.view_read():
            (root / "data" / "datapackage.json").read_text(encoding="utf-8")
        (root / "data" / "datapackage.json").read_bytes()
    assert [d[0] for d in executions.dependencies(executions.names(opened))] == ["data/datapackage.json"]


def test_a_file_removed_or_changed_is_named(root):
    deps = read(root, view=True)
    (root / "data" / "a.csv").write_text("x\n3\n", encoding="utf-8")
    assert executions.first_change(deps) == "data/a.csv changed"
    (root / "data" / "a.csv").unlink()
    assert executions.first_change(deps) == "data/a.csv removed"


def entry_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    (folder / "figures").mkdir(parents=True)
    (folder / "01-x.ipynb").write_text("{}", encoding="utf-8")
    (folder / "figures" / "01-x-fig1.svg").write_text("<svg/>", encoding="utf-8")
    return folder


def test_entries_are_pruned_to_the_most_recently_used(tmp_path):
    cache = executions.Cache(tmp_path / "cache")
    folder = entry_folder(tmp_path)
    stored = []
    for i in range(executions.KEEP + 3):
        entry = cache.store("01-x", {"parameters": {"i": i}}, [], folder)
        os.utime(entry / "entry.json", (1_000_000 + i, 1_000_000 + i))  # stored in this order
        stored.append(entry)
    executions._prune(stored[0].parent)
    kept = sorted(p for p in stored[0].parent.iterdir())
    assert kept == sorted(stored[-executions.KEEP :])
    # using an old entry (reuse touches it) keeps it at the next prune
    cache.reuse(stored[-executions.KEEP], tmp_path / "out", "no-pages")
    cache.store("01-x", {"parameters": {"i": "new"}}, [], folder)
    assert stored[-executions.KEEP].exists() and not stored[-executions.KEEP + 1].exists()


def test_room_made_while_kernels_run_leaves_storing_nothing_to_delete(tmp_path):
    """``make_room`` prunes the executed notebooks' folders and the run-folder entries to one below
    ``KEEP`` (the most recently used kept), leaves other notebooks' entries alone, and the next store
    brings each back to ``KEEP``."""
    cache = executions.Cache(tmp_path / "cache")
    folder = entry_folder(tmp_path)
    (folder / "02-y.ipynb").write_text("{}", encoding="utf-8")
    stored: dict[str, list[Path]] = {"01-x": [], "02-y": []}
    for stem in stored:
        for i in range(executions.KEEP):
            entry = cache.store(stem, {"parameters": {"i": i}}, [], folder)
            os.utime(entry / "entry.json", (1_000_000 + i, 1_000_000 + i))
            stored[stem].append(entry)
    keys = [f"{i:02d}".ljust(64, "0") for i in range(executions.KEEP)]
    for i, key in enumerate(keys):
        cache.put_site(key, folder, {"i": i}, [])
        site = cache.site_dir(key)
        os.utime(site / "entry.json", (1_000_000 + i, 1_000_000 + i))
    cache.make_room(["01-x"])
    assert sorted(stored["01-x"][0].parent.iterdir()) == sorted(stored["01-x"][1:])
    assert sorted(stored["02-y"][0].parent.iterdir()) == sorted(stored["02-y"])  # not executed: untouched
    sites = sorted(p.name for p in (cache.folder / "sites").iterdir())
    assert len(sites) == executions.KEEP - 1 and cache.site_dir(keys[0]).name not in sites
    cache.store("01-x", {"parameters": {"i": "new"}}, [], folder)
    assert len(list(stored["01-x"][0].parent.iterdir())) == executions.KEEP
    assert all(p.exists() for p in stored["01-x"][1:])


def test_an_entry_whose_writing_fails_leaves_nothing(tmp_path):
    cache = executions.Cache(tmp_path / "cache")
    folder = entry_folder(tmp_path)
    (folder / "01-x.ipynb").unlink()  # the copy fails half-way
    entry = cache.store("01-x", {"parameters": {}}, [], folder)
    assert not entry.exists()
    assert not [p for p in entry.parent.iterdir()]  # no temporary folder left either


def test_two_runs_storing_the_same_entry_at_once_both_succeed_and_one_entry_is_kept(tmp_path):
    cache = executions.Cache(tmp_path / "cache")
    folders = [entry_folder(tmp_path / str(i)) for i in range(2)]
    start, found, errors = threading.Barrier(2), [], []

    def store(folder: Path) -> None:
        try:
            start.wait()
            found.append(cache.store("01-x", {"parameters": {}}, [["data/a.csv", "x", 1, 0, 0]], folder))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(f,)) for f in folders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and found[0] == found[1]
    assert [p.name for p in found[0].parent.iterdir()] == [found[0].name]
    meta = json.loads((found[0] / "entry.json").read_text(encoding="utf-8"))
    assert meta["deps"] == [["data/a.csv", "x", 1, 0, 0]]
    assert sorted(p.name for p in (found[0] / "run").rglob("*")) == ["01-x-fig1.svg", "01-x.ipynb", "figures"]


def test_the_extracts_memo_of_download_hashes_is_no_input(tmp_path, monkeypatch):
    """A kernel that reads an extract depends on it; the memo of hashes beside it, which any download read
    anywhere adds to, is left out (else reading another download would make every notebook stale)."""
    flows = tmp_path / "flows"
    (flows / "ab").mkdir(parents=True)
    monkeypatch.setenv(config.FLOW_CACHE_ENV, str(flows))
    (flows / "ab" / "x.extract.arrow").write_bytes(b"rows")
    (flows / config.FLOW_DIGEST_INDEX).write_text("{}", encoding="utf-8")
    with executions.recording() as opened:
        (flows / "ab" / "x.extract.arrow").read_bytes()
        (flows / config.FLOW_DIGEST_INDEX).read_text(encoding="utf-8")
    assert sorted(opened) == [str(flows / "ab" / "x.extract.arrow")]

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


@pytest.mark.parametrize(
    "damage",
    ["truncated entry.json", "entry.json not an object", "deps not a list", "member removed", "member garbage"],
)
def test_a_damaged_entry_is_executed_again_and_replaced(tmp_path, damage):
    """A damaged entry is never served, never crashes the run, and does not stop the next store."""
    cache = executions.Cache(tmp_path / "cache")
    folder = entry_folder(tmp_path)
    components = {"parameters": {}}
    entry = cache.store("01-x", components, [], folder)
    meta = entry / "entry.json"
    member = entry / "run" / "01-x.ipynb"
    if damage == "truncated entry.json":
        meta.write_bytes(meta.read_bytes()[:10])
    elif damage == "entry.json not an object":
        meta.write_text("[1, 2]", encoding="utf-8")
    elif damage == "deps not a list":
        meta.write_text(json.dumps({"components": components, "deps": [3], "stored": "x"}), encoding="utf-8")
    elif damage == "member removed":
        member.unlink()
    else:
        member.write_bytes(b"\x00garbage")
    found, _ = cache.find("01-x", components)
    if found is not None:  # only a member's damage is seen when the entry is copied
        with pytest.raises(OSError):
            cache.reuse(found, tmp_path / "out", "no-pages")
        assert not (tmp_path / "out" / "01-x.ipynb").exists()
    assert cache.find("01-x", components)[0] is None
    again = cache.store("01-x", components, [], folder)
    assert cache.find("01-x", components)[0] == again
    cache.reuse(again, tmp_path / "out2", "no-pages")
    assert (tmp_path / "out2" / "01-x.ipynb").read_text(encoding="utf-8") == "{}"


def test_damaged_pages_are_rendered_again_and_a_damaged_site_or_parameter_memo_is_not_served(tmp_path):
    cache = executions.Cache(tmp_path / "cache")
    folder = entry_folder(tmp_path)
    for suffix in (".html", ".code.html"):
        (folder / f"01-x{suffix}").write_text("<p>page</p>", encoding="utf-8")
    entry = cache.store("01-x", {"parameters": {}}, [], folder)
    cache.store_pages(entry, "01-x", folder, "key")
    next(entry.glob("pages-*")).joinpath("01-x.html").write_bytes(b"garbage")
    assert cache.reuse(entry, tmp_path / "out", "key") is False  # the notebook is whole, its pages are not
    assert not (tmp_path / "out" / "01-x.html").exists()
    cache.store_pages(entry, "01-x", folder, "key")  # rendered again, stored again
    assert cache.reuse(entry, tmp_path / "out", "key") is True
    cache.put_site("site", folder, {"p": 1}, [])
    (cache.site_dir("site") / "run" / "01-x.html").write_bytes(b"garbage")
    assert cache.get_site("site", tmp_path / "site-out") is None
    assert not (tmp_path / "site-out" / "01-x.html").exists()
    cache.put_site("site", folder, {"p": 1}, [])
    assert cache.get_site("site", tmp_path / "site-out") == {"p": 1}
    cache.put_parameters("k", {"per_notebook": {}, "deps": []})
    (cache.folder / "parameters" / "k" / "entry.json").write_text('{"deps": 1}', encoding="utf-8")
    assert cache.get_parameters("k") is None


def test_the_runner_says_why_a_reused_notebooks_pages_are_rendered_again(tmp_path, monkeypatch):
    from helpers.pipeline.runner import Plan

    cache = executions.Cache(tmp_path / "cache")
    folder = entry_folder(tmp_path)
    for suffix in (".html", ".code.html"):
        (folder / f"01-x{suffix}").write_text("<p>page</p>", encoding="utf-8")
    entry = cache.store("01-x", {"parameters": {}}, [], folder)
    assert cache.why_pages_missing(entry, "default") == "no pages kept"
    cache.store_pages(entry, "01-x", folder, "default")
    assert cache.reuse(entry, tmp_path / "out", "default") is True
    assert not (tmp_path / "out" / ".rendered.json").exists()  # what the pages were rendered under stays in the cache
    assert cache.reuse(entry, tmp_path / "out", "mine") is False
    assert cache.why_pages_missing(entry, "mine") == "no run named 'mine' used it before"
    monkeypatch.setattr(executions, "template_digest", lambda: "other templates")
    assert cache.reuse(entry, tmp_path / "out", "default") is False
    reason = cache.why_pages_missing(entry, "default")
    assert reason == "templates changed"
    line = Plan("01-x", "", pages=False, pages_missing=reason).line()
    assert line == "01 reused (pages rendered again: templates changed)"


def test_a_cache_folder_that_cannot_be_written_costs_only_time(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    cache = executions.Cache(blocked)
    folder = entry_folder(tmp_path)
    entry = cache.store("01-x", {"parameters": {}}, [], folder)
    cache.store_pages(entry, "01-x", folder, "key")
    cache.put_site("site", folder, {}, [])
    cache.put_parameters("k", {"per_notebook": {}, "deps": []})
    assert cache.find("01-x", {"parameters": {}})[0] is None


def test_a_file_the_reader_looked_for_and_did_not_find_is_an_input_when_it_appears(root):
    with executions.recording() as opened:
        with pytest.raises(FileNotFoundError):
            (root / "data" / "c.csv").read_text(encoding="utf-8")
    deps = executions.dependencies(executions.names(opened))
    assert deps == [["data/c.csv", None, -1, 0, 0]]
    assert executions.first_change(deps) is None
    (root / "data" / "c.csv").write_text("z\n", encoding="utf-8")
    assert executions.first_change(deps) == "data/c.csv appeared"


@pytest.mark.parametrize("lister", ["glob", "listdir", "scandir", "pathlib"])
def test_a_folder_the_reader_listed_changes_with_its_names(root, lister):
    """Files a reader found by listing a folder (``glob("*.csv")``) are its inputs: a file added or removed
    there makes its result stale; a file's bytes are the files' own dependencies."""
    import glob

    data = root / "data"
    with executions.recording() as opened:
        {
            "glob": lambda: glob.glob(str(data / "*.csv")),
            "listdir": lambda: os.listdir(data),
            "scandir": lambda: list(os.scandir(data)),
            "pathlib": lambda: list(data.glob("*.csv")),
        }[lister]()
    deps = executions.dependencies(executions.names(opened))
    assert [d[0] for d in deps] == ["folder:data"]
    (data / "a.csv").write_text("x\n2\n", encoding="utf-8")
    assert executions.first_change(deps) is None
    (data / "c.csv").write_text("z\n", encoding="utf-8")
    assert executions.first_change(deps) == "data changed (files added or removed)"


def test_the_folders_the_import_system_lists_are_no_input(root, monkeypatch):
    (root / "mod_for_the_listing_test.py").write_text("X = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    with executions.recording() as opened:
        import mod_for_the_listing_test  # noqa: F401
    assert [n for n in executions.names(opened)] == ["mod_for_the_listing_test.py"]


def test_the_folders_on_the_import_path_listed_for_installed_metadata_are_no_input(root, monkeypatch):
    monkeypatch.syspath_prepend(str(root))
    with executions.recording() as opened:
        os.listdir(root)  # as importlib.metadata and entrypoints scan every folder on sys.path
        os.listdir(root / "data")
    assert executions.names(opened) == ["folder:data"]


def test_a_file_a_parameter_names_outside_the_project_is_watched(root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    events = elsewhere / "events.csv"
    events.write_text("event_id\ne1\n", encoding="utf-8")
    (elsewhere / "other.csv").write_text("x\n", encoding="utf-8")
    named = executions.parameter_paths({"events_path": str(events), "reporter": "IRN", "year": 2030, "blank": ""})
    assert named == [events]
    with executions.recording(extra=named) as opened:
        events.read_text(encoding="utf-8")
        (elsewhere / "other.csv").read_text(encoding="utf-8")  # beside it, but named by no parameter
    deps = executions.dependencies(executions.names(opened))
    assert [d[0] for d in deps] == [str(events)]
    events.write_text("event_id\ne2\n", encoding="utf-8")
    assert executions.first_change(deps) == f"{events} changed"
    # the check of the parameter set read it too: it is an input of the checked set
    assert executions.named_dependencies({"03-x": {"events_path": str(events)}, "01-x": {}}) == [
        executions.dependency(str(events))
    ]


def test_the_reason_to_execute_is_told_against_the_entry_most_like_this_run(tmp_path):
    """Code changed and then put back, the lock changed: the environment is what changed, not the code."""
    cache = executions.Cache(tmp_path / "cache")
    folder = entry_folder(tmp_path)
    base = {"parameters": {}, "notebook": "n", "code": "c", "environment": "e"}
    cache.store("01-x", base, [], folder)
    cache.store("01-x", base | {"code": "c2"}, [], folder)  # the newest entry
    assert cache.find("01-x", base | {"environment": "e2"})[1] == "the environment changed"
    assert cache.find("01-x", base | {"code": "c3"})[1] == "the code of helpers changed"


def test_temporary_folders_left_by_a_killed_run_are_pruned(tmp_path):
    cache = executions.Cache(tmp_path / "cache")
    folder = entry_folder(tmp_path)
    entry = cache.store("01-x", {"parameters": {}}, [], folder)
    old, fresh = entry.parent / ".tmp-old", entry.parent / ".tmp-fresh"  # fresh: another run writing now
    old.mkdir()
    fresh.mkdir()
    os.utime(old, (1_000_000, 1_000_000))
    cache.store("01-x", {"parameters": {"i": 1}}, [], folder)
    assert not old.exists() and fresh.exists()


def test_a_package_upgraded_without_the_lock_changes_the_environment(tmp_path, monkeypatch):
    site = tmp_path / "lib" / "site-packages"
    (site / "pandas-3.1.1.dist-info").mkdir(parents=True)
    monkeypatch.setattr("sys.path", [str(site)])
    executions._environment_digest.cache_clear()
    before = executions.environment_digest()
    (site / "pandas-3.1.1.dist-info").rename(site / "pandas-3.2.0.dist-info")
    executions._environment_digest.cache_clear()
    assert executions.environment_digest() != before
    monkeypatch.undo()
    executions._environment_digest.cache_clear()


def test_a_run_stopped_by_its_checks_before_any_kernel_says_no_notebook_was_executed(tmp_path, monkeypatch, capsys):
    import contextlib

    from helpers.errors import DataError, Problem
    from helpers.pipeline import runner

    monkeypatch.setenv(config.EXECUTION_CACHE_ENV, str(tmp_path / "cache"))

    @contextlib.contextmanager
    def no_workers(*args, **kwargs):
        yield None

    @contextlib.contextmanager
    def broken_table():
        raise DataError("data/events.csv", Problem("must be a date written YYYY-MM-DD", 3, "date", "2003-04-31"))
        yield

    monkeypatch.setattr(runner, "_worker_pool", no_workers)
    monkeypatch.setattr(runner, "checked_tables", broken_table)
    with pytest.raises(DataError, match="line 3, column 'date'"):
        runner.run(config.ROOT / "params/default.yaml", run_name="stopped", reports_dir=tmp_path / "reports")
    said = capsys.readouterr().out
    assert "executed" not in said and "reused" not in said, said
    assert not (tmp_path / "reports" / "stopped").exists()

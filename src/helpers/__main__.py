"""Command line: ``python -m helpers run ...``, ``screenshots``, ``samples``, ``findings``, ``parameters``
and ``data``.

Argument parsing only: each command is one small function that hands over to the module doing the work.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path


def _under_root(path: str) -> Path:
    """A path from the command line, relative to the project root unless absolute."""
    from helpers.config import ROOT

    return Path(path) if Path(path).is_absolute() else ROOT / path


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: execute the notebooks and render the reports."""
    from helpers.pipeline.runner import main_run

    return main_run(args)


def cmd_screenshots(args: argparse.Namespace) -> int:
    """``screenshots``: a full-page PNG of every page of a run."""
    from helpers.config import display_path
    from helpers.errors import CollectionError
    from helpers.pipeline import screenshots

    folder = _under_root(args.run)
    try:
        shots = screenshots.take(folder)
    except CollectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(shots)} screenshots in {display_path(folder / 'screenshots')}/")
    return 0


def cmd_samples(args: argparse.Namespace) -> int:
    """``samples``: write the synthetic Comtrade and BACI files."""
    from helpers.config import display_path
    from helpers.official import samples

    for folder in samples.write_all(_under_root(args.out)):
        print(f"wrote {display_path(folder)}/ (synthetic)")
    return 0


def cmd_findings(args: argparse.Namespace) -> int:
    """``findings``: print the README's Findings section, or write it into README.md."""
    from helpers.config import NOTEBOOK_DIR, ROOT
    from helpers.pipeline import findings

    if not args.write:
        print(findings.findings_markdown(NOTEBOOK_DIR))
    elif findings.update_readme(ROOT / "README.md", NOTEBOOK_DIR):
        print("README.md findings updated")
    else:
        print("README.md findings already current")
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    """``parameters``: print each notebook's parameters cell as the schema has it, or write the
    README's parameter tables from the schema."""
    from helpers.config import ROOT
    from helpers.pipeline import parameters, schema

    if not args.write:
        for path in parameters.notebook_paths():
            print(f"# {path.stem}\n{schema.parameters_cell(path.stem)}")
    elif schema.update_readme(ROOT / "README.md"):
        print("README.md parameter tables updated")
    else:
        print("README.md parameter tables already current")
    return 0


def cmd_data_record(args: argparse.Namespace) -> int:
    """``data record``: re-record data/datapackage.json."""
    from helpers.config import DATA_DIR, display_path
    from helpers.errors import CollectionError
    from helpers.tables import manifest

    try:
        path = manifest.record(Path(args.folder) if args.folder else DATA_DIR)
    except CollectionError as exc:
        print(f"error: {exc}\nNothing recorded: mend the file and record again.", file=sys.stderr)
        return 1
    print(f"Recorded {display_path(path)}. Add a line to CHANGELOG.md: what changed, why, and the source.")
    return 0


def cmd_data_check(args: argparse.Namespace) -> int:
    """``data check``: load every shipped table; 1 when any breaks a rule."""
    from helpers.config import DATA_DIR
    from helpers.errors import CollectionError
    from helpers.tables import SPECS, read_table

    failures = 0
    for spec in SPECS.values():
        if not (DATA_DIR / spec.file).exists():
            continue
        try:
            print(f"ok   {spec.file}: {len(read_table(spec))} rows")
        except CollectionError as exc:
            failures += 1
            print(f"FAIL {exc}", file=sys.stderr)
    return 1 if failures else 0


def _run_arguments(run: argparse.ArgumentParser) -> None:
    """The ``run`` command's arguments."""
    run.set_defaults(handler=cmd_run)
    run.add_argument("--params", help="parameter set (YAML), e.g. params/default.yaml")
    run.add_argument(
        "--only", nargs="+", metavar="NAME", help="run only these notebooks (name or number prefix, e.g. 01)"
    )
    run.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a parameter for every notebook that declares it (repeatable)",
    )
    run.add_argument("--name", help="run name (default: the parameter file's name); output goes to reports/<name>/")
    run.add_argument("--reports-dir", help="folder that holds the run folders (default: reports/)")
    run.add_argument("--workers", type=int, help="parallel notebooks (default: number of cores)")
    run.add_argument(
        "--force",
        action="store_true",
        help="execute every notebook even when the execution cache holds an up-to-date result",
    )
    run.add_argument(
        "--in-place",
        action="store_true",
        help="regenerate the stored outputs in notebooks/ (what `make notebooks` does)",
    )


def _data_actions(data: argparse.ArgumentParser) -> None:
    """The ``data`` command's actions, ``record`` and ``check``."""
    actions = data.add_subparsers(dest="action", required=True)
    rec = actions.add_parser(
        "record", help="re-record data/datapackage.json (schemas, sources, checksums) after a deliberate edit"
    )
    rec.set_defaults(handler=cmd_data_record)
    rec.add_argument("--folder", help="data folder (default: data/)")
    check = actions.add_parser("check", help="load every shipped table and report any broken rule")
    check.set_defaults(handler=cmd_data_check)


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser; each (sub)command sets ``handler``, the function that runs it."""
    parser = argparse.ArgumentParser(prog="python -m helpers", description="Iran–Iraq trade collection")
    sub = parser.add_subparsers(dest="command", required=True)
    _run_arguments(sub.add_parser("run", help="execute the notebooks and render the reports"))
    shot = sub.add_parser(
        "screenshots", help="full-page screenshots of a run's pages (Debian chromium) into reports/<run>/screenshots/"
    )
    shot.set_defaults(handler=cmd_screenshots)
    shot.add_argument("--run", default="reports/default", help="run folder (default: reports/default)")
    smp = sub.add_parser(
        "samples", help="write small SYNTHETIC Comtrade and BACI files (real layouts) to try the official-data path"
    )
    smp.set_defaults(handler=cmd_samples)
    smp.add_argument("--out", default="downloads", help="folder to write into (default: downloads/)")
    fnd = sub.add_parser("findings", help="print the README's Findings section from the stored notebooks")
    fnd.set_defaults(handler=cmd_findings)
    fnd.add_argument("--write", action="store_true", help="write it into README.md")
    prm = sub.add_parser("parameters", help="print the parameters cells the schema declares")
    prm.set_defaults(handler=cmd_parameters)
    prm.add_argument("--write", action="store_true", help="write the README's parameter tables from the schema")
    _data_actions(sub.add_parser("data", help="data package tasks"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run its command; the exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    status = main()
    # what is left is freed by the exit itself: spare the interpreter's last collections over it
    gc.freeze()
    sys.exit(status)

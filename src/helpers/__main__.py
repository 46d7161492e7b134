"""Command line: ``python -m helpers run ...`` and ``python -m helpers data record``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description="Iran–Iraq trade collection")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the notebooks and render the reports")
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
        "--in-place",
        action="store_true",
        help="regenerate the stored outputs in notebooks/ (what `make notebooks` does)",
    )

    shot = sub.add_parser(
        "screenshots", help="full-page screenshots of a run's pages (Debian chromium) into reports/<run>/screenshots/"
    )
    shot.add_argument("--run", default="reports/default", help="run folder (default: reports/default)")

    smp = sub.add_parser(
        "samples", help="write small SYNTHETIC Comtrade and BACI files (real layouts) to try the official-data path"
    )
    smp.add_argument("--out", default="downloads", help="folder to write into (default: downloads/)")

    fnd = sub.add_parser("findings", help="print the README's Findings section from the stored notebooks")
    fnd.add_argument("--write", action="store_true", help="write it into README.md")

    data = sub.add_parser("data", help="data package tasks")
    data_sub = data.add_subparsers(dest="action", required=True)
    rec = data_sub.add_parser(
        "record", help="re-record data/datapackage.json (schemas, sources, checksums) after a deliberate edit"
    )
    rec.add_argument("--folder", help="data folder (default: data/)")
    data_sub.add_parser("check", help="load every shipped table and report any broken rule")

    args = parser.parse_args(argv)
    if args.command == "run":
        from helpers.pipeline.runner import main_run

        return main_run(args)
    if args.command == "screenshots":
        from pathlib import Path

        from helpers.config import ROOT, display_path
        from helpers.errors import CollectionError
        from helpers.pipeline import screenshots

        folder = Path(args.run) if Path(args.run).is_absolute() else ROOT / args.run
        try:
            shots = screenshots.take(folder)
        except CollectionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{len(shots)} screenshots in {display_path(folder / 'screenshots')}/")
        return 0
    if args.command == "samples":
        from pathlib import Path

        from helpers.config import ROOT, display_path
        from helpers.official import samples

        out = Path(args.out) if Path(args.out).is_absolute() else ROOT / args.out
        for folder in samples.write_all(out):
            print(f"wrote {display_path(folder)}/ (synthetic)")
        return 0
    if args.command == "findings":
        from helpers.config import NOTEBOOK_DIR, ROOT
        from helpers.pipeline import render as report

        if args.write:
            changed = report.update_readme(ROOT / "README.md", NOTEBOOK_DIR)
            print("README.md findings updated" if changed else "README.md findings already current")
        else:
            print(report.findings_markdown(NOTEBOOK_DIR))
        return 0
    if args.command == "data":
        from pathlib import Path

        from helpers.config import DATA_DIR, display_path
        from helpers.errors import CollectionError
        from helpers.tables import SPECS, read_table
        from helpers.tables import manifest as provenance

        if args.action == "record":
            folder = Path(args.folder) if args.folder else DATA_DIR
            path = provenance.record(folder)
            print(f"Recorded {display_path(path)}. Add a line to CHANGELOG.md: what changed, why, and the source.")
            return 0
        failures = 0
        for spec in SPECS.values():
            if not (DATA_DIR / spec.file).exists():
                continue
            try:
                frame = read_table(spec)
                print(f"ok   {spec.file}: {len(frame)} rows")
            except CollectionError as exc:
                failures += 1
                print(f"FAIL {exc}", file=sys.stderr)
        return 1 if failures else 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

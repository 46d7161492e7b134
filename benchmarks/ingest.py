"""Benchmark: the first read of BACI year files into all-pairs chapter extracts, against a fixed
pandas baseline doing the same job, and the later questions answered from the extracts.

Synthetic BACI-format files (fixed seed; about 230 country codes in BACI's own numbering, 5,000-odd
HS6 codes with leading zeros, skewed towards big traders, no year-exporter-importer-product twice,
sorted like the real files; IRN->IRQ and IRQ->IRN present) are generated into a temporary folder
(``--data DIR`` keeps them for later runs). No real Comtrade or BACI row is used or written.

Each method runs in its own process, so that its peak memory (``ru_maxrss`` of that child, from
``os.wait4``) is its own; seconds are the work inside the child (imports and interpreter start
excluded, for both), ``cpu_s`` its CPU seconds over all its threads (the project parses on both
cores; on a machine loaded by other work its seconds approach its CPU seconds):

* ``project``  -- ``helpers.official.prepare``: every row parsed to its type and checked, summed to
  an all-pairs chapter table per file, stored in a fresh extract cache (the file's SHA-256 included);
* ``baseline`` -- the fixed pandas code below (:func:`run_baseline`): ``read_csv`` with the product
  code as an integer, the chapter by integer division, a groupby sum to the same all-pairs table.
* ``parse`` and ``read`` -- bounds, not methods: pyarrow's multi-threaded ``read_csv`` of the same five
  columns, typed the same way, with nothing checked, summed or hashed (no reader built on that parser is
  faster); and reading the bytes alone. Their ``speedup`` is the baseline's seconds over theirs.

Both must give the same table (groups and sums). Sizes: 1M, 3M and 10M rows in one file (the cost
must grow linearly), then a 20-file release of 1M rows each. Later questions: a pair query
(``read_flows``) and an importer query (``read_imports``), each timed in a fresh process from
opening the extracts to the result (imports excluded). The last line reads
``rows=10000000 first_pass_speedup=X peak_mib=Y later_query_ms=Z`` (the 10M-row file; Z the
slowest later question).

What else was measured for the first pass (10M rows, 2 cores, 2026-12-03; not part of the run): other
readers of the same five typed columns take as long as pyarrow's (polars ``read_csv`` 0.56-0.85 s, its
lazy scan with the group sum 0.72 s, DuckDB's ``read_csv`` with the group sum 0.97-1.02 s, against
pyarrow's 0.47-0.74 s); SHA-256 of the file alone takes 0.17 s on one core. A scan compiled with numba
that checks and sums each row as it reads it took 0.54-0.60 s for the whole pass once compiled, and
0.76 s counting numba's start-up in a fresh process (import 0.16 s, loading its cached code 0.12 s):
no faster than the pyarrow pass, for a new dependency and a hand-written parser, so it was not kept.

    .venv/bin/python benchmarks/ingest.py                  # everything (several minutes)
    .venv/bin/python benchmarks/ingest.py --rows 1000000   # one size, no release
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GENERATOR_VERSION = 3
YEAR = 2022
PAIR = ("IRN", "IRQ")
PAIR_CODES = (364, 368)
#: Rows of the pair in a file, per direction (about what a real BACI year holds).
PAIR_ROWS = {(364, 368): 3000, (368, 364): 300}
#: Goals on two cores: first pass at least 3x faster than the baseline, under 512 MiB, later questions in 100 ms.
GOALS = {"speedup": 3.0, "peak_mib": 512.0, "query_ms": 100.0}
RELEASE_FILES = 20
RELEASE_ROWS = 1_000_000


# ---------------------------------------------------------------------------
# Synthetic data


def baci_countries() -> dict[int, tuple[str, str]]:
    """BACI-style numeric code -> (ISO3, name): ISO numeric with UN Comtrade's deviations, plus 490."""
    import pycountry

    deviations = {840: 842, 250: 251, 356: 699, 756: 757, 578: 579}
    out = {
        deviations.get(int(c.numeric), int(c.numeric)): (c.alpha_3, getattr(c, "common_name", c.name))
        for c in pycountry.countries
    }
    out[490] = ("S19", "Other Asia, nes")
    return dict(sorted(out.items()))


def hs6_codes(rng) -> list[str]:
    """About 5,000 six-digit codes spread over chapters 01-97 (no 77), as text with leading zeros."""
    codes = []
    for chapter in [c for c in range(1, 98) if c != 77]:
        headings = sorted(rng.choice(range(1, 100), size=int(rng.integers(3, 25)), replace=False))
        for heading in headings:
            subs = sorted(rng.choice(range(0, 100), size=int(rng.integers(1, 6)), replace=False))
            codes += [f"{chapter:02d}{heading:02d}{sub:02d}" for sub in subs]
    return codes


def generate(path: Path, rows: int, seed: int, year: int = YEAR) -> list[str]:
    """Write a BACI-format year file of ``rows`` rows, each (i, j, k) once, sorted by i, j, k like the real
    files; return the product codes used."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    countries = np.array(list(baci_countries()))
    weights = 1.0 / np.arange(1, len(countries) + 1) ** 1.1
    weights = rng.permutation(weights)
    weights /= weights.sum()
    products = np.array(hs6_codes(rng))
    popularity = rng.pareto(1.5, len(products)) + 1
    popularity /= popularity.sum()

    def packed(i, j, k):
        return (i.astype(np.int64) * 1000 + j) * 10_000 + k

    keys = np.empty(0, dtype=np.int64)
    pair_keys = []
    for (a, b), n in PAIR_ROWS.items():
        chosen = rng.choice(len(products), size=n, replace=False)
        pair_keys.append(packed(np.full(n, a), np.full(n, b), chosen))
    bulk = rows - sum(PAIR_ROWS.values())
    while len(keys) < bulk:  # draw until enough distinct (i, j, k) outside the pair
        n = int((bulk - len(keys)) * 1.3) + 1000
        i = rng.choice(countries, size=n, p=weights)
        j = rng.choice(countries, size=n, p=weights)
        k = rng.choice(len(products), size=n, p=popularity)
        fresh = packed(i, j, k)[(i != j) & ~(np.isin(i, PAIR_CODES) & np.isin(j, PAIR_CODES))]
        keys = np.unique(np.concatenate([keys, fresh]))
    keys = np.sort(np.concatenate([rng.choice(keys, size=bulk, replace=False), *pair_keys]))
    i, j, k = keys // 10_000_000, keys // 10_000 % 1000, keys % 10_000
    v = np.maximum(np.round(rng.lognormal(2.0, 2.5, rows), 3), 0.001)
    q = np.round(rng.lognormal(0.5, 2.5, rows), 3)
    q_missing = rng.random(rows) < 0.04  # recent releases leave q blank where the quantity is unknown

    tmp = path.with_suffix(".part")
    names = ["t", "i", "j", "k", "v", "q"]
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    product_text = pa.array(products)
    step = 1_000_000
    tmp.write_text(",".join(names) + "\n", encoding="ascii")
    with (
        open(tmp, "ab") as sink,
        pacsv.CSVWriter(sink, pa.schema([(n, pa.string()) for n in names]), write_options=options) as out,
    ):
        for s in range(0, rows, step):
            e = min(s + step, rows)
            q_text = pc.if_else(pa.array(q_missing[s:e]), pa.scalar(""), pc.cast(pa.array(q[s:e]), pa.string()))
            batch = pa.record_batch(
                [
                    pa.array(np.full(e - s, year)).cast(pa.string()),
                    pa.array(i[s:e].astype(np.int32)).cast(pa.string()),
                    pa.array(j[s:e].astype(np.int32)).cast(pa.string()),
                    product_text.take(pa.array(k[s:e].astype(np.int32))),
                    pc.cast(pa.array(v[s:e]), pa.string()),
                    q_text,
                ],
                names=names,
            )
            out.write_batch(batch)
    tmp.replace(path)
    return sorted(products.tolist())


def write_code_files(folder: Path, version: str, products: list[str]) -> None:
    """The release's side files, in BACI's layout (synthetic: names from pycountry)."""
    import csv

    with open(folder / f"country_codes_V{version}.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["country_code", "country_name", "country_iso2", "country_iso3"])
        for code, (iso3, name) in baci_countries().items():
            w.writerow([code, name, "", iso3])
    with open(folder / f"product_codes_HS17_V{version}.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "description"])
        w.writerows([code, "a product"] for code in products)


def dataset(base: Path, rows: int, seed: int, files: int = 1, generating: bool = False) -> Path:
    """A folder of ``files`` synthetic year files of ``rows`` rows each (generated on first use); the file
    itself when there is one."""
    version = "synthetic"
    folder = base / f"baci_rows{rows}_files{files}_seed{seed}_g{GENERATOR_VERSION}"
    years = [YEAR] if files == 1 else list(range(YEAR - files + 1, YEAR + 1))
    paths = [folder / f"BACI_HS17_Y{year}_V{version}.csv" for year in years]
    if not all(p.exists() for p in paths) and not generating:
        # in a child of its own: the parent stays small, so that the children it starts later (whose
        # ru_maxrss starts from their parent's) measure their own peak only
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--generate",
            str(base),
            str(rows),
            str(seed),
            str(files),
        ]
        subprocess.run(command, check=True)
    elif not all(p.exists() for p in paths):
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        print(f"generating {files} x {rows:,} rows into {folder} ...", file=sys.stderr, flush=True)
        products: set[str] = set()
        for n, (year, path) in enumerate(zip(years, paths)):
            products |= set(generate(path, rows, seed + n, year))
        write_code_files(folder, version, sorted(products))
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return paths[0] if files == 1 else folder


def year_files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.glob("BACI_*_Y*.csv"))


# ---------------------------------------------------------------------------
# The methods (run in a child process)


def run_baseline(path: Path) -> dict:
    """The fixed pandas baseline: read_csv with the product code as an integer, the chapter by integer
    division, a groupby sum to the all-pairs chapter table (one table per file)."""
    import pandas as pd

    groups, total, pair = 0, 0.0, {}
    for file in year_files(path):
        df = pd.read_csv(file, dtype={"k": "int64"})
        df["chapter"] = df["k"] // 10000
        table = df.groupby(["t", "i", "j", "chapter"], sort=True)["v"].sum() * 1000
        groups += len(table)
        total += float(table.sum())
        sub = table[
            table.index.get_level_values("i").isin(PAIR_CODES) & table.index.get_level_values("j").isin(PAIR_CODES)
        ]
        iso = dict(zip(PAIR_CODES, PAIR))
        pair |= {f"{t}:{iso[e]}>{iso[i]}:{c:02d}": float(v) for (t, e, i, c), v in sub.items()}
    return {"groups": groups, "total": total, "pair": pair}


def run_project(path: Path) -> dict:
    """The project's first pass: every file read once into its all-pairs chapter extract (kept in the
    cache); then the same summary read back from the extracts."""
    from helpers.official import prepare

    prepare(path, progress=False)
    return summary(path)


def summary(path: Path) -> dict:
    """Groups, total and the pair's chapters of the extracts (outside the timing)."""
    from helpers.official import extracts
    from helpers.official.archive import source_header
    from helpers.official.formats import BACI

    groups, total, pair = 0, 0.0, {}
    iso = dict(zip(PAIR_CODES, PAIR))
    for file in year_files(path):
        table = extracts.extract(file, source_header(file), BACI).table.to_pandas()
        groups += len(table)
        total += float(table["value_usd"].sum())
        sub = table[table["exporter"].isin(PAIR_CODES) & table["importer"].isin(PAIR_CODES)]
        pair |= {
            f"{r.year}:{iso[r.exporter]}>{iso[r.importer]}:{r.chapter:02d}": float(r.value_usd)
            for r in sub.itertuples()
        }
    return {"groups": groups, "total": total, "pair": pair}


def run_pair_query(path: Path) -> dict:
    from helpers.official import read_flows

    flows = read_flows(path, *PAIR, progress=False)
    return {"rows": len(flows), "total": float(flows["value_usd"].sum())}


def run_importer_query(path: Path) -> dict:
    from helpers.official import read_imports

    flows = read_imports(path, PAIR[1], progress=False)
    return {"rows": len(flows), "exporters": int(flows["exporter"].nunique()), "total": float(flows["value_usd"].sum())}


def run_parse(path: Path) -> dict:
    """Only pyarrow's CSV parser, on every core: the five columns the project reads, typed as it types them
    (codes 32-bit integers, the value float64), nothing checked, summed, hashed or kept. A bound, not a
    method: no reader built on this parser can be faster."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types = {"t": pa.int32(), "i": pa.int32(), "j": pa.int32(), "k": pa.int32(), "v": pa.float64()}
    options = pacsv.ConvertOptions(column_types=types, include_columns=list(types), strings_can_be_null=False)
    for file in year_files(path):
        pacsv.read_csv(file, convert_options=options)  # read whole: pyarrow parses its blocks on every core
    return {}


def run_read(path: Path) -> dict:
    """No parsing at all: read the files' bytes once. A bound, not a method."""
    for file in year_files(path):
        with open(file, "rb", buffering=0) as fh:
            while fh.read(16 << 20):
                pass
    return {}


METHODS = {
    "baseline": run_baseline,
    "project": run_project,
    "pair_query": run_pair_query,
    "importer_query": run_importer_query,
    "parse": run_parse,
    "read": run_read,
}


def child(method: str, path: Path) -> None:
    """Run one method and print its seconds and result as JSON."""
    import pandas  # noqa: F401  (imports are outside the timing, for every method)
    import pyarrow.csv  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    if method not in ("baseline", "parse", "read"):
        import helpers.official.extracts  # noqa: F401
        import helpers.official.read  # noqa: F401

    if method in ("pair_query", "importer_query"):
        import pycountry  # noqa: F401  (the country names the questions resolve)

    work = METHODS[method]
    started, cpu = time.perf_counter(), time.process_time()
    result = work(path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if method == "project":
        result = summary(path)  # read back outside the timing
    print(json.dumps({"seconds": seconds, "cpu": cpu, "result": result}))


def measure(method: str, path: Path, cache: Path) -> dict:
    """Run ``method`` in a fresh interpreter; return seconds, peak MiB (the child's ru_maxrss) and result."""
    from helpers.config import FLOW_CACHE_ENV

    env = dict(os.environ, **{FLOW_CACHE_ENV: str(cache)})
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", method, "--file", str(path)],
        stdout=subprocess.PIPE,
        env=env,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{method} failed on {path}")
    report = json.loads(out)
    report["peak_mib"] = usage.ru_maxrss / 1024  # Linux: KiB
    return report


def same(a: dict, b: dict) -> bool:
    """Same groups, total and pair chapters (to a relative 1e-9)."""

    def close(x: float, y: float) -> bool:
        return abs(x - y) <= 1e-9 * max(1.0, abs(y))

    return (
        a["groups"] == b["groups"]
        and close(a["total"], b["total"])
        and a["pair"].keys() == b["pair"].keys()
        and all(close(a["pair"][k], b["pair"][k]) for k in a["pair"])
    )


def warm(path: Path) -> None:
    """Read the files once so every method starts with them in the page cache."""
    run_read(path)


def first_pass(path: Path, rows: int, label: str, scratch: Path, repeat: int) -> dict:
    """Baseline and project on one file or release (each in a fresh cache), with the bound; prints rows."""
    warm(path)
    best = {}
    for method in ("baseline", "project", "parse", "read"):
        runs = []
        for n in range(max(1, repeat)):
            cache = scratch / f"cache-{label}-{method}-{n}"
            shutil.rmtree(cache, ignore_errors=True)
            runs.append(measure(method, path, cache))
        best[method] = min(runs, key=lambda r: r["seconds"])
    if not same(best["project"]["result"], best["baseline"]["result"]):
        raise SystemExit(f"the project's extracts and the baseline's table differ for {label}")
    speedup = best["baseline"]["seconds"] / best["project"]["seconds"]
    for method in ("baseline", "project", "parse", "read"):
        r = best[method]
        ratio = speedup if method == "project" else best["baseline"]["seconds"] / r["seconds"]
        print(
            f"{label:>16} {method:<15} {r['seconds']:>8.2f} {r['peak_mib']:>9.0f} {rows / r['seconds']:>12,.0f} "
            f"{ratio:>8.1f} {r['cpu']:>7.2f}",
            flush=True,
        )
    return {"speedup": speedup, "peak_mib": best["project"]["peak_mib"], "seconds": best["project"]["seconds"]}


def later(path: Path, label: str, scratch: Path, repeat: int) -> float:
    """The pair and importer queries from the extracts (built first, outside the timing); the slower, in ms."""
    cache = scratch / f"cache-{label}-later"
    shutil.rmtree(cache, ignore_errors=True)
    measure("project", path, cache)
    slowest = 0.0
    for method in ("pair_query", "importer_query"):
        r = min((measure(method, path, cache) for _ in range(max(1, repeat))), key=lambda r: r["seconds"])
        ms = r["seconds"] * 1000
        slowest = max(slowest, ms)
        print(
            f"{label:>16} {method:<15} {r['seconds']:>8.3f} {r['peak_mib']:>9.0f} {'':>12} {'':>8} {r['cpu']:>7.3f}"
            f"  ({ms:.0f} ms)"
        )
    return slowest


def main(argv: list[str] | None = None) -> int:
    """Run the sizes and the release, print a table and the summary line; 1 when results differ (or goals
    are missed with ``--strict``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows",
        default="1000000,3000000,10000000",
        help="comma-separated row counts of one file (default: %(default)s)",
    )
    parser.add_argument("--release", type=int, default=RELEASE_FILES, help="files of the release run (0: none)")
    parser.add_argument("--seed", type=int, default=20240903, help="seed of the synthetic data (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per method; the fastest counts (default: 1)")
    parser.add_argument("--data", type=Path, help="folder to keep the generated files in (default: a temporary one)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--child", choices=sorted(METHODS), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        base, rows, seed, files = args.generate
        dataset(Path(base), int(rows), int(seed), int(files), generating=True)
        return 0
    if args.child:
        child(args.child, args.file)
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    base = args.data or scratch / "data"
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.rows.split(",") if s.strip()})
        print(f"{'file':>16} {'method':<15} {'seconds':>8} {'peak_mib':>9} {'rows/s':>12} {'speedup':>8} {'cpu_s':>7}")
        load = os.getloadavg()[0]
        print(f"(load average {load:.1f} on {os.cpu_count()} cores; cpu_s: the child's CPU seconds, all threads)")
        results = {}
        for rows in sizes:
            results[rows] = first_pass(dataset(base, rows, args.seed), rows, f"{rows:,} rows", scratch, args.repeat)
        largest = sizes[-1]
        queries = {largest: later(dataset(base, largest, args.seed), f"{largest:,} rows", scratch, args.repeat)}
        if args.release:
            release = dataset(base, RELEASE_ROWS, args.seed, args.release)
            label = f"{args.release}x{RELEASE_ROWS // 1_000_000}M release"
            results["release"] = first_pass(release, args.release * RELEASE_ROWS, label, scratch, args.repeat)
            queries["release"] = later(release, label, scratch, args.repeat)
        if len(sizes) > 1:
            per_row = [results[r]["seconds"] / r * 1e9 for r in sizes]
            print("project ns per row by size: " + ", ".join(f"{r:,}: {p:.0f}" for r, p in zip(sizes, per_row)))
        top = results[largest]
        query_ms = max(queries.values())
        met = (
            top["speedup"] >= GOALS["speedup"] and top["peak_mib"] < GOALS["peak_mib"] and query_ms <= GOALS["query_ms"]
        )
        print(
            f"goals (first pass >= {GOALS['speedup']:g}x the baseline and < {GOALS['peak_mib']:.0f} MiB at "
            f"{largest:,} rows; later questions <= {GOALS['query_ms']:.0f} ms): {'met' if met else 'NOT met'}; "
            "extracts and baseline tables agree"
        )
        print(
            f"rows={largest} first_pass_speedup={top['speedup']:.1f} peak_mib={top['peak_mib']:.0f} "
            f"later_query_ms={query_ms:.0f}"
        )
        return 1 if args.strict and not met else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Time `fundflow import` as a user runs it, against a bare fastexcel read of the same file.

Run by hand (not part of the test suite):

    uv run python benchmarks/bench_import.py --rows 100000          # long and wide, 100k rows
    uv run python benchmarks/bench_import.py --rows 1000000 --runs 2 --no-pandas
    uv run python benchmarks/bench_import.py --guard --runs 4 --before /tmp/before  # guard only

For each generated file (written once into --cache) it runs, as whole processes and round
after round (A B C A B C ...) after one uncounted round:

  - the bare fastexcel read of the sheet into Arrow, in a fresh Python (the baseline);
  - `fundflow import -q FILE --ledger NEW` (start-up, guard, sandboxed read, adapter, checks,
    ledger write, commit), into a fresh ledger each time;
  - DuckDB storing the finance entries that import produced, in a fresh process and ledger:
    the part of an import no reader can save. Read plus store is the floor of any import
    into this ledger.

It prints each one's wall and CPU seconds (min / median) and peak memory, the ratios pair by
pair (min / median / max), and the machine's load before and after: these machines are shared,
so quote the min and compare only figures from the same run. Then, once each: pandas with
openpyxl (the slow way, 100k rows or fewer unless asked) and fundflow's import timed inside a
warm Python (imports excluded), the figure earlier versions of this benchmark reported.

Targets (issue 15): long files import at >= 0.5 of the bare read's speed; wide files at
>= 0.8 of the read+store floor; >= 10x pandas+openpyxl at 100k rows.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Run, Step, interleaved, load_note, measure, run_process, spread

import fundflow
from fundflow.sample import write_synthetic

PY = sys.executable
FUNDFLOW = str(Path(sys.executable).with_name("fundflow"))
READ = "import fastexcel, sys; fastexcel.read_excel(sys.argv[1]).load_sheet(0).to_arrow()"
PANDAS = "import pandas, sys; pandas.read_excel(sys.argv[1], engine='openpyxl')"
# The guard alone and its floor (zipfile inflating and CRC-checking every member in the
# guard's 4 MB steps), each printing the CPU seconds of that work alone, imports excluded.
GUARD = ("import sys, time; from pathlib import Path; from fundflow.ingest.guard import "
         "check_file; t = time.process_time(); r, _ = check_file(Path(sys.argv[1])); "
         "assert r is not None; print(time.process_time() - t)")
INFLATE = ("import sys, time, zipfile; t = time.process_time(); z = zipfile.ZipFile(sys.argv[1])\n"
           "for i in z.infolist():\n    f = z.open(i)\n    while f.read(4 << 20): pass\n"
           "print(time.process_time() - t)")
STORE = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "con.execute('BEGIN')\n"
    "con.execute('INSERT INTO finance_entry SELECT * FROM read_parquet(?)', [sys.argv[2]])\n"
    "con.execute('COMMIT')\n"
    "con.close()"
)


def _file(cache: Path, rows: int, shape: str) -> Path:
    path = cache / f"synthetic_{shape}_{rows}.xlsx"
    if not path.exists():
        write_synthetic(cache, rows=rows, shape=shape, fmt="xlsx")  # type: ignore[arg-type]
    return path


def _fresh(path: Path) -> Path:
    """`path` with no ledger (or DuckDB write-ahead log) left from an earlier run."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    return path


def _importer(path: Path, ledger: Path, rows: int, env: dict[str, str] | None = None) -> Step:
    # A 1M-row wide file has 27M cells, over the default 20M (--max-cells).
    cells = str(max(20_000_000, rows * 30))
    return lambda: run_process([FUNDFLOW, "import", "-q", str(path), "--ledger",
                                str(_fresh(ledger)), "--max-cells", cells], env)


def compiled(package: Path) -> Path:
    """Compile a fundflow source tree's bytecode once, as installing a wheel does (pip and
    uv compile at install): with PYTHONDONTWRITEBYTECODE set, as on the development
    machines, a source checkout would otherwise recompile its ~150 modules in every command
    (about 0.1 s of CPU), which no installed copy does."""
    compileall.compile_dir(str(package), quiet=1)
    return package


def _before_env(src: Path, cache: Path) -> dict[str, str]:
    """Another checkout's code (`--before`, e.g. a `git archive` in /tmp): its `src/` first
    on the path, its bytecode compiled like this tree's, so the two differ only in code."""
    del cache  # kept for the callers' signature
    compiled(src / "src" / "fundflow")
    return {"PYTHONPATH": str(src / "src")}


def _storer(ledger: Path, cache: Path) -> Step:
    """Whole-process DuckDB insert of the entries `ledger` holds, into a copy of an empty
    migrated ledger (copied outside the timing)."""
    import duckdb

    parquet = cache / "entries.parquet"
    empty = cache / "empty.duckdb"
    with duckdb.connect(str(ledger)) as con:
        con.execute(f"COPY finance_entry TO '{parquet}' (FORMAT parquet)")
    _make_empty(empty)
    target = cache / "store.duckdb"

    def step() -> Run:
        shutil.copyfile(empty, _fresh(target))
        return run_process([PY, "-c", STORE, str(target), str(parquet)])

    return step


def _make_empty(empty: Path) -> None:
    """An empty ledger at the current schema, made once."""
    from fundflow.ledger.store import open_ledger

    with open_ledger(_fresh(empty)):
        pass


def _row(label: str, runs: list[Run]) -> str:
    peak = max(r.peak_mb for r in runs)
    return (f"  {label:<32} {spread([r.wall for r in runs]):>13}  "
            f"{spread([r.cpu for r in runs]):>13}  {peak:8.0f}")


def _ratios(label: str, values: list[float], target: str) -> str:
    ordered = sorted(values)
    return (f"  -> {label}, pair by pair: {ordered[0]:.2f} / {statistics.median(ordered):.2f} / "
            f"{ordered[-1]:.2f} (min / median / max; {target})")


def bench(path: Path, rows: int, args: argparse.Namespace) -> None:
    """Interleaved whole-process rounds, then the one-off pandas and warm figures."""
    ledger = args.cache / "bench.duckdb"
    importer = _importer(path, ledger, rows)
    importer()  # leaves the ledger whose entries the store step inserts
    steps = {"read": lambda: run_process([PY, "-c", READ, str(path)]),
             "import": importer, "store": _storer(ledger, args.cache)}
    if args.before:
        steps["before"] = _importer(path, args.cache / "before.duckdb", rows,
                                    _before_env(args.before, args.cache))
    before = load_note()
    found = interleaved(steps, args.runs, args.warmup)
    print(f"{path.name} ({rows:,} rows, {path.stat().st_size / 1e6:.0f} MB); {args.runs} rounds;"
          f" {before} before, {load_note()} after")
    print(f"  {'whole process':<32} {'wall s min/med':>13}  {'cpu s min/med':>13}  {'peak MB':>8}")
    print(_row("fastexcel read (baseline)", found["read"]))
    print(_row("fundflow import", found["import"]))
    print(_row("DuckDB storing the entries", found["store"]))
    pairs = list(zip(found["read"], found["import"], found["store"], strict=True))
    print(_ratios("import speed vs the bare read", [r.wall / i.wall for r, i, _ in pairs],
                  "target >= 0.5 for long files"))
    print(_ratios("import speed vs read + store", [(r.wall + s.wall) / i.wall
                                                   for r, i, s in pairs],
                  "target >= 0.8 for wide files"))
    print(_ratios("CPU of the bare read / CPU of the import", [r.cpu / i.cpu
                                                              for r, i, _ in pairs],
                  "what a busy machine sees"))
    if args.before:
        print(_row(f"import by {args.before.name}", found["before"]))
        print(_ratios(f"{args.before.name}'s import speed vs the bare read",
                      [r.wall / b.wall for r, b in zip(found["read"], found["before"],
                                                       strict=True)], "before"))
        print(_ratios("this import's speed vs before", [b.wall / i.wall for b, i in
                                                         zip(found["before"], found["import"],
                                                             strict=True)], "above 1 is faster"))
        print(_ratios("CPU before / CPU now", [b.cpu / i.cpu for b, i in
                                                zip(found["before"], found["import"],
                                                    strict=True)], "above 1 is less"))
    if not args.no_pandas and rows <= args.pandas_rows:
        pandas = run_process([PY, "-c", PANDAS, str(path)])
        walls = [i.wall for i in found["import"]]
        print(_row("pandas + openpyxl (one run)", [pandas]))
        print(f"  -> pandas+openpyxl / fundflow import: {pandas.wall / min(walls):.1f}x against "
              f"the fastest import, {pandas.wall / statistics.median(walls):.1f}x against the "
              "median (target >= 10x at 100k rows); in CPU seconds "
              f"{pandas.cpu / statistics.median(i.cpu for i in found['import']):.1f}x")
    if not args.no_warm:
        warm = _warm(path, ledger, rows)
        print(f"  fundflow import in a warm Python (imports excluded, one run): {warm:.2f} s")
    _fresh(ledger)


def _warm(path: Path, ledger: Path, rows: int) -> float:
    """The import timed inside a Python that has already imported fundflow."""
    return measure(
        "from pathlib import Path\n"
        "from fundflow.ingest.specs.registry import load_adapters\n"
        "from fundflow.ingest.guard import Limits\n"
        "from fundflow.ingest.importer import import_files\n"
        f"Path({str(ledger)!r}).unlink(missing_ok=True)\n"
        "adapters, _ = load_adapters()",
        f"limits = Limits(max_cells={max(20_000_000, rows * 30)})\n"
        f"r = import_files([Path({str(path)!r})], Path({str(ledger)!r}), adapters, "
        "limits=limits)\n"
        "assert r[0].status == 'added', r[0].issues[:3]",
    ).seconds


def guard_rounds(path: Path, args: argparse.Namespace) -> None:
    """The guard's own CPU seconds against inflating the same members (and `--before`'s
    guard), interleaved round after round: the figure issue 15 item 2 is about."""
    steps: dict[str, list[str]] = {"inflate": [PY, "-c", INFLATE, str(path)],
                                   "guard": [PY, "-c", GUARD, str(path)]}
    envs = {"before": _before_env(args.before, args.cache)} if args.before else {}
    if args.before:
        steps["before"] = steps["guard"]
    found: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.runs):
        for name, argv in steps.items():
            out = subprocess.run(argv, capture_output=True, text=True, check=True,
                                 env={**os.environ, **envs.get(name, {})})
            found[name].append(float(out.stdout.strip().splitlines()[-1]))
    print(f"{path.name}: CPU s of the work alone, min / median of {args.runs} rounds "
          f"({load_note()})")
    for name, values in found.items():
        print(f"  {name:<8} {spread(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--shapes", nargs="*", default=["long", "wide"])
    parser.add_argument("--runs", type=int, default=5, help="Counted rounds (default 5).")
    parser.add_argument("--warmup", type=int, default=1,
                        help="Uncounted rounds first (default 1; 0 for the slow 1M-row files).")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/fundflow-bench"))
    parser.add_argument("--no-pandas", action="store_true", help="Skip the slow pandas run.")
    parser.add_argument("--pandas-rows", type=int, default=100_000,
                        help="Largest file pandas is run on (default 100,000 rows).")
    parser.add_argument("--no-warm", action="store_true", help="Skip the warm in-process run.")
    parser.add_argument("--guard", action="store_true",
                        help="Time only the pre-parse guard against inflating the same zip "
                             "members (CPU seconds, imports excluded).")
    parser.add_argument("--before", type=Path, default=None,
                        help="A checkout of an earlier version (e.g. from `git archive`) whose "
                             "import is timed in the same rounds (its bytecode compiled like this "
                             "tree's).")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    compiled(Path(fundflow.__file__).parent)
    for shape in args.shapes:
        for rows in args.rows:
            path = _file(args.cache, rows, shape)
            if args.guard:
                guard_rounds(path, args)
            else:
                bench(path, rows, args)


if __name__ == "__main__":
    main()

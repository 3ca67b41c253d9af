"""Time a receiving department: collect N partnerships' returns, then its cross-partnership views.

Run by hand (not part of the test suite):

    uv run python benchmarks/bench_collect.py                  # N = 100 and 1,000
    uv run python benchmarks/bench_collect.py --sizes 10000 --steps collect  # the 10,000
    uv run python benchmarks/bench_collect.py --work W --steps compare  # views on W/dept_N.duckdb

The returns are the sample partnership's consolidated return (about 4,800 figures) derived for
N distinct partnerships (`fundflow.sample.department`, cached in --cache; generating them is
timed as step 0). Each step runs in a fresh process, so its peak memory is its own and imports
are not timed:

  (a) the floor: read and validate every return (`Return.model_validate_json`), nothing written;
  (b) `collect_files` into a fresh ledger, as `fundflow collect` runs it (the allocators
      giving freed pages back at once; from 32 files a worker process reading while this
      one writes, `collect.pipeline`): wall time, seconds per return over the first and
      the last tenth of the files (does the cost grow with the ledger?), the CPU of both
      processes, and each one's peak memory;
  (c) `compare` (a Book a block of partnerships at a time, each block's partnerships
      analysed together: `collect.grouped`);
  (d) `export_parquet` of the collected ledger, partitioned by year and partnership.

Targets (issue 14 item 5): 10,000 returns collected in under 10 minutes, each view under 10 s,
memory flat in N. The ratio column compares (b) with (a) measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Measure, measure

GROUP = 50
"""`fundflow.collect.GROUP`, not imported: the benchmark's own imports stay light."""

COLLECT = """
import json, os, resource
from fundflow.cli import MEMORY_BOUND
from fundflow.returns.allocator import return_freed_memory
return_freed_memory(MEMORY_BOUND["collect"])  # as `fundflow collect` runs: before polars, DuckDB
from pathlib import Path
from time import perf_counter
from fundflow.collect import collect_files
from fundflow.ledger.store import open_ledger
files = sorted(Path({folder!r}).glob("*.json"))
times = []
last = [perf_counter()]
cpu = [sum(os.times()[:4]), sum(os.times()[:2])]
def on_file(result):
    now = perf_counter()
    times.append(now - last[0])
    last[0] = now
    assert result.status == "collected", result.issues
"""


def _tenths(times: list[float]) -> tuple[float, float]:
    """Mean seconds a return over the first and the last tenth of the files. Returns are
    written a group at a time (`collect.GROUP`), and a group's time falls on its first
    return, so a tenth is never shorter than a group."""
    tenth = min(max(len(times) // 10, GROUP), len(times)) or 1
    return sum(times[:tenth]) / tenth, sum(times[-tenth:]) / tenth


def _line(label: str, m: Measure, n: int, base: Measure | None = None) -> str:
    ratio = f"{m.seconds / base.seconds:6.2f}x" if base else "   base"
    return (f"  {label:<30} {m.seconds:9.2f} s  {m.seconds / n * 1000:8.1f} ms/return  "
            f"{m.peak_mb:7.0f} MB  {ratio}")


STEPS = ("floor", "collect", "compare", "export")


def run(n: int, cache: Path, work: Path, steps: tuple[str, ...] = STEPS) -> None:
    """Measure the chosen steps for N returns, printing each line as its step ends (a long
    run that fails late still leaves the figures it had)."""
    folder = cache / f"returns_{n}"
    if not folder.exists() or len(list(folder.glob("*.json"))) != n:
        made = measure("from pathlib import Path\nfrom fundflow.sample.department import "
                       "write_returns\nfrom fundflow.returns.jsonout import read_json",
                       f"write_returns(Path({str(folder)!r}), {n}, template=read_json("
                       f"Path({str(cache / 'template.json')!r})))")
        _say(_line("(0) sample --returns (generate)", made, n))
    ledger, times_file = work / f"dept_{n}.duckdb", work / f"times_{n}.json"
    _say(f"N = {n:,} returns")
    floor = None
    if "floor" in steps:
        floor = measure("from pathlib import Path\nfrom fundflow.returns.model import Return",
                        f"for p in Path({str(folder)!r}).glob('*.json'):\n"
                        f"    Return.model_validate_json(p.read_bytes())")
        _say(_line("(a) read + validate (floor)", floor, n))
    if "collect" in steps:
        _collect(n, folder, ledger, times_file, floor)
    elif not ledger.exists():
        _say(f"  no ledger {ledger}: run the collect step first (with --work to keep it)")
        return
    if "compare" in steps:
        compare = measure(
            "from pathlib import Path\nfrom fundflow.collect.views import compare, department\n"
            "from fundflow.ledger.store import open_ledger\nfrom fundflow.mapping.reference "
            "import bundled_reference\nfrom fundflow.returns.scope import parse_period\n"
            "ref = bundled_reference(())",
            f"with open_ledger(Path({str(ledger)!r}), read_only=True) as con:\n"
            f"    rows = compare(department(con, ref, parse_period('2025-26', None, 4))).rows\n"
            f"assert len(rows) == {n}")
        _say(_line("(c) compare (every view's rows)", compare, n))
    if "export" in steps:
        export = measure(
            "from pathlib import Path\nfrom fundflow.export import export_parquet\n"
            "from fundflow.ledger.store import open_ledger",
            f"with open_ledger(Path({str(ledger)!r}), read_only=True) as con:\n"
            f"    export_parquet(con, Path({str(work / f'parquet_{n}')!r}))")
        _say(_line("(d) export --parquet", export, n))


def _collect(n: int, folder: Path, ledger: Path, times_file: Path, floor: Measure | None) -> None:
    """Step (b): collect every return into a fresh ledger, per-return times kept."""
    ledger.unlink(missing_ok=True)
    collect = measure(COLLECT.format(folder=str(folder)),
                      f"with open_ledger(Path({str(ledger)!r})) as con:\n"
                      f"    collect_files(con, files, on_file=on_file)\n"
                      f"Path({str(times_file)!r}).write_text(json.dumps("
                      f"{{'times': times, 'cpu': sum(os.times()[:4]) - cpu[0], "
                      f"'own_cpu': sum(os.times()[:2]) - cpu[1], 'peaks': [resource.getrusage("
                      f"who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, "
                      f"resource.RUSAGE_CHILDREN)]}}))")
    kept = json.loads(times_file.read_text())
    first, last = _tenths(kept["times"])
    _say(_line("(b) collect", collect, n, floor))
    writer, reader = kept.get("peaks", [collect.peak_mb, 0])
    _say(f"      per return: first tenth {first * 1000:.1f} ms, last tenth {last * 1000:.1f} ms"
         f"; CPU {kept['cpu'] / n * 1000:.1f} ms a return (user + system, both processes; "
         f"this one {kept.get('own_cpu', kept['cpu']) / n * 1000:.1f} ms)"
         f"; ledger {ledger.stat().st_size / 2**20:,.0f} MB")
    _say(f"      peak memory: collecting process {writer:,.0f} MB, reading worker {reader:,.0f} MB"
         f" (together at most {writer + reader:,.0f} MB)")


def _say(text: str) -> None:
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="Comma-separated N (returns).")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"Comma-separated steps to run, of {', '.join(STEPS)}.")
    parser.add_argument("--work", type=Path, help="Keep the collected ledgers here (dept_N.duckdb"
                        "), so later runs can time --steps compare,export on them without "
                        "collecting again (default: a temporary folder, removed).")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir())
                        / "fundflow-bench-collect", help="Where generated returns are kept.")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    template = args.cache / "template.json"
    if not template.exists():
        measure("from pathlib import Path\nfrom fundflow.sample.department import "
                "template_return\nfrom fundflow.returns.jsonout import write_json",
                f"write_json(template_return(), Path({str(template)!r}))")
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        for n in (int(s) for s in args.sizes.split(",")):
            run(n, args.cache, args.work, tuple(args.steps.split(",")))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            run(n, args.cache, Path(tmp), tuple(args.steps.split(",")))

if __name__ == "__main__":
    main()

"""Time `fundflow import` end to end against a bare fastexcel read and pandas+openpyxl.

Run by hand (not part of the test suite):

    uv run python benchmarks/bench_import.py                 # 100k and 1M rows, long and wide
    uv run python benchmarks/bench_import.py --rows 100000 --shapes long --no-pandas

For each generated file (written once into --cache) it prints the seconds, rows per second and
peak memory of: the bare fastexcel read of the sheet into Arrow (the baseline), fundflow's whole
import (guard, sandboxed read, adapter, checks, ledger write), and pandas.read_excel with
openpyxl; then the ratios. Targets (issue 3): import at least half as fast as the bare read,
at least 10x faster than pandas+openpyxl, peak memory under 2 GB for 1M rows.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Measure, measure, row

from fundflow.sample import write_synthetic


def _file(cache: Path, rows: int, shape: str) -> Path:
    path = cache / f"synthetic_{shape}_{rows}.xlsx"
    if not path.exists():
        write_synthetic(cache, rows=rows, shape=shape, fmt="xlsx")  # type: ignore[arg-type]
    return path


def bench(path: Path, rows: int, with_pandas: bool) -> None:
    repeats = 3 if rows <= 100_000 else 1  # small runs are noisy: the median of three
    fastexcel = measure(
        "import fastexcel",
        f"fastexcel.read_excel({str(path)!r}).load_sheet(0).to_arrow()",
        repeats,
    )
    ledger = path.with_suffix(".bench.duckdb")
    fundflow = measure(
        "from pathlib import Path\n"
        "from fundflow.adapters.registry import load_adapters\n"
        "from fundflow.guard import Limits\n"
        "from fundflow.importer import import_files\n"
        f"Path({str(ledger)!r}).unlink(missing_ok=True)\n"
        "adapters, _ = load_adapters()",
        # A 1M-row wide file has 27M cells, over the default 20M (--max-cells).
        f"limits = Limits(max_cells={max(20_000_000, rows * 30)})\n"
        f"r = import_files([Path({str(path)!r})], Path({str(ledger)!r}), adapters, "
        "limits=limits)\n"
        "assert r[0].status == 'added', r[0].issues[:3]",
        repeats,
    )
    write = _ledger_write(ledger, repeats)
    ledger.unlink(missing_ok=True)
    print(f"{path.name} ({rows:,} rows, {path.stat().st_size / 1e6:.0f} MB)")
    print(row("fastexcel read (baseline)", fastexcel, rows, None))
    print(row("fundflow import, end to end", fundflow, rows, fastexcel))
    print(row("  of which DuckDB storing entries", write, rows, fastexcel))
    pandas: Measure | None = None
    if with_pandas and importlib.util.find_spec("pandas") is not None:
        pandas = measure("import pandas", f"pandas.read_excel({str(path)!r}, engine='openpyxl')")
        print(row("pandas.read_excel(openpyxl)", pandas, rows, fastexcel))
    speed = fastexcel.seconds / fundflow.seconds
    best = fastexcel.seconds / (fastexcel.seconds + write.seconds)
    verdict = [f"import speed = {speed:.2f} of fastexcel (target >= 0.5; reading the file and "
               f"storing its entries alone would give {best:.2f})"]
    if pandas:
        verdict.append(
            f"{pandas.seconds / fundflow.seconds:.1f}x faster than pandas (target >= 10)"
        )
    verdict.append(f"peak {fundflow.peak_mb:.0f} MB (target < 2048 for 1M rows)")
    print("  -> " + "; ".join(verdict))


def _ledger_write(ledger: Path, repeats: int) -> Measure:
    """DuckDB's own cost of storing the entries the import produced, in a fresh ledger: the
    part of an import no reader or extraction can save (a wide row becomes 24 entries)."""
    parquet = ledger.with_suffix(".entries.parquet")
    import duckdb
    with duckdb.connect(str(ledger)) as con:
        con.execute(f"COPY finance_entry TO '{parquet}' (FORMAT parquet)")
    fresh = ledger.with_suffix(".floor.duckdb")
    fresh.unlink(missing_ok=True)
    seconds = measure(
        "import duckdb\n"
        "from pathlib import Path\n"
        "from fundflow.migrations import migrate\n"
        f"Path({str(fresh)!r}).unlink(missing_ok=True)\n"
        f"con = duckdb.connect({str(fresh)!r})\n"
        "migrate(con)",
        "con.execute('BEGIN')\n"
        f"con.execute(\"INSERT INTO finance_entry SELECT * FROM read_parquet('{parquet}')\")\n"
        "con.execute('COMMIT')\n"
        "con.close()",
        repeats,
    )
    parquet.unlink()
    fresh.unlink(missing_ok=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--shapes", nargs="*", default=["long", "wide"])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/fundflow-bench"))
    parser.add_argument("--no-pandas", action="store_true", help="Skip the slow pandas run.")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    for shape in args.shapes:
        for rows in args.rows:
            bench(_file(args.cache, rows, shape), rows, not args.no_pandas)


if __name__ == "__main__":
    main()

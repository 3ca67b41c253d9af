"""Time the xlsx return's writing in one process, and closing the workbook (`Book.save`) alone.

Run by hand (not part of the test suite), on a pickled `Return` (e.g. the 1M-figure one over
15,000 streams that `bench_return.py --streams 15000` builds the ledger for):

    uv run python benchmarks/bench_xlsx_close.py RETURN.pickle OUT.xlsx

Prints the wall and CPU seconds (this process, all threads) of `write_xlsx` and of the close.
"""

from __future__ import annotations

import pickle
import resource
import sys
import time
from pathlib import Path

from fundflow.returns import xlsx_kit
from fundflow.returns.xlsx import write_xlsx


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ret = pickle.loads(Path(sys.argv[1]).read_bytes())
    out = Path(sys.argv[2])
    spent: dict[str, float] = {}
    save = xlsx_kit.Book.save

    def timed_save(book: xlsx_kit.Book) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        save(book)
        spent["close wall"], spent["close cpu"] = time.perf_counter() - wall, _cpu() - cpu

    xlsx_kit.Book.save = timed_save  # type: ignore[method-assign]
    wall, cpu = time.perf_counter(), _cpu()
    write_xlsx(ret, out)
    spent["write wall"], spent["write cpu"] = time.perf_counter() - wall, _cpu() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("  ".join(f"{k} {v:.2f} s" for k, v in spent.items()) + f"  peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()

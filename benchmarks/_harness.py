"""Shared pieces of the benchmarks: run a step in a fresh process, time it, read its peak memory.

Each measurement runs in its own Python process so that peak memory (ru_maxrss) belongs to that
step alone and imports are excluded from the timing. Ratios compare steps measured in the same
run, on the same machine, one after another, so machine load affects them alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """Median wall time over the repeats and the largest peak memory seen."""

    seconds: float
    peak_mb: float


def measure(setup: str, step: str, repeats: int = 1) -> Measure:
    """Run `setup` (untimed, e.g. imports) then time `step`, in a fresh process per repeat."""
    code = textwrap.dedent(
        """
        import json, resource, time
        {setup}
        t0 = time.perf_counter()
        {step}
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps({{"seconds": seconds, "peak_mb": max(peak, children)}}))
        """
    ).format(setup=setup, step=step)
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=False)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-2000:])
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["seconds"])
    mid = runs[len(runs) // 2]
    return Measure(mid["seconds"], max(r["peak_mb"] for r in runs))


def row(label: str, m: Measure, rows: int, baseline: Measure | None) -> str:
    """One line of the report: time, rows per second, peak memory, ratio to the baseline."""
    ratio = f"{m.seconds / baseline.seconds:6.2f}x" if baseline else "   base"
    return (f"  {label:<34} {m.seconds:8.2f} s  {rows / m.seconds:>12,.0f} rows/s  "
            f"{m.peak_mb:8.0f} MB  {ratio}")

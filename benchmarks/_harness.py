"""Shared pieces of the benchmarks: run a step in a fresh process, time it, read its peak memory.

Two ways to time. `measure` runs a step inside a fresh Python after untimed imports (the warm,
in-process figure: the work alone). `run_process` and `interleaved` time whole commands as a
user runs them, start-up included, from the kernel's accounting of each finished process,
round after round so that ratios compare runs made side by side. Ratios compare steps measured
in the same run, on the same machine, so machine load affects them alike.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
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


# --- whole processes, as a user runs them ----------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One whole process: wall seconds, CPU seconds (user + system, its own children
    included) and peak memory of the largest process in its tree."""

    wall: float
    cpu: float
    peak_mb: float


def run_process(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Start `argv`, wait for it, and read the kernel's own accounting of the finished run.

    `os.wait4` returns the child's resource use including the children it waited for (the
    sandboxed parser), so CPU and peak memory cover everything the command started.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{argv[:4]} exited {proc.returncode}: {err.read()[-2000:]!r}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


Step = Callable[[], Run]


def interleaved(steps: dict[str, Step], runs: int, warmup: int = 1) -> dict[str, list[Run]]:
    """Run every step in turn, round after round (A B C A B C ...), after `warmup` uncounted
    rounds (page cache, bytecode), so a change in the machine's load falls on all of them
    alike and each round gives one pair of ratios."""
    for _ in range(warmup):
        for step in steps.values():
            step()
    found: dict[str, list[Run]] = {name: [] for name in steps}
    for _ in range(runs):
        for name, step in steps.items():
            found[name].append(step())
    return found


def spread(values: list[float]) -> str:
    """`min / median` of a figure, as the report quotes it."""
    ordered = sorted(values)
    return f"{ordered[0]:.2f} / {statistics.median(ordered):.2f}"


def load_note() -> str:
    """The machine's load average and cores, to print beside figures from a shared machine."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"

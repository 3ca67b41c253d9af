"""Time how long fundflow takes to start, as whole processes, against a bare Python.

Run by hand (not part of the test suite):

    uv run python benchmarks/bench_startup.py
    uv run python benchmarks/bench_startup.py --before /tmp/fundflow-before   # an older checkout

It makes a small ledger once (the bundled sample partnership's funding register and returns,
imported into --cache) and then runs, round after round after one uncounted round:
`python -c pass`, `fundflow --help` and `fundflow ledger summary`. Targets (issue 15):
`fundflow --help` under 0.3 s and `fundflow ledger summary` under 0.6 s on a 2-core machine.
`tests/test_startup.py` checks what those commands import; this script measures the time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Run, Step, interleaved, load_note, run_process, spread
from bench_import import FUNDFLOW, PY, _before_env, compiled

import fundflow
from fundflow.sample import write_sample


def _ledger(cache: Path) -> Path:
    """The sample partnership's ledger, imported once."""
    ledger = cache / "startup.duckdb"
    if not ledger.exists():
        sample = cache / "startup-sample"
        write_sample(sample)
        run_process([FUNDFLOW, "import", "-q", str(sample), "--ledger", str(ledger)])
    return ledger


def _steps(ledger: Path, env: dict[str, str] | None, tag: str) -> dict[str, Step]:
    return {
        f"fundflow --help{tag}": lambda: run_process([FUNDFLOW, "--help"], env),
        f"fundflow ledger summary{tag}": lambda: run_process(
            [FUNDFLOW, "ledger", "summary", "--ledger", str(ledger)], env),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="Counted rounds (default 7).")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/fundflow-bench"))
    parser.add_argument("--before", type=Path, default=None,
                        help="A checkout of an earlier version, timed in the same rounds.")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    compiled(Path(fundflow.__file__).parent)
    ledger = _ledger(args.cache)
    steps: dict[str, Step] = {"python -c pass": lambda: run_process([PY, "-c", "pass"])}
    steps |= _steps(ledger, None, "")
    if args.before:
        steps |= _steps(ledger, _before_env(args.before, args.cache), f" ({args.before.name})")
    before = load_note()
    found: dict[str, list[Run]] = interleaved(steps, args.runs)
    print(f"{args.runs} rounds; {before} before, {load_note()} after")
    print(f"  {'whole process':<44} {'wall s min/med':>13}  {'cpu s min/med':>13}")
    for name, runs in found.items():
        print(f"  {name:<44} {spread([r.wall for r in runs]):>13}  "
              f"{spread([r.cpu for r in runs]):>13}")


if __name__ == "__main__":
    main()

"""The whole job on the bundled sample partnership: what `fundflow demo` runs.

It is also the end-to-end check a new user (and the test suite) can run in under a minute:
register first, then every return, then the outputs. The demo ledger is rebuilt from scratch
each time so the demo always shows the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fundflow.adapters.registry import load_adapters
from fundflow.importer import FileResult, expand_paths, import_files
from fundflow.issues import Issue
from fundflow.sample import write_sample


@dataclass
class DemoResult:
    """What the demo did: the ledger, each file's import result and each output written."""

    ledger: Path
    sample_dir: Path
    imports: list[FileResult] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def bundled_sample_dir() -> Path | None:
    """`sample_data/` of a checkout, when there is one."""
    path = Path(__file__).resolve().parents[2] / "sample_data"
    return path if (path / "register").is_dir() else None


def run_demo(
    out_dir: Path,
    *,
    sample_dir: Path | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> DemoResult:
    """Import the sample partnership into a fresh ledger in `out_dir` and write every output."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sample = sample_dir or bundled_sample_dir()
    if sample is None:
        sample = out_dir / "sample_data"
        write_sample(sample)
    ledger = out_dir / "eastbrook.duckdb"
    for stale in (ledger, ledger.with_name(ledger.name + ".wal")):
        stale.unlink(missing_ok=True)
    adapters, issues = load_adapters()
    result = DemoResult(ledger, sample, issues=issues)
    files = expand_paths([sample / "register"]) + expand_paths([sample / "returns"])
    result.imports = import_files(files, ledger, adapters, on_file=on_file)
    return result

"""The whole job on the bundled sample partnership: what `fundflow demo` runs.

It is also the end-to-end check a new user (and the test suite) can run in under a minute:
register first, then every return, then the outputs. The demo ledger is rebuilt from scratch
each time so the demo always shows the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fundflow.analysis import Headline, headline
from fundflow.ingest.importer import FileResult, expand_paths, import_files
from fundflow.ingest.specs.registry import load_adapters
from fundflow.issues import Issue
from fundflow.ledger import read as ledger_read
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import bundled_reference
from fundflow.returns.build import build_return
from fundflow.returns.write import write_return
from fundflow.sample import AS_AT, write_sample

DEMO_YEAR = "2025-26"
DEMO_AS_AT: date = AS_AT
"""The sample partnership's figures run to the end of March 2026."""


@dataclass
class DemoResult:
    """What the demo did: the ledger, each file's import result and each output written."""

    ledger: Path
    sample_dir: Path
    imports: list[FileResult] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    headline: Headline | None = None
    open_issues: int = 0


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
    with open_ledger(ledger, read_only=True) as con:
        reference = bundled_reference()
        result.headline = headline(con, DEMO_YEAR, DEMO_AS_AT, today=DEMO_AS_AT,
                                   reference=reference)
        consolidated = build_return(con, DEMO_YEAR, reference=reference)
        reports = {f: build_return(con, DEMO_YEAR, funder=f, reference=reference)
                   for f in ledger_read.funder_ids(con)}
    result.open_issues = len(consolidated.issues)
    for ext in ("xlsx", "html", "json", "csv"):
        written = write_return(consolidated, out_dir / f"eastbrook-return-{DEMO_YEAR}.{ext}")
        result.outputs[f"Consolidated return ({ext})"] = written.path
    for funder, report in reports.items():
        written = write_return(report, out_dir / "reports" / f"{funder}-{DEMO_YEAR}.xlsx")
        result.outputs[f"Report for {funder}"] = written.path
    return result

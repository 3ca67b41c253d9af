"""Export the ledger as Parquet files, one per table and current view, for analysts' tools.

DuckDB writes Parquet natively and keeps DECIMAL(18,2) as a Parquet decimal, so money stays
exact in pandas, R or Power BI. Files are written to a temporary name and renamed
(`fundflow.outputs.write_atomic`), so a reader never sees half a file.

The current figures are also written as one dataset partitioned by financial year and
partnership (`figures/year=2025-26/partnership=<id>/`, Hive layout): a department's ledger of
thousands of partnerships is then read by DuckDB, polars, Spark or Trino one partition at a
time (docs/scale.md). The dataset is written beside its final name and renamed into place.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from fundflow.collect.slices import blocks, bounds
from fundflow.issues import make_issue
from fundflow.ledger import read as ledger_read
from fundflow.ledger.migrations import applied
from fundflow.ledger.schema import TABLES, VIEWS
from fundflow.ledger.store import EXPORTING, settings
from fundflow.outputs import OutputError, write_atomic


def export_parquet(con: Any, folder: Path) -> list[Path]:
    """Write every ledger table and current view to `folder/<name>.parquet`.

    Raises `OutputError` when a target is not a regular file or cannot be written (read-only
    folder, full disk); files written before the failure stay whole.
    """
    written = []
    done = applied(con)  # a ledger opened read-only may predate a table's migration
    with settings(con, EXPORTING):
        for name in [t.name for t in TABLES if t.since in done] + list(VIEWS):
            target = folder / f"{name}.parquet"
            write_atomic(target, functools.partial(_copy, con, name))
            written.append(target)
        written.append(export_figures(con, folder / FIGURES))
    return written


FIGURES = "figures"
"""The partitioned dataset's folder inside the export folder."""


def export_figures(con: Any, target: Path) -> Path:
    """Write the current figures to `target` partitioned by year and partnership, replacing
    an earlier export whole (a reader sees the old dataset or the new, never half).

    Raises `OutputError` when the folder cannot be written.
    """
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
        try:
            _copy_figures(con, partial)
        except duckdb.IOException as exc:
            raise OSError(errno.EIO, str(exc).splitlines()[0]) from exc
        old = target.with_name(f".{target.name}.{os.getpid()}.old")
        if target.exists():
            target.rename(old)
        partial.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise OutputError(make_issue("output-write-failed", value=str(target),
                                     reason=exc.strerror or str(exc))) from exc
    return target


def _copy_figures(con: Any, folder: Path) -> None:
    """The partitioned dataset, written a block of collected partnerships at a time (then
    the ledger's own returns): memory stays that of one block whatever the department's size.
    Every current entry is written exactly once, or this raises (a bug, not the user's)."""
    written = ledger_read.copy_figures_partitioned(con, folder, "own")
    for n, pids in enumerate(blocks(ledger_read.collected_partnerships(con))):
        low, high = bounds(pids)
        written += ledger_read.copy_figures_partitioned(
            con, folder, str(n), ledger_read.CollectedBlock(tuple(pids), low, high))
    expected = ledger_read.current_entry_count(con)
    if written != expected:
        raise RuntimeError(f"export wrote {written} figures of {expected}")


def _copy(con: Any, name: str, path: Path) -> None:
    """DuckDB's COPY of one table to `path`; its IO errors become `OSError` for the caller."""
    try:
        ledger_read.copy_to_parquet(con, name, path)
    except duckdb.IOException as exc:
        raise OSError(errno.EIO, str(exc).splitlines()[0]) from exc

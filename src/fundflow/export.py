"""Export the ledger as Parquet files, one per table and current view, for analysts' tools.

DuckDB writes Parquet natively and keeps DECIMAL(18,2) as a Parquet decimal, so money stays
exact in pandas, R or Power BI. Files are written to a temporary name and renamed
(`fundflow.outputs.write_atomic`), so a reader never sees half a file.
"""

from __future__ import annotations

import errno
import functools
from pathlib import Path
from typing import Any

import duckdb

from fundflow import ledger_read
from fundflow.outputs import write_atomic
from fundflow.schema import TABLES, VIEWS


def export_parquet(con: Any, folder: Path) -> list[Path]:
    """Write every ledger table and current view to `folder/<name>.parquet`.

    Raises `OutputError` when a target is not a regular file or cannot be written (read-only
    folder, full disk); files written before the failure stay whole.
    """
    written = []
    for name in [t.name for t in TABLES] + list(VIEWS):
        target = folder / f"{name}.parquet"
        write_atomic(target, functools.partial(_copy, con, name))
        written.append(target)
    return written


def _copy(con: Any, name: str, path: Path) -> None:
    """DuckDB's COPY of one table to `path`; its IO errors become `OSError` for the caller."""
    try:
        ledger_read.copy_to_parquet(con, name, path)
    except duckdb.IOException as exc:
        raise OSError(errno.EIO, str(exc).splitlines()[0]) from exc

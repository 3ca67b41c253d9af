"""Export the ledger as Parquet files, one per table and current view, for analysts' tools.

DuckDB writes Parquet natively and keeps DECIMAL(18,2) as a Parquet decimal, so money stays
exact in pandas, R or Power BI. Files are written to a temporary name and renamed, so a
reader never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fundflow import ledger_read
from fundflow.schema import TABLES, VIEWS


def export_parquet(con: Any, folder: Path) -> list[Path]:
    """Write every ledger table and current view to `folder/<name>.parquet`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in [t.name for t in TABLES] + list(VIEWS):
        target = folder / f"{name}.parquet"
        tmp = folder / f".{name}.parquet.tmp"
        ledger_read.copy_to_parquet(con, name, tmp)
        os.replace(tmp, target)
        written.append(target)
    return written

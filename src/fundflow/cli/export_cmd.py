"""`fundflow export`: the ledger as Parquet files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fundflow.cli.common import EXIT_DATA, Context, common_options, emit_json, report_issues, say
from fundflow.export import export_parquet
from fundflow.ledger.store import open_ledger
from fundflow.outputs import OutputError


@click.command("export")
@click.option("--parquet", "folder", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write one Parquet file per table and current view into, and "
                   "the current figures partitioned by year and partnership (figures/).")
@common_options
def export_command(ctx: Context, folder: Path) -> None:
    """Export the ledger's tables and current views as Parquet (money stays exact decimal).

    Beside one file per table and view, `figures/` holds the current figures partitioned by
    financial year and partnership (Hive layout: figures/year=2025-26/partnership=ID/), the
    form DuckDB, polars, Spark and Trino read a department's many partnerships in
    (docs/scale.md).

    \b
    Example:
      fundflow export --parquet ledger_parquet/ --ledger eastbrook.duckdb
      fundflow export --parquet department_parquet/ --ledger department.duckdb
    """
    with open_ledger(ctx.ledger, read_only=True) as con:
        try:
            paths = export_parquet(con, folder)
        except OutputError as exc:
            report_issues(ctx, [exc.issue])
            sys.exit(EXIT_DATA)
    if ctx.json_output:
        emit_json([str(p) for p in paths])
        return
    for path in paths:
        say(ctx, f"wrote {path}")

"""`fundflow import` and `fundflow validate`: bring files into the ledger, or only check them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn

from fundflow.adapters.registry import load_adapters
from fundflow.cli.common import (
    EXIT_DATA,
    Context,
    common_options,
    emit_json,
    report_issues,
    say,
    stderr,
)
from fundflow.importer import FileResult, expand_paths, import_files
from fundflow.issues import has_errors
from fundflow.money import format_gbp

_VERB = {
    "added": "imported", "superseded": "imported (replaces an earlier return)",
    "unchanged": "unchanged (imported before)", "failed": "NOT imported", "checked": "checked",
}


def file_line(result: FileResult) -> str:
    """One line per file: adapter, what happened, counts, control total, problems."""
    counts = f"{result.entries:,} entries, {result.indicators:,} indicators"
    if result.streams:
        counts += f", {result.streams:,} streams"
    total = format_gbp(int(result.total * 100))
    adapter = f" [{result.adapter_id}]" if result.adapter_id else ""
    n_err = sum(1 for i in result.issues if i.severity.value == "error")
    n_warn = sum(1 for i in result.issues if i.severity.value == "warning")
    problems = f"; {n_err} errors, {n_warn} warnings" if n_err or n_warn else ""
    return f"{result.path.name}{adapter}: {_VERB[result.status]}, {counts}, total {total}{problems}"


def _run(ctx: Context, paths: tuple[Path, ...], *, dry_run: bool) -> list[FileResult]:
    adapters, spec_issues = load_adapters(ctx.adapters)
    report_issues(ctx, spec_issues)
    files = expand_paths(paths)
    if not files:
        raise click.UsageError("no spreadsheet files found in the paths given")
    done: list[FileResult] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total}"), console=stderr, disable=ctx.quiet or len(files) < 3,
                  transient=True) as progress:
        task = progress.add_task("Reading files", total=len(files))

        def on_file(result: FileResult) -> None:
            done.append(result)
            progress.advance(task)

        results = import_files(files, ctx.ledger, adapters, dry_run=dry_run, on_file=on_file)
    for result in results:
        report_issues(ctx, result.issues)
        say(ctx, file_line(result))
    return results


def _finish(ctx: Context, results: list[FileResult]) -> None:
    if ctx.json_output:
        emit_json([r.__dict__ for r in results])
    if any(r.status == "failed" or has_errors(r.issues) for r in results):
        sys.exit(EXIT_DATA)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything but write nothing.")
@common_options
def import_command(ctx: Context, paths: tuple[Path, ...], dry_run: bool) -> None:
    """Import funders' spreadsheets (files or folders) into the ledger.

    Each file is written in one transaction: a file with errors changes nothing, the same
    file twice changes nothing, and a corrected return replaces the earlier one for the same
    stream and period (which stays in the history). Exit code 1 when any file had errors.

    \b
    Example:
      fundflow import sample_data/returns/ --ledger eastbrook.duckdb
      fundflow import claim_Q2.xlsx --adapters my_adapters/ --dry-run
    """
    _finish(ctx, _run(ctx, paths, dry_run=dry_run))


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@common_options
def validate_command(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Check spreadsheets without writing anything: every problem with its cell.

    Each issue names its code, severity, file, sheet and cell, the value found, what was
    expected and what to do (codes: docs/issues.md).

    \b
    Example:
      fundflow validate returns/LPF_Q2_2025-26.xlsx
      fundflow validate returns/ --json > issues.json
    """
    _finish(ctx, _run(ctx, paths, dry_run=True))

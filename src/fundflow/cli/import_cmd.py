"""`fundflow import` and `fundflow validate`: bring files into the ledger, or only check them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

from fundflow.adapters.registry import load_adapters
from fundflow.cli.common import (
    EXIT_DATA,
    Context,
    common_options,
    emit_json,
    limit_options,
    report_issues,
    say,
    stderr,
)
from fundflow.guard import Limits
from fundflow.importer import FileResult, expand_paths, import_files
from fundflow.issues import has_errors
from fundflow.money import format_gbp
from fundflow.readers import read_workbook

_VERB = {
    "added": "imported", "superseded": "imported (replaces an earlier return)",
    "unchanged": "unchanged (imported before)", "failed": "NOT imported", "checked": "checked",
}


def file_line(result: FileResult) -> str:
    """One line per file: adapter, what happened, counts, control total, problems."""
    counts = f"{_count(result.entries, 'entry', 'entries')}, " \
        f"{_count(result.indicators, 'indicator')}"
    if result.streams:
        counts += f", {_count(result.streams, 'stream')}"
    total = format_gbp(int(result.total * 100))
    adapter = f" [{result.adapter_id}]" if result.adapter_id else ""
    n_err = sum(1 for i in result.issues if i.severity.value == "error")
    n_warn = sum(1 for i in result.issues if i.severity.value == "warning")
    problems = (f"; {_count(n_err, 'error')}, {_count(n_warn, 'warning')}"
                if n_err or n_warn else "")
    return f"{result.path.name}{adapter}: {_VERB[result.status]}, {counts}, total {total}{problems}"


def _count(n: int, one: str, many: str | None = None) -> str:
    """'1 error', '2 errors', '1,234 entries'."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _run(ctx: Context, paths: tuple[Path, ...], *, dry_run: bool,
         limits: Limits) -> list[FileResult]:
    adapters, spec_issues = load_adapters(ctx.adapters)
    report_issues(ctx, spec_issues)
    files = expand_paths(paths)
    if not files:
        raise click.UsageError("no spreadsheet files found in the paths given")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} files"), console=stderr,
                  disable=ctx.quiet or not stderr.is_terminal, transient=True) as progress:
        task = progress.add_task("Reading files", total=len(files))

        def on_step(path: Path, step: str, records: int) -> None:
            what = {"reading": "reading", "checking": f"{records:,} records checked",
                    "saving": f"saving {records:,} records"}[step]
            progress.update(task, description=f"{path.name}: {what}")

        results = import_files(files, ctx.ledger, adapters, dry_run=dry_run, limits=limits,
                               on_file=lambda _: progress.advance(task), on_step=on_step)
    for result in results:
        report_issues(ctx, result.issues)
        say(ctx, file_line(result))
    return results


def annotate_file(result: FileResult, out_dir: Path) -> Path | None:
    """The annotated copy of one checked file; files the guard refused are not opened again."""
    refused = {"file-empty", "file-not-spreadsheet", "file-encrypted", "file-strict-ooxml",
               "file-corrupt", "zip-bomb", "zip-unsafe-name", "xml-doctype", "sheet-too-large",
               "limit-exceeded", "parser-crashed", "parser-failed", "file-legacy-xls"}
    if any(i.code in refused for i in result.issues):
        return None
    grid = None
    if result.path.suffix.lower() not in (".xlsx", ".xlsm"):
        grid, _ = read_workbook(result.path)
    # openpyxl (0.3 s to import) loads only when a copy is written
    from fundflow.annotate import annotate  # noqa: PLC0415

    return annotate(result.path, result.issues, out_dir, grid)


def _finish(ctx: Context, results: list[FileResult]) -> None:
    if ctx.json_output:
        emit_json([r.__dict__ for r in results])
    if any(r.status == "failed" or has_errors(r.issues) for r in results):
        sys.exit(EXIT_DATA)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything but write nothing.")
@limit_options
@common_options
def import_command(ctx: Context, paths: tuple[Path, ...], dry_run: bool, limits: Limits) -> None:
    """Import funders' spreadsheets (files or folders) into the ledger.

    Each file is written in one transaction: a file with errors changes nothing, the same
    file twice changes nothing, and a corrected return replaces the earlier one for the same
    stream and period (which stays in the history). Exit code 1 when any file had errors.

    \b
    Example:
      fundflow import sample_data/returns/ --ledger eastbrook.duckdb
      fundflow import claim_Q2.xlsx --adapters my_adapters/ --dry-run
    """
    _finish(ctx, _run(ctx, paths, dry_run=dry_run, limits=limits))


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write a copy of each file with problem cells highlighted "
              "and commented, plus an Issues sheet, into this folder.")
@limit_options
@common_options
def validate_command(ctx: Context, paths: tuple[Path, ...], annotate_dir: Path | None,
                     limits: Limits) -> None:
    """Check spreadsheets without writing anything: every problem with its cell.

    Each issue names its code, severity, file, sheet and cell, the value found, what was
    expected and what to do (codes: docs/issues.md). With --annotate, each file is copied
    with its problem cells coloured (red error, amber warning, blue note) and commented, so
    it can be fixed where it is worked on; the original is never changed.

    \b
    Example:
      fundflow validate returns/LPF_Q2_2025-26.xlsx
      fundflow validate returns/ --annotate checked/
      fundflow validate returns/ --json > issues.json
    """
    results = _run(ctx, paths, dry_run=True, limits=limits)
    if annotate_dir is not None:
        for result in results:
            if result.path.is_file() and result.issues:
                written = annotate_file(result, annotate_dir)
                if written is not None:
                    say(ctx, f"annotated copy: {written}")
    _finish(ctx, results)

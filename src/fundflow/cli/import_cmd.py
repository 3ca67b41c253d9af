"""`fundflow import` and `fundflow validate`: bring files into the ledger, or only check them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn

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
from fundflow.cli.render import IssueView, count, plain
from fundflow.ingest.guard import Limits
from fundflow.ingest.inputs import expand_paths
from fundflow.ingest.readers import abandon_early, read_workbook, start_early
from fundflow.ingest.spool import sweep_temporaries
from fundflow.issues import has_errors, make_issue
from fundflow.money import format_pounds

if TYPE_CHECKING:
    from fundflow.ingest.importer import FileResult

_VERB = {
    "added": "imported", "superseded": "imported (replaces an earlier return)",
    "unchanged": "unchanged (imported before)", "failed": "not imported", "checked": "checked",
}


def file_line(result: FileResult, *, checking: bool = False) -> str:
    """One line per file: adapter, what happened, counts, control total, problems.

    When only checking (`validate`, `--dry-run`) a failed file "has errors": nothing was
    going to be imported, so "not imported" would say something that was never intended."""
    counts = f"{count(result.entries, 'entry', 'entries')}, " \
        f"{count(result.indicators, 'indicator')}"
    if result.streams:
        counts += f", {count(result.streams, 'stream')}"
    total = format_pounds(result.total)
    adapter = f" [{result.adapter_id}]" if result.adapter_id else ""
    n_err = sum(1 for i in result.issues if i.severity.value == "error")
    n_warn = sum(1 for i in result.issues if i.severity.value == "warning")
    problems = (f"; {count(n_err, 'error')}, {count(n_warn, 'warning')}"
                if n_err or n_warn else "")
    verb = "has errors" if checking and result.status == "failed" else _VERB[result.status]
    if result.supersedes and result.submission_id and (
            result.submission_id[:20] == result.supersedes[:20]):  # sub-<sha16>: same bytes
        verb = "read again (replaces the earlier reading of this file)"
    return f"{result.path.name}{adapter}: {verb}, {counts}, total {total}{problems}"


def summary_line(results: list[FileResult], view: IssueView, *, checking: bool = False) -> str:
    """The end of a run in one line: files by outcome, issues by severity, money read."""
    outcomes: dict[str, int] = {}
    for result in results:
        failed = checking and result.status == "failed"
        word = "with errors" if failed else _VERB[result.status].split(" (")[0]
        outcomes[word] = outcomes.get(word, 0) + 1
    done = ", ".join(f"{n:,} {word}" for word, n in outcomes.items())
    total = sum((r.total for r in results if r.status != "failed"), start=Decimal(0))
    return (f"{count(len(results), 'file')}: {done}; {view.total()}; "
            f"total {format_pounds(total)} read.")


_MORE = ("--json lists every issue, and `fundflow validate FILES --annotate DIR` marks them "
         "in a copy of each file")


def _run(ctx: Context, paths: tuple[Path, ...], *, dry_run: bool,
         limits: Limits, reread: bool = False) -> list[FileResult]:
    """Start parsing the first file, then load what the import needs while it parses.

    This module imports neither polars, the adapters nor the importer at its top, so the
    sandboxed parse of the first workbook starts about 0.4 s earlier, beside those imports,
    the adapters' loading and the ledger's opening (`readers.start_early`; the file is
    guarded before anything read from it is used)."""
    sweep_temporaries()
    files = expand_paths(paths)
    if files:
        start_early(files[0], limits)
    try:
        return _check_or_import(ctx, files, dry_run=dry_run, limits=limits, reread=reread)
    finally:
        abandon_early()


def _check_or_import(ctx: Context, files: list[Path], *, dry_run: bool,
                     limits: Limits, reread: bool) -> list[FileResult]:
    from fundflow.ingest.importer import import_files  # noqa: PLC0415
    from fundflow.ingest.specs.registry import load_adapters  # noqa: PLC0415 - see _run

    adapters, spec_issues = load_adapters(ctx.adapters, include_examples=ctx.examples)
    report_issues(ctx, spec_issues)
    if not files:
        raise click.UsageError("no spreadsheet files found in the paths given")
    view = IssueView(stderr, quiet=ctx.quiet)
    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                  TextColumn("{task.completed}/{task.total} files"), console=stderr,
                  disable=ctx.quiet or not stderr.is_terminal, transient=True) as progress:
        task = progress.add_task("Reading files", total=len(files))

        def on_step(path: Path, step: str, records: int) -> None:
            what = {"reading": "reading", "checking": f"{records:,} records checked",
                    "saving": f"saving {records:,} records"}[step]
            progress.update(task, description=plain(f"{path.name}: {what}"))

        results = import_files(files, ctx.ledger, adapters, dry_run=dry_run, limits=limits,
                               on_file=lambda _: progress.advance(task), on_step=on_step,
                               debug=ctx.debug, reread=reread)
    for result in results:
        view.show(result.issues)
        say(ctx, file_line(result, checking=dry_run))
    view.close(_MORE)
    if len(results) > 1 or view.seen:
        say(ctx, summary_line(results, view, checking=dry_run))
    return results


def annotate_file(result: FileResult, out_dir: Path, taken: set[Path], limits: Limits,
                  on_bytes: Callable[[int, int], None] | None = None) -> Path | None:
    """The annotated copy of one checked file; files the guard refused are not opened again.

    `taken` holds the copies this run wrote, so inputs of one name get distinct copies."""
    refused = {"file-empty", "file-not-spreadsheet", "file-encrypted", "file-strict-ooxml",
               "file-corrupt", "zip-bomb", "zip-unsafe-name", "xml-doctype", "sheet-too-large",
               "limit-exceeded", "parser-crashed", "parser-failed", "file-legacy-xls"}
    if any(i.code in refused for i in result.issues):
        return None
    grid = None
    if result.path.suffix.lower() not in (".xlsx", ".xlsm"):
        grid, _ = read_workbook(result.path, limits=limits)
    # the annotating modules load only when a copy is written
    from fundflow.annotate.workbook import AnnotateRefused, annotate  # noqa: PLC0415

    try:
        return annotate(result.path, result.issues, out_dir, grid, limits=limits, taken=taken,
                        progress=on_bytes)
    except AnnotateRefused as exc:
        result.issues.append(make_issue("annotate-refused", file=result.path.name,
                                        reason=str(exc)))
        return None


def _annotate_all(ctx: Context, results: list[FileResult], out_dir: Path,
                  limits: Limits) -> None:
    """Write the annotated copies, with a progress bar over each file's bytes."""
    taken: set[Path] = set()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  console=stderr, disable=ctx.quiet or not stderr.is_terminal,
                  transient=True) as progress:
        for result in results:
            if not (result.path.is_file() and result.issues):
                continue
            task = progress.add_task(f"Annotating {result.path.name}", total=None)

            def on_bytes(done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total)

            written = annotate_file(result, out_dir, taken, limits, on_bytes)
            progress.remove_task(task)
            if written is not None:
                say(ctx, f"annotated copy: {written}")
            else:
                report_issues(ctx, [i for i in result.issues if i.code == "annotate-refused"])


def _finish(ctx: Context, results: list[FileResult]) -> None:
    if ctx.json_output:
        emit_json([r.__dict__ for r in results])
    if any(r.status == "failed" or has_errors(r.issues) for r in results):
        sys.exit(EXIT_DATA)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything but write nothing.")
@click.option("--reread", is_flag=True, help="Read files imported before again (after "
              "fixing an adapter without changing its version); each new reading replaces "
              "the old one, which stays in the history.")
@limit_options
@common_options
def import_command(ctx: Context, paths: tuple[Path, ...], dry_run: bool, reread: bool,
                   limits: Limits) -> None:
    """Import funders' spreadsheets (files or folders) into the ledger.

    Each file is written in one transaction: a file with errors changes nothing, the same
    file twice changes nothing, and a corrected return replaces the earlier one for the same
    stream and period (which stays in the history). A file imported before is read again
    when its adapter's version changed (or with --reread), replacing the earlier reading.
    Exit code 1 when any file had errors.

    \b
    Example:
      fundflow import sample_data/returns/ --ledger eastbrook.duckdb
      fundflow import claim_Q2.xlsx --adapters my_adapters/ --dry-run
    """
    _finish(ctx, _run(ctx, paths, dry_run=dry_run, limits=limits, reread=reread))


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write a copy of each file into this folder with problem cells "
              "coloured and commented and an Issues sheet at the end; everything else of the "
              "workbook is kept as it was. CSV and ODS files get an .xlsx copy.")
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
        _annotate_all(ctx, results, annotate_dir, limits)
    _finish(ctx, results)

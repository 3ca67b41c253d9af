"""`fundflow collect`: a receiving department gathers partnerships' returns in one ledger."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

from fundflow.cli.common import EXIT_DATA, Context, common_options, emit_json, say, stderr
from fundflow.cli.render import IssueView, count, plain
from fundflow.collect import Collected, collect_files, expand_paths, outcomes
from fundflow.issues import has_errors
from fundflow.ledger.store import open_ledger
from fundflow.money import format_pounds

LINES = 50
"""Up to this many files, each gets its line; past it only refused files do (the rest are
counted in the summary and listed by `--json`)."""


@click.command("collect")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@common_options
def collect_command(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Collect partnerships' consolidated returns (.json, or the Data .csv) into one ledger.

    PATHS are files or folders (a folder's .json and .csv files). Each return is checked
    first: a file cut short, of an unknown version, edited after it was written (its hash
    does not match) or not reconciling is refused and changes nothing; the others are still
    collected. Each partnership's streams, funders and figures are kept under its own id, so
    two partnerships never merge. The same file twice changes nothing; a later return from
    the same partnership for the same period replaces the earlier one, which stays in the
    history. The run ends with how many were collected, unchanged, replaced and refused.
    From 32 returns on, a second process reads and checks the files while this one writes
    them, so a large run uses two cores.

    \b
    Example:
      fundflow collect returns_received/ --ledger department.duckdb
      fundflow compare --year 2025-26 --out compare.xlsx --ledger department.duckdb
      fundflow analyse ring-fencing --by partnership --ledger department.duckdb
    """
    files = expand_paths(paths)
    if not files:
        raise click.UsageError("no .json or .csv returns found in the paths given")
    view = IssueView(stderr, quiet=ctx.quiet)
    with open_ledger(ctx.ledger) as con, Progress(
            SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
            TextColumn("{task.completed}/{task.total} returns"), console=stderr,
            disable=ctx.quiet or not stderr.is_terminal, transient=True) as progress:
        task = progress.add_task("Collecting", total=len(files))

        def on_file(result: Collected) -> None:
            progress.update(task, advance=1, description=plain(result.path.name))
            if len(files) <= LINES or result.status == "refused":
                say(ctx, _line(result))
            view.show(result.issues)

        results = collect_files(con, files, on_file=on_file)
    view.close("--json lists every issue")
    tally = outcomes(results)
    written = [r for r in results if r.status in ("collected", "replaced")]
    money = sum((r.total for r in written), Decimal("0.00"))
    say(ctx, f"{count(len(results), 'return')}: "
             + ", ".join(f"{n:,} {name}" for name, n in tally.items())
             + f"; {view.total()}; {count(sum(r.entries for r in written), 'figure')} "
             f"written, {format_pounds(money)}.")
    if ctx.json_output:
        emit_json([r.__dict__ for r in results])
    if tally["refused"] or any(has_errors(r.issues) for r in results):
        sys.exit(EXIT_DATA)


def _line(result: Collected) -> str:
    """One line per file: outcome, whose return and period, figures and total."""
    who = f"{result.partnership or '?'} {result.period or ''}".strip()
    if result.status == "refused":
        return plain(f"{result.path.name}: refused")
    return plain(f"{result.path.name}: {result.status}, {who}, {result.entries:,} figures, "
                 f"total {format_pounds(result.total)}")

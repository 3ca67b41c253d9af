"""`fundflow collect`: a receiving department gathers partnerships' returns in one ledger."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from fundflow.cli.common import EXIT_DATA, Context, common_options, emit_json, say, stderr
from fundflow.cli.render import IssueView, count
from fundflow.collect import collect_file
from fundflow.issues import has_errors
from fundflow.ledger import open_ledger
from fundflow.money import format_pounds


@click.command("collect")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@common_options
def collect_command(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Collect partnerships' consolidated returns (.json, or the Data .csv) into one ledger.

    Each return becomes one submission; a corrected return from the same partnership for the
    same period replaces the earlier one. Then `fundflow analyse` and `fundflow ledger
    summary` work across every partnership collected.

    \b
    Example:
      fundflow collect returns_received/*.json --ledger department.duckdb
      fundflow analyse ring-fencing --ledger department.duckdb
    """
    files = [p for path in paths for p in (sorted(path.glob("*.json")) + sorted(
        path.glob("*.csv")) if path.is_dir() else [path])]
    results = []
    view = IssueView(stderr, quiet=ctx.quiet)
    with open_ledger(ctx.ledger) as con:
        for path in files:
            result = collect_file(con, path)
            results.append(result)
            view.show(result.issues)
            say(ctx, f"{path.name}: {result.status}, {result.partnership or '?'} "
                     f"{result.period or ''}, {result.entries:,} figures, "
                     f"total {format_pounds(result.total)}")
    view.close("--json lists every issue")
    statuses = Counter(r.status for r in results)
    say(ctx, f"{count(len(results), 'return')}: "
             + ", ".join(f"{n:,} {status}" for status, n in statuses.items())
             + f"; {view.total()}; {count(sum(r.entries for r in results), 'figure')}.")
    if ctx.json_output:
        emit_json([r.__dict__ for r in results])
    if any(r.status == "failed" or has_errors(r.issues) for r in results):
        sys.exit(EXIT_DATA)

"""`fundflow demo`: the whole job on the bundled sample partnership."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import click

from fundflow.analysis import Headline
from fundflow.analysis.burden import change_of
from fundflow.cli.common import (
    EXIT_DATA,
    Context,
    common_options,
    emit_json,
    report_issues,
    say,
    stderr,
    stdout,
)
from fundflow.cli.import_cmd import file_line, summary_line
from fundflow.cli.render import IssueView
from fundflow.demo import run_demo
from fundflow.ingest.importer import FileResult
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import bundled_reference
from fundflow.money import format_pounds
from fundflow.outputs import OutputError
from fundflow.summary import summarise


@click.command("demo")
@click.option("--out", "out_dir", default=Path("fundflow-demo"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo ledger and outputs.")
@common_options
def demo_command(ctx: Context, out_dir: Path) -> None:
    """Run the whole job on the bundled sample partnership.

    Imports the funding register and every funder's return into a fresh ledger, then writes
    the consolidated return, each funder's report and the analyses, and prints where each
    file is. Takes well under a minute.

    \b
    Example:
      fundflow demo
      fundflow demo --out /tmp/eastbrook
    """
    view = IssueView(stderr, quiet=ctx.quiet)

    def on_file(file: FileResult) -> None:
        view.show(file.issues)
        say(ctx, file_line(file))

    try:
        result = run_demo(out_dir, on_file=on_file)
    except OutputError as exc:
        report_issues(ctx, [exc.issue])
        sys.exit(EXIT_DATA)
    view.close("`fundflow validate sample_data/returns/ --json` lists every one")
    say(ctx, summary_line(result.imports, view))
    report_issues(ctx, result.issues)
    with open_ledger(result.ledger, read_only=True) as con:
        summary = summarise(con, bundled_reference())
    if ctx.json_output:
        emit_json({"ledger": result.ledger, "outputs": result.outputs, "summary": summary,
                   "headline": result.headline,
                   "files": [{"file": r.path.name, "status": r.status, "adapter": r.adapter_id,
                              "entries": r.entries, "total": r.total} for r in result.imports]})
        return
    stdout.print(f"\nLedger: {result.ledger}  ({summary.streams} streams, "
                 f"{summary.submissions_current} current returns, "
                 f"{summary.finance_entries:,} finance entries, "
                 f"{summary.indicator_values:,} indicator values)")
    for name, path in result.outputs.items():
        stdout.print(f"{name}: {path}")
    if result.headline is not None:
        stdout.print(headline_text(result.headline))
    stdout.print(f"\nThe return lists {result.open_issues} open issues. To work with the "
                 f"demo's ledger, name it:\n  fundflow ledger summary --ledger {result.ledger}"
                 f"\n  fundflow analyse ring-fencing --ledger {result.ledger}")


def headline_text(h: Headline) -> str:
    """The headline figures in the words a finance officer would use."""
    def pct(x: Decimal | None) -> str:
        return "n/a" if x is None else f"{x * 100:.1f}%"

    gbp = format_pounds

    lines = [
        f"\nThe partnership in {h.year}, as at {h.as_at:%d %B %Y} "
        f"({h.streams} streams live in the year, {gbp(h.award)} awarded to them):",
        f"  Ring-fenced share of funding:   {pct(h.ring_fenced_share)}",
        f"  Short-term (12 months or less): {pct(h.short_term_share)}",
    ]
    for edge in h.cliff_edge:
        streams = f"{edge.streams} stream" + ("" if edge.streams == 1 else "s")
        lines.append(f"  Ending within {edge.horizon_months:>2} months:       "
                     f"{gbp(edge.award)} in {streams} "
                     f"({edge.no_successor_streams} with no successor)")
    lines += [
        f"  Ring-fenced money unspent:      {gbp(h.unspent_ring_fenced)}",
        f"  Returns asked for per year:     {h.returns_per_year}",
        f"  Reporting hours per year:       {h.hours_before:,.2f} now, "
        f"{h.hours_after:,.2f} with one consolidated return "
        f"({_saving(h.hours_saved)})",
    ]
    return "\n".join(lines)


def _saving(hours: Decimal) -> str:
    """A consolidated return can cost more than one annual return: say so, never 'saves -22'.
    Hours keep their two places, as on the return's Analysis sheet: rounded to whole hours,
    358 now and 70 after read as a saving of 288 where the exact figures give 287."""
    change = change_of(hours, Decimal(0))
    return f"saves {change.hours:,.2f}" if change.saves else f"{change.hours:,.2f} more"

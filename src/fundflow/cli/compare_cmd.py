"""`fundflow compare`: a receiving department's partnerships side by side, from collected returns.

Also renders `fundflow analyse ... --by partnership` (`render_by_partnership`): the same rows,
the columns of one analysis, so the two never disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fundflow.cli.common import EXIT_DATA, Context, common_options, emit_json, say, stdout
from fundflow.cli.render import Column, DataTable, plain
from fundflow.collect.compare_out import write_comparison
from fundflow.collect.views import Comparison, PartnershipRow, compare, department
from fundflow.issues import make_issue
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import Reference, ReferenceDataError, bundled_reference
from fundflow.money import format_pounds
from fundflow.outputs import OutputError
from fundflow.returns.scope import parse_period


def comparison(ctx: Context, reference: Reference, year: str) -> Comparison:
    """The comparison for a year from the department's ledger (opened read-only)."""
    with open_ledger(ctx.ledger, read_only=True) as con:
        return compare(department(con, reference, parse_period(year, None, 4)))


@click.command("compare")
@click.option("--year", required=True, help="UK financial year, e.g. 2025-26.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the comparison here: .xlsx (a table and charts) or .html.")
@common_options
def compare_command(ctx: Context, year: str, out: Path | None) -> None:
    """Compare the partnerships collected in a department's ledger, one row each.

    Each row is drawn from the partnership's own figures with its own return's analyses:
    funding, ring-fenced and short-term shares, the award ending within 3, 6 and 12 months,
    unspent ring-fenced money and clawback exposure, eligibility breaches, returns a year and
    reporting hours, with each partnership's rank by funding and the totals. The workbook
    and page add charts of how the partnerships are spread.

    \b
    Example:
      fundflow collect returns_received/ --ledger department.duckdb
      fundflow compare --year 2025-26 --out compare.xlsx --ledger department.duckdb
    """
    try:
        reference = bundled_reference(())
        result = comparison(ctx, reference, year)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--year") from exc
    except ReferenceDataError as exc:  # pragma: no cover - the bundled data is tested
        raise click.ClickException(str(exc)) from exc
    if ctx.json_output:
        emit_json(result)
    elif out is None:
        render_by_partnership("all", result)
    if not result.rows:
        say(ctx, plain(make_issue("compare-empty", value=year).message))
        sys.exit(EXIT_DATA)
    if out is not None:
        try:
            write_comparison(result, out)
        except OutputError as exc:
            say(ctx, plain(exc.issue.message))
            sys.exit(EXIT_DATA)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--out") from exc
        say(ctx, plain(f"Wrote {out} ({len(result.rows):,} partnerships)."))


_VIEWS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "ring-fencing": (("Funding", "funding", "money"), ("Ring-fenced", "ring_fenced", "money"),
                     ("Share", "ring_fenced_share", "pct"),
                     ("Unspent ring-fenced", "unspent_ring_fenced", "money"),
                     ("Clawback exposure", "clawback_exposure", "money"),
                     ("Breaches", "breaches", "int")),
    "cycles": (("Funding", "funding", "money"), ("Short-term", "short_term", "money"),
               ("Share", "short_term_share", "pct"), ("Ending ≤3m", "cliff_3", "money"),
               ("Ending ≤6m", "cliff_6", "money"), ("Ending ≤12m", "cliff_12", "money")),
    "burden": (("Streams", "streams", "int"), ("Returns a year", "returns_per_year", "int"),
               ("Hours a year", "hours", "num")),
    "all": (("Funding", "funding", "money"), ("Ring-fenced", "ring_fenced_share", "pct"),
            ("Short-term", "short_term_share", "pct"), ("Ending ≤12m", "cliff_12", "money"),
            ("Clawback exposure", "clawback_exposure", "money"), ("Breaches", "breaches", "int"),
            ("Returns", "returns_per_year", "int"), ("Hours", "hours", "num")),
}
"""The columns each view shows, after rank and partnership."""


def render_by_partnership(view: str, result: Comparison) -> None:
    """One analysis' figures per partnership as a table on stdout, totals last."""
    columns = _VIEWS[view]
    table = DataTable(Column("Rank", "number"), Column("Partnership"),
                      *(Column(title, "money" if kind == "money" else "number")
                        for title, _, kind in columns),
                      title=f"{result.year} by partnership (as at {result.as_at})")
    for row in [*result.rows, result.totals]:
        table.add_row(str(row.rank or ""), row.partnership,
                      *(_shown(row, field, kind) for _, field, kind in columns))
    table.print(stdout)


def _shown(row: PartnershipRow, field: str, kind: str) -> str:
    value = getattr(row, field)
    if value is None:
        return "n/a"
    if kind == "money":
        return format_pounds(value)
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "int":
        return f"{value:,}"
    return str(value)

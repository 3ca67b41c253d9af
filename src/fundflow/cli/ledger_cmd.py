"""`fundflow ledger ...`: look inside a ledger."""

from __future__ import annotations

import click

from fundflow.cli.common import Context, common_options, emit_json, stdout
from fundflow.cli.render import Column, DataTable
from fundflow.cli.schemas_opt import schemas_option
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import Reference
from fundflow.money import format_pounds
from fundflow.summary import summarise


@click.group("ledger")
def ledger_group() -> None:
    """Look inside a ledger."""


@ledger_group.command("summary")
@common_options
@schemas_option
def summary(ctx: Context, reference: Reference) -> None:
    """Streams, submissions and totals by funder and measure.

    Only current submissions count; corrected returns replace the ones they supersede.

    \b
    Example:
      fundflow ledger summary --ledger eastbrook.duckdb
      fundflow ledger summary --json
      fundflow ledger summary --schemas my_schemas/
    """
    with open_ledger(ctx.ledger, read_only=True) as con:
        result = summarise(con, reference)
    if ctx.json_output:
        emit_json(result)
        return
    stdout.print(
        f"{result.funders} funders, {result.streams} streams, "
        f"{result.submissions_current} current submissions "
        f"({result.submissions_superseded} superseded), {result.finance_entries} finance entries, "
        f"{result.indicator_values} indicator values, {result.issues} issues kept"
    )
    table = DataTable(Column("Funder", "id"), Column("Measure"), Column("State"),
                      Column("Basis"), Column("Entries", "number"), Column("Amount", "money"),
                      title="Totals")
    for t in result.totals:
        table.add_row(
            t.funder_id, t.measure, t.state, t.basis, f"{t.entries:,}",
            format_pounds(t.amount),
        )
    table.print(stdout)

"""`fundflow analyse ring-fencing | cycles | burden`: the analyses of design §6 as tables.

Each command builds the window from `--year` and `--as-at`, calls one library function and
renders its report; `--json` writes exactly that report. Definitions: docs/analysis.md.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from fundflow.analysis.burden import BurdenReport, change_of, load_burden_config
from fundflow.analysis.common import Window, make_window
from fundflow.analysis.cycles import CyclesReport
from fundflow.analysis.headline import analyse_burden, analyse_cycles, analyse_ring_fencing
from fundflow.analysis.ringfence import RingFencingReport
from fundflow.cli.common import (
    EXIT_DATA,
    Context,
    common_options,
    emit_json,
    report_issues,
    stdout,
)
from fundflow.cli.render import Column, DataTable
from fundflow.cli.schemas_opt import schemas_option
from fundflow.issues import make_issue
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import Reference
from fundflow.money import format_pounds

F = TypeVar("F", bound=Callable[..., Any])


def _as_at(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    """`--as-at` as 2026-03-31 or 31/03/2026."""
    if value is None:
        return None
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip(), form).date()
        except ValueError:
            continue
    raise click.BadParameter(f"'{value}' is not a date such as 2026-03-31 or 31/03/2026")


def window_options(func: F) -> F:
    """`--year` and `--as-at`, turned into a `Window` handed to the command as `window`."""

    @click.option("--year", help="UK financial year, e.g. 2025-26 (default: the one containing "
                  "--as-at).")
    @click.option("--as-at", "as_at", callback=_as_at,
                  help="Date stock is taken, e.g. 2026-03-31 (default: the year's last day "
                  "with --year, else today).")
    @functools.wraps(func)
    def wrapper(year: str | None, as_at: date | None, **kwargs: Any) -> Any:
        try:
            window = make_window(year, as_at, date.today())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--year") from exc
        return func(window=window, **kwargs)

    return wrapper  # type: ignore[return-value]


def by_option(view: str) -> Callable[[F], F]:
    """`--by partnership`: on a department's ledger (`fundflow collect`), the analysis' figures
    for each partnership, from its own Book, instead of the ledger as one (`compare_cmd`)."""

    def decorate(func: F) -> F:
        @click.option("--by", "by", type=click.Choice(["partnership"]),
                      help="One row per partnership collected into the ledger "
                           "(`fundflow collect`), with the totals.")
        @functools.wraps(func)
        def wrapper(ctx: Context, window: Window, reference: Reference, by: str | None,
                    **kwargs: Any) -> Any:
            if by is None:
                return func(ctx=ctx, window=window, reference=reference, **kwargs)
            from fundflow.cli.compare_cmd import (  # noqa: PLC0415 - only with --by
                comparison,
                render_by_partnership,
            )

            result = comparison(ctx, reference, window.year)
            if ctx.json_output:
                emit_json(result)
            else:
                render_by_partnership(view, result)
            return None

        return wrapper  # type: ignore[return-value]

    return decorate


def _pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _gbp(value: Decimal | None) -> str:
    return "unknown" if value is None else format_pounds(value)


def _warn_if_empty(ctx: Context, streams: int, window: Window) -> None:
    if streams == 0:
        report_issues(ctx, [make_issue("analysis-no-streams", value=window.year)])


@click.group("analyse")
def analyse_group() -> None:
    """Ring-fencing, short-term funding and reporting burden, from the ledger.

    \b
    Example:
      fundflow analyse ring-fencing --year 2025-26
      fundflow analyse cycles --as-at 2026-03-31 --json
    """


@analyse_group.command("ring-fencing")
@common_options
@window_options
@schemas_option
@by_option("ring-fencing")
def ring_fencing_command(ctx: Context, window: Window, reference: Reference) -> None:
    """How much money is ring-fenced, how tightly, and what is unspent or at risk.

    Shares are over the streams live in the year; unspent money and clawback exposure are taken
    at --as-at. Definitions: docs/analysis.md.

    \b
    Example:
      fundflow analyse ring-fencing --year 2025-26
      fundflow analyse ring-fencing --as-at 2025-12-31 --json
    """
    with open_ledger(ctx.ledger, read_only=True) as con:
        report = analyse_ring_fencing(con, window, reference=reference)
    if ctx.json_output:
        emit_json(report)
        return
    _warn_if_empty(ctx, report.streams, window)
    _render_ring_fencing(report)


def _render_ring_fencing(r: RingFencingReport) -> None:
    w = r.window
    stdout.print(
        f"{w.year} (as at {w.as_at:%d/%m/%Y}): {r.streams} streams, award {_gbp(r.award)}; "
        f"ring-fenced {_gbp(r.ring_fenced_award)} ({_pct(r.ring_fenced_share)}); restriction "
        f"index {r.restriction_index if r.restriction_index is not None else 'n/a'}\n"
        f"Unspent ring-fenced {_gbp(r.funds.unspent_ring_fenced)}; clawback exposure at "
        f"deadlines {_gbp(r.funds.clawback_exposure)}; {len(r.breaches)} eligibility breaches; "
        f"{r.unmapped_spend_entries} spend entries unmapped ({_gbp(r.unmapped_spend)})"
    )
    table = DataTable(Column("Stream", "id"), Column("Funder", "id"), Column("Award", "money"),
                      Column("Ring-fence"), Column("Index", "number"),
                      Column("Virement headroom", "money"), title="Restriction by stream")
    for s in r.by_stream:
        table.add_row(s.stream_id, s.funder_id, _gbp(s.award), s.ring_fence_type,
                      str(s.restriction_index), _gbp(s.virement_headroom))
    table.print(stdout)
    funds = DataTable(Column("Stream", "id"), Column("Brought fwd", "money"),
                      Column("Received", "money"), Column("Spent", "money"),
                      Column("Transfers", "money"), Column("Carried fwd", "money"),
                      title="Restricted funds in the year")
    for f in r.funds.roll_forward:
        funds.add_row(f.stream_id, _gbp(f.brought_forward), _gbp(f.received), _gbp(f.spent),
                      _gbp(f.transfers), _gbp(f.carried_forward))
    funds.print(stdout)
    deadlines = DataTable(Column("Deadline", "id"), Column("Streams"),
                          Column("Projected unspent", "money"),
                          Column("Clawback exposure", "money"),
                          title="At each spend deadline (using forecasts)")
    for d in r.funds.deadlines:
        deadlines.add_row(f"{d.deadline:%d/%m/%Y}", ", ".join(d.streams),
                          _gbp(d.projected_unspent), _gbp(d.clawback_exposure))
    deadlines.print(stdout)
    _render_breaches(r)


def _render_breaches(r: RingFencingReport) -> None:
    if not r.breaches:
        return
    table = DataTable(Column("Stream", "id"), Column("Sheet"), Column("Cell", "id"),
                      Column("Category"), Column("Eligible"), Column("Amount", "money"),
                      title="Spend in categories the stream does not allow")
    for b in r.breaches:
        table.add_row(b.stream_id, b.source_sheet or "", b.source_cell or "", b.subjective,
                      b.eligible, _gbp(b.amount))
    table.print(stdout)


@analyse_group.command("cycles")
@common_options
@window_options
@schemas_option
@by_option("cycles")
def cycles_command(ctx: Context, window: Window, reference: Reference) -> None:
    """Short-term funding: durations, cliff edges, churn and successors.

    \b
    Example:
      fundflow analyse cycles --year 2025-26
      fundflow analyse cycles --as-at 2025-12-31 --json
    """
    with open_ledger(ctx.ledger, read_only=True) as con:
        report = analyse_cycles(con, window, reference=reference)
    if ctx.json_output:
        emit_json(report)
        return
    _warn_if_empty(ctx, report.streams, window)
    _render_cycles(report)


def _render_cycles(r: CyclesReport) -> None:
    w = r.window
    stdout.print(
        f"{w.year} (as at {w.as_at:%d/%m/%Y}): {r.streams} streams, award {_gbp(r.award)}; "
        f"12 months or less {_gbp(r.short_term_award)} ({_pct(r.short_term_share)}); "
        f"competitive {_pct(r.competitive_share)}\n"
        f"Award-weighted duration {r.award_weighted_duration or 'n/a'} months; remaining life "
        f"{r.remaining_life or 'n/a'} months; churn {r.churn.churn or 'n/a'} "
        f"({r.churn.started} started, {r.churn.ended} ended)"
    )
    cliff = DataTable(Column("Ending within", "id"), Column("Until", "id"),
                      Column("Streams", "number"), Column("Award", "money"),
                      Column("Share of live", "number"), Column("No successor", "money"),
                      title="Cliff edge")
    for c in r.cliff_edges:
        cliff.add_row(f"{c.horizon_months} months", f"{c.until:%d/%m/%Y}", str(c.streams),
                      _gbp(c.award), _pct(c.share_of_live), _gbp(c.no_successor_award))
    cliff.print(stdout)
    table = DataTable(Column("Stream", "id"), Column("Funder", "id"), Column("Ends", "id"),
                      Column("Award", "money"), Column("Successor", "id"),
                      Column("Gap (days)", "number"),
                      title="Streams in the year and what follows them")
    for s in r.successions:
        table.add_row(s.stream_id, s.funder_id, f"{s.end_date:%d/%m/%Y}", _gbp(s.award),
                      s.successor_id or "none", "" if s.gap_days is None else str(s.gap_days))
    table.print(stdout)


@analyse_group.command("burden")
@common_options
@window_options
@click.option("--assumptions", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A copy of schemas/burden.yaml with your own timings and costs.")
@schemas_option
@by_option("burden")
def burden_command(ctx: Context, window: Window, assumptions: Path | None,
                   reference: Reference) -> None:
    """Reporting burden: returns, data items, deadlines, hours, and what one return saves.

    \b
    Example:
      fundflow analyse burden --year 2025-26
      fundflow analyse burden --assumptions my_burden.yaml --json
    """
    config, issues = load_burden_config(assumptions)
    if config is None:
        report_issues(ctx, issues)
        sys.exit(EXIT_DATA)
    with open_ledger(ctx.ledger, read_only=True) as con:
        report = analyse_burden(con, window, config, reference=reference)
    if ctx.json_output:
        emit_json(report)
        return
    _warn_if_empty(ctx, report.streams, window)
    _render_burden(report)


def _render_burden(r: BurdenReport) -> None:
    w = r.window
    week = r.busiest_week
    stdout.print(
        f"{w.year}: {r.streams} streams, {r.returns_per_year} returns and "
        f"{r.data_items_per_year:,} data items a year, {len(r.templates)} templates, "
        f"{len(r.year_conventions)} year conventions, {r.distinct_due_dates} due dates\n"
        + (f"Busiest week from {week.week_start:%d/%m/%Y}: {week.returns} returns due "
           f"({', '.join(week.stream_ids)})\n" if week else "")
        + f"{len(r.redundant_streams)} streams reported in several templates (redundancy "
        f"{_pct(r.redundancy_ratio)})"
    )
    sides = DataTable(Column(""), Column("Returns", "number"), Column("Data items", "number"),
                      Column("Hours", "number"), Column("Cost", "money"),
                      title="A year of reporting")
    for name, side in (("Status quo", r.before), ("One consolidated return", r.after)):
        sides.add_row(name, str(side.returns_per_year), f"{side.data_items_per_year:,}",
                      str(side.hours), _gbp(side.cost))
    change = change_of(r.hours_saved, r.cost_saved)
    sides.add_row("Saved" if change.saves else "Extra with one return", "", "",
                  str(change.hours), _gbp(change.cost))
    sides.print(stdout)
    table = DataTable(Column("Stream", "id"), Column("Tier", "number"), Column("Frequency"),
                      Column("Returns", "number"), Column("Items", "number"),
                      Column("Hours", "number"), Column("p per £", "number"), title="By stream")
    for s in r.by_stream:
        table.add_row(s.stream_id, str(s.tier), s.frequency or "unknown", str(s.returns_per_year),
                      str(s.data_items_per_year), str(s.hours), str(s.pence_per_pound or "n/a"))
    table.print(stdout)

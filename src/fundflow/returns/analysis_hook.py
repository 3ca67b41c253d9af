"""The return's ring-fencing, funding-horizon and burden sections, from `fundflow.analysis`.

`analysis_sections` is the one place the return takes the analyses. It runs them for the
return's year with stock taken at the end of the return's period, scoped to one funder's
streams for a funder's report, and converts the reports into the return's own model
(`returns.analysis_model`, by `returns.analysis_rows`), so every writer shows the same figures
and none of them imports the analysis module.

The return must not fail because an analysis did: any exception becomes a
`return-analysis-failed` issue in the return's issue list, and the sections fall back to simple
figures from the register and ledger (award less spend to date; months from start to end).
Tests switch the analysis off the same way, through `_headline_function` (the golden workbook
must not move whenever an analysis formula is refined).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import polars as pl
from pydantic import BaseModel

from fundflow.analysis import Analysis, Inputs, Window, inputs_from_book, make_window
from fundflow.analysis.burden import load_burden_config
from fundflow.analysis.funds import RollForward
from fundflow.analysis.headline import analysis_of
from fundflow.issues import Issue, make_issue
from fundflow.mapping.book import Book
from fundflow.money import format_gbp, format_pounds, pence_to_decimal
from fundflow.returns.analysis_model import AnalysisSections, HorizonRow, RingFenceRow
from fundflow.returns.analysis_rows import sections_from
from fundflow.returns.scope import RING_FENCED

Analyser = Callable[[Book, Window], Analysis]

PLACEHOLDER_NOTE = (
    "Simple figures from the funding register and ledger (unspent balance = award less actual "
    "spend to date on the return's basis): the analyses were not run for this return."
)


def analysis_sections(
    scope: Book, figures: pl.DataFrame
) -> tuple[AnalysisSections, list[Issue]]:
    """The sections from the analyses, or placeholders and an issue when they cannot run.

    `figures` is `sections.stream_figures(scope)` (award, spent, ... in pence per stream), used
    only for the placeholders.
    """
    analyser = _headline_function()
    if analyser is None:
        return _placeholder(scope, figures), []
    window = make_window(scope.period.year, scope.period.end, scope.period.end)
    try:
        result = analyser(scope, window)
        sections = sections_from(result, _funder_names(scope), _flatten(result.headline),
                                 scope.funder)
        issues = fund_issues(result.ring_fencing.funds.roll_forward, window.year)
    except Exception as exc:  # any failure: the return is still written, with an issue
        reason = f"{type(exc).__name__}: {exc}".strip()
        issue = make_issue("return-analysis-failed", value=window.year, reason=reason[:300])
        return _placeholder(scope, figures), [issue]
    return sections, issues


def fund_issues(rows: list[RollForward], year: str) -> list[Issue]:
    """No negative balance without a word of why: unknown openings and real overspends."""
    out = []
    for r in rows:
        if r.missing_receipts:
            out.append(make_issue("fund-receipts-missing", value=r.stream_id, year=year,
                                  years=", ".join(r.missing_receipts)))
        elif r.overspent and r.carried_forward is not None:
            out.append(make_issue("fund-overspent", value=r.stream_id, year=year,
                                  amount=format_gbp(-int(r.carried_forward.scaleb(2))),
                                  balance=format_pounds(r.carried_forward)))
    return out


def run_analysis(book: Book, window: Window) -> Analysis:
    """Every analysis over the Book, or over one funder's streams for its report.

    Scoping filters the inputs (streams, their finance entries and item counts) rather than
    the results, so the funder's shares, cliff edges and hours are over its own award. A
    successor named only by another funder's stream (as its predecessor) is copied onto the
    funder's stream first, so a cliff edge the partnership has covered is not reported as one.
    """
    config, issues = load_burden_config()
    if config is None:
        raise RuntimeError(issues[0].message)
    inputs = inputs_from_book(book)
    if book.funder is not None:
        inputs = scoped_inputs(inputs, book.funder)
    return analysis_of(inputs, window, config)


def scoped_inputs(inputs: Inputs, funder: str) -> Inputs:
    """The analysis inputs cut to one funder's streams (successors named elsewhere kept)."""
    named = {s.predecessor_stream_id: s.stream_id for s in inputs.streams
             if s.predecessor_stream_id}
    streams = [
        s if s.successor_stream_id or s.stream_id not in named
        else s.model_copy(update={"successor_stream_id": named[s.stream_id]})
        for s in inputs.streams if s.funder_id == funder
    ]
    ids = pl.Series([s.stream_id for s in streams], dtype=pl.String).implode()
    items = inputs.items.filter(pl.col("stream_id").is_in(ids)) if inputs.items.height else (
        inputs.items)
    months = inputs.months
    if months is not None:
        months = months.filter(pl.col("stream_id").is_in(ids))
    keep = pl.col("stream_id").is_in(ids)
    return replace(inputs, streams=streams, items=items, _months={}, months=months,
                   finance=inputs.finance.filter(keep), _facts=[],
                   facts=None if inputs.facts is None else inputs.facts.filter(keep))


def _headline_function() -> Analyser | None:
    """The analysis entry point; None switches the analyses off (tests patch it to do so).

    The name is historical: the hook once took only `fundflow.analysis.headline`.
    """
    return run_analysis


def _funder_names(scope: Book) -> dict[str, str]:
    """Funder id to name, from the register, for chart labels."""
    if "funder_name" not in scope.streams.columns:
        return {}
    pairs = scope.streams.select("funder_id", "funder_name").unique().iter_rows()
    return {str(fid): str(name or fid) for fid, name in pairs if fid is not None}


def _flatten(result: BaseModel) -> dict[str, str]:
    """Top-level scalar figures of the analysis headline as text, in a stable order."""
    data = result.model_dump(mode="json")
    return {str(k): str(v) for k, v in sorted(data.items())
            if isinstance(v, str | int | float | Decimal | bool) or v is None}


# --- placeholders: the analysis switched off or failed ---------------------------------------
def _placeholder(scope: Book, figures: pl.DataFrame) -> AnalysisSections:
    return AnalysisSections(source="placeholder", note=PLACEHOLDER_NOTE,
                            ring_fencing=_ring_fencing(figures),
                            horizon=_horizon(figures, scope.period.end))


def _ring_fencing(figures: pl.DataFrame) -> list[RingFenceRow]:
    rows = []
    for s in figures.iter_rows(named=True):
        rtype = s["ring_fence_type"] or "unknown"
        rows.append(RingFenceRow(
            stream_id=s["stream_id"], funder_id=s.get("funder_id") or "",
            ring_fence_type=rtype, ring_fenced=rtype in RING_FENCED,
            spend_deadline=s.get("spend_deadline"), award=pence_to_decimal(s["award_pence"]),
            spent=pence_to_decimal(s["spent"]),
            unspent_balance=pence_to_decimal(s["award_pence"] - s["spent"]),
        ))
    return rows


def _horizon(figures: pl.DataFrame, as_at: date) -> list[HorizonRow]:
    rows = []
    for s in figures.iter_rows(named=True):
        start, end = s.get("start_date"), s.get("end_date")
        if start is None or end is None:
            continue
        rows.append(HorizonRow(
            stream_id=s["stream_id"], funder_id=s.get("funder_id") or "", start_date=start,
            end_date=end, duration_months=_months(start, end) + 1,
            remaining_months=max(0, _months(as_at, end)),
            successor_confirmed=s.get("successor_stream_id") is not None,
        ))
    return rows


def _months(first: date, last: date) -> int:
    return (last.year * 12 + last.month) - (first.year * 12 + first.month)

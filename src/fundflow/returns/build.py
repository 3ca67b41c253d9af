"""Build the consolidated return (or one funder's standard report) from a ledger.

One orchestrator over small section builders: scope (period, streams and tiers, mapped
figures), then summary, finance, entries, outputs, ring-fencing and horizon, data,
reconciliation and issues, then the cover with the hash of the figures. The result is a
`Return` model; writing it to a file is `returns.write`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import polars as pl

from fundflow.issues import Issue, make_issue
from fundflow.ledger.read import Connection
from fundflow.mapping.book import Book, build_book
from fundflow.mapping.reference import Reference, load_reference
from fundflow.money import format_pounds
from fundflow.returns.allocator import trim
from fundflow.returns.analysis_hook import analysis_sections
from fundflow.returns.funder import funder_context, sign_off_for
from fundflow.returns.model import (
    EACH_OWN_BASIS,
    BasisGap,
    Cover,
    OpenIssue,
    ReconRow,
    Return,
    SummaryRow,
    content_hash,
    context_hash,
    partnership_slug,
)
from fundflow.returns.outcomes import output_rows
from fundflow.returns.scope import parse_period
from fundflow.returns.sections import (
    basis_gaps,
    data_frame,
    data_rows,
    entry_rows,
    finance_rows,
    reconciliation_rows,
    stream_figures,
    summary_rows,
)
from fundflow.returns.terms import other_figures, register_terms

BLOCKING = frozenset({"return-unreconciled"})
"""Issue codes that stop a return being written: it would not agree with the ledger."""


class ReturnError(Exception):
    """The return cannot be built (the reference data is invalid); `issues` say why."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__("; ".join(f"{i.code}: {i.message}" for i in issues))
        self.issues = list(issues)


def build_return(
    con: Connection,
    year: str,
    quarter: str | None = None,
    funder: str | None = None,
    *,
    reference: Reference | None = None,
    basis: str | None = None,
    generated_at: datetime | None = None,
) -> Return:
    """The return for a financial year, to the end of `quarter` (or the whole year).

    Builds the Book for the period (`book_for`) and renders it (`return_of`). With `funder`,
    the same schema for that funder's streams only, plus its share of the partnership's
    funding and how its conditions compare (the funder's standard report). Each stream is on
    its own basis; `basis` restricts the totals to streams on that basis and lists the rest.
    `reference` is the reference data loaded once by the caller (the bundled schemas when
    None).

    Raises:
        ValueError: `year` or `quarter` is malformed.
        ReturnError: the reference data (schemas/) is invalid.
    """
    book = book_for(con, year, quarter, funder, reference=reference, basis=basis)
    return return_of(book, generated_at=generated_at)


def book_for(
    con: Connection, year: str, quarter: str | None = None, funder: str | None = None, *,
    reference: Reference | None = None, basis: str | None = None,
) -> Book:
    """The Book for a return's period (year to the end of `quarter`), as `build_return` uses."""
    reference = reference or _reference()
    period = parse_period(year, quarter, _report_start_month(reference))
    return build_book(con, reference, period, funder=funder, basis=basis)


def return_of(book: Book, *, generated_at: datetime | None = None) -> Return:
    """The return (or funder report) drawn from a Book: a pure function of it.

    The analyses come first: their working memory is the largest of any section's (about
    370 MB at 1M figures over 15,000 streams), so they run while the least is held beside the
    Book, rather than on top of the Data frame (the return's peak, 956 -> 840 MB there).
    """
    period, funder = book.period, book.funder
    figures = stream_figures(book)
    analysis, analysis_issues = analysis_sections(book, figures)
    trim()
    summary = summary_rows(book)
    frame = data_frame(book)
    data = data_rows(book, frame)
    recon = reconciliation_rows(book, frame)
    gaps = basis_gaps(book)
    issues = [*book.issues, *_recon_issues(recon), *_gap_issues(gaps), *analysis_issues,
              *_balance_issues(summary)]
    if frame.height == 0:
        issues.append(make_issue("return-empty", value=period.year,
                                 funder=f" and funder {funder}" if funder else ""))
    context = None if funder is None else funder_context(funder, book.all_streams)
    basis = book.restriction or EACH_OWN_BASIS
    register, other = register_terms(book), other_figures(book, frame)
    cover_key = {"partnership": book.partnership, "year": period.year,
                 "quarter": period.quarter, "basis": basis, "funder": funder}
    cover = Cover(
        title=_title(book, context.funder_name if context else None),
        partnership=book.partnership, year=period.year, quarter=period.quarter,
        period_start=period.start, period_end=period.end, basis=basis, funder_id=funder,
        generated_at=generated_at or datetime.now(UTC).replace(microsecond=0, tzinfo=None),
        streams=len(figures), submissions=len(recon),
        content_hash=content_hash(cover_key, data), reference_hash=book.reference_hash,
        sign_off=sign_off_for(funder, book.all_streams),
        partnership_id=partnership_slug(book.partnership),
        context_hash=context_hash(register, other),
    )
    entries, entries_total = entry_rows(book)
    return Return(
        cover=cover, summary=summary, basis_gaps=gaps,
        finance=finance_rows(book), entries=entries, entries_total=entries_total,
        outputs=output_rows(book),
        analysis=analysis, reconciliation=recon,
        issues=[*_open_issues(book, [r.submission_id for r in recon]), *_as_open(issues)],
        data=data, funder_context=context, stream_terms=register,
        other_data=other,
    )


def unreconciled(ret: Return) -> bool:
    """True when the return must not be written: a source file does not reconcile to it.

    The rule lives here, not in the CLI, so every caller of the library keeps it.
    """
    return any(i.code in BLOCKING for i in ret.issues)


def _reference() -> Reference:
    reference, issues = load_reference()
    if reference is None:
        raise ReturnError(issues)
    return reference


def _report_start_month(reference: Reference) -> int:
    convention = reference.calendars.get(reference.calendars.report)
    return convention.start_month if convention and convention.start_month else 4


def _title(book: Book, funder_name: str | None) -> str:
    when = book.period.year + (f" {book.period.quarter}" if book.period.quarter else "")
    if funder_name:
        return f"{book.partnership}: standard report to {funder_name}, {when}"
    return f"{book.partnership}: consolidated funding return {when}"


def _recon_issues(recon: Iterable[ReconRow]) -> list[Issue]:
    return [make_issue("return-unreconciled", value=r.file, return_total=r.return_total,
                       file_total=r.file_total) for r in recon if r.difference != 0]


def _balance_issues(summary: Iterable[SummaryRow]) -> list[Issue]:
    """No negative balance without a word of why: a forecast overspend, with its figures."""
    return [make_issue("return-balance-negative", value=s.stream_id,
                       balance=format_pounds(s.balance), spent=format_pounds(s.spent),
                       forecast=format_pounds(s.forecast), award=format_pounds(s.award))
            for s in summary if s.balance < 0]


def _gap_issues(gaps: Iterable[BasisGap]) -> list[Issue]:
    return [
        make_issue("return-other-basis", value=g.stream_id, expected=g.counted_basis, basis=g.basis,
                   measure=f"{g.state} {g.measure}",
                   amount=format_pounds(g.amount))
        for g in gaps
    ]


def _as_open(issues: Iterable[Issue]) -> list[OpenIssue]:
    return [OpenIssue(code=i.code, severity=i.severity.value, location=i.location(),
                      message=i.message, hint=i.hint or "") for i in issues]


def _open_issues(book: Book, submissions: list[str]) -> list[OpenIssue]:
    """Issues kept in the ledger for the return's source files, worst first."""
    stored = book.stored_issues.filter(pl.col("submission_id").is_in(submissions))
    return [
        OpenIssue(code=code, severity=severity,
                  location=" › ".join(p for p in (file, sheet, cell) if p),
                  message=message, hint=hint or "")
        for code, severity, file, sheet, cell, message, hint in stored.select(
            "code", "severity", "file_name", "sheet", "cell", "message", "hint").iter_rows()
    ]

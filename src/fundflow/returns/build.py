"""Build the consolidated return (or one funder's standard report) from a ledger.

One orchestrator over small section builders: scope (period, streams and tiers, mapped
figures), then summary, finance, entries, outputs, ring-fencing and horizon, data,
reconciliation and issues, then the cover with the hash of the figures. The result is a
`Return` model; writing it to a file is `returns.write`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from fundflow.issues import Issue, make_issue
from fundflow.money import format_gbp
from fundflow.reference import Reference, load_reference
from fundflow.returns.analysis_hook import analysis_sections
from fundflow.returns.funder import funder_context
from fundflow.returns.model import (
    BasisGap,
    Cover,
    OpenIssue,
    ReconRow,
    Return,
    content_hash,
)
from fundflow.returns.outcomes import output_rows
from fundflow.returns.scope import Scope, build_scope, load_streams, parse_period
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


class ReturnError(Exception):
    """The return cannot be built (the reference data is invalid); `issues` say why."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__("; ".join(f"{i.code}: {i.message}" for i in issues))
        self.issues = list(issues)


def build_return(
    con: Any,
    year: str = "2025-26",
    quarter: str | None = None,
    funder: str | None = None,
    *,
    reference: Reference | None = None,
    basis: str | None = None,
    generated_at: datetime | None = None,
) -> Return:
    """The return for a UK financial year, to the end of `quarter` (or the whole year).

    With `funder`, the same schema for that funder's streams only, plus its share of the
    partnership's funding and how its conditions compare (the funder's standard report).
    `basis` defaults to `reporting.yaml`'s; amounts on other bases are listed apart.

    Raises:
        ValueError: `year` or `quarter` is malformed.
        ReturnError: the reference data (schemas/) is invalid.
    """
    reference = reference or _reference()
    period = parse_period(year, quarter, _report_start_month(reference))
    scope = build_scope(con, reference, period, funder=funder, basis=basis)
    figures = stream_figures(scope)
    frame = data_frame(scope)
    data = data_rows(scope, frame)
    recon = reconciliation_rows(con, frame)
    gaps = basis_gaps(scope)
    analysis, analysis_issues = analysis_sections(con, scope, figures)
    issues = [*scope.issues, *_recon_issues(recon), *_gap_issues(gaps, scope.basis),
              *analysis_issues]
    if frame.height == 0:
        issues.append(make_issue("return-empty", value=period.year,
                                 funder=f" and funder {funder}" if funder else ""))
    context = None
    if funder is not None:
        context = funder_context(funder, load_streams(con, reference.tiers, None))
    cover_key = {"partnership": scope.partnership, "year": period.year,
                 "quarter": period.quarter, "basis": scope.basis, "funder": funder}
    cover = Cover(
        title=_title(scope, context.funder_name if context else None),
        partnership=scope.partnership, year=period.year, quarter=period.quarter,
        period_start=period.start, period_end=period.end, basis=scope.basis, funder_id=funder,
        generated_at=generated_at or datetime.now(UTC).replace(microsecond=0, tzinfo=None),
        streams=scope.streams.height, submissions=len(recon),
        content_hash=content_hash(cover_key, data),
    )
    entries, entries_total = entry_rows(scope)
    return Return(
        cover=cover, summary=summary_rows(scope), basis_gaps=gaps,
        finance=finance_rows(scope), entries=entries, entries_total=entries_total,
        outputs=output_rows(scope),
        analysis=analysis, reconciliation=recon,
        issues=[*_open_issues(con, [r.submission_id for r in recon]), *_as_open(issues)],
        data=data, funder_context=context,
    )


def _reference() -> Reference:
    reference, issues = load_reference()
    if reference is None:
        raise ReturnError(issues)
    return reference


def _report_start_month(reference: Reference) -> int:
    convention = reference.calendars.get(reference.calendars.report)
    return convention.start_month if convention and convention.start_month else 4


def _title(scope: Scope, funder_name: str | None) -> str:
    when = scope.period.year + (f" {scope.period.quarter}" if scope.period.quarter else "")
    if funder_name:
        return f"{scope.partnership}: standard report to {funder_name}, {when}"
    return f"{scope.partnership}: consolidated funding return {when}"


def _recon_issues(recon: Iterable[ReconRow]) -> list[Issue]:
    return [make_issue("return-unreconciled", value=r.file, return_total=r.return_total,
                       file_total=r.file_total) for r in recon if r.difference != 0]


def _gap_issues(gaps: Iterable[BasisGap], basis: str) -> list[Issue]:
    return [
        make_issue("return-other-basis", value=g.stream_id, expected=basis, basis=g.basis,
                   measure=f"{g.state} {g.measure}",
                   amount=format_gbp(int(g.amount.scaleb(2))))
        for g in gaps
    ]


def _as_open(issues: Iterable[Issue]) -> list[OpenIssue]:
    return [OpenIssue(code=i.code, severity=i.severity.value, location=i.location(),
                      message=i.message, hint=i.hint or "") for i in issues]


def _open_issues(con: Any, submissions: list[str]) -> list[OpenIssue]:
    """Issues kept in the ledger for the return's source files, worst first."""
    if not submissions:
        return []
    marks = ", ".join("?" for _ in submissions)
    rows = con.execute(
        "SELECT i.code, i.severity, s.file_name, i.sheet, i.cell, i.message, i.hint "
        f"FROM issue i JOIN submission s USING (submission_id) WHERE i.submission_id IN ({marks})"
        " ORDER BY CASE i.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, "
        "s.file_name, i.issue_no",
        submissions,
    ).fetchall()
    return [
        OpenIssue(code=code, severity=severity,
                  location=" › ".join(p for p in (file, sheet, cell) if p),
                  message=message, hint=hint or "")
        for code, severity, file, sheet, cell, message, hint in rows
    ]

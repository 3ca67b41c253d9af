"""A received return as one ledger submission, every id namespaced by its partnership.

Two partnerships may use the same stream and funder ids ('S-LPF-25', 'F-DPC'): in a department's
ledger they must never merge. So every stream and funder id is stored as
`<partnership id>:<id>` (`NAMESPACE`), the stream rows carry `partnership_id`, and the
submission's `stream_key` is the partnership id, so a return from the same partnership for the
same period supersedes the earlier one (kept as history) and nothing else does.

Figures are the return's counted Data rows at month grain, with their canonical category
stated, so the department's Book keeps them exactly as the partnership's return counted them
(no crosswalk runs twice); the funder's own label goes into the description.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import polars as pl

from fundflow.collect.interchange import Received
from fundflow.ledger.store import SubmissionBatch
from fundflow.returns.model import DataRow, Return, StreamTerms

ADAPTER_ID = "fundflow-return"
RETURN_TYPE = "collected-return"
NAMESPACE = ":"
"""Between a partnership id and a stream or funder id. Partnership ids are slugs (letters,
digits and '-'), so the first ':' always ends the partnership's part."""


def scoped(partnership_id: str, ident: str) -> str:
    """An id as a department's ledger stores it: under its partnership."""
    return f"{partnership_id}{NAMESPACE}{ident}"


def unscoped(ident: str) -> tuple[str, str]:
    """(partnership id, the partnership's own id) of a namespaced id."""
    pid, _, own = ident.partition(NAMESPACE)
    return pid, own


Source = tuple[str, int, DataRow]
"""A collected figure: the part of the return it is in ('Data' or 'other_data'), its row
there (Data sheet rows start at 2, under the headings) and the figure."""


def collected_rows(received: Received) -> tuple[list[Source], int]:
    """The figures collected (counted, with a month) with where they are in the return, and
    how many counted figures have no month (open periods, not collected)."""
    every = [("Data", n, r) for n, r in enumerate(received.rows, start=2)]
    every += [("other_data", n, r) for n, r in enumerate(received.other, start=1)]
    kept = [item for item in every if item[2].counted and item[2].month is not None]
    open_rows = sum(1 for _, _, r in every if r.counted and r.month is None)
    return kept, open_rows


def batch_of(received: Received, file_name: str, file_path: str, sha256: str) -> SubmissionBatch:
    """The submission the return becomes: figures, outputs, streams, funders, partnership."""
    pid = received.partnership_id
    kept, _ = collected_rows(received)
    ret = received.ret
    return SubmissionBatch(
        file_name=file_name, file_path=file_path, file_sha256=sha256,
        adapter_id=ADAPTER_ID, adapter_version=str(ret.schema_version if ret else 1),
        return_type=RETURN_TYPE, stream_key=pid, funder_period=received.period,
        finance=_finance(pid, kept),
        indicators=_indicators(pid, ret) if ret else None,
        streams=_streams(pid, ret) if ret else None,
        funders=_funders(pid, received),
        partnerships=pl.DataFrame({"partnership_id": [pid], "name": [received.partnership]}),
    )


def _month_end(start: date) -> date:
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _finance(pid: str, kept: list[Source]) -> pl.DataFrame:
    rows = [r for _, _, r in kept]
    months = [r.month for r in rows if r.month is not None]
    return pl.DataFrame(
        {
            "row_no": entry_numbers(rows),
            "source_sheet": [sheet for sheet, _, _ in kept],
            "source_cell": [f"A{n}" if sheet == "Data" else f"#{n}" for sheet, n, _ in kept],
            "stream_id": [scoped(pid, r.stream_id) for r in rows],
            "funder_id": [scoped(pid, r.funder_id) for r in rows],
            "period_label": [m.strftime("%b-%y") for m in months],
            "period_start": months,
            "period_end": [_month_end(m) for m in months],
            "measure": [r.measure for r in rows],
            "state": [r.state for r in rows],
            "basis": [r.basis for r in rows],
            "cap_rev": [r.cap_rev for r in rows],
            "funder_category": [None] * len(rows),
            "subjective": [r.subjective for r in rows],
            "objective": [r.objective for r in rows],
            "funding_source": [r.funding_source for r in rows],
            "description": [_description(r) for r in rows],
            "amount_raw": [str(r.amount) for r in rows],
            "unit": ["GBP"] * len(rows),
            "amount_gbp_pence": [r.amount_pence for r in rows],
        },
        schema_overrides={"amount_gbp_pence": pl.Int64, "period_start": pl.Date,
                          "period_end": pl.Date, "funder_category": pl.String,
                          "row_no": pl.Int32},
    )


_ENTRY_KEY = ("source", "stream_id", "measure", "state", "basis", "cap_rev", "subjective",
              "objective", "funding_source", "funder_category")


def entry_numbers(rows: list[DataRow]) -> list[int]:
    """A ledger entry number per figure: the months of one apportioned figure share one.

    The Data sheet gives a figure per month; the partnership's ledger held one entry for a
    figure reported for a quarter, and the analyses count entries (an eligibility breach is
    one entry, not three months). So consecutive months of apportioned figures with the same
    source, stream and category are numbered as one entry again. Two figures of one file
    with the same keys for adjacent periods (a Q2 and a Q3 forecast) become one entry too:
    the Data sheet cannot tell them apart. Money is unaffected: each month keeps its amount.
    """
    numbers: list[int] = []
    last: dict[tuple[Any, ...], tuple[date, int]] = {}
    for n, row in enumerate(rows, start=1):
        key = tuple(getattr(row, k) for k in _ENTRY_KEY)
        month = row.month
        previous = last.get(key) if row.apportioned else None
        if previous is not None and month is not None and _next_month(previous[0]) == month:
            numbers.append(previous[1])
        else:
            numbers.append(n)
        if month is not None and row.apportioned:
            last[key] = (month, numbers[-1])
    return numbers


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _description(row: DataRow) -> str:
    """Where the figure came from in the partnership's ledger, and the funder's own label."""
    label = f" ({row.funder_category})" if row.funder_category else ""
    return f"{row.source}{label}"


def _indicators(pid: str, ret: Return) -> pl.DataFrame | None:
    rows = ret.outputs
    if not rows:
        return None
    return pl.DataFrame(
        {
            "source_sheet": ["Outputs"] * len(rows),
            "source_cell": [f"A{n}" for n in range(2, len(rows) + 2)],
            "stream_id": [scoped(pid, r.stream_id) for r in rows],
            "funder_id": [scoped(pid, r.funder_id) for r in rows],
            "funder_indicator": [r.indicator_id for r in rows],
            "period_label": [r.year + (f" {r.quarter}" if r.quarter else "") for r in rows],
            "value_type": [r.value_type for r in rows],
            "value": [r.value for r in rows],
            "unit": [r.unit for r in rows],
            "cumulative": [r.combined_by == "latest" for r in rows],
        },
        schema_overrides={"value": pl.Decimal(38, 6)},
    )


def _streams(pid: str, ret: Return) -> pl.DataFrame | None:
    """The register rows: the return's stream terms (version 2), else what version 1 gave
    (summary and horizon: award, dates, ring-fence type, deadline, tier)."""
    terms = ret.stream_terms or _terms_of_v1(ret)
    if not terms:
        return None
    records: list[dict[str, Any]] = []
    for n, t in enumerate(terms, start=2):
        record = t.model_dump(exclude={"funder_name", "award", "capital_award",
                                       "revenue_award"})
        record.update(
            source_sheet="Streams", source_cell=f"A{n}", partnership_id=pid,
            stream_id=scoped(pid, t.stream_id), funder_id=scoped(pid, t.funder_id),
            award_pence=_pence(t.award), capital_award_pence=_pence(t.capital_award),
            revenue_award_pence=_pence(t.revenue_award),
            predecessor_stream_id=_scoped_or_none(pid, t.predecessor_stream_id),
            successor_stream_id=_scoped_or_none(pid, t.successor_stream_id),
            virement_limit_pct=_text(t.virement_limit_pct),
            match_required_pct=_text(t.match_required_pct),
        )
        records.append(record)
    return pl.DataFrame(records, infer_schema_length=None).with_columns(
        pl.col("virement_limit_pct", "match_required_pct").cast(pl.Decimal(9, 4)))


def _terms_of_v1(ret: Return) -> list[StreamTerms]:
    horizon = {h.stream_id: h for h in ret.analysis.horizon}
    fence = {f.stream_id: f for f in ret.analysis.ring_fencing}
    return [
        StreamTerms(stream_id=s.stream_id, funder_id=s.funder_id, funder_name=s.funder_name,
                    name=s.stream_name, award=s.award,
                    start_date=horizon[s.stream_id].start_date,
                    end_date=horizon[s.stream_id].end_date, ring_fence_type=s.ring_fence_type,
                    spend_deadline=fence[s.stream_id].spend_deadline
                    if s.stream_id in fence else None, reporting_tier=s.tier)
        for s in ret.summary if s.stream_id in horizon
    ]


def _pence(amount: Any) -> int | None:
    return None if amount is None else int(amount.scaleb(2))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _scoped_or_none(pid: str, ident: str | None) -> str | None:
    return scoped(pid, ident) if ident else None


def _funders(pid: str, received: Received) -> pl.DataFrame:
    names = {r.funder_id: r.funder_id for r in received.rows}
    if received.ret is not None:
        names.update({s.funder_id: s.funder_name for s in received.ret.summary})
        names.update({t.funder_id: t.funder_name for t in received.ret.stream_terms})
    return pl.DataFrame({"funder_id": [scoped(pid, f) for f in names],
                         "name": list(names.values()), "funder_type": [None] * len(names)},
                        schema={"funder_id": pl.String, "name": pl.String,
                                "funder_type": pl.String})

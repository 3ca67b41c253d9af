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

from typing import Any

import polars as pl

from fundflow.collect.interchange import Received
from fundflow.ledger.store import SubmissionBatch
from fundflow.returns.model import Return, StreamTerms

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


_SHEET, _POS = "_sheet", "_pos"
"""Columns `collected` adds: the part of the return a figure is in ('Data' or 'other_data')
and its row there (Data sheet rows start at 2, under the headings; other_data at 1)."""


def collected(received: Received) -> tuple[pl.DataFrame, int]:
    """The figures collected (counted, with a month) as one frame with where they are in the
    return, and how many counted figures have no month (open periods, not collected).

    Column by column from the return's Data frame: a return has thousands of figures and a
    department thousands of returns, so no figure becomes a Python object here."""
    parts = []
    for sheet, first, table in (("Data", 2, received.rows), ("other_data", 1, received.other)):
        frame = table.frame
        parts.append(frame.with_columns(
            pl.lit(sheet).alias(_SHEET),
            pl.int_range(first, frame.height + first, dtype=pl.Int64).alias(_POS)))
    counted = pl.concat(parts).filter(pl.col("counted"))
    kept = counted.filter(pl.col("month").is_not_null())
    return kept, counted.height - kept.height


def batch_of(received: Received, file_name: str, file_path: str, sha256: str,
             kept: pl.DataFrame | None = None) -> SubmissionBatch:
    """The submission the return becomes: figures, outputs, streams, funders, partnership.
    `kept` are its `collected` figures when the caller has them already."""
    pid = received.partnership_id
    if kept is None:
        kept, _ = collected(received)
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


def _scope(pid: str, column: str) -> pl.Expr:
    return pl.concat_str(pl.lit(pid + NAMESPACE), pl.col(column))


def _finance(pid: str, kept: pl.DataFrame) -> pl.DataFrame:
    """The ledger's finance entries of the collected figures; the funder's own label goes
    into the description, after where the figure came from in the partnership's ledger."""
    month = pl.col("month")
    label = pl.concat_str(pl.lit(" ("), pl.col("funder_category"), pl.lit(")")).fill_null("")
    cell = pl.when(pl.col(_SHEET) == "Data").then(pl.lit("A")).otherwise(pl.lit("#"))
    return kept.select(
        row_no=entry_numbers(kept).cast(pl.Int32),
        source_sheet=pl.col(_SHEET),
        source_cell=pl.concat_str(cell, pl.col(_POS).cast(pl.String)),
        stream_id=_scope(pid, "stream_id"),
        funder_id=_scope(pid, "funder_id"),
        period_label=month.dt.strftime("%b-%y"),
        period_start=month,
        period_end=month.dt.month_end(),
        measure="measure", state="state", basis="basis", cap_rev="cap_rev",
        funder_category=pl.lit(None, pl.String),
        subjective="subjective", objective="objective", funding_source="funding_source",
        description=pl.concat_str(pl.col("source"), label),
        amount_raw=pl.col("amount").cast(pl.String),
        unit=pl.lit("GBP"),
        amount_gbp_pence=pl.col("amount_pence").cast(pl.Int64),
    )


_ENTRY_KEY = ["source", "stream_id", "measure", "state", "basis", "cap_rev", "subjective",
              "objective", "funding_source", "funder_category"]


def entry_numbers(kept: pl.DataFrame) -> pl.Series:
    """A ledger entry number per figure (its place in `kept`, from 1): the months of one
    apportioned figure share one.

    The Data sheet gives a figure per month; the partnership's ledger held one entry for a
    figure reported for a quarter, and the analyses count entries (an eligibility breach is
    one entry, not three months). So a run of apportioned figures with the same source,
    stream and category in consecutive months, in the order they come, is numbered as one
    entry again: the number of the run's first figure. Two figures of one file with the same
    keys for adjacent periods (a Q2 and a Q3 forecast) become one entry too: the Data sheet
    cannot tell them apart. Money is unaffected: each month keeps its amount.
    """
    month = pl.col("month")
    step = month.dt.year().cast(pl.Int64) * 12 + month.dt.month().cast(pl.Int64)
    numbered = kept.select(*_ENTRY_KEY, "apportioned", month,
                           pl.int_range(1, kept.height + 1, dtype=pl.Int64).alias("_n"))
    runs = (numbered.filter(pl.col("apportioned") & month.is_not_null())
            .with_columns(step.alias("_step"))
            .with_columns(((pl.col("_step") - pl.col("_step").shift(1).over(_ENTRY_KEY)) != 1)
                          .fill_null(True).cum_sum().over(_ENTRY_KEY).alias("_run"))
            .select("_n", pl.col("_n").first().over([*_ENTRY_KEY, "_run"]).alias("_entry")))
    joined = numbered.select("_n").join(runs, on="_n", how="left", maintain_order="left")
    return joined.select(pl.coalesce("_entry", "_n")).to_series().alias("row_no")


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
    names = {f: f for f in received.rows.frame["funder_id"].unique(maintain_order=True)}
    if received.ret is not None:
        names.update({s.funder_id: s.funder_name for s in received.ret.summary})
        names.update({t.funder_id: t.funder_name for t in received.ret.stream_terms})
    return pl.DataFrame({"funder_id": [scoped(pid, f) for f in names],
                         "name": list(names.values()), "funder_type": [None] * len(names)},
                        schema={"funder_id": pl.String, "name": pl.String,
                                "funder_type": pl.String})

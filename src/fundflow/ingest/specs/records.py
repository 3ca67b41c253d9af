"""Canonical records: extracted fields checked against the ledger's vocabulary.

Each record kind (finance entries, indicator values, streams) has required fields, allowed
values and defaults; this module turns a table's parsed fields into the frame its ledger table
expects, resolves period labels to dates, and reports what does not fit as issues at the
record's cell. Money is already integer pence here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from fundflow.ingest.specs.extract import FileContext, TableRecords
from fundflow.ingest.specs.fields import ALLOWED, DEFAULTS, LEDGER_TABLES, RENAMES
from fundflow.issues import Issue, Severity
from fundflow.ledger.schema import (
    Table,
)
from fundflow.mapping.periods import Period, parse_period

UNITS = {"£": "GBP", "£000s": "GBP_000", "£m": "GBP_M"}

REQUIRED = {
    "finance": ("stream_id", "funder_id", "measure", "state", "cap_rev", "amount_gbp_pence"),
    "indicators": ("stream_id", "funder_id", "funder_indicator", "value_type", "value"),
    "streams": ("stream_id", "funder_id", "name", "award_pence", "start_date", "end_date",
                "ring_fence_type"),
}
TABLES = LEDGER_TABLES


def to_ledger_frame(ctx: FileContext, records: TableRecords) -> pl.DataFrame:
    """The table's records as its ledger frame; records that cannot be stored become issues."""
    kind = records.table.kind
    frame = records.frame.rename(
        {k: v for k, v in RENAMES[kind].items() if k in records.frame.columns}
    )
    frame = _defaults(ctx, kind, frame)
    if kind in ("finance", "indicators"):
        frame = _periods(ctx, records, frame)
    if kind == "finance" and "unit" not in frame.columns:
        unit = str(records.table.fields["amount"].options.get("unit", "£"))
        frame = frame.with_columns(pl.lit(UNITS.get(unit, unit)).alias("unit"))
    if kind == "finance":
        frame = frame.with_columns(pl.col("_raw").alias("amount_raw"))
    frame = _check_allowed(ctx, records, frame)
    frame = _check_required(ctx, records, frame)
    frame = frame.with_columns(
        pl.col("_sheet").alias("source_sheet"), pl.col("_cell").alias("source_cell")
    )
    return _conform(frame, TABLES[kind])


def _defaults(ctx: FileContext, kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    values = dict(DEFAULTS[kind])
    if ctx.spec.funder:
        values.setdefault("funder_id", ctx.spec.funder)
    fills = []
    for name, value in values.items():
        if name in frame.columns:
            fills.append(pl.col(name).fill_null(value))
        else:
            fills.append(pl.lit(value).alias(name))
    return frame.with_columns(fills) if fills else frame


def _periods(ctx: FileContext, records: TableRecords, frame: pl.DataFrame) -> pl.DataFrame:
    """Resolve period labels to start and end dates, once per distinct label."""
    if "period" not in frame.columns:
        if "period_start" in frame.columns and "period_end" in frame.columns:
            return frame.with_columns(
                pl.format("{} to {}", "period_start", "period_end").alias("period_label"))
        ctx.issue_once((records.table.name, "period"), "field-missing", field="period",
                       table=records.table.name,
                       expected="a `period` field, or `period_start` and `period_end`")
        return frame.clear()
    resolved: dict[str, tuple[date | None, date | None]] = {}
    labels = frame.get_column("period").drop_nulls().unique(maintain_order=True).to_list()
    for label in labels:
        dates = _resolved(ctx, records, frame, str(label))
        if dates is not None:
            resolved[label] = dates
    lookup = pl.DataFrame(
        {"period": list(resolved), "period_start": [v[0] for v in resolved.values()],
         "period_end": [v[1] for v in resolved.values()]},
        schema={"period": pl.String, "period_start": pl.Date, "period_end": pl.Date},
    )
    frame = frame.drop([c for c in ("period_start", "period_end") if c in frame.columns])
    frame = frame.with_columns(pl.col("period").cast(pl.String))
    if len(resolved) < len(labels) or frame.get_column("period").has_nulls():
        frame = frame.filter(pl.col("period").is_in(list(resolved)))
    return frame.join(lookup, on="period", how="left").rename({"period": "period_label"})


@dataclass
class _Unresolved:
    """A period label that is not a period: where its issue is, and how many cells carry it."""

    index: int
    issue: Issue
    cells: int


def _resolved(
    ctx: FileContext, records: TableRecords, frame: pl.DataFrame, label: str
) -> tuple[date | None, date | None] | None:
    """The label's dates, resolved once per table even when its records come in parts; a label
    that is no period is one issue, at its first cell, counting every cell that carries it."""
    key = (records.table.name, label)
    known = ctx.periods.get(key)
    if isinstance(known, tuple):
        return known
    rows = frame.filter(pl.col("period") == label)
    if isinstance(known, _Unresolved):
        known.cells += rows.height
    else:
        result = parse_period(label, records.table.period_convention)
        if isinstance(result, Period):
            ctx.periods[key] = _bounded(ctx, records, frame, result)
            return ctx.periods[key]  # type: ignore[no-any-return]
        first = rows.row(0, named=True)
        issue = result.model_copy(update={
            "file": ctx.file_name, "sheet": first["_sheet"], "cell": first["_cell"]})
        known = ctx.periods[key] = _Unresolved(len(ctx.issues), issue, rows.height)
        ctx.issues.append(issue)
    more = f" (and {known.cells - 1} more cells)" if known.cells > 1 else ""
    ctx.issues[known.index] = known.issue.model_copy(
        update={"message": known.issue.message + more})
    return None


def _bounded(
    ctx: FileContext, records: TableRecords, frame: pl.DataFrame, period: Period
) -> tuple[date | None, date | None]:
    """An open period closed at the table's declared programme bounds, said once per label.

    Without `open_periods` the open end stays None, which a finance record cannot store (it
    becomes `record-incomplete`); indicator values may keep it.
    """
    bounds = records.table.open_periods
    if bounds is None or (period.start is not None and period.end is not None):
        return period.start, period.end
    start = period.start or bounds.earliest
    end = period.end or bounds.latest
    first = frame.filter(pl.col("period") == period.label).row(0, named=True)
    ctx.issue("period-open-bounded", sheet=first["_sheet"], cell=first["_cell"],
              value=period.label, expected=f"{start} to {end}", table=records.table.name)
    return start, end


def _check_allowed(ctx: FileContext, records: TableRecords, frame: pl.DataFrame) -> pl.DataFrame:
    """Records whose vocabulary fields hold a value outside the ledger's list become issues.

    The usual table has none, so each column is tested once and the frame (millions of
    records in a wide table) is filtered only when some record must go.
    """
    for column, allowed in ALLOWED.items():
        if column not in frame.columns:
            continue
        fits = frame.select(
            pl.col(column).is_null() | pl.col(column).is_in(list(allowed))).to_series()
        if fits.all():
            continue
        bad = frame.filter(~fits)
        for row in bad.select("_sheet", "_cell", column).iter_rows():
            ctx.issue("value-not-allowed", sheet=row[0], cell=row[1], value=row[2],
                      expected=", ".join(allowed), field=column, table=records.table.name)
        frame = frame.filter(fits)
    return frame


def _check_required(
    ctx: FileContext, records: TableRecords, frame: pl.DataFrame
) -> pl.DataFrame:
    kind = records.table.kind
    needed = list(REQUIRED[kind])
    if kind in ("finance",):
        needed += ["period_start", "period_end"]
    for column in needed:
        if column not in frame.columns:
            ctx.issue_once((records.table.name, column), "field-missing", field=column,
                           table=records.table.name,
                           expected=f"a `{column}` field in the adapter")
            return frame.clear()
    incomplete = frame.select(pl.any_horizontal([pl.col(c).is_null() for c in needed])
                              ).to_series()
    if not incomplete.any():  # the usual case: no copy of the table's records
        return frame
    already = {(i.sheet, i.cell) for i in ctx.issues}
    for row in frame.filter(incomplete).iter_rows(named=True):
        if (row["_sheet"], row["_cell"]) in already:
            continue
        gone = [c for c in needed if row[c] is None]
        ctx.issue("record-incomplete", severity=Severity.ERROR, sheet=row["_sheet"],
                  cell=row["_cell"], value=", ".join(gone), table=records.table.name)
    return frame.filter(~incomplete)


def _conform(frame: pl.DataFrame, table: Table) -> pl.DataFrame:
    """Select and cast to the table's frame schema; absent optional columns become null."""
    schema = table.polars_schema()
    frame = frame.with_row_index("row_no", offset=1) if "row_no" not in frame.columns else frame
    cols = []
    for name, dtype in schema.items():
        if name == "submission_id":
            continue
        if name in frame.columns:
            cols.append(pl.col(name).cast(dtype, strict=False).alias(name))
        else:
            cols.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(cols)

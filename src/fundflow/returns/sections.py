"""The money sections of a return: summary, finance at each stream's tier, entries, data.

Every figure is a sum of Int64 pence over the mapped ledger frame, turned into a two-place
Decimal at the end; nothing is divided, averaged or converted through float. Only `on_basis`
rows (the counting rule's figure for each month, on its stream's basis: see `book.Book`) enter
the totals; the Data section keeps every row so each source file reconciles to the penny.
"""

from __future__ import annotations

import polars as pl

from fundflow.mapping.book import MAX_ENTRIES, Book
from fundflow.money import pence_to_decimal
from fundflow.returns.data_table import DataTable, data_table
from fundflow.returns.finance_table import KEYS as FINANCE_KEYS
from fundflow.returns.finance_table import FinanceTable
from fundflow.returns.model import (
    BasisGap,
    EntryTable,
    ReconRow,
    SummaryRow,
)
from fundflow.returns.scope import RING_FENCED

SPEND = ("spend",)
FORECASTS = ("spend", "forecast")
_ACTUAL = pl.col("state") == "actual"
_FORECAST = pl.col("state") == "forecast"


def _to_date(scope: Book) -> pl.Expr:
    return pl.col("at") <= scope.period.end


def _in_year(scope: Book) -> pl.Expr:
    return (pl.col("at") >= scope.period.start) & (pl.col("at") <= scope.period.year_end)


def _total(condition: pl.Expr) -> pl.Expr:
    return pl.col("amount_pence").filter(condition).sum()


def stream_figures(scope: Book) -> pl.DataFrame:
    """Per stream in the totals, in pence: received and spent to date, forecast after the period.

    Spent is actual spend on the stream's basis up to the period's end; forecast is forecast
    spend on that basis after it; balance is award less both, i.e. what is neither spent nor
    planned (negative: a forecast overspend). Received is actual receipts to date.
    """
    counted = scope.finance.filter(pl.col("counted"))
    on_basis = pl.col("on_basis")
    to_date = _to_date(scope)
    figures = counted.group_by("stream_id").agg(
        received=_total((pl.col("measure") == "receipt") & _ACTUAL & to_date),
        spent=_total(pl.col("measure").is_in(SPEND) & _ACTUAL & on_basis & to_date),
        forecast=_total(pl.col("measure").is_in(FORECASTS) & _FORECAST & on_basis & ~to_date),
    )
    streams = scope.streams.filter(pl.col("in_totals"))
    out = streams.join(figures, on="stream_id", how="left", maintain_order="left")
    out = out.with_columns(pl.col("received", "spent", "forecast").fill_null(0))
    return out.with_columns(balance=pl.col("award_pence") - pl.col("spent") - pl.col("forecast"))


def summary_rows(scope: Book) -> list[SummaryRow]:
    """One row per stream in the totals, funder by funder, each on its own basis."""
    rows = []
    for s in stream_figures(scope).iter_rows(named=True):
        rows.append(SummaryRow(
            funder_id=s["funder_id"], funder_name=s["funder_name"], stream_id=s["stream_id"],
            stream_name=s["name"], tier=s["tier"],
            ring_fenced=s["ring_fence_type"] in RING_FENCED,
            ring_fence_type=s["ring_fence_type"] or "unknown",
            basis=s["basis"], basis_assumed=s["basis_source"] == "assumed",
            award=pence_to_decimal(s["award_pence"]), received=pence_to_decimal(s["received"]),
            spent=pence_to_decimal(s["spent"]), forecast=pence_to_decimal(s["forecast"]),
            balance=pence_to_decimal(s["balance"]), end_date=s["end_date"],
        ))
    return rows


def basis_gaps(scope: Book) -> list[BasisGap]:
    """Counted spend and forecasts not in the totals, each with the reason: listed, never
    converted, never dropped."""
    gaps = scope.finance.filter(
        pl.col("counted") & pl.col("measure").is_in(FORECASTS) & ~pl.col("on_basis")
    ).group_by("funder_id", "stream_id", "measure", "state", "basis", "stream_basis").agg(
        amount=pl.col("amount_pence").sum()
    ).sort("funder_id", "stream_id", "measure", "state", "basis")
    return [BasisGap(funder_id=f, stream_id=s, measure=m, state=st, basis=b,
                     amount=pence_to_decimal(a), counted_basis=scope.restriction or own,
                     reason=_gap_reason(b, own, scope.restriction))
            for f, s, m, st, b, own, a in gaps.iter_rows()]


def _gap_reason(basis: str, own: str, restriction: str | None) -> str:
    if restriction is not None and own != restriction:
        return f"the stream is reported on the {own} basis; this return shows {restriction} only"
    return f"the stream is reported on the {own} basis, not {basis}"


def finance_rows(scope: Book) -> FinanceTable:
    """The year's actual (to the period's end) and forecast by the grain each tier asks for.

    Tier 0-1: level-1 heading only. Tier 2: level-1 heading x capital/revenue x quarter.
    Tier 3: level-2 category x capital/revenue x quarter (plus the entries list).
    """
    tier = pl.col("tier")
    rows = scope.finance.filter(
        pl.col("counted") & pl.col("in_totals") & _in_year(scope) & (_FORECAST | _to_date(scope))
    ).with_columns(
        year=pl.coalesce("year", pl.lit(scope.period.year)),
        quarter=pl.when(tier >= 2).then("quarter"),
        category=pl.when(tier >= 3).then("subjective").otherwise("subjective_l1"),
        cap_rev=pl.when(tier >= 2).then("cap_rev"),
    )
    grouped = rows.group_by(FINANCE_KEYS).agg(actual=_total(_ACTUAL), forecast=_total(_FORECAST))
    # One row per stream, category and quarter (100,000s at 15,000 streams): kept as a
    # frame; a writer makes the models a stream at a time (`FinanceTable.by_stream`).
    return FinanceTable(grouped.sort(FINANCE_KEYS, nulls_last=True)
                        .select(*FINANCE_KEYS, "actual", "forecast"))


def entry_rows(scope: Book) -> tuple[EntryTable, int]:
    """Tier 3 streams' actual entries in the year to date (the Book's first `MAX_ENTRIES`, in
    stream and date order) and how many there are in all."""
    rows = scope.transactions
    keys = ["stream_id", "submission_id", "row_no", "subjective"]
    carried = ["txn_date", "period_label", "description", "funder_category", "cap_rev",
               "measure", "state", "basis", "source_sheet", "source_cell"]
    grouped = rows.group_by(keys).agg(pl.col(carried).first(), amount=pl.col("amount_pence").sum())
    total = scope.transactions_total
    grouped = grouped.sort("stream_id", "txn_date", "submission_id", "row_no", "subjective",
                           nulls_last=True).head(MAX_ENTRIES)
    # Kept a frame: a writer that reads the entries one by one makes their models then.
    return EntryTable(grouped.select(
        "stream_id", date="txn_date", period_label="period_label",
        description="description", funder_category="funder_category", category="subjective",
        cap_rev="cap_rev", measure="measure", state="state", basis="basis", amount="amount",
        source="submission_id", sheet="source_sheet", cell="source_cell")), total


DATA_KEYS = ["funder_id", "stream_id", "tier", "month", "year", "quarter", "measure", "state",
             "basis", "subjective", "objective", "cap_rev", "funding_source", "funder_category",
             "apportioned", "on_basis", "submission_id"]


def data_frame(scope: Book) -> pl.DataFrame:
    """Every row of every submission with money in the return's year, one figure per row, in
    pence (a submission's rows all come, so it reconciles to its control total).

    Lazy, so only the columns grouped on are read from the Book: joining the whole finance
    frame first copied all its columns (about 250 MB at 1M figures, the return's peak)."""
    finance = scope.finance.lazy()
    live = finance.filter(_in_year(scope)).select("submission_id").unique()
    rows = finance.select(*DATA_KEYS, "amount_pence").join(live, on="submission_id", how="semi")
    grouped = rows.group_by(DATA_KEYS).agg(amount_pence=pl.col("amount_pence").sum())
    return grouped.sort(["submission_id", "stream_id", "month", "measure", "state", "basis",
                         "subjective", "objective", "cap_rev", "funding_source",
                         "funder_category", "apportioned", "on_basis"], nulls_last=True
                        ).collect()


def data_rows(scope: Book, frame: pl.DataFrame) -> DataTable:
    """`data_frame` as the Data sheet's columns (a frame: ~400,000 rows at 15,000 streams)."""
    return data_table(frame, scope.partnership)


def reconciliation_rows(scope: Book, frame: pl.DataFrame) -> list[ReconRow]:
    """Each source file's control total (from its import) against its rows in the return."""
    totals = frame.group_by("submission_id").agg(pl.col("amount_pence").sum())
    pence = dict(totals.iter_rows())
    subs = scope.submissions.filter(pl.col("submission_id").is_in(list(pence)))
    out = []
    for sub, name, sha, adapter, period, file_total in subs.select(
            "submission_id", "file_name", "file_sha256", "adapter_id", "funder_period",
            "amount_total").iter_rows():
        # figures to date were reduced by the earlier ones: with those the file ties
        in_return = pence_to_decimal(int(pence[sub]) + scope.earlier_to_date.get(sub, 0))
        out.append(ReconRow(submission_id=sub, file=name, sha256=sha, adapter_id=adapter,
                            funder_period=period, file_total=file_total, return_total=in_return,
                            difference=in_return - file_total))
    return out

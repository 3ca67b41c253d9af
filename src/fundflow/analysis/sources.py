"""Reading the ledger for the analyses, and choosing which reported money counts.

The same money reaches the ledger more than once: a quarterly return repeats the year's earlier
quarters, a cumulative statement restates everything to date, and a transaction list and a claim
summary report one stream's spend twice. Summing every entry would count it all again, so the
analyses read money through `monthly`, which keeps one source per stream and month:

1. each entry is apportioned to calendar months by days (largest remainder, exact pence);
2. per stream, one template (adapter) reports each kind of money: the one whose entries reach the
   latest period end (ties: the one starting earliest, then the alphabetically last adapter id,
   so the choice is stable);
3. per stream and month, the figure comes from that template's latest submission (the one whose
   actual entries reach furthest, then the one imported last): a later return restates earlier
   months, and its figure is the corrected one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from fundflow.analysis.common import StreamInfo, split_codes
from fundflow.apportion import apportion_frame, map_entries
from fundflow.reference import UNMAPPED, load_reference
from fundflow.schema import FINANCE_ENTRY

Kind = Literal["spend", "forecast", "receipt", "clawback", "budget"]
AMOUNT = "amount_gbp_pence"

_KINDS: dict[str, pl.Expr] = {
    "spend": (pl.col("measure") == "spend") & (pl.col("state") == "actual"),
    "forecast": pl.col("measure").is_in(["spend", "forecast"]) & (pl.col("state") == "forecast"),
    "receipt": (pl.col("measure") == "receipt") & (pl.col("state") == "actual"),
    "clawback": (pl.col("measure") == "clawback") & (pl.col("state") == "actual"),
    "budget": pl.col("measure") == "budget",
}

FINANCE_COLUMNS = (
    "submission_id", "source_sheet", "source_cell", "stream_id", "funder_id", "period_start",
    "period_end", "measure", "state", "cap_rev", "funder_category", "subjective", "unit",
)
SUBMISSION_COLUMNS = ("adapter_id", "return_type", "imported_at")

_STREAM_SQL = """
SELECT t.* EXCLUDE (submission_id, row_no, source_sheet, source_cell)
FROM current_stream t JOIN current_submission s USING (submission_id)
QUALIFY row_number() OVER (PARTITION BY t.stream_id
                           ORDER BY s.imported_at DESC, s.submission_id DESC) = 1
ORDER BY t.stream_id
"""


@dataclass(frozen=True)
class Inputs:
    """What the analyses read, loaded once: streams, finance entries, submissions, item counts.

    Build it with `load_inputs`, or by hand in tests; every analysis is a pure function of it.
    """

    streams: list[StreamInfo]
    finance: pl.DataFrame
    submissions: pl.DataFrame = field(default_factory=pl.DataFrame)
    items: pl.DataFrame = field(default_factory=pl.DataFrame)
    _months: dict[str, pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    def money(self, kind: Kind) -> pl.DataFrame:
        """`monthly(self.finance, kind)`, computed once per kind (apportioning is the cost)."""
        if kind not in self._months:
            self._months[kind] = monthly(self.finance, kind)
        return self._months[kind]


def load_inputs(con: Any, finance: pl.DataFrame | None = None) -> Inputs:
    """Read the ledger's current streams, finance, submissions and item counts.

    `finance` replaces `current_finance` when given: the mapping stage passes its frame, whose
    `subjective` column holds the mapped canonical codes. It needs the columns of
    `FINANCE_COLUMNS` plus `amount_gbp_pence`; submission columns are joined when missing.
    """
    submissions = load_submissions(con)
    if finance is None:
        frame = with_canonical_categories(load_finance(con))
    else:
        frame = with_submissions(finance, submissions)
    return Inputs(load_streams(con), frame, submissions, load_items(con))


def with_canonical_categories(finance: pl.DataFrame) -> pl.DataFrame:
    """Entries the file did not give a canonical category get the crosswalk's, split by share.

    Eligibility is judged on canonical categories (a stream's conditions name them), so the
    funders' own labels must be mapped first; a split label becomes several pieces whose
    pennies add up to the entry. Labels no crosswalk maps stay without a category (the return
    reports them as unmapped).
    """
    reference, _ = load_reference()
    if reference is None or finance.height == 0:
        return finance
    stated = finance.filter(pl.col("subjective").is_not_null())
    todo = finance.filter(pl.col("subjective").is_null() & pl.col("funder_category").is_not_null())
    rest = finance.filter(pl.col("subjective").is_null() & pl.col("funder_category").is_null())
    if todo.height == 0:
        return finance
    mapped, _ = map_entries(todo.drop("subjective").rename({AMOUNT: "amount_pence"}),
                            reference.crosswalks)
    mapped = mapped.rename({"amount_pence": AMOUNT}).with_columns(
        pl.col("subjective").replace(UNMAPPED, None))
    return pl.concat([stated, mapped.select(finance.columns), rest], how="vertical_relaxed")


def load_streams(con: Any) -> list[StreamInfo]:
    """Every current stream, once: when two current registers list a stream, the later wins."""
    cursor = con.execute(_STREAM_SQL)
    names = [d[0] for d in cursor.description]
    streams = []
    for row in cursor.fetchall():
        record = dict(zip(names, row, strict=True))
        record["eligible_categories"] = split_codes(record.get("eligible_categories"))
        record["ring_fence_type"] = (record.get("ring_fence_type") or "").strip()
        record.pop("partnership_id", None)
        streams.append(StreamInfo(**record))
    return streams


def load_finance(con: Any) -> pl.DataFrame:
    """Current finance entries with their submission's adapter, return type and import time.

    Money arrives as Int64 pence (`amount_gbp_pence`), converted exactly inside DuckDB.
    """
    columns = ", ".join(f"f.{c}" for c in FINANCE_COLUMNS)
    extra = ", ".join(f"s.{c}" for c in SUBMISSION_COLUMNS)
    sql = (
        f"SELECT {columns}, {extra}, CAST(f.amount_gbp * 100 AS BIGINT) AS {AMOUNT} "
        "FROM current_finance f JOIN current_submission s USING (submission_id)"
    )
    return _frame(con, sql)


def load_submissions(con: Any) -> pl.DataFrame:
    """Current submissions: one row per imported file, registers included."""
    return _frame(
        con,
        "SELECT submission_id, adapter_id, return_type, funder_id, stream_key, funder_period, "
        "imported_at, entry_count, indicator_count FROM current_submission",
    )


def load_items(con: Any) -> pl.DataFrame:
    """Data items per current submission and stream: finance entries plus indicator values."""
    return _frame(
        con,
        "SELECT submission_id, stream_id, count(*) AS items FROM ("
        " SELECT submission_id, stream_id FROM current_finance"
        " UNION ALL SELECT submission_id, stream_id FROM current_indicator"
        ") GROUP BY ALL ORDER BY ALL",
    )


def with_submissions(finance: pl.DataFrame, submissions: pl.DataFrame) -> pl.DataFrame:
    """A caller's finance frame (e.g. one the mapping stage produced) with submission columns.

    Columns the frame already has are kept; missing ones come from `submissions`.
    """
    missing = [c for c in SUBMISSION_COLUMNS if c not in finance.columns]
    if not missing:
        return finance
    extra = submissions.select("submission_id", *missing)
    return finance.join(extra, on="submission_id", how="left")


def empty_finance() -> pl.DataFrame:
    """A finance frame with no rows and every column `load_finance` gives (for pure callers)."""
    schema = FINANCE_ENTRY.polars_schema()
    columns = {name: schema[name] for name in FINANCE_COLUMNS}
    extra = {"adapter_id": pl.String(), "return_type": pl.String(),
             "imported_at": pl.Datetime("us"), AMOUNT: pl.Int64()}
    return pl.DataFrame(schema={**columns, **extra})


def _frame(con: Any, sql: str) -> pl.DataFrame:
    frame = pl.from_arrow(con.sql(sql).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)  # a table always converts to a frame
    return frame


# --- one figure per stream and month ---------------------------------------------------------
def monthly(finance: pl.DataFrame, kind: Kind) -> pl.DataFrame:
    """One amount per (stream, month) for a kind of money, chosen as the module doc says.

    Returns `stream_id`, `month` (first day) and `amount_pence`. Entries whose period cannot be
    placed in time (reversed) are left out: they cannot be dated.
    """
    picked = finance.filter(_KINDS[kind])
    if picked.is_empty():
        return _empty_monthly()
    picked = picked.join(template_choice(picked), on=["stream_id", "adapter_id"], how="semi")
    months, _ = apportion_frame(
        picked.select("stream_id", "submission_id", "period_start", "period_end", AMOUNT),
        amount=AMOUNT,
    )
    per_sub = (
        months.drop_nulls("month")
        .group_by("stream_id", "month", "submission_id")
        .agg(pl.col(AMOUNT).sum().alias("amount_pence"))
        .join(_vintages(finance), on="submission_id", how="left")
        .sort("stream_id", "month", "_reach", "_imported", "submission_id", nulls_last=False)
    )
    latest = per_sub.group_by("stream_id", "month", maintain_order=True).last()
    return latest.select("stream_id", "month", "amount_pence").sort("stream_id", "month")


def template_choice(picked: pl.DataFrame) -> pl.DataFrame:
    """Per stream, the adapter whose entries reach the latest period end.

    Ties go to the adapter whose entries start earliest (it covers more of the stream's life),
    then to the alphabetically last adapter id, so the choice never depends on row order.
    """
    reach = picked.group_by("stream_id", "adapter_id").agg(
        pl.col("period_end").max(), pl.col("period_start").min()
    )
    ordered = reach.sort(
        "stream_id", "period_end", "period_start", "adapter_id",
        descending=[False, False, True, False],
    )
    return ordered.group_by("stream_id", maintain_order=True).last().select(
        "stream_id", "adapter_id"
    )


def _vintages(finance: pl.DataFrame) -> pl.DataFrame:
    """How recent each submission is: the latest actual period end it reports, then import time."""
    actual = pl.col("period_end").filter(pl.col("state") == "actual")
    return finance.group_by("submission_id").agg(
        actual.max().alias("_reach"), pl.col("imported_at").max().alias("_imported")
    )


def _empty_monthly() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"stream_id": pl.String, "month": pl.Date, "amount_pence": pl.Int64}
    )


def total_by_stream(
    months: pl.DataFrame, first: date | None = None, last: date | None = None
) -> dict[str, int]:
    """Pence per stream over the months from `first`'s month to `last`'s month, both included."""
    frame = months
    if first is not None:
        frame = frame.filter(pl.col("month") >= first.replace(day=1))
    if last is not None:
        frame = frame.filter(pl.col("month") <= last.replace(day=1))
    totals = frame.group_by("stream_id").agg(pl.col("amount_pence").sum())
    return {row[0]: int(row[1]) for row in totals.iter_rows()}

"""The ledger reads behind the Book, held to their previous (plainer, slower) definitions.

Each query in `ledger/read.py` that was rewritten for speed or memory is compared here, on
generated ledgers, with the query or polars code it replaced: the same rows, in the same order.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from fundflow.ledger import read as ledger_read
from fundflow.ledger.arrow_stream import ArrowStream
from fundflow.ledger.store import open_ledger
from tests.test_analysis_ringfence import entry, submit

FIRST, LAST = date(2025, 4, 1), date(2026, 3, 31)

# The transaction list as it was read before `arg_min` kept the least keys: a full
# ORDER BY ... LIMIT over every column of every entry.
PREVIOUS_TRANSACTIONS_SQL = """
SELECT f.submission_id, f.row_no, f.stream_id, f.funder_id, f.period_label, f.period_start,
       f.period_end, f.measure, f.state, coalesce(f.basis, k.stream_basis) AS basis,
       f.basis AS stated_basis, f.cap_rev, f.funder_category,
       f.subjective AS stated_subjective, f.objective,
       coalesce(f.funding_source, 'funder') AS funding_source, f.description, f.txn_date,
       f.source_sheet, f.source_cell,
       CAST(CAST(f.amount_gbp AS DECIMAL(38,2)) * 100 AS BIGINT) AS amount_pence
FROM current_finance f
JOIN _counted k USING (submission_id, stream_id)
WHERE f.state = 'actual' AND f.period_start >= ? AND f.period_end <= ?
  AND (f.measure NOT IN ('spend', 'forecast') OR coalesce(f.basis, k.stream_basis) = k.stream_basis)
ORDER BY f.stream_id, f.txn_date NULLS LAST, f.submission_id, f.row_no LIMIT ?
"""

PERIODS = [(date(2025, 4, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 9, 30)),
           (date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30)),
           (date(2025, 1, 1), date(2025, 3, 31))]
MEASURES = [("spend", "actual"), ("spend", "forecast"), ("receipt", "actual"),
            ("forecast", "forecast"), ("clawback", "actual"), ("forecast", "actual")]


@st.composite
def finance_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Entries of a few streams: some dated (often on the same day), some undated, on
    several bases, in and out of the year."""
    rows = []
    for n in range(draw(st.integers(0, 14))):
        measure, state = draw(st.sampled_from(MEASURES))
        day = draw(st.one_of(st.none(), st.integers(0, 6)))
        rows.append(entry(
            draw(st.sampled_from(["S-B", "S-A", "S-C"])), measure, state,
            draw(st.sampled_from(PERIODS)), draw(st.integers(-50, 5_000)), "EMP.SAL",
            f"D{n + 7}", basis=draw(st.sampled_from([None, "defrayed", "accrued"])),
            txn_date=None if day is None else date(2025, 5, 1) + timedelta(days=day),
            description=draw(st.sampled_from([None, "Invoice", "=1+1"]))))
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(finance_rows(), min_size=1, max_size=3),
       bases=st.lists(st.sampled_from(["defrayed", "accrued"]), min_size=3, max_size=3),
       limit=st.integers(0, 20), dropped=st.sets(st.integers(0, 8), max_size=3))
def test_the_transaction_list_is_the_first_entries_in_order(
        files: list[list[dict[str, Any]]], bases: list[str], limit: int,
        dropped: set[int]) -> None:
    with open_ledger(":memory:") as con:
        ids = [submit(con, f"a{n}", "S-A", f"Q{n}", finance=rows)
               for n, rows in enumerate(files) if rows]
        pairs = pl.DataFrame(
            [{"submission_id": s, "stream_id": t, "stream_basis": b}
             for s in ids for t, b in zip(("S-A", "S-B", "S-C"), bases, strict=True)],
            schema={"submission_id": pl.String, "stream_id": pl.String,
                    "stream_basis": pl.String})
        pairs = pairs.with_row_index().filter(~pl.col("index").is_in(list(dropped))).drop(
            "index")
        got = ledger_read.transactions(con, pairs, FIRST, LAST, limit)
        cursor = con.cursor()
        cursor.register("_counted", ArrowStream(pairs))
        want = pl.DataFrame(cursor.sql(PREVIOUS_TRANSACTIONS_SQL,
                                       params=[FIRST, LAST, max(limit, 0)]))
        cursor.close()
    assert_frame_equal(got, want.with_columns(pl.col("amount_pence").cast(pl.Int64)))

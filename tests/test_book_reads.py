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


# --- the analyses' inputs, a block of streams at a time ---------------------------------------
# `analyse` reads the Book's finance a block of streams at a time and keeps only aggregates
# (`sources.EntryFacts`), breach candidates and month sums. Held here to the previous inputs:
# the whole Book's entries one by one (`previous_inputs`, the code `inputs_from_book` had),
# analysed by the analyses' previous entry-by-entry code (`previous_*` below).
from datetime import date as _date  # noqa: E402
from decimal import Decimal  # noqa: E402

from fundflow.analysis.burden import load_burden_config  # noqa: E402
from fundflow.analysis.common import make_window  # noqa: E402
from fundflow.analysis.headline import analysis_of, ledger_inputs  # noqa: E402
from fundflow.analysis.sources import (  # noqa: E402
    AMOUNT,
    FINANCE_COLUMNS,
    Inputs,
    entry_facts,
    stream_infos,
    template_choice,
)
from fundflow.mapping.book import Book, build_book  # noqa: E402
from fundflow.mapping.canonical import SPENDING, UNCATEGORISED  # noqa: E402
from fundflow.mapping.reference import UNMAPPED, bundled_reference  # noqa: E402
from fundflow.returns.scope import parse_period  # noqa: E402
from tests.test_analysis_ringfence import stream_row  # noqa: E402

_ENTRY_COLUMNS = (*FINANCE_COLUMNS, "adapter_id", "return_type", "imported_at")
_ENTRY_KEYS = ("submission_id", "row_no", "subjective")


def previous_inputs(book: Book) -> Inputs:
    """`inputs_from_book` as it was: every entry of the Book, and its month figures."""
    entries = (
        book.finance.group_by(*_ENTRY_KEYS, maintain_order=True)
        .agg(pl.col(c for c in _ENTRY_COLUMNS if c not in _ENTRY_KEYS).first(),
             pl.col("amount_pence").sum().alias(AMOUNT), pl.col("on_basis").any().alias("counted"))
        .with_columns(pl.when(~pl.col("subjective").is_in([UNMAPPED, UNCATEGORISED]))
                      .then("subjective").alias("subjective"))
    )
    in_totals = pl.col("counted") & pl.col("in_totals")
    kept = in_totals & (~pl.col("measure").is_in(SPENDING) | pl.col("on_basis"))
    months = book.finance.filter(kept & pl.col("month").is_not_null()).select(
        "stream_id", "month", "measure", "state", "amount_pence")
    return Inputs(stream_infos(book.all_streams), entries, book.submissions, book.items, months)


QS = [(_date(2025, 4, 1), _date(2025, 6, 30)), (_date(2025, 7, 1), _date(2025, 9, 30)),
      (_date(2025, 10, 1), _date(2025, 12, 31)), (_date(2026, 1, 1), _date(2026, 3, 31)),
      (_date(2025, 4, 1), _date(2026, 3, 31)), (_date(2026, 4, 1), _date(2026, 9, 30))]
CATEGORIES = [("EMP.SAL", None), ("SUP.ICT", None), ("CAP", None), ("PRM.RENT", None),
              (None, "Mystery label"), (None, None)]
STREAMS = ("S-0", "S-1", "S-2", "S-3")


@st.composite
def multi_stream_ledgers(draw: st.DrawFn) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Submissions that each cover some of four streams (so a submission's reach is over
    several streams), restating and extending each other, on several bases and templates."""
    files = []
    for n in range(draw(st.integers(1, 5))):
        rows = []
        for k in range(draw(st.integers(1, 8))):
            measure, state = draw(st.sampled_from([*MEASURES[:4], ("budget", "forecast")]))
            subjective, label = draw(st.sampled_from(CATEGORIES))
            rows.append(entry(
                draw(st.sampled_from(STREAMS)), measure, state, draw(st.sampled_from(QS)),
                draw(st.integers(-100, 9_000)), subjective, f"D{k + 7}",
                funder_category=label, basis=draw(st.sampled_from([None, "defrayed", "accrued"])),
                unit=draw(st.sampled_from([None, "GBP", "GBP_000"]))))
        files.append((draw(st.sampled_from(["tmpl-a", "tmpl-b", "tmpl-c"])), f"P{n}", rows))
    return files


def _write(con: Any, files: list[tuple[str, str, list[dict[str, Any]]]]) -> None:
    eligible = ["EMP;SUP", "CAP", None, "EMP.SAL"]
    submit(con, "register", "register", "2025-26", return_type="register", streams=[
        stream_row(sid, f"F-{n % 2}", 50_000, _date(2025, 4, 1), _date(2026, 9, 30),
                   ring_fence_type="ringfenced_conditions", eligible_categories=eligible[n],
                   accounting_basis=[None, "defrayed"][n % 2], reporting_frequency="quarterly")
        for n, sid in enumerate(STREAMS[:3])])  # S-3 is not in the register
    for adapter, period, rows in files:
        submit(con, adapter, "ALL", period, finance=rows)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=multi_stream_ledgers(), block=st.sampled_from([1, 2, 5, 250_000]),
       as_at=st.sampled_from([_date(2025, 9, 30), _date(2026, 3, 31)]))
def test_analyses_read_in_blocks_equal_the_whole_books(
        files: list[tuple[str, str, list[dict[str, Any]]]], block: int, as_at: _date) -> None:
    reference = bundled_reference()
    config, _ = load_burden_config()
    assert config is not None
    window = make_window("2025-26", as_at, as_at)
    with open_ledger(":memory:") as con:
        _write(con, files)
        blocked = ledger_inputs(con, window, reference, entries=block)
        book = build_book(con, reference, parse_period("2025-26", None))
    whole = previous_inputs(book)
    assert (analysis_of(blocked, window, config).model_dump()
            == analysis_of(whole, window, config).model_dump())
    # The months are the previous ones summed per stream, month, measure and state.
    for kind in ("spend", "forecast", "receipt", "clawback", "budget"):
        assert_frame_equal(blocked.money(kind), whole.money(kind))
    # The facts are the whole Book's, whatever the blocks.
    facts, want = blocked.entry_facts(), entry_facts(whole.finance)
    for name in ("unmapped", "templates", "units"):
        key = ["stream_id", *(c for c in getattr(want, name).columns if c != "stream_id")]
        assert_frame_equal(getattr(facts, name).sort(key, nulls_last=True),
                           getattr(want, name).sort(key, nulls_last=True))


# The analyses' previous entry-by-entry code, which the facts replace.
def previous_redundancy(finance: pl.DataFrame) -> tuple[list[tuple[str, list[Any]]],
                                                          Decimal | None]:
    from fundflow.analysis.common import divide
    spend = finance.filter(pl.col("measure") == "spend")
    if spend.is_empty():
        return [], None
    per = spend.group_by("stream_id").agg(pl.col("adapter_id").unique().sort())
    streams = [(sid, list(t)) for sid, t in per.sort("stream_id").iter_rows() if len(t) > 1]
    main = spend.join(template_choice(spend), on=["stream_id", "adapter_id"], how="semi")
    return streams, divide(spend.height - main.height, spend.height)


@st.composite
def entry_frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(0, 25))
    pick = lambda values: [draw(st.sampled_from(values)) for _ in range(n)]  # noqa: E731
    periods = pick(QS)
    return pl.DataFrame({
        "stream_id": pick(["S-0", "S-1", "S-2"]), "measure": pick(["spend", "forecast"]),
        "adapter_id": pick(["a", "b", "c"]), "counted": pick([True, False]),
        "subjective": pick(["EMP.SAL", UNMAPPED, None, "CAP"]), "unit": pick([None, "GBP", ""]),
        "period_start": [p[0] for p in periods], "period_end": [p[1] for p in periods],
        AMOUNT: [draw(st.integers(-500, 5_000)) for _ in range(n)],
    }, schema_overrides={"adapter_id": pl.String, "subjective": pl.String, "unit": pl.String,
                         AMOUNT: pl.Int64, "counted": pl.Boolean})


@settings(max_examples=60, deadline=None)
@given(frame=entry_frames(), as_at=st.sampled_from([_date(2025, 9, 30), _date(2026, 3, 31)]))
def test_facts_give_what_the_entries_gave(frame: pl.DataFrame, as_at: _date) -> None:
    from fundflow.analysis.burden import _units, redundancy
    from fundflow.analysis.ringfence import unmapped_spend

    window = make_window("2025-26", as_at, as_at)
    facts = entry_facts(frame)
    redundant, ratio = redundancy(facts.templates)
    assert ([(r.stream_id, r.templates) for r in redundant], ratio) == previous_redundancy(frame)
    in_year = (pl.col("period_start") <= window.end) & (pl.col("period_end") >= window.start)
    assert _units(facts.units, window) == sorted(
        {u for u in frame.filter(in_year)["unit"].unique().to_list() if u})
    unmapped = frame.filter(pl.col("counted") & (pl.col("measure") == "spend") & in_year
                            & (pl.col("subjective").is_null()
                               | (pl.col("subjective") == UNMAPPED)))
    assert unmapped_spend(facts.unmapped, window) == (unmapped.height,
                                                      int(unmapped[AMOUNT].sum() or 0))

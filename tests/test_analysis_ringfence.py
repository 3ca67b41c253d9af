"""Ring-fencing analysis on a hand-made ledger whose every figure is worked out below.

The ledger ("Eastfold", built by `build_eastfold`, also used by the cycles, burden and CLI tests)
has five streams; in FY 2025-26 four are live (S-A, S-B, S-C, S-E; S-D starts in 2026-27):

    stream funder   award  dates                  ring-fence             eligible  other
    S-A    F-1    100,000  01/04/2025-31/03/2026  ringfenced_conditions  EMP;SUP   vir 10%, no c/f
    S-B    F-1     50,000  01/04/2024-31/03/2027  unringfenced           (any)     vir 100%
    S-C    F-2    200,000  01/10/2023-31/03/2026  specific_purpose       CAP       vir 0, match 50%
    S-D    F-2     30,000  01/04/2026-31/03/2027  ringfenced_statutory   -         follows S-C
    S-E    F-3     20,000  01/06/2025-30/11/2025  restricted_charitable  EMP.SAL   vir unknown

Money the returns report (£). S-A's Q2 return restates Q1, so naive sums double count:
    S-A a1 (Q1): spend Q1 20,000 EMP.SAL + 5,000 SUP.ICT + 1,000 PRM.RENT (breach);
                 forecasts 30,000 for each later quarter; budget 80,000
    S-A a2 (Q2): Q1 again; spend Q2 23,500 EMP.SAL + 500 unmapped; forecasts 25,000 (Q3),
                 20,000 (Q4)
    S-B b1:      spend Apr-Dec 2025 10,000 and March 2026 10,000
    S-C c1:      spend 30,000 before the year, 150,000 Apr-Sep; receipts 120,000 before the
                 year and 80,000 Apr-Sep; forecast 6,000 Jan-Mar 2026; one indicator value
    S-C k1:      a claim repeating the Apr-Sep spend of 150,000 (a second template)
    S-E e1:      spend 8,000 EMP.SAL and 2,000 EMP.AGY (breach: only EMP.SAL is eligible)
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl

from fundflow.analysis.common import StreamInfo, Window, make_window
from fundflow.analysis.funds import income_to, unspent_ring_fenced
from fundflow.analysis.headline import analyse_ring_fencing, headline
from fundflow.analysis.ringfence import restriction_index, ring_fenced_share
from fundflow.ledger.schema import FINANCE_ENTRY, INDICATOR_VALUE, STREAM, Table
from fundflow.ledger.store import SubmissionBatch, add_submission, open_ledger
from fundflow.mapping.reference import bundled_reference

D = Decimal
Q1, Q2, Q3, Q4 = (
    (date(2025, 4, 1), date(2025, 6, 30)),
    (date(2025, 7, 1), date(2025, 9, 30)),
    (date(2025, 10, 1), date(2025, 12, 31)),
    (date(2026, 1, 1), date(2026, 3, 31)),
)
AS_AT = date(2025, 12, 31)
WINDOW = make_window("2025-26", AS_AT, AS_AT)


# --- builders shared with the other analysis tests ------------------------------------------
def frame(table: Table, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows as a frame of `table`'s polars schema; unspecified columns are null."""
    schema = {k: v for k, v in table.polars_schema().items() if k != "submission_id"}
    full = [{**dict.fromkeys(schema), "row_no": n, **r} for n, r in enumerate(rows, 1)]
    return pl.DataFrame(full, schema=schema)


def stream_row(sid: str, funder: str, award: int, start: date, end: date,
               **kw: Any) -> dict[str, Any]:
    """A register row; award in whole pounds."""
    return {"stream_id": sid, "funder_id": funder, "name": f"Stream {sid}",
            "award_pence": award * 100, "start_date": start, "end_date": end,
            "ring_fence_type": "unringfenced", **kw}


def entry(
    sid: str, measure: str, state: str, period: tuple[date, date], pounds: int,
          subjective: str | None = None, cell: str = "D7", **kw: Any) -> dict[str, Any]:
    """A finance entry; amount in whole pounds."""
    return {"stream_id": sid, "funder_id": "F-X", "period_label": "p", "period_start": period[0],
            "period_end": period[1], "measure": measure, "state": state, "cap_rev": "revenue",
            "subjective": subjective, "amount_gbp_pence": pounds * 100, "source_sheet": "Finance",
            "source_cell": cell, "unit": "GBP", **kw}


def submit(con: Any, adapter: str, key: str, period: str, *, return_type: str = "finance",
           finance: list[dict[str, Any]] | None = None,
           streams: list[dict[str, Any]] | None = None, indicators: int = 0) -> str:
    """Add one submission built from rows; returns its id."""
    sha = hashlib.sha256(repr((adapter, key, period, finance, streams)).encode()).hexdigest()
    ind = [{"stream_id": key, "funder_id": "F-X", "funder_indicator": "People", "period_label":
            period, "value_type": "actual", "value": D(i + 1), "cumulative": False}
           for i in range(indicators)]
    batch = SubmissionBatch(
        file_name=f"{adapter}-{period}.xlsx", file_sha256=sha, adapter_id=adapter,
        adapter_version="1", return_type=return_type, stream_key=key, funder_period=period,
        finance=frame(FINANCE_ENTRY, finance) if finance else None,
        streams=frame(STREAM, streams) if streams else None,
        indicators=frame(INDICATOR_VALUE, ind) if ind else None,
    )
    return add_submission(con, batch).submission_id


EASTFOLD_STREAMS = [
    stream_row("S-A", "F-1", 100_000, date(2025, 4, 1), date(2026, 3, 31),
               ring_fence_type="ringfenced_conditions", eligible_categories="EMP;SUP",
               virement_limit_pct=D(10), carry_forward_rule="none_return",
               clawback_rule="unspent_returned", match_required_pct=D(0),
               reporting_frequency="quarterly", year_convention="UK_FY",
               accounting_basis="defrayed", allocation_method="competitive", risk_rating="high"),
    stream_row("S-B", "F-1", 50_000, date(2024, 4, 1), date(2027, 3, 31),
               virement_limit_pct=D(100), carry_forward_rule="free", clawback_rule="none",
               reporting_frequency="annual", year_convention="UK_FY",
               accounting_basis="accrued", allocation_method="formula"),
    stream_row("S-C", "F-2", 200_000, date(2023, 10, 1), date(2026, 3, 31),
               ring_fence_type="specific_purpose", eligible_categories="CAP",
               virement_limit_pct=D(0), carry_forward_rule="reprofile_with_approval",
               clawback_rule="unspent_returned", match_required_pct=D(50),
               spend_deadline=date(2026, 3, 31), reporting_frequency="half_yearly",
               year_convention="UK_FY", accounting_basis="defrayed",
               allocation_method="invited_bid", successor_stream_id="S-D"),
    stream_row("S-D", "F-2", 30_000, date(2026, 4, 1), date(2027, 3, 31),
               ring_fence_type="ringfenced_statutory", reporting_frequency="monthly",
               predecessor_stream_id="S-C", allocation_method="formula"),
    stream_row("S-E", "F-3", 20_000, date(2025, 6, 1), date(2025, 11, 30),
               ring_fence_type="restricted_charitable", eligible_categories="EMP.SAL",
               reporting_frequency="end_of_grant", year_convention="GRANT_ANNIV",
               accounting_basis="defrayed", allocation_method="direct_award"),
]

_Q1_SPEND = [
    entry("S-A", "spend", "actual", Q1, 20_000, "EMP.SAL", "D7"),
    entry("S-A", "spend", "actual", Q1, 5_000, "SUP.ICT", "D8"),
    entry("S-A", "spend", "actual", Q1, 1_000, "PRM.RENT", "D9"),
]
_BEFORE = (date(2023, 10, 1), date(2025, 3, 31))
_E = (date(2025, 6, 1), date(2025, 11, 30))


def build_eastfold(con: Any) -> None:
    """Write the Eastfold ledger described in this module's docstring."""
    submit(con, "register", "register", "2025-26", return_type="register",
           streams=EASTFOLD_STREAMS)
    submit(con, "tmpl-q", "S-A", "2025-26 Q1", finance=[
        *_Q1_SPEND,
        entry("S-A", "forecast", "forecast", Q2, 30_000, cell="E7"),
        entry("S-A", "forecast", "forecast", Q3, 30_000, cell="F7"),
        entry("S-A", "forecast", "forecast", Q4, 30_000, cell="G7"),
        entry("S-A", "budget", "forecast", (Q1[0], Q4[1]), 80_000, cell="H7"),
    ])
    submit(con, "tmpl-q", "S-A", "2025-26 Q2", finance=[
        *_Q1_SPEND,
        entry("S-A", "spend", "actual", Q2, 23_500, "EMP.SAL", "E7"),
        entry("S-A", "spend", "actual", Q2, 500, None, "E8", funder_category="Sundries"),
        entry("S-A", "forecast", "forecast", Q3, 25_000, cell="F7"),
        entry("S-A", "forecast", "forecast", Q4, 20_000, cell="G7"),
    ])
    submit(con, "tmpl-b", "S-B", "2025-26", finance=[
        entry("S-B", "spend", "actual", (Q1[0], Q3[1]), 10_000, "EMP"),
        entry("S-B", "spend", "actual", (date(2026, 3, 1), Q4[1]), 10_000, "EMP", "D8"),
    ])
    c_unit = {"unit": "GBP_000"}
    submit(con, "tmpl-c", "S-C", "2025-26 H1", indicators=1, finance=[
        entry("S-C", "spend", "actual", _BEFORE, 30_000, "CAP", **c_unit),
        entry("S-C", "spend", "actual", (Q1[0], Q2[1]), 150_000, "CAP", "D8", **c_unit),
        entry("S-C", "receipt", "actual", _BEFORE, 120_000, cell="D9", **c_unit),
        entry("S-C", "receipt", "actual", (Q1[0], Q2[1]), 80_000, cell="D10", **c_unit),
        entry("S-C", "spend", "forecast", Q4, 6_000, "CAP", "D11", **c_unit),
    ])
    submit(con, "tmpl-claim", "S-C", "Claim 4", return_type="claim", finance=[
        entry("S-C", "spend", "actual", (Q1[0], Q2[1]), 150_000, "CAP"),
    ])
    submit(con, "tmpl-e", "S-E", "End of grant", finance=[
        entry("S-E", "spend", "actual", _E, 8_000, "EMP.SAL"),
        entry("S-E", "spend", "actual", _E, 2_000, "EMP.AGY", "D8"),
    ])


# --- the Eastfold ledger ----------------------------------------------------------------------
def test_ring_fenced_share_and_restriction(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        r = analyse_ring_fencing(con, WINDOW, reference=bundled_reference())
    assert r.streams == 4  # S-D starts after the year
    assert r.award == D("370000.00")
    assert r.ring_fenced_award == D("320000.00")
    assert r.ring_fenced_share == D("0.8649")  # 320 / 370 = 0.86486...
    by = {s.stream_id: s for s in r.by_stream}
    # S-A: (1 + 0.75 + 0.6 + 1 + 1 + 0) / 6; S-C: (1 + 0.875 + 1 + 0 + 1 + 0.5) / 6;
    # S-E: (1 + 0.875 + 1 + 0 + 1 + 0) / 6 (unknown virement counts as none allowed).
    assert by["S-A"].restriction_index == D("0.7250")
    assert by["S-B"].restriction_index == D("0.0000")
    assert by["S-C"].restriction_index == D("0.7292")
    assert by["S-E"].restriction_index == D("0.6458")
    assert by["S-E"].eligible_groups == 1
    # award-weighted: (72,500 + 145,833.33 + 12,916.67) / 370,000 = 231,250 / 370,000
    assert r.restriction_index == D("0.6250")
    assert by["S-A"].virement_headroom == D("8000.00")  # 10% of the 80,000 budget lines
    assert by["S-A"].headroom_ratio == D("0.0800")
    assert by["S-B"].virement_headroom == D("50000.00")  # 100% of the award (no budget)
    assert by["S-E"].virement_headroom == D("0.00")
    funders = {f.funder_id: (f.ring_fenced, f.flexible) for f in r.by_funder}
    assert funders == {"F-1": (D("100000.00"), D("50000.00")),
                       "F-2": (D("200000.00"), D("0.00")), "F-3": (D("20000.00"), D("0.00"))}


def test_breaches_point_at_their_cells(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        r = analyse_ring_fencing(con, WINDOW, reference=bundled_reference())
    found = sorted((b.stream_id, b.subjective, b.source_cell, b.amount) for b in r.breaches)
    assert found == [
        ("S-A", "PRM.RENT", "D9", D("1000.00")),  # in Q1, restated by Q2: counted once
        ("S-E", "EMP.AGY", "D8", D("2000.00")),  # EMP.SAL does not allow its sibling
    ]
    assert len({b.submission_id for b in r.breaches if b.stream_id == "S-A"}) == 1
    issue = r.breaches[-1].issue()
    assert (issue.code, issue.sheet, issue.cell) == ("spend-not-eligible", "Finance", "D8")
    assert "EMP.AGY" in issue.message and "S-E" in issue.message
    assert (r.unmapped_spend_entries, r.unmapped_spend) == (1, D("500.00"))


def test_unspent_and_exposure_count_restated_money_once(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        f = analyse_ring_fencing(con, WINDOW, reference=bundled_reference()).funds
    # S-A spent 26,000 + 24,000 (Q1 once, not twice); S-C 30,000 + 150,000 (the claim repeats
    # it); S-E ended before as-at; S-B is not ring-fenced.
    assert f.unspent_ring_fenced == D("70000.00")  # 50,000 + 20,000
    rows = {e.stream_id: e for e in f.exposures}
    assert set(rows) == {"S-A", "S-C"}
    a, c = rows["S-A"], rows["S-C"]
    assert (a.spent_to_date, a.forecast_to_deadline) == (D("50000.00"), D("20000.00"))
    assert (a.projected_unspent, a.clawback_exposure) == (D("30000.00"), D("30000.00"))
    assert (c.spent_to_date, c.forecast_to_deadline) == (D("180000.00"), D("6000.00"))
    assert c.projected_unspent == D("14000.00")
    assert f.clawback_exposure == D("44000.00")
    assert [(d.deadline, d.streams, d.clawback_exposure) for d in f.deadlines] == [
        (date(2026, 3, 31), ["S-A", "S-C"], D("44000.00"))
    ]


def test_roll_forward_is_a_statement_of_funds(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        f = analyse_ring_fencing(con, WINDOW, reference=bundled_reference()).funds
    rows = {
        r.stream_id: (r.brought_forward, r.received, r.spent, r.transfers, r.carried_forward,
                      r.income_basis)
        for r in f.roll_forward
    }
    assert rows == {
        "S-A": (D("0.00"), D("100000.00"), D("50000.00"), D("0.00"), D("50000.00"),
                "award_apportioned"),
        "S-C": (D("90000.00"), D("80000.00"), D("150000.00"), D("0.00"), D("20000.00"),
                "receipts"),
        "S-E": (D("0.00"), D("20000.00"), D("10000.00"), D("0.00"), D("10000.00"),
                "award_apportioned"),
    }


def test_year_end_spike(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        report = analyse_ring_fencing(con, WINDOW, reference=bundled_reference())
        spikes = {s.stream_id: s for s in report.funds.spend_spike}
    # year: 50,000 + 20,000 + 150,000 + 10,000; March: S-B's 10,000
    assert spikes["ALL"].year_spend == D("230000.00")
    assert (spikes["ALL"].march_share, spikes["ALL"].flagged) == (D("0.0435"), False)
    assert (spikes["S-B"].march_share, spikes["S-B"].q4_share) == (D("0.5000"), D("0.5000"))
    assert spikes["S-B"].flagged and not spikes["S-A"].flagged


def test_headline(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        h = headline(con, "2025-26", AS_AT, reference=bundled_reference())
    assert (h.ring_fenced_share, h.short_term_share) == (D("0.8649"), D("0.3243"))
    assert [(c.horizon_months, c.streams, c.award) for c in h.cliff_edge] == [
        (3, 2, D("300000.00")), (6, 2, D("300000.00")), (12, 2, D("300000.00"))]
    assert h.unspent_ring_fenced == D("70000.00")
    assert (h.returns_per_year, h.hours_saved) == (8, D("11.17"))


# --- pure functions and edges -----------------------------------------------------------------
def _s(sid: str, award: str, start: date, end: date, ring: str = "unringfenced") -> StreamInfo:
    return StreamInfo(stream_id=sid, funder_id="F", award=D(award), start_date=start,
                      end_date=end, ring_fence_type=ring)


def test_no_streams_and_zero_award_give_no_share() -> None:
    assert ring_fenced_share([], WINDOW) is None
    zero = [_s("Z", "0.00", Q1[0], Q4[1], "ringfenced_statutory")]
    assert ring_fenced_share(zero, WINDOW) is None
    assert unspent_ring_fenced(zero, {}, AS_AT) == 0


def test_share_counts_streams_live_on_the_years_edges() -> None:
    window = Window(year="2025-26", start=Q1[0], end=Q4[1], as_at=AS_AT)
    streams = [
        _s("ends-first-day", "100.00", date(2024, 4, 1), date(2025, 4, 1), "specific_purpose"),
        _s("starts-last-day", "300.00", date(2026, 3, 31), date(2027, 3, 30)),
        _s("before", "1000.00", date(2024, 4, 1), date(2025, 3, 31), "specific_purpose"),
    ]
    assert ring_fenced_share(streams, window) == D("0.2500")


def test_unspent_never_negative_and_includes_stream_ending_on_as_at() -> None:
    streams = [
        _s("over", "100.00", Q1[0], AS_AT, "ringfenced_statutory"),
        _s("under", "100.00", Q1[0], AS_AT, "ringfenced_statutory"),
    ]
    assert unspent_ring_fenced(streams, {"over": 15_000, "under": 2_500}, AS_AT) == 7_500


def test_income_apportioned_by_days_adds_up_to_the_award() -> None:
    s = _s("B", "50000.00", date(2024, 4, 1), date(2027, 3, 31))  # 1,095 days
    years = [date(2025, 3, 31), date(2026, 3, 31), date(2027, 3, 31)]
    cumulative = [income_to(s, None, day) for day in years]
    assert cumulative == [1_666_667, 3_333_333, 5_000_000]
    assert income_to(s, None, date(2024, 3, 31)) == 0


def test_restriction_index_bounds() -> None:
    free = StreamInfo(stream_id="F", funder_id="F", award=D(1), start_date=Q1[0],
                      end_date=Q4[1], virement_limit_pct=D(30))
    locked = StreamInfo(stream_id="L", funder_id="F", award=D(1), start_date=Q1[0],
                        end_date=Q4[1], ring_fence_type="ringfenced_statutory",
                        eligible_categories=("EMP.SAL",), carry_forward_rule="none_return",
                        match_required_pct=D(150))
    assert restriction_index(free) == 0
    # every term is 1 but eligibility, which leaves one group of eight open: 1 - 1/8
    assert restriction_index(locked) == Fraction(47, 48)

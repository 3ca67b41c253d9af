"""Short-term funding cycles: the Eastfold ledger worked by hand, edges, and properties.

Eastfold (see tests/test_analysis_ringfence.py) at 31/12/2025, FY 2025-26: live in the year
S-A (12 months, £100k), S-B (36, £50k), S-C (30, £200k, succeeded by S-D), S-E (6, £20k).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.analysis.common import StreamInfo, Window, add_months, make_window, whole_months
from fundflow.analysis.cycles import (
    cliff_edge,
    cliff_timeline,
    cycles,
    remaining_life,
    short_term_share,
)
from fundflow.analysis.headline import analyse_cycles
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import bundled_reference

D = Decimal
AS_AT = date(2025, 12, 31)
WINDOW = make_window("2025-26", AS_AT, AS_AT)


def test_eastfold_cycles(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        r = analyse_cycles(con, WINDOW, reference=bundled_reference())
    assert (r.streams, r.award) == (4, D("370000.00"))
    assert r.short_term_award == D("120000.00")  # S-A (12 months) and S-E (6)
    assert r.short_term_share == D("0.3243")
    # (100k x 12 + 50k x 36 + 200k x 30 + 20k x 6) / 370k = 9.12m / 370k
    assert r.award_weighted_duration == D("24.65")
    # live at as-at: S-A 3 months left, S-B 15, S-C 3: (300k + 750k + 600k) / 350k
    assert r.remaining_life == D("4.71")
    assert (r.live_at_as_at, r.live_award) == (3, D("350000.00"))
    # S-A and S-C end 31/03/2026, exactly 3 months after as-at; S-C has a successor
    three = r.cliff_edges[0]
    assert (three.until, three.streams, three.award) == (date(2026, 3, 31), 2, D("300000.00"))
    assert (three.no_successor_streams, three.no_successor_award) == (1, D("100000.00"))
    assert three.share_of_live == D("0.8571")
    assert [c.award for c in r.cliff_edges] == [D("300000.00")] * 3
    # started: S-A, S-E; ended: S-A, S-C, S-E; active 3 at each end: 2 x 5 / 6
    assert (r.churn.started, r.churn.ended, r.churn.churn) == (2, 3, D("1.6667"))
    assert r.competitive_share == D("0.8108")  # S-A competitive + S-C invited bid
    assert [(s.stream_id, s.successor_id, s.gap_days) for s in r.successions] == [
        ("S-E", None, None), ("S-A", None, None), ("S-C", "S-D", 0), ("S-B", None, None)]
    assert [(b.streams, b.award) for b in r.durations] == [
        (2, D("120000.00")), (0, D("0.00")), (2, D("250000.00")), (0, D("0.00"))]
    ending = {m.month: m.award for m in r.cliff_timeline if m.streams}
    assert ending == {date(2026, 3, 1): D("300000.00")}
    # The 12 months after as-at (31/12/2025): January to December 2026.
    assert [m.month for m in (r.cliff_timeline[0], r.cliff_timeline[-1])] == [
        date(2026, 1, 1), date(2026, 12, 1)]
    assert [t.stream_id for t in r.timeline] == ["S-C", "S-B", "S-A", "S-E", "S-D"]


def _s(sid: str, award: str, start: date, end: date, **kw: object) -> StreamInfo:
    return StreamInfo(stream_id=sid, funder_id="F", award=D(award), start_date=start,
                      end_date=end, **kw)  # type: ignore[arg-type]


def test_whole_months() -> None:
    assert whole_months(date(2025, 4, 1), date(2026, 3, 31)) == 12
    assert whole_months(date(2025, 4, 1), date(2026, 3, 30)) == 11
    assert whole_months(date(2025, 1, 15), date(2025, 2, 14)) == 1
    assert whole_months(date(2024, 2, 29), date(2025, 2, 28)) == 12  # leap-day start
    assert whole_months(date(2025, 4, 1), date(2025, 3, 31)) == 0
    assert whole_months(date(2025, 4, 1), date(2025, 4, 1)) == 0


def test_stream_ending_on_as_at_is_live_but_not_a_cliff() -> None:
    as_at = date(2026, 3, 31)
    streams = [
        _s("ends-today", "100", date(2025, 4, 1), as_at),
        _s("ends-in-12", "50", date(2024, 4, 1), date(2027, 3, 31)),
        _s("ends-day-after-12", "25", date(2024, 4, 1), date(2027, 4, 1)),
    ]
    edges = {h: cliff_edge(streams, as_at, h) for h in (3, 6, 12)}
    assert edges[3].streams == edges[6].streams == 0
    assert (edges[12].streams, edges[12].award) == (1, D("50.00"))  # exactly 12 months after
    assert edges[12].share_of_live == D("0.2857")  # 50 / 175: the stream ending today is live
    assert remaining_life(streams, as_at) == D("5.14")  # (0 + 50 x 12 + 25 x 12) / 175


def test_leap_year_horizon() -> None:
    as_at = date(2023, 11, 30)
    assert add_months(as_at, 3) == date(2024, 2, 29)
    streams = [
        _s("leap-day", "10", date(2023, 1, 1), date(2024, 2, 29)),
        _s("first-of-march", "20", date(2023, 1, 1), date(2024, 3, 1)),
    ]
    assert cliff_edge(streams, as_at, 3).stream_ids == ["leap-day"]
    assert cliff_edge(streams, as_at, 6).award == D("30.00")


def test_successor_named_only_by_the_follower() -> None:
    streams = [
        _s("old", "10", date(2024, 4, 1), date(2025, 3, 31)),
        _s("new", "10", date(2025, 6, 1), date(2026, 3, 31), predecessor_stream_id="old"),
    ]
    window = make_window("2024-25", date(2025, 1, 31), date(2025, 1, 31))
    edge = cliff_edge(streams, window.as_at, 3)
    assert (edge.streams, edge.no_successor_streams) == (1, 0)
    gap = cycles(streams, window).successions[0]
    assert (gap.successor_id, gap.gap_days) == ("new", 61)  # April and May unfunded


def test_no_streams() -> None:
    r = cycles([], WINDOW)
    assert r.short_term_share is None and r.award_weighted_duration is None
    assert r.remaining_life is None and r.churn.churn is None
    assert all(c.streams == 0 and c.share_of_live is None for c in r.cliff_edges)
    assert sum(m.streams for m in cliff_timeline([], AS_AT)) == 0


def test_zero_award_streams_give_no_share() -> None:
    streams = [_s("Z", "0", date(2025, 4, 1), date(2026, 3, 31))]
    assert short_term_share(streams, WINDOW) is None
    assert cliff_edge(streams, AS_AT, 3).share_of_live is None


# --- properties ---------------------------------------------------------------------------------
_DAY0 = date(2022, 1, 1)


@st.composite
def stream_sets(draw: st.DrawFn) -> list[StreamInfo]:
    n = draw(st.integers(0, 6))
    out = []
    for i in range(n):
        start = _DAY0 + timedelta(days=draw(st.integers(0, 1800)))
        end = start + timedelta(days=draw(st.integers(0, 1500)))
        award = draw(st.integers(0, 10**9))
        ring = draw(st.sampled_from(["unringfenced", "ringfenced_conditions", "specific_purpose"]))
        out.append(StreamInfo(stream_id=f"S{i}", funder_id="F", award=D(award).scaleb(-2),
                              start_date=start, end_date=end, ring_fence_type=ring))
    return out


@settings(max_examples=150, deadline=None)
@given(streams=stream_sets(), offset=st.integers(0, 2500))
def test_shares_lie_in_unit_interval_and_cliffs_grow(streams: list[StreamInfo],
                                                     offset: int) -> None:
    from fundflow.analysis.ringfence import ring_fenced_share

    as_at = _DAY0 + timedelta(days=offset)
    window = make_window(None, as_at, as_at)
    assert isinstance(window, Window)
    for value in (ring_fenced_share(streams, window), short_term_share(streams, window)):
        assert value is None or D(0) <= value <= D(1)
    edges = [cliff_edge(streams, as_at, h) for h in (3, 6, 12)]
    assert edges[0].award <= edges[1].award <= edges[2].award
    assert edges[0].streams <= edges[1].streams <= edges[2].streams
    live = sum(s.award for s in streams if s.live_at(as_at))
    assert edges[2].award <= live

"""Short-term funding cycles: how long the money lasts and when it stops.

Durations count whole calendar months (`common.whole_months`). Shares are over the streams live
at any point in the financial year analysed; cliff edges and remaining life are taken at the
as-at date. Definitions in words and formulas are in `docs/analysis.md`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel

from fundflow.analysis.common import (
    StreamInfo,
    Window,
    add_months,
    divide,
    live_at,
    live_in,
    month_start,
    pounds,
    share,
    whole_months,
)

HORIZONS = (3, 6, 12)
SHORT_TERM_MONTHS = 12
COMPETITIVE = frozenset({"competitive", "invited_bid"})
DURATION_BINS: tuple[tuple[str, int, int | None], ...] = (
    ("12 months or less", 0, 12),
    ("13 to 24 months", 13, 24),
    ("25 to 36 months", 25, 36),
    ("over 36 months", 37, None),
)


class CliffEdge(BaseModel):
    """Award of streams live at as-at that end after it and no later than `until`."""

    horizon_months: int
    until: date
    streams: int
    award: Decimal
    share_of_live: Decimal | None
    no_successor_streams: int
    no_successor_award: Decimal
    stream_ids: list[str]


class Churn(BaseModel):
    """Streams starting and ending in the year against the average number active."""

    started: int
    ended: int
    active_at_start: int
    active_at_end: int
    churn: Decimal | None


class Succession(BaseModel):
    """A stream's end and what follows it; `gap_days` 0 means the successor starts next day."""

    stream_id: str
    funder_id: str
    end_date: date
    award: Decimal
    successor_id: str | None
    successor_start: date | None
    gap_days: int | None


class TimelineEntry(BaseModel):
    """One stream on the funding timeline."""

    stream_id: str
    funder_id: str
    name: str
    start_date: date
    end_date: date
    duration_months: int
    award: Decimal
    ring_fenced: bool
    allocation_method: str | None
    successor_stream_id: str | None


class DurationBin(BaseModel):
    """Streams live in the year whose duration falls in [min_months, max_months]."""

    label: str
    min_months: int
    max_months: int | None
    streams: int
    award: Decimal


class MonthEnding(BaseModel):
    """Award of the streams ending in one calendar month after as-at."""

    month: date
    streams: int
    award: Decimal


class CyclesReport(BaseModel):
    """Everything `fundflow analyse cycles` shows; durations in months to 2 places."""

    window: Window
    streams: int
    award: Decimal
    short_term_award: Decimal
    short_term_share: Decimal | None
    award_weighted_duration: Decimal | None
    remaining_life: Decimal | None
    live_at_as_at: int
    live_award: Decimal
    cliff_edges: list[CliffEdge]
    churn: Churn
    competitive_share: Decimal | None
    successions: list[Succession]
    durations: list[DurationBin]
    cliff_timeline: list[MonthEnding]
    timeline: list[TimelineEntry]


def short_term_share(streams: Sequence[StreamInfo], window: Window) -> Decimal | None:
    """Award of streams of 12 months or less over all award, for streams live in the year."""
    live = live_in(streams, window)
    return share((s for s in live if s.duration_months <= SHORT_TERM_MONTHS), live)


def _named_successors(streams: Sequence[StreamInfo]) -> dict[str, str]:
    """Predecessor id to the first stream (in register order) naming it: built once, so a
    register of thousands of streams is not searched once per stream."""
    named: dict[str, str] = {}
    for t in streams:
        if t.predecessor_stream_id:
            named.setdefault(t.predecessor_stream_id, t.stream_id)
    return named


def cliff_edge(streams: Sequence[StreamInfo], as_at: date, months: int) -> CliffEdge:
    """Streams live at as-at ending after it and on or before as-at plus `months` months."""
    until = add_months(as_at, months)
    live = live_at(streams, as_at)
    ending = [s for s in live if as_at < s.end_date <= until]
    named = _named_successors(streams)
    orphans = [s for s in ending if not (s.successor_stream_id or s.stream_id in named)]
    award = sum(s.award_pence for s in ending)
    return CliffEdge(
        horizon_months=months,
        until=until,
        streams=len(ending),
        award=pounds(award),
        share_of_live=divide(award, sum(s.award_pence for s in live)),
        no_successor_streams=len(orphans),
        no_successor_award=pounds(sum(s.award_pence for s in orphans)),
        stream_ids=sorted(s.stream_id for s in ending),
    )


def award_weighted_duration(streams: Sequence[StreamInfo]) -> Decimal | None:
    """Σ award × duration months / Σ award, to 2 places."""
    total = sum(s.award_pence for s in streams)
    weighted = sum(s.award_pence * s.duration_months for s in streams)
    return divide(weighted, total, places=2)


def remaining_life(streams: Sequence[StreamInfo], as_at: date) -> Decimal | None:
    """Award-weighted whole months left after as-at, over streams live at as-at, to 2 places."""
    live = live_at(streams, as_at)
    after = as_at + timedelta(days=1)
    weighted = sum(s.award_pence * whole_months(after, s.end_date) for s in live)
    return divide(weighted, sum(s.award_pence for s in live), places=2)


def churn(streams: Sequence[StreamInfo], window: Window) -> Churn:
    """(streams starting in the year + streams ending in it) / mean of active at its two ends."""
    started = sum(window.start <= s.start_date <= window.end for s in streams)
    ended = sum(window.start <= s.end_date <= window.end for s in streams)
    first = len(live_at(streams, window.start))
    last = len(live_at(streams, window.end))
    return Churn(
        started=started, ended=ended, active_at_start=first, active_at_end=last,
        churn=divide(2 * (started + ended), first + last),
    )


def competitive_share(streams: Sequence[StreamInfo], window: Window) -> Decimal | None:
    """Award allocated by competition or invited bid over all award live in the year."""
    live = live_in(streams, window)
    return share((s for s in live if s.allocation_method in COMPETITIVE), live)


def successions(streams: Sequence[StreamInfo], window: Window) -> list[Succession]:
    """For each stream live in the year, its successor and the gap before it starts."""
    by_id = {s.stream_id: s for s in streams}
    named = _named_successors(streams)
    out = []
    for s in sorted(live_in(streams, window), key=lambda s: (s.end_date, s.stream_id)):
        successor_id = s.successor_stream_id or named.get(s.stream_id)
        successor = by_id.get(successor_id) if successor_id else None
        gap = (successor.start_date - s.end_date).days - 1 if successor else None
        out.append(Succession(
            stream_id=s.stream_id, funder_id=s.funder_id, end_date=s.end_date, award=s.award,
            successor_id=successor_id, successor_start=successor.start_date if successor else None,
            gap_days=gap,
        ))
    return out


def duration_bins(streams: Sequence[StreamInfo]) -> list[DurationBin]:
    """The duration histogram: streams and award per band of months."""
    out = []
    for label, low, high in DURATION_BINS:
        inside = [
            s for s in streams
            if low <= s.duration_months and (high is None or s.duration_months <= high)
        ]
        out.append(DurationBin(
            label=label, min_months=low, max_months=high, streams=len(inside),
            award=pounds(sum(s.award_pence for s in inside)),
        ))
    return out


def cliff_timeline(
    streams: Sequence[StreamInfo], as_at: date, months: int = 12
) -> list[MonthEnding]:
    """Award ending in each calendar month of the cliff edge's window, as-at to `months` later.

    The window is the cliff edge's (after as-at, up to and including as-at plus `months`), so
    the bars add up to `cliff_edge(..., months)` exactly: as at 31 March the bars run April to
    March. A mid-month as-at makes the first and last bars part months (13 bars).
    """
    until = add_months(as_at, months)
    ending = [s for s in live_at(streams, as_at) if as_at < s.end_date <= until]
    out = []
    month, last = month_start(as_at + timedelta(days=1)), month_start(until)
    while month <= last:
        these = [s for s in ending if month_start(s.end_date) == month]
        out.append(MonthEnding(
            month=month, streams=len(these), award=pounds(sum(s.award_pence for s in these))
        ))
        month = add_months(month, 1)
    return out


def timeline(streams: Sequence[StreamInfo]) -> list[TimelineEntry]:
    """Every stream in the register, by start date."""
    return [
        TimelineEntry(
            stream_id=s.stream_id, funder_id=s.funder_id, name=s.name, start_date=s.start_date,
            end_date=s.end_date, duration_months=s.duration_months, award=s.award,
            ring_fenced=s.ring_fenced, allocation_method=s.allocation_method,
            successor_stream_id=s.successor_stream_id,
        )
        for s in sorted(streams, key=lambda s: (s.start_date, s.stream_id))
    ]


def cycles(streams: Sequence[StreamInfo], window: Window) -> CyclesReport:
    """The short-term funding analysis for the window's year and as-at date."""
    live = live_in(streams, window)
    short = [s for s in live if s.duration_months <= SHORT_TERM_MONTHS]
    now = live_at(streams, window.as_at)
    return CyclesReport(
        window=window,
        streams=len(live),
        award=pounds(sum(s.award_pence for s in live)),
        short_term_award=pounds(sum(s.award_pence for s in short)),
        short_term_share=share(short, live),
        award_weighted_duration=award_weighted_duration(live),
        remaining_life=remaining_life(streams, window.as_at),
        live_at_as_at=len(now),
        live_award=pounds(sum(s.award_pence for s in now)),
        cliff_edges=[cliff_edge(streams, window.as_at, h) for h in HORIZONS],
        churn=churn(streams, window),
        competitive_share=competitive_share(streams, window),
        successions=successions(streams, window),
        durations=duration_bins(live),
        cliff_timeline=cliff_timeline(streams, window.as_at),
        timeline=timeline(streams),
    )

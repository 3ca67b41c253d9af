"""Restricted money over time: what is unspent, what the funder could take back, how it rolls on.

Spend, forecasts, receipts and clawback are read through `sources.monthly`, one figure per stream
and month, so a return that restates earlier quarters is not counted twice. "Up to as-at" means
the months that begin on or before the as-at date (the month containing it counts in full: the
ledger's grain is the month); forecasts count from the following month.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import polars as pl
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
    round_half_even,
    year_label,
)
from fundflow.analysis.sources import Inputs, total_by_stream

RETURNED_IF_UNSPENT_CARRY = frozenset({"none_return"})
RETURNED_IF_UNSPENT_CLAWBACK = frozenset({"unspent_returned"})
SPIKE_FLAG_Q4 = Decimal("0.4")
"""A Q4 share above 0.4 flags a March rush (domain.md §6.1.7; a flat profile gives 0.25)."""


class StreamExposure(BaseModel):
    """A ring-fenced stream's projected position at its spend deadline."""

    stream_id: str
    funder_id: str
    deadline: date
    award: Decimal
    spent_to_date: Decimal
    unspent_now: Decimal
    forecast_to_deadline: Decimal
    projected_unspent: Decimal
    clawback_exposure: Decimal


class DeadlineExposure(BaseModel):
    """The streams whose spend deadline falls on one date, with their totals."""

    deadline: date
    streams: list[str]
    projected_unspent: Decimal
    clawback_exposure: Decimal


class RollForward(BaseModel):
    """A restricted fund's movement in the year, as a charity's statement of funds shows it.

    carried_forward = brought_forward + received - spent + transfers.
    """

    stream_id: str
    funder_id: str
    brought_forward: Decimal | None
    """None: unknown, because receipts of earlier years were never reported."""
    received: Decimal
    spent: Decimal
    transfers: Decimal
    carried_forward: Decimal | None
    income_basis: Literal["receipts", "award_apportioned"]
    missing_receipts: list[str] = []
    """Financial years with spend but no receipt reported (why the balances are unknown)."""
    overspent: bool = False
    """True when the fund closes negative with every year's receipts reported."""


class SpendSpike(BaseModel):
    """March's and Q4's share of a year's actual spend (`stream_id` 'ALL' is the portfolio)."""

    stream_id: str
    year_spend: Decimal
    march_spend: Decimal
    march_share: Decimal | None
    q4_share: Decimal | None
    flagged: bool


class FundsReport(BaseModel):
    """Unspent ring-fenced money at as-at, exposure at deadlines, roll-forward, year-end spike."""

    unspent_ring_fenced: Decimal
    clawback_exposure: Decimal
    exposures: list[StreamExposure]
    deadlines: list[DeadlineExposure]
    roll_forward: list[RollForward]
    spend_spike: list[SpendSpike]


def unspent_ring_fenced(
    streams: Sequence[StreamInfo], spent: dict[str, int], as_at: date
) -> int:
    """Pence: Σ over ring-fenced streams live at as-at of max(0, award - actual spend to as-at)."""
    return sum(
        max(0, s.award_pence - spent.get(s.stream_id, 0))
        for s in live_at(streams, as_at)
        if s.ring_fenced
    )


def exposures(
    streams: Sequence[StreamInfo], spent: dict[str, int], forecast: dict[str, int], as_at: date
) -> list[StreamExposure]:
    """Each ring-fenced stream whose deadline is on or after as-at (and has started).

    projected unspent = max(0, award - spent to as-at - forecast after as-at to the deadline);
    it is clawback exposure when the stream's rules return unspent money to the funder.
    """
    out = []
    for s in streams:
        if not s.ring_fenced or s.deadline < as_at or s.start_date > as_at:
            continue
        done, ahead = spent.get(s.stream_id, 0), forecast.get(s.stream_id, 0)
        projected = max(0, s.award_pence - done - ahead)
        returned = (
            s.carry_forward_rule in RETURNED_IF_UNSPENT_CARRY
            or s.clawback_rule in RETURNED_IF_UNSPENT_CLAWBACK
        )
        out.append(StreamExposure(
            stream_id=s.stream_id, funder_id=s.funder_id, deadline=s.deadline, award=s.award,
            spent_to_date=pounds(done), unspent_now=pounds(max(0, s.award_pence - done)),
            forecast_to_deadline=pounds(ahead), projected_unspent=pounds(projected),
            clawback_exposure=pounds(projected if returned else 0),
        ))
    return sorted(out, key=lambda e: (e.deadline, e.stream_id))


def by_deadline(rows: Sequence[StreamExposure]) -> list[DeadlineExposure]:
    """Exposures grouped by deadline date, earliest first."""
    groups: dict[date, list[StreamExposure]] = {}
    for row in rows:
        groups.setdefault(row.deadline, []).append(row)
    return [
        DeadlineExposure(
            deadline=day,
            streams=[r.stream_id for r in group],
            projected_unspent=sum((r.projected_unspent for r in group), Decimal("0.00")),
            clawback_exposure=sum((r.clawback_exposure for r in group), Decimal("0.00")),
        )
        for day, group in sorted(groups.items())
    ]


def income_to(stream: StreamInfo, receipts: dict[str, int] | None, day: date) -> int:
    """Income recognised up to `day`: receipts when the stream has any, else the award by days.

    Without receipts the award is recognised evenly over the funding period's days, rounded
    half-even to the penny at each date, so the years' pieces add up to the award exactly.
    """
    if receipts is not None:
        return receipts.get(stream.stream_id, 0)
    if day < stream.start_date:
        return 0
    total = (stream.end_date - stream.start_date).days + 1
    elapsed = (min(day, stream.end_date) - stream.start_date).days + 1
    return round_half_even(stream.award_pence * elapsed, total)


def roll_forward(inputs: Inputs, window: Window) -> list[RollForward]:
    """The year's statement of funds for every ring-fenced stream live in the year.

    A fund whose returns report receipts for some years but not others cannot be rolled
    forward: spend without the matching income would show a negative balance that is not
    real. Its opening and closing balances are unknown (None) and `missing_receipts` names the
    financial years with spend but no receipt. A negative closing balance with every year's
    receipts reported is a real overspend (`overspent`).
    """
    spend = inputs.money("spend")
    receipts = inputs.money("receipt")
    clawback = inputs.money("clawback")
    before = window.start - timedelta(days=1)
    has_receipts = set(receipts.get_column("stream_id").to_list())
    spent_before, spent_in = total_by_stream(spend, last=before), total_by_stream(
        spend, window.start, window.end)
    back_before = total_by_stream(clawback, last=before)
    back_in = total_by_stream(clawback, window.start, window.end)
    got_before = total_by_stream(receipts, last=before)
    got_to_end = total_by_stream(receipts, last=window.end)
    gaps = _years_without_receipts(spend, receipts, window.end)
    out = []
    for s in live_in(inputs.streams, window):
        if not s.ring_fenced:
            continue
        known = s.stream_id in has_receipts
        opening = income_to(s, got_before if known else None, before)
        received = income_to(s, got_to_end if known else None, window.end) - opening
        sid = s.stream_id
        bf = opening - spent_before.get(sid, 0) - back_before.get(sid, 0)
        spent, moved = spent_in.get(sid, 0), -back_in.get(sid, 0)
        cf = bf + received - spent + moved
        missing = gaps.get(sid, []) if known and cf < 0 else []
        out.append(RollForward(
            stream_id=sid, funder_id=s.funder_id,
            brought_forward=None if missing else pounds(bf),
            received=pounds(received), spent=pounds(spent), transfers=pounds(moved),
            carried_forward=None if missing else pounds(cf),
            income_basis="receipts" if known else "award_apportioned",
            missing_receipts=missing, overspent=cf < 0 and not missing,
        ))
    return out


def _years_without_receipts(
    spend: pl.DataFrame, receipts: pl.DataFrame, last: date
) -> dict[str, list[str]]:
    """Per stream, the financial years up to `last` with spend but no receipt reported."""
    def years(frame: pl.DataFrame) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for sid, month, amount in frame.filter(pl.col("month") <= last).iter_rows():
            if amount:
                out.setdefault(sid, set()).add(year_label(month))
        return out

    spent, got = years(spend), years(receipts)
    return {sid: sorted(ys - got.get(sid, set())) for sid, ys in spent.items()
            if ys - got.get(sid, set())}


def spend_spike(inputs: Inputs, window: Window) -> list[SpendSpike]:
    """March and Q4 shares of the year's actual spend: portfolio first, then each stream."""
    spend = inputs.money("spend")
    year = total_by_stream(spend, window.start, window.end)
    march = month_start(window.end)
    q4 = total_by_stream(spend, add_months(march, -2), window.end)
    in_march = total_by_stream(spend, march, window.end)
    rows = [_spike("ALL", sum(year.values()), sum(in_march.values()), sum(q4.values()))]
    rows += [
        _spike(sid, total, in_march.get(sid, 0), q4.get(sid, 0))
        for sid, total in sorted(year.items())
    ]
    return rows


def _spike(stream_id: str, year: int, march: int, q4: int) -> SpendSpike:
    q4_share = divide(q4, year)
    return SpendSpike(
        stream_id=stream_id, year_spend=pounds(year), march_spend=pounds(march),
        march_share=divide(march, year), q4_share=q4_share,
        flagged=q4_share is not None and q4_share > SPIKE_FLAG_Q4,
    )


def funds_report(inputs: Inputs, window: Window) -> FundsReport:
    """Unspent ring-fenced money at as-at, exposure at each deadline, roll-forward and spike."""
    spend = inputs.money("spend")
    forecast = inputs.money("forecast")
    spent = total_by_stream(spend, last=window.as_at)
    ahead = _forecast_after(forecast, inputs.streams, window.as_at)
    rows = exposures(inputs.streams, spent, ahead, window.as_at)
    return FundsReport(
        unspent_ring_fenced=pounds(unspent_ring_fenced(inputs.streams, spent, window.as_at)),
        clawback_exposure=sum((r.clawback_exposure for r in rows), Decimal("0.00")),
        exposures=rows,
        deadlines=by_deadline(rows),
        roll_forward=roll_forward(inputs, window),
        spend_spike=spend_spike(inputs, window),
    )


def _forecast_after(
    forecast: pl.DataFrame, streams: Sequence[StreamInfo], as_at: date
) -> dict[str, int]:
    """Forecast spend per stream from the month after as-at's to its spend deadline's month.

    One join and one group-by, not a filter per stream: a ledger may hold 15,000 streams."""
    after = add_months(month_start(as_at), 1)
    deadlines = pl.DataFrame(
        {"stream_id": [s.stream_id for s in streams],
         "last_month": [month_start(s.deadline) for s in streams]},
        schema={"stream_id": forecast.schema["stream_id"], "last_month": pl.Date},
    ).unique("stream_id", keep="last")
    sums = (
        forecast.join(deadlines, on="stream_id")
        .filter((pl.col("month") >= after) & (pl.col("month") <= pl.col("last_month")))
        .group_by("stream_id").agg(pl.col("amount_pence").sum())
    )
    found = dict(zip(sums.get_column("stream_id").to_list(),
                     sums.get_column("amount_pence").to_list(), strict=True))
    return {s.stream_id: int(found.get(s.stream_id) or 0) for s in streams}

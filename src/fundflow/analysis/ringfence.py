"""Ring-fencing: how much of the partnership's money is tied to a purpose, and how tightly.

Definitions in words and formulas are in `docs/analysis.md`; the fund balances (unspent money,
clawback exposure, roll-forward, year-end spike) are in `funds.py`. Every share is computed over
the streams live at any point in the financial year analysed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import polars as pl
from pydantic import BaseModel

from fundflow.analysis.common import (
    StreamInfo,
    Window,
    allows,
    divide,
    fraction_to_decimal,
    live_in,
    pounds,
    round_half_even,
    share,
    spend_groups,
    to_pence,
)
from fundflow.analysis.funds import FundsReport, funds_report
from fundflow.analysis.sources import AMOUNT, Inputs, total_by_stream
from fundflow.issues import Issue, make_issue
from fundflow.mapping.reference import UNMAPPED

VIREMENT_CAP = Fraction(1, 4)
"""Virement limits of 25% or more count as fully flexible in the restriction index."""
LOCKING_CARRY_FORWARD = frozenset({"none_return"})
"""Carry-forward rules under which unspent money goes back: the index's carry-forward term."""


class StreamRestriction(BaseModel):
    """One stream's restriction: the index and its six terms (each 0 free to 1 locked)."""

    stream_id: str
    funder_id: str
    award: Decimal
    ring_fence_type: str
    ring_fenced: bool
    eligible_groups: int
    restriction_index: Decimal
    terms: dict[str, Decimal]
    virement_headroom: Decimal
    headroom_ratio: Decimal | None


class EligibilityBreach(BaseModel):
    """A spend entry in a category its stream's conditions do not allow, with its source cell."""

    stream_id: str
    funder_id: str
    submission_id: str
    source_sheet: str | None
    source_cell: str | None
    period_start: date
    period_end: date
    state: str
    subjective: str
    funder_category: str | None
    eligible: str
    amount: Decimal

    def issue(self) -> Issue:
        """The breach as a catalogue issue, located at its cell."""
        return make_issue(
            "spend-not-eligible", sheet=self.source_sheet, cell=self.source_cell,
            value=self.subjective, expected=self.eligible, stream=self.stream_id,
            amount=f"£{self.amount:,}",
        )


class FunderSplit(BaseModel):
    """One funder's award in the year, split into ring-fenced and flexible money."""

    funder_id: str
    ring_fenced: Decimal
    flexible: Decimal


class RingFencingReport(BaseModel):
    """Everything `fundflow analyse ring-fencing` shows; money in pounds, ratios to 4 places."""

    window: Window
    streams: int
    award: Decimal
    ring_fenced_award: Decimal
    ring_fenced_share: Decimal | None
    restriction_index: Decimal | None
    by_stream: list[StreamRestriction]
    by_funder: list[FunderSplit]
    breaches: list[EligibilityBreach]
    unmapped_spend_entries: int
    unmapped_spend: Decimal
    funds: FundsReport


def ring_fenced_share(streams: Sequence[StreamInfo], window: Window) -> Decimal | None:
    """Award of ring-fenced streams live in the year over award of all streams live in it."""
    live = live_in(streams, window)
    return share((s for s in live if s.ring_fenced), live)


def eligible_groups(stream: StreamInfo) -> set[str]:
    """The level-1 spend groups a stream may spend on (all of them when it lists none)."""
    groups = set(spend_groups())
    if not stream.eligible_categories:
        return groups
    return {code.split(".")[0] for code in stream.eligible_categories} & groups


def restriction_terms(stream: StreamInfo) -> dict[str, Fraction]:
    """The six terms of the restriction index (domain.md §6.1.2), exact."""
    return dict(_terms(frozenset(eligible_groups(stream)), stream.ring_fenced,
                       stream.virement_limit_pct, stream.match_required_pct,
                       stream.carry_forward_rule in LOCKING_CARRY_FORWARD))


@lru_cache(maxsize=4096)
def _terms(eligible: frozenset[str], ring_fenced: bool, virement_pct: Decimal | None,
           match_pct: Decimal | None, locking: bool) -> tuple[tuple[str, Fraction], ...]:
    """The terms for one set of conditions: 15,000 streams share a few dozen, and exact
    fractions cost about a second per 15,000 streams each time they are made."""
    virement = Fraction(virement_pct or 0) / 100
    match = Fraction(match_pct or 0) / 100
    both = "CAP" in eligible and len(eligible - {"CAP"}) > 0
    return (
        ("ring_fenced", Fraction(int(ring_fenced))),
        ("eligibility", 1 - Fraction(len(eligible), len(spend_groups()))),
        ("virement", 1 - min(virement, VIREMENT_CAP) / VIREMENT_CAP),
        ("carry_forward", Fraction(int(locking))),
        ("cap_rev", Fraction(int(not both))),
        ("match", min(match, Fraction(1))),
    )


def restriction_index(stream: StreamInfo) -> Fraction:
    """Equal-weighted mean of the six terms: 0 free money, 1 fully locked."""
    return index_of(restriction_terms(stream))


def index_of(terms: dict[str, Fraction]) -> Fraction:
    """The restriction index from a stream's terms (computed once per stream and shared)."""
    return _mean(tuple(terms.values()))


@lru_cache(maxsize=4096)
def _mean(values: tuple[Fraction, ...]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


@lru_cache(maxsize=4096)
def _as_decimal(value: Fraction) -> Decimal:
    return fraction_to_decimal(value)


def portfolio_restriction(streams: Sequence[StreamInfo],
                          indices: Sequence[Fraction] | None = None) -> Decimal | None:
    """Award-weighted mean restriction index, rounded once at the end; `indices` are the
    streams' indices when the caller has them already."""
    total = sum(s.award_pence for s in streams)
    if total == 0:
        return None
    if indices is None:
        indices = [restriction_index(s) for s in streams]
    award_at: dict[Fraction, int] = {}  # exact either way; a few sums of fractions, not 15,000
    for s, i in zip(streams, indices, strict=True):
        award_at[i] = award_at.get(i, 0) + s.award_pence
    weighted = sum((award * i for i, award in award_at.items()), Fraction(0))
    return fraction_to_decimal(weighted / total)


def virement_headroom(stream: StreamInfo, budget_pence: int | None) -> int:
    """Pence that may move between lines without approval: limit % of the budget (or award)."""
    base = stream.award_pence if not budget_pence else budget_pence
    percent = to_pence(stream.virement_limit_pct)  # hundredths of a percent
    return round_half_even(base * percent, 100 * 100)


def stream_restriction(stream: StreamInfo, budget_pence: int | None,
                       terms: dict[str, Fraction] | None = None) -> StreamRestriction:
    """A stream's restriction row (from its `terms` when the caller has them)."""
    headroom = virement_headroom(stream, budget_pence)
    terms = restriction_terms(stream) if terms is None else terms
    return StreamRestriction(
        stream_id=stream.stream_id,
        funder_id=stream.funder_id,
        award=stream.award,
        ring_fence_type=stream.ring_fence_type,
        ring_fenced=stream.ring_fenced,
        eligible_groups=len(eligible_groups(stream)),
        restriction_index=_as_decimal(index_of(terms)),
        terms={name: _as_decimal(value) for name, value in terms.items()},
        virement_headroom=pounds(headroom),
        headroom_ratio=divide(headroom, stream.award_pence),
    )


def eligibility_breaches(
    streams: Sequence[StreamInfo], finance: pl.DataFrame, window: Window
) -> tuple[list[EligibilityBreach], pl.DataFrame]:
    """Spend entries in the year whose canonical category the stream does not allow.

    Returns the breaches and the spend entries of `finance` that could not be checked because
    their category is unmapped (null or `UNMAPPED`): those are never counted as breaches, nor
    as compliant. From a Book, `Inputs.finance` holds only the breach candidates, and the
    unmapped entries are counted in `EntryFacts.unmapped` (`unmapped_spend`).
    Entries from a Book carry `counted`: only counted spend is judged, so a figure restated in
    four quarterly returns is one breach, not four.
    """
    if "counted" in finance.columns:
        finance = finance.filter(pl.col("counted"))
    spend = finance.filter(
        (pl.col("measure") == "spend")
        & (pl.col("period_start") <= window.end)
        & (pl.col("period_end") >= window.start)
    )
    unmapped = spend.filter(pl.col("subjective").is_null() | (pl.col("subjective") == UNMAPPED))
    mapped = spend.filter(pl.col("subjective").is_not_null() & (pl.col("subjective") != UNMAPPED))
    by_id = {s.stream_id: s for s in streams if s.eligible_categories}
    breaches = [
        _breach(row, by_id[row["stream_id"]])
        for row in mapped.filter(pl.col("stream_id").is_in(list(by_id))).iter_rows(named=True)
        if not allows(by_id[row["stream_id"]].eligible_categories, row["subjective"])
    ]
    breaches.sort(key=lambda b: (b.stream_id, b.period_start, b.submission_id, b.source_cell or ""))
    return breaches, unmapped


def unmapped_spend(unmapped: pl.DataFrame, window: Window) -> tuple[int, int]:
    """How many counted spend entries in the year have an unmapped category, and their pence
    (`EntryFacts.unmapped`): the entries `eligibility_breaches` could not check."""
    in_year = unmapped.filter((pl.col("period_start") <= window.end)
                              & (pl.col("period_end") >= window.start))
    return int(in_year["entries"].sum() or 0), int(in_year["pence"].sum() or 0)


def _breach(row: dict[str, object], stream: StreamInfo) -> EligibilityBreach:
    amount = row[AMOUNT]
    assert isinstance(amount, int)
    return EligibilityBreach(
        stream_id=stream.stream_id,
        funder_id=stream.funder_id,
        submission_id=str(row["submission_id"]),
        source_sheet=_text(row.get("source_sheet")),
        source_cell=_text(row.get("source_cell")),
        period_start=row["period_start"],
        period_end=row["period_end"],
        state=str(row["state"]),
        subjective=str(row["subjective"]),
        funder_category=_text(row.get("funder_category")),
        eligible=";".join(stream.eligible_categories),
        amount=pounds(amount),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def by_funder(streams: Sequence[StreamInfo]) -> list[FunderSplit]:
    """Ring-fenced and flexible award per funder, for the stacked-bar chart."""
    out: dict[str, list[int]] = {}
    for s in streams:
        pair = out.setdefault(s.funder_id, [0, 0])
        pair[0 if s.ring_fenced else 1] += s.award_pence
    return [
        FunderSplit(funder_id=f, ring_fenced=pounds(rf), flexible=pounds(fx))
        for f, (rf, fx) in sorted(out.items())
    ]


def ring_fencing(inputs: Inputs, window: Window) -> RingFencingReport:
    """The ring-fencing analysis of the streams live in the window's year."""
    live = live_in(inputs.streams, window)
    budgets = total_by_stream(inputs.money("budget"))
    breaches, _ = eligibility_breaches(live, inputs.finance, window)
    entries, unmapped = unmapped_spend(inputs.entry_facts().unmapped, window)
    ring = [s for s in live if s.ring_fenced]
    terms = [restriction_terms(s) for s in live]  # once per stream: the rows and the mean
    return RingFencingReport(
        window=window,
        streams=len(live),
        award=pounds(sum(s.award_pence for s in live)),
        ring_fenced_award=pounds(sum(s.award_pence for s in ring)),
        ring_fenced_share=share(ring, live),
        restriction_index=portfolio_restriction(live, [index_of(t) for t in terms]),
        by_stream=[stream_restriction(s, budgets.get(s.stream_id), t)
                   for s, t in zip(live, terms, strict=True)],
        by_funder=by_funder(live),
        breaches=breaches,
        unmapped_spend_entries=entries,
        unmapped_spend=pounds(unmapped),
        funds=funds_report(inputs, window),
    )

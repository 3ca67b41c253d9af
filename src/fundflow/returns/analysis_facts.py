"""The analysis sections' key figures as labelled values, shared by the xlsx and HTML writers.

One list per section, so the workbook and the page name and order the figures the same way.
A ratio stays the analysis' Decimal (0.9963) and is shown as a percentage (99.63): multiplying
a four-place Decimal by 100 is exact, so nothing is rounded twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from fundflow.analysis.burden import change_of
from fundflow.returns.analysis_model import AnalysisSections

FactKind = Literal["money", "int", "percent", "ratio", "hours"]
"""`ratio`: four places (an index); `hours`: two places (hours or months)."""


@dataclass(frozen=True)
class Fact:
    """One key figure: its label, value (None: not defined, e.g. a share of nothing), kind."""

    label: str
    value: Decimal | int | None
    kind: FactKind


def percent(ratio: Decimal | None) -> Decimal | None:
    """A four-place ratio as an exact percentage with two places (0.9963 -> 99.63)."""
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.01"))


def ring_fence_facts(a: AnalysisSections) -> list[Fact]:
    f = a.ring_fence_figures
    if f is None:
        return []
    return [
        Fact("Streams live in the year", f.streams, "int"),
        Fact("Award of those streams (£)", f.award, "money"),
        Fact("Ring-fenced award (£)", f.ring_fenced_award, "money"),
        Fact("Ring-fenced share (%)", percent(f.ring_fenced_share), "percent"),
        Fact("Restriction index (0 free to 1 locked)", f.restriction_index, "ratio"),
        Fact("Unspent ring-fenced money at as-at (£)", f.unspent_ring_fenced, "money"),
        Fact("Clawback exposure at spend deadlines (£)", f.clawback_exposure, "money"),
        Fact("Eligibility breaches (spend entries)", f.breaches, "int"),
        Fact("Spend entries not mapped to a category", f.unmapped_spend_entries, "int"),
        Fact("Spend not mapped to a category (£)", f.unmapped_spend, "money"),
    ]


def horizon_facts(a: AnalysisSections) -> list[Fact]:
    f = a.horizon_figures
    if f is None:
        return []
    return [
        Fact("Streams live in the year", f.streams, "int"),
        Fact("Award of those streams (£)", f.award, "money"),
        Fact("Short-term award: 12 months or less (£)", f.short_term_award, "money"),
        Fact("Short-term share (%)", percent(f.short_term_share), "percent"),
        Fact("Award-weighted duration (months)", f.award_weighted_duration, "hours"),
        Fact("Award-weighted remaining life (months)", f.remaining_life, "hours"),
        Fact("Streams live at as-at", f.live_at_as_at, "int"),
        Fact("Award live at as-at (£)", f.live_award, "money"),
        Fact("Churn (streams starting or ending / active)", f.churn, "ratio"),
        Fact("Competitive or invited-bid share (%)", percent(f.competitive_share), "percent"),
    ]


def burden_facts(a: AnalysisSections) -> list[Fact]:
    """The burden figures; a funder's report gets today's only (see `burden_note`).

    A consolidated return that takes more hours than today's returns (streams that report
    once a year, say) is shown as extra hours, never as a negative saving.
    """
    b = a.burden
    if b is None:
        return []
    now = [
        Fact("Returns asked for a year, now", b.returns_per_year, "int"),
        Fact("Data items reported a year, now", b.data_items_per_year, "int"),
        Fact("Distinct templates", b.templates, "int"),
        Fact("Distinct due dates in the year", b.distinct_due_dates, "int"),
        Fact("Redundancy: spend reported twice (%)", percent(b.redundancy_ratio), "percent"),
        Fact("Reporting hours a year, now", b.hours_before, "hours"),
        Fact("Reporting cost a year, now (£)", b.cost_before, "money"),
    ]
    if a.funder is not None:
        return now
    return [
        *now,
        Fact("Returns a year with one consolidated return", b.returns_after, "int"),
        Fact("Reporting hours a year, consolidated", b.hours_after, "hours"),
        Fact("Reporting cost a year, consolidated (£)", b.cost_after, "money"),
        *_change(b.hours_saved, b.cost_saved),
    ]


def _change(hours: Decimal, cost: Decimal) -> list[Fact]:
    change = change_of(hours, cost)
    if change.saves:
        return [Fact("Hours saved a year", change.hours, "hours"),
                Fact("Cost saved a year (£)", change.cost, "money")]
    return [Fact("Extra hours a year with one consolidated return", change.hours, "hours"),
            Fact("Extra cost a year with one consolidated return (£)", change.cost, "money")]


FUNDER_BURDEN_NOTE = (
    "Only this funder's returns are counted. The saving from one consolidated return is a "
    "figure for the whole partnership (see the consolidated return), not for one funder.")
EXTRA_HOURS_NOTE = (
    "One consolidated return a quarter would take more hours than the returns asked for now "
    "(these streams report rarely), so the figures show the extra hours, not a saving.")


def burden_note(a: AnalysisSections) -> str | None:
    """A sentence under the burden figures when they need one (a funder's report; extra hours)."""
    if a.burden is None:
        return None
    if a.funder is not None:
        return FUNDER_BURDEN_NOTE
    return EXTRA_HOURS_NOTE if a.burden.hours_saved < 0 else None

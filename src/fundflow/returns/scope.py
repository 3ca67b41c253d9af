"""What a return covers: its period, and the tier each stream is reported at.

The figures themselves come from the `book.Book` built for the period, handed to every section
so all sections agree on which money is in and which is out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from fundflow.mapping.reference import RING_FENCED_TYPES, Tiers

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^Q([1-4])$")
RING_FENCED = RING_FENCED_TYPES
"""Ring-fence types whose money is tied to a purpose: one definition with the analyses."""


@dataclass(frozen=True)
class Period:
    """A return's period: the report year's first day to the end of the quarter (or year)."""

    year: str
    quarter: str | None
    start: date
    end: date
    year_end: date


def parse_period(year: str, quarter: str | None, start_month: int = 4) -> Period:
    """'2025-26' (and 'Q2') as dates under a year starting in `start_month`.

    Raises:
        ValueError: for a year not written 'YYYY-YY' with consecutive years, or a quarter not
            Q1-Q4 (the CLI turns this into a usage error).
    """
    match = _YEAR.match(year)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"year '{year}' must be written like 2025-26")
    first = date(int(match[1]), start_month, 1)
    year_end = _add_months(first, 12) - timedelta(days=1)
    if quarter is None:
        return Period(year, None, first, year_end, year_end)
    q = _QUARTER.match(quarter.upper())
    if not q:
        raise ValueError(f"quarter '{quarter}' must be Q1, Q2, Q3 or Q4")
    end = _add_months(first, 3 * int(q[1])) - timedelta(days=1)
    return Period(year, quarter.upper(), first, end, year_end)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def stream_tier(award: Decimal, risk: str | None, method: str | None, tiers: Tiers) -> int:
    """A stream's proportionate reporting tier (tiers.yaml; research/domain.md §7).

    The value band by award, with formula allocations fixed at the `formula_public_body`
    override (the partnership's accountable body is a public body), then raised by the risk
    rule when the register rates the stream's risk high. Never above the top tier.
    """
    band = next(t.tier for t in reversed(tiers.tiers) if award >= t.value_band.min)
    override = next((o for o in tiers.risk_rule.overrides
                     if o.condition == "formula_public_body"), None)
    if method == "formula" and override is not None and override.tier is not None:
        band = override.tier
    if (risk or "").strip().lower() == "high":
        band += tiers.risk_rule.raise_by
    return min(band, len(tiers.tiers) - 1)

"""Exact-money and calendar helpers shared by every sample layout.

All sample figures are born as integer pence and only become `Decimal` when written, so a file's
totals are exactly the sums the generator intended (and the tests can check them to the penny).
Splits use largest-remainder rounding: the parts always add back to the whole.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def split_pence(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` pence in proportion to integer `weights`, parts summing exactly to `total`.

    Largest remainder, ties broken by position, so the result is deterministic. Zero weights get
    zero; all-zero weights put everything in the first part.
    """
    if not weights:
        return []
    wsum = sum(weights)
    if wsum <= 0:
        return [total] + [0] * (len(weights) - 1)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    floors = [magnitude * w // wsum for w in weights]
    remainders = [(magnitude * w % wsum, -i) for i, w in enumerate(weights)]
    short = magnitude - sum(floors)
    for _, neg_i in sorted(remainders, reverse=True)[:short]:
        floors[-neg_i] += 1
    return [sign * p for p in floors]


def pounds(pence: int) -> Decimal:
    """Integer pence as an exact Decimal of pounds (two places)."""
    return Decimal(pence).scaleb(-2)


def whole_pounds(pence: int) -> int:
    """Pence rounded half-up to whole pounds, for templates that ask for whole £."""
    return (pence + 50) // 100 if pence >= 0 else -((-pence + 50) // 100)


def thousands(pence: int, places: int = 1) -> Decimal:
    """Pence as exact £000s rounded half-up to `places` decimals (at most 3)."""
    step = 10 ** (5 - places)
    units = (abs(pence) + step // 2) // step
    return Decimal(units if pence >= 0 else -units).scaleb(-places)


def month_starts(start: date, end: date) -> list[date]:
    """First day of every calendar month touched by [start, end]."""
    out: list[date] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def add_months(d: date, n: int) -> date:
    """The first of the month `n` months after `d`'s month."""
    idx = d.year * 12 + d.month - 1 + n
    return date(idx // 12, idx % 12 + 1, 1)


def month_label(d: date) -> str:
    """`Apr-25` style label, as funders type month column headers."""
    return f"{MONTH_ABBR[d.month - 1]}-{d.year % 100:02d}"


def fy_label(fy_start_year: int, sep: str = "/") -> str:
    """`2025/26` (or `2025-26` with sep='-') for the UK financial year starting in April."""
    return f"{fy_start_year}{sep}{(fy_start_year + 1) % 100:02d}"


def fy_months(fy_start_year: int) -> list[date]:
    """The twelve month starts of a UK financial year (April to March)."""
    return [add_months(date(fy_start_year, 4, 1), i) for i in range(12)]


def profile_weights(months: Sequence[date], rng: random.Random, march_boost: int = 220,
                    ) -> list[int]:
    """Monthly spend weights: slow first quarter, noisy middle, a March year-end spike.

    The March spike (`march_boost` percent of a normal month) is the "March rush" the analysis
    measures; the ramp-up reflects recruitment and procurement lead times at a stream's start.
    """
    weights: list[int] = []
    for i, m in enumerate(months):
        w = rng.randint(80, 120)
        if i < 3:
            w = w * (40 + 25 * i) // 100
        if m.month == 3:
            w = w * march_boost // 100
        weights.append(w)
    return weights


def sum_months(profile: dict[date, int], months: Iterable[date]) -> int:
    """Total pence of `profile` over `months` (missing months count as zero)."""
    return sum(profile.get(m, 0) for m in months)

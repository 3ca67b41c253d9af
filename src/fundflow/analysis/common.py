"""What every analysis shares: the window analysed, streams as values, exact ratios and months.

Analyses are pure functions over a handful of streams (a register has dozens of rows, so they
travel as `StreamInfo` values) and a polars frame of finance entries (money in Int64 pence, as
every stage's frames carry it). Ratios are computed in integers and rounded once, half-even, so a
share never depends on float or on Decimal context precision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from fundflow.ingest.specs.specload import read_spec_data
from fundflow.mapping.reference import RING_FENCED_TYPES, Taxonomy, Tiers, bundled_schemas_dir

NOT_RING_FENCED = "unringfenced"
RATIO_PLACES = 4


class Window(BaseModel):
    """The UK financial year analysed (`start`..`end`) and the date stock is taken (`as_at`)."""

    model_config = ConfigDict(frozen=True)

    year: str
    start: date
    end: date
    as_at: date


class StreamInfo(BaseModel):
    """One current stream of the register with the conditions the analyses read."""

    model_config = ConfigDict(frozen=True)

    stream_id: str
    funder_id: str
    name: str = ""
    award: Decimal
    capital_award: Decimal | None = None
    revenue_award: Decimal | None = None
    start_date: date
    end_date: date
    allocation_method: str | None = None
    ring_fence_type: str = NOT_RING_FENCED
    eligible_categories: tuple[str, ...] = ()
    virement_limit_pct: Decimal | None = None
    carry_forward_rule: str | None = None
    clawback_rule: str | None = None
    match_required_pct: Decimal | None = None
    spend_deadline: date | None = None
    reporting_frequency: str | None = None
    year_convention: str | None = None
    accounting_basis: str | None = None
    risk_rating: str | None = None
    reporting_tier: int | None = None
    predecessor_stream_id: str | None = None
    successor_stream_id: str | None = None

    @property
    def ring_fenced(self) -> bool:
        """Every ring-fence type but 'unringfenced' ties the money to a purpose."""
        return self.ring_fence_type.strip() in RING_FENCED_TYPES

    @property
    def duration_months(self) -> int:
        """Whole calendar months from start to end date (1 Apr 2025 - 31 Mar 2026 is 12)."""
        return whole_months(self.start_date, self.end_date)

    @property
    def deadline(self) -> date:
        """The spend deadline, or the end date when the register gives none."""
        return self.spend_deadline or self.end_date

    @property
    def award_pence(self) -> int:
        """The award in integer pence, for exact sums and ratios."""
        return to_pence(self.award)

    def live_at(self, day: date) -> bool:
        """True when `day` falls within the funding period, both ends included."""
        return self.start_date <= day <= self.end_date

    def live_during(self, start: date, end: date) -> bool:
        """True when the funding period overlaps [start, end] by at least one day."""
        return self.start_date <= end and self.end_date >= start


# --- windows and months ---------------------------------------------------------------------
_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")


def parse_year(label: str) -> tuple[date, date]:
    """First and last day of the UK financial year '2025-26' (also '2025/26', '2025-2026').

    Raises:
        ValueError: when the label is not a financial year; the CLI shows it as a usage error.
    """
    found = _YEAR.match(label)
    if not found:
        raise ValueError(f"'{label}' is not a financial year such as 2025-26")
    first, second = int(found[1]), found[2]
    if int(second) not in (first + 1, (first + 1) % 100):
        raise ValueError(f"'{label}': the second year must follow the first, as in 2025-26")
    return date(first, 4, 1), date(first + 1, 3, 31)


def year_label(day: date) -> str:
    """The UK financial year containing `day`, as '2025-26'."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def make_window(year: str | None, as_at: date | None, today: date) -> Window:
    """The window an analysis runs over, from the options a user gave.

    With a year and no date, stock is taken at the year's last day (a year-end view); with a date
    and no year, the year is the one containing the date; with neither, today decides both.

    Raises:
        ValueError: when `year` is not a financial year label.
    """
    if year is None:
        as_at = as_at or today
        year = year_label(as_at)
    start, end = parse_year(year)
    label = f"{start.year}-{(start.year + 1) % 100:02d}"
    return Window(year=label, start=start, end=end, as_at=as_at or end)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month end (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _days_in_month(year, month + 1)))


def whole_months(start: date, end: date) -> int:
    """Whole calendar months in the inclusive period [start, end]; 0 when it is empty.

    A month counts when moving `start` on by it lands no later than the day after `end`, so
    1 Apr 2025 - 31 Mar 2026 is 12, 1 Apr 2025 - 30 Mar 2026 is 11, 15 Jan - 14 Feb is 1.
    """
    after = end + timedelta(days=1)
    if after <= start:
        return 0
    months = (after.year - start.year) * 12 + after.month - start.month
    return months if add_months(start, months) <= after else months - 1


def month_start(day: date) -> date:
    """The first day of `day`'s month: the ledger's grain."""
    return day.replace(day=1)


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


# --- exact money and ratios -----------------------------------------------------------------
def to_pence(amount: Decimal | None) -> int:
    """Pounds to integer pence, exactly (the ledger holds two places)."""
    return 0 if amount is None else int(amount.scaleb(2).to_integral_value())


def pounds(pence: int) -> Decimal:
    """Integer pence as pounds with two places."""
    return Decimal(pence).scaleb(-2).quantize(Decimal("0.01"))


def divide(numerator: int, denominator: int, places: int = RATIO_PLACES) -> Decimal | None:
    """numerator / denominator rounded half-even to `places`, in integers; None for 0/0 or x/0.

    Integer arithmetic makes the rounding exact: there is no intermediate precision to lose.
    """
    if denominator == 0:
        return None
    return Decimal(round_half_even(numerator * 10**places, denominator)).scaleb(-places)


def round_half_even(numerator: int, denominator: int) -> int:
    """The integer nearest numerator / denominator, ties to even: banker's rounding, exactly."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


def fraction_to_decimal(value: Fraction, places: int = RATIO_PLACES) -> Decimal:
    """An exact fraction rounded half-even to `places`."""
    return Decimal(round_half_even(value.numerator * 10**places, value.denominator)).scaleb(
        -places
    )


def share(part: Iterable[StreamInfo], whole: Sequence[StreamInfo]) -> Decimal | None:
    """Award of `part` over award of `whole`, four places; None when `whole` has no award."""
    return divide(sum(s.award_pence for s in part), sum(s.award_pence for s in whole))


def live_in(streams: Iterable[StreamInfo], window: Window) -> list[StreamInfo]:
    """The streams live at any point in the window's year."""
    return [s for s in streams if s.live_during(window.start, window.end)]


def live_at(streams: Iterable[StreamInfo], day: date) -> list[StreamInfo]:
    """The streams live on `day`."""
    return [s for s in streams if s.live_at(day)]


# --- reference data -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def spend_groups() -> tuple[str, ...]:
    """Level-1 subjective codes marked `spend: true` in taxonomy.yaml (|C| of the index)."""
    data = read_spec_data(bundled_schemas_dir() / "taxonomy.yaml")
    return tuple(g.code for g in Taxonomy.model_validate(data).subjective if g.spend)


@lru_cache(maxsize=1)
def bundled_tiers() -> Tiers:
    """The shipped tiers; an invalid bundled file is a packaging bug, so this raises."""
    data = read_spec_data(bundled_schemas_dir() / "tiers.yaml")
    return Tiers.model_validate(data)


def tier_of(stream: StreamInfo, tiers: Tiers | None = None) -> int:
    """The stream's reporting tier: the register's, else its value band raised one for high risk.

    The full rule (risk factors, overrides) belongs to the tiering stage; this fallback keeps the
    burden analysis usable on a register whose tiers were never computed.
    """
    if stream.reporting_tier is not None:
        return stream.reporting_tier
    tiers = tiers or bundled_tiers()
    band = next(
        (t.tier for t in tiers.tiers
         if t.value_band.min <= stream.award
         and (t.value_band.max is None or stream.award < t.value_band.max)),
        0,
    )
    raised = band + tiers.risk_rule.raise_by if (stream.risk_rating or "") == "high" else band
    return min(raised, len(tiers.tiers) - 1)


def allows(eligible: Sequence[str], subjective: str) -> bool:
    """True when a stream's eligible categories allow a canonical subjective code.

    No list allows anything; a level-1 code allows itself and its level-2 codes (`EMP` allows
    `EMP.SAL`); a level-2 code allows only itself.
    """
    if not eligible:
        return True
    return any(subjective == code or subjective.startswith(code + ".") for code in eligible)


def split_codes(text: Any) -> tuple[str, ...]:
    """A `;`-separated code list as a tuple, without blanks or stray spaces."""
    if not text:
        return ()
    return tuple(part.strip() for part in str(text).split(";") if part.strip())

"""When returns fall due: each stream's reporting periods, due dates and the busiest week.

A stream's periods follow its reporting frequency inside its year convention: a quarterly UK-FY
stream's periods end in June, September, December and March, a quarterly calendar-year one in
March, June, September and December; a grant-anniversary stream counts from its start month.
Termly periods end at the convention's term ends (autumn, spring, summer); fortnightly ones every
14 days from the start date; an end-of-grant return covers the whole grant. A stream whose last
period is cut short by its end date reports that part too. A return is due `lag` days after its
period ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import BaseModel

from fundflow.analysis.common import StreamInfo, Window, add_months, month_start
from fundflow.mapping.reference import bundled_calendars

STEP_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "annual": 12}
DEFAULT_TERM_ENDS = (12, 3, 7)
"""Autumn, spring and summer term ends of ACADEMIC_AUG, used when a convention has no terms."""


class Due(BaseModel):
    """One return: the stream, the end of the period it covers and the date it is due."""

    stream_id: str
    period_end: date
    due: date


class BusiestWeek(BaseModel):
    """The Monday-to-Sunday week with most returns due (the earliest such week on a tie)."""

    week_start: date
    returns: int
    stream_ids: list[str]


def period_ends(stream: StreamInfo, first: date, last: date) -> list[date]:
    """The stream's reporting period ends that fall within [first, last] and its life."""
    frequency = stream.reporting_frequency
    low, high = max(first, stream.start_date), min(last, stream.end_date)
    if frequency is None or low > high:
        return []
    if frequency == "end_of_grant":
        ends = [stream.end_date]
    elif frequency == "fortnightly":
        ends = _fortnights(stream)
    else:
        ends = [*_month_ends(stream, _end_months(stream, frequency), low, high), stream.end_date]
    return sorted({d for d in ends if low <= d <= high})


def due_dates(streams: Sequence[StreamInfo], window: Window, lag_days: int) -> list[Due]:
    """Every return of every stream that falls due within the window's year."""
    lag = timedelta(days=lag_days)
    out = [
        Due(stream_id=s.stream_id, period_end=end, due=end + lag)
        for s in streams
        for end in period_ends(s, window.start - lag, window.end - lag)
    ]
    return sorted(out, key=lambda d: (d.due, d.stream_id))


def busiest_week(dues: Sequence[Due]) -> BusiestWeek | None:
    """The week with most returns due; None when nothing is due."""
    weeks: dict[date, list[str]] = {}
    for d in dues:
        weeks.setdefault(d.due - timedelta(days=d.due.weekday()), []).append(d.stream_id)
    if not weeks:
        return None
    start = min(weeks, key=lambda w: (-len(weeks[w]), w))
    return BusiestWeek(week_start=start, returns=len(weeks[start]),
                       stream_ids=sorted(weeks[start]))


def _end_months(stream: StreamInfo, frequency: str) -> set[int]:
    """Calendar months (1-12) in which the stream's reporting periods end."""
    convention = bundled_calendars().get(stream.year_convention or "")
    if frequency == "termly":
        terms = convention.terms if convention else ()
        return {t.last_month for t in terms} or set(DEFAULT_TERM_ENDS)
    step = STEP_MONTHS.get(frequency)
    if step is None:
        return set()
    start = convention.start_month if convention and convention.start_month else None
    anchor = start or stream.start_date.month
    return {(anchor - 1 + k * step - 1) % 12 + 1 for k in range(1, 12 // step + 1)}


def _month_ends(stream: StreamInfo, months: set[int], low: date, high: date) -> list[date]:
    """Last days of the months in `months` between `low` and `high` (inclusive)."""
    ends = []
    current = month_start(low)
    while current <= high:
        if current.month in months:
            ends.append(add_months(current, 1) - timedelta(days=1))
        current = add_months(current, 1)
    return ends


def _fortnights(stream: StreamInfo) -> list[date]:
    """Ends of 14-day periods from the start date, and the end date."""
    ends, day = [], stream.start_date + timedelta(days=13)
    while day < stream.end_date:
        ends.append(day)
        day += timedelta(days=14)
    return [*ends, stream.end_date]

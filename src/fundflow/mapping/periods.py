"""Funder period labels as date ranges, and calendar months as UK financial years and quarters.

Funders label the same months a dozen ways ("2025-26 Q1", "Q1 2025/26: Apr 2025 - Jun 2025",
"H1 (Apr-Sep) 2025/26", "Financial year 2025 to 2026, (Apr to Jun)", "Apr-25", "Year 2",
"Beyond 25/26"). The ledger's atomic grain is the calendar month, so every label becomes a
`Period` with its first and last day; a label that cannot be read becomes a `period-unknown` issue.
Where a label only makes sense under a year convention ("2025/26" starts in April, August or July
depending on the funder) the caller passes the convention; `schemas/calendars.yaml` defines them.

Reading rules worth knowing:
* "2025/26", "2025-26", "25/26", "FY25/26", "2025 to 2026" start in the convention's start month of
  2025; "FY26" is the year that *ends* in 2026. "2011-12" is a year, never December 2011.
* A bare year ("2026", "2026 Q1") is a calendar year only under a convention starting in January;
  under the others it is ambiguous and reported. "Jan-Mar 2026" and "Autumn 2025" name calendar
  months directly, whatever the convention.
* Months written inside a label ("H1 (Apr-Sep) 2025/26") are trusted over the half or quarter.
* Terms follow `calendars.yaml` (Autumn Sep-Dec, Spring Jan-Mar, Summer Apr to the end of the
  academic year) and need an academic convention.
* A date ("01/04/2025", "2025-04-01", an Excel serial) names its month; two dates name a range.
* "Before X" ends the day before X starts; "Beyond X" starts the day after X ends; "X and after"
  starts when X starts. These open periods have no start or no end and are never apportioned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeAlias

import polars as pl

from fundflow.issues import Issue, make_issue
from fundflow.mapping.reference import Calendars, YearConvention, bundled_calendars

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}
_MON = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_SPLIT_YEAR = re.compile(r"^(?:fy\s?)?(\d{4}|\d{2})\s?(?:/|-|to)\s?(\d{4}|\d{2})$")
_FY_SHORT = re.compile(r"^fy\s?(\d{4}|\d{2})$")
_FILLER = re.compile(r"\b(?:financial|funding|academic|fin\.?|school)\s+year\b|\bterm\b")
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True, slots=True)
class Period:
    """A funder period as a date range; `start` or `end` is None for open 'Before/Beyond' periods.

    `grain` is one of day, fortnight, month, quarter, half, term, year, range, open_before,
    open_after; `convention` is the year convention the label was read with (CALENDAR when the
    label names its months or dates itself).
    """

    label: str
    start: date | None
    end: date | None
    grain: str
    convention: str


_Result: TypeAlias = tuple[date | None, date | None, str, str] | str | None
"""(start, end, grain, convention), or a reason the form was recognised but is not valid."""


@dataclass(frozen=True)
class _Context:
    convention: YearConvention
    calendars: Calendars
    anchor: date | None


def parse_period(
    label: str,
    convention: str | None = None,
    *,
    anchor: date | None = None,
    calendars: Calendars | None = None,
) -> Period | Issue:
    """Read a funder's period label.

    Args:
        label: the text as found (cell text, header part or file-name part).
        convention: year convention id for ambiguous labels; defaults to `calendars.yaml`'s.
        anchor: the stream's start date, needed for grant-anniversary labels ("Year 2").
        calendars: the loaded calendars (defaults to the bundled ones).

    Returns:
        The period, or a `period-unknown` issue saying why the label could not be read.
    """
    cals = calendars or bundled_calendars()
    conv = cals.get(convention or cals.default)
    if conv is None:
        return _unknown(label, f"the year convention '{convention}' is not defined")
    result = _parse_text(_normalise(label), _Context(conv, cals, anchor))
    if result is None or isinstance(result, str):
        return _unknown(label, result)
    start, end, grain, used = result
    return Period(label, start, end, grain, used)


def month_starts(start: date, end: date) -> list[date]:
    """First days of the calendar months that [start, end] touches, in order."""
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (end.year, end.month):
        out.append(date(y, m, 1))
        y, m = _add_months(y, m, 1)
    return out


def month_days(start: date, end: date) -> list[tuple[date, int]]:
    """Each month of [start, end] with the number of the range's days that fall in it."""
    return [
        (first, (min(end, _month_end(first)) - max(start, first)).days + 1)
        for first in month_starts(start, end)
    ]


def fy_label(day: date, start_month: int = 4) -> str:
    """The year containing `day` as returns write it: '2025-26' (or '2025' for January years)."""
    first = day.year if day.month >= start_month else day.year - 1
    return str(first) if start_month == 1 else f"{first}-{(first + 1) % 100:02d}"


def quarter_label(day: date, start_month: int = 4) -> str:
    """The quarter of its year containing `day`: 'Q1' for April to June under UK FY."""
    return f"Q{(day.month - start_month) % 12 // 3 + 1}"


def fy_label_expr(day: pl.Expr, start_month: int = 4) -> pl.Expr:
    """`fy_label` over a Date column, for reporting over whole frames."""
    first = day.dt.year() - (day.dt.month() < start_month).cast(pl.Int32)
    if start_month == 1:
        return first.cast(pl.String)
    tail = ((first + 1) % 100).cast(pl.String).str.zfill(2)
    return pl.concat_str([first.cast(pl.String), pl.lit("-"), tail])


def quarter_label_expr(day: pl.Expr, start_month: int = 4) -> pl.Expr:
    """`quarter_label` over a Date column."""
    index = ((day.dt.month().cast(pl.Int32) - start_month) % 12) // 3 + 1
    return pl.concat_str([pl.lit("Q"), index.cast(pl.String)])


# --- the forms, tried in order -------------------------------------------------------------
def _parse_text(text: str, ctx: _Context) -> _Result:
    if ":" in text:  # "Q1 2025/26: Apr 2025 - Jun 2025", "Claim 12: 01/07/2019 - 30/09/2019"
        head, _, tail = text.rpartition(":")
        found = _parse_text(tail.strip(), ctx)
        return (
            found
            if found is not None and not isinstance(found, str)
            else _parse_text(head.strip(), ctx)
        )
    forms: tuple[Callable[[str, _Context], _Result], ...] = (
        _open_period,
        _explicit_range,
        _grant_year,
        _year_based,
        _single_month,
    )
    for form in forms:
        found = form(text, ctx)
        if found is not None:
            return found
    return None


def _open_period(text: str, ctx: _Context) -> _Result:
    before = re.match(r"^(?:before|pre|prior to|up to)\s(.+)$", text)
    after = re.match(r"^(?:beyond|after|post)\s(.+)$", text)
    onwards = re.match(r"^(.+?)\s(?:and after|and later|onwards|and beyond)$", text)
    match = before or after or onwards
    if match is None:
        return None
    inner = _parse_text(match.group(1), ctx)
    if inner is None or isinstance(inner, str):
        return inner
    start, end, _, used = inner
    if before and start is not None:
        return None, start - timedelta(days=1), "open_before", used
    if after and end is not None:
        return end + timedelta(days=1), None, "open_after", used
    if onwards and start is not None:
        return start, None, "open_after", used
    return "an open period cannot be built on another open period"


def _explicit_range(text: str, _: _Context) -> _Result:
    parts = re.split(r"\s+(?:-|to|until)\s+", text)
    if len(parts) != 2:
        parts = text.split("-")
    if len(parts) != 2:
        return None
    first, last = _point(parts[0].strip()), _point(parts[1].strip())
    if first is None or last is None:
        return None
    start, end = first[0], last[1]
    if end < start:
        return "it ends before it starts"
    return start, end, _grain_of(start, end), "CALENDAR"


def _grant_year(text: str, ctx: _Context) -> _Result:
    match = re.match(r"^(?:grant\s)?(?:year|yr)\s?(\d{1,2})$", text)
    if match is None:
        return None
    if ctx.anchor is None:
        return "a grant year needs the stream's start date"
    n = int(match.group(1))
    if n < 1:
        return "grant years start at Year 1"
    start = _add_years(ctx.anchor, n - 1)
    return start, _add_years(ctx.anchor, n) - timedelta(days=1), "year", "GRANT_ANNIV"


def _year_based(text: str, ctx: _Context) -> _Result:
    """Labels built from a year plus at most one of: quarter, half, month range, term."""
    rest = _FILLER.sub(" ", text)
    tokens: dict[str, re.Match[str]] = {}
    for name, pattern in (
        ("quarter", r"\bq\s?([1-4])\b"),
        ("half", r"\bh([12])\b"),
        ("months", rf"\b({_MON})\s?(?:-|to)\s?({_MON})(?=\s|$)"),
        ("term", r"\b(autumn|spring|summer)\b"),
    ):
        found = re.search(pattern, rest)
        if found:
            tokens[name] = found
            rest = rest[: found.start()] + " " + rest[found.end() :]
    rest = " ".join(rest.split()).strip(" -")
    year = _year_start(rest, ctx.convention, calendar_ok=bool(tokens.keys() & {"months", "term"}))
    if year is None:
        return None
    if isinstance(year, str):
        return year
    return _within_year(year, tokens, ctx)


def _single_month(text: str, _: _Context) -> _Result:
    point = _point(text)
    if point is None:
        return None
    first = date(point[0].year, point[0].month, 1)
    return first, _month_end(first), "month", "CALENDAR"


# --- pieces -------------------------------------------------------------------------------
def _year_start(text: str, conv: YearConvention, *, calendar_ok: bool) -> date | str | None:
    """First day of the year a year expression names, or why it cannot be read."""
    if split := _SPLIT_YEAR.match(text):
        return _split_year(text, _full_year(split.group(1)), _full_year(split.group(2)), conv)
    if short := _FY_SHORT.match(text):
        if conv.start_month is None:
            return f"the {conv.id} convention has no fixed year start"
        ends = _full_year(short.group(1))
        return date(ends - (conv.start_month > 1), conv.start_month, 1)
    if re.fullmatch(r"\d{4}", text):
        if calendar_ok or conv.start_month == 1:
            return date(int(text), 1, 1)
        return f"'{text}' alone is ambiguous under {conv.id}; write a split year such as 2025/26"
    return None


def _split_year(text: str, first: int, second: int, conv: YearConvention) -> date | str | None:
    """'2025/26': None when the two years do not follow on (so '2025-04' can be a month)."""
    if second != first + 1:
        return None
    if conv.start_month in (None, 1):
        return f"'{text}' is a split year, which the {conv.id} convention does not use"
    return date(first, conv.start_month, 1)


def _within_year(year: date, tokens: dict[str, re.Match[str]], ctx: _Context) -> _Result:
    calendar = year.month == 1 and ctx.convention.start_month != 1
    used = "CALENDAR" if calendar or ctx.convention.start_month == 1 else ctx.convention.id
    if "months" in tokens:
        m1, m2 = (_MONTHS[g.rstrip(".")] for g in tokens["months"].groups())
        return _months_in_year(year, m1, m2, "half" if "half" in tokens else None, used)
    if "term" in tokens:
        return _term(year, tokens["term"].group(1), ctx)
    if "quarter" in tokens:
        return _span(year, 3 * (int(tokens["quarter"].group(1)) - 1), 3, "quarter", used)
    if "half" in tokens:
        return _span(year, 6 * (int(tokens["half"].group(1)) - 1), 6, "half", used)
    return _span(year, 0, 12, "year", used)


def _months_in_year(year: date, m1: int, m2: int, grain: str | None, used: str) -> _Result:
    first, last = (m1 - year.month) % 12, (m2 - year.month) % 12
    if last < first:
        return f"the months run past the end of the year starting {year:%B %Y}"
    n = last - first + 1
    return _span(year, first, n, grain or _grain_of_months(n), used)


def _term(year: date, name: str, ctx: _Context) -> _Result:
    conv = ctx.convention
    if not conv.terms:
        academic = [c.id for c in ctx.calendars.conventions if c.terms]
        return f"terms need an academic year convention ({', '.join(academic)}), not {conv.id}"
    term = next((t for t in conv.terms if t.name == name), None)
    if term is None:
        return f"the {conv.id} convention has no {name} term"
    if year.month == 1:  # "Autumn 2025": the term's months in that calendar year
        return _span(
            year, term.first_month - 1, term.last_month - term.first_month + 1, "term", conv.id
        )
    return _months_in_year(year, term.first_month, term.last_month, "term", conv.id)


def _span(year: date, offset: int, n: int, grain: str, used: str) -> _Result:
    y, m = _add_months(year.year, year.month, offset)
    start = date(y, m, 1)
    ey, em = _add_months(y, m, n - 1)
    return start, _month_end(date(ey, em, 1)), grain, used


def _point(text: str) -> tuple[date, date] | None:
    """A single date (that day) or month (its first and last day), or None."""
    day = _date(text)
    if day is not None:
        return day, day
    month = _month(text)
    return (month, _month_end(month)) if month else None


def _date(text: str) -> date | None:
    patterns = (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", (1, 2, 3)),
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", (3, 2, 1)),
        (rf"(\d{{1,2}})(?:st|nd|rd|th)?\s({_MON})\s(\d{{4}})", (3, 2, 1)),
    )
    for pattern, (yi, mi, di) in patterns:
        if found := re.fullmatch(pattern, text):
            month = found.group(mi)
            number = _MONTHS[month.rstrip(".")] if month[0].isalpha() else int(month)
            return _safe_date(int(found.group(yi)), number, int(found.group(di)))
    if re.fullmatch(r"\d{5}", text):  # an Excel serial (1900 date system): 1927 to 2173
        return _EXCEL_EPOCH + timedelta(days=int(text))
    return None


def _month(text: str) -> date | None:
    if found := re.fullmatch(rf"({_MON})[\s\-/']?(\d{{4}}|\d{{2}})", text):
        return date(_full_year(found.group(2)), _MONTHS[found.group(1).rstrip(".")], 1)
    if found := re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})", text):
        year, month = (
            (found.group(1), found.group(2)) if found.group(1) else (found.group(4), found.group(3))
        )
        return _safe_date(int(year), int(month), 1)
    return None


def _normalise(label: str) -> str:
    text = label.lower().replace("–", "-").replace("—", "-")
    text = re.sub(r"[(),]|£\w*", " ", text)  # brackets and unit notes such as "(£s)"
    text = re.sub(r"\s\d{1,2}:\d{2}(?::\d{2})?$", "", text.strip())  # "2025-04-01 00:00:00"
    return " ".join(text.split())


def _grain_of(start: date, end: date) -> str:
    if start == end:
        return "day"
    if start.day == 1 and end == _month_end(end):
        return _grain_of_months((end.year - start.year) * 12 + end.month - start.month + 1)
    return "fortnight" if (end - start).days == 13 else "range"


def _grain_of_months(n: int) -> str:
    return {1: "month", 3: "quarter", 6: "half", 12: "year"}.get(n, "range")


def _unknown(label: str, reason: str | None) -> Issue:
    return make_issue("period-unknown", value=label, reason=f": {reason}" if reason else "")


def _full_year(text: str) -> int:
    value = int(text)
    if len(text) == 4:
        return value
    return 2000 + value if value < 70 else 1900 + value


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _add_years(day: date, n: int) -> date:
    """Same day n years on; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year + n)
    except ValueError:
        return day.replace(year=day.year + n, day=28)


def _month_end(first: date) -> date:
    y, m = _add_months(first.year, first.month, 1)
    return date(y, m, 1) - timedelta(days=1)

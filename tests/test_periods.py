"""Period labels read into date ranges; months map back to UK financial years and quarters."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.issues import Issue
from fundflow.mapping.periods import (
    Period,
    fy_label,
    fy_label_expr,
    month_days,
    month_starts,
    parse_period,
    quarter_label,
    quarter_label_expr,
)

MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ANCHOR = date(2023, 11, 1)

EXAMPLES = [
    # label, convention, start, end, grain
    ("2025-26 Q1", None, date(2025, 4, 1), date(2025, 6, 30), "quarter"),
    ("Q1 2025/26", None, date(2025, 4, 1), date(2025, 6, 30), "quarter"),
    ("2025/26 Q2", None, date(2025, 7, 1), date(2025, 9, 30), "quarter"),
    ("Q2 25/26", None, date(2025, 7, 1), date(2025, 9, 30), "quarter"),
    ("Q2 2025/26: Jul 2025 - Sep 2025", None, date(2025, 7, 1), date(2025, 9, 30), "quarter"),
    ("H1 (Apr-Sep) 2025/26", None, date(2025, 4, 1), date(2025, 9, 30), "half"),
    ("H2 (Oct-Mar) 2025/26", None, date(2025, 10, 1), date(2026, 3, 31), "half"),
    ("H2 2025/26", None, date(2025, 10, 1), date(2026, 3, 31), "half"),
    ("H1 23/24", None, date(2023, 4, 1), date(2023, 9, 30), "half"),
    ("2025/26", None, date(2025, 4, 1), date(2026, 3, 31), "year"),
    ("2025-26", None, date(2025, 4, 1), date(2026, 3, 31), "year"),
    ("FY25/26", None, date(2025, 4, 1), date(2026, 3, 31), "year"),
    ("FY26", None, date(2025, 4, 1), date(2026, 3, 31), "year"),
    ("2025 to 2026", None, date(2025, 4, 1), date(2026, 3, 31), "year"),
    ("Financial Year 2022/23 (£s)", None, date(2022, 4, 1), date(2023, 3, 31), "year"),
    (
        "Financial year 2025 to 2026, (Apr to Jun)",
        None,
        date(2025, 4, 1),
        date(2025, 6, 30),
        "quarter",
    ),
    ("2011-12", None, date(2011, 4, 1), date(2012, 3, 31), "year"),
    ("Jan-Mar 2026", None, date(2026, 1, 1), date(2026, 3, 31), "quarter"),
    ("2026 Q1", "CALENDAR", date(2026, 1, 1), date(2026, 3, 31), "quarter"),
    ("2025-Q3", "CALENDAR", date(2025, 7, 1), date(2025, 9, 30), "quarter"),
    ("2026", "CALENDAR", date(2026, 1, 1), date(2026, 12, 31), "year"),
    ("2025/26", "EU_ACCT_JUL", date(2025, 7, 1), date(2026, 6, 30), "year"),
    ("Apr-25", None, date(2025, 4, 1), date(2025, 4, 30), "month"),
    ("April 2025", None, date(2025, 4, 1), date(2025, 4, 30), "month"),
    ("Sept 2025", None, date(2025, 9, 1), date(2025, 9, 30), "month"),
    ("2025-04", None, date(2025, 4, 1), date(2025, 4, 30), "month"),
    ("2025-04-01", None, date(2025, 4, 1), date(2025, 4, 30), "month"),
    ("2025-04-01 00:00:00", None, date(2025, 4, 1), date(2025, 4, 30), "month"),
    ("15/04/2025", None, date(2025, 4, 1), date(2025, 4, 30), "month"),
    ("45748", None, date(2025, 4, 1), date(2025, 4, 30), "month"),
    ("2024 to 2025", "ACADEMIC_AUG", date(2024, 8, 1), date(2025, 7, 31), "year"),
    ("2025/26 Autumn term", "ACADEMIC_AUG", date(2025, 9, 1), date(2025, 12, 31), "term"),
    ("Spring term 2025/26", "ACADEMIC_AUG", date(2026, 1, 1), date(2026, 3, 31), "term"),
    ("2025/26 Summer term", "ACADEMIC_AUG", date(2026, 4, 1), date(2026, 7, 31), "term"),
    ("2025/26 Summer term", "SCHOOL_SEP", date(2026, 4, 1), date(2026, 8, 31), "term"),
    ("Autumn 2025", "SCHOOL_SEP", date(2025, 9, 1), date(2025, 12, 31), "term"),
    ("Year 2", "GRANT_ANNIV", date(2024, 11, 1), date(2025, 10, 31), "year"),
    ("Yr1", None, date(2023, 11, 1), date(2024, 10, 31), "year"),
    ("Before 20/21", None, None, date(2020, 3, 31), "open_before"),
    ("Beyond 25/26", None, date(2026, 4, 1), None, "open_after"),
    ("April 2026 and after", None, date(2026, 4, 1), None, "open_after"),
    ("1 October 2022 to 31 March 2023", None, date(2022, 10, 1), date(2023, 3, 31), "half"),
    ("1st November 2024 - 31st October 2025", None, date(2024, 11, 1), date(2025, 10, 31), "year"),
    ("Claim 12: 01/07/2019 - 30/09/2019", None, date(2019, 7, 1), date(2019, 9, 30), "quarter"),
    ("02/06/2025 - 15/06/2025", None, date(2025, 6, 2), date(2025, 6, 15), "fortnight"),
]


@pytest.mark.parametrize(("label", "convention", "start", "end", "grain"), EXAMPLES)
def test_label_examples(
    label: str, convention: str | None, start: date | None, end: date | None, grain: str
) -> None:
    found = parse_period(label, convention, anchor=ANCHOR)
    assert isinstance(found, Period), found
    assert (found.start, found.end, found.grain) == (start, end, grain)
    assert found.label == label


@pytest.mark.parametrize(
    ("label", "convention", "reason"),
    [
        ("Q5 2025/26", None, ""),
        ("R06", None, ""),
        ("2026 Q1", None, "ambiguous under UK_FY"),
        ("2025/26", "CALENDAR", "split year"),
        ("2025/26 Autumn term", None, "academic year convention"),
        ("Year 2", None, "start date"),
        ("Oct-Mar 2026", None, "past the end of the year"),
        ("30/06/2025 - 01/06/2025", None, "ends before it starts"),
        ("2025/26", "MARTIAN", "not defined"),
        ("", None, ""),
    ],
)
def test_unreadable_labels_give_period_unknown(
    label: str, convention: str | None, reason: str
) -> None:
    found = parse_period(label, convention)
    assert isinstance(found, Issue)
    assert found.code == "period-unknown"
    assert reason in found.message


def _split(year: int, short: bool = False) -> str:
    return f"{year % 100:02d}/{(year + 1) % 100:02d}" if short else f"{year}/{(year + 1) % 100:02d}"


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


years = st.integers(min_value=1971, max_value=2068)


@settings(max_examples=120, deadline=None)
@given(years, st.integers(1, 4), st.integers(0, 5))
def test_uk_quarter_labels_round_trip(year: int, quarter: int, style: int) -> None:
    label = [
        f"{year}-{(year + 1) % 100:02d} Q{quarter}",
        f"Q{quarter} {_split(year)}",
        f"{_split(year)} Q{quarter}",
        f"Q{quarter} {_split(year, short=True)}",
        f"FY{_split(year, short=True)} Q{quarter}",
        f"q{quarter}  {year} to {year + 1}",
    ][style]
    found = parse_period(label)
    assert isinstance(found, Period), label
    assert found.start is not None and found.end is not None
    first = 4 + 3 * (quarter - 1)
    assert found.start == date(year + (first > 12), (first - 1) % 12 + 1, 1)
    assert fy_label(found.start) == f"{year}-{(year + 1) % 100:02d}"
    assert quarter_label(found.start) == quarter_label(found.end) == f"Q{quarter}"
    last = first + 2
    assert found.end == _month_end(year + (last > 12), (last - 1) % 12 + 1)


@settings(max_examples=80, deadline=None)
@given(
    years,
    st.sampled_from(["UK_FY", "ACADEMIC_AUG", "SCHOOL_SEP", "EU_ACCT_JUL"]),
    st.integers(1, 2),
)
def test_year_and_half_labels_round_trip(year: int, convention: str, half: int) -> None:
    start_month = {"UK_FY": 4, "ACADEMIC_AUG": 8, "SCHOOL_SEP": 9, "EU_ACCT_JUL": 7}[convention]
    whole = parse_period(f"{year}-{(year + 1) % 100:02d}", convention)
    part = parse_period(f"H{half} {_split(year)}", convention)
    assert isinstance(whole, Period) and isinstance(part, Period)
    assert whole.start == date(year, start_month, 1)
    assert whole.end == date(year + 1, start_month, 1) - timedelta(days=1)
    assert fy_label(whole.start, start_month) == fy_label(whole.end, start_month)
    first = start_month + 6 * (half - 1)
    assert part.start == date(year + (first > 12), (first - 1) % 12 + 1, 1)


@settings(max_examples=80, deadline=None)
@given(years, st.integers(1, 12), st.integers(0, 3))
def test_month_labels_round_trip(year: int, month: int, style: int) -> None:
    abbr = MONTH_ABBR[month - 1]
    label = [
        f"{abbr}-{year % 100:02d}",
        f"{abbr} {year}",
        f"{year}-{month:02d}-01",
        f"01/{month:02d}/{year}",
    ][style]
    found = parse_period(label)
    assert isinstance(found, Period), label
    assert (found.start, found.end, found.grain) == (
        date(year, month, 1),
        _month_end(year, month),
        "month",
    )


@settings(max_examples=60, deadline=None)
@given(years, st.integers(1, 4))
def test_calendar_quarter_labels_round_trip(year: int, quarter: int) -> None:
    m1 = 3 * quarter - 2
    by_months = parse_period(f"{MONTH_ABBR[m1 - 1]}-{MONTH_ABBR[m1 + 1]} {year}")
    by_number = parse_period(f"{year} Q{quarter}", "CALENDAR")
    assert isinstance(by_months, Period) and isinstance(by_number, Period)
    assert by_months.start == by_number.start == date(year, m1, 1)
    assert by_months.end == by_number.end == _month_end(year, m1 + 2)


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)), st.integers(1, 6))
def test_grant_years_follow_the_anchor(anchor: date, n: int) -> None:
    found = parse_period(f"Year {n}", "GRANT_ANNIV", anchor=anchor)
    assert isinstance(found, Period) and found.start is not None and found.end is not None
    assert found.start.year == anchor.year + n - 1
    nxt = parse_period(f"Year {n + 1}", "GRANT_ANNIV", anchor=anchor)
    assert isinstance(nxt, Period) and nxt.start == found.end + timedelta(days=1)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_a_period_or_an_issue(text: str) -> None:
    assert isinstance(parse_period(text), Period | Issue)


def test_month_helpers() -> None:
    assert month_starts(date(2024, 11, 15), date(2025, 2, 1)) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert month_days(date(2024, 2, 20), date(2024, 3, 2)) == [
        (date(2024, 2, 1), 10),
        (date(2024, 3, 1), 2),
    ]
    assert fy_label(date(2026, 3, 31)) == "2025-26"
    assert fy_label(date(2026, 4, 1)) == "2026-27"
    assert fy_label(date(1999, 4, 1)) == "1999-00"
    assert fy_label(date(2026, 3, 31), start_month=1) == "2026"
    assert [quarter_label(date(2025, m, 1)) for m in (4, 7, 10, 1, 3)] == [
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "Q4",
    ]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), min_size=1, max_size=30
    ),
    st.sampled_from([1, 4, 8, 9]),
)
def test_label_expressions_match_the_scalar_functions(days: list[date], start: int) -> None:
    frame = pl.DataFrame({"d": days}).select(
        fy=fy_label_expr(pl.col("d"), start), q=quarter_label_expr(pl.col("d"), start)
    )
    assert frame["fy"].to_list() == [fy_label(d, start) for d in days]
    assert frame["q"].to_list() == [quarter_label(d, start) for d in days]

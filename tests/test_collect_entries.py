"""`frames.entry_numbers`, made column by column, numbers a return's figures as the row-by-row
rule says: the months of one apportioned figure (same keys, consecutive months, in order)
share the number of the first; every other figure keeps its own place."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.collect.frames import _ENTRY_KEY, entry_numbers


def by_rows(rows: list[dict[str, object]]) -> list[int]:
    """The rule one row at a time (the reference the frame version must agree with)."""
    numbers: list[int] = []
    last: dict[tuple[object, ...], tuple[date, int]] = {}
    for n, row in enumerate(rows, start=1):
        key = tuple(row[k] for k in _ENTRY_KEY)
        month = row["month"]
        assert isinstance(month, date)
        previous = last.get(key) if row["apportioned"] else None
        if previous is not None and date(previous[0].year + previous[0].month // 12,
                                         previous[0].month % 12 + 1, 1) == month:
            numbers.append(previous[1])
        else:
            numbers.append(n)
        if row["apportioned"]:
            last[key] = (month, numbers[-1])
    return numbers


MONTHS = [date(2024 + (m // 12), m % 12 + 1, 1) for m in range(2, 18)]
row = st.fixed_dictionaries({
    "source": st.sampled_from(["sub-a", "sub-b"]),
    "stream_id": st.sampled_from(["S-1", "S-2"]),
    "funder_category": st.sampled_from([None, "Rent"]),
    "apportioned": st.booleans(),
    "month": st.sampled_from(MONTHS),
})


@settings(max_examples=150, deadline=None)
@given(st.lists(row, max_size=40))
def test_entry_numbers_agree_with_the_row_by_row_rule(rows: list[dict[str, object]]) -> None:
    fixed = {"measure": "spend", "state": "actual", "basis": "defrayed", "cap_rev": "revenue",
             "subjective": "Staff", "objective": None, "funding_source": "grant"}
    full = [{**fixed, **r} for r in rows]
    frame = pl.DataFrame(full, schema={**dict.fromkeys(_ENTRY_KEY, pl.String),
                                       "apportioned": pl.Boolean, "month": pl.Date})
    assert entry_numbers(frame).to_list() == by_rows(full)


def test_a_quarter_apportioned_to_months_is_one_entry() -> None:
    months = [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1), date(2025, 8, 1)]
    frame = pl.DataFrame({**{k: ["x"] * 4 for k in _ENTRY_KEY},
                          "apportioned": [True] * 4, "month": months})
    assert entry_numbers(frame).to_list() == [1, 1, 1, 4]

"""Apportionment and share splits conserve every penny, and the frame and scalar versions agree."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.mapping.apportion import (
    apportion,
    apportion_frame,
    cumulative_to_period,
    largest_remainder,
    map_entries,
)
from fundflow.mapping.reference import UNMAPPED, Crosswalk

amounts = st.integers(min_value=-(10**16), max_value=10**16)
starts = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
lengths = st.integers(min_value=0, max_value=4000)
FAST = settings(max_examples=100, deadline=None)


@FAST
@given(amounts, st.lists(st.integers(min_value=0, max_value=10**8), min_size=1, max_size=40))
def test_largest_remainder_conserves_and_stays_within_a_penny(
    amount: int, weights: list[int]
) -> None:
    if sum(weights) == 0:
        weights[0] = 1
    pieces = largest_remainder(amount, weights)
    assert sum(pieces) == amount
    total = sum(weights)
    for piece, weight in zip(pieces, weights, strict=True):
        assert abs(piece - Fraction(amount * weight, total)) < 1


@FAST
@given(amounts, starts, lengths)
def test_apportion_conserves_every_penny(amount: int, start: date, length: int) -> None:
    end = start + timedelta(days=length)
    pieces = apportion(amount, start, end)
    assert sum(p.amount_pence for p in pieces) == amount
    assert sum(p.days for p in pieces) == length + 1
    for piece in pieces:
        exact = Fraction(amount * piece.days, length + 1)
        assert abs(piece.amount_pence - exact) < 1
        assert piece.apportioned == (len(pieces) > 1)
    months = [p.month for p in pieces]
    assert months[0] == start.replace(day=1) and months[-1] == end.replace(day=1)
    assert [p.amount_pence for p in apportion(-amount, start, end)] == [
        -p.amount_pence for p in pieces
    ]


@pytest.mark.parametrize(
    ("amount", "start", "end", "expected"),
    [
        (10000, date(2025, 4, 1), date(2025, 6, 30), [3297, 3406, 3297]),
        (100, date(2024, 1, 1), date(2024, 3, 31), [34, 32, 34]),  # leap February
        (100, date(2023, 1, 1), date(2023, 3, 31), [35, 31, 34]),
        (3, date(2025, 7, 1), date(2025, 8, 31), [2, 1]),  # tie: earliest month first
        (-3, date(2025, 7, 1), date(2025, 8, 31), [-2, -1]),
        (1, date(2025, 1, 1), date(2025, 12, 31), [1] + [0] * 11),
        (999, date(2025, 2, 14), date(2025, 2, 14), [999]),  # one day
        (100, date(2024, 2, 29), date(2024, 3, 1), [50, 50]),
    ],
)
def test_apportion_examples(amount: int, start: date, end: date, expected: list[int]) -> None:
    assert [p.amount_pence for p in apportion(amount, start, end)] == expected


def test_apportion_rejects_a_reversed_range() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        apportion(1, date(2025, 2, 1), date(2025, 1, 1))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(amounts, starts, st.integers(0, 800)), min_size=1, max_size=25))
def test_frame_and_scalar_versions_agree(rows: list[tuple[int, date, int]]) -> None:
    entries = pl.DataFrame(
        {
            "id": list(range(len(rows))),
            "period_start": [s for _, s, _ in rows],
            "period_end": [s + timedelta(days=n) for _, s, n in rows],
            "amount_pence": [a for a, _, _ in rows],
        },
        schema_overrides={"amount_pence": pl.Int64},
    )
    out, issues = apportion_frame(entries)
    assert issues == []
    expected = [
        (i, p.month, p.amount_pence, p.apportioned)
        for i, (a, s, n) in enumerate(rows)
        for p in apportion(a, s, s + timedelta(days=n))
    ]
    assert out.select("id", "month", "amount_pence", "apportioned").rows() == expected


def test_frame_keeps_open_and_reversed_periods_whole_with_issues() -> None:
    entries = pl.DataFrame(
        {
            "period_start": [date(2025, 4, 1), None, date(2025, 5, 1), None],
            "period_end": [
                date(2025, 5, 31),
                date(2020, 3, 31),
                date(2025, 4, 1),
                date(2020, 3, 31),
            ],
            "amount_pence": [61, 7, 9, 8],
            "cell": ["C5", "D5", "E5", "F5"],
        }
    )
    out, issues = apportion_frame(entries)
    assert out["amount_pence"].sum() == 85
    assert out["cell"].to_list() == ["C5", "C5", "D5", "E5", "F5"]
    assert out["month"].null_count() == 3
    assert out["apportioned"].to_list() == [True, True, False, False, False]
    assert sorted(i.code for i in issues) == ["period-open", "period-reversed"]


def _crosswalk(
    version: int,
    start: date,
    end: date | None,
    targets: list[dict[str, str]],
    label: str = "Staff salaries (incl. NI & pension)",
) -> Crosswalk:
    return Crosswalk.model_validate(
        {
            "funder": "F-DPC",
            "version": version,
            "effective_from": start,
            "effective_to": end,
            "categories": [{"label": label, "to": targets}],
        }
    )


SPLIT = [
    {"subjective": "EMP.SAL", "objective": "SAFE", "cap_rev": "revenue", "share": "80"},
    {"subjective": "EMP.ONC", "share": "20"},
]


def test_map_entries_splits_maps_and_flags_unmapped() -> None:
    walks = [
        _crosswalk(1, date(2023, 4, 1), date(2024, 3, 31), [{"subjective": "EMP"}]),
        _crosswalk(2, date(2024, 4, 1), None, SPLIT),
    ]
    entries = pl.DataFrame(
        {
            "funder_id": ["F-DPC", "F-DPC", "F-DPC", "F-DPC"],
            "funder_category": [
                "  staff SALARIES (incl. NI &  pension)",
                "Staff salaries (incl. NI & pension)",
                "Mystery",
                None,
            ],
            "period_start": [
                date(2025, 4, 1),
                date(2023, 6, 1),
                date(2025, 4, 1),
                date(2025, 4, 1),
            ],
            "amount_pence": [1001, 500, 77, 5],
            "cap_rev": ["unspecified"] * 4,
            "objective": ["PLACE"] * 4,
        }
    )
    out, issues = map_entries(entries, walks)
    assert out.select(
        "subjective", "objective", "cap_rev", "amount_pence", "crosswalk_version"
    ).rows() == [
        ("EMP.SAL", "SAFE", "revenue", 801, 2),
        ("EMP.ONC", "PLACE", "unspecified", 200, 2),
        ("EMP", "PLACE", "unspecified", 500, 1),
        (UNMAPPED, "PLACE", "unspecified", 77, 2),
        (UNMAPPED, "PLACE", "unspecified", 5, 2),
    ]
    assert [i.code for i in issues] == ["category-unmapped"] * 2
    assert "£0.77" in issues[0].message and "Mystery" in issues[0].message


share_parts = st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(share_parts, st.lists(amounts, min_size=1, max_size=20))
def test_share_splits_conserve_pennies(parts: list[int], values: list[int]) -> None:
    scale = sum(parts)
    # shares as decimals with up to 6 places that add to exactly 100
    shares = [Decimal(p * 10**6 * 100 // scale).scaleb(-6) for p in parts]
    shares[-1] += Decimal(100) - sum(shares)
    shares = [s for s in shares if s > 0]
    targets = [{"subjective": "SUP", "share": str(s)} for s in shares]
    walk = _crosswalk(1, date(2000, 1, 1), None, targets, label="x")
    entries = pl.DataFrame(
        {
            "funder_id": "F-DPC",
            "funder_category": "X",
            "period_start": date(2025, 4, 1),
            "amount_pence": values,
            "cap_rev": "revenue",
            "row": list(range(len(values))),
        },
        schema_overrides={"amount_pence": pl.Int64},
    )
    out, issues = map_entries(entries, [walk])
    assert issues == []
    sums = out.group_by("row").agg(pl.col("amount_pence").sum()).sort("row")
    assert sums["amount_pence"].to_list() == values
    for row, value in enumerate(values):
        pieces = out.filter(pl.col("row") == row)["amount_pence"].to_list()
        for piece, share in zip(pieces, shares, strict=True):
            assert abs(piece - Fraction(value) * Fraction(share) / 100) < 1


def test_cumulative_to_period_differences_in_order() -> None:
    frame = pl.DataFrame(
        {
            "stream": ["A", "A", "A", "B", "B"],
            "period_start": [
                date(2025, 7, 1),
                date(2025, 4, 1),
                date(2025, 10, 1),
                date(2025, 4, 1),
                date(2025, 7, 1),
            ],
            "amount_pence": [300, 100, 250, 5, 9],
        }
    )
    out, issues = cumulative_to_period(frame, ["stream"])
    assert out["amount_pence"].to_list() == [100, 200, -50, 5, 4]
    assert [i.code for i in issues] == ["cumulative-decreased"]
    restored = out.with_columns(pl.col("amount_pence").cum_sum().over("stream"))
    assert restored["amount_pence"].to_list() == [100, 300, 250, 5, 9]


def test_vectorised_apportion_handles_many_entries_quickly() -> None:
    n = 50_000
    entries = pl.DataFrame(
        {
            "period_start": [date(2025, 4, 1) + timedelta(days=i % 365) for i in range(n)],
            "amount_pence": [(i * 7919) % 10**9 - 10**8 for i in range(n)],
        }
    ).with_columns(period_end=pl.col("period_start") + pl.duration(days=91))
    out, issues = apportion_frame(entries)
    assert issues == []
    assert out["amount_pence"].sum() == entries["amount_pence"].sum()
    assert out.height >= 3 * n

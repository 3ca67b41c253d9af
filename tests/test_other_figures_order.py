"""The earlier-submission figures a return carries (`other_data`) come in one order however the
Book's rows arrive: the cover's context hash is taken over them."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.returns.terms import other_figures


def finance(categories: list[str | None]) -> pl.DataFrame:
    """Rows alike in every key but `funder_category` (and the amount)."""
    n = len(categories)
    return pl.DataFrame({
        "funder_id": ["F-A"] * n, "stream_id": ["S-A"] * n, "tier": [1] * n,
        "month": [date(2025, 4, 1)] * n, "year": ["2025-26"] * n, "quarter": ["Q1"] * n,
        "measure": ["actual"] * n, "state": ["final"] * n, "basis": ["cash"] * n,
        "subjective": ["Staff costs"] * n, "objective": [None] * n, "cap_rev": ["rev"] * n,
        "funding_source": ["funder"] * n, "funder_category": categories,
        "apportioned": [False] * n, "on_basis": [True] * n, "submission_id": ["sub-1"] * n,
        "amount_pence": list(range(1, n + 1)),
    }, schema_overrides={"objective": pl.String, "funder_category": pl.String})


@settings(max_examples=30, deadline=None)
@given(st.permutations(["Salaries", "Agency staff", "Overtime", "Bank staff", None]))
def test_other_figures_order_does_not_depend_on_the_rows_order(order: list[str | None]) -> None:
    book = SimpleNamespace(finance=finance(order), partnership="P")
    frame = pl.DataFrame({"submission_id": ["elsewhere"]})
    rows = other_figures(book, frame)  # type: ignore[arg-type]
    assert [r.funder_category for r in rows] == ["Agency staff", "Bank staff", "Overtime",
                                                 "Salaries", None]

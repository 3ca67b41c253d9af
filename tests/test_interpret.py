"""Interpreting a column once per distinct text gives exactly what interpreting each cell does."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.ingest.grid import Workbook
from fundflow.ingest.specs.interpret import _each, interpret
from fundflow.ingest.specs.spec import Source

BOOK = Workbook("t.xlsx", "0", "xlsx", [])
TEXTS = st.sampled_from(["12.50", "(3.00)", "£1,000", "n/a", "-", "", "  ", "about 5k",
                         "Staff ", "staff", "Travel", "1e-7", None])
SOURCES = [
    Source(column="A", parser="gbp_amount"),
    Source(column="A", parser="text", lookup={"staff": "Staff costs", "travel": "Travel"}),
    Source(column="A", parser="text", extract=r"^(\w+)", default="none"),
    Source(column="A", parser="decimal", required=False),
]


@settings(max_examples=40, deadline=None)
@given(st.lists(TEXTS, min_size=300, max_size=900), st.sampled_from(SOURCES))
def test_once_per_distinct_text_equals_each_cell(texts: list[str | None], src: Source) -> None:
    raw = pl.Series("f", texts, dtype=pl.String)
    once, each = interpret(src, raw, BOOK), _each(src, raw, BOOK)
    assert once.codes is not None  # so few texts: the distinct path was taken
    for got, want in ((once.values, each.values), (once.reasons, each.reasons),
                      (once.missed, each.missed), (once.blank, each.blank),
                      (once.text, each.text)):
        assert got.to_list() == want.to_list()

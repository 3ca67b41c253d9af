"""The transaction list held as a frame (`EntryTable`) reads back as the validated models."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.returns.entry_table import SCHEMA, EntryRow, EntryTable

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10)


@st.composite
def entries(draw: st.DrawFn) -> EntryRow:
    return EntryRow(
        stream_id=draw(_TEXT), date=draw(st.none() | st.dates(date(1990, 1, 1))),
        period_label=draw(_TEXT), description=draw(st.none() | _TEXT),
        funder_category=draw(st.none() | _TEXT), category=draw(_TEXT), cap_rev=draw(_TEXT),
        measure=draw(_TEXT), state=draw(_TEXT), basis=draw(_TEXT),
        amount=draw(st.decimals(-10**15, 10**15, places=2)), source=draw(_TEXT),
        sheet=draw(st.none() | _TEXT), cell=draw(st.none() | _TEXT))


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(entries(), max_size=6))
def test_rows_read_back_as_the_validated_models(rows: list[EntryRow]) -> None:
    table = EntryTable.from_rows(rows)
    made = list(table)
    assert made == rows
    assert [r.model_dump_json() for r in made] == [r.model_dump_json() for r in rows]
    assert list(pickle.loads(pickle.dumps(table))) == rows
    assert table[1:3] == rows[1:3]


def test_a_missing_value_or_a_fraction_of_a_penny_is_refused() -> None:
    row = EntryRow(stream_id="S", date=None, period_label="Q1", description=None,
                   funder_category=None, category="E01", cap_rev="revenue", measure="spend",
                   state="actual", basis="defrayed", amount=Decimal("1.50"), source="sub",
                   sheet=None, cell=None)
    frame = EntryTable.from_rows([row]).frame
    with pytest.raises(ValueError, match="cap_rev"):
        EntryTable(frame.with_columns(cap_rev=pl.lit(None, pl.String)))
    with pytest.raises(ValueError):
        EntryTable.from_rows([row.model_copy(update={"amount": Decimal("1.505")})])
    assert list(EntryTable(frame.select(list(SCHEMA)))) == [row]

"""The Finance rows as a frame (`returns.finance_table`): the table is the list of rows it
replaced, read whole, a stream at a time, and through pydantic (validation and JSON)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from fundflow.returns.finance_table import FinanceRow, FinanceTable

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_MONEY = st.integers(-10**12, 10**12).map(lambda p: Decimal(p).scaleb(-2))


@st.composite
def finance_rows(draw: st.DrawFn) -> FinanceRow:
    return FinanceRow(
        funder_id=draw(st.sampled_from(["F-A", "F-B"])),
        stream_id=draw(st.sampled_from(["S-1", "S-2", "S-3", "é"])),
        tier=draw(st.integers(0, 3)), year=draw(st.sampled_from(["2025-26", "2024-25"])),
        quarter=draw(st.one_of(st.none(), st.sampled_from(["Q1", "Q4"]))),
        measure=draw(st.sampled_from(["spend", "receipt"])), basis=draw(_TEXT),
        category=draw(_TEXT), cap_rev=draw(st.one_of(st.none(), _TEXT)),
        actual=draw(_MONEY), forecast=draw(_MONEY),
    )


class _Holder(BaseModel):
    finance: FinanceTable


@settings(max_examples=40, deadline=None)
@given(st.lists(finance_rows(), max_size=30))
def test_table_is_the_rows_it_was_made_from(rows: list[FinanceRow]) -> None:
    table = FinanceTable.from_rows(rows)
    assert list(table) == rows and len(table) == len(rows)
    assert table == rows and table == FinanceTable.from_rows(list(table))
    if rows:
        assert table[-1] == rows[-1] and table[1:3] == rows[1:3]
    columns = ("category", "tier", "actual")
    by_stream = {stream: make() for stream, make in table.by_stream(columns).items()}
    assert list(by_stream) == list(dict.fromkeys(r.stream_id for r in rows))
    for stream, got in by_stream.items():
        assert got == [(r.category, r.tier, int(r.actual * 100))
                       for r in rows if r.stream_id == stream]


@settings(max_examples=40, deadline=None)
@given(st.lists(finance_rows(), max_size=30))
def test_json_and_validation_are_those_of_the_list(rows: list[FinanceRow]) -> None:
    as_list = [r.model_dump(mode="json") for r in rows]
    held = _Holder(finance=FinanceTable.from_rows(rows))
    assert held.model_dump(mode="json")["finance"] == as_list
    back = _Holder.model_validate_json(held.model_dump_json())
    assert isinstance(back.finance, FinanceTable) and list(back.finance) == rows
    assert list(_Holder.model_validate({"finance": as_list}).finance) == rows


def test_money_that_is_not_whole_pence_is_refused() -> None:
    row = FinanceRow(funder_id="F", stream_id="S", tier=3, year="2025-26", quarter=None,
                     measure="spend", basis="defrayed", category="c", cap_rev=None,
                     actual=Decimal("0.001"), forecast=Decimal("0"))
    with pytest.raises(ValueError, match="whole pence"):
        FinanceTable.from_rows([row])


@given(st.lists(st.integers(-10**13, 10**13), max_size=40))
def test_a_sum_in_pence_gives_the_double_the_exact_decimal_gives(pences: list[int]) -> None:
    # The Finance sheet sums whole pence and writes pence / 100; it used to sum Decimals.
    total = sum(pences)
    exact = sum((Decimal(p).scaleb(-2) for p in pences), Decimal("0.00"))
    assert total / 100 == float(exact)
    assert f"{total / 100:.16G}" == f"{float(exact):.16G}"

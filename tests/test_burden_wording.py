"""The terminal never says a consolidated return 'saves' a negative number of hours."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fundflow.analysis.burden import change_of
from fundflow.cli.demo_cmd import _saving


def test_a_saving_reads_as_a_saving() -> None:
    assert _saving(Decimal("287.4")) == "saves 287.40"


def test_extra_hours_read_as_extra_not_as_a_negative_saving() -> None:
    text = _saving(Decimal("-22.07"))
    assert text == "22.07 more"
    assert "-" not in text


@given(st.decimals(min_value=-10_000, max_value=10_000, places=2),
       st.decimals(min_value=-10_000, max_value=10_000, places=2))
def test_a_change_is_a_saving_or_extra_and_never_negative(hours: Decimal, cost: Decimal) -> None:
    change = change_of(hours, cost)
    assert change.hours >= 0 and change.cost >= 0
    assert change.saves == (hours >= 0)
    assert (change.hours if change.saves else -change.hours) == hours

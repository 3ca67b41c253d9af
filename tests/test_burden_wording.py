"""The terminal never says a consolidated return 'saves' a negative number of hours."""

from decimal import Decimal

from fundflow.cli.demo_cmd import _saving


def test_a_saving_reads_as_a_saving() -> None:
    assert _saving(Decimal("287.4")) == "saves 287.40"


def test_extra_hours_read_as_extra_not_as_a_negative_saving() -> None:
    text = _saving(Decimal("-22.07"))
    assert text == "22.07 more"
    assert "-" not in text

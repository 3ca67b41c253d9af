"""Named parsers: documented examples hold, any text gives a value or a reason, dates are exact."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from fundflow.catalogue import CATALOGUE
from fundflow.ingest.parsers import PARSERS, parse_column, parse_scalar

ENUM = {"values": {"High": "high", "Medium ": "medium", "Low": "low", "N/A": "none"}}


def _options(name: str) -> dict[str, Any]:
    return ENUM if name == "enum" else {}


EXAMPLES = [
    pytest.param(name, ex, id=f"{name}:{ex.text!r}:{dict(ex.options)}")
    for name, spec in PARSERS.items()
    for ex in spec.examples
]


@pytest.mark.parametrize(("name", "ex"), EXAMPLES)
def test_documented_examples_hold(name: str, ex: Any) -> None:
    assert parse_scalar(name, ex.text, **dict(ex.options)) == (ex.value, ex.reason)


def test_every_parser_is_documented_with_codes_from_the_catalogue() -> None:
    for name, spec in PARSERS.items():
        assert spec.name == name and spec.description and len(spec.examples) >= 3, name
        assert any(ex.reason for ex in spec.examples), f"{name} shows no rejection"
        for ex in spec.examples:
            assert ex.reason is None or ex.reason in CATALOGUE, ex.reason


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(max_size=20) | st.none(), min_size=1, max_size=25))
def test_any_text_gives_a_value_or_a_reason(texts: list[str | None]) -> None:
    column = pl.Series("cell", texts, dtype=pl.String)
    for name, spec in PARSERS.items():
        values, reasons = parse_column(name, column, **_options(name))
        assert values.dtype == spec.dtype and reasons.dtype == pl.String, name
        assert values.name == reasons.name == "cell", name
        assert len(values) == len(reasons) == len(texts), name
        assert (values.is_not_null() & reasons.is_not_null()).sum() == 0, name
        assert set(reasons.drop_nulls()) <= set(CATALOGUE), name
        # Neither value nor reason only for blanks and the missing markers the options name.
        for text, value, reason in zip(texts, values, reasons, strict=True):
            if value is None and reason is None:
                assert text is None or _is_marker(name, text), (name, text)
        # Each cell is parsed on its own: order and neighbours change nothing.
        back, why = parse_column(name, column.reverse(), **_options(name))
        assert back.reverse().to_list() == values.to_list(), name
        assert why.reverse().to_list() == reasons.to_list(), name


def _is_marker(name: str, text: str) -> bool:
    markers = {"", "n/a", "-", "–", "—", "nil"} if name != "text" else {""}
    return text.strip().lower() in markers


def test_scalar_and_column_agree_on_a_mixed_column() -> None:
    texts = ["1/4/25", "2025-04-01", "1st April 2025", "45748", "x", "", None, "n/a", "£5", "60"]
    for name in PARSERS:
        values, reasons = parse_column(name, pl.Series(texts, dtype=pl.String), **_options(name))
        one_by_one = [parse_scalar(name, t, **_options(name)) for t in texts]
        assert list(zip(values, reasons, strict=True)) == one_by_one, name


def test_required_cells_report_missing() -> None:
    values, reasons = parse_column("uk_date", pl.Series(["", None, "n/a", "1/4/25"]), required=True)
    assert reasons.to_list() == ["required-missing"] * 3 + [None]
    assert values.to_list() == [None, None, None, date(2025, 4, 1)]


def test_options_are_validated() -> None:
    with pytest.raises(ValidationError):
        parse_scalar("gbp_amount", "1", units="£000s")
    with pytest.raises(ValidationError):
        parse_scalar("gbp_amount", "1", unit="$")
    with pytest.raises(ValidationError):
        parse_scalar("excel_serial", "1", system=1901)
    with pytest.raises(ValidationError):
        parse_scalar("enum", "x", values={"High": "high", "HIGH ": "low"})
    with pytest.raises(KeyError):
        parse_scalar("us_date", "1/2/2025")


# --- dates --------------------------------------------------------------------------------

DATES = st.dates(min_value=date(1900, 3, 1), max_value=date(2199, 12, 31))


DAY_LISTS = st.lists(DATES, min_size=1, max_size=40)


def _dates(name: str, texts: list[str], **options: Any) -> list[date | None]:
    values, reasons = parse_column(name, pl.Series(texts, dtype=pl.String), **options)
    assert reasons.null_count() == len(texts), reasons.drop_nulls().to_list()
    return values.to_list()


@settings(max_examples=30, deadline=None)
@given(DAY_LISTS, st.sampled_from(["/", "-", "."]), st.booleans())
def test_uk_dates_round_trip(days: list[date], sep: str, padded: bool) -> None:
    def text(day: date, year: str) -> str:
        d, m = (f"{day.day:02d}", f"{day.month:02d}") if padded else (day.day, day.month)
        return f"{d}{sep}{m}{sep}{year}"

    assert _dates("uk_date", [text(day, str(day.year)) for day in days]) == days
    recent = [day for day in days if 2000 <= day.year <= 2099]  # two digits mean 20xx
    assert _dates("uk_date", [text(day, f"{day.year % 100:02d}") for day in recent]) == recent


def _ordinal(day: date) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}
    return f"{day.day}{suffix.get(day.day, 'th')}"


@settings(max_examples=20, deadline=None)
@given(DAY_LISTS)
def test_text_and_iso_dates_round_trip(days: list[date]) -> None:
    words = [
        [f"{_ordinal(day)} {day:%B %Y}" for day in days],
        [f"{day.day} {day:%b %Y}" for day in days],
        [f"{day:%B} {day.day}, {day.year}" for day in days],
        [f"{day:%A} {_ordinal(day)} {day:%B %Y}" for day in days],
    ]
    for texts in words:
        assert _dates("text_date", texts) == days
        assert _dates("any_date", texts) == days
    for time in ("", " 00:00:00", "T13:45:00"):
        texts = [day.isoformat() + time for day in days]
        assert _dates("iso_date", texts) == days
        assert _dates("any_date", texts) == days
    firsts = [day.replace(day=1) for day in days]
    assert _dates("month_year", [f"{day:%B %Y}" for day in days]) == firsts
    recent = [day.replace(day=1) for day in days if 2000 <= day.year <= 2099]
    assert _dates("month_year", [f"{day:%b-%y}" for day in recent]) == recent


@settings(max_examples=30, deadline=None)
@given(DAY_LISTS)
def test_excel_serials_round_trip_in_both_systems(days: list[date]) -> None:
    serials = [(day - date(1899, 12, 30)).days for day in days]
    assert _dates("excel_serial", [str(n) for n in serials]) == days
    assert _dates("excel_serial", [f"{n}.75" for n in serials]) == days
    mac = [day for day in days if day >= date(1904, 1, 1)]
    texts = [str((day - date(1904, 1, 1)).days) for day in mac]
    assert _dates("excel_serial", texts, system=1904) == mac


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        ("1", date(1900, 1, 1)),
        ("59", date(1900, 2, 28)),
        ("61", date(1900, 3, 1)),
        ("45382", date(2024, 3, 31)),
        ("0", None),
        ("2958465", None),
    ],
)
def test_the_1900_leap_year_bug(serial: str, expected: date | None) -> None:
    assert parse_scalar("excel_serial", serial)[0] == expected
    assert parse_scalar("excel_serial", "60") == (None, "date-phantom-1900")
    assert parse_scalar("excel_serial", "0", system=1904) == (date(1904, 1, 1), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04/05/2026", date(2026, 5, 4)),
        ("03/31/2026", None),
        ("12/13/2025", None),
        ("2025", None),
        ("45748", date(2025, 4, 1)),
        ("31/02/2026", None),
        ("1/4/2025", None),
    ],
)
def test_any_date_never_reads_us_order(text: str, expected: date | None) -> None:
    if text == "1/4/2025":
        expected = date(2025, 4, 1)
    value, reason = parse_scalar("any_date", text)
    assert value == expected and (reason is None) == (expected is not None)


@pytest.mark.parametrize(
    "text", ["32/01/2026", "31/13/2026", "29/02/2025", "1/1/202", "1//2026", "31/03-2026"]
)
def test_impossible_uk_dates_are_rejected(text: str) -> None:
    assert parse_scalar("uk_date", text) == (None, "date-invalid")


def test_leap_days() -> None:
    assert parse_scalar("uk_date", "29/02/2024") == (date(2024, 2, 29), None)
    assert parse_scalar("uk_date", "29/02/2100") == (None, "date-invalid")
    assert parse_scalar("uk_date", "29/02/2000") == (date(2000, 2, 29), None)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("Apr-25", "2025-04"),
        ("Apr 2025", "2025-04"),
        ("April 2025", "2025-04"),
        ("apr/25", "2025-04"),
        ("Sept-25", "2025-09"),
        ("2025-04", "2025-04"),
        ("4/2025", "2025-04"),
        ("2025-04-01", "2025-04"),
        ("2025-04-30 00:00:00", "2025-04"),
        ("Dec-25", "2025-12"),
    ],
)
def test_month_year_forms(text: str, month: str) -> None:
    assert parse_scalar("month_year", text) == (date.fromisoformat(month + "-01"), None)


@pytest.mark.parametrize("text", ["Q1 2025", "13/2025", "2025-13", "Apr", "H1 (Apr-Sep)"])
def test_month_year_rejections(text: str) -> None:
    assert parse_scalar("month_year", text) == (None, "month-invalid")


# --- numbers, text, lists -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "value", "reason"),
    [
        ("integer", "-1,234", -1234, None),
        ("integer", "(5)", -5, None),
        ("integer", "1e-7", None, "number-not-whole"),
        ("integer", "£5", None, "number-invalid"),
        ("integer", "99999999999999999999", None, "number-too-large"),
        ("decimal", "12.3456789", None, "number-too-precise"),
        ("decimal", "0.30000000000000004", Decimal("0.3"), None),
        ("percent", "100%", Decimal("1"), None),
        ("percent", "-2.5%", Decimal("-0.025"), None),
        ("percent", "45", Decimal("45"), None),
        ("percent", "%", None, "percent-invalid"),
        ("boolean", " YES ", True, None),
        ("boolean", "No", False, None),
        ("boolean", "2", None, "boolean-invalid"),
        ("text", "a\tb\n\nc", "a b c", None),
        ("text", "\u202eevil", None, "text-invalid-character"),
        ("text", "x\x00y", None, "text-invalid-character"),
        ("gbp_amount", "1.5", 150_000_000, None),
    ],
)
def test_value_table(name: str, text: str, value: object, reason: str | None) -> None:
    options = {"unit": "£m"} if name == "gbp_amount" else {}
    assert parse_scalar(name, text, **options) == (value, reason)


@pytest.mark.parametrize(
    ("text", "value", "reason"),
    [
        ("high", "high", None),
        (" MEDIUM", "medium", None),
        ("Low  ", "low", None),
        ("n/a", "none", None),
        ("", None, None),
        ("< Select >", None, "value-placeholder"),
        ("Please select", None, "value-placeholder"),
        ("-- Select --", None, "value-placeholder"),
        ("Choose an item.", None, "value-placeholder"),
        ("Hi", None, "value-not-allowed"),
        ("Selected", None, "value-not-allowed"),
    ],
)
def test_enum_lookup(text: str, value: str | None, reason: str | None) -> None:
    assert parse_scalar("enum", text, **ENUM) == (value, reason)


def test_money_parser_takes_its_unit_and_rounding() -> None:
    assert parse_scalar("gbp_amount", "12.345", unit="£000s") == (1_234_500, None)
    assert parse_scalar("gbp_amount", "(12.4)", unit="£000s") == (-1_240_000, None)
    assert parse_scalar("gbp_amount", "1.005", rounding="half-up") == (101, None)
    values, _ = parse_column("gbp_amount", pl.Series("spend", ["1", None]))
    assert values.name == "spend" and values.dtype == pl.Int64


def test_serial_days_are_consecutive() -> None:
    serials = pl.Series([str(n) for n in range(61, 61 + 3000)])
    values, reasons = parse_column("excel_serial", serials)
    assert reasons.null_count() == len(serials)
    first = date(1900, 3, 1)
    assert values.to_list() == [first + timedelta(days=i) for i in range(3000)]

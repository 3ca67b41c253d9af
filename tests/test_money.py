"""Money is exact: the strict grammar, its vectorised form, and round trips to DuckDB."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fundflow.money import (
    DEFAULT_MISSING,
    MAX_PENCE,
    Rounding,
    _parse_general,
    decimal_to_pence,
    format_gbp,
    parse_fixed,
    parse_money_column,
    parse_pence,
    pence_to_decimal,
    pence_to_decimal_series,
)

PENCE = st.integers(-MAX_PENCE, MAX_PENCE)


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("£1,234.56", 123456),
        ("1,234,567.89", 123456789),
        ("(1,234.56)", -123456),
        ("(£1,234.56)", -123456),
        ("£(1,234.56)", -123456),
        ("1234.56-", -123456),
        ("-£5", -500),
        ("£-5", -500),
        ("- £ 5", -500),
        ("GBP 12", 1200),
        ("gbp12.5", 1250),
        ("  12\u00a0", 1200),
        ("\u00a0£1,000\u00a0", 100000),
        ("12.500", 1250),
        ("12.", 1200),
        (".5", 50),
        ("-0", 0),
        ("-0.00", 0),
        ("0.30000000000000004", 30),
        ("1234.5600000000002", 123456),
        ("1234.5599999999999", 123456),
        ("5.551115123125783e-17", 0),
        ("9999999999999999.99", MAX_PENCE),
        ("-9999999999999999.99", -MAX_PENCE),
    ],
)
def test_accepted_forms(text: str, pence: int) -> None:
    assert parse_pence(text) == (pence, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,23.00", "money-invalid"),
        ("1234,567", "money-invalid"),
        ("1.234,56", "money-invalid"),
        ("1 234,56", "money-invalid"),
        ("12 CR", "money-invalid"),
        ("--5", "money-invalid"),
        ("-(5)", "money-invalid"),
        ("(5)-", "money-invalid"),
        ("(5", "money-invalid"),
        ("+5", "money-invalid"),
        ("1_000", "money-invalid"),
        ("١٢٣", "money-invalid"),
        ("１２３", "money-invalid"),
        ("\u200b12", "money-invalid"),
        ("NaN", "money-invalid"),
        ("nan", "money-invalid"),
        ("sNaN", "money-invalid"),
        ("inf", "money-invalid"),
        ("-Infinity", "money-invalid"),
        ("1e3", "money-invalid"),
        ("12e-1", "money-invalid"),
        ("$12", "money-invalid"),
        ("€12", "money-invalid"),
        ("EUR 12", "money-invalid"),
        ("12p", "money-invalid"),
        (".", "money-invalid"),
        ("about 5k", "money-invalid"),
        ("1.005", "money-too-precise"),
        ("1234.567", "money-too-precise"),
        ("0.125", "money-too-precise"),
        ("1e-07", "money-too-precise"),
        ("1e-7", "money-too-precise"),
        ("1234567890123.4567", "money-too-precise"),
        ("99999999999999999.99", "money-too-large"),
        ("10000000000000000", "money-too-large"),
        ("1e+16", "money-too-large"),
        ("1E+400", "money-too-large"),
    ],
)
def test_rejected_forms(text: str, reason: str) -> None:
    assert parse_pence(text) == (None, reason)


@pytest.mark.parametrize("text", [None, "", "  ", "n/a", "N/A", "-", "–", "—", "nil", "NIL"])
def test_missing_markers_are_not_errors(text: str | None) -> None:
    result = parse_pence(text)
    assert result.missing and result == (None, None)


def test_missing_markers_are_an_option() -> None:
    assert parse_pence("-", missing=()) == (None, "money-invalid")
    assert parse_pence("n/a", missing=["not applicable"]) == (None, "money-invalid")
    assert parse_pence("Not Applicable", missing=["not applicable"]) == (None, None)


@pytest.mark.parametrize(
    ("text", "scale", "pence"),
    [
        ("12.345", 1_000, 1_234_500),
        ("(12.3)", 1_000, -1_230_000),
        ("1.5", 1_000_000, 150_000_000),
        ("0.00000001", 1_000_000, 1),
        ("1e-05", 1_000_000, 1_000),
    ],
)
def test_scaled_units_are_exact(text: str, scale: int, pence: int) -> None:
    assert parse_pence(text, scale=scale) == (pence, None)


def test_scaled_units_reject_more_places_than_the_scale_allows() -> None:
    assert parse_pence("12.3456", scale=1_000) == (1_234_560, None)
    assert parse_pence("12.345678", scale=1_000) == (None, "money-too-precise")
    assert parse_pence("10000000000000", scale=1_000) == (None, "money-too-large")


@pytest.mark.parametrize(
    ("text", "even", "up"),
    [
        ("1.005", 100, 101),
        ("1.015", 102, 102),
        ("-1.005", -100, -101),
        ("2.675", 268, 268),
        ("0.125", 12, 13),
        ("1.0051", 101, 101),
        ("1.00499999", 100, 100),
    ],
)
def test_rounding_is_exact_and_only_on_request(text: str, even: int, up: int) -> None:
    assert parse_pence(text, rounding="half-even") == (even, None)
    assert parse_pence(text, rounding="half-up") == (up, None)


def test_bad_options_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="scale"):
        parse_pence("1", scale=12)
    with pytest.raises(ValueError, match="rounding"):
        parse_pence("1", rounding="bankers")  # type: ignore[arg-type]


def test_format_gbp() -> None:
    assert format_gbp(123456) == "£1,234.56"
    assert format_gbp(-500) == "-£5.00"
    assert format_gbp(0) == "£0.00"
    assert format_gbp(MAX_PENCE) == "£9,999,999,999,999,999.99"


def test_decimal_conversions() -> None:
    assert pence_to_decimal(123456) == Decimal("1234.56")
    assert str(pence_to_decimal(-5)) == "-0.05"
    assert decimal_to_pence(Decimal("1234.56")) == 123456
    assert decimal_to_pence(Decimal("1.005"), rounding="half-up") == 101
    with pytest.raises(ValueError, match="fractions"):
        decimal_to_pence(Decimal("1.005"))


# --- an independent model of the grammar, for the property tests ----------------------------

_WS = " \t\n\x0b\x0c\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_WS += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_GROUPED = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?")
_FLOAT = re.compile(r"-?[1-9](?:\.[0-9]+)?[eE][-+]?[0-9]{1,4}")


def _model(text: str | None, scale: int = 1, rounding: str | None = None) -> tuple[object, ...]:  # noqa: PLR0911
    """What the grammar promises, written out with Decimal: (pence, reason)."""
    if text is None:
        return (None, None)
    t = text.strip(_WS)
    if t.lower() in {m.lower() for m in DEFAULT_MISSING}:
        return (None, None)
    amount = _model_amount(t)
    if amount is None:
        return (None, "money-invalid")
    pence = amount * 100 * scale
    if abs(pence) >= Decimal(10) ** 18:
        return (None, "money-too-large")
    whole = pence.to_integral_value(rounding=ROUND_HALF_EVEN)
    if rounding is not None:
        mode = ROUND_HALF_EVEN if rounding == "half-even" else ROUND_HALF_UP
        whole = pence.to_integral_value(rounding=mode)
        return (None, "money-too-large") if abs(whole) > MAX_PENCE else (int(whole), None)
    if abs(whole) > MAX_PENCE:  # beyond DECIMAL(18,2) once rounded: size is the problem
        return (None, "money-too-large")
    if whole != pence and not _float_noise(t, pence, whole, scale):
        return (None, "money-too-precise")
    return (int(whole), None)


def _model_amount(t: str) -> Decimal | None:
    """Tokens left of the number, the number, tokens right of it; then the allowed sequences."""
    if _FLOAT.fullmatch(t):
        value = Decimal(t)
        return value if value.adjusted() < -4 or value.adjusted() >= 16 else None
    left: list[str] = []
    rest = t
    while rest:
        if rest.upper().startswith("GBP"):
            left.append("£")
            rest = rest[3:]
        elif rest[0] in "(-£":
            left.append(rest[0])
            rest = rest[1:]
        elif rest[0] in " \xa0":
            rest = rest[1:]
        else:
            break
    number = re.match(r"[0-9.,]*", rest)
    assert number is not None
    right = rest[number.end() :]
    tokens = "".join(left)
    if right.endswith(")") and not right[:-1].strip(" \xa0"):
        right = ")"  # spaces may stand before a closing bracket, never before a trailing minus
    allowed = {
        ("", ""),
        ("-", ""),
        ("£", ""),
        ("-£", ""),
        ("£-", ""),
        ("", "-"),
        ("£", "-"),
        ("(", ")"),
        ("(£", ")"),
        ("£(", ")"),
    }
    if (tokens, right) not in allowed or not _GROUPED.fullmatch(number[0]):
        return None
    if not re.search("[0-9]", number[0]):
        return None
    value = Decimal(number[0].replace(",", ""))
    return -value if "-" in tokens + right or "(" in tokens else value


def _float_noise(t: str, pence: Decimal, whole: Decimal, scale: int) -> bool:
    """More places than allowed are float noise when a formatter wrote them (16+ digits) and
    they sit within 0.001p of a penny (below a penny: within a billionth of £1 of the unit)."""
    digits = re.sub(r"[eE].*$", "", t)
    significant = len(re.sub(r"[^0-9]", "", digits).lstrip("0"))
    near_zero = min(Decimal("1e-9") * Decimal(100 * scale), Decimal("1e-3"))
    tolerance = Decimal("1e-3") if abs(pence) >= 1 else near_zero
    places = len(digits.partition(".")[2]) - (2 + len(str(scale)) - 1)
    return (significant >= 16 or places >= 7) and abs(pence - whole) <= tolerance


MONEYISH = st.text(alphabet="0123456789.,-()£ \u00a0GBPeE+", max_size=14)
DIGITS = st.from_regex(r"\A-?[0-9]{1,19}(\.[0-9]{0,6})?\Z")


@settings(max_examples=120, deadline=None)
@given(st.lists(MONEYISH | DIGITS | st.text(max_size=8) | st.none(), min_size=1, max_size=60))
@example(["1e-7", "1234.5600000000002", "(£1,234.56)", "£-5", "12.", "-£(5)", "1e+16", "."])
@example(["1.0E-1", "1e-4", "1e-5", "9.9e-5"])  # typed exponents above 1e-5 are invalid
def test_vectorised_parser_matches_the_model_row_by_row(texts: list[str | None]) -> None:
    values, reasons = parse_money_column(pl.Series(texts, dtype=pl.String))
    got = list(zip(values.to_list(), reasons.to_list(), strict=True))
    assert got == [_model(t) for t in texts]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.decimals(min_value=-(10**13), max_value=10**13, places=6), max_size=30),
    st.sampled_from([1, 1_000, 1_000_000]),
    st.sampled_from([None, "half-even", "half-up"]),
)
def test_scales_and_rounding_match_decimal_arithmetic(
    amounts: list[Decimal], scale: int, rounding: Rounding | None
) -> None:
    texts = [format(amount, "f") for amount in amounts]
    got = _parse(texts, scale=scale, rounding=rounding)
    assert got == [_model(text, scale, rounding) for text in texts]


@settings(max_examples=40, deadline=None)
@given(st.lists(PENCE, max_size=30))
def test_money_text_round_trips(pences: list[int]) -> None:
    """format_gbp, plain, grouped, bracketed and trailing-minus text all parse back exactly."""
    forms: list[tuple[str, int]] = []
    for pence in pences:
        decimal, size = pence_to_decimal(pence), format_gbp(abs(pence))
        forms += [(format_gbp(pence), pence), (str(decimal), pence), (f"{decimal:,}", pence)]
        forms += [(f"({size})", -abs(pence)), (f"{size[1:]}-", -abs(pence))]
    assert _parse([text for text, _ in forms]) == [(pence, None) for _, pence in forms]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))))
@example([(-999_999_999_603, 999_999_962_068)])  # big operands, small sum: operand-sized noise
def test_float_sums_from_number_cells_give_the_exact_pence(pairs: list[tuple[int, int]]) -> None:
    """A formula cell adding two amounts holds float noise; the exact pence come back."""
    texts = [repr(a / 100 + b / 100) for a, b in pairs]
    assert _parse(texts) == [(a + b, None) for a, b in pairs]


def _parse(texts: list[str], **options: Any) -> list[tuple[int | None, str | None]]:
    values, reasons = parse_money_column(pl.Series(texts, dtype=pl.String), **options)
    return list(zip(values.to_list(), reasons.to_list(), strict=True))


@settings(max_examples=25, deadline=None)
@given(st.lists(PENCE | st.none(), max_size=30))
def test_pence_through_polars_decimal_and_duckdb_is_exact(pences: list[int | None]) -> None:
    series = pence_to_decimal_series(pl.Series("amount", pences, dtype=pl.Int64))
    assert series.dtype == pl.Decimal(18, 2)
    assert series.to_list() == [None if p is None else pence_to_decimal(p) for p in pences]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, amount DECIMAL(18,2))")
    con.register("frame", pl.DataFrame({"i": range(len(pences)), "amount": series}))
    con.execute("INSERT INTO t SELECT i, amount FROM frame")
    back = [row[0] for row in con.execute("SELECT amount FROM t ORDER BY i").fetchall()]
    assert [None if d is None else decimal_to_pence(d) for d in back] == pences


PLAIN_EDGES = st.from_regex(r"\A-?[0-9]{1,20}(\.[0-9]{0,9})?\Z")


@settings(max_examples=150, deadline=None)
@given(st.lists(PLAIN_EDGES | MONEYISH | DIGITS | st.none(), min_size=1, max_size=60),
       st.integers(0, 8), st.booleans(), st.sampled_from([None, "half-even", "half-up"]))
@example(["9999999999999999.99", "-9999999999999999.99", "99999999999999999.9", "-0", "007"],
         2, True, None)
@example(["999999999999999999", "1000000000000000000", "-1"], 0, False, None)
def test_plain_texts_cast_as_the_whole_grammar_reads_them(
    texts: list[str | None], places: int, currency: bool, rounding: Rounding | None
) -> None:
    """`parse_fixed` casts plain texts straight to units and sends the rest through the whole
    grammar; every text must come out as the grammar alone gives it, digit limits included."""
    s = pl.Series("t", texts, dtype=pl.String)
    whole = _parse_general(s, places, rounding, DEFAULT_MISSING, currency)
    fast = parse_fixed(s, places=places, rounding=rounding, currency=currency)
    assert [x.to_list() for x in fast] == [x.to_list() for x in whole]
    assert fast[0].dtype == pl.Int64 and fast[0].name == "t"


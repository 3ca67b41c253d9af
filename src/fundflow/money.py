"""Exact money: one strict grammar from cell text to integer pence, and back to text.

Funders type money in many ways (`£1,234.56`, `(500.00)`, `1234.56-`, `GBP 12`) and number cells
arrive as shortest float text (`1234.5`, `0.30000000000000004`, `1e-7`). Everything becomes
integer pence here, or a reason why not; nothing is ever rounded silently and floats never carry
an amount. The grammar is vectorised with polars (1M cells in a fraction of a second), and the
scalar `parse_pence` runs the same expressions on a one-element series, so there is only one
mechanism to trust.

The fixed-point engine `parse_fixed` is shared with the integer, decimal and percent parsers in
`parsers.py`; it reports reason *kinds* ("invalid", "too-precise", "too-large") that each caller
turns into its own catalogue code.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal, NamedTuple

from fundflow.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl
else:
    pl = lazy_module("polars")

from fundflow.issues import Issue, make_issue

MAX_PENCE = 999_999_999_999_999_999
"""The largest amount a DECIMAL(18,2) column holds, in pence (£9,999,999,999,999,999.99)."""

DEFAULT_MISSING: tuple[str, ...] = ("", "n/a", "N/A", "-", "–", "—", "nil")
"""Cell texts that mean "nothing reported" (compared after trimming, ignoring case)."""

UNITS: dict[str, int] = {"£": 1, "£000s": 1_000, "£m": 1_000_000}
"""Units a money column may be declared in, and how many pounds one of them is."""

Rounding = Literal["half-even", "half-up"]
ROUNDINGS: tuple[str, ...] = ("half-even", "half-up")

# Trimmed around every value: spaces, tabs, line breaks and the no-break spaces Excel users paste.
SPACES = " \t\r\n\u00a0\u2007\u2009\u202f"

# The grammar. Digits are spelled [0-9] because `\d` in the regex engine also matches
# Arabic-Indic and full-width digits, which must be rejected. Thousands separators must sit in
# groups of three. Negatives: a leading minus (before or after £), a trailing minus, or brackets.
_S = r"[ \u00a0]*"
_C = r"(?:£|(?i:GBP))"
_N = r"(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)"
_MONEY_RE = (
    rf"^(?:{_C}?{_S}{_N}-?|-{_S}{_C}?{_S}{_N}|{_C}{_S}-{_S}{_N}"
    rf"|\({_S}{_C}?{_S}{_N}{_S}\)|{_C}{_S}\({_S}{_N}{_S}\))$"
)
_NUMBER_RE = rf"^(?:-?{_S}{_N}|\({_S}{_N}{_S}\))$"
# How a float formatter writes a number cell below 0.0001 or from 1e16 up (`1e-7`, `1.5e+16`);
# the exponent is capped at four digits so `1e-999999999` cannot make us build a huge string.
_FLOAT_RE = r"^-?[1-9](?:\.[0-9]+)?[eE][-+]?[0-9]{1,4}$"
_SMALL_EXPONENT = -4  # 0.0001 is written out; 1e-05 is not
_BIG_EXPONENT = 16  # from here a float cannot even hold whole pounds exactly

_MAX_DIGITS = 18  # digits of the integer result: DECIMAL(18, places) and always inside Int64
_ARTEFACT_PLACES = 7  # or 7+ places beyond the unit's (9+ decimals of £): no one types that
_ARTEFACT_DIGITS = 16  # a float's shortest text needs 16+ digits only when it is not the decimal
# Distance from a whole unit (a penny) still taken as float noise in formatter-written text:
# a thousandth of a unit, whatever the size of the result, since a formula adding two large
# amounts carries the error of its operands (-9,999,999,996.03 + 9,999,999,620.68 is
# -375.35000610351562), under a thousandth of a penny for operands up to about £40bn. Below
# one unit only a billionth of £1 counts, so a tiny value such as 1e-7 is never taken as 0.
_ARTEFACT_CAP = 1e-3
_ARTEFACT_NEAR_ZERO = 1e-9
_EXP_CAP = 60  # beyond this many places a value is either float noise or far too precise


class PenceResult(NamedTuple):
    """One parsed amount: pence, or a reason code, or neither when the cell is missing."""

    pence: int | None
    reason: str | None

    @property
    def missing(self) -> bool:
        """True when the cell held nothing (blank or a missing marker such as `n/a`)."""
        return self.pence is None and self.reason is None


def parse_pence(
    text: str | None,
    *,
    scale: int = 1,
    rounding: Rounding | None = None,
    missing: Iterable[str] = DEFAULT_MISSING,
) -> PenceResult:
    """Parse one cell's text to integer pence.

    Runs `parse_money_column` on a one-element series, so it always agrees with the vectorised
    form; use that for whole columns.
    """
    values, reasons = parse_money_column(
        pl.Series([text], dtype=pl.String), scale=scale, rounding=rounding, missing=missing
    )
    return PenceResult(values[0], reasons[0])


def parse_money_column(
    s: pl.Series,
    *,
    scale: int = 1,
    rounding: Rounding | None = None,
    missing: Iterable[str] = DEFAULT_MISSING,
) -> tuple[pl.Series, pl.Series]:
    """Parse a column of cell texts to pence.

    Args:
        s: cell texts (String; null for an empty cell).
        scale: pounds per unit of the column: 1 (£), 1000 (£000s) or 1_000_000 (£m). In £000s
            `12.345` is £12,345.00 exactly, and a fourth decimal is too precise.
        rounding: None rejects fractions of a penny (`money-too-precise`); "half-even" or
            "half-up" rounds them exactly instead, for templates that compute amounts.
        missing: texts that mean "nothing reported"; they give null with no reason.

    Returns:
        Int64 pence (null where missing or rejected) and String reason codes (`money-invalid`,
        `money-too-precise`, `money-too-large`; null where parsed or missing), same length.
    """
    places = 2 + _log10(scale)
    units, kind = parse_fixed(s, places=places, rounding=rounding, missing=missing, currency=True)
    codes = pl.select((pl.lit("money-") + pl.lit(kind)).alias(s.name)).to_series()
    return units.rename(s.name), codes


def parse_fixed(
    s: pl.Series,
    *,
    places: int,
    rounding: Rounding | None = None,
    missing: Iterable[str] = DEFAULT_MISSING,
    currency: bool = False,
) -> tuple[pl.Series, pl.Series]:
    """Parse number texts to an exact Int64 count of 10**-places units.

    The shared engine behind money, integer, decimal and percent. Accepts a leading minus or
    brackets for negatives (money also a trailing minus and £/GBP), comma thousands in groups of
    three, and float text from number cells: an exponent form is accepted only as a float
    formatter writes it (`1e-7`, `1e+16`), and a value with more places than allowed is taken
    as float noise only when it has 16+ significant digits or 9+ decimals (a sum such as
    807.039999999999 has only 15 digits) and lies within a thousandth of a whole unit
    (see `_ARTEFACT_CAP`). Returns the units and a reason kind: "invalid", "too-precise" or
    "too-large".
    """
    if rounding is not None and rounding not in ROUNDINGS:
        raise ValueError(f"rounding must be one of {ROUNDINGS}, not {rounding!r}")
    text = s.cast(pl.String)
    plain = text.str.contains(_plain_pattern(places)).fill_null(False)
    if not plain.any():  # typed text such as '£1,234.56': no cast worth trying
        units, kinds = _parse_general(text, places, rounding, missing, currency)
        return units.rename(s.name), kinds.rename(s.name)
    units = (text.cast(pl.Decimal(38, places), strict=False).to_physical()
             .cast(pl.Int64, strict=False))  # the rest (perhaps too large) is replaced below
    kinds = pl.repeat(None, len(text), dtype=pl.String, eager=True)
    rest = (~plain).arg_true()
    if len(rest):
        rest_units, rest_kinds = _parse_general(text.gather(rest), places, rounding, missing,
                                                currency)
        units = units.scatter(rest, rest_units)
        kinds = kinds.scatter(rest, rest_kinds)
    return units.rename(s.name), kinds.rename(s.name)


def _plain_pattern(places: int) -> str:
    """Texts a Decimal cast reads exactly as the grammar would: an optional minus, digits and
    at most `places` decimals, short enough to fit `_MAX_DIGITS` units. A number cell's text
    is nearly always one; checking that costs one pass instead of `_parse_general`'s ten."""
    fraction = rf"(?:\.[0-9]{{1,{places}}})?" if places > 0 else ""
    return rf"^-?[0-9]{{1,{_MAX_DIGITS - places}}}{fraction}$"


def _parse_general(
    text: pl.Series, places: int, rounding: Rounding | None, missing: Iterable[str],
    currency: bool,
) -> tuple[pl.Series, pl.Series]:
    """`parse_fixed` for any text: the whole grammar, missing markers and float forms."""
    frame = pl.DataFrame({"raw": text})
    frame = frame.with_columns(t=pl.col("raw").str.strip_chars())
    for step in _fast_path(places, missing_pattern(missing), currency):
        frame = frame.with_columns(step)
    values = frame.select(
        pl.when(pl.col("negative")).then(-pl.col("fast")).otherwise(pl.col("fast"))
    ).to_series()
    kinds = pl.Series([None] * len(frame), dtype=pl.String)
    todo = (~frame["is_missing"] & frame["fast"].is_null()).arg_true()
    if len(todo):
        slow_values, slow_kinds = _slow_path(frame[todo], places, rounding)
        values = values.scatter(todo, slow_values)
        kinds = kinds.scatter(todo, slow_kinds)
    return values, kinds


def missing_pattern(missing: Iterable[str]) -> str:
    """One case-insensitive regex for the missing markers (faster than lower-casing a column)."""
    markers = sorted({"".join(f"\\x{{{ord(c):x}}}" for c in m.strip()) for m in missing})
    return "(?i)^(?:" + "|".join(markers) + ")$" if markers else "^.^"


def _fast_path(places: int, missing: str, currency: bool) -> list[list[pl.Expr]]:
    """Missing cells, the sign, and the units of every cell that needs no more than a cast.

    Most cells are plain amounts with at most `places` decimals: once the grammar matched,
    stripping the currency, sign and commas leaves text that a Decimal cast reads exactly. The
    rest (too long, too many places, exponent forms, invalid) go to `_slow_path`. Given as
    steps so that no expression is computed twice (eager polars has no common-subexpression
    elimination).
    """
    t = pl.col("t")
    clean = pl.col("clean")
    dot = clean.str.find(".", literal=True).fill_null(pl.col("length"))
    units = pl.col("units")
    fits = pl.col("plain") & (pl.col("length") - dot <= places + 1) & (units <= 10**_MAX_DIGITS - 1)
    return [
        [
            (pl.col("raw").is_null() | t.str.contains(missing)).alias("is_missing"),
            t.str.contains(_MONEY_RE if currency else _NUMBER_RE).alias("plain"),
            t.str.contains("[-(]").alias("negative"),
            t.str.strip_chars("£GBPgbp()-" + SPACES)
            .str.replace_all(",", "", literal=True)
            .alias("clean"),
        ],
        [
            clean.str.len_bytes().alias("length"),
            clean.cast(pl.Decimal(38, places), strict=False).to_physical().alias("units"),
        ],
        [pl.when(fits).then(units.cast(pl.Int64)).alias("fast")],
    ]


def _slow_path(
    frame: pl.DataFrame, places: int, rounding: Rounding | None
) -> tuple[pl.Series, pl.Series]:
    """Exact digit-string arithmetic for the few cells the fast path could not settle."""
    frame = frame.with_columns(
        float_form=pl.col("t").str.contains(_FLOAT_RE),
        # Once the grammar matched, a minus or bracket before any exponent means negative.
        negative=pl.col("t").str.contains(r"^[^eE]*[-(]"),
        epos=pl.col("t").str.find("[eE]"),
    )
    frame = frame.with_columns(_exponent())
    frame = frame.with_columns(_digits())
    frame = frame.with_columns(_split(places))
    frame = frame.with_columns(_magnitude(places, rounding))
    out = frame.select(
        value=pl.when(pl.col("kind").is_not_null())
        .then(None)
        .when(pl.col("negative"))
        .then(-pl.col("units"))
        .otherwise(pl.col("units")),
        kind=pl.col("kind"),
    )
    return out["value"], out["kind"]


def _exponent() -> list[pl.Expr]:
    """The exponent of a float-form cell, the mantissa text, and whether the form is allowed.

    A float formatter writes exponents only below 0.0001 or from 1e16 up, so `1e3` is typed
    text, not a number cell, and is invalid.
    """
    floaty = pl.col("float_form")
    exp = pl.when(floaty).then(pl.col("t").str.slice(pl.col("epos") + 1).cast(pl.Int64))
    small = floaty & (exp < _SMALL_EXPONENT).fill_null(False)
    big = floaty & (exp >= _BIG_EXPONENT).fill_null(False)
    mantissa = pl.when(floaty).then(pl.col("t").str.slice(0, pl.col("epos"))).otherwise("t")
    return [
        (-exp).clip(0, _EXP_CAP).fill_null(0).alias("shift"),
        small.alias("small"),
        big.alias("big"),
        (pl.col("plain") | small | big).alias("valid"),
        mantissa.str.replace_all("[^0-9.]", "").alias("digits"),
    ]


def _digits() -> list[pl.Expr]:
    """Integer and fraction digits, with a negative exponent written out (1.5e-3 -> 0.0015)."""
    digits = pl.col("digits")
    dot = digits.str.find(".", literal=True)
    int_digits = pl.when(dot.is_null()).then(digits).otherwise(digits.str.slice(0, dot))
    frac = pl.when(dot.is_null()).then(pl.lit("")).otherwise(digits.str.slice(dot + 1))
    mantissa = int_digits + frac
    shifted = mantissa.str.pad_start(mantissa.str.len_chars() + pl.col("shift") - 1, "0")
    small = pl.col("small")
    return [
        pl.when(small).then(pl.lit("0")).otherwise(int_digits).alias("int_digits"),
        pl.when(small).then(shifted).otherwise(frac).alias("frac_digits"),
    ]


def _split(places: int) -> list[pl.Expr]:
    """Split the digits into the kept units and the rest beyond `places`."""
    frac = pl.col("frac_digits")
    units_text = pl.col("int_digits") + frac.str.slice(0, places).str.pad_end(places, "0")
    rest = frac.str.slice(places)
    significant = (pl.col("int_digits") + frac).str.strip_chars_start("0").str.len_chars()
    return [
        units_text.str.strip_chars_start("0").alias("units_text"),
        rest.alias("rest"),
        rest.str.contains("[1-9]").alias("inexact"),
        significant.alias("significant"),
    ]


def _magnitude(places: int, rounding: Rounding | None) -> list[pl.Expr]:
    """The unsigned units after rounding, and the reason kind when there is one."""
    too_long = (pl.col("units_text").str.len_chars() > _MAX_DIGITS) | pl.col("big")
    exact = pl.when(too_long).then(0).otherwise(pl.col("units_text").cast(pl.Int64, strict=False))
    exact = exact.fill_null(0)
    rest = pl.col("rest")
    if rounding is None:
        r = (pl.lit("0.") + rest.str.slice(0, 17)).cast(pl.Float64, strict=False).fill_null(0.0)
        near_zero = min(_ARTEFACT_NEAR_ZERO * 10.0**places, _ARTEFACT_CAP)
        tolerance = pl.when(exact >= 1).then(_ARTEFACT_CAP).otherwise(near_zero)
        round_up = r >= 0.5
        formatter_wrote_it = (pl.col("significant") >= _ARTEFACT_DIGITS) | (
            rest.str.len_chars() >= _ARTEFACT_PLACES
        )
        accepted = formatter_wrote_it & (
            pl.min_horizontal(r, 1.0 - r) <= tolerance
        )
    else:
        first = rest.str.slice(0, 1)
        beyond_half = rest.str.slice(1).str.contains("[1-9]")
        tie_up = pl.lit(rounding == "half-up") | (exact % 2 == 1)
        round_up = (first > "5") | ((first == "5") & (beyond_half | tie_up))
        accepted = pl.lit(True)
    units = exact + (pl.col("inexact") & round_up).cast(pl.Int64)
    kind = (
        pl.when(~pl.col("valid"))
        .then(pl.lit("invalid"))
        .when(too_long | (units > 10**_MAX_DIGITS - 1))
        .then(pl.lit("too-large"))
        .when(pl.col("inexact") & ~accepted)
        .then(pl.lit("too-precise"))
    )
    return [units.alias("units"), kind.alias("kind")]


def _log10(scale: int) -> int:
    """Places a scale adds: 1 -> 0, 1000 -> 3; scales must be whole powers of ten."""
    digits = str(scale)
    if scale < 1 or digits.rstrip("0") != "1":
        raise ValueError(f"scale must be 1, 10, 100, ... (1000 for £000s), not {scale!r}")
    return len(digits) - 1


def format_gbp(pence: int) -> str:
    """Pence as a finance officer writes them: 123456 -> '£1,234.56', -500 -> '-£5.00'."""
    pounds, pennies = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{pounds:,}.{pennies:02d}"


def format_pounds(amount: Decimal) -> str:
    """Pounds (a Decimal of pounds and pence) in the same words: Decimal('-5') -> '-£5.00'."""
    return format_gbp(int(amount.scaleb(2)))


class Largest(NamedTuple):
    """The amount of largest size seen so far in a file, and where it is."""

    pence: int
    sheet: str | None
    cell: str | None


def largest_amount(frame: pl.DataFrame, so_far: Largest | None,
                   column: str = "amount_gbp_pence") -> Largest | None:
    """The larger (by size) of `so_far` and the frame's largest amount, with its sheet and
    cell (`source_sheet`, `source_cell`), so a total too large for the ledger can be pinned
    to the cell that most likely caused it (the check runs as parts go by, rows unkept)."""
    if frame.height == 0 or column not in frame.columns:
        return so_far
    at = frame.get_column(column).abs().arg_max()
    if at is None:
        return so_far
    row = frame.row(at, named=True)
    found = Largest(int(row[column]), row.get("source_sheet"), row.get("source_cell"))
    return found if so_far is None or abs(found.pence) > abs(so_far.pence) else so_far


def total_too_large(total: int, largest: Largest | None, file: str) -> list[Issue]:
    """A `money-total-too-large` issue when a file's amounts add up to more than a
    DECIMAL(18,2) holds: every amount fits, yet the submission's control total would not, and
    `import` must refuse it as `validate` does, at a cell, before the ledger is touched."""
    if abs(total) <= MAX_PENCE:
        return []
    where = largest or Largest(0, None, None)
    return [make_issue("money-total-too-large", file=file, sheet=where.sheet, cell=where.cell,
                       value=format_gbp(where.pence), total=format_gbp(total))]


def pence_to_decimal(pence: int) -> Decimal:
    """Pence as an exact two-place Decimal: 123456 -> Decimal('1234.56')."""
    return Decimal(pence).scaleb(-2)


def decimal_to_pence(amount: Decimal, *, rounding: Rounding | None = None) -> int:
    """An exact Decimal amount in pounds to pence.

    Raises ValueError for fractions of a penny unless `rounding` is given: callers pass Decimals
    they built themselves, so an inexact one is a programming error, not a data problem.
    """
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    mode = {None: None, "half-even": ROUND_HALF_EVEN, "half-up": ROUND_HALF_UP}[rounding]
    pence = amount.scaleb(2)
    whole = pence.to_integral_value(rounding=mode or ROUND_HALF_EVEN)
    if mode is None and whole != pence:
        raise ValueError(f"{amount} has fractions of a penny")
    return int(whole)


def pence_to_decimal_series(pence: pl.Series) -> pl.Series:
    """Int64 pence to an exact Decimal(18, 2) series, ready for a DuckDB DECIMAL(18,2) column.

    The factor 0.01 is made from text inside polars: a Python `Decimal` literal makes polars
    import numpy (about 0.15 s of CPU, the only import of numpy in `fundflow return`).
    """
    cent = pl.lit("0.01").cast(pl.Decimal(3, 2))
    pounds = pl.select(
        pl.lit(pence).cast(pl.Decimal(38, 0)).mul(cent).cast(pl.Decimal(18, 2))
    )
    return pounds.to_series().rename(pence.name)

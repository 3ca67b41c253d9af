"""Named value parsers: the only way a cell's text becomes a typed value.

Adapter specs name a parser for each field (`gbp_amount`, `uk_date`, `enum`, ...) with options.
Every parser works on a whole polars column at once and returns two series of the same length:
the typed values (null where the cell is missing or rejected) and catalogue reason codes (null
where the cell parsed or was missing). A parser never raises for bad data and never guesses: US
month/day order is never tried. `PARSERS` is the registry that the CLI help and
`docs/adapters.md` are generated from; the tests check every example in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from fundflow.money import (
    DEFAULT_MISSING,
    UNITS,
    Rounding,
    missing_pattern,
    parse_fixed,
    parse_money_column,
)

Parsed = tuple[pl.Series, pl.Series]

_EPOCH = date(1970, 1, 1).toordinal()  # polars Date counts days from here
_FIRST_YEAR, _LAST_YEAR = 1900, 2199  # dates outside are typos (0026 for 2026), not history


class Options(BaseModel):
    """Options every parser takes; a typo in a spec is an error (`extra="forbid"`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    missing: tuple[str, ...] = Field(
        DEFAULT_MISSING, description="Cell texts that mean nothing was reported (any case)."
    )
    required: bool = Field(False, description="A missing cell gives `required-missing`.")


class MoneyOptions(Options):
    """Options of `gbp_amount`."""

    unit: Literal["£", "£000s", "£m"] = Field("£", description="The unit the column is in.")
    rounding: Rounding | None = Field(
        None, description="Round fractions of a penny (half-even, half-up) instead of rejecting."
    )


class SerialOptions(Options):
    """Options of `excel_serial`."""

    system: Literal[1900, 1904] = Field(1900, description="The workbook's date system.")


class DecimalOptions(Options):
    """Options of `decimal`."""

    places: int = Field(6, ge=0, le=12, description="Decimal places kept exactly.")
    rounding: Rounding | None = Field(None, description="Round extra places instead of rejecting.")


class PercentOptions(Options):
    """Options of `percent`: computed ratios such as 1/3 are rounded by default."""

    places: int = Field(6, ge=2, le=12, description="Decimal places of the fraction kept.")
    rounding: Rounding | None = Field("half-even", description="How extra places are rounded.")


class TextOptions(Options):
    """Options of `text`: only an empty cell is missing; 'n/a' is an answer."""

    missing: tuple[str, ...] = Field(("",), description="Texts that mean nothing was written.")


class EnumOptions(Options):
    """Options of `enum`."""

    values: dict[str, str] | list[str] = Field(
        description="Allowed labels, or a mapping from each label to the value to store."
    )
    placeholder: str = Field(
        r"(?i)^[\s<(\[_.\-–—]*(?:please\s+)?(?:select|choose)\b.*$",
        description="Regex for the template's drop-down placeholder, e.g. '< Select >'.",
    )

    @model_validator(mode="after")
    def _labels_agree(self) -> EnumOptions:
        """Two labels that differ only in case or spacing must not map to different values."""
        seen: dict[str, str] = {}
        for label, value in _pairs(self.values):
            key = _fold_text(label)
            if seen.setdefault(key, value) != value:
                raise ValueError(f"{label!r} maps to both {seen[key]!r} and {value!r}")
        return self


@dataclass(frozen=True)
class Example:
    """A documented input and what the parser gives for it; the tests check each one."""

    text: str | None
    value: object = None
    reason: str | None = None
    options: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ParserSpec:
    """One named parser: what it does, its options, its output type and examples."""

    name: str
    description: str
    dtype: pl.DataType
    options: type[Options]
    run: Callable[[pl.Series, Any], Parsed]
    examples: tuple[Example, ...]

    def __call__(self, s: pl.Series, **options: Any) -> Parsed:
        """Parse a column to (values, reasons); options are validated, so a typo raises."""
        opts = self.options.model_validate(options)
        raw = s.cast(pl.String).rename(s.name)
        values, reasons = self.run(raw, opts)
        return _apply_missing(raw, values.rename(s.name), reasons.rename(s.name), opts)


def parse_column(name: str, s: pl.Series, **options: Any) -> Parsed:
    """Parse a column with the parser called `name` (KeyError if there is none)."""
    return PARSERS[name](s, **options)


def parse_scalar(name: str, text: str | None, **options: Any) -> tuple[Any, str | None]:
    """Parse one cell's text to (value, reason), by the same code as a whole column."""
    return parse_texts(name, [text], **options)[0]


def parse_texts(name: str, texts: list[str | None], **options: Any) -> list[tuple[Any, str | None]]:
    """Parse several cells' texts to (value, reason) each in one column call: a column parse
    costs about the same for one cell as for a thousand, and a template's total rows have
    hundreds of cells to check."""
    values, reasons = PARSERS[name](pl.Series(texts, dtype=pl.String), **options)
    return list(zip(values.to_list(), reasons.to_list(), strict=True))


def _apply_missing(raw: pl.Series, values: pl.Series, reasons: pl.Series, opts: Options) -> Parsed:
    """Blank and marker cells become null, or `required-missing` when the field is required.

    A marker counts only where the parser found no value, so an enum may map 'N/A' to a value;
    where every cell gave one (a column of amounts, usually) no text need be looked at.
    """
    if not values.is_null().any():
        return values, reasons
    marker = raw.str.strip_chars().str.contains(missing_pattern(opts.missing)).fill_null(True)
    code = "required-missing" if opts.required else None
    out = pl.DataFrame({"v": values, "r": reasons, "m": marker & values.is_null()}).select(
        pl.when(~pl.col("m")).then(pl.col("v")).alias("v"),
        pl.when(pl.col("m")).then(pl.lit(code, pl.String)).otherwise(pl.col("r")).alias("r"),
    )
    return out["v"].rename(values.name), out["r"].rename(values.name)


def _kinds(kind: pl.Series, invalid: str, too_precise: str, too_large: str) -> pl.Series:
    """Reason kinds from the fixed-point engine to this parser's catalogue codes."""
    codes = {"invalid": invalid, "too-precise": too_precise, "too-large": too_large}
    return kind.replace(codes)


# --- numbers ----------------------------------------------------------------------------------


def _gbp_amount(raw: pl.Series, o: MoneyOptions) -> Parsed:
    return parse_money_column(raw, scale=UNITS[o.unit], rounding=o.rounding, missing=())


def _integer(raw: pl.Series, o: Options) -> Parsed:
    units, kind = parse_fixed(raw, places=0, missing=())
    return units, _kinds(kind, "number-invalid", "number-not-whole", "number-too-large")


def _units_to_decimal(units: pl.Series, places: int) -> pl.Series:
    """Exact Int64 units of 10**-places to a Decimal(38, places) series."""
    step = pl.lit(Decimal(1).scaleb(-places))
    scaled = pl.select(pl.lit(units).cast(pl.Decimal(38, 0)).mul(step)).to_series()
    return scaled.cast(pl.Decimal(38, places))


def _decimal(raw: pl.Series, o: DecimalOptions) -> Parsed:
    units, kind = parse_fixed(raw, places=o.places, rounding=o.rounding, missing=())
    reasons = _kinds(kind, "number-invalid", "number-too-precise", "number-too-large")
    return _units_to_decimal(units, o.places), reasons


def _percent(raw: pl.Series, o: PercentOptions) -> Parsed:
    """`45%` is 0.45; a bare number is already the fraction, as Excel stores a percent cell."""
    text = raw.str.strip_chars()
    marked = text.str.ends_with("%").fill_null(False)
    number = text.str.strip_chars_end("%").str.strip_chars_end()
    # The same units either way: a percentage needs two fewer places than its fraction.
    bare, bare_kind = parse_fixed(number, places=o.places, rounding=o.rounding, missing=())
    pct, pct_kind = parse_fixed(number, places=o.places - 2, rounding=o.rounding, missing=())
    frame = pl.DataFrame({"m": marked, "b": bare, "bk": bare_kind, "p": pct, "pk": pct_kind})
    out = frame.select(
        v=pl.when("m").then("p").otherwise("b"), k=pl.when("m").then("pk").otherwise("bk")
    )
    reasons = _kinds(out["k"], "percent-invalid", "number-too-precise", "number-too-large")
    return _units_to_decimal(out["v"], o.places), reasons


# --- dates ------------------------------------------------------------------------------------

_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_ISO_RE = rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_TIME}$"
_UK_RE = (
    r"^[0-9]{1,2}(?:/[0-9]{1,2}/|-[0-9]{1,2}-|\.[0-9]{1,2}\.)(?:[0-9]{2}|[0-9]{4})"
    r"(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?$"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_FIRST_RE = (
    rf"^{_WEEKDAY}(?P<d>[0-9]{{1,2}}){_ORDINAL}(?:\s+of)?[\s\-]+(?P<mw>[a-z]+)\.?,?[\s\-]+"
    r"(?P<y>[0-9]{4}|[0-9]{2})$"
)
_MONTH_FIRST_RE = (
    rf"^{_WEEKDAY}(?P<mw>[a-z]+)\.?\s+(?P<d>[0-9]{{1,2}}){_ORDINAL},?\s+(?P<y>[0-9]{{4}})$"
)
_MONTH_WORD_RE = r"^(?P<mw>[a-z]+)\.?[\s/\-']*(?P<y>[0-9]{2}|[0-9]{4})$"
_YEAR_MONTH_RE = r"^(?P<y>[0-9]{4})[-/](?P<m>[0-9]{1,2})$"
_MONTH_YEAR_RE = r"^(?P<m>[0-9]{1,2})[-/](?P<y>[0-9]{4})$"
_NAMES = ("jan feb mar apr may jun jul aug sep oct nov dec").split()
_FULL = (
    "january february march april may june july august september october november december"
).split()
MONTHS: dict[str, int] = {
    **{n: i + 1 for i, n in enumerate(_NAMES)},
    **{n: i + 1 for i, n in enumerate(_FULL)},
    "sept": 9,
}


def _days(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Days since 1970-01-01 for a proleptic Gregorian date; null when the day does not exist.

    Integer arithmetic (H. Hinnant's days_from_civil) so that 31/02 is caught without a
    string round trip and a million dates take milliseconds.
    """
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_days = pl.when(m == 2).then(28 + leap.cast(pl.Int64)).otherwise(30 + (m + m // 8) % 2)
    exists = (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days)
    yy = y - (m <= 2).cast(pl.Int64)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return pl.when(exists).then(era * 146097 + doe - 719468)


def _date_result(frame: pl.DataFrame, invalid: str = "date-invalid") -> Parsed:
    """Dates from `ok`, `y`, `m`, `d` (or `days`) columns, with the reason for each failure."""
    if "days" not in frame.columns:
        frame = frame.with_columns(days=_days(pl.col("y"), pl.col("m"), pl.col("d")))
    low = date(_FIRST_YEAR, 1, 1).toordinal() - _EPOCH
    high = date(_LAST_YEAR, 12, 31).toordinal() - _EPOCH
    days = pl.col("days")
    in_range = (days >= low) & (days <= high)
    out = frame.select(
        v=pl.when(pl.col("ok") & in_range).then(days).cast(pl.Int32).cast(pl.Date),
        r=pl.when(~pl.col("ok") | days.is_null())
        .then(pl.lit(invalid))
        .when(~in_range)
        .then(pl.lit("date-out-of-range")),
    )
    return out["v"], out["r"]


def _ints(*exprs: pl.Expr) -> list[pl.Expr]:
    return [e.cast(pl.Int64, strict=False) for e in exprs]


def _year(text: pl.Expr) -> pl.Expr:
    """A year from its digits; two digits are this century: 26 -> 2026 (funding, not births)."""
    year = text.cast(pl.Int64, strict=False)
    return pl.when(text.str.len_chars() == 2).then(year + 2000).otherwise(year)


_CLOCK = r"[ T](?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?"
_PHANTOM_CELL = "1900-02-28 00:00:00"
"""How the reader shows a date cell holding Excel's day 60 (and day 59): never a real date."""


def _clock_ok(t: pl.Expr) -> pl.Expr:
    """False when the text's time of day does not exist (25:00, 10:60, 10:00:61): such a
    date was typed wrongly, and dropping the time would hide it. True with no time."""
    parts = t.str.extract_groups(_CLOCK)
    h, mi, sec = _ints(parts.struct.field("h"), parts.struct.field("mi"), parts.struct.field("s"))
    return (h.is_null() | ((h <= 23) & (mi <= 59) & (sec.is_null() | (sec <= 59)))).fill_null(
        True)


def _with_clock(frame: pl.DataFrame, values: pl.Series, reasons: pl.Series) -> Parsed:
    """Reject dates whose time part does not exist, and Excel's phantom day as the reader
    shows it: its 29 February 1900 (day 60) arrives as 28 February, like day 59."""
    bad = frame.select((pl.col("ok") & ~_clock_ok(pl.col("t"))).fill_null(False)).to_series()
    phantom = frame.select((pl.col("t") == _PHANTOM_CELL).fill_null(False)).to_series()
    values = values.set(bad | phantom, None)
    return values, reasons.set(bad, "date-time-invalid").set(phantom, "date-phantom-1900")


def _iso_date(raw: pl.Series, o: Options) -> Parsed:
    t = pl.col("t")
    y, m, d = _ints(t.str.slice(0, 4), t.str.slice(5, 2), t.str.slice(8, 2))
    frame = pl.DataFrame({"t": raw.str.strip_chars()}).with_columns(
        ok=t.str.contains(_ISO_RE).fill_null(False), y=y, m=m, d=d
    )
    return _with_clock(frame, *_date_result(frame))


def _uk_date(raw: pl.Series, o: Options) -> Parsed:
    t = raw.str.strip_chars()
    day_part = t.str.slice(0, t.str.find(" ", literal=True).fill_null(t.str.len_chars()))
    parts = day_part.str.replace_all("-", "/", literal=True).str.replace_all(".", "/", literal=True)
    split = parts.str.split_exact("/", 2).struct.unnest()
    frame = pl.DataFrame({"t": t, "ok": t.str.contains(_UK_RE).fill_null(False)}).hstack(split)
    frame = frame.with_columns(
        d=pl.col("field_0").cast(pl.Int64, strict=False),
        m=pl.col("field_1").cast(pl.Int64, strict=False),
        y=_year(pl.col("field_2")),
    )
    return _with_clock(frame, *_date_result(frame))


def _month_number(word: pl.Expr) -> pl.Expr:
    return word.replace_strict(MONTHS, default=None, return_dtype=pl.Int64)


def _text_date(raw: pl.Series, o: Options) -> Parsed:
    lower = raw.str.strip_chars().str.to_lowercase()
    frame = pl.DataFrame({"a": lower.str.extract_groups(_DAY_FIRST_RE)}).unnest("a")
    other = lower.str.extract_groups(_MONTH_FIRST_RE).struct.unnest()
    frame = frame.select(
        pl.coalesce(pl.col(c), other[c]).alias(c) for c in ("d", "mw", "y")
    ).with_columns(
        ok=pl.col("d").is_not_null(),
        d=pl.col("d").cast(pl.Int64, strict=False),
        m=_month_number(pl.col("mw")),
        y=_year(pl.col("y")),
    )
    return _date_result(frame)


_SERIAL_BASE = {1900: date(1899, 12, 30), 1904: date(1904, 1, 1)}


def _excel_serial(raw: pl.Series, o: SerialOptions) -> Parsed:
    """Day numbers from number cells; a fraction (the time of day) is dropped.

    In the 1900 system Excel counts a 29 February 1900 that never was (serial 60), so serials
    below 60 are one day later than the arithmetic says, and 60 itself is rejected.
    """
    t = raw.str.strip_chars()
    whole = t.str.slice(0, t.str.find(".", literal=True).fill_null(t.str.len_chars()))
    serial = whole.cast(pl.Int64, strict=False).clip(0, 10**7)
    base = _SERIAL_BASE[o.system].toordinal() - _EPOCH
    frame = pl.DataFrame({"ok": t.str.contains(r"^[0-9]+(?:\.[0-9]+)?$"), "s": serial})
    early = (pl.col("s") < 60) & (o.system == 1900)
    phantom = (pl.col("s") == 60) & (o.system == 1900)
    frame = frame.with_columns(
        ok=pl.col("ok").fill_null(False) & pl.col("s").is_not_null(),
        days=pl.col("s") + base + early.cast(pl.Int64),
    )
    values, reasons = _date_result(frame)
    flags = frame.select(phantom.fill_null(False)).to_series()
    return values.set(flags, None), reasons.set(flags, "date-phantom-1900")


def _any_date(raw: pl.Series, o: SerialOptions) -> Parsed:
    """ISO, then UK day/month/year, then words, then an Excel serial of five or more digits.

    The serial must be at least 10000 (1927) so that a year typed as '2025' is not read as a
    day in 1905. Each later form sees only the unread cells that look like it (a cheap test
    first keeps a million cells fast), and a specific reason (a year out of range, the phantom
    day) beats a plain 'not a date'.
    """
    values, reasons = _iso_date(raw, o)
    steps: list[tuple[str, Callable[[pl.Series], Parsed]]] = [
        (r"^\s*[0-9]{1,2}[/.\-]", lambda s: _uk_date(s, o)),
        (r"[A-Za-z]", lambda s: _text_date(s, o)),
        (r"^\s*[0-9]{5,}(?:\.[0-9]+)?\s*$", lambda s: _excel_serial(s, o)),
    ]
    for shape, step in steps:
        todo = (values.is_null() & raw.str.contains(shape).fill_null(False)).arg_true()
        if not len(todo):
            continue
        more, why = step(raw[todo])
        keep = reasons[todo]
        better = pl.select(
            pl.when(pl.lit(more).is_not_null())
            .then(None)
            .when(pl.lit(keep) == "date-invalid")
            .then(pl.lit(why))
            .otherwise(pl.lit(keep))
        ).to_series()
        values = values.scatter(todo, more)
        reasons = reasons.scatter(todo, better)
    return values, reasons


def _month_year(raw: pl.Series, o: Options) -> Parsed:
    """A month as its first day: `Apr-25`, `April 2025`, `2025-04`, `04/2025`, or a date cell."""
    lower = raw.str.strip_chars().str.to_lowercase()
    word = lower.str.extract_groups(_MONTH_WORD_RE).struct.unnest()
    ym = lower.str.extract_groups(_YEAR_MONTH_RE).struct.unnest()
    my = lower.str.extract_groups(_MONTH_YEAR_RE).struct.unnest()
    iso = pl.lit(_iso_date(raw, o)[0])
    month = pl.coalesce(
        _month_number(pl.lit(word["mw"])),
        *_ints(pl.lit(ym["m"]), pl.lit(my["m"]), iso.dt.month()),
    )
    year = pl.coalesce(
        pl.lit(word["y"]), pl.lit(ym["y"]), pl.lit(my["y"]), iso.dt.year().cast(pl.String)
    )
    frame = pl.select(m=month, y=_year(year), d=pl.lit(1, pl.Int64))
    frame = frame.with_columns(ok=pl.col("m").is_not_null() & pl.col("y").is_not_null())
    return _date_result(frame, invalid="month-invalid")


# --- text, yes/no and lists -------------------------------------------------------------------

# Control characters, zero-width and text-direction marks: invisible, so never a real answer,
# and the last two can make a name look like another (T37, T38).
_INVISIBLE = (
    r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}\x{200b}-\x{200f}\x{202a}-\x{202e}"
    r"\x{2060}-\x{2069}\x{feff}]"
)
_BOOLEANS = {"yes": True, "y": True, "true": True, "1": True}
_BOOLEANS |= {"no": False, "n": False, "false": False, "0": False}


def _collapse(s: pl.Series) -> pl.Series:
    """Runs of any whitespace (tabs, line breaks, no-break spaces) become one space."""
    return s.str.replace_all(r"\s+", " ").str.strip_chars()


def _text(raw: pl.Series, o: TextOptions) -> Parsed:
    bad = raw.str.contains(_INVISIBLE).fill_null(False)
    text = _collapse(raw)
    return text.set(bad, None), pl.Series([None] * len(raw), dtype=pl.String).set(
        bad, "text-invalid-character"
    )


def _boolean(raw: pl.Series, o: Options) -> Parsed:
    key = raw.str.strip_chars().str.to_lowercase()
    values = key.replace_strict(_BOOLEANS, default=None, return_dtype=pl.Boolean)
    return values, _reason_where(values.is_null(), "boolean-invalid")


def _reason_where(mask: pl.Series, code: str) -> pl.Series:
    return pl.select(pl.when(pl.lit(mask)).then(pl.lit(code))).to_series()


def _pairs(values: dict[str, str] | list[str]) -> list[tuple[str, str]]:
    return list(values.items()) if isinstance(values, dict) else [(v, v) for v in values]


def _fold_text(label: str) -> str:
    """How an enum label is compared: case and spacing do not matter."""
    return " ".join(label.split()).lower()


def _enum(raw: pl.Series, o: EnumOptions) -> Parsed:
    lookup = {_fold_text(label): value for label, value in _pairs(o.values)}
    values = (
        _collapse(raw)
        .str.to_lowercase()
        .replace_strict(lookup, default=None, return_dtype=pl.String)
    )
    placeholder = raw.str.strip_chars().str.contains(o.placeholder).fill_null(False)
    reasons = pl.select(
        pl.when(pl.lit(values).is_not_null())
        .then(None)
        .when(pl.lit(placeholder))
        .then(pl.lit("value-placeholder"))
        .otherwise(pl.lit("value-not-allowed"))
    ).to_series()
    return values, reasons


# --- the registry -----------------------------------------------------------------------------


def _ex(text: str | None, value: object = None, reason: str | None = None, **opts: Any) -> Example:
    return Example(text, value, reason, tuple(sorted(opts.items())))


_D = date
_MONEY_EXAMPLES = (
    _ex("£1,234.56", 123456),
    _ex("(1,234.56)", -123456),
    _ex("1234.56-", -123456),
    _ex("GBP 12", 1200),
    _ex("0.30000000000000004", 30),
    _ex("n/a", None),
    _ex("12.345", 1234500, unit="£000s"),
    _ex("1.005", None, "money-too-precise"),
    _ex("1.005", 100, rounding="half-even"),
    _ex("1,23.00", None, "money-invalid"),
    _ex("$12", None, "money-invalid"),
    _ex("1e3", None, "money-invalid"),
    _ex("NaN", None, "money-invalid"),
    _ex("99999999999999999", None, "money-too-large"),
    _ex("", None, "required-missing", required=True),
)
_SPECS = (
    ParserSpec(
        "gbp_amount",
        "Money in pounds to exact integer pence: £, GBP, comma thousands, brackets or a leading "
        "or trailing minus for negatives; columns in £000s or £m; never more than whole pence "
        "unless rounding is asked for.",
        pl.Int64(),
        MoneyOptions,
        _gbp_amount,
        _MONEY_EXAMPLES,
    ),
    ParserSpec(
        "uk_date",
        "Day/month/year dates with /, - or . between (31/03/2026, 31/3/26, 31.03.2026); "
        "two-digit years are 20xx. Month/day order is never guessed.",
        pl.Date(),
        Options,
        _uk_date,
        (
            _ex("31/03/2026", _D(2026, 3, 31)),
            _ex("31/3/26", _D(2026, 3, 31)),
            _ex("31.03.2026", _D(2026, 3, 31)),
            _ex("31-03-2026", _D(2026, 3, 31)),
            _ex("03/31/2026", None, "date-invalid"),
            _ex("31/02/2026", None, "date-invalid"),
            _ex("31/03/0026", None, "date-out-of-range"),
            _ex("01/04/2025 24:00", None, "date-time-invalid"),
        ),
    ),
    ParserSpec(
        "text_date",
        "Dates written in words: 1st November 2024, 1 Nov 2024, November 1, 2024.",
        pl.Date(),
        Options,
        _text_date,
        (
            _ex("1st November 2024", _D(2024, 11, 1)),
            _ex("1 Nov 2024", _D(2024, 11, 1)),
            _ex("November 1, 2024", _D(2024, 11, 1)),
            _ex("Friday 1st Nov 2024", _D(2024, 11, 1)),
            _ex("1 Novembre 2024", None, "date-invalid"),
        ),
    ),
    ParserSpec(
        "excel_serial",
        "Excel day numbers from number cells, in the 1900 system (with its phantom 29 February "
        "1900) or the 1904 system of old Mac workbooks; a time of day is dropped.",
        pl.Date(),
        SerialOptions,
        _excel_serial,
        (
            _ex("45382", _D(2024, 3, 31)),
            _ex("45382.5", _D(2024, 3, 31)),
            _ex("43920", _D(2024, 3, 31), system=1904),
            _ex("59", _D(1900, 2, 28)),
            _ex("60", None, "date-phantom-1900"),
            _ex("61", _D(1900, 3, 1)),
            _ex("-1", None, "date-invalid"),
            _ex("2958466", None, "date-out-of-range"),
        ),
    ),
    ParserSpec(
        "iso_date",
        "Dates as the spreadsheet reader gives a date cell: 2025-04-01 or 2025-04-01 00:00:00; "
        "a time past 23:59:59 and Excel's phantom 29 February 1900 are refused.",
        pl.Date(),
        Options,
        _iso_date,
        (
            _ex("2025-04-01", _D(2025, 4, 1)),
            _ex("2025-04-01 00:00:00", _D(2025, 4, 1)),
            _ex("2025-02-29", None, "date-invalid"),
            _ex("2025-04-01 25:00:00", None, "date-time-invalid"),
            _ex("1900-02-28 00:00:00", None, "date-phantom-1900"),
        ),
    ),
    ParserSpec(
        "any_date",
        "Whatever date form a column mixes: ISO, then day/month/year, then words, then an Excel "
        "serial of five or more digits. Never US month/day order.",
        pl.Date(),
        SerialOptions,
        _any_date,
        (
            _ex("2025-04-01 00:00:00", _D(2025, 4, 1)),
            _ex("1/4/25", _D(2025, 4, 1)),
            _ex("1st April 2025", _D(2025, 4, 1)),
            _ex("45748", _D(2025, 4, 1)),
            _ex("2025", None, "date-invalid"),
            _ex("30/02/2025", None, "date-invalid"),
        ),
    ),
    ParserSpec(
        "month_year",
        "A month, as its first day: Apr-25, Apr 2025, April 2025, 2025-04, 04/2025, or a date "
        "cell in that month.",
        pl.Date(),
        Options,
        _month_year,
        (
            _ex("Apr-25", _D(2025, 4, 1)),
            _ex("April 2025", _D(2025, 4, 1)),
            _ex("Sept 2025", _D(2025, 9, 1)),
            _ex("2025-04", _D(2025, 4, 1)),
            _ex("04/2025", _D(2025, 4, 1)),
            _ex("2025-04-15 00:00:00", _D(2025, 4, 1)),
            _ex("Q1 2025", None, "month-invalid"),
        ),
    ),
    ParserSpec(
        "integer",
        "Whole numbers (counts of people, sessions): 1,234 or -5; 12.0 from a number cell.",
        pl.Int64(),
        Options,
        _integer,
        (
            _ex("1,234", 1234),
            _ex("12.0", 12),
            _ex("12.5", None, "number-not-whole"),
            _ex("twelve", None, "number-invalid"),
        ),
    ),
    ParserSpec(
        "decimal",
        "Exact decimal values (indicators, rates) to a fixed number of places, default 6.",
        pl.Decimal(38, 6),
        DecimalOptions,
        _decimal,
        (
            _ex("1,234.5", Decimal("1234.500000")),
            _ex("-0.125", Decimal("-0.125000")),
            _ex("0.1234567", None, "number-too-precise"),
            _ex("0.1234567", Decimal("0.123457"), rounding="half-even"),
            _ex("12 people", None, "number-invalid"),
        ),
    ),
    ParserSpec(
        "percent",
        "Percentages as a fraction: 45% and 0.45 are both 0.45 (a percent-formatted cell holds "
        "the fraction); computed ratios are rounded to `places`.",
        pl.Decimal(38, 6),
        PercentOptions,
        _percent,
        (
            _ex("45%", Decimal("0.450000")),
            _ex("0.45", Decimal("0.450000")),
            _ex("12.5 %", Decimal("0.125000")),
            _ex("0.3333333333333333", Decimal("0.333333")),
            _ex("about half", None, "percent-invalid"),
        ),
    ),
    ParserSpec(
        "text",
        "Text with runs of spaces, tabs, line breaks and no-break spaces made one space; hidden "
        "control and direction characters are rejected.",
        pl.String(),
        TextOptions,
        _text,
        (
            _ex("  Market\u00a0Hall \r\n Refurbishment ", "Market Hall Refurbishment"),
            _ex("n/a", "n/a"),
            _ex("\u200bACME", None, "text-invalid-character"),
        ),
    ),
    ParserSpec(
        "boolean",
        "Yes/no answers: yes, no, y, n, true, false, 1, 0 in any case.",
        pl.Boolean(),
        Options,
        _boolean,
        (
            _ex("Yes", True),
            _ex("N", False),
            _ex("true", True),
            _ex("0", False),
            _ex("maybe", None, "boolean-invalid"),
        ),
    ),
    ParserSpec(
        "enum",
        "A value from a drop-down list, matched ignoring case and spacing and stored as the "
        "mapped value; the template's '< Select >' placeholder is reported as unanswered.",
        pl.String(),
        EnumOptions,
        _enum,
        (
            _ex("High ", "high", values={"High": "high", "Low": "low"}),
            _ex("amber/green", "Amber/Green", values=["Amber/Green", "Red"]),
            _ex("< Select >", None, "value-placeholder", values=["Yes", "No"]),
            _ex("Please select an option", None, "value-placeholder", values=["Yes", "No"]),
            _ex("Maybe", None, "value-not-allowed", values=["Yes", "No"]),
        ),
    ),
)
PARSERS: dict[str, ParserSpec] = {spec.name: spec for spec in _SPECS}
"""Every named parser, by name, in the order the documentation lists them."""

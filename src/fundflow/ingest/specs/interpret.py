"""A field's cell texts through its steps and parser, once per distinct text.

Most columns repeat themselves: a stream id, a category or a period label is the same text on
thousands of records, and in a wide table every row label is repeated once per period column
(24 times for a monthly two-year profile). Steps (regular expressions, lookups) and parsers
are pure functions of one text, so they run over the distinct texts and the results are
gathered back to the records; a column of mostly different texts (amounts) is interpreted
as it is. The outcome is the same either way; only the time differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import polars as pl

from fundflow.ingest.grid import Workbook
from fundflow.ingest.parsers import parse_column
from fundflow.ingest.specs.spec import Source
from fundflow.ingest.specs.transforms import apply_steps, has_steps

# Below this many records, or when a sample of the column is this distinct, interpret as is.
_SMALL = 256
_SAMPLE = 2048
_REPEATS = 4  # distinct texts at most a quarter of the records


@dataclass(frozen=True)
class Interpreted:
    """Per record: the parsed value, the parser's rejection code (or null), whether a lookup
    table missed the text and whether the text is blank; `text` (after the steps) is built
    only when asked, because gathering texts back costs as much as parsing them."""

    values: pl.Series
    reasons: pl.Series
    missed: pl.Series
    blank: pl.Series
    texts: pl.Series  # per record, or per distinct text when `codes` says which
    codes: pl.Series | None = None

    @cached_property
    def text(self) -> pl.Series:
        """The text of each record after the source's steps."""
        return self.texts if self.codes is None else self.texts.gather(self.codes)


def interpret(
    src: Source, raw: pl.Series, workbook: Workbook,
    spread_from: tuple[pl.Series, pl.Series] | None = None,
) -> Interpreted:
    """The field's texts `raw` after its steps and parser (see the module docstring).

    `spread_from` is `(base, codes)` when the caller knows `raw` is `base.gather(codes)`: a
    wide table's row labels are its rows' cells repeated once per period column, and its
    header groups its columns' headers repeated once per row. The base is then interpreted
    and its results gathered, which spares hashing every record's text to find the distinct
    ones.
    """
    if spread_from is not None:
        base, codes = spread_from
        return _gathered(interpret(src, base.rename(raw.name), workbook), codes, raw.name)
    distinct = _distinct(raw)
    if distinct is None:
        return _each(src, raw, workbook)
    keys = pl.concat([distinct, pl.Series(raw.name, [None], dtype=pl.String)])
    codes = raw.replace_strict(
        distinct, pl.int_range(distinct.len(), eager=True, dtype=pl.UInt32),
        default=distinct.len(), return_dtype=pl.UInt32)
    return _gathered(_each(src, keys, workbook), codes, raw.name)


def _gathered(once: Interpreted, codes: pl.Series, name: str) -> Interpreted:
    """Each record's results from those of the texts `codes` points at."""
    values, reasons, missed, blank = (_spread(s, codes, name) for s in (
        once.values, once.reasons, once.missed, once.blank))
    inner = codes if once.codes is None else once.codes.gather(codes)
    return Interpreted(values, reasons, missed, blank, once.texts.rename(name), inner)


def _spread(per_text: pl.Series, codes: pl.Series, name: str) -> pl.Series:
    """Each record's result; a result that is the same for every text (no rejections, no
    blanks, the usual case) is repeated rather than gathered."""
    if per_text.null_count() == per_text.len():
        return pl.repeat(None, codes.len(), dtype=per_text.dtype, eager=True).rename(name)
    if per_text.dtype == pl.Boolean and not per_text.any():
        return pl.repeat(False, codes.len(), eager=True).rename(name)
    return per_text.gather(codes).rename(name)


def _distinct(raw: pl.Series) -> pl.Series | None:
    """The column's distinct non-null texts when it repeats itself enough to be worth it."""
    if raw.len() < _SMALL:
        return None
    sample = raw.head(_SAMPLE)
    if sample.n_unique() * _REPEATS >= sample.len():
        return None
    distinct = raw.drop_nulls().unique()
    return distinct if distinct.len() * _REPEATS < raw.len() else None


def _each(src: Source, raw: pl.Series, workbook: Workbook) -> Interpreted:
    if has_steps(src):
        text, missed = apply_steps(src, raw, workbook)
    else:
        text, missed = raw, pl.repeat(False, raw.len(), eager=True).rename(raw.name)
    values, reasons = parse_column(src.parser, text, **src.options)
    # Blank: nothing `str.strip_chars()` would keep (`\S` and it share Unicode's White_Space).
    blank = ~text.str.contains(r"\S").fill_null(False)
    return Interpreted(values.rename(raw.name), reasons, missed, blank, text)

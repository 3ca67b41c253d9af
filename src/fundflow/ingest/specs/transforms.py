"""Text steps a field's value goes through before its parser: extract, lookups, default.

Real templates rarely hold a value exactly as the ledger wants it: a block is titled
"Project 1: Scala Theatre" when the ledger wants the project id that a hidden lookup sheet
gives for project 1; a row label says "How much of your CDEL forecast is contractually
committed?" when the ledger wants `capital` and `committed`. These steps are declared in the
spec (`extract`, `lookup`, `lookup_table`, `default`) and run column-wise, in that order, so a
spec can say all of that without code. A cell is found by reference or by an anchor text.
"""

from __future__ import annotations

import polars as pl

from fundflow.ingest.grid import Sheet, Workbook, cell_ref, parse_cell_ref
from fundflow.ingest.specs.patterns import compile_pattern
from fundflow.ingest.specs.regions import column_index, normalise
from fundflow.ingest.specs.spec import CellRef, Source, TableLookup


def has_steps(src: Source) -> bool:
    """True when the source declares any text step."""
    return any(x is not None for x in (src.extract, src.lookup, src.lookup_table, src.default))


def apply_steps(src: Source, raw: pl.Series, workbook: Workbook) -> tuple[pl.Series, pl.Series]:
    """The text after the source's steps, and where a `lookup_table` found no match (bool)."""
    text = raw
    if src.extract is not None:
        text = _extract(text, src.extract)
    if src.lookup is not None:
        text = _lookup(text, src.lookup)
    missed = pl.Series(raw.name, [False] * raw.len(), dtype=pl.Boolean)
    if src.lookup_table is not None:
        text, missed = _table_lookup(text, src.lookup_table, workbook)
    if src.default is not None:
        blank = text.str.strip_chars().fill_null("") == ""
        text = pl.select(
            pl.when(pl.lit(blank)).then(pl.lit(str(src.default))).otherwise(pl.lit(text))
        ).to_series()
    return text.rename(raw.name), missed


def apply_scalar(src: Source, text: str | None, workbook: Workbook) -> str | None:
    """`apply_steps` for one value (context values and constants)."""
    if not has_steps(src):
        return text
    out, _ = apply_steps(src, pl.Series("v", [text], dtype=pl.String), workbook)
    value = out[0]
    return None if value is None else str(value)


def _extract(text: pl.Series, pattern: str) -> pl.Series:
    """First group that took part in the match (or the whole match); no match is blank."""
    rx = compile_pattern(pattern)

    def pick(value: str | None) -> str | None:
        if value is None:
            return None
        found = rx.search(value)
        if found is None:
            return None
        groups = [g for g in found.groups() if g is not None]
        return str(groups[0] if groups else found.group(0))

    values = [pick(v) for v in text.to_list()]
    return pl.Series(text.name, values, dtype=pl.String)


def _lookup(text: pl.Series, table: dict[str, object]) -> pl.Series:
    keys = {normalise(str(k)).casefold(): None if v is None else str(v) for k, v in table.items()}
    norm = text.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    mapped = norm.replace_strict(keys, default=None, return_dtype=pl.String)
    return pl.select(
        pl.when(pl.lit(norm).is_in(list(keys))).then(pl.lit(mapped)).otherwise(pl.lit(text))
    ).to_series().rename(text.name)


def _table_lookup(
    text: pl.Series, spec: TableLookup, workbook: Workbook
) -> tuple[pl.Series, pl.Series]:
    pairs = lookup_pairs(workbook, spec)
    norm = text.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    mapped = norm.replace_strict(pairs, default=None, return_dtype=pl.String)
    present = text.str.strip_chars().fill_null("") != ""
    missed = present & ~norm.is_in(list(pairs)).fill_null(False)
    return mapped.rename(text.name), missed


def lookup_pairs(workbook: Workbook, spec: TableLookup) -> dict[str, str | None]:
    """Key (normalised, any case) -> value from two columns of a sheet; first key wins."""
    sheet = workbook.sheet(spec.sheet)
    if sheet is None:
        return {}
    keys = _column(sheet, column_index(spec.key_column))
    values = _column(sheet, column_index(spec.value_column))
    pairs: dict[str, str | None] = {}
    for key, value in zip(keys, values, strict=True):
        if key is not None and normalise(key):
            pairs.setdefault(normalise(key).casefold(), value)
    return pairs


def _column(sheet: Sheet, col: int) -> list[str | None]:
    j = col - sheet.col0
    if not 0 <= j < sheet.cells.width:
        return [None] * sheet.cells.height
    return sheet.cells.get_column(f"c{j}").to_list()


def find_cell(sheet: Sheet, ref: CellRef) -> tuple[str | None, str | None]:
    """The text of the cell a `CellRef` names and its A1 reference (None, None if absent)."""
    if ref.ref is not None:
        r, c = parse_cell_ref(ref.ref)
    else:
        found = _anchor(sheet, ref.anchor or "")
        if found is None:
            return None, None
        r, c = found[0] + ref.row_offset, found[1] + ref.column_offset
    i, j = r - sheet.row0, c - sheet.col0
    ok = 0 <= i < sheet.cells.height and 0 <= j < sheet.cells.width
    value = sheet.cells[i, j] if ok else None
    return (None if value is None else str(value)), cell_ref(r, c)


def _anchor(sheet: Sheet, pattern: str) -> tuple[int, int] | None:
    rx = compile_pattern(pattern)
    for i, row in enumerate(sheet.cells.iter_rows()):
        for j, value in enumerate(row):
            if value is not None and rx.search(value):
                return sheet.row0 + i, sheet.col0 + j
    return None

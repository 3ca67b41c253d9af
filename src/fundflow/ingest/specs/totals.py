"""Typed totals: compare a template's 'Total' rows with the sum of the lines fundflow read.

Funders' templates carry totals typed or computed in the sheet; a total that does not match its
lines means a line was mistyped, left out or hard-overwritten, or the figures were rounded (a
statement in £000s). The ledger stores lines, never totals, so the comparison is a warning with
both cells and the exact difference: the officer checks the source, the import goes on.

Declared total rows are taken out of the table's rows before anything else, so a spec does not
also need a `skip` rule for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from fundflow.ingest.grid import Sheet, cell_ref, column_letters, parse_cell_ref
from fundflow.ingest.parsers import parse_texts
from fundflow.ingest.specs.patterns import compile_pattern
from fundflow.ingest.specs.regions import PATH_SEPARATOR, Located, column_index, normalise
from fundflow.ingest.specs.spec import Source, TableSpec, Total
from fundflow.money import format_gbp

if TYPE_CHECKING:
    from fundflow.ingest.specs.extract import FileContext


@dataclass(frozen=True)
class TotalRow:
    """One total row found: its rule, absolute row, raw cells and sub-total group (if any)."""

    rule: Total
    row: int
    cells: dict[str, Any]
    group: str | None


def rule_column(name: str, loc: Located) -> str | None:
    """The frame column of a header text (full path or last part, any case) or letters."""
    key = normalise(name).casefold()
    for col, path in loc.columns.items():
        last = normalise(path.split(PATH_SEPARATOR)[-1]).casefold()
        if normalise(path).casefold() == key or last == key:
            return f"c{col}"
    if re.fullmatch(r"[A-Za-z]{1,3}", name):
        return f"c{column_index(name)}"
    return None


def split_totals(table: TableSpec, loc: Located) -> tuple[Located, list[TotalRow]]:
    """The located table without its total rows, and the total rows (the end row included)."""
    if not table.totals:
        return loc, []
    rows = loc.data if loc.end_row is None else pl.concat([loc.data, loc.end_row])
    found: list[TotalRow] = []
    for rule in table.totals:
        col = rule_column(rule.column, loc)
        if col is None or col not in rows.columns:
            continue
        rx = compile_pattern(rule.pattern)
        for record in rows.iter_rows(named=True):
            match = rx.search(normalise(record[col]))
            if match is None or any(t.row == record["_row"] for t in found):
                continue
            group = next((g for g in match.groups() if g), None)
            found.append(TotalRow(rule, int(record["_row"]), record,
                                  normalise(group).casefold() if group else None))
    total_rows = [t.row for t in found]
    data = loc.data.filter(~pl.col("_row").is_in(total_rows))
    return Located(loc.region, loc.header_row, loc.columns, data, loc.end_row), found


def check_totals(
    ctx: FileContext,
    table: TableSpec,
    loc: Located,
    found: list[TotalRow],
    frame: pl.DataFrame,
    columns: dict[str, str],
) -> None:
    """A `total-mismatch` warning for each total cell that differs from its lines' sum."""
    for total in found:
        lines = _lines_for(total, loc, frame)
        grand = rule_column(total.rule.grand_total, loc) if total.rule.grand_total else None
        for name in total.rule.fields:
            src = table.fields.get(name)
            if src is None or name not in frame.columns:
                continue
            what = (loc.region.sheet, table, src, name)
            cols = [grand] if grand is not None else _money_columns(src, name, total, columns)
            texts = [_typed_text(total, col) for col in cols]
            parsed = parse_texts(src.parser, [t for t in texts if t is not None], **src.options)
            typed = iter(parsed)
            for col, text in zip(cols, texts, strict=True):
                _compare(ctx, what, total, col, lines, None if text is None else next(typed),
                         every_column=grand is not None)


def _typed_text(total: TotalRow, col: str) -> str | None:
    """The total cell's text, or None where the cell is blank."""
    text = total.cells.get(col)
    return None if text is None or not str(text).strip() else str(text)


def _lines_for(total: TotalRow, loc: Located, frame: pl.DataFrame) -> pl.DataFrame:
    """The records above the total row; for a sub-total, only those of its group."""
    lines = frame.filter(pl.col("_row") < total.row)
    for name, wanted in total.rule.where.items():
        values = [wanted] if isinstance(wanted, str) else wanted
        if name not in lines.columns:
            return lines.clear()
        lines = lines.filter(pl.col(name).cast(pl.String).is_in(values))
    if total.group is None:
        return lines
    col = rule_column(total.rule.column, loc)
    if col is None or col not in loc.data.columns:
        return lines.clear()
    texts = loc.data.select("_row", pl.col(col).fill_null("").str.replace_all(r"\s+", " ")
                            .str.strip_chars().str.to_lowercase().alias("_g"))
    rows = texts.filter(pl.col("_g") == total.group).get_column("_row")
    return lines.filter(pl.col("_row").is_in(rows.to_list()))


def _money_columns(
    src: Source, name: str, total: TotalRow, columns: dict[str, str]
) -> list[str]:
    """Long: the field's own column; wide (`header: value`): every column the row has a
    figure in that the table unpivots (the record cells say which)."""
    if src.kind == "header" and src.header == "value":
        return [c for c in total.cells if c.startswith("c") and c[1:].isdigit()
                and f"c{c[1:]}" not in columns.values()]
    return [columns[name]] if name in columns else []


def _compare(
    ctx: FileContext,
    what: tuple[Sheet, TableSpec, Source, str],
    total: TotalRow,
    col: str,
    lines: pl.DataFrame,
    parsed: tuple[Any, str | None] | None,
    *,
    every_column: bool = False,
) -> None:
    """Compare one total cell, `parsed` from its text (None: the cell is blank), with the sum
    of its lines."""
    grid, table, src, name = what
    sheet = grid.name
    text = total.cells.get(col)
    if parsed is None:
        if grid.flags.get((total.row, int(col[1:]))) == "formula-without-value":
            where = cell_ref(total.row, int(col[1:]))
            ctx.issue("total-unchecked", sheet=sheet, cell=where, field=name,
                      table=table.name)
        return
    typed, reason = parsed
    if reason is not None or typed is None:
        return
    letters = column_letters(int(col[1:]))
    if src.kind == "header" and not every_column:
        mine = lines.filter(pl.col("_cell").str.extract(r"^([A-Z]+)", 1) == letters)
    else:
        mine = lines
    values = [v for v in mine.get_column(name).to_list() if v is not None]
    if not values:
        return
    summed = sum(values)
    if summed == typed:
        return
    span = _span(mine)
    show = _shown(src)
    where = cell_ref(total.row, int(col[1:]))
    ctx.issue("total-mismatch", sheet=sheet, cell=where, value=str(text).strip(),
              expected=show(summed), total_cell=where, lines=span,
              difference=show(typed - summed), field=name, table=table.name)


def _span(lines: pl.DataFrame) -> str:
    """The rectangle of the lines' cells, e.g. `C45:M47`."""
    places = [parse_cell_ref(c) for c in lines.get_column("_cell").drop_nulls().to_list()]
    if not places:
        return "the lines above"
    rows, cols = [r for r, _ in places], [c for _, c in places]
    return f"{cell_ref(min(rows), min(cols))}:{cell_ref(max(rows), max(cols))}"


def _shown(src: Source) -> Any:
    """How a figure of this field is written in a message: money as £, numbers as typed."""
    if src.parser == "gbp_amount":
        return lambda pence: format_gbp(int(pence))
    return lambda value: f"{Decimal(str(value)):f}"

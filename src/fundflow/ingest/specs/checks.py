"""Rules across records: sums and counts that a funder's rules bound, declared in the spec.

A cell can be valid on its own while the return breaks a rule over many cells: a project's
capital spend over all periods above its allocation, or no other funding source entered for
any project. A spec states such rules as `checks` (see `spec.Check`); this module evaluates
them on the records the tables produced and reports one issue per broken group, at the range
of cells that were added up, so the officer sees what to look at; or, when the spec says so
(`shown_at`), at the template's own total cell (naming the cells added up) or at the column
the rule is about.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from fundflow.ingest.grid import cell_ref, parse_cell_ref
from fundflow.ingest.parsers import parse_scalar
from fundflow.ingest.specs.patterns import search
from fundflow.ingest.specs.regions import column_index, normalise
from fundflow.ingest.specs.spec import AdapterSpec, Check, Limit, ShownAt, When
from fundflow.ingest.specs.transforms import find_cell
from fundflow.issues import Severity
from fundflow.money import format_pounds

if TYPE_CHECKING:
    from fundflow.ingest.specs.extract import FileContext, TableRecords

TOTAL_SEARCH_ROWS = 200  # a template's total row sits within this many rows of its lines


def holds(ctx: FileContext, when: When | None) -> bool:
    """True when there is no condition or the file's value matches it."""
    if when is None:
        return True
    value = ctx.values.get(when.context)
    return value is not None and search(when.pattern, str(value)) is not None


def check_columns(spec: AdapterSpec) -> dict[str, set[str]]:
    """Table name -> the record fields the spec's checks read: all a check needs to keep of
    a table whose records pass by in parts."""
    needed: dict[str, set[str]] = {}
    for check in spec.checks:
        summed = [check.sum_of] if check.sum_of else []
        needed.setdefault(check.table, set()).update(
            {"_sheet", "_cell", *check.where, *check.group_by, *summed})
    return needed


def run_checks(ctx: FileContext, tables: list[TableRecords]) -> None:
    """Evaluate every check of the spec whose condition (and table's condition) holds."""
    specs = {t.name: t for t in ctx.spec.tables}
    for check in ctx.spec.checks:
        if not holds(ctx, check.when) or not holds(ctx, specs[check.table].when):
            continue
        frames = [t.frame for t in tables if t.table.name == check.table]
        frame = pl.concat(frames, how="diagonal_relaxed") if frames else None
        _run(ctx, check, _selected(check, frame))


def _selected(check: Check, frame: pl.DataFrame | None) -> pl.DataFrame:
    """The table's records that the check's `where` keeps (empty when there are none)."""
    if frame is None:
        return pl.DataFrame({"_sheet": [], "_cell": []},
                            schema={"_sheet": pl.String, "_cell": pl.String})
    for field, wanted in check.where.items():
        values = [wanted] if isinstance(wanted, str) else wanted
        if field not in frame.columns:
            return frame.clear()
        frame = frame.filter(pl.col(field).cast(pl.String).is_in(values))
    return frame


def _run(ctx: FileContext, check: Check, frame: pl.DataFrame) -> None:
    money = _is_money(ctx, check)
    keys = [k for k in check.group_by if k in frame.columns]
    if len(keys) < len(check.group_by):
        return  # a grouping field the table lacks: nothing to group by
    if keys:
        key = pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in keys],
                            separator=" / ")
        groups = frame.with_columns(key.alias("_key")).partition_by("_key", as_dict=True)
        parts = [(str(k[0]), part) for k, part in groups.items()]
    else:
        parts = [("", frame)]
    for group, part in parts:
        if check.sum_of is None:
            amount = Decimal(part.height)
        elif check.sum_of in part.columns:
            amount = _sum(part.get_column(check.sum_of), money)
        else:
            continue
        _against(ctx, check, (group, part, money), amount)


def _against(
    ctx: FileContext, check: Check, where: tuple[str, pl.DataFrame, bool], amount: Decimal
) -> None:
    group, part, money = where
    for limit, over in ((check.at_most, True), (check.at_least, False)):
        bound = _bound(ctx, check, limit, group, money)
        if bound is None or (amount <= bound if over else amount >= bound):
            continue
        show = _shown(money)
        code = check.code or ("check-over-limit" if over else "check-under-limit")
        sheet, cells = _span(part)
        sheet = sheet or _table_sheet(ctx, check)
        at = _shown_at(ctx, check.shown_at, sheet, part) if check.shown_at else None
        ctx.issue(code, severity=Severity(check.severity), sheet=sheet, cell=at or cells,
                  value=show(amount), expected=show(bound), check=check.name,
                  field=check.sum_of or "the number of entries",
                  group=f" for {group}" if group else "", difference=show(amount - bound),
                  lines=f" in {cells}" if at and cells else "")


def _bound(
    ctx: FileContext, check: Check, limit: Limit | None, group: str, money: bool
) -> Decimal | None:
    if limit is None:
        return None
    if limit.value is not None:
        return limit.value
    if limit.values is not None:
        return limit.values.get(group)
    assert limit.cell is not None
    sheet = ctx.workbook.sheet(limit.cell.sheet or _table_sheet(ctx, check) or "")
    if sheet is None:
        return None
    text, _ = find_cell(sheet, limit.cell)
    value, reason = parse_scalar("gbp_amount" if money else "decimal", text)
    if reason is not None or value is None:
        return None
    return Decimal(int(value)).scaleb(-2) if money else Decimal(str(value))


def _is_money(ctx: FileContext, check: Check) -> bool:
    table = next(t for t in ctx.spec.tables if t.name == check.table)
    src = table.fields.get(check.sum_of or "")
    return src is not None and src.parser == "gbp_amount"


def _sum(values: pl.Series, money: bool) -> Decimal:
    total = sum((Decimal(str(v)) for v in values.to_list() if v is not None), Decimal(0))
    return total.scaleb(-2) if money else total


def _shown(money: bool) -> Callable[[Decimal], str]:
    """Money as £ (exact pence), counts and other figures as plain numbers."""
    if money:
        return format_pounds
    return lambda amount: f"{amount:f}"


def _span(part: pl.DataFrame) -> tuple[str | None, str | None]:
    """The first sheet of the records and the rectangle of their cells on it."""
    if part.height == 0:
        return None, None
    sheet = part.get_column("_sheet")[0]
    cells = part.filter(pl.col("_sheet") == sheet).get_column("_cell").drop_nulls().to_list()
    if not cells:
        return sheet, None
    places = [parse_cell_ref(c) for c in cells]
    rows, cols = [r for r, _ in places], [c for _, c in places]
    first, last = cell_ref(min(rows), min(cols)), cell_ref(max(rows), max(cols))
    return sheet, first if first == last else f"{first}:{last}"


def _shown_at(ctx: FileContext, shown: ShownAt, sheet_name: str | None,
              part: pl.DataFrame) -> str | None:
    """The column a rule is about (its cells' rows when there are some), or the template's
    total cell below the summed cells; None when the total row is not found."""
    rows = [parse_cell_ref(c)[0] for c in part.filter(pl.col("_sheet") == sheet_name)
            .get_column("_cell").drop_nulls().to_list()] if part.height else []
    if shown.pattern is None or shown.label_column is None:
        if not rows:
            return shown.column
        return f"{shown.column}{min(rows) + 1}:{shown.column}{max(rows) + 1}"
    sheet = ctx.workbook.sheet(sheet_name or "")
    label = f"c{column_index(shown.label_column) - (sheet.col0 if sheet else 0)}"
    if sheet is None or not rows or label not in sheet.cells.columns:
        return None
    below = max(rows) + 1
    texts = sheet.cells.get_column(label).slice(below - sheet.row0, TOTAL_SEARCH_ROWS)
    for i, text in enumerate(texts.to_list()):
        if text is not None and search(shown.pattern, normalise(text)):
            return cell_ref(below + i, column_index(shown.column))
    return None


def _table_sheet(ctx: FileContext, check: Check) -> str | None:
    table = next(t for t in ctx.spec.tables if t.name == check.table)
    return table.sheet or table.sheet_pattern

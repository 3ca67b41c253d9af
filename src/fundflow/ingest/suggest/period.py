"""Where a long table's period comes from: a column, a labelled cell, dates, or the file name.

A return says which period it covers somewhere an officer would look: a `Quarter` column, a
`Reporting period | Q3 2025-26` line on the cover sheet, a pair of `Reporting period start`
and `... end` cells, `Start date` and `End date` columns, or the file's name. The first of
these that reads as a closed period wins; the draft names the place, so the officer can check.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fundflow.ingest.grid import Workbook, cell_ref
from fundflow.ingest.suggest.cells import Kind, kind_of, period_of
from fundflow.ingest.suggest.layout import Row, TableGuess, sheet_rows
from fundflow.ingest.suggest.roles import Column
from fundflow.ingest.suggest.wide import generalise

PERIOD_LABEL = r"period|quarter|month|\byear\b|claim"
START = re.compile(r"\b(?:start|from|begin)", re.IGNORECASE)
END = re.compile(r"\b(?:end|to|until)\b", re.IGNORECASE)
ISO_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})")
SCAN_ROWS = 25
INLINE = re.compile(r"^([^:\n]{3,60}):\s*(\S.*)$")  # 'Reporting period: Q3 2025-26' in one cell
INLINE_VALUE = r"^[^:]*:\s*(.*)$"  # label lines sit in a sheet's first rows


@dataclass
class PeriodChoice:
    """The period fields a draft uses, why, and the year convention they need (if another)."""

    fields: dict[str, Any]
    note: str
    undecided: bool = False
    convention: str | None = None
    drop: list[str] = field(default_factory=list)  # roles that turned out not to be periods


@dataclass(frozen=True)
class Labelled:
    """A 'Label | value' line: the label, the value, where each is."""

    sheet: str
    label: str
    value: str
    ref: str
    offset: int  # columns from the label to the value (0: both in one cell, 'Label: value')


def regex_escape(text: str) -> str:
    """`re.escape` without the escapes YAML readers trip over (spaces, hyphens)."""
    return re.escape(text).replace("\\ ", " ").replace("\\-", "-")


def labelled_cells(rows: list[Row], sheet: str) -> list[Labelled]:
    """Every 'Label | value' pair of the rows: a text and the next filled cell to its right."""
    out = []
    for row in rows:
        cols = sorted(row.cells)
        for a, b in itertools.pairwise(cols):
            if kind_of(row.cells[a]) is Kind.TEXT:
                out.append(Labelled(sheet, row.cells[a].strip(), row.cells[b],
                                    cell_ref(row.index, b), b - a))
        for col, text in row.cells.items():
            if (m := INLINE.match(text)) is not None:
                out.append(Labelled(sheet, m.group(1).strip(), m.group(2),
                                    cell_ref(row.index, col), 0))
    return out


def cell_source(found: Labelled, table_sheet: str) -> dict[str, Any]:
    """A `cell` source that finds the value by its label (the label moves less than rows do)."""
    if found.offset == 0:
        cell: dict[str, Any] = {"anchor": "^" + regex_escape(found.label) + r"\s*:"}
    else:
        cell = {"anchor": "^" + regex_escape(found.label) + "$", "column_offset": found.offset}
    if found.sheet != table_sheet:
        cell = {"sheet": found.sheet, **cell}
    if found.offset == 0:
        return {"cell": cell, "extract": INLINE_VALUE}
    return {"cell": cell}


def choose_period(path: Path, workbook: Workbook, table: TableGuess, roles: dict[str, Column],
                  convention: str) -> PeriodChoice:
    """The period of a long table, from the strongest evidence the file holds."""
    column = roles.get("period")
    if column is not None and _closed_share(column.values, convention) >= 0.8:
        return PeriodChoice({"period": {"column": column.path}},
                            f"the period is the column '{column.path}'")
    drop = ["period"] if column is not None else []
    for choice in (_date_columns(roles), _labelled(workbook, table, convention),
                   _file_name(path, convention), _line_dates(roles)):
        if choice is not None:
            choice.drop = drop
            return choice
    return PeriodChoice({"period": {"const": "FILL-IN-PERIOD"}},
                        "which period the figures cover; write a cell, the file name or a column",
                        undecided=True, drop=drop)


def _closed_share(values: list[str], convention: str) -> float:
    values = list(dict.fromkeys(values))[:100]  # distinct labels are enough to judge
    if not values:
        return 0.0
    closed = 0
    for v in values:
        p = period_of(v, convention) or period_of(v, "CALENDAR")
        closed += p is not None and p.start is not None and p.end is not None
    return closed / len(values)


def _date_columns(roles: dict[str, Column]) -> PeriodChoice | None:
    start, end = roles.get("period_start"), roles.get("period_end")
    if start is None or end is None:
        return None
    return PeriodChoice(
        {"period_start": {"column": start.path, "parser": "any_date"},
         "period_end": {"column": end.path, "parser": "any_date"}},
        f"each line's period runs from '{start.path}' to '{end.path}'")


def _line_dates(roles: dict[str, Column]) -> PeriodChoice | None:
    """Each line's own date as its period (a day), when nothing says what the file covers:
    a register of grants or payments, each dated."""
    column = roles.get("txn_date")
    if column is None:
        return None
    src: dict[str, Any] = {"column": column.path}
    if column.values and all(ISO_DAY.match(v) for v in column.values):
        src["extract"] = ISO_DAY.pattern  # '2021-01-26 00:00:00': the day, not the midnight
    return PeriodChoice({"period": src}, f"each line's period is its date ('{column.path}')")


def _labelled(workbook: Workbook, table: TableGuess, convention: str) -> PeriodChoice | None:
    """A period label, or a start and an end date, on a line of the table's or a cover sheet."""
    found: list[Labelled] = labelled_cells(table.above, table.sheet.name)
    for sheet in workbook.sheets:
        if sheet.visible and sheet.name != table.sheet.name:
            found += labelled_cells(sheet_rows(sheet)[:SCAN_ROWS], sheet.name)
    home = table.sheet.name
    for item in found:
        if re.search(PERIOD_LABEL, item.label, re.IGNORECASE) and not START.search(item.label) \
                and not END.search(item.label):
            p = period_of(item.value, convention) or period_of(item.value, "CALENDAR")
            if p is not None and p.start is not None and p.end is not None:
                return PeriodChoice({"period": cell_source(item, home)},
                                    f"the period is '{item.label}' ({item.ref} on "
                                    f"'{item.sheet}')", convention=p.convention)
    dates = [f for f in found if kind_of(f.value) is Kind.DATE]
    start = next((f for f in dates if START.search(f.label)), None)
    end = next((f for f in dates if END.search(f.label)), None)
    if start is None or end is None:
        return None
    return PeriodChoice(
        {"period_start": {**cell_source(start, home), "parser": "any_date"},
         "period_end": {**cell_source(end, home), "parser": "any_date"}},
        f"the period runs from '{start.label}' to '{end.label}'")


def _file_name(path: Path, convention: str) -> PeriodChoice | None:
    for token in re.split(r"[_\s]+", path.stem):
        for conv in (convention, "CALENDAR"):
            p = period_of(token, conv)
            if p is not None and p.start is not None and p.end is not None:
                return PeriodChoice(
                    {"period": {"file_name": rf"(?:^|[_\s])({generalise(token)})(?:[_\s.]|$)"}},
                    f"the period is taken from the file name ('{token}')",
                    convention=conv)
    return None

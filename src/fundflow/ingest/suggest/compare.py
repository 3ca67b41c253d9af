"""How close a draft came to a hand-written adapter for the same file.

Used to measure `suggest` against the bundled adapters: for every field of the adapter
whose value comes from the file's layout (a column, a header group, a cell), does the draft
read the same cells? Both specs are located on the real workbook by the adapter engine, so
`{column: "Spend this quarter £"}` and a wide pattern matching only that column agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fundflow.ingest.grid import Workbook
from fundflow.ingest.specs.regions import Located, locate, regions_for, sheets_for
from fundflow.ingest.specs.spec import AdapterSpec, Source, TableSpec
from fundflow.ingest.specs.transforms import find_cell
from fundflow.ingest.suggest.sources import canonical_fields
from fundflow.mapping.periods import Period, parse_period

COVERAGE = 0.75
LAYOUT_KINDS = ("column", "column_pattern", "header", "cell", "template")


@dataclass(frozen=True)
class Agreement:
    """How a draft's table compares with one table of an adapter."""

    table: str
    wanted: list[str]  # adapter fields sourced from the layout
    right: list[str]  # those the draft reads from the same place
    header_row: bool
    shape: bool

    @property
    def fields(self) -> int:
        """How many of the adapter's fields come from the layout."""
        return len(self.wanted)

    @property
    def missed(self) -> list[str]:
        """The layout fields the draft reads from elsewhere (or not at all)."""
        return [n for n in self.wanted if n not in self.right]

    @property
    def share(self) -> float:
        """Share of layout fields the draft got right (1.0 when there are none)."""
        return len(self.right) / self.fields if self.fields else 1.0


def compare(draft: AdapterSpec, adapter: AdapterSpec, workbook: Workbook) -> Agreement | None:
    """The draft's first table against the adapter table of its kind it agrees with most."""
    mine = draft.tables[0]
    mine_loc = _located(mine, workbook)
    best: Agreement | None = None
    best_score: tuple[bool, int, bool] = (False, -1, False)
    for table in adapter.tables:
        if table.kind == "check":
            continue
        loc = _located(table, workbook)
        layout = [n for n, s in table.fields.items()
                  if _layout_source(s) and n in canonical_fields(table.kind)]
        right = []
        if loc is not None and mine_loc is not None and _same_sheet(loc, mine_loc):
            for name in layout:
                theirs = _reads(table, loc, table.fields[name], name, workbook)
                src = mine.fields.get(name)
                ours = _reads(mine, mine_loc, src, name, workbook) if src else frozenset()
                if _agree(theirs, ours):
                    right.append(name)
        result = Agreement(
            table.name, layout, right,
            header_row=bool(loc and mine_loc and loc.header_row == mine_loc.header_row
                            and _same_sheet(loc, mine_loc)),
            shape=table.shape == mine.shape)
        score = (table.kind == mine.kind, len(result.right), result.header_row)
        if best is None or score > best_score:
            best, best_score = result, score
    return best


def _agree(theirs: frozenset[Any], ours: frozenset[Any]) -> bool:
    """The draft reads only what the adapter reads, and at least three quarters of it.

    A draft leaves out open periods ("April 2026 and after") that an adapter may close with
    programme bounds, so a wide field that misses one column of many still counts.
    """
    return bool(ours) and ours <= theirs and len(ours) >= COVERAGE * len(theirs)


def _layout_source(src: Source) -> bool:
    return src.kind in LAYOUT_KINDS and (src.kind != "template" or "{" in (src.template or ""))


def _located(table: TableSpec, workbook: Workbook) -> Located | None:
    for sheet in sheets_for(table, workbook):
        for region in regions_for(table, sheet):
            found = locate(table, region)
            if not isinstance(found, str):
                return found
    return None


def _same_sheet(a: Located, b: Located) -> bool:
    return a.region.sheet.name == b.region.sheet.name


def _reads(table: TableSpec, loc: Located, src: Source, name: str,
           workbook: Workbook) -> frozenset[Any]:
    """What a field reads: the columns, the (column, value) pairs of a header, or a cell."""
    if src.kind in ("column", "column_pattern"):
        col = _column(src, loc)
        return frozenset() if col is None else frozenset({("col", col)})
    if src.kind == "cell" and src.cell is not None:
        sheet = workbook.sheet(src.cell.sheet) if src.cell.sheet else loc.region.sheet
        if sheet is None:
            return frozenset()
        _text, ref = find_cell(sheet, src.cell)
        return frozenset({("cell", sheet.name, ref)}) if ref else frozenset()
    if table.wide is None:
        return frozenset()
    rx = re.compile(table.wide.pattern, re.IGNORECASE)
    used = {c for n, s in table.fields.items() if s.kind in ("column", "column_pattern")
            and (c := _column(s, loc)) is not None}
    out: set[Any] = set()
    for col, path in loc.columns.items():
        m = rx.search(path) if col not in used else None
        if m is None:
            continue
        if src.header == "value":
            out.add(("col", col))
            continue
        out.add((col, _value(src, m.groupdict(), name, table.period_convention)))
    return frozenset(out)


def _column(src: Source, loc: Located) -> int | None:
    if src.column is not None:
        key = " ".join(src.column.split()).casefold()
        hits = [c for c, p in loc.columns.items()
                if key in (p.casefold(), p.split(" > ")[-1].casefold())]
        return hits[0] if hits else None
    rx = re.compile(src.column_pattern or "", re.IGNORECASE)
    return next((c for c, p in loc.columns.items() if rx.search(p)), None)


def _value(src: Source, groups: dict[str, str | None], name: str,
           convention: str | None) -> Any:
    if src.header is not None:
        text = groups.get(src.header) or ""
    else:
        text = re.sub(r"\{(\w+)\}", lambda m: groups.get(m.group(1)) or "", src.template or "")
    if src.lookup:
        folded = {str(k).strip().casefold(): v for k, v in src.lookup.items()}
        text = str(folded.get(text.strip().casefold(), text))
    if name == "period":
        p = parse_period(text, convention)
        if isinstance(p, Period):
            return (p.start, p.end)
    return text.strip().casefold()

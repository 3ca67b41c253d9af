"""Template drift: a file its adapter claims, but whose table header has changed.

Funders revise their templates between rounds: a column is renamed ("Amount claimed £"
becomes "Amount claimed (£)"), dropped or added. The importer then reports the missing
column as `column-missing`, which is true but does not say why. This module compares the
header the adapter expects with the header the file has and explains the difference in one
`template-drift` warning per table and sheet: which expected columns are missing, which
columns are new, and which new column is probably a missing one renamed (similar text,
difflib ratio of at least 0.75).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from fundflow.ingest.grid import Workbook
from fundflow.ingest.specs.patterns import compile_pattern
from fundflow.ingest.specs.regions import PATH_SEPARATOR, Located, locate, normalise, regions_for
from fundflow.ingest.specs.regions import sheets_for as table_sheets
from fundflow.ingest.specs.spec import AdapterSpec, TableSpec
from fundflow.issues import Issue, make_issue

RENAME_RATIO = 0.75


@dataclass(frozen=True)
class Drift:
    """How one located table's header differs from what its adapter expects."""

    table: str
    sheet: str
    row: int  # 1-based row of the first header row
    missing: list[str]
    new: list[str]
    renamed: list[tuple[str, str]]  # (expected header, header found instead)

    def describe(self) -> str:
        """The differences in words, renames first."""
        parts = [f"column '{old}' is missing; '{new}' is new: renamed?"
                 for old, new in self.renamed]
        gone = [m for m in self.missing if m not in {o for o, _ in self.renamed}]
        added = [n for n in self.new if n not in {n2 for _, n2 in self.renamed}]
        parts += [f"column '{m}' is missing" for m in gone]
        if added:
            parts.append("new column" + ("s " if len(added) > 1 else " ")
                         + ", ".join(f"'{a}'" for a in added))
        return "; ".join(parts)


def template_drift(spec: AdapterSpec, workbook: Workbook, file_name: str) -> list[Issue]:
    """`template-drift` warnings for every table of `spec` whose header has changed.

    Call it for the adapter that claims the file. Tables that cannot be located at all are
    left to the importer (`table-not-found`); this only explains header differences.
    """
    issues = []
    for drift in find_drift(spec, workbook):
        issues.append(make_issue(
            "template-drift", file=file_name, sheet=drift.sheet, table=drift.table,
            row=drift.row, differences=drift.describe(),
            value="; ".join(drift.new) or None, expected="; ".join(drift.missing) or None))
    return issues


def find_drift(spec: AdapterSpec, workbook: Workbook) -> list[Drift]:
    """Every table and sheet whose header differs from the adapter's (first block only)."""
    out = []
    for table in spec.tables:
        if table.header.none:
            continue
        for sheet in table_sheets(table, workbook):
            regions = regions_for(table, sheet)
            loc = locate(table, regions[0]) if regions else None
            if loc is None or isinstance(loc, str) or loc.header_row is None:
                continue
            drift = _table_drift(spec, table, loc)
            if drift is not None:
                out.append(drift)
    return out


def _table_drift(spec: AdapterSpec, table: TableSpec, loc: Located) -> Drift | None:
    paths = {c: p for c, p in loc.columns.items() if p}
    found: set[int] = set()
    missing: list[str] = []
    for src in table.fields.values():
        if src.column is not None:
            col = _column(src.column, paths)
            if col is None and src.column not in missing:
                missing.append(src.column)
            elif col is not None:
                found.add(col)
        elif src.column_pattern is not None:
            rx = compile_pattern(src.column_pattern)
            found |= {c for c, p in paths.items() if rx.search(p)}
    for rule in table.skip:
        if (col := _column(rule.column, paths)) is not None:
            found.add(col)
    if table.wide is not None:
        rx = compile_pattern(table.wide.pattern)
        found |= {c for c, p in paths.items() if rx.search(p)}
    unread = [paths[c] for c in sorted(paths) if c not in found]
    renamed = _renames(missing, unread)
    report_new = spec.contract.unknown_columns != "ignore" and table.shape == "long"
    new = unread if report_new else [n for _, n in renamed]
    if not missing and not new:
        return None
    row = (loc.header_row or 0) + 1
    return Drift(table.name, loc.region.sheet.name, row, missing, new, renamed)


def _column(name: str, paths: dict[int, str]) -> int | None:
    """The column a field's `column` names: the whole path, or a unique last part."""
    key = normalise(name).casefold()
    for col, path in paths.items():
        if normalise(path).casefold() == key:
            return col
    hits = [c for c, p in paths.items()
            if normalise(p.split(PATH_SEPARATOR)[-1]).casefold() == key]
    return hits[0] if len(hits) == 1 else None


def _renames(missing: list[str], unread: list[str]) -> list[tuple[str, str]]:
    """Pairs (expected, found) of similar headers, best matches first, each used once."""
    scored = sorted(
        ((_ratio(m, u), m, u) for m in missing for u in unread), reverse=True)
    pairs: list[tuple[str, str]] = []
    used_m: set[str] = set()
    used_u: set[str] = set()
    for ratio, m, u in scored:
        if ratio >= RENAME_RATIO and m not in used_m and u not in used_u:
            pairs.append((m, u))
            used_m.add(m)
            used_u.add(u)
    return pairs


def _ratio(a: str, b: str) -> float:
    last = b.rsplit(PATH_SEPARATOR, maxsplit=1)[-1]
    fold = normalise(a).casefold()
    return max(difflib.SequenceMatcher(None, fold, normalise(b).casefold()).ratio(),
               difflib.SequenceMatcher(None, fold, normalise(last).casefold()).ratio())

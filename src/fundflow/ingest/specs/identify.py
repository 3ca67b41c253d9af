"""Which adapter claims a file. Exactly one must; otherwise say which came closest and why.

Files are known by their content: sheets, title cells and header texts decide. The file
name is only a tie-breaker, because officers rename files ("ICP Q3 return FINAL.xlsx"); it
is a requirement only for an adapter that has no content rule at all (nothing else to go
on). Each adapter's match rules are scored: a file is claimed when every rule holds. When none
claims it, the adapter that passed the most rules is named with the first rule it failed
(which sheet was missing, which cell differed), because that is what tells an officer whether
the funder changed its template or the file is simply not what they think.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fundflow.ingest.grid import Workbook, parse_cell_ref
from fundflow.ingest.specs.patterns import search
from fundflow.ingest.specs.registry import Loaded
from fundflow.ingest.specs.spec import AdapterSpec


@dataclass(frozen=True)
class Verdict:
    """How one adapter's match rules went for one file."""

    adapter: Loaded
    passed: int
    total: int
    failures: list[str]
    name_matches: bool = True

    @property
    def claims(self) -> bool:
        """True when every rule held."""
        return not self.failures


def has_content_rules(spec: AdapterSpec) -> bool:
    """True when the adapter can know a file by what is in it (sheets, cells, headers)."""
    return bool(spec.match.sheets or spec.match.cells or spec.match.headers)


def judge(spec: AdapterSpec, path: Path, workbook: Workbook) -> tuple[int, int, list[str]]:
    """(rules passed, rules in all, why each failed) for one spec and one file.

    The file name counts as a rule only for an adapter without content rules."""
    m = spec.match
    failures: list[str] = []
    total = 0
    if m.file_name is not None and not has_content_rules(spec):
        total += 1
        if not search(m.file_name, path.name):
            failures.append(f"the file name is not like this adapter's files "
                            f"(`match.file_name`: {m.file_name})")
    if m.formats:
        total += 1
        if workbook.format not in m.formats:
            failures.append(f"the file is {workbook.format}, not {' or '.join(m.formats)}")
    names = {s.name for s in workbook.sheets}
    for sheet in m.sheets:
        total += 1
        if sheet not in names:
            failures.append(f"there is no sheet '{sheet}'")
    for rule in m.cells:
        total += 1
        text = _cell_text(workbook, rule.sheet, rule.ref)
        ok = text is not None and (
            (rule.contains is None or rule.contains.casefold() in text.casefold())
            and (rule.pattern is None or search(rule.pattern, text))
        )
        if not ok:
            want = rule.contains or rule.pattern
            failures.append(f"cell {rule.sheet}!{rule.ref} holds '{text or ''}', not '{want}'")
    for header in m.headers:
        total += 1
        if not _anywhere(workbook, spec.tables[0].sheet, header):
            failures.append(f"no header cell reads '{header}'")
    return total - len(failures), total, failures


def _anywhere(workbook: Workbook, sheet_name: str | None, text: str, rows: int = 60) -> bool:
    """True when a cell in the first `rows` rows of the sheet contains `text` (any case)."""
    sheet = workbook.sheet(sheet_name) if sheet_name else next(iter(workbook.sheets), None)
    if sheet is None:
        return False
    want = " ".join(text.split()).casefold()
    for row in sheet.cells.head(rows).iter_rows():
        if any(v is not None and want in " ".join(str(v).split()).casefold() for v in row):
            return True
    return False


def identify(path: Path, workbook: Workbook, adapters: list[Loaded]) -> list[Verdict]:
    """Every adapter's verdict, best first (claimants, then by share of rules passed)."""
    verdicts = []
    for loaded in adapters:
        passed, total, failures = judge(loaded.spec, path, workbook)
        pattern = loaded.spec.match.file_name
        named = pattern is None or search(pattern, path.name) is not None
        verdicts.append(Verdict(loaded, passed, total, failures, named))
    return sorted(
        verdicts,
        key=lambda v: (not v.claims, not v.name_matches,
                       -(v.passed / v.total if v.total else 0), v.adapter.spec.id),
    )


def claimants(verdicts: list[Verdict]) -> list[Verdict]:
    """The adapters that claim the file; when several do, those whose file-name pattern also
    matches (the tie-breaker), if that narrows them down."""
    claims = [v for v in verdicts if v.claims]
    named = [v for v in claims if v.name_matches and v.adapter.spec.match.file_name]
    return named if len(claims) > 1 and len(named) == 1 else claims


def _cell_text(workbook: Workbook, sheet_name: str, ref: str) -> str | None:
    sheet = workbook.sheet(sheet_name)
    if sheet is None:
        return None
    r, c = parse_cell_ref(ref)
    i, j = r - sheet.row0, c - sheet.col0
    if 0 <= i < sheet.cells.height and 0 <= j < sheet.cells.width:
        value = sheet.cells[i, j]
        return None if value is None else str(value)
    return None

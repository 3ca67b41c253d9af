"""Draft an adapter spec for a layout fundflow has not seen, from the file alone.

`suggest_spec(path)` reads the file, finds the table with the most figures (its header
block, merged header rows, totals, notes and units), decides what each column holds by its
header and its contents, spots period columns and unpivots them, and returns a `Suggestion`
whose YAML loads as a spec. What it could not decide is written as a comment starting
`# fundflow could not tell:` and, for constants (stream, funder, measure), as a
`FILL-IN-...` placeholder that `fundflow validate` rejects, so the draft never imports
plausible but wrong data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fundflow.ingest.grid import Workbook
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.suggest.draft import UNDECIDED, Draft, draft_spec
from fundflow.ingest.suggest.layout import TableGuess, choose_table
from fundflow.ingest.suggest.render import render
from fundflow.issues import Issue, make_issue

__all__ = ["UNDECIDED", "Suggestion", "suggest_spec", "suggest_workbook"]


@dataclass
class Suggestion:
    """A drafted spec as YAML, the draft behind it, and problems reading the file."""

    yaml: str | None
    draft: Draft | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def undecided(self) -> list[str]:
        """What fundflow could not tell (each is also a comment in the YAML)."""
        return self.draft.undecided if self.draft else []


def suggest_spec(path: Path) -> Suggestion:
    """Draft a spec for `path`; `yaml` is None when no table with figures was found."""
    workbook, issues = read_workbook(path)
    if workbook is None:
        return Suggestion(None, None, issues)
    suggestion = suggest_workbook(path, workbook)
    suggestion.issues[:0] = issues
    return suggestion


def suggest_workbook(path: Path, workbook: Workbook) -> Suggestion:
    """Draft a spec for a workbook already read from `path` (the name only labels the draft)."""
    issues: list[Issue] = []
    table, found = choose_table(workbook)
    if table is None:
        issues.append(make_issue("suggest-no-table", file=path.name))
        return Suggestion(None, None, issues)
    same = [t.sheet.name for t in found if _same_layout(t, table)]
    others = [t.sheet.name for t in found if t.sheet.name not in same]
    draft = draft_spec(path, workbook, table, same, others)
    header = [f"Draft adapter for {path.name}, written by `fundflow adapters suggest`.",
              "Fill in the lines under '===== FILL IN' (the stream and the funder: no file "
              "says them); until then `fundflow validate` refuses the draft. Lines under "
              "'# fundflow could not tell: ...' need your decision."]
    return Suggestion(render(draft.spec, draft.comments, header), draft, issues)


def _same_layout(a: TableGuess, b: TableGuess) -> bool:
    """Two sheets laid out alike: the same header row, depth and header texts."""
    return (a.header_row, a.depth, a.paths) == (b.header_row, b.depth, b.paths)

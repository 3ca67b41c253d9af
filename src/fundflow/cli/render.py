"""Terminal rendering that treats every text from input as text, and keeps the screen readable.

A funder's cell can hold `[/]` (rich markup), an ESC sequence that clears the screen or a
right-to-left override that hides what follows: printed as they come, they crash the command
or take over the officer's terminal. So the consoles here never interpret markup, emoji or
highlighting, and show control characters escaped (`\\x1b`); the only styling is applied by
code to text it built itself (`Text.append(..., style=...)`).

A long run must stay readable too: notes that repeat in a file collapse into one line with a
count, each hint is said once per run, and past a cap the rest is counted and pointed to where
it is listed in full (`--json`, an annotated copy, the return's Issues sheet).

Kept free of heavy imports (no polars, duckdb or openpyxl): every command loads it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from fundflow.issues import Issue, Severity

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F),
             *range(0x2066, 0x206A), 0xFEFF]


def _escaped(point: int) -> str:
    char = chr(point)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


_ESCAPE = {point: _escaped(point) for point in _CONTROLS}
_ESCAPE_KEEP_LINES = {k: v for k, v in _ESCAPE.items() if k != ord("\n")}


def plain(text: object, *, lines: bool = False) -> str:
    """`text` with every control character shown escaped (`\\x1b`, `\\u202e`), so it prints as
    what it is. With `lines=True` newlines are kept (text fundflow wrote in several lines)."""
    return str(text).translate(_ESCAPE_KEEP_LINES if lines else _ESCAPE)


class SafeConsole(Console):
    """A rich console for untrusted text: no markup, emoji or highlighting, and control
    characters escaped in every string it renders (tables included). Newlines are kept,
    since fundflow's own messages use them; data printed on one line goes through `plain`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, soft_wrap=True, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """Escape controls before rich sees the string; markup stays off whatever is asked."""
        kwargs.update(markup=False, emoji=False, highlight=False)
        return super().render_str(plain(text, lines=True), **kwargs)


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_WORD = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SHOWN_LINES = 40
"""Issue lines printed in one run before the rest are only counted."""


def styled(*parts: str | tuple[str, str]) -> Text:
    """One line from plain parts and (text, style) pairs; every part is escaped."""
    line = Text()
    for part in parts:
        if isinstance(part, tuple):
            line.append(plain(part[0]), style=part[1])
        else:
            line.append(plain(part))
    return line


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 error', '2 errors', '1,234 entries'."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


class IssueView:
    """Prints a run's issues for a person, quietly.

    Errors and warnings print one line each (with the hint the first time its code appears);
    notes of one code in one file collapse into a single line naming how many and where, and
    notes of a code already shown are only counted, then said in one line by `close`. Past
    `limit` lines the rest are counted, and `close` says how many were not shown and where
    they are. `seen` counts every issue by severity for the end-of-run summary.
    """

    def __init__(self, console: Console, *, quiet: bool = False,
                 limit: int = SHOWN_LINES) -> None:
        self.console = console
        self.quiet = quiet
        self.limit = limit
        self.seen: Counter[Severity] = Counter()
        self.hidden = 0
        self._lines = 0
        self._hinted: set[str] = set()
        self._repeats: dict[str, list[Issue]] = {}

    def show(self, issues: Iterable[Issue]) -> None:
        """Print one batch (a file's issues): notes of a code are collapsed within it."""
        notes: dict[tuple[str, str | None], list[Issue]] = {}
        for issue in issues:
            self.seen[issue.severity] += 1
            if self.quiet and issue.severity is not Severity.ERROR:
                continue
            if issue.severity is Severity.INFO:
                notes.setdefault((issue.code, issue.file), []).append(issue)
            else:
                self._print(issue, more=[])
        for (code, _), group in notes.items():
            if code in self._repeats:
                self._repeats[code] += group
            else:
                self._repeats[code] = []
                self._print(group[0], more=group[1:])

    def close(self, where: str) -> None:
        """Say the repeated notes in one line each, then how many issues were not printed
        and `where` they are all listed."""
        for code, repeats in self._repeats.items():
            if repeats:
                files = len({i.file for i in repeats})
                self.console.print(styled(("info", "cyan"), " ", (code, "cyan"), ": ",
                                          (f"{count(len(repeats), 'more note')} like the "
                                           f"one above in {count(files, 'more file')}", "dim")))
        self._repeats.clear()
        if self.hidden:
            self.console.print(styled(
                (f"… and {count(self.hidden, 'more issue')} not shown", "bold"),
                f" (the first {self.limit} lines are above): {where}."))

    def total(self) -> str:
        """'2 errors, 1 warning, 12 notes', or 'no issues'."""
        parts = [count(self.seen[s], _WORD[s]) for s in Severity if self.seen[s]]
        return ", ".join(parts) if parts else "no issues"

    def _print(self, issue: Issue, more: Sequence[Issue]) -> None:
        if self._lines >= self.limit:
            self.hidden += 1 + len(more)
            return
        self._lines += 1
        style = _STYLE[issue.severity]
        where = issue.location() if issue.file or issue.sheet or issue.cell else ""
        line = styled((issue.severity.value, style), " ", (issue.code, style),
                      f" {where}: {issue.message}" if where else f": {issue.message}")
        if more:
            cells = [i.cell or i.sheet or "" for i in more[:5] if i.cell or i.sheet]
            listed = f": {', '.join(cells)}{' …' if len(more) > 5 else ''}" if cells else ""
            line.append(plain(f" (and {len(more):,} more like it{listed})"), style="dim")
        self.console.print(line)
        if issue.hint and issue.code not in self._hinted:
            self._hinted.add(issue.code)
            self.console.print(styled(("    → " + issue.hint, "dim")))


Kind = Literal["id", "money", "number", "text"]


@dataclass(frozen=True)
class Column:
    """A table column: ids, money and numbers are never cut or wrapped; text wraps to fit."""

    header: str
    kind: Kind = "text"


class DataTable:
    """Rows for the terminal that fit its width without cutting an id or an amount.

    As a table when its narrowest layout fits (free text folds onto more lines, ids and money
    keep their full width); otherwise each row as a short block of `header: value` lines, so an
    80-column terminal never shows '£1,249,9…' or 'S-FFP-…'.
    """

    def __init__(self, *columns: Column, title: str | None = None) -> None:
        self.columns = columns
        self.title = title
        self.rows: list[tuple[str, ...]] = []

    def add_row(self, *cells: str) -> None:
        """One row, a text per column."""
        self.rows.append(cells)

    def print(self, console: Console) -> None:
        """Print as a table, or as blocks when even the narrowest table is too wide."""
        if self._narrowest() <= console.width:
            console.print(self._table())
            return
        if self.title:
            console.print(styled((self.title, "bold")))
        for row in self.rows:
            first, *rest = zip(self.columns, row, strict=True)
            console.print(styled((f"{first[0].header}: {first[1]}", "bold")))
            for column, cell in rest:
                if cell:
                    console.print(f"  {column.header}: {cell}")

    def _widths(self) -> list[int]:
        """Each column's least width: its widest cell, and its header's longest word (a
        header may wrap at spaces, a cell may not)."""
        return [max([max(map(len, c.header.split()), default=0), *(len(r[i]) for r in self.rows)])
                for i, c in enumerate(self.columns)]

    def _narrowest(self) -> int:
        """Characters the table needs at least: full ids and money, text folded to 12, and a
        border and two spaces of padding per column."""
        return sum(min(w, 12) if c.kind == "text" else w
                   for c, w in zip(self.columns, self._widths(), strict=True)) \
            + 3 * len(self.columns) + 1

    def _table(self) -> Table:
        table = Table(title=self.title)
        for column, width in zip(self.columns, self._widths(), strict=True):
            if column.kind == "text":
                table.add_column(column.header, overflow="fold", min_width=min(width, 12))
            else:
                table.add_column(column.header, min_width=width, overflow="fold",
                                 justify="left" if column.kind == "id" else "right")
        for row in self.rows:
            table.add_row(*row)
        return table

"""Problems shown in the officer's own workbook: `fundflow validate --annotate DIR`.

A finance officer fixes a return where they work, in the spreadsheet. So each checked file is
copied with every problem cell (every cell of a problem range) filled in the colour of its
severity and a comment saying what is wrong and what to do, plus an `Issues` sheet (the last
tab) listing every problem with a link to its cell. The copy keeps everything else of the
workbook byte for byte (`annotate_book`); the original is never touched. CSV, ODS and xls
files get an xlsx copy laid out cell for cell as read (`annotate_grid`).

Copies are written through a temporary file in the output folder, removed on an error, an
interrupt or SIGTERM, and swept at the next run when a kill left one behind. Two inputs with
the same name in one run get distinct copies (`name (2).checked.xlsx`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from fundflow.annotate.book import AnnotateRefused, annotate_package
from fundflow.annotate.grid import sheet_titles, write_plain
from fundflow.annotate.issues import IssueRow, shown
from fundflow.annotate.notes import Note
from fundflow.annotate.sheet import Marks
from fundflow.ingest.grid import Workbook, parse_cell_ref
from fundflow.ingest.guard import Limits
from fundflow.issues import Issue, Severity

RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
MAX_MARKED = 1_000_000  # cells coloured per file; beyond, problems are only listed
MAX_RANGE = 100_000  # cells of one range coloured; a larger range is marked at its corner
MAX_NOTES = 10_000  # cells commented per file; beyond, cells are coloured and listed
PART_SUFFIX = ".fundflow-annotate.part"
_PART = re.compile(r"^\..+\.(\d+)" + re.escape(PART_SUFFIX) + "$")

__all__ = ["AnnotateRefused", "annotate", "sweep_temporaries", "target_for"]


def annotate(source: Path, issues: list[Issue], out_dir: Path, grid: Workbook | None = None,
             *, limits: Limits | None = None, taken: set[Path] | None = None,
             progress: Callable[[int, int], None] | None = None) -> Path:
    """Write the annotated copy of `source` into `out_dir` and return its path.

    `grid` is the file as fundflow read it (needed for CSV, ODS and xls files, rebuilt as a
    workbook). `taken` holds the copies written earlier in the same run, so two inputs of one
    name never overwrite each other; the new copy is added to it. `progress` is told bytes
    done and bytes in all. Raises `AnnotateRefused` when the file cannot be copied safely.
    """
    try:
        return _annotate(source, issues, out_dir, grid, limits=limits, taken=taken,
                         progress=progress)
    except OSError as exc:  # a read-only or full folder: said, not a traceback
        raise AnnotateRefused(f"the folder {out_dir} could not be written "
                              f"({exc.strerror or exc})") from exc


def _annotate(source: Path, issues: list[Issue], out_dir: Path, grid: Workbook | None, *,
              limits: Limits | None, taken: set[Path] | None,
              progress: Callable[[int, int], None] | None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    sweep_temporaries(out_dir)
    xlsx = source.suffix.lower() in (".xlsx", ".xlsm")
    target = target_for(source, out_dir, taken if taken is not None else set(), xlsx=xlsx)
    titles = None if xlsx else sheet_titles(grid, source.stem)
    located = [(i, titles.get(i.sheet) if titles and i.sheet else i.sheet) for i in issues]
    sheets = _marks(located)
    rows = _rows(located)
    with _terminate_as_exit(), _temporary(out_dir, target) as part:
        with part.open("wb") as handle:
            if xlsx:
                annotate_package(source, handle, sheets, rows, limits or Limits(), progress)
            else:
                assert titles is not None
                with _temporary(out_dir, target.with_suffix(".plain.xlsx")) as plain:
                    with plain.open("wb") as raw:
                        write_plain(grid, titles, raw)
                    annotate_package(plain, handle, sheets, rows, limits or Limits(), progress)
        os.chmod(part, 0o666 & ~_umask())  # a temporary is private; the copy is not
        os.replace(part, target)
    if taken is not None:
        taken.add(target)
    return target


def target_for(source: Path, out_dir: Path, taken: set[Path], *, xlsx: bool) -> Path:
    """`<stem>.checked<.xlsx|.xlsm>` in `out_dir`, numbered when this run already wrote it."""
    suffix = source.suffix.lower() if xlsx else ".xlsx"
    target = out_dir / f"{source.stem}.checked{suffix}"
    n = 2
    while target in taken:
        target = out_dir / f"{source.stem} ({n}).checked{suffix}"
        n += 1
    return target


def sweep_temporaries(out_dir: Path) -> list[Path]:
    """Remove annotate temporaries a killed run left in `out_dir` (their process is gone)."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in out_dir.iterdir():
            found = _PART.match(entry.name)
            if found and entry.is_file() and not entry.is_symlink() and \
                    not _alive(int(found.group(1))):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours from an earlier call that was interrupted
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextlib.contextmanager
def _temporary(out_dir: Path, target: Path) -> Iterator[Path]:
    """A temporary file beside `target`, removed unless it was moved into place."""
    fd, name = tempfile.mkstemp(dir=out_dir, prefix=f".{target.name}.",
                                suffix=f".{os.getpid()}{PART_SUFFIX}")
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While annotating, SIGTERM exits through `finally` blocks (temporaries are removed);
    Ctrl-C already does. Only the main thread can set signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cells_of(ref: str) -> list[tuple[int, int]]:
    """0-based cells of `A1` or `A1:B2` (at most `MAX_RANGE`, else the first); [] for a
    whole column or anything that is not a cell reference."""
    try:
        parts = [parse_cell_ref(p) for p in ref.replace("$", "").split(":")]
    except ValueError:
        return []
    if len(parts) == 1:
        return parts
    if len(parts) != 2:
        return []
    (r1, c1), (r2, c2) = parts
    top, bottom, left, right = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
    if (bottom - top + 1) * (right - left + 1) > MAX_RANGE:
        return [(top, left)]
    return [(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)]


def _marks(located: list[tuple[Issue, str | None]]) -> dict[str, tuple[Marks, list[Note]]]:
    """Per sheet: the rank of each marked cell and the comment of each problem's first cell."""
    marks: dict[str, Marks] = defaultdict(dict)
    found: dict[tuple[str, int, int], list[Issue]] = defaultdict(list)
    count = 0
    for issue, sheet in located:
        if not sheet or not issue.cell:
            continue
        cells = cells_of(issue.cell)
        if not cells:
            continue
        found[(sheet, *cells[0])].append(issue)
        for row, col in cells:
            if count >= MAX_MARKED:
                break
            row_marks = marks[sheet].setdefault(row + 1, {})
            if col not in row_marks:
                count += 1
            row_marks[col] = min(row_marks.get(col, 2), RANK[issue.severity])
    notes: dict[str, list[Note]] = defaultdict(list)
    for (sheet, row, col), said in list(found.items())[:MAX_NOTES]:
        body = "\n\n".join(f"{i.severity.value.upper()} ({i.code}): {i.message}"
                           + (f"\nWhat to do: {i.hint}" if i.hint else "") for i in said)
        notes[sheet].append(Note(row, col, shown(body)[0]))
    return {s: (marks[s], notes.get(s, [])) for s in marks}


def _rows(located: list[tuple[Issue, str | None]]) -> Iterator[IssueRow]:
    """Errors first, then warnings, then notes, each in the order found."""
    for issue, sheet in sorted(located, key=lambda pair: RANK[pair[0].severity]):
        yield (RANK[issue.severity], issue.code, sheet or "", issue.cell or "",
               _text(issue.value), _text(issue.expected), issue.message, issue.hint or "")


def _text(value: object) -> str:
    return "" if value is None else str(value)

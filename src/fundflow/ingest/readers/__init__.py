"""Readers: any input file to the raw cell grid (`fundflow.ingest.grid.Workbook`), safely.

`read_workbook` is the one entry point. It runs the pre-parse guard (`fundflow.ingest.guard`) first,
then the reader for the format: workbooks through fastexcel in a sandboxed child process
(`readers.excel`, `readers.sandbox`), text through polars (`readers.delimited`), in the same
sandbox unless the text is small. Every problem comes back as an `Issue`; nothing here raises
for a bad file or prints.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fundflow.ingest.grid import Workbook
from fundflow.ingest.guard import GuardReport, Limits, check_file
from fundflow.ingest.readers.excel import read_excel, start_excel
from fundflow.ingest.readers.forked_guard import ForkedGuard
from fundflow.ingest.readers.sandbox import Running
from fundflow.ingest.spool import temp_prefix
from fundflow.issues import Issue, has_errors

__all__ = ["Limits", "abandon_early", "read_workbook", "start_early"]

_EARLY: dict[tuple[str, Limits], tuple[tempfile.TemporaryDirectory[str], Running]] = {}
"""Parses started by `start_early`, by path and limits, until `read_workbook` takes them."""
_GUARDS: dict[tuple[str, Limits], ForkedGuard] = {}
"""Their guards, running in forks meanwhile (`readers.forked_guard`), by the same keys."""


def start_early(path: Path, limits: Limits | None = None) -> None:
    """Start the sandboxed parse of a workbook now, for `read_workbook` to take up later.

    `fundflow import` calls this for its first file before it loads polars, the adapters
    and the ledger (about 0.4 s a 100k-row file's parse need not wait for), and its guard
    in a fork of this process, so neither waits for that work. Nothing is lost in safety:
    the child runs under the same limits, and `read_workbook` still has the guard's verdict
    before anything the child read is used (and kills it on a refusal). Call
    `abandon_early` when done, for parses nobody took (a run that failed first).
    """
    limits = limits or Limits()
    key = (str(path), limits)
    if key in _EARLY or not _workbook_magic(path):
        return
    folder = tempfile.TemporaryDirectory(prefix=temp_prefix("fundflow-read-"))
    _EARLY[key] = (folder, start_excel(path, Path(folder.name), limits))
    guard = ForkedGuard.start(path, limits)
    if guard is not None:
        _GUARDS[key] = guard


def abandon_early() -> None:
    """Stop the parses `start_early` began that no `read_workbook` took, and remove their
    folders."""
    while _EARLY:
        _, (folder, child) = _EARLY.popitem()
        child.kill()
        folder.cleanup()
    while _GUARDS:
        _GUARDS.popitem()[1].kill()


def read_workbook(
    path: Path,
    limits: Limits | None = None,
    *,
    include_hidden: bool = True,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[Workbook | None, list[Issue]]:
    """Read `path` into a `Workbook` of text grids, or say why not.

    Args:
        path: the file; its format comes from its bytes, not its name.
        limits: size, time and memory limits (defaults: `Limits()`).
        include_hidden: keep hidden and very hidden sheets (an info issue names skipped ones).
        encoding: for text files, the encoding to use instead of detecting UTF-8/Windows-1252.
        delimiter: for text files, the delimiter to use instead of sniffing.

    Returns:
        The workbook (None when the file was refused or could not be read) and the issues.
    """
    limits = limits or Limits()
    early = _EARLY.pop((str(path), limits), None)
    forked = _GUARDS.pop((str(path), limits), None)
    if early is None and not _workbook_magic(path):
        report, issues = check_file(path, limits)
        if report is None or has_errors(issues):
            return None, issues
        return _delimited(path, report, issues, limits, encoding, delimiter)
    folder = early[0] if early else tempfile.TemporaryDirectory(
        prefix=temp_prefix("fundflow-read-"))
    with folder as tmp:
        # The guard and the sandboxed parser run side by side (two cores, half the wait).
        # The child is already bounded by its memory and CPU limits, and a refusal kills it
        # before anything it read is used.
        child = early[1] if early else start_excel(path, Path(tmp), limits)
        try:
            report, issues = _guard(path, limits, forked)
        except BaseException:
            child.kill()
            raise
        if report is None or has_errors(issues) or report.format == "csv":
            child.kill()
            if report is None or has_errors(issues):
                return None, issues
            return _delimited(path, report, issues, limits, encoding, delimiter)
        book, more = read_excel(path, report, child.wait(), include_hidden=include_hidden)
    return book, issues + more


def _guard(path: Path, limits: Limits, forked: ForkedGuard | None) -> tuple[
        GuardReport | None, list[Issue]]:
    """The verdict of the guard forked at the early start, or of `check_file` run here when
    there was none or it gave none."""
    found = forked.verdict() if forked is not None else None
    return found if found is not None else check_file(path, limits)


def _delimited(
    path: Path, report: GuardReport, issues: list[Issue], limits: Limits,
    encoding: str | None, delimiter: str | None,
) -> tuple[Workbook | None, list[Issue]]:
    """A text file the guard passed, read by polars (imported here: `fundflow import` loads
    this package before polars, to start its first workbook's parse early)."""
    from fundflow.ingest.readers.delimited import read_delimited  # noqa: PLC0415

    book, more = read_delimited(path, report, limits, encoding=encoding, delimiter=delimiter)
    return book, issues + more


def _workbook_magic(path: Path) -> bool:
    """True when the file starts like a zip (xlsx, xlsm, ods) or an OLE file (xls)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))

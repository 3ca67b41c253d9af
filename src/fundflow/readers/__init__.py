"""Readers: any input file to the raw cell grid (`fundflow.grid.Workbook`), safely.

`read_workbook` is the one entry point. It runs the pre-parse guard (`fundflow.guard`) first,
then the reader for the format: workbooks through fastexcel in a sandboxed child process
(`readers.excel`, `readers.sandbox`), text through polars (`readers.delimited`), in the same
sandbox unless the text is small. Every problem comes back as an `Issue`; nothing here raises
for a bad file or prints.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fundflow.grid import Workbook
from fundflow.guard import Limits, check_file
from fundflow.issues import Issue, has_errors
from fundflow.readers.delimited import read_delimited
from fundflow.readers.excel import read_excel, start_excel
from fundflow.spool import temp_prefix

__all__ = ["Limits", "read_workbook"]


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
    if not _workbook_magic(path):
        report, issues = check_file(path, limits)
        if report is None or has_errors(issues):
            return None, issues
        book, more = read_delimited(path, report, limits, encoding=encoding, delimiter=delimiter)
        return book, issues + more
    with tempfile.TemporaryDirectory(prefix=temp_prefix("fundflow-read-")) as tmp:
        # The guard and the sandboxed parser run side by side (two cores, half the wait).
        # The child is already bounded by its memory and CPU limits, and a refusal kills it
        # before anything it read is used.
        child = start_excel(path, Path(tmp), limits)
        try:
            report, issues = check_file(path, limits)
        except BaseException:
            child.kill()
            raise
        if report is None or has_errors(issues) or report.format == "csv":
            child.kill()
            if report is None or has_errors(issues):
                return None, issues
            book, more = read_delimited(path, report, limits, encoding=encoding,
                                        delimiter=delimiter)
            return book, issues + more
        book, more = read_excel(path, report, child.wait(), include_hidden=include_hidden)
    return book, issues + more


def _workbook_magic(path: Path) -> bool:
    """True when the file starts like a zip (xlsx, xlsm, ods) or an OLE file (xls)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))

"""Readers: any input file to the raw cell grid (`fundflow.grid.Workbook`), safely.

`read_workbook` is the one entry point. It runs the pre-parse guard (`fundflow.guard`) first,
then the reader for the format: workbooks through fastexcel in a sandboxed child process
(`readers.excel`, `readers.sandbox`), text through polars (`readers.delimited`). Every problem
comes back as an `Issue`; nothing here raises for a bad file or prints.
"""

from __future__ import annotations

from pathlib import Path

from fundflow.grid import Workbook
from fundflow.guard import Limits, check_file
from fundflow.issues import Issue, has_errors
from fundflow.readers.delimited import read_delimited
from fundflow.readers.excel import read_excel

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
    report, issues = check_file(path, limits)
    if report is None or has_errors(issues):
        return None, issues
    if report.format == "csv":
        book, more = read_delimited(path, report, limits, encoding=encoding, delimiter=delimiter)
    else:
        book, more = read_excel(path, report, limits, include_hidden=include_hidden)
    return book, issues + more

"""Workbooks (xlsx, xlsm, ods, xls) read through fastexcel in the sandbox, as text grids.

fastexcel is asked for every column as text with no header row (`header_row=None`,
`dtypes="string"`, `skip_rows=0`), which keeps a text cell after 1,000 numbers (type drift,
relsec F3) and starts the grid at absolute row 0 while naming the first used column. Leading
empty rows are then trimmed and counted in `row0`. Two things fastexcel does are corrected or
recorded here: numbers it prints with binary noise ("12345678901.229999542") are rewritten as
the shortest text that reads back as the same double, and error cells and formulas without a
saved value (which it turns into nulls) come from the guard's scan as `Sheet.flags`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fundflow.ingest.grid import Sheet, Workbook
from fundflow.ingest.guard import GuardReport, Limits
from fundflow.ingest.readers.sandbox import ChildResult, ChildSheet, Running
from fundflow.issues import Issue, make_issue
from fundflow.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl
else:
    # `fundflow import` starts the parser before polars is loaded (`readers.start_early`).
    pl = lazy_module("polars")

_NOISY = r"^-?[0-9]+\.[0-9]+$"
_VISIBILITY = {"visible": "visible", "hidden": "hidden", "veryhidden": "veryHidden"}


def start_excel(path: Path, out_dir: Path, limits: Limits) -> Running:
    """Start parsing a workbook in the sandbox; the caller guards the file meanwhile."""
    return Running(
        path,
        out_dir,
        memory_bytes=limits.parse_memory_bytes,
        cpu_s=limits.parse_cpu_s,
        timeout_s=limits.parse_timeout_s,
    )


def read_excel(
    path: Path, report: GuardReport, result: ChildResult, *, include_hidden: bool
) -> tuple[Workbook | None, list[Issue]]:
    """The sandbox's result as a workbook; a dead or refusing parser is an issue."""
    name = path.name
    if result.timed_out is not None:
        return None, [make_issue("parse-timeout", file=name,
                                 limit=f"{result.timed_out:g} seconds",
                                 option="--parse-timeout")]
    if result.crash is not None:
        return None, [
            make_issue(
                "parser-crashed",
                file=name,
                value=report.sha256,
                reason=result.crash,
                option="--parse-memory-mb or --parse-timeout",
            )
        ]
    if result.error is not None:
        return None, [make_issue("parser-failed", file=name, reason=result.error)]
    issues: list[Issue] = []
    sheets = []
    for child in result.sheets:
        sheet = _to_sheet(child, report, name, issues)
        if sheet is None:
            continue
        if not include_hidden and not sheet.visible:
            issues.append(
                make_issue(
                    "sheet-hidden-skipped",
                    file=name,
                    sheet=sheet.name,
                    tab=sheet.name,
                    visibility=_visibility(child, report),
                )
            )
            continue
        sheets.append(sheet)
    return Workbook(str(path), report.sha256, report.format, sheets), issues


def _to_sheet(
    child: ChildSheet, report: GuardReport, name: str, issues: list[Issue]
) -> Sheet | None:
    """One child sheet as a `Sheet`: columns c0.., leading empty rows trimmed, flags added."""
    if child.error is not None or child.arrow is None:
        issues.append(
            make_issue(
                "sheet-not-read",
                file=name,
                sheet=child.name,
                tab=child.name,
                reason=child.error or "no data came back",
            )
        )
        return None
    frame = pl.read_ipc(child.arrow)
    frame = frame.rename({old: f"c{i}" for i, old in enumerate(frame.columns)})
    frame, row0 = _trim_leading_rows(frame)
    frame = shortest_numbers(frame)
    scan = next((s for s in report.sheets if s.name == child.name), None)
    flags = dict(scan.flags) if scan is not None else {}
    frame = _reach_flagged_rows(frame, row0, flags)
    visible = _visibility(child, report) == "visible"
    return Sheet(
        child.name,
        frame,
        row0=row0,
        col0=child.col0 if frame.width else 0,
        visible=visible,
        flags=flags,
    )


def _visibility(child: ChildSheet, report: GuardReport) -> str:
    """The guard's reading of workbook.xml where it has one, else fastexcel's."""
    scan = next((s for s in report.sheets if s.name == child.name), None)
    if scan is not None and report.format in {"xlsx", "xlsm"}:
        return scan.visibility
    return _VISIBILITY.get(child.visible.lower(), "visible")


def _reach_flagged_rows(
    frame: pl.DataFrame, row0: int, flags: dict[tuple[int, int], str]
) -> pl.DataFrame:
    """Blank rows down to the last flagged cell: a formula with no saved result on a table's
    last row reads as nothing, and the reader drops trailing empty rows, so without them the
    table would end above it and the cell would vanish unreported. The guard has checked the
    sheet's used range (which includes that cell) against the cell limit."""
    last = max((row for row, _ in flags), default=-1)
    missing = last + 1 - (row0 + frame.height)
    if missing <= 0 or frame.width == 0:
        return frame
    pad = pl.DataFrame({c: pl.Series(c, [None] * missing, dtype=pl.String) for c in frame.columns})
    return pl.concat([frame, pad])


def _trim_leading_rows(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Drop the all-empty rows fastexcel pads above the first used row; return their count.

    A sheet whose cells are all null (every cell an error value, say) is kept whole, so its
    flags still fall inside the grid.
    """
    if frame.height == 0 or frame.width == 0:
        return frame, 0
    filled = frame.select(pl.any_horizontal(pl.all().is_not_null()).arg_true().first()).item()
    if not filled:
        return frame, 0
    return frame.slice(int(filled)), int(filled)


def shortest_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Rewrite fastexcel's noisy number text as the shortest text of the same double.

    fastexcel prints a number cell with nine decimals and trims zeros, so 12345678901.23
    arrives as "12345678901.229999542". Only texts of 16 or more digits with a decimal point
    are touched: any shorter decimal text reads back as itself, so text cells are unchanged.
    """
    fixes = []
    for name in frame.columns:
        col = pl.col(name)
        noisy = (col.str.len_bytes() >= 17) & col.str.contains(_NOISY)
        fixed = col.cast(pl.Float64, strict=False).cast(pl.String).str.replace(r"\.0$", "")
        fixes.append(pl.when(noisy).then(fixed).otherwise(col).alias(name))
    return frame.with_columns(fixes) if fixes else frame

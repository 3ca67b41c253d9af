"""Which files a command reads: files as given, and the spreadsheets inside folders.

Kept apart from the importer (which loads polars and the adapters) so that `fundflow import`
knows its first file before loading them, and can start parsing it meanwhile
(`readers.start_early`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".csv", ".ods", ".xls", ".tsv", ".txt"}


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the spreadsheets inside folders (recursively, sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SPREADSHEET_SUFFIXES
                and not p.name.startswith(("~$", "."))
            )
        else:
            out.append(path)
    return out

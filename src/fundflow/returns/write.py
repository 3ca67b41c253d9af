"""Write a return to a file whose extension names the format, atomically.

The file is written beside its final path under a temporary name, flushed to disk, then renamed
over the final path, so a crash never leaves half a return where a finance officer expects one
(relsec.md T51); `fundflow.outputs` refuses paths that are not regular files. The SHA-256 of the
bytes written is returned for the record.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fundflow.ledger.store import sha256_file
from fundflow.outputs import write_atomic
from fundflow.returns.csvout import write_csv
from fundflow.returns.html import write_html
from fundflow.returns.jsonout import write_json
from fundflow.returns.model import Return
from fundflow.returns.xlsx import write_xlsx

WRITERS: dict[str, Callable[[Return, Path], None]] = {
    ".xlsx": write_xlsx, ".html": write_html, ".htm": write_html, ".json": write_json,
    ".csv": write_csv,
}


class OutputFormatError(ValueError):
    """The output file's extension names no format fundflow writes."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"cannot write {path.name}: use one of {', '.join(WRITERS)}")
        self.path = path


@dataclass(frozen=True)
class Written:
    """A file that was written: where, in which format, its size and hash."""

    path: Path
    format: str
    bytes: int
    sha256: str


def output_format(path: Path) -> str:
    """'xlsx', 'html', 'json' or 'csv' from the file name; raises `OutputFormatError`."""
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise OutputFormatError(path)
    return "html" if suffix == ".htm" else suffix[1:]


def write_return(ret: Return, path: Path) -> Written:
    """Write `ret` to `path` in the format its extension names, replacing any earlier file.

    Raises `OutputError` (with its issue) when the path is not a regular file or cannot be
    written (read-only folder, full disk); nothing is left behind then.
    """
    kind = output_format(path)
    write_atomic(path, functools.partial(WRITERS[path.suffix.lower()], ret))
    return Written(path, kind, path.stat().st_size, sha256_file(path))

"""Every file in the shared robustness corpus ends as a Workbook or as clear issues: no
exception, no hang, each within 30 s. Skipped when ../shared is not beside the repository."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fundflow.ingest.readers import read_workbook
from fundflow.issues import Severity

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "robustness"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.is_dir() else []

# What each refused file must be refused for: the guard's verdict is part of the contract.
EXPECTED_REFUSALS = {
    "bad.xlsx": "file-empty",
    "empty.csv": "file-empty",
    "issue_594_dos.ods": "sheet-too-large",
    "pass_protected.ods": "file-encrypted",
    "pass_protected.xlsx": "file-encrypted",
    "strict_iso_paths.xlsx": "file-strict-ooxml",
    "too_small.xls": "file-not-spreadsheet",
}


@pytest.mark.skipif(not FILES, reason="shared robustness corpus not present")
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_reads_or_is_refused_clearly(path: Path) -> None:
    started = time.monotonic()
    book, issues = read_workbook(path)
    assert time.monotonic() - started < 30
    errors = [i for i in issues if i.severity is Severity.ERROR]
    for issue in issues:
        assert issue.code and issue.message and issue.hint and issue.file == path.name
        assert "{" not in issue.message, issue.message
    if path.name in EXPECTED_REFUSALS:
        assert book is None and [i.code for i in errors] == [EXPECTED_REFUSALS[path.name]]
    else:
        assert book is not None and not errors, [i.message for i in errors]
        assert book.sheets or path.stat().st_size < 64
        for sheet in book.sheets:
            assert (
                all(dtype == "String" or str(dtype) == "String" for dtype in sheet.cells.dtypes)
                or sheet.cells.width == 0
            )

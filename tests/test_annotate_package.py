"""The annotated copy keeps the officer's whole workbook: real MHCLG templates and every sample.

For each file, problems are planted (a range, a single cell, a cell with a comment already) and
the copy is compared part by part with the original: every zip part annotation does not need
to change is byte for byte the same; the ones it changes (content types, workbook, its rels,
styles, the marked sheets and their rels, comments and drawings) keep every data validation
(extension lists included) and defined name; the copy opens in openpyxl, every cell of the
range is coloured and the values are the original's. LibreOffice converts it when installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from fundflow.annotate.parts import REL_COMMENTS, REL_OFFICE, REL_VML, Part, Rels, rels_name
from fundflow.annotate.workbook import annotate
from fundflow.ingest.readers import read_workbook
from fundflow.issues import Issue, make_issue

ROOT = Path(__file__).resolve().parents[1]
MHCLG = ROOT.parent / "shared" / "corpus" / "real" / "mhclg"
SAMPLES = sorted(p for p in (ROOT / "sample_data").rglob("*") if p.suffix in (".xlsx", ".xlsm"))
REAL = sorted(MHCLG.glob("*.xlsx")) if MHCLG.is_dir() else []
ERROR_RGB = "FFFFC7CE"


def _sheets(path: Path) -> dict[str, str]:
    """Sheet name -> zip member, from the package's own relationships."""
    with zipfile.ZipFile(path) as z:
        book = Rels.load(z.read("_rels/.rels"), "").targets(REL_OFFICE)[0]
        members = Rels.load(z.read(rels_name(book)), book).by_id()
        part = Part.parse(z.read(book))
    return {e.get("name") or "": members[next(v for k, v in zip(e.attrs[::2], e.attrs[1::2],
                                                                strict=True) if k.endswith(":id"))]
            for e in part.all("sheet")}


def _planted(path: Path) -> tuple[list[Issue], list[str]]:
    """A range and a cell on the first two sheets, and a note on the last: marked sheets."""
    names = list(_sheets(path))
    chosen = names[:2] + names[-1:]
    issues = [make_issue("money-invalid", file=path.name, sheet=chosen[0], cell="B2:D4",
                         value="about 5k"),
              make_issue("required-missing", file=path.name, sheet=chosen[1], cell="A1"),
              make_issue("period-open-bounded", file=path.name, sheet=chosen[-1], cell="C3",
                         value="Before 2020/21", expected="2019-04-01 to 2020-03-31")]
    return issues, chosen


def _allowed(path: Path, marked: list[str]) -> set[str]:
    """The parts annotation may change: package-wide ones and those of the marked sheets."""
    with zipfile.ZipFile(path) as z:
        book = Rels.load(z.read("_rels/.rels"), "").targets(REL_OFFICE)[0]
        allowed = {"[Content_Types].xml", book, rels_name(book), "xl/styles.xml"}
        sheets = _sheets(path)
        for name in marked:
            member = sheets[name]
            allowed |= {member, rels_name(member)}
            if rels_name(member) in z.namelist():
                rels = Rels.load(z.read(rels_name(member)), member)
                allowed |= set(rels.targets(REL_COMMENTS) + rels.targets(REL_VML))
    return allowed


def _validations(data: bytes) -> list[bytes]:
    """Every data validation of a sheet, with its formulas (extension-list ones included)."""
    return re.findall(rb"<(?:\w+:)?dataValidation\b.*?</(?:\w+:)?dataValidation>", data, re.S)


def _defined_names(data: bytes) -> set[tuple[str | None, str | None, bytes]]:
    part = Part.parse(data)
    return {(e.get("name"), e.get("localSheetId"), data[e.tag_end:e.close])
            for e in part.all("definedName")}


OPENED_IN_LIBREOFFICE = {"TF_Round_4_TD_Funding_Failure.xlsx", "PF_Round_1_Success.xlsx"}
"""Copies also opened by LibreOffice where it is installed (one Towns Fund failure file, with its
validations and images, and one Pathfinders file). Each is loaded whole and saved as CSV: a
copy LibreOffice cannot load fails the same way, in a quarter of the time a PDF takes to lay out
(the Towns Fund file: 13 s against 60 s on a loaded machine)."""


@pytest.mark.parametrize("path", REAL + SAMPLES, ids=lambda p: p.name)
def test_copy_keeps_every_part_it_does_not_need_to_change(path: Path, tmp_path: Path) -> None:
    issues, marked = _planted(path)
    copy = annotate(path, issues, tmp_path)
    allowed = _allowed(path, marked)
    sheets = _sheets(path)
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(copy) as new:
        kept = set(new.namelist())
        for name in old.namelist():
            assert name in kept, name
            if name not in allowed:
                assert old.read(name) == new.read(name), name
        for member in sheets.values():
            assert _validations(old.read(member)) == _validations(new.read(member)), member
        book = Rels.load(old.read("_rels/.rels"), "").targets(REL_OFFICE)[0]
        assert _defined_names(old.read(book)) <= _defined_names(new.read(book))
        media = [n for n in old.namelist() if n.startswith("xl/media/")]
        assert all(old.read(n) == new.read(n) for n in media)
    _opens_with_marks(path, copy, marked)


def _had_comment(path: Path, sheet: str) -> bool:
    """Whether B2 of `sheet` had the officer's own comment (which is kept, not replaced)."""
    member = _sheets(path)[sheet]
    with zipfile.ZipFile(path) as z:
        if rels_name(member) not in z.namelist():
            return False
        targets = Rels.load(z.read(rels_name(member)), member).targets(REL_COMMENTS)
        return any(b'ref="B2"' in z.read(t) for t in targets)


def _opens_with_marks(path: Path, copy: Path, marked: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on extensions it does not model
        before = openpyxl.load_workbook(path, read_only=True)
        after = openpyxl.load_workbook(copy)
    old = {c.coordinate: c for row in before[marked[0]].iter_rows(min_row=2, max_row=4,
                                                                   min_col=2, max_col=4)
           for c in row if hasattr(c, "coordinate")}
    assert after.sheetnames == [*before.sheetnames, "Issues"]
    first = after[marked[0]]
    for row in first["B2:D4"]:
        for cell in row:
            assert cell.value == (old[cell.coordinate].value if cell.coordinate in old else None)
            if not isinstance(cell, MergedCell):  # openpyxl drops a merged cell's own style
                assert cell.fill.fgColor.rgb == ERROR_RGB, cell.coordinate
    assert "not an amount of money" in first["B2"].comment.text or _had_comment(path, marked[0])
    issues = after["Issues"]
    assert issues["E2"].value == "about 5k"
    assert issues["G2"].value == "'about 5k' is not an amount of money."  # no stray apostrophe
    before.close()
    if shutil.which("soffice") and path.name in OPENED_IN_LIBREOFFICE:
        out = copy.parent / "opened"
        # Its own profile: LibreOffice instances sharing one profile fail each other (exit 1).
        profile = f"-env:UserInstallation={(copy.parent / 'lo-profile').as_uri()}"
        done = subprocess.run(["soffice", profile, "--headless", "--convert-to", "csv",
                               "--outdir", str(out), str(copy)], capture_output=True,
                              timeout=120, check=False)
        assert done.returncode == 0 and (out / f"{copy.stem}.csv").exists()


OTHER_SAMPLES = sorted(p for p in (ROOT / "sample_data").rglob("*")
                       if p.suffix in (".csv", ".ods"))


@pytest.mark.parametrize("path", OTHER_SAMPLES, ids=lambda p: p.name)
def test_csv_and_ods_samples_get_an_xlsx_copy_cell_for_cell(path: Path, tmp_path: Path) -> None:
    grid, _ = read_workbook(path)
    assert grid is not None
    sheet = grid.sheets[0]
    issues = [make_issue("money-invalid", file=path.name, sheet=sheet.name, cell="B2:C3",
                         value="about 5k")]
    copy = annotate(path, issues, tmp_path, grid)
    assert copy.name == f"{path.stem}.checked.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(copy)
    data = book.worksheets[0]
    for i, row in enumerate(sheet.cells.iter_rows()):
        for j, value in enumerate(row):
            cell = data.cell(sheet.row0 + i + 1, sheet.col0 + j + 1)
            assert cell.value == value and (value is None or cell.data_type == "s")
    assert all(data[c].fill.fgColor.rgb == ERROR_RGB for c in ("B2", "C2", "B3", "C3"))
    assert book.sheetnames[-1] == "Issues"

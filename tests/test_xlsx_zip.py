"""The return's workbook is deflated at the fast level, and only while it closes."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import xlsxwriter.workbook as xlsxwriter_workbook
from openpyxl import load_workbook

from fundflow.returns.xlsx_kit import ZIP_LEVEL, Book


def test_parts_are_deflated_at_the_fast_level_and_xlsxwriter_is_left_as_found(
        tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = Book(path, "Title")
    sheet = book.sheet("Notes", header_rows=None, widths=[30, 30])
    for n in range(200):
        sheet.line((f"label {n}", "text", "label"), (n * 1.5, "number", "body"))
    book.save()
    assert xlsxwriter_workbook.ZipFile is zipfile.ZipFile
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    fast = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    assert info.compress_size == len(fast.compress(sheet_xml) + fast.flush())
    default = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert info.compress_size != len(default.compress(sheet_xml) + default.flush())
    assert load_workbook(path)["Notes"]["A200"].value == "label 199"

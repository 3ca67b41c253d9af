"""`fundflow validate --annotate`: problems shown in a copy of the officer's own workbook, and
cells the fast readers would turn into blanks (errors, unsaved formulas) reported, not lost."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from fundflow.cli import cli

SPEC = """
id: mini-fund
version: "1"
name: Mini fund
funder: F-MINI
return_type: finance
match:
  file_name: "^mini"
tables:
  - name: spend
    kind: finance
    sheet: Spend
    header: {row: 1}
    period_convention: UK_FY
    fields:
      stream_id: {const: S-MINI}
      period: {column: Period}
      category: {column: Category}
      measure: {const: spend}
      amount: {column: Amount, parser: gbp_amount}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "adapters").mkdir()
    (tmp_path / "adapters" / "mini.yaml").write_text(SPEC, encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Spend"
    ws.append(["Period", "Category", "Amount"])
    ws.append(["2025-26 Q1", "Staff", 100.5])
    ws.append(["2025-26 Q1", "=HYPERLINK(\"http://evil\",\"x\")", "about 5k"])
    ws.append(["2025-26 Q2", "Rent", "=B2*2"])
    ws.append(["2025-26 Q2", "Travel", "#DIV/0!"])
    wb.save(tmp_path / "mini.xlsx")
    return tmp_path


def _validate(folder: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(folder / "mini.xlsx"), "--adapters",
                                      str(folder / "adapters"), *extra])
    return result.exit_code, result.output


def test_error_cells_and_unsaved_formulas_are_reported_not_blank(folder: Path) -> None:
    code, out = _validate(folder, "--json")
    assert code == 1
    assert "cell-error" in out and "C5" in out
    assert "formula-without-value" in out and "C4" in out
    assert "money-invalid" in out and "C3" in out


def test_annotated_copy_marks_cells_and_lists_issues(folder: Path) -> None:
    original = hashlib.sha256((folder / "mini.xlsx").read_bytes()).hexdigest()
    code, _ = _validate(folder, "--annotate", str(folder / "checked"))
    assert code == 1
    copy = folder / "checked" / "mini.checked.xlsx"
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames == ["Spend", "Issues"]
    spend = wb["Spend"]
    assert spend["C3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "not an amount of money" in spend["C3"].comment.text
    assert spend["C2"].comment is None
    issues = wb["Issues"]
    cells = {issues.cell(r, 4).value: issues.cell(r, 4).hyperlink.location
             for r in range(2, issues.max_row + 1) if issues.cell(r, 4).hyperlink}
    assert cells["C3"] == "'Spend'!C3"
    assert hashlib.sha256((folder / "mini.xlsx").read_bytes()).hexdigest() == original


def test_annotated_copy_never_adds_a_formula(folder: Path) -> None:
    _validate(folder, "--annotate", str(folder / "checked"))
    wb = openpyxl.load_workbook(folder / "checked" / "mini.checked.xlsx")
    issues = wb["Issues"]
    for row in issues.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate

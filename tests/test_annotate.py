"""`fundflow validate --annotate`: problems shown in a copy of the officer's own workbook, and
cells the fast readers would turn into blanks (errors, unsaved formulas) reported, not lost."""

from __future__ import annotations

import hashlib
import os
import signal
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from fundflow.annotate import workbook as module
from fundflow.cli import cli
from fundflow.issues import make_issue
from fundflow.sample.ods import write_ods

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


SHARED_MHCLG = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "mhclg"
EXAMPLES = Path(__file__).resolve().parents[1] / "adapters" / "examples"
ERROR_FILL = "FFFFC7CE"


@pytest.mark.skipif(not SHARED_MHCLG.is_dir(), reason="the shared corpus is absent")
def test_range_issue_marks_every_cell_and_total_cells_are_commented(tmp_path: Path) -> None:
    """The Towns Fund failure file crashed the old copy ('tuple' has no 'fill'): now every
    cell of G66:W67 is coloured and the allocation breach is commented at the total, Z69."""
    name = "TF_Round_4_TD_Funding_Failure.xlsx"
    result = CliRunner().invoke(cli, ["validate", str(SHARED_MHCLG / name), "--adapters",
                                      str(EXAMPLES), "--annotate", str(tmp_path), "-q"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    book = openpyxl.load_workbook(tmp_path / "TF_Round_4_TD_Funding_Failure.checked.xlsx")
    sheet = book["4a - Funding Profiles"]
    assert "G66:W67" in sheet["Z69"].comment.text and sheet["Z69"].fill.fgColor.rgb == ERROR_FILL
    assert sheet["Z44"].comment is not None and "G42:W42" in sheet["Z44"].comment.text
    assert sheet["D50"].fill.fgColor.rgb == ERROR_FILL  # 'Death Star'


def _csv_and_ods(folder: Path) -> list[Path]:
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    csv = folder / "a" / "mini.csv"
    csv.write_text("Period,Category,Amount\n2025-26 Q1,Staff,100.50\n2025-26 Q1,=1+1,about 5k\n",
                   encoding="utf-8")
    ods = write_ods(folder / "b" / "mini.ods", [("Spend", [
        ["Period", "Category", "Amount"], ["2025-26 Q1", "Staff", "lots"]])])
    return [csv, ods]


def test_csv_and_ods_get_an_xlsx_copy_and_same_names_do_not_collide(tmp_path: Path) -> None:
    """Both inputs are called `mini`: two copies, `mini.checked.xlsx` and
    `mini (2).checked.xlsx`, each with its problem cell marked and formulas kept as text."""
    (tmp_path / "adapters").mkdir()
    spec = SPEC.replace("    sheet: Spend\n", "    sheet_pattern: \".*\"\n")
    (tmp_path / "adapters" / "mini.yaml").write_text(spec, encoding="utf-8")
    inputs = _csv_and_ods(tmp_path)
    result = CliRunner().invoke(cli, ["validate", *map(str, inputs), "--adapters",
                                      str(tmp_path / "adapters"), "--annotate",
                                      str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    copies = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert copies == ["mini (2).checked.xlsx", "mini.checked.xlsx"], copies
    found = {}
    for copy in copies:
        book = openpyxl.load_workbook(tmp_path / "out" / copy)
        data = book.worksheets[0]
        found[data["C2"].value if data["C3"].value is None else data["C3"].value] = data
        for row in book["Issues"].iter_rows(min_row=2):
            assert all(c.data_type != "f" for c in row)
    assert found["about 5k"]["C3"].fill.fgColor.rgb == ERROR_FILL
    assert found["about 5k"]["B3"].value == "=1+1" and found["about 5k"]["B3"].data_type == "s"
    assert found["lots"]["C2"].fill.fgColor.rgb == ERROR_FILL


def test_temporaries_are_removed_on_errors_and_sigterm_and_swept(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = folder / "checked"
    out.mkdir()
    stale = out / f".mini.checked.xlsx.abc.999999999{module.PART_SUFFIX}"  # a dead process
    stale.write_bytes(b"left by a kill")
    live = out / f".other.xlsx.abc.{os.getppid()}{module.PART_SUFFIX}"  # a running one
    live.write_bytes(b"still being written")
    issues = [make_issue("money-invalid", file="mini.xlsx", sheet="Spend", cell="C3", value="x")]

    def killed(*_: object, **__: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(module, "annotate_package", killed)
    with pytest.raises(SystemExit):
        module.annotate(folder / "mini.xlsx", issues, out)
    assert sorted(p.name for p in out.iterdir()) == [live.name]  # swept, and ours removed
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL

    def broken(*_: object, **__: object) -> None:
        raise module.AnnotateRefused("its workbook structure could not be read")

    monkeypatch.setattr(module, "annotate_package", broken)
    with pytest.raises(module.AnnotateRefused):
        module.annotate(folder / "mini.xlsx", issues, out)
    assert sorted(p.name for p in out.iterdir()) == [live.name]


def test_a_package_that_cannot_be_annotated_is_a_clear_issue(folder: Path) -> None:
    """A workbook whose structure is broken after validation read it: no copy, no traceback,
    an `annotate-refused` warning naming the file."""
    with zipfile.ZipFile(folder / "mini.xlsx") as src:
        parts = {n: src.read(n) for n in src.namelist()}
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = b"<Relationships><Rel"  # not well-formed
    with zipfile.ZipFile(folder / "mini.xlsx", "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    code, out = _validate(folder, "--annotate", str(folder / "checked"))
    assert code == 1 and "Traceback" not in out
    assert "annotate-refused" in out and "mini.xlsx" in out
    assert not (folder / "checked" / "mini.checked.xlsx").exists()


def test_a_folder_that_cannot_be_written_is_a_clear_issue(folder: Path) -> None:
    blocked = folder / "checked"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    code, out = _validate(folder, "--annotate", str(blocked / "inside"))
    assert code == 1 and "Traceback" not in out
    assert "annotate-refused" in out and "could not be written" in out

"""Template drift: a claimed file whose header changed gets one friendly `template-drift`
warning naming the sheet, the header row and each difference."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ingest.drift import find_drift, template_drift
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.specs.registry import bundled_dir, load_spec
from fundflow.ingest.specs.spec import AdapterSpec

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
CLAIM_SPEC = """\
id: test-claim
version: "1"
name: Test claim
funder: F-T
return_type: claim
match:
  file_name: "^claim_"
tables:
  - name: lines
    kind: finance
    sheet: Claim
    header: {row: 3}
    period_convention: UK_FY
    fields:
      stream_id: {const: S-T-1}
      period: {column: Quarter}
      category: {column: Cost heading}
      measure: {const: claim}
      amount: {column: Amount claimed £, parser: gbp_amount}
"""


def _claim(path: Path, headers: list[str]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claim"
    ws["A1"] = "Test claim form"
    for j, h in enumerate(headers):
        ws.cell(3, 1 + j, h)
        ws.cell(4, 1 + j, "Q1 2025/26" if h == "Quarter" else "100.00")
    wb.save(path)
    return path


def _spec(tmp_path: Path) -> AdapterSpec:
    folder = tmp_path / "adapters"
    folder.mkdir(exist_ok=True)
    (folder / "test-claim.yaml").write_text(CLAIM_SPEC, encoding="utf-8")
    spec = load_spec(folder / "test-claim.yaml")
    assert isinstance(spec, AdapterSpec)
    return spec


def test_renamed_column_is_reported_as_a_rename(tmp_path: Path) -> None:
    path = _claim(tmp_path / "claim_q1.xlsx", ["Quarter", "Cost heading", "Amount claimed (£)"])
    workbook, _ = read_workbook(path)
    assert workbook is not None
    issues = template_drift(_spec(tmp_path), workbook, path.name)
    assert [i.code for i in issues] == ["template-drift"]
    issue = issues[0]
    assert issue.severity.value == "warning" and issue.sheet == "Claim"
    assert "row 3" in issue.message
    assert "column 'Amount claimed £' is missing; 'Amount claimed (£)' is new: renamed?" \
        in issue.message


def test_missing_and_new_columns_without_a_likely_rename(tmp_path: Path) -> None:
    path = _claim(tmp_path / "claim_q1.xlsx", ["Quarter", "Amount claimed £", "Region"])
    workbook, _ = read_workbook(path)
    assert workbook is not None
    (drift,) = find_drift(_spec(tmp_path), workbook)
    assert drift.missing == ["Cost heading"] and drift.renamed == []
    assert drift.new == ["Region"]  # contract.unknown_columns is 'warning' by default
    assert "column 'Cost heading' is missing" in drift.describe()


def test_unchanged_template_has_no_drift(tmp_path: Path) -> None:
    path = _claim(tmp_path / "claim_q1.xlsx", ["Quarter", "Cost heading", "Amount claimed £"])
    workbook, _ = read_workbook(path)
    assert workbook is not None
    assert template_drift(_spec(tmp_path), workbook, path.name) == []


def test_bundled_adapter_layout_with_a_renamed_header(tmp_path: Path) -> None:
    """The Safer Streets return with 'Spend type' retitled 'Spend-type': one warning per
    quarter sheet, naming the header row; the untouched sample has none."""
    spec = load_spec(bundled_dir() / "dhs-quarterly-monitoring.yaml")
    assert isinstance(spec, AdapterSpec)
    original = SAMPLE / "returns/dhs/SSF6_Quarterly_Monitoring_2025-26_SSF6-03523.xlsx"
    workbook, _ = read_workbook(original)
    assert workbook is not None and template_drift(spec, workbook, original.name) == []
    changed = tmp_path / original.name
    shutil.copy(original, changed)
    wb = openpyxl.load_workbook(changed)
    for ws in wb.worksheets:
        if ws["B6"].value == "Spend type":
            ws["B6"] = "Spend-type"
    wb.save(changed)
    workbook, _ = read_workbook(changed)
    assert workbook is not None
    issues = template_drift(spec, workbook, changed.name)
    sheets = {i.sheet for i in issues}
    assert {"Q1 Apr-Jun 25", "Q4 Jan-Mar 26"} <= sheets
    assert all("row 6" in i.message and "'Spend-type' is new: renamed?" in i.message
               for i in issues)


def test_identify_shows_drift(tmp_path: Path) -> None:
    _spec(tmp_path)
    path = _claim(tmp_path / "claim_q1.xlsx", ["Quarter", "Cost heading", "Amount claimed (£)"])
    args = ["adapters", "identify", str(path), "--adapters", str(tmp_path / "adapters")]
    result = CliRunner().invoke(cli, args)
    assert "template-drift" in result.output and "renamed?" in result.output
    as_json = CliRunner().invoke(cli, [*args, "--json"])
    rows = json.loads(as_json.stdout)
    claimed = next(r for r in rows if r["adapter"] == "test-claim")
    assert [d["code"] for d in claimed["drift"]] == ["template-drift"]

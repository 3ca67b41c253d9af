"""`fundflow adapters suggest`: drafts load, find the layout and refuse to import placeholders.
How close drafts come to the hand-written adapters is measured in `test_suggest_loo.py`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import yaml
from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ingest.importer import expand_paths, prepare_file
from fundflow.ingest.specs.registry import Loaded, load_spec
from fundflow.ingest.specs.spec import AdapterSpec
from fundflow.ingest.suggest import suggest_spec
from fundflow.ingest.suggest.sources import canonical_fields

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
RETURNS = expand_paths([SAMPLE / "returns"])


def _wide_workbook(path: Path) -> Path:
    """A monitoring sheet: title block, £000s note, two-row merged header, totals, notes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Monitoring"
    ws["A1"] = "Widget Fund - quarterly monitoring"
    ws["A2"] = "All figures £000s"
    ws["A4"], ws["B4"] = "Budget heading", "Capital/Revenue"
    quarters = ["Q1 2025/26", "Q2 2025/26", "Q3 2025/26", "Q4 2025/26"]
    for j, q in enumerate(quarters):
        ws.cell(4, 3 + j, q)
        ws.cell(5, 3 + j, "Actual" if j < 2 else "Forecast")
    ws.cell(4, 7, "Total")
    lines = [("Staff", "Revenue", [10.5, 11, 12, 13]), ("Equipment", "Capital", [1, 2, 3, 4.2])]
    for i, (name, cr, values) in enumerate(lines):
        ws.cell(6 + i, 1, name)
        ws.cell(6 + i, 2, cr)
        for j, v in enumerate(values):
            ws.cell(6 + i, 3 + j, v)
        ws.cell(6 + i, 7, sum(values))
    ws["A8"] = "< Select >"
    ws["A9"] = "Total"
    for j in range(4):
        ws.cell(9, 3 + j, sum(line[2][j] for line in lines))
    ws["A11"] = "Notes: figures are unaudited."
    wb.save(path)
    return path


def _draft(path: Path) -> tuple[str, AdapterSpec]:
    result = suggest_spec(path)
    assert result.yaml is not None, result.issues
    spec = load_spec(_write(path.parent / "drafts", result.yaml))
    assert isinstance(spec, AdapterSpec), spec
    return result.yaml, spec


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / "draft.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def test_wide_draft_finds_header_periods_units_totals_and_notes(tmp_path: Path) -> None:
    text, spec = _draft(_wide_workbook(tmp_path / "widget_q2.xlsx"))
    table = spec.tables[0]
    assert table.sheet == "Monitoring"
    assert (table.header.row, table.header.rows) == (4, 2)
    assert table.shape == "wide" and table.wide is not None
    assert table.end.pattern is not None and re.search(table.end.pattern, "Notes: x")
    skipped = [s.pattern for s in table.skip]
    assert any(re.search(p, "Total", re.IGNORECASE) for p in skipped)
    assert any(re.search(p, "< Select >", re.IGNORECASE) for p in skipped)
    assert table.fields["amount"].options == {"unit": "£000s"}
    assert table.fields["category"].column == "Budget heading"
    assert table.fields["state"].header == "state"
    rx = re.compile(table.wide.pattern, re.IGNORECASE)
    assert rx.search("Q3 2025/26 > Forecast") and not rx.search("Total")
    assert "fundflow could not tell:" in text and "TODO" not in text


def test_placeholders_fail_validate_and_filled_draft_imports_money(tmp_path: Path) -> None:
    path = _wide_workbook(tmp_path / "widget_q2.xlsx")
    text, spec = _draft(path)
    _, result = prepare_file(path, [Loaded(spec, tmp_path / "draft.yaml")])
    assert result.status == "failed"
    codes = {(i.code, i.value) for i in result.issues}
    assert ("value-placeholder", "FILL-IN-STREAM-ID") in codes
    assert ("value-placeholder", "FILL-IN-FUNDER-ID") in codes
    filled = re.sub(r"stream_id: \{const: FILL-IN-STREAM-ID.*", 'stream_id: {const: "S-W-1"}',
                    text)
    filled = re.sub(r"funder_id: \{const: FILL-IN-FUNDER-ID.*", 'funder_id: {const: "F-W"}',
                    filled)
    spec2 = load_spec(_write(tmp_path / "filled", filled))
    assert isinstance(spec2, AdapterSpec)
    batch, result2 = prepare_file(path, [Loaded(spec2, tmp_path / "filled.yaml")])
    assert batch is not None, [i.message for i in result2.issues]
    assert result2.entries == 8
    assert str(result2.total) == "56700.00"  # £000s: 56.7 thousand


def test_long_csv_draft_maps_columns_by_name_and_content(tmp_path: Path) -> None:
    path = tmp_path / "ledger_export_2025-26.csv"
    path.write_text(
        "Stream ID,Posting date,Cost heading,Narrative,Value\n"
        "S-A-1,01/05/2025,Staff,May salaries,\"£1,200.50\"\n"
        "S-A-1,03/06/2025,Venue,Hall hire,£300.00\n"
        "S-A-1,09/07/2025,Staff,July salaries,(£20.00)\n"
        "Total,,,,\"£1,480.50\"\n", encoding="utf-8")
    text, spec = _draft(path)
    fields = spec.tables[0].fields
    assert fields["stream_id"].column == "Stream ID"
    assert fields["txn_date"].column == "Posting date"
    assert fields["category"].column == "Cost heading"
    assert fields["amount"].column == "Value" and fields["amount"].parser == "gbp_amount"
    # nothing names the measure: spend is assumed and said, the import is not held back
    assert fields["measure"].const == "spend" and "spend was assumed" in text
    assert set(re.findall(r"FILL-IN-[A-Z-]+", text)) == {"FILL-IN-FUNDER-ID"}


def test_file_without_figures_gives_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "words.csv"
    path.write_text("Name,Comment\nA,hello\nB,world\n", encoding="utf-8")
    result = suggest_spec(path)
    assert result.yaml is None and [i.code for i in result.issues] == ["suggest-no-table"]


def test_cli_json_equals_library_and_out_refuses_overwrite(tmp_path: Path) -> None:
    path = _wide_workbook(tmp_path / "widget_q2.xlsx")
    result = CliRunner().invoke(cli, ["adapters", "suggest", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["spec"] == yaml.safe_load(suggest_spec(path).yaml or "")
    out = tmp_path / "x.yaml"
    out.write_text("keep", encoding="utf-8")
    again = CliRunner().invoke(cli, ["adapters", "suggest", str(path), "--out", str(out)])
    assert again.exit_code != 0 and out.read_text(encoding="utf-8") == "keep"


def test_every_sample_draft_loads_and_names_only_fields_of_its_kind(tmp_path: Path) -> None:
    """Specs are strict about field names per table kind: a draft must use only those."""
    for path in [*RETURNS, *expand_paths([SAMPLE / "register"])]:
        result = suggest_spec(path)
        assert result.yaml is not None, path.name
        loaded = load_spec(_write(tmp_path, result.yaml))
        assert isinstance(loaded, AdapterSpec), (path.name, loaded)
        table = loaded.tables[0]
        if table.kind != "streams":
            assert set(table.fields) <= canonical_fields(table.kind), path.name

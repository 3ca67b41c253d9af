"""A table repeated in blocks ('Project 1: Market Hall', 'Project 2: ...'): when a block's
label gives no value for a field read from it (an unused project slot with money typed in it),
the issue names the label's cell and says so in a finance officer's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fundflow.ingest.importer import FileResult, prepare_file
from fundflow.ingest.specs.registry import Loaded, load_adapters
from fundflow.ingest.specs.spec import AdapterSpec

HEADINGS = ["Funding source", "Spend £"]


def _book(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Profiles"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _spec(project: dict[str, Any]) -> AdapterSpec:
    fields = {"stream_id": {"const": "S-1"}, "project": project,
              "category": {"column": "Funding source"}, "period": {"const": "2025/26"},
              "measure": {"const": "spend"}, "amount": {"column": "Spend £",
                                                        "parser": "gbp_amount"}}
    table = {"name": "projects", "kind": "finance", "sheet": "Profiles",
             "period_convention": "UK_FY", "blocks": {"anchor": r"^Project \d+:", "column": "A"},
             "header": {"anchor": "^Funding source$"}, "fields": fields}
    return AdapterSpec.model_validate({
        "id": "t", "version": "1", "name": "test", "funder": "F-T", "return_type": "finance",
        "match": {"sheets": ["Profiles"]}, "tables": [table]})


def _run(path: Path, spec: AdapterSpec) -> FileResult:
    _, result = prepare_file(path, [Loaded(spec, path.with_suffix(".yaml"))])
    return result


ROWS = [["Project 1: Market Hall"], HEADINGS, ["Towns Fund", 100], [None],
        ["Project 2:"], HEADINGS, ["Towns Fund", 250], ["Match", 50]]


def test_money_in_a_block_with_no_project_names_the_label_cell(tmp_path: Path) -> None:
    path = _book(tmp_path / "slots.xlsx", ROWS)
    result = _run(path, _spec({"block": r"^Project \d+: (.*)$"}))
    [issue] = [i for i in result.issues if i.severity.value == "error"]
    assert issue.code == "block-no-value"
    assert (issue.file, issue.sheet, issue.cell) == ("slots.xlsx", "Profiles", "A5")
    assert "Project 2:" in issue.message and "project" in issue.message
    assert "2 figures" in issue.message and "B7" in issue.message
    assert "{" not in issue.message + issue.hint
    assert "source is a block" not in issue.message


def test_blocks_that_name_their_project_import(tmp_path: Path) -> None:
    rows = [r if r != ["Project 2:"] else ["Project 2: Station Quarter"] for r in ROWS]
    result = _run(_book(tmp_path / "named.xlsx", rows), _spec({"block": r"^Project \d+: (.*)$"}))
    assert [i for i in result.issues if i.severity.value == "error"] == []
    assert result.entries == 3


REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "mhclg"


@pytest.mark.skipif(not REAL.is_dir(), reason="the shared corpus is absent")
def test_the_towns_fund_failure_file_names_the_empty_project_slot() -> None:
    """MHCLG's own failing example: money in project slot 6 of a five-project return (this
    was "found no value for 'stream_id' ... (its source is a block)", with no cell)."""
    adapters, _ = load_adapters(include_examples=True)
    _, result = prepare_file(REAL / "TF_Round_4_TD_Funding_Failure.xlsx", adapters)
    found = [i for i in result.issues if i.code == "block-no-value"]
    assert [(i.sheet, i.cell, i.value) for i in found] == [
        ("4a - Funding Profiles", "C173", "Project 6:")]
    assert "unused slot" in found[0].message and "field-no-value" not in {
        i.code for i in result.issues}

"""Typed totals and cross-record checks on small workbooks built beside the assertions.

A `totals` rule compares a template's Total (and Sub-total) rows with the sum of the lines read
and warns with both cells and the exact difference; total rows never become records. A `checks`
rule bounds a sum or a count of records (spend within allocation, something entered).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pydantic import ValidationError

from fundflow.ingest.importer import FileResult, prepare_file
from fundflow.ingest.specs.registry import Loaded
from fundflow.ingest.specs.spec import AdapterSpec

HEADINGS = ["Budget heading", "Budget £", "Actual £"]


def _book(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Money"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _spec(table: dict[str, Any], checks: list[dict[str, Any]] | None = None) -> AdapterSpec:
    fields = {
        "stream_id": {"const": "S-1"},
        "category": {"column": "Budget heading"},
        "period": {"const": "2025/26"},
        "measure": {"const": "spend"},
        "amount": {"column": "Actual £", "parser": "gbp_amount"},
    }
    base = {"name": "money", "kind": "finance", "sheet": "Money", "period_convention": "UK_FY",
            "header": {"row": 1}, "fields": fields}
    return AdapterSpec.model_validate({
        "id": "t", "version": "1", "name": "test", "funder": "F-T", "return_type": "finance",
        "match": {"sheets": ["Money"]}, "tables": [{**base, **table}], "checks": checks or []})


def _run(path: Path, spec: AdapterSpec) -> FileResult:
    _, result = prepare_file(path, [Loaded(spec, path.with_suffix(".yaml"))])
    return result


def _mismatches(result: FileResult) -> dict[str | None, str]:
    return {i.cell: i.message for i in result.issues if i.code == "total-mismatch"}


def test_long_total_that_adds_up_is_silent_and_not_a_record(tmp_path: Path) -> None:
    path = _book(tmp_path / "ok.xlsx", [HEADINGS, ["Staff", 100, 60.5], ["Rent", 50, 39.5],
                                        ["Total", 150, 100]])
    result = _run(path, _spec({"totals": {"column": "Budget heading", "pattern": "^total$"}}))
    assert result.status == "checked"
    assert not _mismatches(result)
    assert result.entries == 2 and result.total == Decimal("100.00")


def test_long_total_off_by_pennies_warns_with_both_cells(tmp_path: Path) -> None:
    path = _book(tmp_path / "off.xlsx", [HEADINGS, ["Staff", 100, 60.5], ["Rent", 50, 39.5],
                                         ["Total", 150, 99.97]])
    result = _run(path, _spec({"totals": {"column": "Budget heading", "pattern": "^total$"}}))
    assert result.status == "checked"  # a warning never blocks the import
    [issue] = [i for i in result.issues if i.code == "total-mismatch"]
    assert issue.severity.value == "warning"
    assert issue.cell == "C4" and issue.expected == "£100.00"
    assert "C2:C3" in issue.message and "-£0.03" in issue.message


def test_total_as_the_end_marker_is_checked(tmp_path: Path) -> None:
    path = _book(tmp_path / "end.xlsx", [HEADINGS, ["Staff", 100, 60], ["Rent", 50, 40],
                                         ["Total", 150, 102.5], [None], ["Notes", "x"]])
    spec = _spec({"end": {"pattern": "^Total$"},
                  "totals": [{"column": "Budget heading", "pattern": "^Total$"}]})
    assert "£2.50" in _mismatches(_run(path, spec))["C4"]


def test_wide_table_checks_every_unpivoted_column(tmp_path: Path) -> None:
    path = _book(tmp_path / "wide.xlsx", [HEADINGS, ["Staff", 100, 60], ["Rent", 50, 40],
                                          ["Total", 151, 100]])
    fields = {"stream_id": {"const": "S-1"}, "category": {"column": "Budget heading"},
              "period": {"const": "2025/26"},
              "measure": {"header": "m", "lookup": {"Budget": "budget", "Actual": "spend"}},
              "amount": {"header": "value", "parser": "gbp_amount"}}
    spec = _spec({"shape": "wide", "wide": {"pattern": r"^(?P<m>Budget|Actual) £$"},
                  "fields": fields, "totals": {"column": "Budget heading", "pattern": "^Total"}})
    result = _run(path, spec)
    found = _mismatches(result)
    assert set(found) == {"B4"}  # the Actual column adds up
    assert "B2:B3" in found["B4"] and "£1.00" in found["B4"]
    assert result.entries == 4


def test_sub_totals_cover_only_their_group(tmp_path: Path) -> None:
    rows = [HEADINGS, ["Staff", 0, 10], ["Staff", 0, 20], ["Sub-total Staff", 0, 30],
            ["Rent", 0, 5], ["Sub-total Rent", 0, 6], ["Grand total", 0, 35]]
    path = _book(tmp_path / "sub.xlsx", rows)
    spec = _spec({"totals": [{"column": "Budget heading", "pattern": "^Sub-total (.+)$"},
                             {"column": "Budget heading", "pattern": "^Grand total"}]})
    result = _run(path, spec)
    assert set(_mismatches(result)) == {"C6"}  # Rent's sub-total is £1 over; the rest add up
    assert result.entries == 3


def _allocation_spec(at_most: dict[str, Any], **extra: Any) -> AdapterSpec:
    check = {"name": "Spend within the allocation", "table": "money", "sum_of": "amount",
             "at_most": at_most, **extra}
    return _spec({}, [check])


def test_sum_over_allocation_in_a_cell_is_an_error_at_the_lines(tmp_path: Path) -> None:
    rows = [HEADINGS, ["Staff", 100, 600], ["Rent", 50, 400.01], [None], ["Allocation", 1000]]
    path = _book(tmp_path / "alloc.xlsx", rows)
    result = _run(path, _allocation_spec({"cell": {"ref": "B5", "sheet": "Money"}}))
    [issue] = [i for i in result.issues if i.code == "check-over-limit"]
    assert result.status == "failed"
    assert (issue.sheet, issue.cell) == ("Money", "C2:C3")
    assert issue.value == "£1,000.01" and issue.expected == "£1,000.00"
    assert "£0.01" in issue.message


def test_sum_within_allocation_and_unlisted_groups_are_silent(tmp_path: Path) -> None:
    path = _book(tmp_path / "fine.xlsx", [HEADINGS, ["Staff", 100, 600], ["Rent", 50, 400]])
    assert _run(path, _allocation_spec({"value": 1000})).status == "checked"
    grouped = _allocation_spec({"values": {"Staff": 500}}, group_by=["category"])
    [issue] = [i for i in _run(path, grouped).issues if i.code == "check-over-limit"]
    assert issue.cell == "C2" and "for Staff" in issue.message  # Rent has no bound


def test_count_at_least_one_and_a_condition(tmp_path: Path) -> None:
    path = _book(tmp_path / "empty.xlsx", [HEADINGS])
    check = {"name": "Something entered", "table": "money", "at_least": {"value": 1}}
    result = _run(path, _spec({"optional": True}, [check]))
    assert [i.code for i in result.issues if i.severity.value == "error"] == [
        "check-under-limit"]
    skipped = {**check, "when": {"context": "period", "pattern": "^never$"}}
    assert _run(path, _spec({"optional": True}, [skipped])).status == "checked"


def test_check_spec_mistakes_are_refused() -> None:
    with pytest.raises(ValidationError, match="at_most"):
        _spec({}, [{"name": "x", "table": "money"}])
    with pytest.raises(ValidationError, match="unknown table"):
        _spec({}, [{"name": "x", "table": "nope", "at_least": {"value": 1}}])
    with pytest.raises(ValidationError, match="unknown issue code"):
        _spec({}, [{"name": "x", "table": "money", "at_least": {"value": 1}, "code": "nope"}])


def _wide_spec(totals: list[dict[str, Any]]) -> AdapterSpec:
    """Two period columns (Q1, Q2) and a 'Year' column the table does not read."""
    fields = {"stream_id": {"const": "S-1"}, "category": {"column": "Heading"},
              "period": {"template": "2025/26 {q}"},
              "measure": {"column": "Heading", "extract": "(match)", "lookup": {"match": "match"},
                          "default": "spend"},
              "amount": {"header": "value", "parser": "gbp_amount"}}
    return _spec({"shape": "wide", "wide": {"pattern": r"^(?P<q>Q[12])$"}, "fields": fields,
                  "totals": totals})


WIDE_ROWS = [["Heading", "Q1", "Q2", "Year"], ["Staff", 10, 20, 30], ["Rent", 1, 2, 3],
             ["Total spend", 11, 22, 35], ["Grant match", 5, 5, 10], ["Total match", 5, 5, 10]]


def test_where_limits_a_total_to_its_own_lines(tmp_path: Path) -> None:
    """'Total spend' adds up Staff and Rent only; 'Total match' only the match line."""
    path = _book(tmp_path / "where.xlsx", WIDE_ROWS)
    spend = {"column": "Heading", "pattern": "^Total spend", "where": {"measure": "spend"}}
    match = {"column": "Heading", "pattern": "^Total match", "where": {"measure": "match"}}
    assert not _mismatches(_run(path, _wide_spec([spend, match])))
    unfiltered = {"column": "Heading", "pattern": "^Total match"}
    assert set(_mismatches(_run(path, _wide_spec([spend, unfiltered])))) == {"B6", "C6"}


def test_grand_total_column_is_compared_once_with_every_line(tmp_path: Path) -> None:
    """The row's 'Year' total (35) against all its lines' figures (33): one warning, at D4,
    naming the lines' rectangle; the period columns add up and are not compared again."""
    path = _book(tmp_path / "grand.xlsx", WIDE_ROWS)
    rule = {"column": "Heading", "pattern": "^Total spend", "where": {"measure": "spend"},
            "grand_total": "Year"}
    [issue] = [i for i in _run(path, _wide_spec([rule])).issues if i.code == "total-mismatch"]
    assert issue.cell == "D4" and issue.value == "35" and issue.expected == "£33.00"
    assert "B2:C3" in issue.message and "£2.00" in issue.message


def test_check_reported_at_the_total_cell_names_its_lines(tmp_path: Path) -> None:
    rows = [HEADINGS, ["Staff", 100, 600], ["Rent", 50, 400.01], ["Total spend", 150, 1000.01]]
    path = _book(tmp_path / "shown.xlsx", rows)
    skip = {"skip": [{"column": "Budget heading", "pattern": "^Total"}]}

    def check(pattern: str) -> dict[str, Any]:
        return {"name": "Spend within the allocation", "table": "money", "sum_of": "amount",
                "at_most": {"value": 1000},
                "shown_at": {"column": "C", "label_column": "A", "pattern": pattern}}

    [issue] = [i for i in _run(path, _spec(skip, [check("^Total spend$")])).issues
               if i.code == "check-over-limit"]
    assert issue.cell == "C4" and "in C2:C3" in issue.message
    [issue] = [i for i in _run(path, _spec(skip, [check("^No such row$")])).issues
               if i.code == "check-over-limit"]
    assert issue.cell == "C2:C3"  # no total row found: the lines, as without `shown_at`


def test_at_least_one_names_the_column(tmp_path: Path) -> None:
    path = _book(tmp_path / "none.xlsx", [HEADINGS])
    check = {"name": "Something entered", "table": "money", "at_least": {"value": 1},
             "shown_at": {"column": "C"}}
    [issue] = [i for i in _run(path, _spec({"optional": True}, [check])).issues
               if i.code == "check-under-limit"]
    assert (issue.code, issue.sheet, issue.cell) == ("check-under-limit", "Money", "C")
    assert "the number of entries comes to 0" in issue.message


def test_shown_at_needs_both_label_column_and_pattern() -> None:
    with pytest.raises(ValidationError, match="label_column"):
        _spec({}, [{"name": "x", "table": "money", "at_least": {"value": 1},
                    "shown_at": {"column": "C", "pattern": "^Total"}}])

"""`suggest` on the layouts an officer meets: each draft below is made from an inline workbook,
filled in only where the banner asks (stream and funder), and imported; the money must come
back to the penny."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.ingest.importer import FileResult, build_batch
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.specs.identify import judge
from fundflow.ingest.specs.spec import AdapterSpec
from fundflow.ingest.suggest import suggest_spec
from fundflow.ingest.suggest.draft import FILL_IN_BANNER


def _filled(path: Path) -> tuple[str, AdapterSpec]:
    """The draft's text, and its spec with the stream and funder filled in as an officer would."""
    text = suggest_spec(path).yaml
    assert text is not None
    data: dict[str, Any] = yaml.safe_load(text)
    fields = data["tables"][0]["fields"]
    for name, value in (("stream_id", "S-X-25"), ("funder_id", "F-X")):
        if str(fields.get(name, {}).get("const", "")).startswith("FILL-IN-"):
            fields[name] = {"const": value}
    return text, AdapterSpec.model_validate(data)


def _import(path: Path, spec: AdapterSpec) -> FileResult:
    workbook, _ = read_workbook(path)
    assert workbook is not None
    result = FileResult(path, "checked")
    build_batch(path, workbook, spec, result, keep=False)
    errors = [i.message for i in result.issues if i.severity.value == "error"]
    assert not errors, errors
    return result


def _save(rows: list[list[Any]], path: Path, title: str = "Return",
          cover: list[list[Any]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if cover is not None:
        ws.title = "Cover"
        for row in cover:
            ws.append(row)
        ws = wb.create_sheet(title)
    else:
        ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_only_stream_and_funder_are_asked_for_in_one_marked_place(tmp_path: Path) -> None:
    path = _save([["Spend return"], [], ["Cost heading", "Spend this quarter £"],
                  ["Staff", 100.5], ["Venue", 20], ["Total", 120.5]],
                 tmp_path / "Acme Fund Q1 2025-26.xlsx")
    text, spec = _filled(path)
    assert set(re.findall(r"FILL-IN-[A-Z-]+", text)) == {"FILL-IN-STREAM-ID",
                                                         "FILL-IN-FUNDER-ID"}
    banner = text.index(FILL_IN_BANNER.split(".")[0])
    assert banner < text.index("FILL-IN-STREAM-ID") < text.index("FILL-IN-FUNDER-ID")
    assert text.index("FILL-IN-FUNDER-ID") < text.index("category:")  # together, at the top
    assert str(_import(path, spec).total) == "120.50"


def test_draft_claims_its_file_and_a_renamed_copy(tmp_path: Path) -> None:
    path = _save([["Cost heading", "Spend this quarter £"], ["Staff", 5], ["Venue", 7]],
                 tmp_path / "Acme_Q1_2025-26.xlsx")
    _, spec = _filled(path)
    workbook, _ = read_workbook(path)
    assert workbook is not None
    for name in (path, tmp_path / "acme return FINAL (2).xlsx"):
        passed, total, failures = judge(spec, name, workbook)
        assert passed == total, failures


def test_period_on_a_cover_sheet_and_money_columns_as_measures(tmp_path: Path) -> None:
    cover = [["Grant reference", "G-1"], ["Reporting period", "Q3 2025-26"]]
    rows = [["Budget heading", "Budget this quarter £", "Actual spend this quarter £",
             "Variance £", "Cumulative to date £"],
            ["Staff", 1000, 900.25, -99.75, 2700], ["Equipment", 500, 510, 10, 1500],
            ["Total", 1500, 1410.25, -89.75, 4200]]
    path = _save(rows, tmp_path / "report.xlsx", title="Money", cover=cover)
    _, spec = _filled(path)
    table = spec.tables[0]
    assert table.sheet == "Money" and table.wide is not None
    rx = re.compile(table.wide.pattern)
    assert [h for h in rows[0] if rx.search(h)] == rows[0][1:3]  # variance and cumulative out
    assert table.fields["period"].cell is not None and table.fields["period"].cell.sheet == "Cover"
    result = _import(path, spec)
    assert result.total == Decimal("1500") + Decimal("1410.25") and result.entries == 4


def test_money_in_parts_and_start_end_date_columns(tmp_path: Path) -> None:
    rows = [["Fortnight", "Start date", "End date", "Spend - ICB share £", "Spend - LA share £"],
            ["FN1", datetime(2025, 4, 1), datetime(2025, 4, 14), 30.5, 20],
            ["FN2", datetime(2025, 4, 15), datetime(2025, 4, 28), 31, 21.25]]
    path = _save(rows, tmp_path / "discharge.xlsx")
    _, spec = _filled(path)
    fields = spec.tables[0].fields
    assert fields["period_start"].column == "Start date" and "period" not in fields
    assert fields["description"].header == "column"
    assert str(_import(path, spec).total) == "102.75"


def test_month_headers_that_are_dates_are_unpivoted(tmp_path: Path) -> None:
    months = [datetime(2025, m, 1) for m in (4, 5, 6)]
    rows = [["Spend line", *months, "Total"], ["Staff", 10, 11, 12.5, 33.5],
            ["Rent", 1, 2, 3, 6]]
    path = _save(rows, tmp_path / "monthly.xlsx")
    _, spec = _filled(path)
    table = spec.tables[0]
    assert table.shape == "wide" and table.wide is not None
    assert not re.search(table.wide.pattern, "Total")
    result = _import(path, spec)
    assert str(result.total) == "39.50" and result.entries == 6


def test_a_register_of_streams_is_drafted_as_one(tmp_path: Path) -> None:
    rows = [["Stream ID", "Funder ID", "Stream name", "Award £", "Start date", "End date",
             "Ring fence type"],
            ["S-A-25", "F-A", "Alpha", 1000, datetime(2025, 4, 1), datetime(2026, 3, 31),
             "unringfenced"]]
    path = _save(rows, tmp_path / "register.xlsx")
    text = suggest_spec(path).yaml or ""
    spec = AdapterSpec.model_validate(yaml.safe_load(text))
    assert spec.tables[0].kind == "streams" and spec.return_type == "register"
    assert "FILL-IN" not in text  # the register names its streams and funders


_LABEL = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ",
                 min_size=3, max_size=12).map(str.strip).filter(lambda t: len(t) >= 3)
_PENCE = st.integers(min_value=-10_000_00, max_value=10_000_000_00)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.tuples(st.sampled_from(["Staff", "Venue", "Travel", "Kit"]), _LABEL,
                                _PENCE), min_size=3, max_size=12))
def test_a_drafted_ledger_csv_imports_every_penny(tmp_path: Path,
                                                  lines: list[tuple[str, str, int]]) -> None:
    """Whatever the lines, a plain spend export drafts to a spec that imports their sum."""
    body = "".join(f"{heading},{text.replace(',', ' ')},\"£{Decimal(p).scaleb(-2):,.2f}\"\n"
                   for heading, text, p in lines)
    path = tmp_path / "spend_export_Q2_2025-26.csv"
    path.write_text("Cost heading,Narrative,Amount £\n" + body, encoding="utf-8")
    _, spec = _filled(path)
    result = _import(path, spec)
    assert result.total == sum(Decimal(p) for _, _, p in lines).scaleb(-2)


def test_a_table_repeated_per_project_is_read_block_by_block(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["Capital programme return (£)"], []]
    for n, (name, spend) in enumerate([("Market Hall", [10, 20.5]), ("Station", [1, 2])], 1):
        rows += [[f"Project {n}: {name}"], [], ["Funding source", "Q1 2025/26", "Q2 2025/26"],
                 ["Grant CDEL", *spend], ["Total", sum(spend), None], [], [], []]
    path = _save(rows, tmp_path / "capital.xlsx")
    _, spec = _filled(path)
    table = spec.tables[0]
    assert table.blocks is not None and re.match(table.blocks.anchor, "Project 7: Pier")
    assert table.header.anchor == "^Funding source$" and table.fields["project"].block
    result = _import(path, spec)
    assert str(result.total) == "33.50" and result.entries == 4


def test_a_total_row_in_the_first_column_is_left_out(tmp_path: Path) -> None:
    """'Total' under 'Scheme ID' (column A, left of the names) is a sum, not a line."""
    rows = [["Scheme ID", "Scheme Name", "Spend this quarter £"], ["1", "Navigators", 100],
            ["1a", "Beds", 50.5], ["Total", None, 150.5]]
    path = _save(rows, tmp_path / "schemes 2025-26.xlsx")
    _, spec = _filled(path)
    assert [s.column for s in spec.tables[0].skip] == ["Scheme ID"]
    assert str(_import(path, spec).total) == "150.50"


def test_a_period_label_and_value_in_one_cell(tmp_path: Path) -> None:
    rows = [["Acme Fund return"], ["Reporting period: Q2 2025-26"], [],
            ["Cost heading", "Spend £"], ["Staff", 10.5], ["Rent", 3]]
    path = _save(rows, tmp_path / "acme.xlsx")
    _, spec = _filled(path)
    period = spec.tables[0].fields["period"]
    assert period.cell is not None and period.extract is not None
    workbook, _ = read_workbook(path)
    assert workbook is not None
    result = FileResult(path, "checked")
    batch = build_batch(path, workbook, spec, result)
    frame = batch.finance.frame()
    assert frame is not None and set(frame.get_column("period_label")) == {"Q2 2025-26"}
    assert str(result.total) == "13.50"

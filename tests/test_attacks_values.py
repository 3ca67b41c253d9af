"""Attack catalogue, values: validate and import agree, impossible values are issues, every
reader keeps the limits. See docs/security.md."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import polars as pl
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from fundflow.cli import cli
from fundflow.ingest.parsers import parse_scalar
from fundflow.ingest.readers import Limits, read_workbook
from fundflow.ingest.readers.delimited import IN_PROCESS_BYTES
from fundflow.ingest.spool import Spool
from fundflow.ledger.store import open_ledger
from fundflow.money import MAX_PENCE
from tests.hostile import ods_file

HEADER = "Stream ID,Period,Category,Cap/Rev,Measure,State,Amount,Note"


def _csv(folder: Path, rows: list[str]) -> Path:
    path = folder / "synthetic_long_values.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _issues(*args: str) -> tuple[int, list[dict[str, str]]]:
    result = CliRunner().invoke(cli, [*args, "--json"])
    return result.exit_code, json.loads(result.stdout)[0]["issues"]


def test_a_total_the_ledger_cannot_hold_is_refused_alike_by_validate_and_import(
        tmp_path: Path) -> None:
    path = _csv(tmp_path, ["S-1,2025-26 Q1,Staff,revenue,spend,actual,6000000000000000.00,",
                           "S-1,2025-26 Q1,Staff,revenue,spend,actual,7000000000000000.00,"])
    ledger = tmp_path / "l.duckdb"
    code_v, checked = _issues("validate", str(path))
    code_i, imported = _issues("import", str(path), "--ledger", str(ledger))
    assert code_v == code_i == 1
    assert checked == imported
    assert [(i["code"], i["cell"]) for i in checked] == [("money-total-too-large", "G3")]
    with open_ledger(ledger, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone() == (0,)


@given(st.lists(st.integers(min_value=MAX_PENCE // 2, max_value=MAX_PENCE), min_size=1,
                max_size=30))
def test_the_spool_total_is_exact_however_large(amounts: list[int]) -> None:
    spool = Spool(sums=("p",), keep=False)
    spool.append(pl.DataFrame({"p": amounts}, schema={"p": pl.Int64}))
    assert spool.total("p") == sum(amounts)


@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
def test_a_time_of_day_is_accepted_only_when_it_exists(h: int, m: int, s: int) -> None:
    text = f"2025-04-01 {h:02d}:{m:02d}:{s:02d}"
    value, reason = parse_scalar("any_date", text)
    if h <= 23 and m <= 59 and s <= 59:
        assert reason is None and value is not None
    else:
        assert value is None and reason == "date-time-invalid"


def test_excel_phantom_day_as_the_reader_gives_it_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(HEADER.split(","))
    sheet.append(["S-1", "2025-26 Q1", "Staff", "revenue", "spend", "actual", 1, None])
    sheet["H2"] = 60
    sheet["H2"].number_format = "dd/mm/yyyy"
    path = tmp_path / "synthetic_long_phantom.xlsx"
    book.save(path)
    workbook, _ = read_workbook(path)
    assert workbook is not None
    text = workbook.sheets[0].cells.item(1, 7)
    assert parse_scalar("iso_date", text) == (None, "date-phantom-1900")
    assert parse_scalar("any_date", "2025-04-01 25:00:00") == (None, "date-time-invalid")


def test_max_string_chars_holds_for_csv(tmp_path: Path) -> None:
    path = _csv(tmp_path, [f"S-1,2025-26 Q1,Staff,revenue,spend,actual,1.00,{'x' * 5000}"])
    code, issues = _issues("validate", str(path), "--max-string-chars", "100")
    assert code == 1
    assert [(i["code"], i["cell"]) for i in issues] == [("limit-exceeded", "H2")]
    assert "--max-string-chars" in issues[0]["hint"]
    code, _ = _issues("validate", str(path), "--max-string-chars", "6000")
    assert code == 0


def test_max_string_chars_holds_for_ods(tmp_path: Path) -> None:
    body = ('<table:table table:name="Data"><table:table-row>'
            '<table:table-cell office:value-type="string"><text:p>'
            + "y" * 5000 + "</text:p></table:table-cell></table:table-row></table:table>")
    path = ods_file(tmp_path / "long.ods", body)
    book, issues = read_workbook(path, Limits(max_string_chars=100))
    assert book is None
    assert [i.code for i in issues] == ["limit-exceeded"]
    assert "--max-string-chars" in (issues[0].hint or "")
    book, _ = read_workbook(path, Limits(max_string_chars=6000))
    assert book is not None


def _big_csv(folder: Path) -> Path:
    """A valid CSV of about 2 MB: past the size parsed in-process, so the sandbox reads it."""
    rows = [f"S-1,2025-26 Q1,Line {n},revenue,spend,actual,1.00,{'n' * 20}" for n in range(40_000)]
    path = _csv(folder, rows)
    assert path.stat().st_size > IN_PROCESS_BYTES
    return path


def test_a_csv_parse_obeys_the_parse_timeout_and_changes_nothing(tmp_path: Path) -> None:
    path, ledger = _big_csv(tmp_path), tmp_path / "l.duckdb"
    code, issues = _issues("import", str(path), "--ledger", str(ledger),
                           "--parse-timeout", "0.001")
    assert code == 1
    assert [(i["code"], i["file"]) for i in issues] == [("parse-timeout", path.name)]
    assert "0.001 seconds" in issues[0]["message"] and "--parse-timeout" in issues[0]["hint"]
    with open_ledger(ledger, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone() == (0,)
    code, _ = _issues("validate", str(path))  # the same file within the limit is read
    assert code == 0


def test_a_csv_parse_obeys_the_parser_memory_limit(tmp_path: Path) -> None:
    code, issues = _issues("validate", str(_big_csv(tmp_path)), "--parse-memory-mb", "32")
    assert code == 1
    assert [i["code"] for i in issues] == ["parser-crashed"]
    assert "--parse-memory-mb" in issues[0]["hint"]


def test_a_csv_line_wider_than_the_limit_is_refused_by_the_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("," * 3_000 + "\n1\n", encoding="utf-8")  # small, but 3,001 columns
    book, issues = read_workbook(path, Limits(max_columns=1_000))
    assert book is None
    assert [i.code for i in issues] == ["sheet-too-large"]
    assert "3,001 columns" in issues[0].message and "--max-columns" in (issues[0].hint or "")

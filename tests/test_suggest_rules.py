"""General rules of `suggest` drawn from real published files (leave-one-out: DATA Act,
Mexico's Avance Financiero, LESF, ICP, Towns Fund), each tested on a small made-up file so
that it holds for any layout, not for the file it came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import yaml

from fundflow.ingest.suggest import suggest_spec


def _fields(path: Path) -> dict[str, Any]:
    result = suggest_spec(path)
    assert result.yaml is not None, result.issues
    table: dict[str, Any] = yaml.safe_load(result.yaml)["tables"][0]
    return table


def _xlsx(path: Path, rows: list[list[Any]], title: str = "Data") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_run_together_headers_unpivot_one_column_per_measure(tmp_path: Path) -> None:
    """Machine headers name their measure inside a word; of several budget lines the one
    that reads most like the figure is taken, totals and balances are left out."""
    path = tmp_path / "balances.csv"
    head = ("account,budgetauthorityappropriatedamount_cpe,budgetauthorityadjustmentstotal_cpe,"
            "obligationsincurredtotalbytas_cpe,unobligatedbalance_cpe,grossoutlayamountbytas_cpe")
    rows = [f"A-{n},{n}.01,{n}.02,{n}.03,{n}.04,{n}.05" for n in range(1, 6)]
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    table = _fields(path)
    assert table["shape"] == "wide"
    measure = table["fields"]["measure"]
    assert measure["lookup"] == {"budgetauthorityappropriatedamount_cpe": "budget",
                                 "obligationsincurredtotalbytas_cpe": "committed",
                                 "grossoutlayamountbytas_cpe": "spend"}
    assert table["fields"]["category"] == {"header": "column", "required": False}


def test_spanish_stages_of_public_money_are_measures(tmp_path: Path) -> None:
    rows = [["Programa", "Partida", "Dependencia Ejecutora", "Aprobado", "Modificado",
             "Comprometido", "Ejercido", "Pagado"]]
    rows += [[f"P{n}", f"61{n} - OBRA", "SECRETARÍA", n * 100 + 0.25, n * 100 + 0.35,
              n * 90 + 0.45, n * 80 + 0.55, n * 70 + 0.65] for n in range(1, 6)]
    table = _fields(_xlsx(tmp_path / "avance.xlsx", rows))
    assert table["fields"]["measure"]["lookup"] == {"Aprobado": "budget",
                                                    "Comprometido": "committed",
                                                    "Pagado": "spend"}
    assert table["fields"]["category"]["column"] == "Partida"
    assert table["fields"]["description"]["column"] == "Dependencia Ejecutora"


def test_the_defrayed_date_wins_even_when_dates_are_serial_numbers(tmp_path: Path) -> None:
    """Date cells that lost their format read as Excel day numbers ('45863'); under a
    header naming a date they are dates, and the day money left beats the invoice date."""
    path = tmp_path / "transactions.csv"
    rows = [f"Supplier {n},4586{n},4587{n},{n}00.50" for n in range(1, 6)]
    path.write_text("\n".join(["Supplier,Invoice date,Date defrayed,Amount £", *rows]) + "\n",
                    encoding="utf-8")
    fields = _fields(path)["fields"]
    assert fields["txn_date"]["column"] == "Date defrayed"


def test_flags_and_codes_are_no_category(tmp_path: Path) -> None:
    path = tmp_path / "flags.csv"
    rows = [f"S-{n},Y,{n}00.50" for n in range(1, 8)]
    path.write_text("\n".join(["Scheme,Audited (Y/N),Amount £", *rows]) + "\n", encoding="utf-8")
    fields = _fields(path)["fields"]
    assert fields.get("category", {}).get("column") != "Audited (Y/N)"


def test_units_named_inside_indicator_labels_are_extracted(tmp_path: Path) -> None:
    rows = [["Metric", "Q1 2025/26", "Q2 2025/26"],
            ["Admissions per 100,000 population", 190, 188],
            ["Discharged home (%)", 92.5, 92.6], ["Falls per 100,000 population", 12, 11]]
    fields = _fields(_xlsx(tmp_path / "metrics.xlsx", rows))["fields"]
    assert fields["unit"]["column"] == "Metric"
    assert set(fields["unit"]["extract"].split("|")) == {"(%)", "(per 100,000)"}


def test_a_header_split_by_a_spacer_row_is_read_whole(tmp_path: Path) -> None:
    """'Indicator | Unit | Year' labels above a blank row, halves and Actual below it."""
    rows: list[list[Any]] = [["Outputs"], [],
                             ["Indicator", "Unit", "Financial Year 2024/25", None, None],
                             [],
                             [None, None, "H1 (Apr-Sep)", "H2 (Oct-Mar)", "TOTAL"],
                             [None, None, "Actual", "Actual", None]]
    rows += [[f"Jobs created {n}", "Number", n, n + 1, 2 * n + 1] for n in range(1, 5)]
    table = _fields(_xlsx(tmp_path / "outputs.xlsx", rows))
    assert table["header"] == {"row": 3, "rows": 4}
    assert table["fields"]["indicator"] == {"column": "Indicator"}
    assert "TOTAL" not in table["wide"]["pattern"]

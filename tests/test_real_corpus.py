"""Real published files through the example adapters, totals checked against an independent read.

Each file is imported through `adapters/examples/` into a fresh ledger, and the ledger's total
per measure must equal, to the penny, what openpyxl or the csv module finds in the file by
rules written here from the template's own layout, not through fundflow's readers. The corpus
lives in `/work/shared` (read-only); these tests skip when it is absent.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from fundflow.ingest.importer import FileResult, import_files, prepare_file
from fundflow.ingest.specs.registry import Loaded, load_adapters

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL = SHARED / "corpus" / "real"
EXAMPLES = Path(__file__).resolve().parents[1] / "adapters" / "examples"
CENT = Decimal("0.01")

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="the shared corpus is absent")

Totals = dict[str, Decimal]
Importer = Callable[[Path], tuple[Path, FileResult]]


@pytest.fixture(scope="module")
def adapters() -> list[Loaded]:
    loaded, issues = load_adapters((EXAMPLES,))
    assert not issues, issues
    return loaded


@pytest.fixture(scope="module")
def imported(
    adapters: list[Loaded], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Path], tuple[Path, FileResult]]:
    """Import a file once per module into its own ledger; later calls reuse the result."""
    done: dict[Path, tuple[Path, FileResult]] = {}

    def run(path: Path) -> tuple[Path, FileResult]:
        if path not in done:
            ledger = tmp_path_factory.mktemp("ledger") / "ledger.duckdb"
            [result] = import_files([path], ledger, adapters)
            errors = [i for i in result.issues if i.severity.value == "error"]
            assert result.status == "added", errors[:5]
            done[path] = (ledger, result)
        return done[path]

    return run


def _ledger_totals(ledger: Path, table: str = "finance_entry", key: str = "measure",
                   amount: str = "amount_gbp") -> Totals:
    con = duckdb.connect(str(ledger), read_only=True)
    try:
        rows = con.sql(f"SELECT {key}, sum({amount}) FROM {table} GROUP BY 1").fetchall()
    finally:
        con.close()
    return {k: Decimal(v).quantize(CENT) for k, v in rows}


def _money(value: object) -> Decimal | None:
    """A number cell (floats via their shortest repr) or a plain number stored as text, as an
    exact Decimal; anything else None."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*", value):
        return Decimal(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(str(value))


def _add(totals: defaultdict[str, Decimal], key: str, value: object) -> None:
    amount = _money(value)
    if amount is not None:
        totals[key] += amount


def _quantised(totals: defaultdict[str, Decimal]) -> Totals:
    return {k: v.quantize(CENT) for k, v in totals.items()}


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


# --- independent reads -------------------------------------------------------------------------
def _sheet_rows(path: Path, name: str | None = None) -> list[tuple[Any, ...]]:
    """Every row of a sheet (the first when no name), padded to the same width."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book[name] if name else book.worksheets[0]
        sheet.reset_dimensions()  # read-only mode trusts the file's stated size otherwise
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    return [tuple(r) + (None,) * (width - len(r)) for r in rows]


def _tf_value_columns(rows: list[tuple[Any, ...]], header: int, state_offset: int) -> list[int]:
    """Columns holding one period's figure: Actual/Forecast under a year, or Before/Beyond."""
    top, states = rows[header], rows[header + state_offset]
    cols = [j for j, v in enumerate(states) if _text(v) in ("Actual", "Forecast")]
    cols += [j for j, v in enumerate(top) if _text(v).startswith(("Before", "Beyond"))]
    return cols


def _towns_fund_finance(path: Path) -> Totals:
    rows = _sheet_rows(path, "4a - Funding Profiles")
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    c = 2  # column C holds the row labels
    for h, row in enumerate(rows):
        label = _text(row[c])
        if "TD Programme Management" in label or label.startswith("Note: this table"):
            kind = "towns-fund"
        elif label.startswith("Other Funding Sources"):
            kind = "other"
        else:
            continue
        cols = _tf_value_columns(rows, h, 2)
        for data in rows[h + 3:]:
            text = _text(data[c])
            if text.startswith(("Other Funding Sources", "TOTALS", "Comments", "SECTION")) or (
                    kind == "towns-fund" and text == "Total" and "Programme" in label):
                break
            if text.startswith(("Total", "Grand Total")):
                continue
            measure = ("match" if kind == "other" else
                       "committed" if "contractually committed" in text else "spend")
            for j in cols:
                _add(totals, measure, data[j])
    return _quantised(totals)


def _towns_fund_outputs(path: Path) -> Totals:
    rows = _sheet_rows(path, "5 - Project Outputs")
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    c = 2
    for h, row in enumerate(rows):
        if _text(row[c]) != "Indicator Name":
            continue
        states = rows[h + 3]
        cols = {j: _text(v).lower() for j, v in enumerate(states)
                if _text(v) in ("Actual", "Forecast")}
        cols |= {j: "forecast" for j, v in enumerate(row) if _text(v).startswith("Beyond")}
        for data in rows[h + 4:]:
            text = _text(data[c])
            if (text.startswith("Project ") and ":" in text) or text == "END":
                break
            if text in ("", "< Select >", "Mandatory") or text.startswith("Project-Specific"):
                continue
            for j, state in cols.items():
                _add(totals, state, data[j])
    return _quantised(totals)


def _pathfinders(path: Path) -> Totals:
    rows = _sheet_rows(path, "Finances")
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    b = 1
    for h, row in enumerate(rows):
        tag = _text(row[b])
        if not (tag.startswith("PF-USER_FORECAST-AND-ACTUAL-SPEND") and tag.endswith("START")):
            continue
        cols = [j for j, v in enumerate(rows[h + 3]) if _text(v) in ("Actual", "Forecast")]
        for data in rows[h + 4:]:
            if any(_text(v).startswith("PF-USER_") for v in data):
                break
            label = _text(data[b])
            if label.startswith("Total"):
                continue
            measure = "match" if "match" in label.lower() else "spend"
            for j in cols:
                _add(totals, measure, data[j])
    return _quantised(totals)


IndicatorTotals = dict[tuple[str, str], tuple[int, Decimal]]
MICRO = Decimal("0.000001")


def _pathfinders_indicators(path: Path) -> IndicatorTotals:
    """(indicator, value_type) -> (cells, sum) over the Outputs and Outcomes tables.

    Every table starts at a PF-USER_...-START tag in column B, has three header rows (year or
    "April 20xx and after", quarter, Actual/Forecast) and ends at the row holding its -END tag.
    A figure is a cell under Actual or Forecast, or under "... and after" (a forecast); the
    year "Total" and "Grand total" columns are sums, and each row's figures must add up to its
    Grand total (so none is a to-date figure). The indicator is "<theme>: <output>".
    """
    found: defaultdict[tuple[str, str], list[Decimal]] = defaultdict(list)
    b = 1
    for sheet in ("Outputs", "Outcomes"):
        rows = _sheet_rows(path, sheet)
        for h, row in enumerate(rows):
            tag = _text(row[b])
            if not (tag.startswith("PF-USER_") and tag.endswith("-START")):
                continue
            top, states = rows[h + 1], rows[h + 3]
            cols = {j: _text(v).lower() for j, v in enumerate(states)
                    if _text(v) in ("Actual", "Forecast")}
            cols |= {j: "forecast" for j, v in enumerate(top) if _text(v).endswith("and after")}
            grand = next(j for j, v in enumerate(top) if _text(v) == "Grand total")
            for data in rows[h + 4:]:
                if any(_text(v).startswith("PF-USER_") for v in data):
                    break
                theme = _text(data[b])
                if theme in ("", "Please select an option"):
                    continue
                indicator = f"{theme}: {_text(data[b + 1])}"
                figures: dict[int, Decimal] = {}
                for j in cols:
                    if _text(data[j]):
                        value = _money(data[j])
                        assert value is not None, (sheet, indicator, data[j])
                        figures[j] = value
                assert sum(figures.values(), Decimal(0)) == _money(data[grand]), indicator
                for j, value in figures.items():
                    found[(indicator, cols[j])].append(value)
    return {k: (len(v), sum(v, Decimal(0)).quantize(MICRO)) for k, v in found.items()}


def _grants(path: Path) -> Totals:
    rows = iter(_sheet_rows(path))
    header = [_text(v) for v in next(rows)]
    col = header.index("Amount Awarded")
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        _add(totals, "award", row[col])
    return _quantised(totals)


def _csv_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def _csv_totals(path: Path, measures: dict[str, str]) -> Totals:
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    for row in _csv_rows(path):
        for column, measure in measures.items():
            if (row.get(column) or "").strip():
                totals[measure] += Decimal(row[column].strip())
    return _quantised(totals)


def _puebla(path: Path) -> Totals:
    stages = {"Aprobado": "budget", "Recaudado (Ministrado)": "receipt",
              "Comprometido": "committed", "Pagado": "spend"}
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    cols: dict[int, str] = {}
    kind_col = 0
    for row in _sheet_rows(path)[10:]:
        if not cols:  # row 11: the second header row
            names = [_text(v) for v in row]
            cols = {names.index(k): m for k, m in stages.items()}
            kind_col = names.index("Tipo de Registro")
            continue
        if _text(row[kind_col]).startswith("1.-"):
            continue
        for j, measure in cols.items():
            _add(totals, measure, row[j])
    return _quantised(totals)


# --- the tests ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["TF_Round_4_Success.xlsx", "TF_Round_6_Success.xlsx"])
def test_towns_fund_totals(name: str, imported: Importer) -> None:
    path = REAL / "mhclg" / name
    ledger, result = imported(path)
    assert result.adapter_id == "mhclg-towns-fund"
    assert _ledger_totals(ledger) == _towns_fund_finance(path)
    outputs = _ledger_totals(ledger, "indicator_value", "value_type", "value")
    assert outputs == _towns_fund_outputs(path)


def test_towns_fund_streams_periods_and_open_periods(imported: Importer) -> None:
    ledger, result = imported(REAL / "mhclg" / "TF_Round_4_Success.xlsx")
    con = duckdb.connect(str(ledger), read_only=True)
    try:
        streams = {r[0] for r in con.sql("SELECT DISTINCT stream_id FROM finance_entry")
                   .fetchall()}
        periods = {label: (str(start), str(end)) for label, start, end in con.sql(
            "SELECT DISTINCT period_label, period_start, period_end FROM finance_entry"
        ).fetchall()}
    finally:
        con.close()
    assert streams == {"HS-WRC", "HS-WRC-01", "HS-WRC-02", "HS-WRC-04", "HS-WRC-05",
                       "HS-WRC-07"}
    assert periods["H1 2022/23"] == ("2022-04-01", "2022-09-30")
    assert periods["Before 2020/21"] == ("2019-04-01", "2020-03-31")
    assert periods["Beyond 25/26"] == ("2026-04-01", "2027-03-31")
    assert any(i.code == "period-open-bounded" for i in result.issues)


@pytest.mark.parametrize("name", ["PF_Round_1_Success.xlsx", "PF_Round_2_Success.xlsx"])
def test_pathfinders_totals(name: str, imported: Importer) -> None:
    path = REAL / "mhclg" / name
    ledger, result = imported(path)
    assert result.adapter_id == "mhclg-pathfinders"
    assert _ledger_totals(ledger) == _pathfinders(path)
    con = duckdb.connect(str(ledger), read_only=True)
    try:
        streams = con.sql("SELECT DISTINCT stream_id FROM finance_entry").fetchall()
    finally:
        con.close()
    assert streams == [("PF-BOL",)]


@pytest.mark.parametrize(("name", "count"), [("PF_Round_1_Success.xlsx", 50),
                                             ("PF_Round_2_Success.xlsx", 980)])
def test_pathfinders_outputs_and_outcomes(name: str, count: int, imported: Importer) -> None:
    path = REAL / "mhclg" / name
    ledger, _ = imported(path)
    con = duckdb.connect(str(ledger), read_only=True)
    try:
        rows = con.sql("SELECT funder_indicator, value_type, count(*), sum(value) "
                       "FROM indicator_value GROUP BY 1, 2").fetchall()
        flags = con.sql("SELECT DISTINCT stream_id, cumulative FROM indicator_value").fetchall()
        open_periods = dict(con.sql(
            "SELECT DISTINCT period_label, coalesce(period_start, period_end) FROM "
            "indicator_value WHERE period_start IS NULL OR period_end IS NULL").fetchall())
    finally:
        con.close()
    totals = {(k, t): (n, Decimal(v).quantize(MICRO)) for k, t, n, v in rows}
    assert totals == _pathfinders_indicators(path)
    assert sum(n for n, _ in totals.values()) == count
    assert flags == [("PF-BOL", False)]  # the finance table's stream; per-period figures
    expected = ({"April 2026 and after": "2026-04-01"} if "Round_1" in name else
                {"Before Apr 2024": "2024-03-31",  # the cumulative outputs to date
                 "April 2027 and after": "2027-04-01"})
    assert {k: str(v) for k, v in open_periods.items()} == expected


@pytest.mark.parametrize("name", ["360G-ABCT-ab-charitable-trust-grants.xlsx",
                                  "360G-ALWF-andrew-lloyd-webber-foundation-grants.xlsx"])
def test_360giving_totals(name: str, imported: Importer) -> None:
    path = REAL / "360giving" / name
    ledger, _ = imported(path)
    assert _ledger_totals(ledger) == _grants(path)
    assert _ledger_totals(ledger, key="unit") == {"GBP": _grants(path)["award"]}


@pytest.mark.parametrize(("name", "measures"), [
    ("appropValid.csv", {"budgetauthorityappropriatedamount_cpe": "budget",
                         "obligationsincurredtotalbytas_cpe": "committed",
                         "grossoutlayamountbytas_cpe": "spend"}),
    ("awardFinancialValid.csv", {"obligationsincurredtotalbyaward_cpe": "committed",
                                 "grossoutlayamountbyaward_cpe": "spend"}),
])
def test_data_act_totals_in_dollars(
    name: str, measures: dict[str, str], imported: Importer
) -> None:
    path = REAL / "data-act" / name
    ledger, _ = imported(path)
    assert _ledger_totals(ledger) == _csv_totals(path, measures)
    assert set(_ledger_totals(ledger, key="unit")) == {"USD"}


def test_puebla_totals_in_pesos(imported: Importer) -> None:
    path = REAL / "openspending" / "mx-gasto-federalizado-avance-financiero-puebla-q1-2016.xlsx"
    ledger, _ = imported(path)
    assert _ledger_totals(ledger) == _puebla(path)
    assert set(_ledger_totals(ledger, key="unit")) == {"MXN"}


def test_corrupt_towns_fund_return_names_the_missing_column(adapters: list[Loaded]) -> None:
    batch, result = prepare_file(REAL / "mhclg" / "TF_Round_4_Corrupt.xlsx", adapters)
    assert batch is None
    assert result.adapter_id == "mhclg-towns-fund"
    missing = [i for i in result.issues if i.code == "column-missing"]
    assert missing, result.issues
    assert missing[0].sheet == "2 - Project Admin"
    assert "single location" in missing[0].message


def test_pathfinders_typed_totals_are_compared_with_their_lines(adapters: list[Loaded]) -> None:
    """Round 1's sub-total rows are typed, not formulas, and disagree with their lines: the
    grand total of "Total DLUHC spend" (O48) says 35 where its lines add up to 105, and
    "Total match" (O51) says 116.53 against 35.94. Both are warnings: the file still imports."""
    batch, result = prepare_file(REAL / "mhclg" / "PF_Round_1_Success.xlsx", adapters)
    assert batch is not None
    found = {i.cell: i for i in result.issues if i.code == "total-mismatch"}
    assert set(found) == {"O48", "O51"}
    lines = _sheet_rows(REAL / "mhclg" / "PF_Round_1_Success.xlsx", "Finances")
    for cell, rows in (("O48", range(44, 47)), ("O51", range(48, 50))):
        summed = sum((_money(lines[r][j]) or Decimal(0) for r in rows for j in range(2, 13)
                      if _text(lines[42][j]) != "Total"), Decimal(0))
        assert found[cell].expected == f"£{summed:,.2f}", cell
        assert found[cell].sheet == "Finances" and found[cell].severity.value == "warning"
    assert found["O48"].value == "35" and found["O51"].value == "116.53"


def test_towns_fund_totals_that_add_up_are_silent(adapters: list[Loaded]) -> None:
    """Round 2 of Pathfinders and the Towns Fund project blocks keep their totals as formulas:
    nothing is flagged there. The one hard-typed 0 in the programme-management Total row (S28,
    over lines adding up to more) is."""
    for name in ("PF_Round_2_Success.xlsx", "TF_Round_4_Success.xlsx", "TF_Round_6_Success.xlsx"):
        _, result = prepare_file(REAL / "mhclg" / name, adapters)
        cells = {i.cell for i in result.issues if i.code == "total-mismatch"}
        assert cells == ({"S28"} if name.startswith("TF") else set()), (name, cells)

"""The whole job on the bundled sample, end to end: every file imports, every figure in the
return reconciles to the ledger, and the ledger to the source files, to the penny."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from fundflow.cli.demo_cmd import headline_text
from fundflow.demo import DemoResult, run_demo
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import bundled_reference
from fundflow.returns.jsonout import read_json


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo"))


def test_every_sample_file_is_imported(demo: DemoResult) -> None:
    failed = {r.path.name: [i.code for i in r.issues] for r in demo.imports
              if r.status not in ("added", "superseded")}
    assert not failed
    assert sum(r.status == "superseded" for r in demo.imports) == 1  # the LPF Q2 v2 correction


def test_ledger_totals_equal_each_files_control_total(demo: DemoResult) -> None:
    with open_ledger(demo.ledger, read_only=True) as con:
        stored = dict(con.execute(
            "SELECT file_name, coalesce(sum(amount_gbp), 0) FROM submission "
            "LEFT JOIN finance_entry USING (submission_id) GROUP BY ALL").fetchall())
    assert stored == {r.path.name: r.total for r in demo.imports}


def test_return_reconciles_to_every_source_file(demo: DemoResult) -> None:
    ret = read_json(next(p for n, p in demo.outputs.items() if n.endswith("(json)")))
    assert ret.reconciliation
    assert all(row.difference == 0 for row in ret.reconciliation)
    files = {r.path.name: r.total for r in demo.imports}
    assert all(files[row.file] == row.file_total for row in ret.reconciliation)
    assert sum((r.amount for r in ret.data), Decimal("0.00")) == sum(
        (row.file_total for row in ret.reconciliation), Decimal("0.00"))


def test_data_sheet_reads_back_to_the_ledger(demo: DemoResult) -> None:
    path = next(p for n, p in demo.outputs.items() if n.endswith("(xlsx)"))
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb["Data"]
    rows = ws.iter_rows(values_only=True)
    header = list(next(rows))
    amount = header.index("amount_pence")
    total = sum(int(row[amount]) for row in rows if row[amount] is not None)
    ret = read_json(next(p for n, p in demo.outputs.items() if n.endswith("(json)")))
    in_scope = [row.submission_id for row in ret.reconciliation]
    with open_ledger(demo.ledger, read_only=True) as con:
        marks = ", ".join("?" for _ in in_scope)
        ledger = con.execute(f"SELECT sum(amount_gbp) FROM finance_entry WHERE submission_id "
                             f"IN ({marks})", in_scope).fetchone()[0]
    assert Decimal(total).scaleb(-2) == ledger


def test_demo_writes_every_output(demo: DemoResult) -> None:
    assert all(Path(p).stat().st_size > 0 for p in demo.outputs.values())
    assert demo.headline is not None
    assert demo.headline.streams > 0


def test_planted_eligibility_breach_is_found_through_the_crosswalk(demo: DemoResult) -> None:
    """The sample charges vehicle hire (funder label, mapped to TRN.VEH) to S-CSF-25, whose
    conditions allow only EMP, SUP and TPP."""
    from datetime import date

    from fundflow.analysis import analyse_ring_fencing, make_window

    with open_ledger(demo.ledger, read_only=True) as con:
        report = analyse_ring_fencing(con, make_window("2025-26", None, date(2026, 3, 31)),
                                      reference=bundled_reference())
    breaches = {(b.stream_id, b.subjective) for b in report.breaches}
    assert breaches == {("S-CSF-25", "TRN.VEH")}
    assert all(b.source_cell for b in report.breaches)


def test_the_headlines_hours_subtract_as_printed(demo: DemoResult) -> None:
    """A finance officer checks the line by hand: hours now less hours after is the saving."""
    assert demo.headline is not None
    line = next(x for x in headline_text(demo.headline).splitlines() if "hours per year" in x)
    now, after, saved = (Decimal(n.replace(",", ""))
                         for n in re.findall(r"\d[\d,]*\.\d\d", line))
    assert now - after == saved, line

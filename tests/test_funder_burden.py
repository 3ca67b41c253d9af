"""The burden figures never show a negative saving (issue 13: "Hours saved a year -22.07").

A consolidated return made once a quarter for the whole partnership can take more hours than
one funder's single annual return; the honest figures are "extra hours" for the partnership,
and, in a funder's report, today's figures only (the saving is not that funder's).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from fundflow.demo import bundled_sample_dir
from fundflow.ingest.importer import expand_paths, import_files
from fundflow.ingest.specs.registry import load_adapters
from fundflow.ledger.store import open_ledger
from fundflow.returns.analysis_facts import (
    EXTRA_HOURS_NOTE,
    FUNDER_BURDEN_NOTE,
    burden_facts,
    burden_note,
)
from fundflow.returns.analysis_model import AnalysisSections, BurdenFigures
from fundflow.returns.analysis_rows import PARTNERSHIP_ONLY
from fundflow.returns.build import build_return
from fundflow.returns.html import render_html
from fundflow.returns.model import Return
from fundflow.returns.write import write_return
from tests.test_return_layout import layout_problems

hundredths = st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False,
                         allow_infinity=False)


def _sections(saved: Decimal, funder: str | None = None) -> AnalysisSections:
    before = Decimal("100.00")
    burden = BurdenFigures(
        returns_per_year=4, data_items_per_year=40, templates=1, distinct_due_dates=4,
        redundancy_ratio=None, returns_after=4, hours_before=before,
        hours_after=before - saved, hours_saved=saved, cost_before=Decimal("3500.00"),
        cost_after=Decimal("3500.00") - saved * 35, cost_saved=saved * 35, by_stream=[])
    return AnalysisSections(source="analysis", note="n", ring_fencing=[], horizon=[],
                            burden=burden, funder=funder)


@given(hundredths)
def test_no_saving_is_ever_negative_and_the_change_is_kept(saved: Decimal) -> None:
    facts = {f.label: f.value for f in burden_facts(_sections(saved))}
    shown = [(label, value) for label, value in facts.items()
             if "saved" in label.lower() or "extra" in label.lower()]
    assert len(shown) == 2 and all(isinstance(v, Decimal) and v >= 0 for _, v in shown)
    hours = facts.get("Hours saved a year",
                      -(facts.get("Extra hours a year with one consolidated return") or 0))
    assert hours == saved
    assert (burden_note(_sections(saved)) == EXTRA_HOURS_NOTE) == (saved < 0)


@given(hundredths)
def test_a_funders_report_shows_todays_burden_only(saved: Decimal) -> None:
    a = _sections(saved, funder="F-X")
    labels = [f.label for f in burden_facts(a)]
    assert "Reporting hours a year, now" in labels
    assert not [x for x in labels if "saved" in x or "consolidated" in x or "Extra" in x]
    assert burden_note(a) == FUNDER_BURDEN_NOTE


def test_no_burden_note_without_burden_figures() -> None:
    empty = AnalysisSections(source="placeholder", note="n", ring_fencing=[], horizon=[])
    assert burden_facts(empty) == [] and burden_note(empty) is None


@pytest.fixture(scope="module")
def nclf_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample register and the lottery's return: the report the issue saw -22.07 in."""
    sample = bundled_sample_dir()
    assert sample is not None
    ledger = tmp_path_factory.mktemp("nclf") / "l.duckdb"
    results = import_files(expand_paths([sample / "register", sample / "returns" / "nclf"]), ledger,
                           load_adapters()[0])
    assert all(r.status == "added" for r in results), results
    return ledger


def _report(ledger: Path, funder: str | None) -> Return:
    with open_ledger(ledger) as con:
        return build_return(con, "2025-26", funder=funder)


def test_funder_report_drops_the_consolidated_comparison(nclf_ledger: Path) -> None:
    report = _report(nclf_ledger, "F-NCLF")
    a = report.analysis
    assert a.funder == "F-NCLF" and a.burden is not None
    assert not [c for c in a.charts if c.id in PARTNERSHIP_ONLY]
    page = render_html(report)
    assert "Hours saved" not in page and "Extra hours" not in page
    assert "The saving from one consolidated return is a figure for the whole" in page


def test_partnership_return_shows_no_negative_saving(nclf_ledger: Path) -> None:
    a = _report(nclf_ledger, None).analysis
    assert a.funder is None and a.burden is not None
    assert any(c.id in PARTNERSHIP_ONLY for c in a.charts)
    for fact in burden_facts(a):
        assert fact.value is None or fact.value >= 0, fact


def test_funder_report_workbook_lays_out_whole(nclf_ledger: Path, tmp_path: Path) -> None:
    report = _report(nclf_ledger, "F-NCLF")
    write_return(report, tmp_path / "r.xlsx")
    wb = load_workbook(tmp_path / "r.xlsx")
    assert layout_problems(wb) == []
    burden = [c.value for row in wb["Reporting burden"].iter_rows() for c in row if c.value]
    assert FUNDER_BURDEN_NOTE in burden
    assert not [v for v in burden if isinstance(v, str) and "saved" in v]

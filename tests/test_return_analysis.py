"""The return's analysis sections and charts show exactly what `fundflow.analysis` computes.

The ledger is "Eastfold" (tests/test_analysis_ringfence.py): five streams over three funders,
two eligibility breaches, restated quarterly returns. The return is for 2025-26 to Q3, so the
analyses take stock at 31/12/2025, the period's end.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from fundflow.analysis import Analysis, StreamInfo, analyse_all, make_window
from fundflow.analysis.burden import load_burden_config
from fundflow.analysis.headline import analysis_of, ledger_inputs
from fundflow.analysis.sources import Inputs, empty_finance
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import Reference, bundled_reference
from fundflow.returns import analysis_hook
from fundflow.returns.build import build_return
from fundflow.returns.html import render_html
from fundflow.returns.jsonout import read_json
from fundflow.returns.model import Return
from fundflow.returns.write import write_return
from tests.test_analysis_ringfence import build_eastfold
from tests.test_return import reference

__all__ = ["reference"]  # the session fixture, shared with test_return

AS_AT = date(2025, 12, 31)
NOW = datetime(2026, 1, 15, 9, 0)
ANALYSIS_TITLES = (
    "Funding ending in each of the next 12 months",
    "Ring-fenced and flexible money by funder",
    "Streams live in the year by duration",
    "Reporting burden a year: today and with one consolidated return",
)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Any]:
    with open_ledger(tmp_path / "eastfold.duckdb") as con:
        build_eastfold(con)
        yield con


@pytest.fixture
def expected(ledger: Any) -> Analysis:
    return analyse_all(ledger.cursor(), make_window("2025-26", AS_AT, AS_AT),
                       reference=bundled_reference())


def built(con: Any, reference: Reference, **kwargs: Any) -> Return:
    return build_return(con, "2025-26", "Q3", reference=reference, generated_at=NOW, **kwargs)


def _near(cell: Any, value: Decimal | int | None) -> bool:
    """A cell written from an exact figure: equal to the cent (Excel holds doubles)."""
    return value is not None and Decimal(str(cell)).quantize(Decimal("0.0001")) == Decimal(
        value).quantize(Decimal("0.0001"))


def _by_label(path: Path, sheet: str) -> dict[str, tuple[Any, ...]]:
    """Each row of a sheet keyed by its first cell's text (the first such row)."""
    ws = load_workbook(path, read_only=True)[sheet]
    rows: dict[str, tuple[Any, ...]] = {}
    for r in ws.iter_rows(values_only=True):
        if r and r[0] is not None:
            rows.setdefault(str(r[0]), r)
    return rows


def _table_after(path: Path, sheet: str, heading: str) -> dict[str, tuple[Any, ...]]:
    """The rows of the table under `heading` (after its header row), keyed by first cell."""
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith(heading))
    found: dict[str, tuple[Any, ...]] = {}
    for r in rows[start + 3:]:  # heading, note, header row
        if r[0] is None or r[0] == "Total":
            break
        found[str(r[0])] = r
    return found


# --- the model --------------------------------------------------------------------------------
def test_sections_are_the_analysis_figures(ledger: Any, reference: Reference,
                                           expected: Analysis) -> None:
    a = built(ledger, reference).analysis
    rf, cy, bu = expected.ring_fencing, expected.cycles, expected.burden
    assert a.source == "analysis" and a.as_at == AS_AT and a.year == "2025-26"
    figures = a.ring_fence_figures
    assert figures is not None
    assert figures.unspent_ring_fenced == rf.funds.unspent_ring_fenced
    assert figures.clawback_exposure == rf.funds.clawback_exposure
    assert figures.ring_fenced_share == rf.ring_fenced_share
    # S-A's Q1 breach is restated in Q2: the counting rule keeps one figure, so one breach.
    assert figures.breaches == len(rf.breaches) == 2
    assert [(b.stream_id, b.cell, b.amount) for b in a.breaches] == [
        (b.stream_id, b.source_cell, b.amount) for b in rf.breaches]
    assert {r.stream_id: r.restriction_index for r in a.ring_fencing} == {
        s.stream_id: s.restriction_index for s in rf.by_stream}
    assert [r.model_dump() for r in a.roll_forward] == [
        r.model_dump() for r in rf.funds.roll_forward]
    assert [(d.deadline, d.clawback_exposure) for d in a.deadlines] == [
        (d.deadline, d.clawback_exposure) for d in rf.funds.deadlines]
    assert [c.model_dump() for c in a.cliff_edges] == [c.model_dump() for c in cy.cliff_edges]
    assert a.horizon_figures is not None
    assert a.horizon_figures.short_term_share == cy.short_term_share
    assert {h.stream_id: h.successor_id for h in a.horizon} == {
        s.stream_id: s.successor_id for s in cy.successions}
    assert a.burden is not None
    assert (a.burden.returns_per_year, a.burden.hours_before, a.burden.hours_after,
            a.burden.hours_saved) == (bu.returns_per_year, bu.before.hours, bu.after.hours,
                                      bu.hours_saved)
    assert [c.title for c in a.charts] == list(ANALYSIS_TITLES)
    for mine, theirs in zip(a.charts, expected.charts, strict=True):
        assert {s.name: s.values for s in mine.series} == {
            s.name: s.values for s in theirs.series}


def test_json_reads_back_with_the_analysis(ledger: Any, reference: Reference,
                                           tmp_path: Path) -> None:
    ret = built(ledger, reference)
    write_return(ret, tmp_path / "r.json")
    assert read_json(tmp_path / "r.json") == ret


# --- the workbook -----------------------------------------------------------------------------
def test_workbook_has_the_four_charts_and_no_formula(ledger: Any, reference: Reference,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_return(built(ledger, reference), path)
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        text = {n: z.read(n).decode("utf-8") for n in charts}
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(re.search(rb"<f[ >]", z.read(n)) for n in sheets)
    # Two charts of the return's own figures, then the analyses' four.
    assert len(charts) == 6
    for title in ANALYSIS_TITLES:
        assert sum(f"<a:t>{title}</a:t>" in xml for xml in text.values()) == 1, title
    stacked = next(xml for xml in text.values() if ANALYSIS_TITLES[1] in xml)
    assert '<c:grouping val="stacked"/>' in stacked and "<c:barDir val=\"bar\"/>" in stacked
    for ws in load_workbook(path).worksheets:
        assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"], ws.title


def test_sheets_show_the_analysis_figures(ledger: Any, reference: Reference,
                                          expected: Analysis, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_return(built(ledger, reference), path)
    rf, cy, bu = expected.ring_fencing, expected.cycles, expected.burden
    ring = _by_label(path, "Ring-fencing")
    assert _near(ring["Unspent ring-fenced money at as-at (£)"][3], rf.funds.unspent_ring_fenced)
    assert _near(ring["Clawback exposure at spend deadlines (£)"][3], rf.funds.clawback_exposure)
    assert ring["Eligibility breaches (spend entries)"][3] == len(rf.breaches)
    assert _near(ring["Restriction index (0 free to 1 locked)"][3], rf.restriction_index)
    for s in rf.by_stream:
        assert _near(ring[s.stream_id][4], s.restriction_index), s.stream_id
    funds = _table_after(path, "Ring-fencing", "Restricted-fund roll-forward")
    assert list(funds) == [r.stream_id for r in rf.funds.roll_forward]
    for r in rf.funds.roll_forward:
        row = funds[r.stream_id]
        assert _near(row[3], r.brought_forward) and _near(row[7], r.carried_forward)
    cells = [c for row in load_workbook(path, read_only=True)["Ring-fencing"].iter_rows(
        values_only=True) for c in row if isinstance(c, str)]
    assert all(any(b.source_cell == c for c in cells) for b in rf.breaches)
    horizon = _by_label(path, "Funding horizon")
    for edge in cy.cliff_edges:
        row = horizon[f"{edge.horizon_months} months"]
        assert row[3] == edge.streams and _near(row[4], edge.award)
        assert row[6] == edge.no_successor_streams and _near(row[7], edge.no_successor_award)
    assert _near(horizon["Short-term share (%)"][3], (cy.short_term_share or 0) * 100)
    burden = _by_label(path, "Reporting burden")
    assert burden["Returns asked for a year, now"][3] == bu.returns_per_year
    assert _near(burden["Reporting hours a year, now"][3], bu.before.hours)
    assert _near(burden["Hours saved a year"][3], bu.hours_saved)
    charts = _by_label(path, "Charts")
    assert _near(charts["Status quo"][1], bu.before.hours)
    assert _near(charts["Consolidated return"][1], bu.after.hours)


# --- the page ---------------------------------------------------------------------------------
def test_page_has_four_titled_analysis_svgs(ledger: Any, reference: Reference) -> None:
    page = render_html(built(ledger, reference))
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 6  # two of the return's own figures, four of the analyses
    for svg in svgs:
        assert re.search(r'<svg[^>]* role="img"[^>]* aria-label="[^"]+"', svg)
        assert re.search(r"<title id=\"chart-\d+-t\">[^<]+</title>", svg)
    for title in ANALYSIS_TITLES:
        escaped = title.replace("&", "&amp;")
        assert sum(f">{escaped}</title>" in svg for svg in svgs) == 1, title
    assert "<script" not in page
    assert "Clawback exposure at each spend deadline" in page and "Cliff edges" in page


# --- a funder's report and a failing analysis -------------------------------------------------
def test_funder_report_is_scoped_to_its_streams(ledger: Any, reference: Reference) -> None:
    a = built(ledger, reference, funder="F-2").analysis
    config, _ = load_burden_config()
    assert config is not None
    window = make_window("2025-26", AS_AT, AS_AT)
    inputs = ledger_inputs(ledger, window, reference)
    scoped = analysis_of(analysis_hook.scoped_inputs(inputs, "F-2"), window, config)
    assert {r.stream_id for r in a.ring_fencing} == {"S-C"}  # S-D is not live in 2025-26
    assert a.ring_fence_figures is not None and a.burden is not None
    assert a.ring_fence_figures.award == scoped.ring_fencing.award == Decimal("200000.00")
    assert a.burden.hours_before == scoped.burden.before.hours
    assert [c.no_successor_streams for c in a.cliff_edges] == [0, 0, 0]  # S-D follows S-C
    assert len(a.charts[1].categories) == 1  # ring-fenced vs flexible: this funder only


def test_a_successor_named_by_another_funder_is_kept() -> None:
    def info(sid: str, funder: str, **kw: Any) -> StreamInfo:
        return StreamInfo(stream_id=sid, funder_id=funder, award=Decimal("100.00"),
                          start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), **kw)

    inputs = Inputs([info("A", "F-1"), info("B", "F-2", predecessor_stream_id="A")],
                    empty_finance())
    scoped = analysis_hook.scoped_inputs(inputs, "F-1")
    assert [(s.stream_id, s.successor_stream_id) for s in scoped.streams] == [("A", "B")]


def test_a_failing_analysis_becomes_an_issue(ledger: Any, reference: Reference,
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    def broken(book: Any, window: Any) -> Analysis:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(analysis_hook, "_headline_function", lambda: broken)
    ret = built(ledger, reference)
    assert ret.analysis.source == "placeholder" and ret.analysis.charts == []
    failed = [i for i in ret.issues if i.code == "return-analysis-failed"]
    assert len(failed) == 1 and "ZeroDivisionError" in failed[0].message
    write_return(ret, tmp_path / "r.xlsx")
    write_return(ret, tmp_path / "r.html")
    with zipfile.ZipFile(tmp_path / "r.xlsx") as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 2

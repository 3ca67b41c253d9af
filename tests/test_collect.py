"""`fundflow collect`: partnerships' returns gathered into a department's ledger, to the penny,
kept apart by partnership, and refused whole when they cannot be trusted."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ledger.store import SubmissionBatch, add_submission, open_ledger
from fundflow.mapping.reference import Reference, load_reference
from fundflow.returns.build import build_return
from fundflow.returns.model import Return
from fundflow.returns.write import write_return
from tests.test_return import crosswalk, entry, finance, stream

Q1 = (date(2025, 4, 1), date(2025, 6, 30))
Q2 = (date(2025, 7, 1), date(2025, 9, 30))
Q3 = (date(2025, 10, 1), date(2025, 12, 31))
EARLIER = (date(2024, 4, 1), date(2025, 3, 31))


def make_reference() -> Reference:
    """The bundled reference data with the test funders' crosswalks."""
    loaded, issues = load_reference()
    assert loaded is not None, issues
    return dataclasses.replace(loaded, crosswalks=tuple(crosswalk(f) for f in ("F-1", "F-2",
                                                                             "F-3")))


@pytest.fixture(scope="session")
def reference() -> Reference:
    return make_reference()


def partnership(con: Any, name: str, scale: int = 1, *, salt: str = "") -> None:
    """A small partnership: three funders' streams (one ring-fenced to staff costs with a
    clawback, one unringfenced on accruals, one competitive and later), an earlier year's
    spend, restated forecasts and rent paid from the staff-only stream (a breach)."""
    pid = name.lower().replace(" ", "-")
    streams = [
        stream("S-1", "F-1", 10_000_000 * scale, eligible_categories="EMP",
               clawback_rule="unspent_returned", spend_deadline=date(2026, 3, 31),
               end_date=date(2026, 3, 31), reporting_frequency="quarterly"),
        stream("S-2", "F-2", 4_000_000 * scale, ring_fence_type="unringfenced",
               accounting_basis="accrued", start_date=date(2025, 4, 1),
               end_date=date(2026, 6, 30), reporting_frequency="annual"),
        stream("S-3", "F-3", 2_500_000 * scale, ring_fence_type="specific_purpose",
               allocation_method="competitive", start_date=date(2025, 7, 1),
               reporting_frequency="half_yearly"),
    ]
    frame = pl.DataFrame([{"row_no": i, "partnership_id": pid, **s}
                          for i, s in enumerate(streams, start=1)],
                         schema_overrides={"row_no": pl.Int32, "award_pence": pl.Int64})
    funders = {"F-1": "Department One", "F-2": "Lottery Two", "F-3": "Trust Three"}
    add_submission(con, SubmissionBatch(
        file_name="register.xlsx", file_sha256=_sha("register", name, scale, salt),
        adapter_id="register", adapter_version="1", return_type="register", stream_key="ALL",
        funder_period="2025-26", streams=frame,
        funders=pl.DataFrame({"funder_id": list(funders), "name": list(funders.values()),
                              "funder_type": [None] * 3}),
        partnerships=pl.DataFrame({"partnership_id": [pid], "name": [name]})))
    for batch in _returns(scale, name + salt):
        add_submission(con, batch)


def _returns(k: int, salt: str) -> list[SubmissionBatch]:
    return [
        finance("S-1", "F-1", "2024-25", [entry(2_000_000 * k + 3, *EARLIER)], salt),
        finance("S-1", "F-1", "Q1", [
            entry(1_000_000 * k, *Q1), entry(150_001 * k, *Q1, "Rent"),
            *[entry(900_000 * k, *q, state="forecast") for q in (Q2, Q3)]], salt),
        finance("S-1", "F-1", "Q2", [entry(1_100_000 * k + 7, *Q2),
                                     entry(850_000 * k, *Q3, state="forecast")], salt),
        finance("S-2", "F-2", "H1", [
            entry(600_000 * k, Q1[0], Q2[1], "Rent", basis="accrued"),
            entry(50_000 * k, Q1[0], Q2[1], "Rent", basis="defrayed")], salt),
        finance("S-3", "F-3", "Q2", [entry(333_333 * k, *Q2, "Staff", basis=None)], salt),
    ]


def _sha(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def own_return(tmp_path: Path, reference: Reference, name: str, scale: int = 1, *,
               fmt: str = "json", salt: str = "") -> tuple[Path, Return]:
    """Build a partnership's ledger and write its return; the file and the return."""
    slug = name.lower().replace(" ", "-")
    with open_ledger(tmp_path / f"{slug}{salt}.duckdb") as con:
        partnership(con, name, scale, salt=salt)
        ret = build_return(con, "2025-26", reference=reference)
    out = tmp_path / f"{slug}{salt}.{fmt}"
    write_return(ret, out)
    return out, ret


def collect(ledger: Path, *paths: Path) -> tuple[int, list[dict[str, Any]]]:
    """Run `fundflow collect --json` and give its exit code and per-file results."""
    result = CliRunner().invoke(cli, ["collect", *map(str, paths), "--ledger", str(ledger),
                                      "--json", "-q"])
    start = result.output.index("[")
    return result.exit_code, json.loads(result.output[start:])


def snapshot(ledger: Path) -> tuple[Any, ...]:
    """Everything a refused file must leave as it was: rows and money of every table."""
    if not ledger.exists():
        return ()
    with open_ledger(ledger, read_only=True) as con:
        return tuple(con.execute(sql).fetchone() for sql in (
            "SELECT count(*), sum(amount_gbp) FROM finance_entry",
            "SELECT count(*), string_agg(stream_id, ',' ORDER BY stream_id) FROM stream",
            "SELECT count(*), string_agg(submission_id, ',' ORDER BY submission_id) "
            "FROM submission",
            "SELECT count(*) FROM funder", "SELECT count(*) FROM partnership",
            "SELECT count(*) FROM indicator_value"))


def counted_total(ret: Return) -> Decimal:
    return sum((r.amount for r in [*ret.data, *ret.other_data] if r.counted and r.month),
               Decimal("0.00"))


# --- collecting -----------------------------------------------------------------------------
def test_collected_json_keeps_every_penny_streams_and_terms(tmp_path: Path,
                                                             reference: Reference) -> None:
    path, ret = own_return(tmp_path, reference, "Eastbrook")
    assert ret.schema_version == 2 and ret.other_data  # the earlier year travels too
    code, results = collect(tmp_path / "dept.duckdb", path)
    assert code == 0, results
    assert results[0]["status"] == "collected"
    assert results[0]["partnership_id"] == "eastbrook"
    with open_ledger(tmp_path / "dept.duckdb", read_only=True) as con:
        total = con.execute("SELECT sum(amount_gbp) FROM current_finance").fetchone()[0]
        terms = con.execute("SELECT stream_id, eligible_categories, clawback_rule, "
                            "reporting_frequency FROM current_stream ORDER BY 1").fetchall()
    assert total == counted_total(ret) == Decimal(str(results[0]["total"]))
    assert terms[0] == ("eastbrook:S-1", "EMP", "unspent_returned", "quarterly")
    assert [t[0] for t in terms] == ["eastbrook:S-1", "eastbrook:S-2", "eastbrook:S-3"]


def test_collecting_twice_changes_nothing(tmp_path: Path, reference: Reference) -> None:
    path, _ = own_return(tmp_path, reference, "Eastbrook")
    collect(tmp_path / "dept.duckdb", path)
    before = snapshot(tmp_path / "dept.duckdb")
    code, results = collect(tmp_path / "dept.duckdb", tmp_path)  # the folder: same file
    assert code == 0
    assert [r["status"] for r in results] == ["unchanged"]
    assert snapshot(tmp_path / "dept.duckdb") == before


def test_two_partnerships_with_the_same_ids_never_merge(tmp_path: Path,
                                                        reference: Reference) -> None:
    east, east_ret = own_return(tmp_path, reference, "Eastbrook")
    north, north_ret = own_return(tmp_path, reference, "Northfield", 3)
    code, _ = collect(tmp_path / "dept.duckdb", east, north)
    assert code == 0
    with open_ledger(tmp_path / "dept.duckdb", read_only=True) as con:
        per = dict(con.execute(
            "SELECT split_part(stream_id, ':', 1), sum(amount_gbp) FROM current_finance "
            "GROUP BY 1").fetchall())
        streams = con.execute("SELECT count(DISTINCT stream_id) FROM current_stream").fetchone()
        funders = con.execute("SELECT count(*) FROM funder").fetchone()
    assert per == {"eastbrook": counted_total(east_ret), "northfield": counted_total(north_ret)}
    assert streams == (6,)
    assert funders == (6,)


def test_a_resubmission_replaces_the_earlier_return_and_keeps_it(tmp_path: Path,
                                                                  reference: Reference) -> None:
    first, _ = own_return(tmp_path, reference, "Eastbrook")
    second, ret = own_return(tmp_path, reference, "Eastbrook", 2, salt="-corrected")
    collect(tmp_path / "dept.duckdb", first)
    code, results = collect(tmp_path / "dept.duckdb", second)
    assert code == 0
    assert results[0]["status"] == "replaced"
    assert [i["code"] for i in results[0]["issues"]] == ["collect-replaced"]
    with open_ledger(tmp_path / "dept.duckdb", read_only=True) as con:
        total = con.execute("SELECT sum(amount_gbp) FROM current_finance").fetchone()[0]
        kept = con.execute("SELECT count(*) FROM submission").fetchone()[0]
    assert total == counted_total(ret)
    assert kept == 2  # the earlier return stays in the history


def test_data_csv_collects_figures_and_warns_about_streams(tmp_path: Path,
                                                           reference: Reference) -> None:
    path, ret = own_return(tmp_path, reference, "Eastbrook", fmt="csv")
    code, results = collect(tmp_path / "dept.duckdb", path)
    assert code == 0
    assert [i["code"] for i in results[0]["issues"]] == ["collect-no-streams"]
    in_data = sum((r.amount for r in ret.data if r.counted and r.month), Decimal("0.00"))
    assert Decimal(str(results[0]["total"])) == in_data


# --- refusals: each with its issue, and the ledger as it was ---------------------------------
def _edit_amount(text: str) -> str:
    document = json.loads(text)
    document["data"][0]["amount"] = str(Decimal(document["data"][0]["amount"]) + 1)
    document["data"][0]["amount_pence"] += 100
    return json.dumps(document)


def _edit_terms(text: str) -> str:
    document = json.loads(text)
    document["stream_terms"][0]["clawback_rule"] = None
    return json.dumps(document)


def _edit_version(text: str) -> str:
    document = json.loads(text)
    document["schema_version"] = 99
    return json.dumps(document)


def _edit_reconciliation(text: str) -> str:
    document = json.loads(text)
    row = document["reconciliation"][0]
    row["file_total"] = str(Decimal(row["file_total"]) + 5)
    return json.dumps(document)


def _rename(text: str) -> str:  # a copy passed off as another partnership's return
    return text.replace('"Eastbrook"', '"Northfield"')


@pytest.mark.parametrize(("edit", "code"), [
    (_edit_amount, "collect-tampered"),
    (_edit_terms, "collect-tampered"),
    (_rename, "collect-tampered"),
    (lambda text: text[: len(text) * 2 // 3], "collect-truncated"),
    (_edit_version, "collect-version-unknown"),
    (_edit_reconciliation, "collect-return-unreconciled"),
    (lambda text: "not json at all", "collect-unreadable"),
    (lambda text: '{"not": "a return"}', "collect-unreadable"),
])
def test_an_untrustworthy_file_is_refused_and_changes_nothing(
        tmp_path: Path, reference: Reference, edit: Any, code: str) -> None:
    good, _ = own_return(tmp_path, reference, "Eastbrook")
    other, _ = own_return(tmp_path, reference, "Westmere", 2)
    dept = tmp_path / "dept.duckdb"
    collect(dept, other)
    before = snapshot(dept)
    bad = tmp_path / "bad.json"
    bad.write_text(edit(good.read_text(encoding="utf-8")), encoding="utf-8")
    exit_code, results = collect(dept, bad)
    assert exit_code == 1
    assert results[0]["status"] == "refused"
    assert [i["code"] for i in results[0]["issues"]] == [code]
    assert "{" not in results[0]["issues"][0]["message"].replace('{"', "")
    assert snapshot(dept) == before


def test_one_bad_file_never_stops_the_others(tmp_path: Path, reference: Reference) -> None:
    good, ret = own_return(tmp_path, reference, "Eastbrook")
    bad = tmp_path / "a_bad.json"
    bad.write_text(good.read_text(encoding="utf-8")[:500], encoding="utf-8")
    code, results = collect(tmp_path / "dept.duckdb", bad, good)
    assert code == 1
    assert [r["status"] for r in results] == ["refused", "collected"]
    assert Decimal(str(results[1]["total"])) == counted_total(ret)


def test_a_funders_report_is_not_a_return(tmp_path: Path, reference: Reference) -> None:
    with open_ledger(tmp_path / "p.duckdb") as con:
        partnership(con, "Eastbrook")
        report = build_return(con, "2025-26", funder="F-1", reference=reference)
    write_return(report, tmp_path / "report.json")
    code, results = collect(tmp_path / "dept.duckdb", tmp_path / "report.json")
    assert code == 1
    assert results[0]["issues"][0]["code"] == "collect-funder-report"


def test_the_terminal_says_what_happened_to_each_file(tmp_path: Path,
                                                      reference: Reference) -> None:
    good, _ = own_return(tmp_path, reference, "Eastbrook")
    bad = tmp_path / "cut.json"
    bad.write_bytes(good.read_bytes()[:-200])
    result = CliRunner().invoke(cli, ["collect", str(good), str(bad), str(good), "--ledger",
                                      str(tmp_path / "dept.duckdb")])
    assert result.exit_code == 1
    assert "cut.json: refused" in result.output
    assert "collect-truncated" in result.output
    assert "3 returns: 1 collected, 1 unchanged, 0 replaced, 1 refused" in result.output

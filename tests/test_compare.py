"""The department's views: every partnership's row says what its own return says."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fundflow.cli import cli
from fundflow.collect.views import PartnershipRow
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import Reference
from fundflow.returns.model import Return
from tests.test_collect import collect, make_reference, own_return


@pytest.fixture(scope="session")
def reference() -> Reference:
    """The bundled reference data with the test funders' crosswalks (as the returns use)."""
    return make_reference()

NAMES = (("Eastbrook", 1), ("Westmere", 2), ("Northfield", 5))


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory,
               reference: Reference) -> tuple[Path, dict[str, Return]]:
    """Three generated partnerships (the same stream ids, different sizes), each with its
    own return, all collected into one department ledger."""
    tmp = tmp_path_factory.mktemp("department")
    files, returns = [], {}
    for name, scale in NAMES:
        path, ret = own_return(tmp, reference, name, scale)
        files.append(path)
        returns[name.lower()] = ret
    code, _ = collect(tmp / "dept.duckdb", *files)
    assert code == 0
    return tmp / "dept.duckdb", returns


def _compare(ledger: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, [*args, "--ledger", str(ledger), "--json", "-q"])
    return result.exit_code, json.loads(result.output[result.output.index("{"):])


def _expected(ret: Return) -> dict[str, Any]:
    """The figures of a partnership's own return, as the comparison names them."""
    a = ret.analysis
    rf, hz = a.ring_fence_figures, a.horizon_figures
    assert rf is not None and hz is not None and a.burden is not None
    cliff = {c.horizon_months: c.award for c in a.cliff_edges}
    return {"streams": rf.streams, "funding": rf.award, "ring_fenced": rf.ring_fenced_award,
            "ring_fenced_share": rf.ring_fenced_share, "short_term": hz.short_term_award,
            "short_term_share": hz.short_term_share, "cliff_3": cliff[3], "cliff_6": cliff[6],
            "cliff_12": cliff[12], "unspent_ring_fenced": rf.unspent_ring_fenced,
            "clawback_exposure": rf.clawback_exposure, "breaches": rf.breaches,
            "returns_per_year": a.burden.returns_per_year, "hours": a.burden.hours_before}


def test_each_partnership_row_equals_its_own_return(
        department: tuple[Path, dict[str, Return]]) -> None:
    ledger, returns = department
    code, result = _compare(ledger, "compare", "--year", "2025-26")
    assert code == 0
    rows = {r["partnership_id"]: PartnershipRow.model_validate(r) for r in result["rows"]}
    assert set(rows) == set(returns)
    for pid, ret in returns.items():
        expected = _expected(ret)
        got = rows[pid].model_dump(include=set(expected))
        assert got == expected, pid
    # the figures are not trivially equal: the partnerships differ and have exposure
    assert len({r.funding for r in rows.values()}) == 3
    assert all(r.clawback_exposure > 0 and r.breaches > 0 for r in rows.values())


def test_totals_add_the_rows_and_ranks_follow_funding(
        department: tuple[Path, dict[str, Return]]) -> None:
    code, result = _compare(department[0], "compare", "--year", "2025-26")
    assert code == 0
    rows = [PartnershipRow.model_validate(r) for r in result["rows"]]
    totals = PartnershipRow.model_validate(result["totals"])
    for name in ("funding", "clawback_exposure", "cliff_12", "breaches", "returns_per_year"):
        assert getattr(totals, name) == sum(getattr(r, name) for r in rows)
    assert totals.ring_fenced_share == (totals.ring_fenced / totals.funding).quantize(
        Decimal("0.0001"))
    by_rank = sorted(rows, key=lambda r: r.rank)
    assert [r.partnership_id for r in by_rank] == ["northfield", "westmere", "eastbrook"]


def test_analyse_by_partnership_shows_the_same_rows(
        department: tuple[Path, dict[str, Return]]) -> None:
    _, compared = _compare(department[0], "compare", "--year", "2025-26")
    for view in ("ring-fencing", "cycles", "burden"):
        code, result = _compare(department[0], "analyse", view, "--by", "partnership",
                                "--year", "2025-26")
        assert code == 0
        assert result == compared


def test_analyse_by_partnership_prints_a_row_each(
        department: tuple[Path, dict[str, Return]]) -> None:
    result = CliRunner().invoke(cli, ["analyse", "ring-fencing", "--by", "partnership",
                                      "--year", "2025-26", "--ledger", str(department[0])])
    assert result.exit_code == 0
    assert all(name in result.output for name, _ in NAMES)
    assert "All 3 partnerships" in result.output


def test_the_workbook_and_page_hold_every_partnership_and_the_totals(
        department: tuple[Path, dict[str, Return]], tmp_path: Path) -> None:
    ledger, returns = department
    for name in ("compare.xlsx", "compare.html"):
        result = CliRunner().invoke(cli, ["compare", "--year", "2025-26", "--out",
                                          str(tmp_path / name), "--ledger", str(ledger)])
        assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "compare.xlsx")["Partnerships"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(cells) if row[0] == "Rank")
    body = cells[header + 1: header + 4]
    total = cells[header + 4]
    funding = cells[header].index("Funding (£)")
    assert sorted(r[1] for r in body) == ["Eastbrook", "Northfield", "Westmere"]
    expected = sum((r.analysis.ring_fence_figures.award for r in returns.values()  # type: ignore[union-attr]
                    ), Decimal(0))
    assert Decimal(str(total[funding])) == expected
    assert "Distribution" in load_workbook(tmp_path / "compare.xlsx").sheetnames
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert all(name in page for name, _ in NAMES) and "<svg" in page
    assert "<script" not in page


def test_compare_on_an_empty_ledger_says_so(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "empty.duckdb"):
        pass
    result = CliRunner().invoke(cli, ["compare", "--year", "2025-26", "--ledger",
                                      str(tmp_path / "empty.duckdb")])
    assert result.exit_code == 1
    assert "no collected partnerships" in result.output


def test_blocks_of_any_size_give_the_one_book_comparison(
        department: tuple[Path, dict[str, Return]], reference: Reference) -> None:
    """A read-only ledger is read a block of partnerships at a time (memory flat in the
    department's size): blocks of one, two or all give the rows one Book of the whole
    ledger gives (a ledger open for writing is read as one Book)."""
    from fundflow.collect.slices import ledger_path
    from fundflow.collect.views import compare
    from fundflow.collect.views import department as dept_of
    from fundflow.returns.scope import parse_period

    ledger, _ = department
    period = parse_period("2025-26", None, 4)
    with open_ledger(ledger) as con:  # writable: the one-Book route
        whole = compare(dept_of(con, reference, period))
    assert len(whole.rows) == len(NAMES)
    for block in (1, 2, 50):
        with open_ledger(ledger, read_only=True) as con:
            assert ledger_path(con) == str(ledger)
            assert compare(dept_of(con, reference, period, block=block)) == whole

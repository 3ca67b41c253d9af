"""`fundflow collect`: partnerships' returns gathered into a department's ledger, to the penny."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ledger import open_ledger
from fundflow.returns.build import build_return
from fundflow.returns.write import write_return
from tests.test_return import small_partnership


def _return_file(tmp_path: Path, name: str, fmt: str) -> tuple[Path, Decimal]:
    with open_ledger(tmp_path / f"{name}.duckdb") as con:
        small_partnership(con)
        ret = build_return(con, "2025-26")
    out = tmp_path / f"{name}.{fmt}"
    write_return(ret, out)
    counted = sum((r.amount for r in ret.data if r.counted and r.month), Decimal("0.00"))
    return out, counted


def _collect(tmp_path: Path, *paths: Path) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(cli, ["collect", *map(str, paths), "--ledger",
                                      str(tmp_path / "dept.duckdb"), "--json", "-q"])
    start = result.output.index("[")
    return result.exit_code, json.loads(result.output[start:])


def test_collected_json_keeps_every_penny_and_the_streams(tmp_path: Path) -> None:
    path, counted = _return_file(tmp_path, "p1", "json")
    code, results = _collect(tmp_path, path)
    assert code == 0, results
    assert results[0]["status"] == "added"
    with open_ledger(tmp_path / "dept.duckdb", read_only=True) as con:
        total = con.execute("SELECT sum(amount_gbp) FROM current_finance").fetchone()[0]
        streams = con.execute("SELECT count(*) FROM current_stream").fetchone()[0]
    assert total == counted
    assert streams > 0


def test_collecting_twice_changes_nothing(tmp_path: Path) -> None:
    path, _ = _return_file(tmp_path, "p1", "json")
    _collect(tmp_path, path)
    code, results = _collect(tmp_path, path)
    assert code == 0
    assert results[0]["status"] == "unchanged"


def test_data_csv_collects_figures_and_warns_about_streams(tmp_path: Path) -> None:
    path, counted = _return_file(tmp_path, "p1", "csv")
    code, results = _collect(tmp_path, path)
    assert code == 0
    codes = [i["code"] for i in results[0]["issues"]]  # type: ignore[union-attr]
    assert "collect-no-streams" in codes
    assert Decimal(str(results[0]["total"])) == counted


def test_a_file_that_is_not_a_return_is_refused_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a return"}', encoding="utf-8")
    code, results = _collect(tmp_path, bad)
    assert code == 1
    assert results[0]["issues"][0]["code"] == "collect-unreadable"  # type: ignore[index]
    with open_ledger(tmp_path / "dept.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == 0

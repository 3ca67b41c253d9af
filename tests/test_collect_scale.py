"""docs/scale.md stays true: its DuckDB and polars queries run on an exported department and
give the figures the partnerships' own returns give."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from fundflow import export
from fundflow.cli import cli
from fundflow.collect import slices
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import Reference
from fundflow.returns.model import Return
from fundflow.sample.model import place_of
from tests.test_collect import collect, make_reference, own_return

DOC = Path(__file__).resolve().parents[1] / "docs" / "scale.md"


@pytest.fixture(scope="session")
def reference() -> Reference:
    return make_reference()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory,
             reference: Reference) -> tuple[Path, dict[str, Return]]:
    tmp = tmp_path_factory.mktemp("scale")
    returns, files = {}, []
    for name, scale in (("Eastbrook", 1), ("Westmere", 3)):
        path, ret = own_return(tmp, reference, name, scale)
        files.append(path)
        returns[name.lower()] = ret
    assert collect(tmp / "dept.duckdb", *files)[0] == 0
    result = CliRunner().invoke(cli, ["export", "--parquet", str(tmp / "pq"), "--ledger",
                                      str(tmp / "dept.duckdb"), "-q"])
    assert result.exit_code == 0, result.output
    return tmp / "pq", returns


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def _spend(ret: Return) -> Decimal:
    """Actual spend in 2025-26 the return counts (months April 2025 to March 2026)."""
    rows = [*ret.data, *ret.other_data]
    return sum((r.amount for r in rows if r.counted and r.month and r.year == "2025-26"
                and r.measure == "spend" and r.state == "actual"), Decimal("0.00"))


def test_the_duckdb_queries_run_and_agree(exported: tuple[Path, dict[str, Return]]) -> None:
    folder, returns = exported
    first, by_category = (q.replace("department_parquet", str(folder))
                          for q in _blocks("sql")[:2])
    con = duckdb.connect()  # its own connection: the default one is shared in the process
    rows = con.sql(first).fetchall()
    assert rows == sorted(((pid, _spend(r)) for pid, r in returns.items()),
                          key=lambda row: (-row[1], row[0]))
    categories = con.sql(by_category).fetchall()
    assert sum(row[1] for row in categories) == sum(_spend(r) for r in returns.values())


def test_the_polars_query_runs_and_agrees(exported: tuple[Path, dict[str, Return]]) -> None:
    folder, returns = exported
    code = _blocks("python")[0].replace("department_parquet", str(folder))
    scope: dict[str, Any] = {}
    exec(code, scope)  # the documented snippet, as written
    spend: pl.DataFrame = scope["spend"]
    assert dict(spend.iter_rows()) == {pid: _spend(r) for pid, r in returns.items()}
    assert isinstance(spend.schema["spend"], pl.Decimal)


def test_the_export_is_partitioned_by_year_and_partnership(
        exported: tuple[Path, dict[str, Return]]) -> None:
    folder, returns = exported
    parts = {p.parent.relative_to(folder / "figures").as_posix()
             for p in (folder / "figures").rglob("*.parquet")}
    assert {f"year=2025-26/partnership={pid}" for pid in returns} <= parts
    assert any(p.startswith("year=2024-25/") for p in parts)  # earlier years kept apart


def test_the_export_in_blocks_writes_every_current_figure_once(
        exported: tuple[Path, dict[str, Return]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A block of one partnership at a time gives the rows of the ledger's current figures,
    each once, exact, in its own partition (the export is made a block at a time so its
    memory does not grow with the department)."""
    folder = exported[0]
    ledger = folder.parent / "dept.duckdb"
    monkeypatch.setattr(export, "blocks", functools.partial(slices.blocks, size=1))
    with open_ledger(ledger, read_only=True) as con:
        export.export_figures(con, tmp_path / "one")
        expected = con.sql("SELECT submission_id, row_no, amount_gbp, stream_id "
                           "FROM current_finance ORDER BY ALL").fetchall()
    con = duckdb.connect()
    for dataset in (tmp_path / "one", folder / "figures"):
        got = con.sql(f"SELECT submission_id, row_no, amount_gbp, stream_id, partnership "
                      f"FROM read_parquet('{dataset}/**/*.parquet', hive_partitioning = true) "
                      "ORDER BY ALL").fetchall()
        assert [row[:4] for row in got] == expected
        assert all(stream.startswith(pid + ":") for *_, stream, pid in got)


def test_an_export_that_would_lose_a_figure_fails(
        exported: tuple[Path, dict[str, Return]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The blocks' rows are counted against the ledger's: a block that missed its
    partnerships' entries would be a bug, never a silently short dataset."""
    ledger = exported[0].parent / "dept.duckdb"
    monkeypatch.setattr(export, "blocks", lambda pids: [list(pids)[:1]])
    with open_ledger(ledger, read_only=True) as con, pytest.raises(RuntimeError):
        export.export_figures(con, tmp_path / "short")
    assert not (tmp_path / "short").exists()


def test_sample_names_any_number_of_distinct_places() -> None:
    names = [place_of(i)[0] for i in range(3_000)]
    codes = [place_of(i)[1] for i in range(3_000)]
    assert len(set(names)) == len(names) and len(set(codes)) == len(codes)
    assert names[:2] == ["Eastbrook", "Westmere"]

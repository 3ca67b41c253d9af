"""Fixing an adapter and importing again replaces the file's submission, with history
(issue 12 item 4)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ingest.importer import import_files
from fundflow.ingest.specs.registry import bundled_dir, load_adapters
from fundflow.sample import write_synthetic

BASE = yaml.safe_load((bundled_dir() / "synthetic-long.yaml").read_text(encoding="utf-8"))


def _override(folder: Path, version: str, unit: str = "£") -> tuple[Path, ...]:
    spec = dict(BASE, version=version)
    amount = spec["tables"][0]["fields"]["amount"]
    amount.setdefault("options", {})["unit"] = unit
    folder.mkdir(exist_ok=True)
    (folder / "synthetic-long.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return (folder,)


def _submissions(ledger: Path) -> list[tuple[str, str, str | None, object]]:
    con = duckdb.connect(str(ledger), read_only=True)
    try:
        return con.execute(
            "SELECT submission_id, adapter_version, supersedes, amount_total "
            "FROM submission ORDER BY imported_at").fetchall()
    finally:
        con.close()


def _current_total(ledger: Path) -> object:
    con = duckdb.connect(str(ledger), read_only=True)
    try:
        return con.execute("SELECT sum(amount_gbp) FROM current_finance").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()


def test_new_adapter_version_supersedes_the_files_submission(tmp_path: Path) -> None:
    data = write_synthetic(tmp_path, rows=6, shape="long", fmt="csv", seed=5)
    ledger = tmp_path / "l.duckdb"
    first = import_files([data], ledger, load_adapters(_override(tmp_path / "a", "1"))[0])
    assert first[0].status == "added"
    again = import_files([data], ledger, load_adapters(_override(tmp_path / "a", "1"))[0])
    assert again[0].status == "unchanged"
    fixed = load_adapters(_override(tmp_path / "b", "2", unit="£000s"))[0]
    second = import_files([data], ledger, fixed)
    assert second[0].status == "superseded"
    assert second[0].supersedes == first[0].submission_id
    rows = _submissions(ledger)
    assert [(r[1], r[2]) for r in rows] == [("1", None), ("2", first[0].submission_id)]
    assert rows[1][3] == rows[0][3] * 1000  # type: ignore[operator]
    assert _current_total(ledger) == rows[1][3]


def test_reread_flag_reads_the_same_version_again(tmp_path: Path) -> None:
    data = write_synthetic(tmp_path, rows=4, shape="long", fmt="csv", seed=6)
    ledger = tmp_path / "l.duckdb"
    folder = _override(tmp_path / "a", "1")
    runner = CliRunner()
    args = ["import", str(data), "--ledger", str(ledger), "--adapters", str(folder[0])]
    assert runner.invoke(cli, args).exit_code == 0
    out = runner.invoke(cli, args)
    assert "unchanged" in out.output
    out = runner.invoke(cli, [*args, "--reread"])
    assert out.exit_code == 0, out.output
    assert "read again (replaces the earlier reading of this file)" in out.output
    rows = _submissions(ledger)
    assert len(rows) == 2 and rows[1][2] == rows[0][0]
    assert rows[1][0].endswith("-r2")


def test_a_ledger_from_before_rereading_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger whose `submission.file_sha256` was unique keeps its rows and can re-read."""
    from fundflow.ledger import migrations
    data = write_synthetic(tmp_path, rows=3, shape="long", fmt="csv", seed=7)
    ledger = tmp_path / "old.duckdb"
    # 0001 is frozen text with UNIQUE(file_sha256): a ledger made before 0002
    with monkeypatch.context() as patch:
        # (with 0003's column, which today's importer writes)
        patch.setattr(migrations, "MIGRATIONS",
                      (migrations.MIGRATIONS[0], migrations.MIGRATIONS[2]))
        first = import_files([data], ledger, load_adapters()[0])
    assert first[0].status == "added"
    again = import_files([data], ledger, load_adapters()[0], reread=True)
    assert again[0].status == "superseded"
    assert [r[2] for r in _submissions(ledger)] == [None, first[0].submission_id]

"""Import warns when a return names a stream the funding register does not hold (issue 14):
`stream-unknown` at the file, sheet and cell of its first figure; the figures still import and
the return names the stream as not in the register, with the warning among its issues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundflow.cli import cli

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "sample_data" / "register" / "Eastbrook_funding_register.xlsx"
HEADER = "Stream ID,Period,Category,Cap/Rev,Measure,State,Amount,Note"


def _csv(folder: Path, streams: list[str]) -> Path:
    path = folder / "synthetic_long_streams.csv"
    rows = [f"{s},2025-26 Q1,Staff,revenue,spend,actual,10.00," for s in streams]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _import(*args: str) -> tuple[int, list[dict[str, str]]]:
    result = CliRunner().invoke(cli, ["import", *args, "--json"])
    return result.exit_code, [i for f in json.loads(result.stdout) for i in f["issues"]]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger holding the sample register (S-TTF-21, S-LPF-22, ...); copied per test."""
    path = tmp_path_factory.mktemp("register") / "l.duckdb"
    code, _ = _import(str(REGISTER), "--ledger", str(path))
    assert code == 0
    return path


def _copy(ledger: Path, folder: Path) -> Path:
    target = folder / "l.duckdb"
    target.write_bytes(ledger.read_bytes())
    return target


def test_a_stream_the_register_lacks_is_warned_at_its_first_cell(ledger: Path,
                                                                  tmp_path: Path) -> None:
    path = _csv(tmp_path, ["S-TTF-21", "S-EAS-99", "S-EAS-99", "S-ZZZ-1"])
    book = _copy(ledger, tmp_path)
    code, issues = _import(str(path), "--ledger", str(book))
    assert code == 0  # a warning: the figures are the funder's and import
    found = [(i["code"], i["file"], i["sheet"], i["cell"], i["value"]) for i in issues]
    assert found == [("stream-unknown", path.name, path.stem, "G3", "S-EAS-99"),
                     ("stream-unknown", path.name, path.stem, "G5", "S-ZZZ-1")]
    assert "2 figures" in issues[0]["message"] and "1 figure," in issues[1]["message"]
    assert "{" not in issues[0]["message"] + issues[0]["hint"]
    out = tmp_path / "r.json"
    result = CliRunner().invoke(cli, ["return", "--year", "2025-26", "--out", str(out),
                                      "--ledger", str(book)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    unregistered = {s["stream_id"]: s["stream_name"] for s in data["summary"]
                    if "not in the funding register" in s["stream_name"]}
    assert set(unregistered) == {"S-EAS-99", "S-ZZZ-1"}
    said = [i["message"] for i in data["issues"] if i["code"] == "stream-unknown"]
    assert len(said) == 2 and "S-EAS-99" in said[0]


def test_streams_in_the_register_and_ledgers_without_one_are_silent(ledger: Path,
                                                                    tmp_path: Path) -> None:
    path = _csv(tmp_path, ["S-TTF-21", "S-LPF-22"])
    code, issues = _import(str(path), "--ledger", str(_copy(ledger, tmp_path)))
    assert code == 0 and [i["code"] for i in issues] == []
    empty = tmp_path / "empty.duckdb"  # no register yet: nothing to compare with
    code, issues = _import(str(_csv(tmp_path, ["S-EAS-99"])), "--ledger", str(empty))
    assert code == 0 and "stream-unknown" not in [i["code"] for i in issues]

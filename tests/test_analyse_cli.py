"""`fundflow analyse ...`: --json equals the library's result for the same call; tables render;
bad options are usage errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundflow.analysis.common import make_window
from fundflow.analysis.headline import analyse_burden, analyse_cycles, analyse_ring_fencing
from fundflow.cli import cli
from fundflow.cli.common import to_jsonable
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import bundled_reference
from fundflow.summary import summarise
from tests.test_analysis_ringfence import build_eastfold

AS_AT = date(2025, 12, 31)


@pytest.fixture(scope="module")
def eastfold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eastfold") / "eastfold.duckdb"
    with open_ledger(path) as con:
        build_eastfold(con)
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("command", "function"),
    [("ring-fencing", analyse_ring_fencing), ("cycles", analyse_cycles),
     ("burden", analyse_burden)],
)
def test_json_equals_library_result(eastfold: Path, command: str, function: object) -> None:
    code, out, err = _run("analyse", command, "--ledger", str(eastfold), "--year", "2025-26",
                          "--as-at", "31/12/2025", "--json")
    assert code == 0, err
    window = make_window("2025-26", AS_AT, AS_AT)
    with open_ledger(eastfold, read_only=True) as con:
        expected = function(con, window, reference=bundled_reference())  # type: ignore[operator]
    assert json.loads(out) == to_jsonable(expected)


def test_year_defaults_to_the_one_containing_as_at(eastfold: Path) -> None:
    code, out, _ = _run("analyse", "cycles", "--ledger", str(eastfold), "--as-at", "2025-12-31",
                        "--json")
    assert code == 0
    window = json.loads(out)["window"]
    assert (window["year"], window["start"], window["as_at"]) == (
        "2025-26", "2025-04-01", "2025-12-31")


@pytest.mark.parametrize("command", ["ring-fencing", "cycles", "burden"])
def test_tables_render(eastfold: Path, command: str) -> None:
    code, out, err = _run("analyse", command, "--ledger", str(eastfold), "--year", "2025-26",
                          "--as-at", "2025-12-31")
    assert code == 0, err
    assert "2025-26" in out
    assert {"ring-fencing": "86.5%", "cycles": "32.4%", "burden": "11.17"}[command] in out


def test_bad_year_and_date_are_usage_errors(eastfold: Path) -> None:
    assert _run("analyse", "cycles", "--ledger", str(eastfold), "--year", "2025-27")[0] == 2
    assert _run("analyse", "cycles", "--ledger", str(eastfold), "--as-at", "31st")[0] == 2


def test_missing_ledger_and_empty_ledger(tmp_path: Path) -> None:
    code, _, err = _run("analyse", "burden", "--ledger", str(tmp_path / "none.duckdb"))
    assert code == 1 and "ledger-missing" in err
    empty = tmp_path / "empty.duckdb"
    with open_ledger(empty):
        pass
    code, out, err = _run("analyse", "ring-fencing", "--ledger", str(empty), "--year", "2025-26")
    assert code == 0 and "analysis-no-streams" in err and "n/a" in out


def test_bad_assumptions_exit_1(eastfold: Path, tmp_path: Path) -> None:
    bad = tmp_path / "burden.yaml"
    bad.write_text("version: 1\n", encoding="utf-8")
    code, _, err = _run("analyse", "burden", "--ledger", str(eastfold), "--assumptions", str(bad))
    assert code == 1 and "burden-assumptions-invalid" in err


def _accrued_schemas(folder: Path) -> Path:
    """A project folder whose reporting.yaml assumes accruals for streams nothing else fixes."""
    bundled = Path(__file__).parents[1] / "src" / "fundflow" / "data" / "schemas"
    source = bundled if bundled.is_dir() else Path(__file__).parents[1] / "schemas"
    text = (source / "reporting.yaml").read_text(encoding="utf-8")
    assert "default_basis: defrayed" in text
    folder.mkdir()
    (folder / "reporting.yaml").write_text(text.replace("default_basis: defrayed",
                                                        "default_basis: accrued"), "utf-8")
    return folder


@pytest.mark.parametrize("command", [("analyse", "ring-fencing", "--year", "2025-26"),
                                     ("analyse", "burden", "--year", "2025-26"),
                                     ("ledger", "summary")])
def test_schemas_folders_are_used_like_returns(eastfold: Path, tmp_path: Path,
                                               command: tuple[str, ...]) -> None:
    folder = _accrued_schemas(tmp_path / "project")
    code, out, err = _run(*command, "--ledger", str(eastfold), "--schemas", str(folder),
                          "--json")
    assert code == 0, err
    reference = bundled_reference((folder,))
    assert reference.reporting.default_basis == "accrued"
    with open_ledger(eastfold, read_only=True) as con:
        if command[0] == "ledger":
            expected: object = summarise(con, reference)
        else:
            window = make_window("2025-26", None, date.today())
            function = analyse_ring_fencing if command[1] == "ring-fencing" else analyse_burden
            expected = function(con, window, reference=reference)
    assert json.loads(out) == to_jsonable(expected)


@pytest.mark.parametrize("command", [("analyse", "cycles"), ("ledger", "summary")])
def test_a_broken_schemas_folder_is_reported_not_raised(eastfold: Path, tmp_path: Path,
                                                        command: tuple[str, ...]) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "calendars.yaml").write_text("version: 1\nreport: [unclosed\n", "utf-8")
    code, out, err = _run(*command, "--ledger", str(eastfold), "--schemas", str(folder))
    assert code == 1  # a data problem, as `return` reports it
    assert "calendars.yaml" in err and "Traceback" not in err + out

"""A return's Data CSV carries its cover on every row, so `collect` checks a CSV as it checks
the JSON: the same partnership id and period (a CSV and a JSON of one return are one return),
and figures edited after writing, another version or a funder's report are refused with the
ledger unchanged. A CSV from before the cover columns is still collected on its figures."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from fundflow.mapping.reference import Reference
from tests.test_collect import collect, make_reference, own_return, snapshot


@pytest.fixture(scope="module")
def reference() -> Reference:
    return make_reference()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, reference: Reference) -> dict[str, Path]:
    """Each return built once (a partnership's ledger takes a second or two); tests copy."""
    folder = tmp_path_factory.mktemp("returns")
    return {"csv": own_return(folder, reference, "Eastbrook", fmt="csv")[0],
            "other": own_return(folder, reference, "Westmere")[0]}


def _copy(source: Path, folder: Path) -> Path:
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def _rewrite(path: Path, edit: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, records = list(reader.fieldnames or []), list(reader)
    records = edit(records)
    fields = [f for f in fields if f in records[0]]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(records)


def _set(column: str, value: str) -> Callable[[list[dict[str, str]]], list[dict[str, str]]]:
    return lambda records: [{**r, column: value} for r in records]


def _edit_first_amount(records: list[dict[str, str]]) -> list[dict[str, str]]:
    first = records[0]
    pence = int(first["amount_pence"]) + 100
    amount = f"{pence / 100:.2f}" if abs(pence) < 10**15 else first["amount"]
    return [{**first, "amount_pence": str(pence), "amount": amount}, *records[1:]]


def test_csv_and_json_of_one_return_are_one_partnerships_return(
        tmp_path: Path, reference: Reference) -> None:
    as_json, ret = own_return(tmp_path, reference, "Eastbrook")
    as_csv, _ = own_return(tmp_path, reference, "Eastbrook", fmt="csv")
    ledger = tmp_path / "dept.duckdb"
    code, first = collect(ledger, as_json)
    assert code == 0
    code, second = collect(ledger, as_csv)
    assert code == 0
    assert second[0]["status"] == "replaced"  # same partnership id, same period
    assert first[0]["partnership_id"] == second[0]["partnership_id"] == \
        ret.cover.partnership_id
    assert second[0]["period"] == first[0]["period"] == "2025-26"


def test_a_folder_with_both_files_of_one_return_is_collected_from_its_json(
        tmp_path: Path, reference: Reference) -> None:
    """`return --format all` leaves the .json and .csv side by side; the .csv holds no stream
    terms, so collecting it after the .json would replace the better copy."""
    as_json, _ = own_return(tmp_path, reference, "Eastbrook")
    as_csv, _ = own_return(tmp_path, reference, "Eastbrook", fmt="csv")
    folder = tmp_path / "received"
    folder.mkdir()
    _copy(as_json, folder), _copy(as_csv, folder)
    code, results = collect(tmp_path / "dept.duckdb", folder)
    assert code == 0
    assert [(Path(r["path"]).suffix, r["status"]) for r in results] == [(".json", "collected")]


@pytest.mark.parametrize(("edit", "code"), [
    (_edit_first_amount, "collect-tampered"),
    (_set("return_content_hash", "0" * 64), "collect-tampered"),
    (_set("return_schema_version", "99"), "collect-version-unknown"),
    (_set("return_funder_id", "F-1"), "collect-funder-report"),
    (lambda records: [records[0], {**records[1], "return_year": "2024-25"}, *records[2:]],
     "collect-unreadable"),
])
def test_an_edited_csv_is_refused_and_changes_nothing(
        tmp_path: Path, made: dict[str, Path],
        edit: Callable[[list[dict[str, str]]], list[dict[str, str]]], code: str) -> None:
    path = _copy(made["csv"], tmp_path)
    _rewrite(path, edit)
    ledger = tmp_path / "dept.duckdb"
    assert collect(ledger, made["other"])[0] == 0
    before = snapshot(ledger)
    exit_code, results = collect(ledger, path)
    assert exit_code == 1
    assert results[0]["status"] == "refused"
    assert [i["code"] for i in results[0]["issues"]] == [code]
    assert snapshot(ledger) == before


def test_a_csv_without_cover_columns_is_collected_on_its_figures(
        tmp_path: Path, made: dict[str, Path]) -> None:
    path = _copy(made["csv"], tmp_path)
    _rewrite(path, lambda records: [{k: v for k, v in r.items()
                                     if not k.startswith("return_")} for r in records])
    code, results = collect(tmp_path / "dept.duckdb", path)
    assert code == 0
    assert results[0]["status"] == "collected"
    assert [i["code"] for i in results[0]["issues"]] == ["collect-no-streams"]


@pytest.mark.parametrize(("edit", "said"), [
    (_set("amount_pence", "twelve"), "row 2, column 'amount_pence'"),
    (lambda records: [{k: v for k, v in r.items() if k != "stream_id"} for r in records],
     "it has no column 'stream_id'"),
])
def test_a_broken_csv_is_refused_in_words_naming_its_row_or_column(
        tmp_path: Path, made: dict[str, Path],
        edit: Callable[[list[dict[str, str]]], list[dict[str, str]]], said: str) -> None:
    path = _copy(made["csv"], tmp_path)
    _rewrite(path, edit)
    exit_code, results = collect(tmp_path / "dept.duckdb", path)
    assert exit_code == 1
    (issue,) = results[0]["issues"]
    assert issue["code"] == "collect-unreadable" and said in issue["message"], issue
    assert "validation error" not in issue["message"]

"""Writing an adapter for a new funder (issue 12): strict specs with 'did you mean', a
per-file trap, files known by their content, and no message with an unfilled placeholder."""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
import yaml

from fundflow.catalogue import CATALOGUE
from fundflow.ingest import importer
from fundflow.ingest.importer import import_files, prepare_file
from fundflow.ingest.specs.fields import FIELD_NAMES, fields_of
from fundflow.ingest.specs.registry import bundled_dir, load_adapters, load_spec
from fundflow.issues import Issue, make_issue
from fundflow.ledger.schema import FINANCE_ENTRY

BASE = (bundled_dir() / "synthetic-long.yaml").read_text(encoding="utf-8")
SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def _message(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_spec(path)
    assert isinstance(result, Issue)
    assert result.code == "adapter-invalid" and str(path) in result.message
    return result.message


def test_misspelt_field_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    message = _message(tmp_path, BASE.replace("      category:", "      categroy:"))
    assert "tables.entries.fields.categroy" in message
    assert "did you mean `category`" in message


def test_misspelt_money_field_is_an_error_not_a_crash(tmp_path: Path) -> None:
    message = _message(tmp_path, BASE.replace("      amount:", "      amout:"))
    assert "tables.entries.fields.amout" in message
    assert "did you mean `amount`" in message
    assert "needs the field `amount`" in message


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    message = _message(tmp_path, BASE.replace("required: false", "required: sometimes"))
    assert "tables.entries.fields.description.required" in message
    assert "boolean" in message


def test_misspelt_key_inside_a_field_says_what_is_allowed(tmp_path: Path) -> None:
    message = _message(tmp_path, BASE.replace('{column: "Period"}', '{colum: "Period"}'))
    assert "tables.entries.fields.period.colum: unknown key (did you mean `column`?)" in message
    assert "column_pattern" in message


def test_field_of_another_kind_is_refused(tmp_path: Path) -> None:
    spec = yaml.safe_load(BASE)
    spec["tables"][0]["fields"]["outcome"] = {"column": "Note"}
    message = _message(tmp_path, yaml.safe_dump(spec))
    assert "fields.outcome: not a field of a `finance` table" in message


def test_helper_and_template_fields_are_allowed(tmp_path: Path) -> None:
    spec = yaml.safe_load(BASE)
    fields = spec["tables"][0]["fields"]
    fields["supplier"] = {"column": "Note", "required": False}
    fields["net"] = {"column": "Amount", "parser": "gbp_amount", "helper": True}
    fields["description"] = {"template": "{supplier}"}
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert not isinstance(load_spec(path), Issue)


def test_field_names_come_from_the_ledger_schema() -> None:
    """One declaration: every finance column a spec may set is a field, under its spec name."""
    names = FIELD_NAMES["finance"]
    assert {"amount", "category", "period"} <= names
    assert not {"amount_gbp", "funder_category", "source_cell"} & names
    settable = {c.name for c in FINANCE_ENTRY.columns} - {
        "submission_id", "row_no", "source_sheet", "source_cell", "period_label", "amount_raw",
        "amount_gbp", "funder_category"}
    assert settable <= names
    assert [f.name for f in fields_of("finance") if f.required] == [
        "stream_id", "funder_id", "measure", "amount", "period"]


def test_a_fault_in_one_file_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fundflow.sample import write_synthetic

    files = []
    for seed in (1, 2, 3):
        folder = tmp_path / f"f{seed}"
        folder.mkdir()
        files.append(write_synthetic(folder, rows=5, shape="long", fmt="csv", seed=seed))
    real = importer.build_batch

    def faulty(path: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if path == files[1]:
            raise KeyError("amount")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "build_batch", faulty)
    results = import_files(files, tmp_path / "l.duckdb", load_adapters()[0])
    assert [r.status for r in results] == ["added", "failed", "superseded"]
    [fault] = results[1].issues
    assert fault.code == "import-fault"
    assert "KeyError" in fault.message and files[1].name in fault.message
    assert "--debug" in (fault.hint or "")
    with pytest.raises(KeyError):
        prepare_file(files[1], load_adapters()[0], debug=True)


def test_renamed_sample_file_is_still_read(tmp_path: Path) -> None:
    original = SAMPLES / "returns" / "icp" / "ICP_Q3_2025-26_Eastbrook.xlsx"
    renamed = tmp_path / "ICP Q3 return FINAL.xlsx"
    shutil.copy(original, renamed)
    adapters = load_adapters()[0]
    _, want = prepare_file(original, adapters, keep=False)
    _, got = prepare_file(renamed, adapters, keep=False)
    assert got.adapter_id == want.adapter_id == "icp-pooled-fund"
    assert got.status == want.status == "checked"
    assert got.total == want.total


def test_without_content_rules_the_name_still_decides(tmp_path: Path) -> None:
    from fundflow.sample import write_synthetic

    path = write_synthetic(tmp_path, rows=3, shape="long", fmt="xlsx", seed=4)
    other = path.with_name("quarterly.xlsx")
    path.rename(other)
    _, result = prepare_file(other, load_adapters()[0], keep=False)
    assert [i.code for i in result.issues] == ["adapter-none"]
    assert "{" not in result.issues[0].message


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_catalogue_entry_renders_without_braces(code: str) -> None:
    """Each entry, filled with a value for every placeholder it names, reads as text."""
    entry = CATALOGUE[code]
    names = {name for text in (entry.message, entry.hint)
             for _, name, _, _ in string.Formatter().parse(text) if name}
    issue = make_issue(code, **{n: f"<{n}>" for n in names})
    for text in (issue.message, issue.hint or ""):
        assert "{" not in text and "}" not in text, text
    assert entry.example, f"{code} has no example"


def test_no_encoding_guess_when_the_adapter_names_the_encoding() -> None:
    path = SAMPLES / "returns" / "opcc" / "OPCC_grant_spend_Q1_2025-26.csv"
    _, result = prepare_file(path, load_adapters()[0], keep=False)
    assert result.adapter_id == "opcc-spend-export"
    assert "csv-encoding-guessed" not in {i.code for i in result.issues}


def test_a_missing_column_pattern_is_not_called_a_column(tmp_path: Path) -> None:
    from fundflow.sample import write_synthetic

    data = write_synthetic(tmp_path, rows=3, shape="long", fmt="xlsx", seed=8)
    spec = yaml.safe_load(BASE)
    spec["tables"][0]["fields"]["description"] = {"column_pattern": "^Does the project"}
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "s.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    _, result = prepare_file(data, load_adapters((folder,))[0], keep=False)
    [missing] = [i for i in result.issues if i.code == "column-missing"]
    assert missing.message.startswith("A column whose header matches '^Does the project'")


def test_a_total_formula_without_a_saved_value_is_said(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["Stream ID", "Period", "Category", "Cap/Rev", "Measure", "State", "Amount"])
    sheet.append(["S-1", "Q1 2025/26", "Staff", "revenue", "spend", "actual", 10])
    sheet.append(["S-1", "Q1 2025/26", "Rent", "revenue", "spend", "actual", 5])
    sheet.append(["", "", "Total", "", "", "", "=SUM(G2:G3)"])
    path = tmp_path / "synthetic_long_total.xlsx"
    book.save(path)
    spec = yaml.safe_load(BASE)
    spec["tables"][0]["totals"] = {"column": "Category", "pattern": "^Total$"}
    spec["tables"][0]["fields"]["description"]["column"] = "Category"
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "s.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    batch, result = prepare_file(path, load_adapters((folder,))[0], keep=False)
    assert batch is not None, result.issues
    [unchecked] = [i for i in result.issues if i.code == "total-unchecked"]
    assert (unchecked.sheet, unchecked.cell) == ("Data", "G4")
    assert result.total == 15

"""Writing an adapter for a new funder (issue 12): strict specs with 'did you mean', a
per-file trap, files known by their content, and no message with an unfilled placeholder."""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
import yaml

from fundflow import importer
from fundflow.adapters.fields import FIELD_NAMES, fields_of
from fundflow.adapters.registry import bundled_dir, load_adapters, load_spec
from fundflow.catalogue import CATALOGUE
from fundflow.importer import import_files, prepare_file
from fundflow.issues import Issue, make_issue
from fundflow.schema import FINANCE_ENTRY

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

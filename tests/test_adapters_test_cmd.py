"""`fundflow adapters test SPEC` pins an adapter with golden files beside its example files
(issue 12 item 6): a changed adapter shows what it now reads differently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ingest.specs.registry import bundled_dir

SAMPLE = (Path(__file__).resolve().parents[1] / "sample_data" / "returns" / "icp"
          / "ICP_Q3_2025-26_Eastbrook.xlsx")


def _setup(tmp_path: Path) -> Path:
    spec = tmp_path / "pooled.yaml"
    shutil.copy(bundled_dir() / "icp-pooled-fund.yaml", spec)
    (tmp_path / "pooled").mkdir()
    shutil.copy(SAMPLE, tmp_path / "pooled" / "ICP Q3 return FINAL.xlsx")
    return spec


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["adapters", "test", *args])
    return result.exit_code, result.output


def test_pin_then_check_then_see_a_change(tmp_path: Path) -> None:
    spec = _setup(tmp_path)
    code, out = _run(str(spec))
    assert code == 1 and "has no golden file" in out
    code, out = _run(str(spec), "--generate")
    assert code == 0 and "golden file written" in out
    golden = tmp_path / "pooled" / "ICP Q3 return FINAL.xlsx.golden"
    assert golden.read_text() == Path(f"{SAMPLE}.golden").read_text()
    code, out = _run(str(spec))
    assert code == 0 and "reads as pinned" in out
    spec.write_text(spec.read_text().replace("measure: {const: income}",
                                             "measure: {const: receipt}"), encoding="utf-8")
    code, out = _run(str(spec), "--generate")
    assert code == 1 and "reads differently" in out
    assert "-Income,B2,S-ICP-25" in out and "+Income,B2,S-ICP-25" in out
    assert golden.read_text() == Path(f"{SAMPLE}.golden").read_text(), "never overwritten"


def test_json_and_files_the_adapter_does_not_read(tmp_path: Path) -> None:
    spec = _setup(tmp_path)
    other = tmp_path / "other.xlsx"
    shutil.copy(SAMPLE.with_name("ICP_Discharge_FN14.xlsx"), other)
    code, out = _run(str(spec), str(other), "--json")
    assert code == 1
    [row] = json.loads(out)
    assert row["outcome"] == "not-read"
    assert [i["code"] for i in row["issues"]] == ["adapter-none"]


def test_a_spec_that_does_not_load_is_one_clear_issue(tmp_path: Path) -> None:
    spec = _setup(tmp_path)
    spec.write_text(spec.read_text().replace("measure: {const: income}",
                                             "measure: {const: incme}"), encoding="utf-8")
    code, out = _run(str(spec))
    assert code == 1
    assert "fields.measure.const: 'incme' is not one of" in out
    assert "did you mean `income`" in out

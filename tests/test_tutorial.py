"""The adapter tutorial cannot go stale: its YAML loads, its final adapter is the tested file,
and that adapter imports the tutorial workbook with the totals an independent read gives."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from fundflow.ingest.importer import prepare_file
from fundflow.ingest.specs.registry import Loaded, load_spec
from fundflow.ingest.specs.spec import AdapterSpec

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial"


def _yaml_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize("doc", ["README.md", "docs/adapters.md"])
def test_every_adapter_in_the_docs_loads(doc: str) -> None:
    blocks = [b for b in _yaml_blocks(ROOT / doc) if re.search(r"^id:", b, re.MULTILINE)]
    assert blocks
    for block in blocks:
        AdapterSpec.model_validate(yaml.safe_load(block))


def test_tutorial_shows_the_tested_adapter() -> None:
    shown = [b for b in _yaml_blocks(ROOT / "docs" / "adapters.md") if "harbour" in b]
    assert shown[-1] == (TUTORIAL / "harbour-trust.yaml").read_text(encoding="utf-8")


def test_tutorial_adapter_imports_the_workbook_exactly() -> None:
    spec = load_spec(TUTORIAL / "harbour-trust.yaml")
    assert isinstance(spec, AdapterSpec)
    workbook = TUTORIAL / "Harbour_Trust_Q2_2025-26.xlsx"
    batch, result = prepare_file(workbook, [Loaded(spec, TUTORIAL)])
    assert batch is not None, [i.message for i in result.issues]
    assert batch.frame("finance") is not None
    got = {m: Decimal(int(p)).scaleb(-2) for m, p in
           batch.frame("finance").group_by("measure").agg(__import__("polars").col(
               "amount_gbp_pence").sum()).iter_rows()}
    ws = openpyxl.load_workbook(workbook, data_only=True)["Quarterly return"]

    def money(v: object) -> Decimal:
        text = str(v).replace(",", "")
        return -Decimal(text.strip("()")) if text.startswith("(") else Decimal(text)

    rows = range(8, 13)
    assert got == {"spend": sum(money(ws.cell(r, 3).value) for r in rows),
                   "budget": sum(money(ws.cell(r, 2).value) for r in rows)}
    assert got["spend"] == money(ws["C13"].value)  # the file's own Total agrees


def test_suggested_draft_of_the_tutorial_file_works_once_filled_in(tmp_path: Path) -> None:
    """Step 2 of the tutorial: the draft, with its three placeholders replaced, imports the
    quarter's spend exactly (the file's own Total)."""
    from fundflow.ingest.suggest import suggest_spec

    workbook = TUTORIAL / "Harbour_Trust_Q2_2025-26.xlsx"
    draft = suggest_spec(workbook).yaml
    assert draft is not None
    filled = re.sub(r"\{const: FILL-IN-STREAM-ID[^}]*\}\}", "{const: S-HCT-25}", draft)
    filled = re.sub(r"\{const: FILL-IN-FUNDER-ID[^}]*\}\}", "{const: F-HCT}", filled)
    filled = filled.replace("FILL-IN-MEASURE", "spend")
    assert ": FILL-IN" not in filled and "{const: FILL-IN" not in filled
    (tmp_path / "draft.yaml").write_text(filled, encoding="utf-8")
    spec = load_spec(tmp_path / "draft.yaml")
    assert isinstance(spec, AdapterSpec)
    batch, result = prepare_file(workbook, [Loaded(spec, tmp_path)])
    assert batch is not None, [i.message for i in result.issues]
    assert result.total == Decimal("8819.85")

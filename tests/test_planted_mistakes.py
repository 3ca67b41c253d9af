"""The mistakes MHCLG's own test suite planted in its failure files are reported at their cells.

Each failure file in the shared corpus comes from the data store's integration tests, whose
expected errors (cell and kind) are copied here; fundflow must report the same mistakes through
the example adapters, with a catalogue code, and the matching success files must stay clean.
Mistakes outside what the specs check (e-mail, phone and postcode formats) are left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fundflow.ingest.importer import FileResult, prepare_file
from fundflow.ingest.specs.registry import Loaded, load_adapters
from fundflow.ledger.store import SubmissionBatch

SHARED = Path(__file__).resolve().parents[2] / "shared"
MHCLG = SHARED / "corpus" / "real" / "mhclg"
EXAMPLES = Path(__file__).resolve().parents[1] / "adapters" / "examples"

pytestmark = pytest.mark.skipif(not MHCLG.is_dir(), reason="the shared corpus is absent")

FUNDING = "4a - Funding Profiles"
PLANTED: dict[str, set[tuple[str, str, str | None]]] = {
    "TF_Round_4_TD_Funding_Failure.xlsx": {
        ("value-not-allowed", FUNDING, "D50"),  # 'Death Star' as a funding source
        ("required-missing", FUNDING, "E50"),  # secured? left blank
        ("check-over-limit", FUNDING, "Z44"),  # project 1 RDEL total over its allocation
        ("check-over-limit", FUNDING, "Z69"),  # project 2 CDEL total over its allocation
        ("value-placeholder", FUNDING, "E15"),  # '< Select >' left in a required answer
        ("value-not-allowed", FUNDING, "F17"),
        ("value-not-allowed", FUNDING, "F19"),
        ("value-not-allowed", FUNDING, "I19"),
    },
    "TF_Round_4_HS_Funding_Failure.xlsx": {
        ("check-under-limit", FUNDING, "D"),  # no other funding source in any project
    },
    "PF_Round_1_General_Validation_Failures.xlsx": {
        ("required-missing", "Progress", "B6"),
        ("number-invalid", "Outputs", "G20"),
        ("value-below-zero", "Finances", "J47"),
        ("value-not-allowed", "Risks", "F9"),  # '6 - Extremely High'
    },
    "PF_Round_2_General_Validation_Failures.xlsx": {
        ("date-invalid", "Admin", "B11"),
        ("value-placeholder", "Progress", "E9"),
        ("required-missing", "Progress", "F26"),
        ("money-invalid", "Finances", "E17"),
        ("money-invalid", "Finances", "K33"),
    },
}
SUCCESS = ["TF_Round_4_Success.xlsx", "TF_Round_6_Success.xlsx", "PF_Round_1_Success.xlsx",
           "PF_Round_2_Success.xlsx"]


@pytest.fixture(scope="module")
def adapters() -> list[Loaded]:
    loaded, issues = load_adapters((EXAMPLES,))
    assert not issues, issues
    return loaded


_PREPARED: dict[str, tuple[SubmissionBatch | None, FileResult]] = {}


def _prepared(name: str, adapters: list[Loaded]) -> tuple[SubmissionBatch | None, FileResult]:
    """Each file prepared once for the module: preparing reads nothing but the file and the
    adapters, and the Towns Fund files take seconds each (three tests read the same one)."""
    if name not in _PREPARED:
        _PREPARED[name] = prepare_file(MHCLG / name, adapters)
    return _PREPARED[name]


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_mistakes_are_reported(name: str, adapters: list[Loaded]) -> None:
    batch, result = _prepared(name, adapters)
    assert batch is None and result.status == "failed"
    found = {(i.code, i.sheet, i.cell) for i in result.issues if i.severity.value == "error"}
    assert PLANTED[name] <= found, sorted(PLANTED[name] - found)
    for issue in result.issues:
        if (issue.code, issue.sheet, issue.cell) in PLANTED[name]:
            assert issue.message and issue.hint and "{" not in issue.message, issue


def test_over_allocation_names_both_figures(adapters: list[Loaded]) -> None:
    _, result = _prepared("TF_Round_4_TD_Funding_Failure.xlsx", adapters)
    over = {i.cell: i for i in result.issues if i.code == "check-over-limit"}
    assert over["Z44"].value == "£151,010.00"
    assert over["Z44"].expected == "£150,000.00"
    assert "TD-WRC-01" in over["Z44"].message and "£1,010.00" in over["Z44"].message
    assert "G42:W42" in over["Z44"].message  # the lines the total adds up
    assert over["Z69"].value == "£2,483,785.00" and "G66:W67" in over["Z69"].message


def test_all_eighteen_expected_cells_are_flagged(adapters: list[Loaded]) -> None:
    """MHCLG's own tests expect 18 cells (F17, F19 and I19 as one entry there); each is
    reported at that cell, not only somewhere near it."""
    expected = {(name, sheet, cell) for name, found in PLANTED.items()
                for _, sheet, cell in found}
    assert len(expected) == 18
    flagged = set()
    for name in PLANTED:
        _, result = _prepared(name, adapters)
        flagged |= {(name, i.sheet, i.cell) for i in result.issues}
    assert expected <= flagged, sorted(expected - flagged)


@pytest.mark.parametrize("name", SUCCESS)
def test_success_files_stay_clean(name: str, adapters: list[Loaded]) -> None:
    batch, result = _prepared(name, adapters)
    errors = [(i.code, i.sheet, i.cell) for i in result.issues if i.severity.value == "error"]
    assert batch is not None, errors

"""The bundled schema files validate; crosswalks are checked against the taxonomy."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from fundflow.mapping.reference import (
    FILES,
    Crosswalk,
    Reference,
    bundled_calendars,
    bundled_schemas_dir,
    load_crosswalk,
    load_reference,
    map_category,
    normalise_label,
    write_json_schemas,
)

CROSSWALK = """\
funder: F-DPC
version: 1
effective_from: 2024-04-01
effective_to: null
categories:
  - label: "Capital - Public realm"
    to:
      - {subjective: CAP.WORKS, objective: PLACE, cap_rev: capital, share: "100"}
  - label: "Staff salaries (incl. NI & pension)"
    to:
      - {subjective: EMP.SAL, objective: SAFE, cap_rev: revenue, share: "80"}
      - {subjective: EMP.ONC, objective: SAFE, cap_rev: revenue, share: "20"}
indicators:
  - label: "O1 Number of people supported"
    to: people_supported
"""


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A project schemas folder holding the given files (relative paths)."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _load(tmp_path: Path, files: dict[str, str]) -> tuple[Reference | None, list[str], str]:
    """Load the bundled schema files (not the bundled crosswalks) plus a project folder."""
    base = tmp_path / "bundled"
    base.mkdir()
    for stem in FILES:
        shutil.copy(bundled_schemas_dir() / f"{stem}.yaml", base)
    reference, issues = load_reference([_project(tmp_path / "project", files)], bundled=base)
    return reference, [i.code for i in issues], " | ".join(i.message for i in issues)


def test_bundled_schemas_validate() -> None:
    reference, issues = load_reference()
    assert issues == []
    assert reference is not None
    taxonomy = reference.taxonomy
    assert [g.code for g in taxonomy.subjective if g.spend] == [
        "EMP",
        "PRM",
        "TRN",
        "SUP",
        "TPP",
        "TFR",
        "SSV",
        "CAP",
    ]
    assert {"EMP.SAL", "CAP.WORKS", "NEL.INKIND_VOL"} <= set(taxonomy.codes("subjective"))
    assert sorted(g.cipfa_group for g in taxonomy.subjective if g.cipfa_group) == list(range(1, 11))
    assert taxonomy.codes("bases") == ["defrayed", "accrued", "committed", "claimed"]
    starts = {c.id: c.start_month for c in reference.calendars.conventions}
    assert starts == {
        "UK_FY": 4,
        "ACADEMIC_AUG": 8,
        "SCHOOL_SEP": 9,
        "CALENDAR": 1,
        "EU_ACCT_JUL": 7,
        "GRANT_ANNIV": None,
    }
    assert [t.tier for t in reference.tiers.tiers] == [0, 1, 2, 3]
    assert reference.tiers.tiers[1].value_band.min == Decimal(10000)
    finance = reference.reporting
    assert "subjective" not in [c.name for c in finance.columns_for("finance", 0)]
    assert "subjective_detail" in [c.name for c in finance.columns_for("finance", 3)]
    assert finance.columns_for("transactions", 2) == []
    assert bundled_calendars() == reference.calendars


def test_crosswalk_in_a_project_folder_maps_labels(tmp_path: Path) -> None:
    reference, codes, _ = _load(tmp_path, {"crosswalks/f-dpc.yaml": CROSSWALK})
    assert codes == [] and reference is not None
    walks = reference.crosswalks
    targets = map_category(
        walks, "F-DPC", " staff  SALARIES (incl. NI & pension) ", date(2025, 1, 1)
    )
    assert targets is not None
    assert [(t.subjective, t.share) for t in targets] == [
        ("EMP.SAL", Decimal(80)),
        ("EMP.ONC", Decimal(20)),
    ]
    assert map_category(walks, "F-DPC", "Capital - Public realm", date(2024, 3, 31)) is None
    assert map_category(walks, "F-DPC", "Unknown heading", date(2025, 1, 1)) is None
    assert map_category(walks, "F-OTHER", "Capital - Public realm", date(2025, 1, 1)) is None


def test_the_version_in_force_on_the_date_applies(tmp_path: Path) -> None:
    first = CROSSWALK.replace("effective_to: null", "effective_to: 2025-03-31")
    second = (
        CROSSWALK.replace("version: 1", "version: 2")
        .replace("effective_from: 2024-04-01", "effective_from: 2025-04-01")
        .replace("CAP.WORKS", "CAP.FEES")
    )
    reference, codes, _ = _load(
        tmp_path, {"crosswalks/v1.yaml": first, "crosswalks/v2.yaml": second}
    )
    assert codes == [] and reference is not None
    label = "Capital - Public realm"
    old = map_category(reference.crosswalks, "F-DPC", label, date(2025, 3, 31))
    new = map_category(reference.crosswalks, "F-DPC", label, date(2025, 4, 1))
    assert old is not None and old[0].subjective == "CAP.WORKS"
    assert new is not None and new[0].subjective == "CAP.FEES"


def test_shares_adding_to_99_fail_clearly(tmp_path: Path) -> None:
    bad = CROSSWALK.replace('share: "20"', 'share: "19"')
    reference, codes, messages = _load(tmp_path, {"crosswalks/f-dpc.yaml": bad})
    assert reference is None
    assert codes == ["reference-invalid"]
    assert "shares for 'Staff salaries (incl. NI & pension)' add up to 99, not 100" in messages


def test_unknown_codes_fail_clearly(tmp_path: Path) -> None:
    bad = CROSSWALK.replace("EMP.ONC", "EMP.PENSION").replace(
        "to: people_supported", "to: happy_people"
    )
    reference, codes, messages = _load(tmp_path, {"crosswalks/f-dpc.yaml": bad})
    assert reference is None
    assert codes == ["crosswalk-unknown-code", "crosswalk-unknown-code"]
    assert "'Staff salaries (incl. NI & pension)'" in messages
    assert "subjective code 'EMP.PENSION'" in messages
    assert "indicator code 'happy_people'" in messages


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('share: "100"', 'share: "100", colour: red'), "Extra inputs are not permitted"),
        (("cap_rev: capital", "cap_rev: capitol"), "Input should be"),
        (("effective_to: null", "effective_to: 2020-01-01"), "effective_to is before"),
        (
            ('label: "Capital - Public realm"', 'label: "staff salaries (incl. NI & pension)"'),
            "appears more than once",
        ),
        (('share: "80"', 'share: "0"'), "must be above 0"),
    ],
)
def test_schema_mistakes_are_issues(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    reference, codes, messages = _load(tmp_path, {"crosswalks/f.yaml": CROSSWALK.replace(*change)})
    assert reference is None
    assert "reference-invalid" in codes
    assert expected in messages


def test_overlapping_versions_are_an_error(tmp_path: Path) -> None:
    second = CROSSWALK.replace("version: 1", "version: 2").replace(
        "effective_from: 2024-04-01", "effective_from: 2025-04-01"
    )
    _, codes, messages = _load(
        tmp_path, {"crosswalks/a.yaml": CROSSWALK, "crosswalks/b.yaml": second}
    )
    assert codes == ["crosswalk-overlap"]
    assert "versions 1 and 2 of F-DPC" in messages


def test_unreadable_yaml_is_an_issue(tmp_path: Path) -> None:
    _, codes, _ = _load(tmp_path, {"crosswalks/broken.yaml": "funder: [unclosed\n"})
    assert codes == ["reference-unreadable"]


def test_project_folder_adds_and_overrides_taxonomy_entries(tmp_path: Path) -> None:
    extra = {
        "objective": [
            {"code": "ARTS", "name": "Arts and culture"},
            {"code": "PLACE", "name": "Town centres"},
        ]
    }
    uses_arts = CROSSWALK.replace("objective: PLACE", "objective: ARTS")
    reference, codes, _ = _load(
        tmp_path, {"taxonomy.yaml": yaml.safe_dump(extra), "crosswalks/f.yaml": uses_arts}
    )
    assert codes == [] and reference is not None
    themes = {t.code: t.name for t in reference.taxonomy.objective}
    assert themes["ARTS"] == "Arts and culture"
    assert themes["PLACE"] == "Town centres"
    assert "HEALTH" in themes and reference.taxonomy.subjective  # bundled entries kept


def test_float_shares_stay_exact(tmp_path: Path) -> None:
    text = CROSSWALK.replace('share: "80"', "share: 87.5").replace('share: "20"', "share: 12.5")
    path = _project(tmp_path, {"f.yaml": text}) / "f.yaml"
    walk, issues = load_crosswalk(path)
    assert issues == [] and walk is not None
    assert [t.share for t in walk.categories[1].to] == [Decimal("87.5"), Decimal("12.5")]


def test_label_normalisation() -> None:
    assert normalise_label("  Staff\u00a0 SALARIES\n") == "staff salaries"


def test_json_schemas_are_written(tmp_path: Path) -> None:
    written = write_json_schemas(tmp_path / "json")
    assert sorted(p.name for p in written) == [
        "calendars.schema.json",
        "crosswalk.schema.json",
        "indicators.schema.json",
        "reporting.schema.json",
        "taxonomy.schema.json",
        "tiers.schema.json",
    ]
    schema = json.loads((tmp_path / "json" / "crosswalk.schema.json").read_text())
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"funder", "version", "effective_from"}


def test_crosswalk_model_round_trips_through_yaml() -> None:
    walk = Crosswalk.model_validate(yaml.safe_load(CROSSWALK))
    again = Crosswalk.model_validate(yaml.safe_load(yaml.safe_dump(walk.model_dump(mode="json"))))
    assert again == walk

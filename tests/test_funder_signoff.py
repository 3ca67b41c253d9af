"""A funder's report is signed by the role that funder asks for (issue 13, item 1).

A lottery distributor or a trust has never heard of a "Section 151 officer": its grant agreement
names a contact who confirms the money went on the agreed purposes. The role comes from the
register's funder type; an unknown type gets wording that names no statutory role.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from fundflow.demo import bundled_sample_dir
from fundflow.ingest.importer import import_files
from fundflow.ingest.specs.registry import load_adapters
from fundflow.ledger.store import add_submission, open_ledger
from fundflow.mapping.reference import Reference
from fundflow.returns.funder import SIGNERS, UNKNOWN_SIGNER, sign_off_for
from fundflow.returns.model import SignOff
from fundflow.returns.write import write_return
from tests.test_return import built, reference, register, stream  # noqa: F401  (fixtures)

S151 = "Section 151"
NOT_STATUTORY = ("lottery_distributor", "charitable_trust", "eu_managing_authority")


def _streams(types: dict[str, str | None]) -> pl.DataFrame:
    return pl.DataFrame({"funder_id": list(types), "funder_type": list(types.values())},
                        schema={"funder_id": pl.String, "funder_type": pl.String})


def test_each_funder_type_gets_its_own_signer() -> None:
    frame = _streams({f"F-{code}": code for code in SIGNERS})
    for code, (role, statement) in SIGNERS.items():
        got = sign_off_for(f"F-{code}", frame)
        assert (got.role, got.statement) == (role, statement)
    for code in NOT_STATUTORY:
        assert S151 not in sign_off_for(f"F-{code}", frame).role
    assert S151 in sign_off_for("F-central_dept", frame).role


@given(st.one_of(st.none(), st.text(max_size=20).filter(lambda t: t not in SIGNERS)))
def test_an_unknown_type_names_no_statutory_role(code: str | None) -> None:
    got = sign_off_for("F-X", _streams({"F-X": code, "F-Y": "central_dept"}))
    assert (got.role, got.statement) == UNKNOWN_SIGNER
    assert S151 not in got.role


def test_conflicting_types_and_no_column_fall_back_to_neutral_wording() -> None:
    mixed = pl.DataFrame({"funder_id": ["F-X", "F-X"],
                          "funder_type": ["lottery_distributor", "central_dept"]})
    assert sign_off_for("F-X", mixed).role == UNKNOWN_SIGNER[0]
    assert sign_off_for("F-X", pl.DataFrame({"funder_id": ["F-X"]})).role == UNKNOWN_SIGNER[0]


def test_the_consolidated_return_keeps_the_partnership_sign_off() -> None:
    assert sign_off_for(None, _streams({"F-X": "lottery_distributor"})) == SignOff()


def test_a_lottery_funders_report_is_signed_by_its_grant_contact(
        tmp_path: Path, reference: Reference) -> None:  # noqa: F811
    batch = register([stream("S-A", "F-L", 100_000), stream("S-B", "F-D", 200_000)],
                     {"F-L": "Lottery", "F-D": "Department"})
    assert batch.funders is not None
    batch = dataclasses.replace(batch, funders=batch.funders.with_columns(
        funder_type=pl.Series(["lottery_distributor", None], dtype=pl.String)))
    with open_ledger(tmp_path / "l.duckdb") as con:
        add_submission(con, batch)
        lottery = built(con, reference, year="2025-26", funder="F-L")
        unknown = built(con, reference, year="2025-26", funder="F-D")
    assert lottery.cover.sign_off.role == SIGNERS["lottery_distributor"][0]
    assert unknown.cover.sign_off.role == UNKNOWN_SIGNER[0]
    write_return(lottery, tmp_path / "r.xlsx")
    cover = [[c for c in row if c is not None]
             for row in load_workbook(tmp_path / "r.xlsx")["Cover"].iter_rows(values_only=True)]
    assert ["Role", SIGNERS["lottery_distributor"][0]] in cover
    assert not any(S151 in str(v) for row in cover for v in row)


def test_the_sample_register_carries_funder_types(tmp_path: Path) -> None:
    sample = bundled_sample_dir()
    assert sample is not None
    path = next((sample / "register").glob("*.xlsx"))
    [result] = import_files([path], tmp_path / "l.duckdb", load_adapters()[0])
    assert result.status == "added", result
    rows: list[Any] = duckdb.connect(str(tmp_path / "l.duckdb"), read_only=True).sql(
        "SELECT funder_id, funder_type FROM funder").fetchall()
    types = dict(rows)
    assert types["F-NCLF"] == "lottery_distributor"
    assert all(types.values()), types

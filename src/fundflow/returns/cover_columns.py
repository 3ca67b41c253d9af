"""The return's interchange fields beside every figure of its Data sheet and CSV.

The JSON carries its cover once; the flat Data sheet and the CSV are read by machines that
see rows, often many partnerships' files stacked into one table. So each row also says which
return it belongs to: interchange version, partnership id, the return's year, quarter and
basis policy, the funder (a funder's report), the signing officer, and the hashes of its
figures and reference data. They follow the figure's own columns (`DATA_COLUMNS`), are the
same on every row, and are not part of the content hash, which stays the hash of the figures
and the cover key it always was: so `fundflow collect` can check a CSV's figures against
the hash it carries (`cover_of`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from fundflow.returns.model import Return

COVER_COLUMNS: tuple[str, ...] = (
    "return_schema_version", "return_partnership_id", "return_year", "return_quarter",
    "return_basis", "return_funder_id", "return_signer_role", "return_signer_name",
    "return_content_hash", "return_reference_hash",
)
"""After the figure's columns, in this order, on the Data sheet and in the CSV."""
COVER_TEXT = COVER_COLUMNS[1:]
"""The cover columns that are text (the first is the version, a whole number)."""


@dataclass(frozen=True)
class CoverFields:
    """A return's cover as its Data rows carry it (text; empty where the cover has none)."""

    schema_version: int
    partnership_id: str
    year: str
    quarter: str | None
    basis: str
    funder_id: str | None
    signer_role: str
    signer_name: str
    content_hash: str
    reference_hash: str


def cover_fields(ret: Return) -> CoverFields:
    """The fields of a return's cover its Data rows carry."""
    cover = ret.cover
    return CoverFields(
        schema_version=ret.schema_version, partnership_id=cover.partnership_id,
        year=cover.year, quarter=cover.quarter, basis=cover.basis, funder_id=cover.funder_id,
        signer_role=cover.sign_off.role, signer_name=cover.sign_off.name,
        content_hash=cover.content_hash, reference_hash=cover.reference_hash,
    )


def with_cover(frame: pl.DataFrame, ret: Return) -> pl.DataFrame:
    """The Data frame with the cover columns added (the same value on every row)."""
    fields = cover_fields(ret)
    values = [getattr(fields, name.removeprefix("return_")) for name in COVER_COLUMNS]
    return frame.with_columns(
        pl.lit(value, dtype=pl.Int64 if name == COVER_COLUMNS[0] else pl.String).alias(name)
        for name, value in zip(COVER_COLUMNS, values, strict=True))


def cover_of(records: list[dict[str, str]]) -> tuple[CoverFields | None, str | None]:
    """The cover the rows of a CSV carry, from their cover columns (text as read): None when
    the file has none (written before they existed), or a reason when its rows disagree."""
    if not records or COVER_COLUMNS[0] not in records[0]:
        return None, None
    seen = {tuple(r.get(name, "") for name in COVER_COLUMNS) for r in records}
    if len(seen) != 1:
        return None, "its rows carry more than one return's cover"
    values = dict(zip(COVER_COLUMNS, seen.pop(), strict=True))
    version = values["return_schema_version"]
    if not version.isdigit() or len(version) > 6:
        return None, f"its return_schema_version '{version[:20]}' is not a whole number"
    return CoverFields(
        schema_version=int(version), partnership_id=values["return_partnership_id"],
        year=values["return_year"], quarter=values["return_quarter"] or None,
        basis=values["return_basis"], funder_id=values["return_funder_id"] or None,
        signer_role=values["return_signer_role"], signer_name=values["return_signer_name"],
        content_hash=values["return_content_hash"],
        reference_hash=values["return_reference_hash"],
    ), None

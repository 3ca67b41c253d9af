"""Reading a partnership's return as a department receives it, and refusing what cannot be trusted.

A return arrives as the JSON `fundflow return` wrote (interchange versions in
`returns.model.INTERCHANGE_VERSIONS`) or as its Data CSV. Before anything reaches the ledger the
file must prove it is whole and unchanged: it parses to the end (a file cut short in an e-mail
is named as such), its version is one this fundflow reads, its figures and stream terms hash to
the values on its cover, it is the partnership's consolidated return (not one funder's report)
and its own reconciliation ties to the penny. Any failure is an issue and the file is refused;
nothing is written for it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from fundflow.collect import reader
from fundflow.issues import Issue, make_issue
from fundflow.money import pence_to_decimal_series
from fundflow.returns.cover_columns import CoverFields, cover_of
from fundflow.returns.csvout import read_csv_return
from fundflow.returns.data_table import DataTable, figures_hash
from fundflow.returns.model import (
    INTERCHANGE_VERSIONS,
    Return,
    content_hash,
    partnership_slug,
)

MAX_BYTES = 500 * 1024 * 1024
"""Largest return collected: 25x a return with a million figures; past it, a mistake or an
attack, not a partnership's return."""


@dataclass(frozen=True)
class Received:
    """A return that passed every check: its figures, and who and what period it is for.

    `ret` is None for a Data CSV (figures only, no cover, streams or hashes); its figures
    are `rows` (the Data sheet) and `other` (`other_data`, earlier years' figures not in
    the Data sheet), tables, never lists of row objects (a department reads thousands of
    returns): `ret.data` and `ret.other_data` may be empty (`reader`). `sha256` is of the
    file's bytes as read, so the ledger's record of the file is of exactly what was checked.
    """

    partnership_id: str
    partnership: str
    period: str
    rows: DataTable
    ret: Return | None
    other: DataTable = field(default_factory=DataTable.empty)
    sha256: str = ""


def receive(path: Path) -> tuple[Received | None, list[Issue]]:
    """Read and check one file; the return, or None and the issues that say why not."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [_unreadable(name, "it is larger than 500 MB")]
        suffix = path.suffix.lower()
        if suffix == ".json":
            return _receive_json(name, path.read_bytes())
        if suffix == ".csv":
            return _receive_csv(name, path)
    except OSError as exc:
        return None, [_unreadable(name, exc.strerror or type(exc).__name__)]
    return None, [_unreadable(name, "only a return's .json or Data .csv can be collected")]


def _receive_json(name: str, data: bytes) -> tuple[Received | None, list[Issue]]:
    """The figures straight into frames (`reader`); a file that route cannot vouch for is
    read by pydantic, which accepts what it always did and says what is wrong."""
    found = reader.read(data)
    if found is None:
        try:
            ret = Return.model_validate_json(data)
        except ValidationError as exc:
            return None, [_diagnose(name, data, exc)]
        other = DataTable.from_rows(ret.other_data)
        found = reader.Read(ret, ret.data, other, reader.canonical_rows(ret.data),
                            reader.canonical_rows(other))
    ret = found.ret
    if ret.schema_version not in INTERCHANGE_VERSIONS:
        return None, [_version(name, ret.schema_version)]
    problems = checks(name, found)
    if problems:
        return None, problems
    cover = ret.cover
    period = cover.year + (f" {cover.quarter}" if cover.quarter else "")
    pid = cover.partnership_id or partnership_slug(cover.partnership)
    return Received(pid, cover.partnership, period, found.rows, ret, found.other,
                    hashlib.sha256(data).hexdigest()), []


def checks(name: str, found: reader.Read) -> list[Issue]:
    """Why a parsed return cannot be collected: edited after writing, a funder's report, or
    not reconciling; empty when it can."""
    ret, cover = found.ret, found.ret.cover
    if cover.funder_id is not None or ret.funder_context is not None:
        return [make_issue("collect-funder-report", file=name, value=cover.funder_id or "")]
    key = {"partnership": cover.partnership, "year": cover.year, "quarter": cover.quarter,
           "basis": cover.basis, "funder": cover.funder_id}
    if figures_hash(key, [found.rows_json]) != cover.content_hash:
        return [make_issue("collect-tampered", file=name, part="figures",
                           expected=cover.content_hash[:12])]
    if ret.schema_version >= 2 and reader.context_hash(
            ret.stream_terms, found.other_json) != cover.context_hash:
        return [make_issue("collect-tampered", file=name, part="stream terms or earlier figures",
                           expected=cover.context_hash[:12])]
    return _reconciliation(name, ret, found.rows)


def _reconciliation(name: str, ret: Return, rows: DataTable) -> list[Issue]:
    """The return's own proof: every source file ties, and every figure's pounds and pence agree."""
    for row in ret.reconciliation:
        if row.difference != 0 or row.file_total - row.return_total != row.difference:
            return [make_issue("collect-return-unreconciled", file=name, value=row.file,
                               reason=f"its total is {row.file_total} in the file and "
                                      f"{row.return_total} in the return")]
    return _figures_reconcile(name, rows)


def _figures_reconcile(name: str, table: DataTable) -> list[Issue]:
    """Every figure's pounds and pence agree (a Data row edited in one but not the other)."""
    frame = table.frame.with_row_index("_row", offset=2)
    wrong = frame.filter(pence_to_decimal_series(frame["amount_pence"]) != frame["amount"])
    if wrong.height:
        n, amount, pence = wrong.select("_row", "amount", "amount_pence").row(0)
        return [make_issue("collect-return-unreconciled", file=name, value=f"Data row {n}",
                           reason=f"the amount {amount} is not its {pence} pence")]
    return []


def _receive_csv(name: str, path: Path) -> tuple[Received | None, list[Issue]]:
    """A return's Data CSV: its figures, and the cover its rows carry (checked as a JSON
    return's figures are); a CSV written before rows carried a cover is collected on its
    figures alone, its period the years they span."""
    try:
        found, covers = read_csv_return(path)
        rows = DataTable.from_rows(found)
    except (ValueError, UnicodeDecodeError, KeyError) as exc:
        return None, [_unreadable(name, _first_line(exc))]
    names = set(rows.frame["partnership"].unique())
    if len(names) != 1:
        reason = ("it has no figures" if not names
                  else "its rows name more than one partnership")
        return None, [_unreadable(name, reason)]
    partnership = names.pop()
    cover, problem = cover_of(covers)
    if problem is not None:
        return None, [_unreadable(name, problem)]
    issue = make_issue("collect-no-streams", file=name)
    if cover is None:
        years = sorted(y for y in rows.frame["year"].unique() if y)
        period = " … ".join(dict.fromkeys([years[0], years[-1]])) if years else "all"
        return Received(partnership_slug(partnership), partnership, period, rows, None), [issue]
    problems = _csv_checks(name, partnership, cover, rows)
    if problems:
        return None, problems
    period = cover.year + (f" {cover.quarter}" if cover.quarter else "")
    pid = cover.partnership_id or partnership_slug(partnership)
    return Received(pid, partnership, period, rows, None), [issue]


def _csv_checks(name: str, partnership: str, cover: CoverFields,
                rows: DataTable) -> list[Issue]:
    """Why a CSV with a cover cannot be collected: an unknown version, a funder's report,
    figures changed since it was written, or pounds and pence that disagree."""
    if cover.schema_version not in INTERCHANGE_VERSIONS:
        return [_version(name, cover.schema_version)]
    if cover.funder_id is not None:
        return [make_issue("collect-funder-report", file=name, value=cover.funder_id)]
    key = {"partnership": partnership, "year": cover.year, "quarter": cover.quarter,
           "basis": cover.basis, "funder": cover.funder_id}
    if content_hash(key, rows) != cover.content_hash:
        return [make_issue("collect-tampered", file=name, part="figures",
                           expected=cover.content_hash[:12])]
    return _figures_reconcile(name, rows)


def _diagnose(name: str, data: bytes, exc: ValidationError) -> Issue:
    """The clearest reason a JSON file is not a return: cut short, another version, or which
    field is wrong."""
    first = exc.errors()[0] if exc.errors() else None
    if first is not None and first["type"] == "json_invalid":
        if "EOF" in first["msg"]:  # the parser ran out of file inside the document
            return make_issue("collect-truncated", file=name, value=f"{len(data):,} bytes")
        return _unreadable(name, "it is not JSON: " + first["msg"])
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        return _unreadable(name, "it is not JSON: " + _first_line(error))
    if isinstance(document, dict):
        version = document.get("schema_version")
        if isinstance(version, int) and version not in INTERCHANGE_VERSIONS:
            return _version(name, version)
    where = ".".join(str(p) for p in first["loc"]) if first else "?"
    what = first["msg"] if first else _first_line(exc)
    return _unreadable(name, f"it is not a fundflow return ({where}: {what})")


def _version(name: str, version: int) -> Issue:
    return make_issue("collect-version-unknown", file=name, value=str(version),
                      expected=", ".join(str(v) for v in sorted(INTERCHANGE_VERSIONS)))


def _unreadable(name: str, reason: str) -> Issue:
    return make_issue("collect-unreadable", file=name, reason=reason[:200])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

"""The Transactions sheet written in bulk (`xlsx_entries`) is the sheet written cell by cell.

The cell-by-cell route (`xlsx_kit.Sheet.rows`, which wrote the sheet before) is kept here as
the oracle: both write the same entries into a workbook of their own, and every part of the
two files but the time stamp must be the same bytes (sheet XML, row heights, styles and the
order their indices were given), but for one thing made right: an amount's value. The old
route wrote `%.16G` of the amount as a float, which shows 8.28 as 8.279999999999999; the bulk
rows write the exact decimal (8.28), which Excel reads as the double nearest to it, the one
`float` made. So each amount cell's value is checked apart: the exact amount, whose float is
the one the old route wrote.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.returns.labels import cap_rev_name, category_name, measure_name
from fundflow.returns.model import EntryRow, EntryTable, ReconRow, Return
from fundflow.returns.xlsx_entries import COLUMNS, write_entries
from fundflow.returns.xlsx_kit import Book, measure

_LETTERS = st.characters(codec="utf-8", exclude_categories=("Cs",))
_AWKWARD = st.sampled_from([
    "", " ", "=SUM(A1)", "+44 1632", "-5", "@user", "\tx", "\rx", "'quoted", " lead", "trail ",
    "_x0041_", "a_x00e9_b", "<r>x</r>", "<r><t>x</t></r></is></c><c><f>1+1</f></c><r></r>",
    "a & b < c > d", "bell\x07ring", "nul\x00", "\ufffe\uffff", "line\nbreak\r\nend",
    "ＳＵＭ", "\uff1d1", "😀 astral", "Capital", "CCTV installation and upgrades at the "
    "depot, the park and the three car parks on the ring road (phase two)",
    "word " * 40, "W" * 45, "x" * 17_000, "😀" * 16_500, "<r>" + "😀" * 16_400 + "</r>"])
_PIECES = st.sampled_from(["Aa", "bb", "CC", "d", "Eeee", "_x0041_", "_x00zz_", "&", "<", ">",
                           "<r>", "</r>", "\n", "\t", "\r", " ", "é", "=", "-", "'", "£1.50",
                           "\x0b", "\u3000", "\u00a0", "\u2028", "\u0085", "😀"])
_TEXT = st.one_of(st.text(_LETTERS, max_size=14), _AWKWARD,
                  st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=20),
                  st.lists(_PIECES, max_size=12).map("".join),
                  st.lists(_PIECES, max_size=30).map(" ".join))
_FILES = ["sub-1", "sub-2"]


@st.composite
def entries(draw: st.DrawFn) -> EntryRow:
    return EntryRow(
        stream_id=draw(st.text(_LETTERS, min_size=1, max_size=8) | st.sampled_from(["=S"])),
        date=draw(st.none() | st.dates(date(1900, 1, 1), date(2090, 12, 31))),
        period_label=draw(_TEXT), description=draw(st.none() | _TEXT),
        funder_category=draw(st.none() | _TEXT),
        category=draw(st.sampled_from(["E01", "SPEND-STAFF", "", "zz"]) | _TEXT),
        cap_rev=draw(st.sampled_from(["capital", "revenue", "unspecified"]) | _TEXT),
        measure=draw(st.sampled_from(["spend", "carry_forward", "receipt"]) | _TEXT),
        state=draw(_TEXT), basis=draw(_TEXT),
        amount=draw(st.decimals(-10**12, 10**12, places=2)),
        source=draw(st.sampled_from([*_FILES, "sub-gone"]) | _TEXT),
        sheet=draw(st.none() | _TEXT), cell=draw(st.none() | _TEXT))


def _return(rows: list[EntryRow], total: int) -> Return:
    recon = [ReconRow.model_construct(submission_id=sid, file=f"{sid} =file & <name>.xlsx")
             for sid in _FILES]
    return Return.model_construct(entries=EntryTable.from_rows(rows), entries_total=total,
                                  reconciliation=recon)


def _cell_by_cell(book: Book, ret: Return) -> None:
    """The Transactions sheet as `xlsx.py` wrote it before it was made in bulk."""
    cols = COLUMNS
    files = {r.submission_id: r.file for r in ret.reconciliation}
    shown = ret.entries
    rows = [(e.stream_id, e.date, e.period_label, e.description, e.funder_category,
             f"{e.category} {category_name(e.category)}".strip(), cap_rev_name(e.cap_rev),
             f"{measure_name(e.measure)}, {e.state}, {e.basis}",
             _source(files.get(e.source, e.source), e.sheet, e.cell), e.amount) for e in shown]
    note = "Each entry as imported, with the sheet and cell it came from."
    if ret.entries_total > len(shown):
        note += (f" The first {len(shown):,} of {ret.entries_total:,} entries are shown; all "
                 "of them are in the Finance and Data totals and in "
                 "`fundflow export --parquet`.")
    sheet = book.sheet("Transactions", header_rows=(3, 3),
                       widths=measure(cols, rows, widest=30))
    sheet.heading("Transaction list (Tier 3 streams)", note)
    sheet.header(cols)
    sheet.rows(cols, rows)


def _source(file: str, sheet: str | None, cell: str | None) -> str:
    where = "!".join(part for part in (sheet, cell) if part)
    return f"{file}, {where}" if where else file


_AMOUNT = re.compile(rb'(<c r="J(?:[5-9]|[1-9][0-9]+)" s="[0-9]+"><v>)([^<]*)(</v></c>)')
"""An Amount cell below the Transactions sheet's heading rows, its value apart."""


def _amounts(parts: dict[str, bytes]) -> list[str]:
    """The amount cells' values, taken out of the sheet's XML (left as `<v>#</v>`)."""
    name = "xl/worksheets/sheet2.xml" if "xl/worksheets/sheet2.xml" in parts else (
        "xl/worksheets/sheet1.xml")
    found = [m.group(2).decode() for m in _AMOUNT.finditer(parts[name])]
    parts[name] = _AMOUNT.sub(rb"\1#\3", parts[name])
    return found


def _exact(amount: Decimal) -> str:
    """An amount's exact decimal text, as Excel would show it in General format."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _same_parts(ret: Return, tmp_path: Path, before: bool) -> None:
    bulk = _parts(tmp_path / "bulk.xlsx", ret, True, before)
    cells = _parts(tmp_path / "cells.xlsx", ret, False, before)
    exact, floated = _amounts(bulk), _amounts(cells)
    assert exact == [_exact(e.amount) for e in ret.entries]
    assert floated == [f"{float(Decimal(v)):.16G}" for v in exact]
    assert bulk.keys() == cells.keys()
    for name in cells:
        assert bulk[name] == cells[name], name


def _parts(path: Path, ret: Return, bulk: bool, before: bool) -> dict[str, bytes]:
    book = Book(path, "Transactions test")
    if before:  # a sheet before it gives some of its styles their indices first
        other = book.sheet("Other", header_rows=None, widths=[10, 10])
        other.line(("wrapped text", "text", "wrap"), (Decimal("1.50"), "money", "body"))
    if bulk:
        write_entries(book, ret)
    else:
        _cell_by_cell(book, ret)
    book.save()
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(rows=st.lists(entries(), min_size=1, max_size=12), more=st.integers(0, 2),
       before=st.booleans())
def test_bulk_transactions_sheet_is_the_cell_by_cell_sheet(
        rows: list[EntryRow], more: int, before: bool, tmp_path: Path) -> None:
    _same_parts(_return(rows, len(rows) + more), tmp_path, before)


def test_a_long_list_measured_and_wrapped_as_before(tmp_path: Path) -> None:
    """More rows than `measure` samples (widths from 300 of them, and the last), rows that
    wrap to many lines, and money to the largest pence."""
    words = ["Street", "lighting", "CCTV", "=x", "upgrades", "&", "<b>", "PHASE", "two"]
    rows = [EntryRow(
        stream_id=f"S-{i % 7}", date=None if i % 11 == 0 else date(2025, 4 + i % 9, 1 + i % 28),
        period_label=f"2025-26 Q{1 + i % 4}", description=" ".join(words[: i % 9] * (i % 5)),
        funder_category=None if i % 3 else f"Cat {i % 13}", category=f"E{i % 17:02d}",
        cap_rev=("capital", "revenue", "unspecified")[i % 3], measure="spend", state="actual",
        basis="defrayed", amount=Decimal(i * 7919 - 10**6).scaleb(-2) * (10**10 if i == 5
                                                                         else 1),
        source=_FILES[i % 2], sheet="Claims" if i % 4 else None, cell=f"F{i + 12}")
        for i in range(1_000)]
    _same_parts(_return(rows, 5_000), tmp_path, True)

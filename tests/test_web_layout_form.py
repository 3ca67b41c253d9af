"""The layout form round-trips to the spec: what is chosen in it is what the YAML then says.

Pure functions, no server: the form drawn from a draft, changes written back by
`apply_changes`, the YAML validated by the same `AdapterSpec` and the form drawn again.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fundflow.ingest.grid import Workbook
from fundflow.ingest.guard import Limits
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.specs.fields import fields_of
from fundflow.ingest.suggest import suggest_spec
from fundflow.web.layout import parse_draft
from fundflow.web.layout_apply import apply_changes, changes, known_key
from fundflow.web.layout_form import SpecForm, build_form
from tests.test_web_layout import UNKNOWN
from tests.web_helpers import ROOT

FINANCE = sorted(d.name for d in fields_of("finance") if d.name != "funder_id")  # a constant here
CONVENTIONS = ["UK_FY", "CALENDAR"]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Workbook]:
    path = tmp_path_factory.mktemp("form") / "wx_claim.csv"
    path.write_bytes(UNKNOWN)
    workbook, _ = read_workbook(path, Limits())
    assert workbook is not None
    return suggest_spec(path).yaml, workbook


def _form(text: str, workbook: Workbook) -> SpecForm:
    spec = parse_draft(text)
    assert not isinstance(spec, str), spec
    return build_form(spec, workbook, CONVENTIONS)


def test_an_unchanged_form_keeps_the_yaml_as_it_is(drafted: tuple[str, Workbook]) -> None:
    text, workbook = drafted
    posted = _form(text, workbook).values()
    assert changes(_form(text, workbook).values(), posted) == {}
    assert apply_changes(text, {}, posted) == (text, [])


@settings(max_examples=60, deadline=None)
@given(chosen=st.lists(st.sampled_from(["", *FINANCE]), min_size=4, max_size=4),
       funder=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl",
                                                                          "Zp")),
                      min_size=1, max_size=12),
       end_rows=st.integers(1, 30), row=st.integers(1, 3))
@example(chosen=["", "period", "stream_id", "amount"], funder="1", end_rows=2, row=1)
def test_what_the_form_chooses_is_what_the_spec_then_says(
        drafted: tuple[str, Workbook], chosen: list[str], funder: str, end_rows: int,
        row: int) -> None:
    text, workbook = drafted
    form = _form(text, workbook)
    posted = form.values()
    posted.update({f"t0.col.{n}": name for n, name in enumerate(chosen)})
    posted.update({"t0.const.funder_id": funder, "t0.end_blank_rows": str(end_rows),
                   "t0.header_row": str(row)})
    assert all(known_key(k) for k in posted)
    new, errors = apply_changes(text, changes(form.values(), posted), posted)
    picked = [c for c in chosen if c]
    if len(set(picked)) < len(picked):
        assert any("Two columns are read as" in e.message for e in errors)
        return
    assert errors == []
    spec = parse_draft(new)
    if isinstance(spec, str):  # the form can leave out what a table needs: the spec says so
        assert "amount" not in chosen and "needs the field `amount`" in spec, spec
        return
    table = spec.tables[0]
    assert table.header.row == row and table.end.blank_rows == end_rows
    assert table.fields["funder_id"].const == funder.strip()
    read = {name: str(src.column) for name, src in table.fields.items() if src.column}
    headers = ["Grant ref", "Quarter", "Cost heading", "Amount"]
    assert read == {name: headers[n] for n, name in enumerate(chosen) if name}
    if row == 1:  # the header row is still the one with these headings: the form shows them
        again = _form(new, workbook).values()
        assert [again[f"t0.col.{n}"] for n in range(4)] == chosen
        assert again["t0.const.funder_id"] == funder.strip()


def test_the_columns_are_found_where_the_importer_finds_the_table() -> None:
    """A header found by its anchor text, in a wide table: the value columns are marked as
    such (set in the YAML), the others offer the fields, and a choice round-trips."""
    path = ROOT / "sample_data" / "returns" / "dpc" / "LPF_Q1_2025-26_Eastbrook.xlsx"
    workbook, _ = read_workbook(path, Limits())
    assert workbook is not None
    text = suggest_spec(path).yaml
    assert text is not None and "anchor" in text and "shape: wide" in text
    table = _form(text, workbook).tables[0]
    columns = {c.header: (c.letter, c.field, c.unpivoted) for c in table.columns}
    assert columns["Spend line"] == ("C", "category", False)
    assert columns["Financial year 2025 to 2026, (Apr to Jun), Actual"] == ("E", "", True)
    posted = _form(text, workbook).values()
    assert "t0.col.2" not in posted  # a value column has no choice to post
    posted["t0.col.0"] = "description"
    new, errors = apply_changes(text, changes(_form(text, workbook).values(), posted), posted)
    assert errors == []
    again = {c.header: c.field for c in _form(new, workbook).tables[0].columns}
    assert again["Spend line"] == "description"

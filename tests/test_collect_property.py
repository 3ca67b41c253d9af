"""Property: a return then collect gives back exactly the partnership's ledger figures, per
partnership, stream, quarter, category and basis, whatever the figures and ids."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from unittest.mock import patch

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.collect import collect_file
from fundflow.collect.frames import unscoped
from fundflow.collect.views import department, partnership_books
from fundflow.ledger.store import add_submission, open_ledger
from fundflow.mapping.book import Book
from fundflow.returns import analysis_hook
from fundflow.returns.build import book_for, return_of
from fundflow.returns.write import write_return
from tests.test_collect import make_reference
from tests.test_return import entry, finance, register, stream

REFERENCE = make_reference()
PERIODS = [(date(2025, m, 1), date(2025 + (m + 2) // 13, (m + 2) % 12 or 12, 28))
           for m in (4, 7, 10)] + [(date(2025, 5, 1), date(2025, 5, 31)),
                                   (date(2024, 10, 1), date(2025, 3, 31)),
                                   (date(2026, 1, 1), date(2026, 3, 31))]
KEYS = ["stream_id", "year", "quarter", "subjective", "basis", "measure", "state"]

figures = st.lists(st.tuples(
    st.sampled_from(["S-1", "S-2"]), st.sampled_from(PERIODS),
    st.sampled_from(["Staff", "Rent", "Works"]),
    st.sampled_from(["spend", "forecast", "receipt"]),
    st.sampled_from(["defrayed", "accrued", None]),
    st.integers(min_value=-500_000, max_value=90_000_000)), min_size=1, max_size=12)


def _ledger(con: Any, name: str, rows: list[tuple[Any, ...]], files: int) -> None:
    batch = register([stream("S-1", "F-1", 900_000_000), stream(
        "S-2", "F-2", 300_000_000, accounting_basis=None)], {"F-1": "One", "F-2": "Two"})
    batch = batch.__class__(**{**batch.__dict__, "file_sha256": name + batch.file_sha256[8:],
                               "partnerships": pl.DataFrame({"partnership_id": [name.lower()],
                                                             "name": [name]})})
    add_submission(con, batch)
    for n in range(files):
        chunk = rows[n::files]
        for sid in ("S-1", "S-2"):
            entries = [entry(amount, start, end, label, basis=basis,
                             measure=measure if measure != "forecast" else "spend",
                             state="forecast" if measure == "forecast" else "actual")
                       for s, (start, end), label, measure, basis, amount in chunk if s == sid]
            if entries:
                add_submission(con, finance(sid, f"F-{sid[-1]}", f"P{n}", entries, salt=name))


def _figures(book: Book, scoped: bool) -> dict[tuple[Any, ...], int]:
    frame = book.finance.filter(pl.col("on_basis") & pl.col("month").is_not_null())
    if scoped:
        frame = frame.with_columns(pl.col("stream_id").map_elements(
            lambda s: unscoped(s)[1], return_dtype=pl.String))
    sums = frame.group_by(KEYS).agg(pl.col("amount_pence").sum())
    return {tuple(r[:-1]): int(r[-1]) for r in sums.iter_rows() if r[-1]}


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(first=figures, second=figures, files=st.integers(min_value=1, max_value=2))
def test_return_then_collect_gives_the_ledger_figures_back(
        first: list[tuple[Any, ...]], second: list[tuple[Any, ...]], files: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, patch.object(
            analysis_hook, "_headline_function", lambda: None):
        folder = Path(tmp)
        own = {}
        for name, rows in (("Eastbrook", first), ("Westmere", second)):
            with open_ledger(folder / f"{name}.duckdb") as con:
                _ledger(con, name, rows, files)
                book = book_for(con, "2025-26", reference=REFERENCE)
            own[name.lower()] = _figures(book, scoped=False)
            write_return(return_of(book), folder / f"{name}.json")
        with open_ledger(folder / "dept.duckdb") as con:
            for name in ("Eastbrook", "Westmere"):
                result = collect_file(con, folder / f"{name}.json")
                assert result.status == "collected", result.issues
            dept = department(con, REFERENCE, book.period)
            collected = {pid: _figures(b, scoped=True) for pid, b in partnership_books(dept)}
    assert collected == own

"""The Ledger page: what the ledger holds, drawn from the Book like `ledger summary`.

Streams with their conditions, the current submissions (which file, which adapter, what it
replaced) and the counted totals per funder, measure and state: the same figures as
`fundflow ledger summary`, because both come from `summary.totals` over one Book.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fundflow.ledger.read import counts, finance_figures, submission_history
from fundflow.ledger.store import LedgerError, open_ledger
from fundflow.mapping.book import build_book
from fundflow.mapping.reference import ReferenceDataError, bundled_reference
from fundflow.money import format_gbp
from fundflow.summary import ledger_period, totals
from fundflow.web.app import page, problem
from fundflow.web.workbench import Busy, Workbench, said_of

STREAM_COLUMNS = (("stream_id", "Stream"), ("name", "Name"), ("funder_name", "Funder"),
                  ("tier", "Tier"), ("basis", "Basis"), ("ring_fence_type", "Ring-fence"),
                  ("start_date", "Start"), ("end_date", "End"),
                  ("reporting_frequency", "Reports"))
SUBMISSION_COLUMNS = (("submission_id", "Figures"), ("file_name", "File"),
                      ("adapter_id", "Read with"),
                      ("funder_id", "Funder"), ("funder_period", "Period"),
                      ("imported_at", "Imported"), ("entry_count", "Entries"),
                      ("amount_total", "Total"))

HISTORY_COLUMNS = (("imported_at", "Imported"), ("file_name", "File"),
                   ("funder_period", "Period"), ("replaces_file", "Replaced"),
                   ("replaced_by_file", "Replaced by"))


async def ledger_page(request: Request) -> Response:
    """Counts, streams, submissions and totals; a missing ledger says how to start one."""
    bench: Workbench = request.app.state.bench
    try:
        reference = bundled_reference(())
        with bench.reading(), open_ledger(bench.settings.ledger, read_only=True) as con:
            number = counts(con)
            book = build_book(con, reference, ledger_period(con, reference))
            history = submission_history(con)
    except (Busy, LedgerError, ReferenceDataError) as exc:
        return _unreadable(request, exc, "the ledger", missing_is_empty=True)
    streams = _rows(book.streams.to_dicts(), STREAM_COLUMNS)
    submissions = _rows(book.submissions.to_dicts(), SUBMISSION_COLUMNS)
    return page(request, "ledger.html.j2", counts=number, streams=streams,
                submissions=submissions, totals=totals(book),
                history=_rows(history.to_dicts(), HISTORY_COLUMNS),
                history_headers=[h for _, h in HISTORY_COLUMNS],
                stream_headers=[h for _, h in STREAM_COLUMNS],
                submission_headers=[h for _, h in SUBMISSION_COLUMNS])


def _unreadable(request: Request, exc: Exception, shows: str, *,
                missing_is_empty: bool = False) -> Response:
    """The page for a ledger that cannot be read now: busy importing, missing, damaged, or
    reference data with errors; one wording for every ledger page."""
    if isinstance(exc, Busy):
        return problem(request, 503, "The ledger is busy", "Files are being imported; this "
                       f"page will show {shows} when they are done.", refresh=5)
    if isinstance(exc, ReferenceDataError):
        return problem(request, 500, "The reference data has errors",
                       "; ".join(i.message for i in exc.issues))
    if missing_is_empty and isinstance(exc, LedgerError) and exc.code == "ledger-missing":
        return problem(request, 200, "Nothing imported yet", "The ledger is empty: "
                       "upload the funders' spreadsheets on the Files page first.")
    return problem(request, 409, "The ledger cannot be read",
                   said_of(exc) if isinstance(exc, LedgerError) else str(exc))


def _rows(records: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> list[list[str]]:
    """Each record's wanted columns as text; a column the ledger lacks is blank."""
    out = []
    for record in records:
        row = []
        for key, _ in columns:
            value = record.get(key)
            if key == "amount_total" and value is not None:
                value = format_gbp(int(value * 100))
            elif isinstance(value, datetime):
                value = value.strftime("%d %b %Y %H:%M")
            row.append("" if value is None else str(value))
        out.append(row)
    return out


MAX_FIGURES = 2_000  # figures listed on one file's page
FIGURE_COLUMNS = ("source_sheet", "source_cell", "stream_id", "period_label", "measure",
                  "state", "stated_basis", "funder_category", "entries", "amount_pence")


async def figures_page(request: Request) -> Response:
    """One file's figures in the ledger, each with the sheet and cell it came from."""
    bench: Workbench = request.app.state.bench
    wanted = request.path_params["submission_id"]
    try:
        with bench.reading(), open_ledger(bench.settings.ledger, read_only=True) as con:
            history = submission_history(con)
            figures = finance_figures(con)
    except (Busy, LedgerError) as exc:
        return _unreadable(request, exc, "the figures")
    found = history.filter(pl.col("submission_id") == wanted)
    if not found.height:
        return problem(request, 404, "No such file in the ledger", "The ledger has no file "
                       "by this address; see the Ledger page for the files it has.")
    mine = figures.filter(pl.col("submission_id") == wanted)
    rows = [[_cell(key, value) for key, value in zip(FIGURE_COLUMNS, row, strict=True)]
            for row in mine.select(FIGURE_COLUMNS).head(MAX_FIGURES).iter_rows()]
    return page(request, "figures.html.j2", file=found.row(0, named=True), rows=rows,
                total=mine.height, shown=min(mine.height, MAX_FIGURES))


TOTAL_KEYS = ("funder_id", "measure", "state", "basis")


async def total_page(request: Request) -> Response:
    """The figures behind one total of the Ledger page, each with its file, sheet and cell:
    the same counted rows `summary.totals` adds up, so the listed amounts sum to the total."""
    bench: Workbench = request.app.state.bench
    wanted = {key: request.query_params.get(key, "") for key in TOTAL_KEYS}
    try:
        reference = bundled_reference(())
        with bench.reading(), open_ledger(bench.settings.ledger, read_only=True) as con:
            book = build_book(con, reference, ledger_period(con, reference))
            figures = finance_figures(con)
            history = submission_history(con)
    except (Busy, LedgerError, ReferenceDataError) as exc:
        return _unreadable(request, exc, "the figures")
    match = pl.all_horizontal(pl.col(key) == value for key, value in wanted.items())
    counted = (book.finance.filter(pl.col("counted") & match)
               .group_by("submission_id", "row_no").agg(pl.col("amount_pence").sum()))
    if not counted.height:
        return problem(request, 404, "No such total in the ledger", "The ledger has no counted "
                       "figures for this funder, measure, state and basis; see the Ledger page.")
    where = figures.select("submission_id", "row_no", "source_sheet", "source_cell",
                           "stream_id", "period_label")
    names = history.select("submission_id", "file_name")
    rows = (counted.join(where, on=["submission_id", "row_no"], how="left")
            .join(names, on="submission_id", how="left")
            .sort("file_name", "source_sheet", "row_no"))
    listed = [[str(r["file_name"] or ""), str(r["source_sheet"] or ""),
               str(r["source_cell"] or ""), str(r["stream_id"] or ""),
               str(r["period_label"] or ""), format_gbp(int(r["amount_pence"])),
               str(r["submission_id"])] for r in rows.head(MAX_FIGURES).iter_rows(named=True)]
    return page(request, "total.html.j2", wanted=wanted, rows=listed, total=rows.height,
                shown=min(rows.height, MAX_FIGURES),
                amount=format_gbp(int(counted["amount_pence"].sum())))


def _cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key == "amount_pence":
        return format_gbp(int(value))
    return str(value)


ROUTES = [
    Route("/ledger", ledger_page, name="ledger"),
    Route("/ledger/files/{submission_id:str}", figures_page, name="figures"),
    Route("/ledger/totals", total_page, name="total"),
]

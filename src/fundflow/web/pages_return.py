"""The Return page: choose year, quarter and basis, see the return, download it.

The return shown is `returns.html.render_html`, the very page `fundflow return --out x.html`
writes, in a sandboxed frame under its own strict policy; the downloads are written by
`write_return`, as the CLI writes them, so the page and the command never differ. A return
that does not reconcile to the ledger is not offered, as the CLI writes none.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from fundflow.ledger.read import Contents, contents
from fundflow.ledger.store import LedgerError, open_ledger
from fundflow.mapping.reference import ReferenceDataError, bundled_reference
from fundflow.returns.build import build_return, unreconciled
from fundflow.returns.html import render_html
from fundflow.returns.model import Return
from fundflow.returns.write import write_return
from fundflow.web.app import page, problem
from fundflow.web.security import RETURN_CSP
from fundflow.web.workbench import Busy, Workbench, said_of

FORMATS = ("xlsx", "html", "json", "csv")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
BASES = ("defrayed", "accrued", "committed", "claimed")
_YEAR = re.compile(r"\d{4}-\d{2}")


@dataclass(frozen=True)
class Choice:
    """The return asked for, from the query string; anything unknown is left out."""

    year: str | None
    quarter: str | None
    basis: str | None
    funder: str | None

    @classmethod
    def of(cls, request: Request, known: Contents) -> Choice:
        q = request.query_params
        year = q.get("year") if q.get("year") in known.years else None
        return cls(year or (known.years[-1] if known.years else None),
                   q.get("quarter") if q.get("quarter") in QUARTERS else None,
                   q.get("basis") if q.get("basis") in BASES else None,
                   q.get("funder") if q.get("funder") in known.funders else None)

    def query(self, **more: str) -> str:
        parts = {"year": self.year, "quarter": self.quarter, "basis": self.basis,
                 "funder": self.funder, **more}
        return "&".join(f"{k}={v}" for k, v in parts.items() if v)


class _Said(Exception):
    """A page that says why no return could be made (raised inside, shown by the route)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _build(bench: Workbench, request: Request) -> tuple[Choice, Contents, Return | None]:
    """The choice and, when a year is known, its return; raises `_Said` for what stops it."""
    try:
        reference = bundled_reference(())
        with bench.reading(), open_ledger(bench.settings.ledger, read_only=True) as con:
            known = contents(con)
            choice = Choice.of(request, known)
            if choice.year is None:
                return choice, known, None
            ret = build_return(con, choice.year, choice.quarter, choice.funder,
                               basis=choice.basis, reference=reference)
    except Busy as exc:
        raise _Said(503, "The ledger is busy", "Files are being imported; the return will "
                    "be ready when they are done. This page tries again by itself.") from exc
    except LedgerError as exc:
        if exc.code == "ledger-missing":
            raise _Said(200, "Nothing imported yet", "The ledger is empty: upload the "
                        "funders' spreadsheets on the Files page first.") from exc
        raise _Said(409, "The ledger cannot be read", said_of(exc)) from exc
    except ReferenceDataError as exc:
        raise _Said(500, "The reference data has errors",
                    "; ".join(i.message for i in exc.issues)) from exc
    if unreconciled(ret):
        raise _Said(409, "The return does not reconcile", "The return's totals do not tie "
                    "to the ledger, so fundflow offers none. Run `fundflow return` in a "
                    "terminal to see which file does not reconcile.")
    return choice, known, ret


def _said(request: Request, said: _Said) -> Response:
    return problem(request, said.status, said.title, said.message,
                   refresh=5 if said.status == 503 else None)


async def return_page(request: Request) -> Response:
    """The choice form, the return in a frame, and the downloads."""
    bench: Workbench = request.app.state.bench
    try:
        choice, known, ret = _build(bench, request)
    except _Said as said:
        return _said(request, said)
    return page(request, "return.html.j2", choice=choice, known=known, ret=ret,
                quarters=QUARTERS, bases=BASES, formats=FORMATS)


async def return_view(request: Request) -> Response:
    """The return's own page, exactly as `fundflow return --out x.html` writes it."""
    bench: Workbench = request.app.state.bench
    try:
        _, _, ret = _build(bench, request)
    except _Said as said:
        return _said(request, said)
    if ret is None:
        return problem(request, 404, "No return", "The ledger has no figures for a year yet.")
    return HTMLResponse(render_html(ret), headers={"content-security-policy": RETURN_CSP})


async def return_download(request: Request) -> Response:
    """The return (or a funder's report) as a file in the format asked for."""
    bench: Workbench = request.app.state.bench
    kind = request.path_params["kind"]
    if kind not in FORMATS:
        return problem(request, 404, "No such format", f"Choose one of {', '.join(FORMATS)}.")
    try:
        choice, _, ret = _build(bench, request)
    except _Said as said:
        return _said(request, said)
    if ret is None:
        return problem(request, 404, "No return", "The ledger has no figures for a year yet.")
    folder = bench.folder / f"out-{secrets.token_hex(8)}"
    folder.mkdir(mode=0o700)
    name = _file_name(choice, kind)
    written = write_return(ret, folder / name)
    return FileResponse(written.path, filename=name, media_type="application/octet-stream",
                        background=BackgroundTask(_remove, folder))


def _file_name(choice: Choice, kind: str) -> str:
    """`return_2025-26_Q2.xlsx`, `report_F-DPC_2025-26.json`: from checked choices only."""
    stem = f"report_{choice.funder}" if choice.funder else "return"
    parts = [stem, choice.year or "", choice.quarter or "", choice.basis or ""]
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", "_".join(p for p in parts if p))
    return f"{safe}.{kind}"


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink(missing_ok=True)
    folder.rmdir()


ROUTES = [
    Route("/return", return_page, name="return"),
    Route("/return/view", return_view, name="return_view"),
    Route("/return/download.{kind:str}", return_download, name="return_download"),
]

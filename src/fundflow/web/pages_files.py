"""The Files and Problems pages: upload, watch the import, see each problem on its cell.

Outcomes get distinct headings, as the MHCLG service does: files that could not be read,
files with errors to fix, files imported. The Problems page starts with an error summary whose
entries link to the grid of each cell, and ends with the re-upload control, so the officer's
loop is fix, upload again, repeat, on one page.
"""

from __future__ import annotations

import shutil

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from fundflow.web.app import page, problem
from fundflow.web.uploads import UploadRefused, receive
from fundflow.web.workbench import Busy, FileView, Run, Workbench

OUTCOME = {
    "added": "Imported", "superseded": "Imported: replaces an earlier return",
    "unchanged": "Unchanged: imported before", "failed": "Not imported: has errors to fix",
    "checked": "Checked",
}
BUSY = ("Another upload is being imported into the ledger. Wait for it to finish (its page "
        "shows its progress), then send these files again.")


def _bench(request: Request) -> Workbench:
    bench: Workbench = request.app.state.bench
    return bench


async def files(request: Request) -> Response:
    """The Files page: the upload form and the latest uploads, newest first."""
    bench = _bench(request)
    return page(request, "files.html.j2", runs=list(reversed(bench.runs.values())),
                outcome=OUTCOME, error=None)


async def upload(request: Request) -> Response:
    """Take the files (streamed to a private folder) and start importing them."""
    bench = _bench(request)
    folder = bench.new_upload_folder()
    try:
        received = await receive(request.stream(), request.headers.get("content-type", ""),
                                 folder, limit=bench.settings.max_upload_bytes,
                                 csrf=bench.csrf)
        if not received.files:
            raise UploadRefused(
                "The folder has no spreadsheets (.xlsx, .xlsm, .xls, .ods, .csv) to read."
                if received.left_out else
                "Select one or more spreadsheets, a folder, or a .zip of a folder.")
    except UploadRefused as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return page(request, "files.html.j2", exc.status, runs=list(
            reversed(bench.runs.values())), outcome=OUTCOME, error=exc.message)
    try:
        run = bench.start(received.files, folder)
    except Busy:
        return problem(request, 409, "The ledger is busy", BUSY)
    run.left_out = received.left_out
    return RedirectResponse(request.url_for("run", run_id=run.run_id), status_code=303)


def _run(request: Request) -> Run:
    run = _bench(request).runs.get(request.path_params["run_id"])
    if run is None:
        raise _Gone
    return run


class _Gone(Exception):
    pass


async def run_page(request: Request) -> Response:
    """One upload: its progress (the page reloads itself each second), then each file."""
    try:
        run = _run(request)
    except _Gone:
        return _gone(request)
    return page(request, "run.html.j2", run=run, outcome=OUTCOME,
                refresh=None if run.done else 1,
                events=None if run.done else f"/runs/{run.run_id}/events")


def _file(request: Request) -> tuple[Run, int, FileView]:
    run = _run(request)
    number = request.path_params["number"]
    if not run.done or not 0 <= number < len(run.files):
        raise _Gone
    return run, number, run.files[number]


async def problems(request: Request) -> Response:
    """Every issue of one file, worst first, each with the sheet around its cell."""
    try:
        run, number, view = _file(request)
    except _Gone:
        return _gone(request)
    order = {"error": 0, "warning": 1, "info": 2}
    listed = sorted(enumerate(view.result.issues), key=lambda p: order[p[1].severity.value])
    kinds: dict[tuple[str, str], list[int]] = {}
    for n, issue in listed:
        kinds.setdefault((issue.severity.value, issue.code), []).append(n)
    return page(request, "problems.html.j2", run=run, number=number, view=view,
                listed=listed, outcome=OUTCOME, kinds=kinds)


async def annotated(request: Request) -> Response:
    """The annotated copy of one file, as a download under its own name."""
    try:
        _, _, view = _file(request)
    except _Gone:
        return _gone(request)
    if view.annotated is None or not view.annotated.is_file():
        return problem(request, 404, "No annotated copy", "This file has no annotated copy: "
                       "it had no problems to mark, or fundflow could not open it.")
    return FileResponse(view.annotated, filename=view.annotated.name,
                        media_type="application/octet-stream")


def _gone(request: Request) -> Response:
    return problem(request, 404, "Upload not found", "fundflow keeps the results of the "
                   "latest uploads until it stops. Upload the files again to check them.")


ROUTES = [
    Route("/", files, name="files"),
    Route("/upload", upload, methods=["POST"], name="upload"),
    Route("/runs/{run_id:str}", run_page, name="run"),
    Route("/runs/{run_id:str}/{number:int}", problems, name="problems"),
    Route("/runs/{run_id:str}/{number:int}/annotated", annotated, name="annotated"),
]

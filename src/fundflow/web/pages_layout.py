"""The Unknown layout page: edit the drafted adapter, preview what it reads, save, re-read.

The draft is shown as a form (`layout_form`) with its YAML beside it for what the form does not
show. The preview updates as either is edited (the page's script posts the form and swaps in
the preview, the form and the YAML, escaped on the server like every page) and with the
*Preview* button without script.
"""

from __future__ import annotations

import shutil

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fundflow.web.app import page, problem
from fundflow.web.layout import (
    MAX_SPEC_CHARS,
    Edited,
    Preview,
    draw,
    edit_draft,
    preview,
    save_draft,
)
from fundflow.web.pages_files import BUSY
from fundflow.web.security import check_form
from fundflow.web.uploads import Upload
from fundflow.web.workbench import Busy, FileView, Run, Workbench


def _find(request: Request) -> tuple[Run, int, FileView] | None:
    bench: Workbench = request.app.state.bench
    run = bench.runs.get(request.path_params["run_id"])
    number = request.path_params["number"]
    if run is None or not run.done or not 0 <= number < len(run.files):
        return None
    view = run.files[number]
    return (run, number, view) if view.kept is not None and view.draft is not None else None


MAX_FIELDS = 600  # the form's inputs: a table's columns and settings, for a few tables


def _render(request: Request, found: tuple[Run, int, FileView], edited: Edited,
            shown: Preview, *, saved: str | None = None, error: str | None = None,
            status: int = 200) -> Response:
    run, number, view = found
    bench: Workbench = request.app.state.bench
    name = "_layout_fragment.html.j2" if request.headers.get("x-fragment") == "preview" else \
        "layout.html.j2"
    errors = {e.key: e.message for e in edited.errors}
    return page(request, name, status, run=run, number=number, view=view, spec=edited.text,
                base=edited.base, shown=edited.shown, form=edited.form, form_errors=edited.errors,
                errors=errors, preview=shown, saved=saved, error=error,
                folder=str(bench.settings.save_adapters))


async def layout_page(request: Request) -> Response:
    """The draft as fundflow wrote it, and what it reads."""
    found = _find(request)
    if found is None:
        return problem(request, 404, "No draft here", "This file has no drafted adapter: an "
                       "adapter recognised it, or the upload is no longer kept.")
    bench: Workbench = request.app.state.bench
    text, kept, limits = found[2].draft or "", found[2].kept, bench.settings.limits
    assert kept is not None
    return _render(request, found, Edited(text, text, draw(kept, text, limits)),
                   preview(kept, text, limits))


async def layout_post(request: Request) -> Response:
    """Preview, save, or read the file again with the saved adapters."""
    found = _find(request)
    if found is None:
        return problem(request, 404, "No draft here", "The upload is no longer kept; upload "
                       "the file again.")
    bench: Workbench = request.app.state.bench
    form = await request.form(max_files=0, max_fields=MAX_FIELDS,
                              max_part_size=MAX_SPEC_CHARS * 4)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not check_form(fields, bench.csrf):
        return problem(request, 403, "The form has expired", "Reload the page and try again.")
    action = fields.get("action", "preview")
    _, _, view = found
    assert view.kept is not None
    if action == "reread":
        return _reread(request, bench, view)
    text = fields.get("spec", "")
    limits = bench.settings.limits
    edited = edit_draft(view.kept, text, fields.get("base") or text, fields, limits)
    if edited.errors:
        return _render(request, found, edited, Preview(spec_error=edited.errors[0].message),
                       status=400)
    if action == "save":
        return _save(request, found, edited)
    shown = preview(view.kept, edited.text, limits)
    return _render(request, found, edited, shown, error=shown.spec_error)


def _save(request: Request, found: tuple[Run, int, FileView], edited: Edited) -> Response:
    """Save the draft in the adapters folder, and show what it reads."""
    bench: Workbench = request.app.state.bench
    view = found[2]
    assert view.kept is not None
    saved = save_draft(edited.text, bench.settings.save_adapters)
    if isinstance(saved, str):
        return _render(request, found, edited, Preview(), error=saved, status=400)
    view.draft = edited.text
    return _render(request, found, edited, preview(view.kept, edited.text,
                                                   bench.settings.limits), saved=str(saved))


def _reread(request: Request, bench: Workbench, view: FileView) -> Response:
    """Import the kept file again, with the adapters folder the draft was saved in."""
    assert view.kept is not None
    folder = bench.new_upload_folder()
    copy = folder / view.kept.name
    shutil.copy(view.kept, copy)
    try:
        run = bench.start([Upload(view.name, copy)], folder)
    except Busy:
        return problem(request, 409, "The ledger is busy", BUSY)
    return RedirectResponse(request.url_for("run", run_id=run.run_id), status_code=303)


ROUTES = [
    Route("/runs/{run_id:str}/{number:int}/layout", layout_page, name="layout"),
    Route("/runs/{run_id:str}/{number:int}/layout", layout_post, methods=["POST"]),
]

"""An upload's progress as server-sent events, for the run page's script.

The stream reports what the importer itself reports (`import_files`' `on_step`: the file it is
on, whether it is reading, checking or saving, and the records checked so far) each time it
changes, then one `end` event that names the outcome and the page that shows it. Without
script the run page reloads itself each second instead (its refresh sits in `<noscript>`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from fundflow.web.workbench import Run, Workbench

TICK = 0.2  # seconds between looks at the run: often enough to follow a file's parts
LONGEST = 3600.0  # a stream ends after an hour; the browser's EventSource reconnects


def progress(run: Run) -> dict[str, Any]:
    """Where the run is: files done of all, the importer's step in words, records checked."""
    return {"files_done": len(run.files), "files": len(run.names), "step": run.step,
            "records": run.records}


def outcome(run: Run) -> dict[str, Any]:
    """How the run ended, in the words its page's heading uses, and that page's address."""
    failed = sum(1 for f in run.files if f.result.status == "failed")
    if run.failure:
        kind, words = "failed", f"The files could not be imported. {run.failure}"
    elif failed:
        kind = "errors"
        words = (f"There are errors in {failed} of {len(run.files)} "
                 f"file{'' if len(run.files) == 1 else 's'}")
    else:
        kind, words = "imported", "No errors found"
    return {"outcome": kind, "message": words, "url": f"/runs/{run.run_id}"}


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream(run: Run) -> AsyncIterator[str]:
    last: dict[str, Any] | None = None
    waited = 0.0
    while waited < LONGEST:
        done = run.done  # read first: the last progress is then complete when `done` is seen
        now = progress(run)
        if now != last:
            yield _event("progress", now)
            last = now
        if done:
            yield _event("end", outcome(run))
            return
        await asyncio.sleep(TICK)
        waited += TICK


async def run_events(request: Request) -> Response:
    """`GET /runs/{id}/events`: the run's progress as `text/event-stream`."""
    bench: Workbench = request.app.state.bench
    run = bench.runs.get(request.path_params["run_id"])
    if run is None:
        return Response("event: gone\ndata: {}\n\n", status_code=404,
                        media_type="text/event-stream")
    return StreamingResponse(_stream(run), media_type="text/event-stream")


ROUTES = [Route("/runs/{run_id:str}/events", run_events, name="run_events")]

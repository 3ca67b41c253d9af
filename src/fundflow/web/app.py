"""The workbench's web application: routes to pages, and the pages' shared rules.

Every page is rendered from a jinja2 template with autoescape on and undefined names as
errors, so text from a file is always shown as text. Every failure is a page in words: a
missing page, a busy ledger, a ledger in use by another program, or a fault (whose page says
what to run to see why, never a traceback).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from fundflow.money import format_pounds
from fundflow.returns.html import template_dir
from fundflow.web.security import Guard
from fundflow.web.uploads import size_words
from fundflow.web.workbench import Settings, Workbench


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The pages' templates (`templates/web/`), escaping everything they are given."""
    env = Environment(
        loader=FileSystemLoader(template_dir() / "web"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    env.filters["pounds"] = format_pounds
    return env


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; every page gets the workbench (for its CSRF token) and the request."""
    bench: Workbench = request.app.state.bench
    context.setdefault("refresh", None)
    html = environment().get_template(name).render(
        csrf=bench.csrf, ledger=bench.settings.ledger.name, path=request.url.path,
        max_size=size_words(bench.settings.max_upload_bytes), **context)
    return HTMLResponse(html, status_code=status)


def problem(request: Request, status: int, title: str, message: str, *,
            refresh: int | None = None) -> HTMLResponse:
    """A page that says what went wrong and what to do, with the HTTP status to match."""
    return page(request, "message.html.j2", status, title=title, message=message,
                refresh=refresh)


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    if status == 405:
        return problem(request, 405, "Not here", "This address only shows a page; use the "
                       "buttons on fundflow's pages.")
    return problem(request, status, "Page not found", "There is no page at this address. "
                   "The results of an upload are kept until fundflow stops; upload the "
                   "files again to see them.")


async def _fault(request: Request, exc: Exception) -> Response:
    return problem(request, 500, "Something went wrong", "fundflow could not show this page "
                   f"({type(exc).__name__}). Nothing was changed. Run the same step with "
                   "`fundflow` and --debug in a terminal to see why, and report it.")


def create_app(settings: Settings) -> Starlette:
    """The workbench for `settings`; its private folder is deleted when the app stops."""
    from fundflow.web import (  # noqa: PLC0415
        events,
        pages_files,
        pages_layout,
        pages_ledger,
        pages_return,
    )

    bench = Workbench(settings)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            bench.close()

    routes = [
        *pages_files.ROUTES, *events.ROUTES, *pages_layout.ROUTES, *pages_ledger.ROUTES,
        *pages_return.ROUTES,
        Mount("/static", StaticFiles(directory=template_dir() / "web" / "static"),
              name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: _not_found, 404: _not_found,
                                        Exception: _fault})
    app.state.bench = bench
    app.add_middleware(Guard, token=settings.token, hosts=settings.hosts)
    return app

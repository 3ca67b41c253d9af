"""The rules every request passes before a page sees it.

- **Host**: on the default loopback bind only `127.0.0.1`/`localhost` Host headers are served,
  so a web site the officer visits cannot reach the workbench by pointing its own name at
  127.0.0.1 (DNS rebinding).
- **Token**: on any other bind every request must carry the token printed at start, once in
  the address (`?token=`), which sets an HttpOnly, SameSite=Strict cookie for the rest.
- **Headers**: a strict Content-Security-Policy (scripts and styles only from the app itself,
  no inline script, no framing by others), nosniff, no referrer, no caching of pages.
- **CSRF**: every form carries the workbench's secret token (`check_form`); uploads check it
  before the first byte of a file is kept (`uploads.receive`). Cross-site posts fail too on
  `Origin`.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "fundflow_token"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
# The return page shown inside the workbench: its own inline styles, nothing else, sandboxed.
RETURN_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; "
              "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox")
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class Guard:
    """ASGI middleware applying the Host, token and header rules above."""

    def __init__(self, app: ASGIApp, *, token: str | None, hosts: tuple[str, ...]) -> None:
        self.app, self.token, self.hosts = app, token, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await PlainTextResponse(refusal[1], status_code=refusal[0])(scope, receive, send)
            return
        set_cookie = self.token is not None and _query_token(scope) == self.token

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(_HEADERS)
                raw = message.setdefault("headers", [])
                if not any(k == b"content-security-policy" for k, _ in raw):
                    extra.append((b"content-security-policy", CSP.encode()))
                if set_cookie:
                    extra.append((b"set-cookie", f"{COOKIE}={self.token}; HttpOnly; "
                                  "SameSite=Strict; Path=/".encode()))
                message["headers"] = [*raw, *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        host = headers.get("host", "").rsplit(":", 1)[0].strip("[]").lower()
        if self.hosts and host not in self.hosts:
            return 400, ("fundflow serves this page only at http://127.0.0.1 "
                         "(the address it printed when it started).")
        if self.token is not None:
            given = _query_token(scope) or _cookie_token(headers)
            if not given or not same_secret(given, self.token):
                return 403, ("This fundflow workbench needs its access token: open the "
                             "address `fundflow serve` printed, which ends in ?token=...")
        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin and origin != "null" and \
                    origin.split("//", 1)[-1].lower() != headers.get("host", "").lower():
                return 403, "Forms can only be sent from fundflow's own pages."
        return None


def _query_token(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


def _cookie_token(headers: Headers) -> str | None:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is no token
        return None
    morsel = cookie.get(COOKIE)
    return morsel.value if morsel else None


def check_form(fields: dict[str, str], csrf: str) -> bool:
    """Whether a posted form carries this workbench's CSRF token."""
    return same_secret(fields.get("csrf", ""), csrf)


def same_secret(given: str, secret: str) -> bool:
    """A constant-time comparison that any text can be given to (`compare_digest` raises on
    non-ASCII `str`, and a forged token may be anything)."""
    return secrets.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8"))

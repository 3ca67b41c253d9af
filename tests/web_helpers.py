"""Shared helpers of the web workbench's tests: a client, the form token, waiting for a run."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

from starlette.testclient import TestClient

ROOT = Path(__file__).parents[1]
OPCC_Q1 = ROOT / "sample_data" / "returns" / "opcc" / "OPCC_grant_spend_Q1_2025-26.csv"
REGISTER = ROOT / "sample_data" / "register" / "Eastbrook_funding_register.xlsx"


def csrf_of(html: str) -> str:
    """The form token a page carries."""
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no form token"
    return match[1]


def upload(client: TestClient, files: list[tuple[str, bytes]], *,
           csrf: str | None = None) -> object:
    """Post files as the Files page's form does (the token first, as the page puts it)."""
    token = csrf if csrf is not None else csrf_of(client.get("/").text)
    return client.post("/upload", data={"csrf": token},
                       files=[("files", (name, body)) for name, body in files],
                       follow_redirects=False)


def wait_for_run(client: TestClient, location: str, timeout: float = 60) -> str:
    """The run's page once it has finished (it refreshes itself while importing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = client.get(location).text
        if 'http-equiv="refresh"' not in html:
            return html
        time.sleep(0.2)
    raise AssertionError(f"the run at {location} did not finish in {timeout} s")


def page_text(html: str) -> str:
    """A page's words without tags, spaces collapsed (what a reader sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class _FormFields(HTMLParser):
    """The values a browser would post for a page's first form (no button pressed)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.values:
            self._in_form = True
        if not self._in_form or (not a.get("name") and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select is not None:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.values.setdefault(self._select, self._first_option)
            if "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None


def form_fields(html: str) -> dict[str, str]:
    """What the page's first form posts as it stands (escapes undone, as a browser does)."""
    parser = _FormFields()
    parser.feed(html)
    return parser.values

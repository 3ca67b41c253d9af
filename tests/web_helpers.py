"""Shared helpers of the web workbench's tests: a client, the form token, waiting for a run."""

from __future__ import annotations

import re
import time
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

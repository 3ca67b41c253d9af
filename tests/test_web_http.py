"""The web workbench's security rules and pages, over HTTP (Starlette's TestClient).

Each rule is tried the way an attacker or an unlucky upload would: no form token, a token from
elsewhere, an oversized body, a path as a file name, a file that is not a spreadsheet, a script
in a cell, a foreign Host header, a cross-site post, a wrong access token, a second writer.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from fundflow.ledger.store import LedgerError
from fundflow.web import pages_ledger, workbench
from fundflow.web.app import create_app
from fundflow.web.security import COOKIE
from fundflow.web.uploads import safe_name
from fundflow.web.workbench import Settings, Workbench
from tests.web_helpers import OPCC_Q1, csrf_of, page_text, upload, wait_for_run

TOKEN = "a-long-enough-test-token-1234"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(ledger=tmp_path / "web.duckdb", hosts=("testserver",),
                              max_upload_bytes=200_000))
    with TestClient(app) as client:
        yield client


def _bench(client: TestClient) -> Workbench:
    bench: Workbench = client.app.state.bench  # type: ignore[attr-defined]
    return bench


def _kept(bench: Workbench) -> list[Path]:
    """Upload bytes still in the private folder (annotated copies and outputs aside)."""
    return [p for p in bench.folder.rglob("*") if p.is_file() and "up-" in str(p)]


def test_pages_carry_a_strict_policy_and_no_inline_script(client: TestClient) -> None:
    for url in ("/", "/ledger", "/return"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in response.text and " onclick" not in response.text


def test_upload_without_the_form_token_is_refused_and_keeps_nothing(
        client: TestClient) -> None:
    response = upload(client, [("q1.csv", OPCC_Q1.read_bytes())], csrf="forged")
    assert response.status_code == 403
    assert upload(client, [("q1.csv", b"x")], csrf="fälschung").status_code == 403
    assert "form has expired" in page_text(response.text)
    assert _kept(_bench(client)) == []
    assert not _bench(client).runs


def test_oversized_upload_is_refused_while_streaming(client: TestClient) -> None:
    response = upload(client, [("big.csv", b"a,b\n" * 60_000)])
    assert response.status_code == 413
    text = page_text(response.text)
    assert "The selected files must be smaller than 200 KB together." in text
    assert "There is a problem" in text and "<title>Error:" in response.text
    assert _kept(_bench(client)) == []


def test_file_that_is_not_a_spreadsheet_is_refused_in_words(client: TestClient) -> None:
    response = upload(client, [("notes.exe", b"MZ")])
    assert response.status_code == 400
    assert "must be a spreadsheet" in page_text(response.text)


def test_no_file_chosen_asks_for_one(client: TestClient) -> None:
    response = upload(client, [("", b"")])
    assert response.status_code == 400
    assert "Select one or more spreadsheets" in page_text(response.text)


@pytest.mark.parametrize("name", ["../../escape.csv", "..\\..\\escape.csv",
                                  "/etc/escape.csv", ".hidden.csv"])
def test_a_file_name_is_never_a_path(client: TestClient, tmp_path: Path, name: str) -> None:
    response = upload(client, [(name, OPCC_Q1.read_bytes())])
    assert response.status_code == 303
    html = wait_for_run(client, response.headers["location"])
    assert "Imported" in page_text(html)
    bench = _bench(client)
    assert not list(tmp_path.parent.rglob("escape.csv")) or all(
        bench.folder in p.parents for p in tmp_path.parent.rglob("escape.csv"))
    assert not Path("/etc/escape.csv").exists()
    assert _kept(bench) == []  # the upload is deleted once imported


@given(st.text(max_size=300))
def test_safe_names_stay_in_their_folder(given_name: str) -> None:
    name = safe_name(given_name)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and name not in ("..", ".")
    assert len(name) <= 130
    assert Path("/x", name).parent == Path("/x")


def test_script_in_a_cell_is_shown_as_text(client: TestClient) -> None:
    body = OPCC_Q1.read_bytes().replace(b'"\xa31,370.55"', b"<script>alert(1)</script>", 1)
    assert b"<script>" in body
    response = upload(client, [("q1<b>.csv", body)])
    html = wait_for_run(client, response.headers["location"])
    assert "Not imported: has errors to fix" in page_text(html)
    problems = client.get(response.headers["location"] + "/0")
    assert problems.status_code == 200
    assert "<script>alert" not in problems.text and "<b>" not in problems.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in problems.text
    assert 'class="mark mark-error"' in problems.text  # the cell drawn on its grid


def test_a_failed_import_changes_nothing_and_fix_then_reupload_imports(
        client: TestClient, tmp_path: Path) -> None:
    broken = OPCC_Q1.read_bytes().replace(b'"\xa31,370.55"', b"twelve", 1)
    first = upload(client, [("OPCC_Q1.csv", broken)])
    wait_for_run(client, first.headers["location"])
    assert "Nothing imported yet" in page_text(client.get("/ledger").text)
    annotated = client.get(first.headers["location"] + "/0/annotated")
    assert annotated.status_code == 200 and annotated.content[:2] == b"PK"
    assert "attachment" in annotated.headers["content-disposition"]
    second = upload(client, [("OPCC_Q1.csv", OPCC_Q1.read_bytes())])
    html = wait_for_run(client, second.headers["location"])
    assert "No errors found" in page_text(html) and "Imported" in page_text(html)
    assert "spend (actual) £48,483.22" in page_text(html)  # the file's total by measure
    ledger = page_text(client.get("/ledger").text)
    assert "1 current files" in ledger and "History: what replaced what" in ledger
    assert "OPCC_Q1.csv" in ledger
    link = re.search(r'href="(/ledger/files/[^"]+)"', client.get("/ledger").text)
    assert link
    figures = page_text(client.get(link[1]).text)
    assert "Figures of OPCC_Q1.csv" in figures and "S-CSF-25" in figures
    assert re.search(r"OPCC_Q1 H\d+ S-CSF-25", figures)  # sheet and cell of each figure
    assert client.get("/ledger/files/sub-nope").status_code == 404
    with duckdb.connect(str(tmp_path / "web.duckdb"), read_only=True) as con:
        paths = con.execute("SELECT file_path FROM submission").fetchall()
    assert paths == [("uploaded to the workbench as OPCC_Q1.csv",)]  # not the deleted temp copy
    total = re.search(r'href="(/ledger/totals\?[^"]+)"[^>]*>([^<]+)<', client.get("/ledger").text)
    assert total, "each total on the Ledger page links to its figures"
    behind = client.get(html_unescape(total[1]))
    assert behind.status_code == 200
    text = page_text(behind.text)
    assert f"{total[2]} from" in text and "OPCC_Q1.csv" in text  # the figures sum to the total
    assert re.search(r"OPCC_Q1 H\d+ S-CSF-25", text)  # each with its sheet and cell
    assert client.get("/ledger/totals?funder_id=nope").status_code == 404


def test_a_zip_of_a_folder_is_unpacked_member_by_member(client: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("returns/opcc/../../../q1.csv", OPCC_Q1.read_bytes())
        archive.writestr("returns/readme.txt.exe", b"not a spreadsheet")
        archive.writestr("returns/~$lock.csv", b"lock file")
    response = upload(client, [("returns.zip", buffer.getvalue())])
    html = wait_for_run(client, response.headers["location"])
    assert "q1.csv" in html and "lock" not in html and "readme" not in html
    assert _kept(_bench(client)) == []


def test_a_folder_is_read_by_its_spreadsheets_and_its_paths_are_only_names(
        client: TestClient, tmp_path: Path) -> None:
    """What a browser sends for a chosen or dropped folder: each file named with its path."""
    response = upload(client, [("Q1 returns/opcc/OPCC_Q1.csv", OPCC_Q1.read_bytes()),
                               ("Q1 returns/notes.docx", b"PK not a spreadsheet"),
                               ("Q1 returns/.DS_Store", b"\x00\x00"),
                               ("Q1 returns/opcc/~$OPCC_Q1.csv", b"lock"),
                               ("Q1 returns/../../../escape/x.csv", OPCC_Q1.read_bytes())])
    assert response.status_code == 303
    text = page_text(wait_for_run(client, response.headers["location"]))
    assert "Q1 returns/opcc/OPCC_Q1.csv" in text and "Imported" in text
    assert "3 files of the folder left out: not spreadsheets" in text
    assert "Q1 returns/notes.docx" in text and "~$OPCC_Q1.csv" in text
    assert not list(tmp_path.parent.rglob("escape"))  # a path in a name makes no folder
    assert _kept(_bench(client)) == []
    only_notes = upload(client, [("Q1 returns/notes.docx", b"PK")])
    assert only_notes.status_code == 400
    assert "The folder has no spreadsheets" in page_text(only_notes.text)
    alone = upload(client, [("notes.docx", b"PK")])  # chosen on its own: said, not skipped
    assert alone.status_code == 400 and "must be a spreadsheet" in page_text(alone.text)


def test_a_second_writer_is_told_the_ledger_is_busy(client: TestClient) -> None:
    bench = _bench(client)
    csrf = csrf_of(client.get("/").text)
    with bench.reading():  # an import holds the ledger
        response = upload(client, [("q1.csv", OPCC_Q1.read_bytes())], csrf=csrf)
        assert response.status_code == 409
        assert "The ledger is busy" in page_text(response.text)
        ledger = client.get("/ledger")
        assert ledger.status_code == 503 and 'http-equiv="refresh"' in ledger.text
    assert _kept(bench) == [] and not bench.runs


def test_a_ledger_in_use_by_another_program_is_said_in_words(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def in_use(*_: object, **__: object) -> None:
        raise LedgerError("ledger-in-use", path="web.duckdb")

    monkeypatch.setattr(workbench, "import_files", in_use)
    response = upload(client, [("q1.csv", OPCC_Q1.read_bytes())])
    text = page_text(wait_for_run(client, response.headers["location"]))
    assert "The files could not be imported" in text and "No errors found" not in text
    assert "being written by another fundflow process" in text and "Wait for" in text
    assert _kept(_bench(client)) == []


def test_foreign_host_header_is_refused(client: TestClient) -> None:
    response = client.get("/", headers={"host": "attacker.example"})
    assert response.status_code == 400


def test_cross_site_post_is_refused(client: TestClient) -> None:
    csrf = csrf_of(client.get("/").text)
    response = client.post("/upload", data={"csrf": csrf},
                           files=[("files", ("q1.csv", OPCC_Q1.read_bytes()))],
                           headers={"origin": "http://attacker.example"})
    assert response.status_code == 403
    assert not _bench(client).runs


def test_non_local_bind_needs_the_token(tmp_path: Path) -> None:
    app = create_app(Settings(ledger=tmp_path / "web.duckdb", token=TOKEN, hosts=()))
    with TestClient(app) as client:
        assert client.get("/").status_code == 403
        assert client.get("/?token=wrong-token-of-some-length").status_code == 403
        assert client.get("/?token=jeton-érroné").status_code == 403
        client.cookies.set(COOKIE, "wrong")
        assert client.get("/ledger").status_code == 403
        client.cookies.clear()
        first = client.get(f"/?token={TOKEN}")
        assert first.status_code == 200
        assert "HttpOnly" in first.headers["set-cookie"]
        assert "SameSite=Strict" in first.headers["set-cookie"]
        assert client.get("/ledger").status_code == 200  # the cookie carries it on


def test_missing_pages_and_faults_are_pages_not_tracebacks(
        client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = client.get("/runs/nope/0")
    assert missing.status_code == 404 and "Upload not found" in missing.text
    assert client.get("/no/such/page").status_code == 404
    assert client.post("/ledger").status_code == 405

    def broken(_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pages_ledger, "counts", broken)
    app = create_app(Settings(ledger=tmp_path / "x.duckdb", hosts=("testserver",)))
    with TestClient(app, raise_server_exceptions=False) as other:
        upload(other, [("q1.csv", OPCC_Q1.read_bytes())])
        wait_for_run(other, "/runs/" + next(iter(other.app.state.bench.runs)))  # type: ignore[attr-defined]
        response = other.get("/ledger")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text and "boom" not in response.text


def _events(client: TestClient, location: str) -> list[tuple[str, dict[str, object]]]:
    """Every event of a run's stream, read until it ends."""
    out = []
    with client.stream("GET", location + "/events") as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in reply.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                out.append((name, json.loads(line.removeprefix("data: "))))
    return out


def test_progress_arrives_as_events_and_the_end_names_the_outcome(client: TestClient) -> None:
    good = upload(client, [("OPCC_Q1.csv", OPCC_Q1.read_bytes())]).headers["location"]
    events = _events(client, good)
    names = [name for name, _ in events]
    assert names[0] == "progress" and names[-1] == "end" and names.count("end") == 1
    first = events[0][1]
    assert first["files"] == 1 and isinstance(first["step"], str)
    last_progress = [data for name, data in events if name == "progress"][-1]
    assert last_progress["files_done"] == 1 and last_progress["records"] > 0
    assert events[-1][1] == {"outcome": "imported", "message": "No errors found",
                             "url": urlsplit(good).path}
    assert "No errors found" in page_text(client.get(good).text)

    body = OPCC_Q1.read_bytes().replace(b'"\xa31,370.55"', b"twelve", 1)
    bad = upload(client, [("OPCC_Q1 fixed.csv", body)]).headers["location"]
    end = _events(client, bad)[-1]
    assert end == ("end", {"outcome": "errors", "url": urlsplit(bad).path,
                           "message": "There are errors in 1 of 1 file"})
    assert client.get("/runs/nope/events").status_code == 404


def test_the_run_page_reloads_without_script_while_it_imports(client: TestClient) -> None:
    run = workbench.Run("0123456789abcdef", ["big.xlsx"], step="File 1 of 1, big.xlsx: reading")
    _bench(client).runs[run.run_id] = run  # an import still going
    page = client.get(f"/runs/{run.run_id}").text
    assert '<noscript><meta http-equiv="refresh" content="1"></noscript>' in page
    assert f'data-events="/runs/{run.run_id}/events"' in page
    assert "File 1 of 1, big.xlsx: reading" in page
    run.done = True
    assert "http-equiv" not in client.get(f"/runs/{run.run_id}").text

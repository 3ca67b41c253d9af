"""The Unknown layout page: a file no adapter reads gets a draft, a preview, a save, a re-read."""

from __future__ import annotations

import html
import re
from pathlib import Path

from starlette.testclient import TestClient

from fundflow.web.app import create_app
from fundflow.web.workbench import Settings
from tests.web_helpers import csrf_of, page_text, upload, wait_for_run

UNKNOWN = (b"Grant ref,Quarter,Cost heading,Amount\n"
           b"S-WX-1,Q1 2025/26,Staff,1200.50\n"
           b"S-WX-1,Q1 2025/26,Venue,300.25\n"
           b"S-WX-1,Q2 2025/26,<i>Staff</i>,1100.00\n")
FUNDER_LINE = re.compile(r"funder_id: \{const: FILL-IN-FUNDER-ID[^\n]*")


def test_draft_preview_save_and_read_again(tmp_path: Path) -> None:
    saved_in = tmp_path / "my_adapters"
    app = create_app(Settings(ledger=tmp_path / "web.duckdb", hosts=("testserver",),
                              save_adapters=saved_in))
    with TestClient(app) as client:
        first = upload(client, [("wx_claim.csv", UNKNOWN)])
        run = first.headers["location"]
        wait_for_run(client, run)
        problems = client.get(run + "/0").text
        assert "No adapter recognises this file" in page_text(problems)
        layout = client.get(run + "/0/layout")
        assert layout.status_code == 200
        draft = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", layout.text,
                                        re.S)[1])  # type: ignore[index]
        assert "FILL-IN-FUNDER-ID" in draft
        text = page_text(layout.text)
        assert "1 error to settle" in text and "placeholder, not an answer" in text
        assert "Header row 1" in text and "amount column: Amount; parser: gbp_amount" in text

        csrf = csrf_of(layout.text)
        broken = client.post(run + "/0/layout", data={"csrf": csrf, "spec": "id: [",
                                                      "action": "preview"})
        assert "There is a problem" in page_text(broken.text)
        forged = client.post(run + "/0/layout", data={"csrf": "x", "spec": draft,
                                                      "action": "save"})
        assert forged.status_code == 403 and not saved_in.exists()

        filled = FUNDER_LINE.sub("funder_id: {const: F-WX}", draft)
        fragment = client.post(run + "/0/layout", headers={"x-fragment": "preview"},
                               data={"csrf": csrf, "spec": filled, "action": "preview"})
        assert fragment.text.lstrip().startswith('<div id="preview"')
        assert "total £2,600.75" in page_text(fragment.text)
        assert "3 finance entries" in page_text(fragment.text) and "S-WX-1" in fragment.text
        assert "&lt;i&gt;Staff&lt;/i&gt;" in fragment.text and "<i>" not in fragment.text

        saved = client.post(run + "/0/layout", data={"csrf": csrf, "spec": filled,
                                                     "action": "save"})
        assert "Saved as" in page_text(saved.text)
        assert (saved_in / "draft-wx-claim.yaml").read_text(encoding="utf-8") == filled
        again = client.post(run + "/0/layout", data={"csrf": csrf, "spec": filled,
                                                     "action": "save"})
        assert again.status_code == 400 and "already in" in page_text(again.text)

        reread = client.post(run + "/0/layout", data={"csrf": csrf, "spec": filled,
                                                      "action": "reread"},
                             follow_redirects=False)
        assert reread.status_code == 303
        result = page_text(wait_for_run(client, reread.headers["location"]))
        assert "draft-wx-claim" in result and "Imported" in result
        assert "£2,600.75" in result

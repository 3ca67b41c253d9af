"""The Unknown layout page: a file no adapter reads gets a draft, a preview, a save, a re-read."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient

from fundflow.cli import cli as cli_group
from fundflow.ledger.read import finance_figures
from fundflow.ledger.store import open_ledger
from fundflow.money import pence_to_decimal
from fundflow.web.app import create_app
from fundflow.web.workbench import Settings
from tests.web_helpers import csrf_of, form_fields, page_text, upload, wait_for_run

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
        draft = form_fields(layout.text)["spec"]
        assert "FILL-IN-FUNDER-ID" in draft
        text = page_text(layout.text)
        assert "1 error to settle" in text and "placeholder, not an answer" in text
        shown = form_fields(layout.text)
        assert shown["t0.header_row"] == "1" and shown["t0.const.funder_id"] == ""
        columns = {shown[k.replace(".col.", ".colhead.")]: v for k, v in shown.items()
                   if ".col." in k}
        assert columns == {"Grant ref": "stream_id", "Quarter": "period",
                           "Cost heading": "category", "Amount": "amount"}

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
        assert fragment.text.lstrip().startswith('<div id="form-fields"')
        assert '<div id="preview"' in fragment.text and "<html" not in fragment.text
        assert "total £2,600.75" in page_text(fragment.text)
        assert "3 finance entries" in page_text(fragment.text) and "S-WX-1" in fragment.text
        assert "<th scope=\"col\">Funder&#39;s category</th>" in fragment.text
        assert "funder_category" not in page_text(fragment.text)
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


SECOND_STREAM = UNKNOWN + b"S-WX-2,Q1 2025/26,Staff,999.99\n"
TOTAL = re.compile(r"total £([\d,]+\.\d\d)")


def _post(client: TestClient, url: str, values: dict[str, str], **changed: str) -> str:
    """Post the form as the page's script does, with `changed` (dots as `__`) typed in, and
    take the answer's form, YAML and base into `values` as the script does."""
    data = {**values, **{k.replace("__", "."): v for k, v in changed.items()}}
    reply = client.post(url, data=data, headers={"x-fragment": "preview"})
    assert reply.status_code == 200, page_text(reply.text)
    values.update(form_fields(f"<form>{reply.text}</form>"))
    values["spec"] = html.unescape(re.search(  # type: ignore[index]
        r'id="spec-next"[^>]*>(.*?)</textarea>', reply.text, re.S)[1])
    for name in ("base", "shown"):
        values[name] = html.unescape(re.search(  # type: ignore[index]
            rf'id="{name}-next" value="([^"]*)"', reply.text)[1])
    values.pop("spec-next", None)
    return page_text(reply.text)


def test_the_form_changes_the_preview_and_the_saved_adapter_imports_the_same_total(
        tmp_path: Path) -> None:
    saved_in = tmp_path / "my_adapters"
    app = create_app(Settings(ledger=tmp_path / "web.duckdb", hosts=("testserver",),
                              save_adapters=saved_in))
    source = tmp_path / "wx_claim.csv"
    source.write_bytes(SECOND_STREAM)
    with TestClient(app) as client:
        run = upload(client, [(source.name, SECOND_STREAM)]).headers["location"]
        wait_for_run(client, run)
        url = run + "/0/layout"
        values = form_fields(client.get(url).text)
        values.pop("action", None)
        text = _post(client, url, values, t0__const__funder_id="F-WX")
        assert "4 finance entries" in text and "total £3,600.74" in text
        text = _post(client, url, values, t0__end_pattern="^S-WX-2")
        assert "3 finance entries" in text and "total £2,600.75" in text
        assert "end: {pattern: ^S-WX-2}" in values["spec"]
        assert "funder_id: {const: F-WX}" in values["spec"]
        assert values["t0.end_pattern"] == "^S-WX-2"  # the form drawn again from the YAML
        shown = TOTAL.search(text)[1]  # type: ignore[index]

        saved = client.post(url, data={**values, "action": "save"})
        assert "Saved as" in page_text(saved.text)
    adapter = saved_in / "draft-wx-claim.yaml"
    assert adapter.read_text(encoding="utf-8") == values["spec"]
    ledger = tmp_path / "cli.duckdb"
    done = CliRunner().invoke(cli_group, ["import", str(source), "--ledger", str(ledger),
                                          "--adapters", str(saved_in), "--no-examples", "-q"])
    assert done.exit_code == 0, done.output
    with open_ledger(ledger, read_only=True) as con:
        pence = finance_figures(con)["amount_pence"].sum()
    assert pence_to_decimal(pence) == Decimal(shown.replace(",", ""))


def test_a_value_the_form_cannot_take_is_said_beside_its_input(tmp_path: Path) -> None:
    app = create_app(Settings(ledger=tmp_path / "web.duckdb", hosts=("testserver",),
                              save_adapters=tmp_path / "my_adapters"))
    with TestClient(app) as client:
        run = upload(client, [("wx_claim.csv", UNKNOWN)]).headers["location"]
        wait_for_run(client, run)
        url = run + "/0/layout"
        values = form_fields(client.get(url).text)
        for changed, said in [({"t0.header_row": "three"}, "Enter a whole number from 1"),
                              ({"t0.col.2": "amount"}, "Two columns are read as 'amount'"),
                              ({"t0.colour": "red"}, "no setting called 't0.colour'"),
                              ({"t0.add_field": "unit"}, "Choose the field and enter its value")]:
            reply = client.post(url, data={**values, **changed, "action": "save"})
            assert reply.status_code == 400
            assert said in html.unescape(page_text(reply.text)), changed
            assert "There is a problem" in page_text(reply.text)
            (key, value), = changed.items()
            assert form_fields(reply.text).get(key, value) == value  # kept, to be corrected
        assert not (tmp_path / "my_adapters").exists()

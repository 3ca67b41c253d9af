"""The workbench in a real browser: Debian's chromium driven by Selenium through its chromedriver.

One officer's session, end to end: upload part of the sample partnership with a mistake
planted in one cell, see the mistake on its cell, download the annotated copy, fix the file and
upload it again, then download the return and check its totals against `fundflow return`'s.
With the shared corpus present, the MHCLG Towns Fund failure file shows its problems on the
grid too. Skips when chromium or chromedriver is absent (`.ci/run` installs both).

Screenshots go to the test's folder, and also to `$FUNDFLOW_SCREENSHOTS` when it names a folder
(`FUNDFLOW_SCREENSHOTS=docs/images uv run pytest tests/test_web_browser.py` refreshes the
README's pictures).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from fundflow.cli import cli as cli_group
from fundflow.returns.jsonout import read_json
from fundflow.web.app import create_app
from fundflow.web.workbench import Settings
from tests.web_helpers import REGISTER, ROOT

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists()),
    reason="chromium and chromium-driver are not installed (apt-get install chromium "
           "chromium-driver; .ci/run does)")
webdriver = pytest.importorskip("selenium.webdriver")

RETURNS = ROOT / "sample_data" / "returns"
UPLOADED = [REGISTER, RETURNS / "dpc" / "LPF_Q1_2025-26_Eastbrook.xlsx",
            RETURNS / "dpc" / "LPF_Q2_2025-26_Eastbrook.xlsx",
            RETURNS / "opcc" / "OPCC_grant_spend_Q1_2025-26.csv",
            RETURNS / "opcc" / "OPCC_grant_spend_Q2_2025-26.csv"]
PLANTED = ("LPF_Q2_2025-26_Eastbrook.xlsx", "Finances", "F11", "twelve thousand")
TOWNS_FUND_FAILURE = (ROOT.parent / "shared" / "corpus" / "real" / "mhclg"
                      / "TF_Round_4_TD_Funding_Failure.xlsx")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The workbench on a free loopback port, served by uvicorn in a thread."""
    import uvicorn

    ledger = tmp_path_factory.mktemp("web") / "eastbrook.duckdb"
    app = create_app(Settings(ledger=ledger, save_adapters=ledger.parent / "my_adapters"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", ledger
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """Headless chromium with downloads into a folder of its own."""
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--disable-gpu"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver, downloads
    finally:
        driver.quit()


def _shot(driver: Any, name: str, folder: Path) -> None:
    driver.save_screenshot(str(folder / name))
    wanted = os.environ.get("FUNDFLOW_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copy(folder / name, Path(wanted) / name)


def _wait(driver: Any, test: Any, timeout: float = 60) -> Any:
    """Wait for `test`; an element the page's script replaced meanwhile is looked up again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2, ignored_exceptions=(
        NoSuchElementException, StaleElementReferenceException)).until(test)


def _heading(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "h1").text)


def _upload(driver: Any, paths: list[Path]) -> None:
    """Choose files on the page's upload form and press its button, then wait for results."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of

    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(
        "\n".join(str(p) for p in paths))
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, "//button[normalize-space()='Upload and check for errors']"
                        ).click()
    _wait(driver, staleness_of(page))  # the page the button was on has gone
    _wait(driver, lambda d: "/runs/" in d.current_url
          and d.find_elements(By.CSS_SELECTOR, "table.results")
          and not d.find_elements(By.CSS_SELECTOR, "meta[http-equiv=refresh]"))


def _download(folder: Path, suffix: str, before: set[Path]) -> Path:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = [p for p in folder.iterdir() if p not in before and p.suffix == suffix]
        if new:
            return new[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} download arrived")


def test_officer_uploads_fixes_and_takes_the_return(
        server: tuple[str, Path], browser: tuple[Any, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    url, ledger = server
    driver, downloads = browser
    name, sheet, cell, planted = PLANTED
    files = [shutil.copy(p, tmp_path / p.name) for p in UPLOADED]
    broken = tmp_path / "broken" / name
    broken.parent.mkdir()
    workbook = openpyxl.load_workbook(tmp_path / name)
    workbook[sheet][cell] = planted
    workbook.save(broken)
    chosen = [Path(f) for f in files if Path(f).name != name] + [broken]

    driver.get(url)
    assert _heading(driver) == "Files"
    _shot(driver, "web-files.png", tmp_path)
    _upload(driver, chosen)
    assert _heading(driver) == f"There are errors in 1 of {len(chosen)} files"
    _shot(driver, "web-results.png", tmp_path)

    driver.find_element(By.PARTIAL_LINK_TEXT, "1 error").click()
    assert _heading(driver) == f"There are errors in {name}"
    assert "Error:" in driver.title
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary")
    assert f"{sheet} › {cell}" in summary.text
    assert driver.switch_to.active_element == summary  # focus moved to it
    marked = driver.find_element(By.CSS_SELECTOR, "td.mark-error")
    assert marked.text == planted
    assert marked.get_attribute("aria-label") == f"problem cell {cell}"
    _shot(driver, "web-problems.png", tmp_path)

    before = set(downloads.iterdir())
    driver.find_element(By.LINK_TEXT, "Download the annotated copy").click()
    copy = openpyxl.load_workbook(_download(downloads, ".xlsx", before))
    assert copy[sheet][cell].value == planted and copy[sheet][cell].comment is not None
    assert "Issues" in copy.sheetnames[-1]

    _upload(driver, [tmp_path / name])  # fixed: the original figure back, same name
    assert _heading(driver) == "No errors found"
    assert "Imported" in driver.find_element(By.CSS_SELECTOR, "table.results").text

    driver.get(f"{url}/ledger")
    assert f"{len(chosen)} current files" in driver.find_element(By.CSS_SELECTOR, "p.lead").text
    _shot(driver, "web-ledger.png", tmp_path)

    driver.get(f"{url}/return?year=2025-26")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "iframe.return-frame"))
    driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe.return-frame"))
    _wait(driver, lambda d: d.find_elements(By.TAG_NAME, "h1"))
    driver.switch_to.default_content()
    _shot(driver, "web-return.png", tmp_path)
    before = set(downloads.iterdir())
    driver.find_element(By.LINK_TEXT, "json").click()
    web = read_json(_download(downloads, ".json", before))

    cli_out = tmp_path / "cli.json"
    done = CliRunner().invoke(cli_group, ["return", "--year", "2025-26", "--ledger",
                                          str(ledger), "--out", str(cli_out), "-q"])
    assert cli_out.exists(), done.output
    cli = read_json(cli_out)
    assert web.cover.content_hash == cli.cover.content_hash
    assert [(r.stream_id, r.received, r.spent, r.forecast, r.balance) for r in web.summary] \
        == [(r.stream_id, r.received, r.spent, r.forecast, r.balance) for r in cli.summary]
    assert sum(r.spent for r in web.summary) > 0


@pytest.mark.skipif(not TOWNS_FUND_FAILURE.exists(), reason="the shared corpus is absent")
def test_towns_fund_failure_shows_its_problems_on_the_grid(
        server: tuple[str, Path], browser: tuple[Any, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    url, _ = server
    driver, _ = browser
    driver.get(url)
    _upload(driver, [TOWNS_FUND_FAILURE])
    driver.find_element(By.PARTIAL_LINK_TEXT, "errors").click()
    assert _heading(driver) == f"There are errors in {TOWNS_FUND_FAILURE.name}"
    cells = {e.text for e in driver.find_elements(By.CSS_SELECTOR, "td.mark-error")}
    assert {"Death Star", "dsfsd", "< Select >"} <= cells
    kinds = driver.find_element(By.CSS_SELECTOR, "table.kinds").text
    assert "value-not-allowed 4" in kinds and "check-over-limit 2" in kinds
    driver.find_element(By.CSS_SELECTOR, ".error-summary a").click()
    _shot(driver, "web-towns-fund-problems.png", tmp_path)


def test_unknown_layout_previews_the_draft_as_it_is_edited(
        server: tuple[str, Path], browser: tuple[Any, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from tests.test_web_layout import UNKNOWN

    url, _ = server
    driver, _ = browser
    source = tmp_path / "wx_claim.csv"
    source.write_bytes(UNKNOWN)
    driver.get(url)
    _upload(driver, [source])
    driver.find_element(By.PARTIAL_LINK_TEXT, "1 error").click()
    driver.find_element(By.PARTIAL_LINK_TEXT, "See the adapter fundflow drafted").click()
    assert _heading(driver) == f"No adapter recognises {source.name}"
    preview = driver.find_element(By.ID, "preview").text
    assert "1 error to settle" in preview and "total £0.00" in preview
    driver.find_element(By.ID, "f-t0-const-funder_id").send_keys("F-WX")  # typed in the form
    # the YAML view follows the form (a slow machine may send "F-W" first: wait for all of it)
    _wait(driver, lambda d: "funder_id: {const: F-WX}" in d.find_element(By.ID, "spec")
          .get_attribute("value"), 30)
    _wait(driver, lambda d: "3 finance entries" in d.find_element(By.ID, "preview").text, 30)
    assert "total £2,600.75" in driver.find_element(By.ID, "preview").text
    _wait(driver, lambda d: d.find_element(By.ID, "f-t0-const-funder_id").get_attribute(
        "value") == "F-WX", 10)
    Select(driver.find_element(By.ID, "f-t0-col-3")).select_by_value("")  # Amount: not read
    _wait(driver, lambda d: "needs the field `amount`" in d.find_element(By.ID, "preview").text,
          30)
    Select(driver.find_element(By.ID, "f-t0-col-3")).select_by_value("amount")
    _wait(driver, lambda d: "total £2,600.75" in d.find_element(By.ID, "preview").text, 30)
    driver.execute_script("document.querySelector('table.columns').scrollIntoView()")
    _shot(driver, "web-layout.png", tmp_path)


def test_a_folder_is_chosen_and_its_spreadsheets_read(
        server: tuple[str, Path], browser: tuple[Any, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of

    url, _ = server
    driver, _ = browser
    folder = tmp_path / "Q1 returns"
    (folder / "opcc").mkdir(parents=True)
    shutil.copy(RETURNS / "opcc" / "OPCC_grant_spend_Q1_2025-26.csv", folder / "opcc")
    (folder / "notes.docx").write_bytes(b"PK not a spreadsheet")
    driver.get(url)
    driver.find_element(By.ID, "folder").send_keys(str(folder))
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.XPATH, "//button[normalize-space()='Upload and check for errors']"
                        ).click()
    _wait(driver, staleness_of(page))
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "table.results")
          and not d.find_elements(By.CSS_SELECTOR, "meta[http-equiv=refresh]"))
    results = driver.find_element(By.CSS_SELECTOR, "table.results").text
    assert "Q1 returns/opcc/OPCC_grant_spend_Q1_2025-26.csv" in results
    assert "1 file of the folder left out" in driver.find_element(
        By.CSS_SELECTOR, "details.left-out").text

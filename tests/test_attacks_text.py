"""Attack catalogue, text: what a cell, a header or a file name holds is printed as text.

Each test builds the hostile input beside its assertion and checks the clear outcome: the
command ends with its ordinary exit code, the text shows literally (escaped where it is a
control character) and nothing steers the terminal. See docs/security.md.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from fundflow.cli import cli
from fundflow.cli.render import SHOWN_LINES, Column, DataTable, IssueView, SafeConsole, plain
from fundflow.issues import make_issue

HEADER = "Stream ID,Period,Category,Cap/Rev,Measure,State,Amount,Note"
ESC = "\x1b"


def _csv(folder: Path, rows: list[str], name: str = "synthetic_long_x.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_markup_and_escapes_in_cells_print_as_text(tmp_path: Path) -> None:
    path = _csv(tmp_path, [
        f"S-1,2025-26 Q1,Staff [/] {ESC}[2J,revenue,spend,actual,abc[/],",
        "S-1,2025-26 Q1,Staff,revenue,spend,actual,[link=http://evil.example]x[/link],",
    ])
    code, _, err = _run("validate", str(path))
    assert code == 1
    assert "[/]" in err and "[link=http://evil.example]x[/link]" in err
    assert ESC not in err and "\\x1b[2J" in err
    assert "Traceback" not in err


def test_json_output_survives_markup_and_escapes_controls(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["S-1,2025-26 Q1,Staff,revenue,spend,actual,x[/]\x9b31m,"])
    code, out, _ = _run("validate", str(path), "--json")
    assert code == 1
    assert "\x9b" not in out
    data = json.loads(out)
    values = [i["value"] for i in data[0]["issues"]]
    assert "x[/]\x9b31m" in values


def test_a_file_name_with_markup_and_controls_is_shown_escaped(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["S-1,2025-26 Q1,Staff,revenue,spend,actual,1.00,"],
                name="synthetic_long_[bold]x\x1b[31m.csv")
    code, _, err = _run("validate", str(path))
    assert code == 0
    assert "synthetic_long_[bold]x\\x1b[31m.csv" in err


def test_two_hundred_bad_cells_print_a_capped_list(tmp_path: Path) -> None:
    rows = [f"S-1,2025-26 Q1,Staff,revenue,spend,actual,bad{n},{'x' * 200}" for n in range(200)]
    code, _, err = _run("validate", str(_csv(tmp_path, rows)))
    assert code == 1
    lines = err.splitlines()
    assert len(lines) < SHOWN_LINES + 10
    assert re.search(r"and 16\d more issues not shown", err)
    assert "--json" in err and "--annotate" in err
    assert "1 file: 1 with errors; 200 errors" in err and "NOT" not in err


def test_repeated_notes_collapse_into_one_line_with_a_count() -> None:
    out = io.StringIO()
    view = IssueView(SafeConsole(file=out, width=200))
    notes = [make_issue("period-open-bounded", file=f"f{n // 3}.xlsx", sheet="S", cell=f"J{n}",
                        value="April 2026 and after", first="x", last="y") for n in range(9)]
    view.show(notes[:3])
    view.show(notes[3:])
    view.close("--json lists them")
    text = out.getvalue()
    assert text.count("period-open-bounded") == 2
    assert "(and 2 more like it: J1, J2)" in text
    assert "6 more notes like the one above in 2 more files" in text
    assert text.count("→") == 1  # the hint is said once
    assert view.total() == "9 notes"


def test_return_says_how_many_issues_are_open_and_where(tmp_path: Path, eastfold: Path) -> None:
    out = tmp_path / "r.xlsx"
    _, _, err = _run("return", "--year", "2025-26", "--out", str(out), "--ledger", str(eastfold))
    assert out.is_file()
    assert "open in the ledger's returns: listed on the return's Issues sheet" in err


def test_a_wrong_funder_or_year_lists_what_exists(tmp_path: Path, eastfold: Path) -> None:
    out = tmp_path / "r.xlsx"
    code, _, err = _run("report", "--funder", "NOPE", "--year", "2025-26", "--out", str(out),
                        "--ledger", str(eastfold))
    assert code == 2 and "report-funder-unknown" in err and "F-" in err
    code, _, err = _run("return", "--year", "2031-32", "--out", str(out),
                        "--ledger", str(eastfold))
    assert code == 2 and "return-year-unknown" in err and "2025-26" in err
    assert not out.exists()


def test_open_launches_what_was_written(tmp_path: Path, eastfold: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("click.launch", lambda target: opened.append(target) or 0)
    out = tmp_path / "r.html"
    code, _, _ = _run("return", "--year", "2025-26", "--out", str(out), "--ledger", str(eastfold),
                      "--open")
    assert code == 0 and out.is_file()
    assert opened == [str(out.resolve())]


def test_wide_tables_never_cut_ids_or_money() -> None:
    table = DataTable(Column("Stream", "id"),
                      *[Column(h, "money") for h in ("A", "B", "C", "D", "E")])
    table.add_row("S-FFP-2022-LONG-ID", *["£1,249,900,000.00"] * 5)
    out = io.StringIO()
    table.print(SafeConsole(file=out, width=80))
    text = out.getvalue()
    assert "S-FFP-2022-LONG-ID" in text and text.count("£1,249,900,000.00") == 5
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


@given(st.text())
def test_any_text_prints_without_control_characters(text: str) -> None:
    out = io.StringIO()
    SafeConsole(file=out, width=120).print(text)
    SafeConsole(file=out, width=120).print(plain(text))
    printed = out.getvalue()
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in printed)

"""The `--max-*` options named in every limit's hint exist and take effect."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from click.testing import CliRunner

from fundflow.catalogue import CATALOGUE
from fundflow.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top level is lazy: `commands` is empty
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def _csv(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "synthetic_long_small.csv"
    lines = ["Stream ID,Period,Category,Cap/Rev,Measure,State,Amount,Note"]
    lines += [f"S-1,2025-26 Q1,Staff,revenue,spend,actual,{n}.00," for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_lower_row_limit_refuses_and_names_its_option(tmp_path: Path) -> None:
    path = _csv(tmp_path, 50)
    result = CliRunner().invoke(cli, ["validate", str(path), "--max-rows", "10", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output[result.output.index("["):])
    issue = data[0]["issues"][0]
    assert issue["code"] in {"limit-exceeded", "sheet-too-large"}
    assert "--max-rows" in issue["hint"]


def test_raising_the_limit_lets_the_file_through(tmp_path: Path) -> None:
    path = _csv(tmp_path, 50)
    result = CliRunner().invoke(cli, ["validate", str(path), "--max-rows", "100", "-q"])
    assert result.exit_code == 0, result.output


def test_every_option_a_hint_names_exists() -> None:
    named = {m for e in CATALOGUE.values() for m in re.findall(r"--[a-z-]+", e.hint)}
    help_text = ""
    for path in _commands(cli):
        help_text += CliRunner().invoke(cli, [*path, "--help"]).output
    missing = {o for o in named if o not in help_text}
    assert not missing

"""Docs that cannot go stale: generated references match the code, every command has an
example, every issue code is documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fundflow.catalogue import CATALOGUE
from fundflow.cli import cli
from fundflow.docgen import DOCS, json_schemas

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(DOCS))
def test_generated_doc_is_current(name: str) -> None:
    committed = (DOCS_DIR / name).read_text(encoding="utf-8")
    assert committed == DOCS[name](), f"run `uv run python -m fundflow.docgen` to refresh {name}"


def test_generated_json_schemas_are_current() -> None:
    schemas = DOCS_DIR.parent / "schemas"
    for name, text in json_schemas().items():
        assert (schemas / name).read_text(encoding="utf-8") == text, (
            f"run `uv run python -m fundflow.docgen` to refresh schemas/{name}")


def test_every_issue_code_is_documented() -> None:
    text = (DOCS_DIR / "issues.md").read_text(encoding="utf-8")
    missing = [code for code in CATALOGUE if f"`{code}`" not in text]
    assert not missing


def test_issue_codes_are_kebab_case_with_hints() -> None:
    for code, entry in CATALOGUE.items():
        assert code == code.lower() and " " not in code and "_" not in code, code
        assert entry.severity in {"error", "warning", "info"}, code
        assert entry.message and entry.hint, code


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top level is lazy: `commands` is empty
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix} {name}".strip()
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize(("path", "command"), _commands(cli))
def test_every_command_has_help_with_an_example(path: str, command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`fundflow {path} --help` needs an example"

"""The return as JSON: the whole model, money as exact decimal strings.

This is what a receiving department collects: `read_json` gives back a `Return` equal to the one
written, so nothing is lost or rounded on the way. JSON is data, not a spreadsheet, so text is
written as it is (no formula neutralising) and escaped by the JSON encoder.
"""

from __future__ import annotations

from pathlib import Path

from fundflow.returns.model import Return


def render_json(ret: Return) -> str:
    """The return as indented JSON text, keys in model order."""
    return ret.model_dump_json(indent=2) + "\n"


def write_json(ret: Return, path: Path) -> None:
    """Write the JSON to `path` (the caller makes the write atomic)."""
    path.write_text(render_json(ret), encoding="utf-8")


def read_json(path: Path) -> Return:
    """Read a return written by `write_json` (raises pydantic's ValidationError if it is not)."""
    return Return.model_validate_json(path.read_bytes())

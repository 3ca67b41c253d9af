"""The return as JSON: the whole model, money as exact decimal strings.

This is what a receiving department collects: `read_json` gives back a `Return` equal to the one
written, so nothing is lost or rounded on the way. JSON is data, not a spreadsheet, so text is
written as it is (no formula neutralising) and escaped by the JSON encoder.

The Data rows (hundreds of thousands in a large return) are written from the frame, one compact
object per line, in chunks (`data_table.json_objects`); the rest of the model is pydantic's JSON
dump, indented. A reader sees one JSON document either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from fundflow.returns.data_table import CHUNK, DATA_COLUMNS, json_objects
from fundflow.returns.model import Return


def render_json(ret: Return) -> str:
    """The return as indented JSON text, keys in model order."""
    return "".join(_chunks(ret))


def write_json(ret: Return, path: Path) -> None:
    """Write the JSON to `path` (the caller makes the write atomic)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(_chunks(ret))


def _chunks(ret: Return) -> Iterator[str]:
    """The model's own JSON with the Data rows spliced in at their place (before the first
    top-level key that follows `data`, found at two spaces' indent: text values cannot hold
    a raw line break, so no value can look like it)."""
    dumped = ret.model_dump_json(indent=2, exclude={"data"})
    names = list(Return.model_fields)
    after = names[names.index("data") + 1:]
    if after:
        cut = dumped.index(f"\n  {json.dumps(after[0])}: ")
        head, tail = dumped[:cut], "," + dumped[cut:]
        head = head.removesuffix(",")
    else:
        head, tail = dumped.removesuffix("\n}"), "\n}"
    frame = ret.data.frame
    yield head + ',\n  "data": ['
    for start in range(0, frame.height, CHUNK):
        rows = json_objects(frame.slice(start, CHUNK), DATA_COLUMNS).to_list()
        yield ("," if start else "") + "\n    " + ",\n    ".join(rows)
    yield ("\n  ]" if frame.height else "]") + tail + "\n"


def read_json(path: Path) -> Return:
    """Read a return written by `write_json` (raises pydantic's ValidationError if it is not)."""
    return Return.model_validate_json(path.read_bytes())

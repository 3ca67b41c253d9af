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
from typing import Any

from pydantic import TypeAdapter

from fundflow.returns.data_table import CHUNK, DATA_COLUMNS, json_objects
from fundflow.returns.frame_table import FrameTable
from fundflow.returns.model import Return


def render_json(ret: Return) -> str:
    """The return as indented JSON text, keys in model order."""
    return "".join(_chunks(ret))


def write_json(ret: Return, path: Path) -> None:
    """Write the JSON to `path` (the caller makes the write atomic)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(_chunks(ret))


def _chunks(ret: Return) -> Iterator[str]:
    """The model's own indented JSON, one top-level field at a time, with the Data rows
    written from their frame a chunk at a time. Dumped whole, the model's JSON (at 15,000
    streams the Finance rows, analyses and terms, about 130 MB of text) and pydantic's work
    behind it were held at once beside the frames: 1,128 MB at 1M figures. Each field's dump
    is the text the whole dump has for it (same indent depth), so the file is unchanged."""
    yield "{"
    for i, name in enumerate(Return.model_fields):
        yield ",\n" if i else "\n"
        if name == "data":
            yield from _data(ret)
            continue
        value = getattr(ret, name)
        if isinstance(value, FrameTable):
            yield from _table(name, value)
            continue
        one = ret.model_dump_json(indent=2, include={name})
        yield one[2:-2]  # '{\n' + '  "name": value' + '\n}'
    yield "\n}\n"


def _table(name: str, table: FrameTable[Any]) -> Iterator[str]:
    """A frame-backed table (the Finance rows) as pydantic dumps it, a chunk of rows at a
    time: dumped whole, its 260,000 rows at 15,000 streams became models all at once (about
    430 MB). Each chunk is dumped as a list and indented one level deeper, where the whole
    dump has it (JSON text holds no raw line break, so every line break is layout)."""
    if not len(table):
        yield f"  {json.dumps(name)}: []"
        return
    rows = TypeAdapter(list[table.row_model])  # type: ignore[name-defined]
    yield f"  {json.dumps(name)}: ["
    for start in range(0, len(table), CHUNK):
        dumped = rows.dump_json(table[start:start + CHUNK], indent=2).decode()
        yield ("," if start else "") + dumped[1:-2].replace("\n", "\n  ")
    yield "\n  ]"


def _data(ret: Return) -> Iterator[str]:
    frame = ret.data.frame
    yield '  "data": ['
    for start in range(0, frame.height, CHUNK):
        rows = json_objects(frame.slice(start, CHUNK), DATA_COLUMNS).to_list()
        yield ("," if start else "") + "\n    " + ",\n    ".join(rows)
    yield "\n  ]" if frame.height else "]"


def read_json(path: Path) -> Return:
    """Read a return written by `write_json` (raises pydantic's ValidationError if it is not)."""
    return Return.model_validate_json(path.read_bytes())

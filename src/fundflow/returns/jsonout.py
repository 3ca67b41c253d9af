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

_DATA = "\u0000data"
"""Stands in for the Data rows in the dumped model; replaced by the rows as they are written
(the only top-level `"data"` key of the dump: text values cannot hold a raw line break)."""


def render_json(ret: Return) -> str:
    """The return as indented JSON text, keys in model order."""
    return "".join(_chunks(ret))


def write_json(ret: Return, path: Path) -> None:
    """Write the JSON to `path` (the caller makes the write atomic)."""
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(_chunks(ret))


def _chunks(ret: Return) -> Iterator[str]:
    model = json.loads(ret.model_dump_json(exclude={"data"}))
    dumped = json.dumps({**{k: model[k] for k in _before(model)}, "data": _DATA,
                         **{k: model[k] for k in _after(model)}},
                        indent=2, ensure_ascii=False)
    head, marker, tail = dumped.partition(f'\n  "data": {json.dumps(_DATA)}')
    assert marker, "the dumped model lost its data key"
    frame = ret.data.frame
    yield head + '\n  "data": ['
    for start in range(0, frame.height, CHUNK):
        rows = json_objects(frame.slice(start, CHUNK), DATA_COLUMNS).to_list()
        yield ("," if start else "") + "\n    " + ",\n    ".join(rows)
    yield ("\n  ]" if frame.height else "]") + tail + "\n"


def _before(model: dict[str, object]) -> list[str]:
    names = list(Return.model_fields)
    return [k for k in names[:names.index("data")] if k in model]


def _after(model: dict[str, object]) -> list[str]:
    names = list(Return.model_fields)
    return [k for k in names[names.index("data") + 1:] if k in model]


def read_json(path: Path) -> Return:
    """Read a return written by `write_json` (raises pydantic's ValidationError if it is not)."""
    return Return.model_validate_json(path.read_bytes())

"""An unknown layout: the drafted adapter, a preview of what it reads, and saving it.

When no adapter recognises an uploaded file, the workbench keeps a copy of the file (in its
private folder, deleted when it stops) and drafts an adapter with `fundflow.ingest.suggest`, as
`fundflow adapters suggest` does. The officer edits the draft, previews the records it reads
and their total (the importer's own `prepare_file`, checking only: nothing is written), saves
it to the adapters folder and reads the file again with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from fundflow.ingest.grid import Workbook
from fundflow.ingest.guard import Limits
from fundflow.ingest.importer import prepare_file
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.specs.registry import Loaded
from fundflow.ingest.specs.spec import AdapterSpec
from fundflow.ingest.specs.specload import SpecLoadError, describe_errors, parse_spec_text
from fundflow.ingest.spool import Spool
from fundflow.issues import Issue
from fundflow.money import format_pounds, pence_to_decimal
from fundflow.web.layout_apply import FormError, apply_changes, changes
from fundflow.web.layout_form import SpecForm, build_form

PREVIEW_ROWS = 25
MAX_SPEC_CHARS = 200_000
_PREVIEW_COLUMNS = {"source_sheet": "Sheet", "source_cell": "Cell", "stream_id": "Stream",
                    "period_label": "Period", "measure": "Measure", "state": "State",
                    "funder_category": "Funder's category", "amount_gbp_pence": "Amount"}
"""The preview's columns, headed in an officer's words rather than the ledger's field names."""


@dataclass
class Preview:
    """What a draft reads from the file: records, a first few of them, total and issues."""

    spec_error: str | None = None
    entries: int = 0
    indicators: int = 0
    total: Decimal = Decimal("0.00")
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def parse_draft(text: str) -> AdapterSpec | str:
    """The spec the text states, or why it is not one (in the words `adapters test` uses)."""
    if len(text) > MAX_SPEC_CHARS:
        return f"The adapter is longer than {MAX_SPEC_CHARS:,} characters."
    data: object = None
    try:
        data = parse_spec_text(text)
        return AdapterSpec.model_validate(data)
    except SpecLoadError as exc:
        return str(exc)
    except ValidationError as exc:
        return describe_errors(exc, data)


def preview(source: Path, text: str, limits: Limits) -> Preview:
    """Read `source` with the draft in `text`, checking only, and show what it read."""
    spec = parse_draft(text)
    if isinstance(spec, str):
        return Preview(spec_error=spec)
    batch, result = prepare_file(source, [Loaded(spec, Path(f"{spec.id}.yaml"))], limits)
    out = Preview(entries=result.entries,
                  indicators=result.indicators, total=result.total, issues=result.issues)
    if batch is None:
        return out
    try:
        frame = batch.finance.frame() if isinstance(batch.finance, Spool) else batch.finance
        if frame is not None and frame.height:
            wanted = [c for c in _PREVIEW_COLUMNS if c in frame.columns]
            out.columns = [_PREVIEW_COLUMNS[c] for c in wanted]
            out.rows = [[_shown(name, v) for name, v in zip(wanted, row, strict=True)]
                        for row in frame.select(wanted).head(PREVIEW_ROWS).iter_rows()]
    finally:
        batch.close()
    return out


@dataclass
class Edited:
    """The draft after a post of the layout form: its YAML, the YAML the next form is drawn
    from (the new YAML when it is an adapter, else the last one that was), the form to show
    and what is wrong with the form's values."""

    text: str
    base: str
    form: SpecForm | None
    errors: list[FormError] = field(default_factory=list)

    @property
    def shown(self) -> str:
        """The values the form shows, as the page keeps them (`shown`) for the next post."""
        return json.dumps(self.form.values() if self.form else {}, ensure_ascii=False)


_BOOKS: dict[tuple[str, int, int], Workbook | None] = {}


def _workbook(source: Path, limits: Limits) -> Workbook | None:
    """The kept file as read by the guarded reader, remembered for the next few posts."""
    info = source.stat()
    key = (str(source), info.st_mtime_ns, info.st_size)
    if key not in _BOOKS:
        while len(_BOOKS) >= 4:
            _BOOKS.pop(next(iter(_BOOKS)))
        _BOOKS[key] = read_workbook(source, limits)[0]
    return _BOOKS[key]


def _conventions() -> list[str]:
    from fundflow.mapping.reference import bundled_calendars  # noqa: PLC0415 - page only

    return [c.id for c in bundled_calendars().conventions]


def draw(source: Path, text: str, limits: Limits) -> SpecForm | None:
    """The form for the draft in `text`; None when the text is not an adapter."""
    spec = parse_draft(text)
    if isinstance(spec, str):
        return None
    return build_form(spec, _workbook(source, limits), _conventions())


def edit_draft(source: Path, text: str, base: str, posted: dict[str, str],
               limits: Limits) -> Edited:
    """Write the form's changes (its values that differ from those it showed) into `text`."""
    base_spec = parse_draft(base)
    if isinstance(base_spec, str):  # a forged or stale page: the YAML alone decides
        return Edited(text, text, draw(source, text, limits))
    workbook = _workbook(source, limits)
    drawn = build_form(base_spec, workbook, _conventions())
    new_text, errors = apply_changes(text, changes(_showed(posted.get("shown"), drawn),
                                                   posted), posted)
    spec = parse_draft(new_text)
    if errors or isinstance(spec, str):
        return Edited(new_text, base, drawn.overlay(posted), errors)
    return Edited(new_text, new_text, build_form(spec, workbook, _conventions()))


def _shown(column: str, value: object) -> str:
    """A preview cell as text; an amount in pounds (the ledger keeps whole pence)."""
    if value is None:
        return ""
    if column == "amount_gbp_pence" and isinstance(value, int):
        return format_pounds(pence_to_decimal(value))
    return str(value)


def _showed(posted: str | None, drawn: SpecForm) -> dict[str, str]:
    """The values the page said its form showed, or those `drawn` shows when it said none."""
    try:
        values = json.loads(posted or "null")
    except ValueError:
        values = None
    if isinstance(values, dict) and all(isinstance(v, str) for v in values.values()):
        return {str(k): v for k, v in values.items()}
    return drawn.values()


def save_draft(text: str, folder: Path) -> Path | str:
    """Write a valid draft to `folder` as `<id>.yaml`, never over an existing file; returns
    the path, or why it was not saved."""
    spec = parse_draft(text)
    if isinstance(spec, str):
        return spec
    name = re.sub(r"[^A-Za-z0-9_-]", "_", spec.id)[:80] or "adapter"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        return (f"An adapter file {path.name} is already in {folder}: give the draft another "
                "id, or change that file.")
    except OSError as exc:
        return f"The adapter could not be saved in {folder} ({exc.strerror or exc})."
    return path

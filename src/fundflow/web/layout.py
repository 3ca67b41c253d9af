"""An unknown layout: the drafted adapter, a preview of what it reads, and saving it.

When no adapter recognises an uploaded file, the workbench keeps a copy of the file (in its
private folder, deleted when it stops) and drafts an adapter with `fundflow.ingest.suggest`, as
`fundflow adapters suggest` does. The officer edits the draft, previews the records it reads
and their total (the importer's own `prepare_file`, checking only: nothing is written), saves
it to the adapters folder and reads the file again with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from fundflow.ingest.guard import Limits
from fundflow.ingest.importer import prepare_file
from fundflow.ingest.specs.registry import Loaded
from fundflow.ingest.specs.spec import AdapterSpec
from fundflow.ingest.specs.specload import SpecLoadError, describe_errors, parse_spec_text
from fundflow.ingest.spool import Spool
from fundflow.issues import Issue

PREVIEW_ROWS = 25
MAX_SPEC_CHARS = 200_000
_PREVIEW_COLUMNS = ("source_sheet", "source_cell", "stream_id", "period_label", "measure",
                    "state", "funder_category", "amount_gbp")


@dataclass
class Preview:
    """What a draft reads from the file: records, a first few of them, total and issues."""

    spec_error: str | None = None
    tables: list[TableSummary] = field(default_factory=list)
    entries: int = 0
    indicators: int = 0
    total: Decimal = Decimal("0.00")
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


@dataclass(frozen=True)
class TableSummary:
    """One table of a draft in words: where it is, its shape, and what each field reads."""

    name: str
    kind: str
    sheet: str
    header: str
    shape: str
    periods: str
    fields: list[tuple[str, str]]


def summarise(spec: AdapterSpec) -> list[TableSummary]:
    """The draft's tables as the page lists them above the YAML."""
    out = []
    for table in spec.tables:
        sheet = table.sheet or (f"sheets matching {table.sheet_pattern}"
                                if table.sheet_pattern else "the file's only sheet")
        head = table.header
        header = (f"row {head.row}" if head.row else f"the row with {head.anchor}") + (
            f", {head.rows} rows deep" if head.rows > 1 else "")
        fields = [(name, _source_words(source)) for name, source in table.fields.items()]
        out.append(TableSummary(table.name, str(table.kind), sheet, header, table.shape,
                                table.period_convention or "as the file states them",
                                fields))
    return out


def _source_words(source: object) -> str:
    """A field's source as `column: Amount; parser: gbp_amount` (its set keys only)."""
    dump = getattr(source, "model_dump", None)
    if dump is None:
        return str(source)
    data = dump(exclude_none=True, exclude_defaults=True, by_alias=True)
    return "; ".join(f"{key}: {value}" for key, value in data.items()) or str(source)


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
    out = Preview(tables=summarise(spec), entries=result.entries,
                  indicators=result.indicators, total=result.total, issues=result.issues)
    if batch is None:
        return out
    try:
        frame = batch.finance.frame() if isinstance(batch.finance, Spool) else batch.finance
        if frame is not None and frame.height:
            wanted = [c for c in _PREVIEW_COLUMNS if c in frame.columns]
            out.columns = wanted
            out.rows = [["" if v is None else str(v) for v in row]
                        for row in frame.select(wanted).head(PREVIEW_ROWS).iter_rows()]
    finally:
        batch.close()
    return out


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

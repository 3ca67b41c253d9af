"""The import pipeline for one file: read, identify, extract, check, then write atomically.

`prepare_file` does everything but the write and is what `fundflow validate` runs;
`import_files` adds the ledger write, one transaction per file, so one file's failure never
hides another file's result and a file with errors changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Literal

import polars as pl

from fundflow.ingest import inputs
from fundflow.ingest.grid import Workbook
from fundflow.ingest.guard import Limits
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.register_check import unknown_stream_issues
from fundflow.ingest.specs.checks import check_columns, run_checks
from fundflow.ingest.specs.extract import FileContext, TableRecords, extract_tables, scalar_value
from fundflow.ingest.specs.identify import claimants, identify
from fundflow.ingest.specs.records import to_ledger_frame
from fundflow.ingest.specs.registry import Loaded
from fundflow.ingest.specs.spec import AdapterSpec
from fundflow.ingest.spool import Spool
from fundflow.issues import Issue, has_errors, make_issue
from fundflow.ledger.store import LedgerError, SubmissionBatch, add_submission, open_ledger
from fundflow.money import Largest, largest_amount, total_too_large

Status = Literal["added", "superseded", "unchanged", "failed", "checked"]
# Told how far a file has got: (file, step, records so far); steps are "reading",
# "checking" (after each part of records) and "saving".
OnStep = Callable[[Path, str, int], None]
# Columns whose distinct values make a submission's stream and period keys.
KEY_COLUMNS = ("stream_id", "period_label")

expand_paths = inputs.expand_paths
"""Files as given, and the spreadsheets inside folders (`fundflow.ingest.inputs`)."""


@dataclass
class FileResult:
    """What happened to one file: its status, adapter, counts, control total and issues."""

    path: Path
    status: Status
    adapter_id: str | None = None
    submission_id: str | None = None
    supersedes: str | None = None
    entries: int = 0
    indicators: int = 0
    streams: int = 0
    total: Decimal = Decimal("0.00")
    issues: list[Issue] = field(default_factory=list)


def prepare_file(
    path: Path, adapters: list[Loaded], limits: Limits | None = None, *, keep: bool = True,
    on_step: OnStep | None = None, debug: bool = False,
) -> tuple[SubmissionBatch | None, FileResult]:
    """Read and check one file; the batch is None when the file has errors.

    With `keep=False` (checking only) the batch counts and totals the records without
    keeping them, so a huge file is checked without filling memory or disk. Whatever goes
    wrong unexpectedly inside the file becomes an `import-fault` issue on it (with `debug`,
    the exception propagates for its traceback), so the other files of a run go on.
    """
    result = FileResult(path, "failed")
    try:
        return _prepare(path, adapters, limits, result, keep=keep, on_step=on_step)
    except Exception as exc:
        if debug:
            raise
        result.status = "failed"
        result.issues.append(fault_issue(path, result.adapter_id, exc))
        return None, result


def fault_issue(path: Path, adapter_id: str | None, exc: BaseException) -> Issue:
    """The issue for an unexpected fault inside one file: what, where, and `--debug`."""
    detail = str(exc).splitlines()[0] if str(exc) else ""
    reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return make_issue("import-fault", file=path.name, adapter=adapter_id or "(none chosen)",
                      reason=reason[:200])


def _prepare(
    path: Path, adapters: list[Loaded], limits: Limits | None, result: FileResult, *,
    keep: bool, on_step: OnStep | None,
) -> tuple[SubmissionBatch | None, FileResult]:
    if not path.is_file():
        result.issues.append(make_issue("file-not-found", file=str(path)))
        return None, result
    if on_step:
        on_step(path, "reading", 0)
    workbook, issues = read_workbook(path, limits)
    result.issues += issues
    if workbook is None:
        return None, result
    loaded = _choose_adapter(path, workbook, adapters, result)
    if loaded is None:
        return None, result
    spec = loaded.spec
    result.adapter_id = spec.id
    if spec.encoding or spec.delimiter:
        # Read again as the adapter says: what the first, guessing read said no longer holds
        # (a "read as Windows-1252" note when the adapter names the encoding).
        workbook, issues = read_workbook(path, limits, encoding=spec.encoding,
                                         delimiter=spec.delimiter)
        result.issues = list(issues)  # so far only the first read has spoken
        if workbook is None:
            return None, result
    batch = build_batch(path, workbook, spec, result, keep=keep, on_step=on_step)
    result.status = "checked"
    if has_errors(result.issues):
        result.status = "failed"
        return None, result
    return batch, result


def build_batch(
    path: Path, workbook: Workbook, spec: AdapterSpec, result: FileResult, *, keep: bool = True,
    on_step: OnStep | None = None,
) -> SubmissionBatch:
    """Extract every table and assemble the submission; issues go into `result`.

    Records arrive from extraction in parts and go straight into the batch's spools as ledger
    rows, numbered in order, so a file of any size holds about one part in memory; the
    spec's `checks` see only the columns they name, gathered as the parts go by.
    """
    ctx = FileContext(workbook, path.name, spec)
    for name, src in spec.context.items():
        ctx.values[name] = scalar_value(ctx, src, None, None)[0]
    period = scalar_value(ctx, spec.period, None, None)[0] if spec.period else None
    ctx.values.setdefault("period", period)
    spools = {
        "finance": Spool(distinct=KEY_COLUMNS, sums=("amount_gbp_pence",), keep=keep),
        "indicators": Spool(distinct=KEY_COLUMNS, keep=keep),
        "streams": Spool(),  # a register's few streams name the funders either way
    }
    checked = check_columns(spec)
    seen: list[TableRecords] = []
    largest: Largest | None = None
    for records in extract_tables(ctx):
        _names(ctx, records.frame)
        if records.table.name in checked:
            wanted = [c for c in records.frame.columns if c in checked[records.table.name]]
            seen.append(TableRecords(records.table, records.frame.select(wanted)))
        spool = spools[records.table.kind]
        frame = to_ledger_frame(ctx, records)
        largest = largest_amount(frame, largest)
        spool.append(frame.with_columns(
            pl.int_range(spool.height + 1, spool.height + frame.height + 1, dtype=pl.Int32)
            .alias("row_no")))
        if on_step:
            on_step(path, "checking", sum(s.height for s in spools.values()))
    run_checks(ctx, seen)
    result.issues += _one_per_cell(ctx.issues)
    finance, indicators, streams = spools["finance"], spools["indicators"], spools["streams"]
    if spec.period is not None and period is None:
        result.issues.append(make_issue("period-missing", file=path.name))
    result.entries, result.indicators = finance.height, indicators.height
    result.streams = streams.height
    result.total = Decimal(finance.total("amount_gbp_pence")).scaleb(-2)
    result.issues += total_too_large(finance.total("amount_gbp_pence"), largest, path.name)
    stream_frame = streams.frame()
    return SubmissionBatch(
        file_name=path.name,
        file_path=str(path),
        file_sha256=workbook.sha256,
        adapter_id=spec.id,
        adapter_version=spec.version,
        return_type=spec.return_type,
        funder_id=spec.funder,
        stream_key=_stream_key(spec, finance, indicators),
        funder_period=period or _periods_key(finance, indicators),
        finance=finance,
        indicators=indicators,
        streams=stream_frame,
        funders=_funders(stream_frame, ctx),
        partnerships=_partnerships(ctx),
        issues=[i for i in result.issues if i.severity.value != "error"],
    )


def _names(ctx: FileContext, frame: pl.DataFrame) -> None:
    """Partnership and funder names a register's records give, for their reference rows."""
    if {"partnership_id", "partnership_name"} <= set(frame.columns):
        pairs = frame.select("partnership_id", "partnership_name").drop_nulls()
        ctx.values.setdefault("partnership_names", {}).update(dict(pairs.unique().iter_rows()))
    if {"funder_id", "funder_name"} <= set(frame.columns):
        pairs = frame.select("funder_id", "funder_name").drop_nulls().unique()
        ctx.values.setdefault("funder_names", {}).update(dict(pairs.iter_rows()))
    if {"funder_id", "funder_type"} <= set(frame.columns):
        types = frame.select("funder_id", "funder_type").drop_nulls().unique()
        ctx.values.setdefault("funder_types", {}).update(dict(types.iter_rows()))


def import_files(
    paths: list[Path],
    ledger: Path,
    adapters: list[Loaded],
    *,
    dry_run: bool = False,
    limits: Limits | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    on_step: OnStep | None = None,
    debug: bool = False,
    reread: bool = False,
    origins: Mapping[Path, str] | None = None,
) -> list[FileResult]:
    """Import each file in its own transaction (or only check it, with `dry_run`).

    `origins` says where a file came from when its path is not worth keeping as provenance
    (the workbench's private temporary copy of an upload, deleted after the import).

    Files are read and written one after another, so only one file's records are ever held.
    The ledger is opened first: a ledger in use by another program is said before any work.
    A file that fails unexpectedly is an `import-fault` on that file; the rest go on.
    A file imported before is read again when its adapter's id or version changed, or with
    `reread`; the new reading supersedes the old one, which stays as history.
    """
    results = []
    with ExitStack() as stack:
        con = None if dry_run else stack.enter_context(open_ledger(ledger))
        for path in paths:
            batch, result = prepare_file(path, adapters, limits, keep=con is not None,
                                         on_step=on_step, debug=debug)
            if batch is not None and origins and path in origins:
                batch = replace(batch, file_path=origins[path])
            if batch is not None:
                try:
                    if con is not None:
                        if on_step:
                            on_step(path, "saving", result.entries + result.indicators)
                        unknown = unknown_stream_issues(con, batch)
                        result.issues += unknown
                        batch.issues.extend(unknown)
                        _write(con, batch, result, reread=reread)
                except Exception as exc:
                    if debug:
                        raise
                    result.status = "failed"
                    result.issues.append(fault_issue(path, result.adapter_id, exc))
                finally:
                    batch.close()
            results.append(result)
            if on_file:
                on_file(result)
    return results


def _write(con: object, batch: SubmissionBatch, result: FileResult, *, reread: bool) -> None:
    try:
        added = add_submission(con, batch, reread=reread)
    except LedgerError as exc:
        result.status = "failed"
        result.issues.append(make_issue(exc.code, **{**exc.params, "file": batch.file_name}))
        return
    result.status = added.status
    result.submission_id = added.submission_id
    result.supersedes = added.supersedes


def _choose_adapter(
    path: Path, workbook: Workbook, adapters: list[Loaded], result: FileResult
) -> Loaded | None:
    verdicts = identify(path, workbook, adapters)
    claims = claimants(verdicts)
    if len(claims) == 1:
        return claims[0].adapter
    if len(claims) > 1:
        result.issues.append(make_issue(
            "adapter-ambiguous", file=path.name,
            adapters=", ".join(v.adapter.spec.id for v in claims)))
        return None
    closest = verdicts[0] if verdicts else None
    result.issues.append(make_issue(
        "adapter-none", file=path.name,
        closest=closest.adapter.spec.id if closest else "(no adapters loaded)",
        reason="; ".join(closest.failures) if closest else "no adapters are loaded",
    ))
    return None


def _one_per_cell(issues: list[Issue]) -> list[Issue]:
    """Each problem once: a cell read by several records (a row label in a wide table) or
    already reported by the reader (an Excel error shown as blank) is named once."""
    seen: set[tuple[str | None, str | None, str]] = set()
    located = {(i.sheet, i.cell) for i in issues if i.cell and i.code != "required-missing"}
    kept = []
    for issue in issues:
        key = (issue.sheet, issue.cell, issue.code)
        if issue.cell and key in seen:
            continue
        if issue.code == "required-missing" and (issue.sheet, issue.cell) in located:
            continue
        seen.add(key)
        kept.append(issue)
    return kept


def _stream_key(spec: AdapterSpec, *spools: Spool) -> str:
    ids = {str(v) for spool in spools for v in spool.values("stream_id")}
    return ";".join(sorted(ids)) if ids else spec.id


def _periods_key(*spools: Spool) -> str:
    labels = {str(v) for spool in spools for v in spool.values("period_label")}
    if not labels:
        return "all"
    ordered = sorted(labels)
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]} … {ordered[-1]}"


def _partnerships(ctx: FileContext) -> pl.DataFrame | None:
    """Partnerships a register names (id and name)."""
    names = ctx.values.get("partnership_names")
    if not isinstance(names, dict) or not names:
        return None
    return pl.DataFrame({"partnership_id": list(names), "name": list(names.values())},
                        schema={"partnership_id": pl.String, "name": pl.String})


def _funders(streams: pl.DataFrame | None, ctx: FileContext) -> pl.DataFrame | None:
    """Funder rows named by a register (id and name), or the adapter's own funder."""
    names = ctx.values.get("funder_names")
    rows: dict[str, str] = {}
    if streams is not None and streams.height:
        funders = streams.get_column("funder_id").drop_nulls()
        for fid in funders.unique(maintain_order=True).to_list():
            rows[fid] = fid
    if isinstance(names, dict):
        rows.update(names)
    if ctx.spec.funder:
        rows.setdefault(ctx.spec.funder, ctx.spec.funder)
    if not rows:
        return None
    types = ctx.values.get("funder_types")
    kinds = types if isinstance(types, dict) else {}
    return pl.DataFrame({"funder_id": list(rows), "name": list(rows.values()),
                         "funder_type": [kinds.get(fid) for fid in rows]},
                        schema={"funder_id": pl.String, "name": pl.String,
                                "funder_type": pl.String})

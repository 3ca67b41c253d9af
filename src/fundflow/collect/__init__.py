"""Collect: a receiving department gathers many partnerships' returns into its own ledger.

Each file is read and checked (`interchange.receive`: whole, a known version, unchanged since
written, reconciling), then written as one submission with every id under its partnership
(`frames.batch_of`), in one transaction or not at all. The same file twice changes nothing; a
return from the same partnership for the same period replaces the earlier one, which stays in
the history; one bad file never stops the others. After writing, the ledger's total for the
submission must equal the return's collected figures to the penny.

The department's views (`views`) are drawn from the ledger's Book, one per partnership.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from pathlib import Path

from fundflow.collect.compared import with_compared
from fundflow.collect.pipeline import in_order
from fundflow.collect.prepared import (
    OUTCOMES,
    Collected,
    Outcome,
    Prepared,
    prepare,
)
from fundflow.issues import make_issue
from fundflow.ledger.read import Connection
from fundflow.ledger.store import (
    SMALL_ROWS,
    AddResult,
    LedgerError,
    SubmissionBatch,
    add_submission,
    add_submissions,
    checkpoint,
    collecting,
)


def write_prepared(con: Connection, prepared: Prepared) -> Collected:
    """Add a prepared return to the ledger as one submission, or nothing at all."""
    result, batch = prepared.result, prepared.batch
    if batch is None:
        return result
    try:
        added = add_submission(con, batch)
    except LedgerError as exc:
        result.issues.append(make_issue(exc.code, **{**exc.params, "file": result.path.name}))
        return result
    return _record(prepared, added)


def write_group(con: Connection, group: Sequence[Prepared]) -> list[Collected]:
    """Add several prepared returns in one transaction (`add_submissions`); if it fails,
    each on its own, so only the bad one is refused and the others are still collected."""
    group = with_compared(group)  # the views' figures, written with each return's (`compared`)
    batches = [p.batch for p in group if p.batch is not None]
    try:
        added = iter(add_submissions(con, batches))
    except LedgerError:
        return [write_prepared(con, p) for p in group]
    return [p.result if p.batch is None else _record(p, next(added)) for p in group]


def _record(prepared: Prepared, added: AddResult) -> Collected:
    """The outcome of a written return, and what the ledger's control total says of it."""
    result, name = prepared.result, prepared.result.path.name
    result.entries, result.total = prepared.entries, prepared.total
    result.status = _outcome(added.status)
    if added.status != "unchanged" and added.total != result.total:
        result.issues.append(make_issue("collect-unreconciled", file=name,
                                        value=str(added.total), expected=str(result.total)))
    if added.status == "superseded":
        result.issues.append(make_issue(
            "collect-replaced", file=name, partnership=result.partnership or "",
            value=result.period or "", expected=added.supersedes or ""))
    return result


def collect_file(con: Connection, path: Path) -> Collected:
    """Check one return and add it to the ledger as one submission (or refuse it, changing
    nothing). Never raises for a problem with the file: the result's issues say it."""
    return write_prepared(con, prepare(path))


GROUP = 50
"""Returns written in one transaction: a transaction a return cost more than its rows
(40-66 ms against about 10); a kill mid-run still leaves whole returns only."""
GROUP_ROWS = SMALL_ROWS
"""Figures written in one transaction at most: a group is held in memory until written."""


def collect_files(
    con: Connection, files: Sequence[Path], *,
    on_file: Callable[[Collected], None] | None = None, worker: bool | None = None,
) -> list[Collected]:
    """Collect each file in turn, in groups of up to `GROUP` returns a transaction;
    `on_file` hears of each as it is done (for progress: a group's returns when it is
    written, a refused file at once). The results are in the order of `files`. The
    ledger's journal is written into the file at the end (`ledger.checkpoint`).

    A group never holds the same file twice nor two returns of one partnership's period
    (each is decided against the ledger as it was before the group), and a large return
    (more than `GROUP_ROWS` figures) is written on its own.

    From `pipeline.WORKER_FROM` files on, a second process reads and checks files while
    this one writes (`pipeline.in_order`; `worker` True or False decides instead): the
    results are the same, in the same order."""
    results: list[Collected] = []
    group: list[Prepared] = []

    def done(collected: list[Collected]) -> None:
        results.extend(collected)
        if on_file is not None:
            for result in collected:
                on_file(result)

    def flush() -> None:
        if group:
            done(write_group(con, group))
            group.clear()

    with collecting(con), closing(in_order(files, worker=worker)) as prepared_files:
        for prepared in prepared_files:
            batch = prepared.batch
            if batch is None:
                flush()  # keeps the results in the order of the files
                done([prepared.result])
                continue
            if prepared.entries > GROUP_ROWS:
                flush()
                done([write_prepared(con, prepared)])
                continue
            if (len(group) >= GROUP or _clash(group, batch)
                    or sum(p.entries for p in group) + prepared.entries > GROUP_ROWS):
                flush()
            group.append(prepared)
        flush()
        checkpoint(con)
    return results


def _clash(group: Sequence[Prepared], batch: SubmissionBatch) -> bool:
    """Whether the batch is the same file or the same return's period as one in the group."""
    return any(p.batch is not None and (
        p.batch.file_sha256 == batch.file_sha256
        or (p.batch.return_type, p.batch.stream_key, p.batch.funder_period)
        == (batch.return_type, batch.stream_key, batch.funder_period)) for p in group)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and each folder's returns in name order. `fundflow return --format all`
    writes a return's .json and .csv side by side; a folder holding both is collected from the
    .json alone, which also carries the stream terms: collecting the .csv after it would replace
    the return with a copy that lacks them."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = [p for p in path.iterdir()
                     if p.is_file() and p.suffix.lower() in (".json", ".csv")]
            json_stems = {p.stem for p in files if p.suffix.lower() == ".json"}
            out.extend(sorted(p for p in files
                              if p.suffix.lower() == ".json" or p.stem not in json_stems))
        else:
            out.append(path)
    return out


def outcomes(results: Iterable[Collected]) -> dict[Outcome, int]:
    """How many files had each outcome, every outcome listed (the end-of-run summary)."""
    seen = Counter(r.status for r in results)
    return {name: seen.get(name, 0) for name in OUTCOMES}


def _outcome(status: str) -> Outcome:
    return {"added": "collected", "superseded": "replaced"}.get(status, "unchanged")  # type: ignore[return-value]




__all__ = ["OUTCOMES", "Collected", "Outcome", "Prepared", "collect_file", "collect_files",
           "expand_paths", "outcomes", "prepare", "write_group", "write_prepared"]

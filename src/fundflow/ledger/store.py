"""The canonical ledger: one DuckDB file, written one whole submission at a time.

DuckDB 2.0 has traps this module exists to avoid (research/relsec.md F5, F6): after an error
inside a transaction COMMIT silently rolls back; a multi-statement string commits its first
statements; DECIMAL casts round extra places silently. So: one explicit transaction per
submission, one statement per `execute`, any error rolls back and is re-raised, money arrives as
integer pence and becomes DECIMAL(18,2) by exact multiplication, and after COMMIT the control
count and total are read back and compared. `tests/test_duckdb_pins.py` pins each behaviour.
"""

from __future__ import annotations

import hashlib
import itertools
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb

from fundflow.ingest.spool import Spool
from fundflow.issues import Issue
from fundflow.lazy import lazy_module
from fundflow.ledger.arrow_stream import ArrowStream
from fundflow.ledger.migrations import MIGRATIONS, LedgerTooNew, migrate
from fundflow.ledger.opening import Problem, check_file, check_opened, wal_problem
from fundflow.ledger.schema import (
    COMPARED_RETURN,
    FINANCE_ENTRY,
    FUNDER,
    INDICATOR_VALUE,
    ISSUE,
    MONEY,
    PARTNERSHIP,
    STREAM,
    SUBMISSION,
    Column,
    Table,
)

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa
else:
    pl = lazy_module("polars")
    pa = lazy_module("pyarrow")


class LedgerError(Exception):
    """A ledger could not be used; `code` is a catalogue code the CLI turns into an issue."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params: dict[str, Any] = dict(params)


@dataclass(frozen=True)
class SubmissionBatch:
    """Everything one imported file adds to the ledger, ready to write in one transaction.

    The frames follow the polars schemas of their tables (see `schema.py`) without the
    `submission_id` column, which the ledger fills. Finance entries and indicator values may
    come as a `Spool` of parts (a large file) instead of one frame. `funders` rows are added
    when new. `close()` releases the spools' disk space once the batch is written.
    """

    file_name: str
    file_sha256: str
    adapter_id: str
    adapter_version: str
    return_type: str
    stream_key: str
    funder_period: str
    funder_id: str | None = None
    file_path: str | None = None
    finance: pl.DataFrame | Spool | None = None
    indicators: pl.DataFrame | Spool | None = None
    streams: pl.DataFrame | None = None
    funders: pl.DataFrame | None = None
    partnerships: pl.DataFrame | None = None
    issues: list[Issue] = field(default_factory=list)
    compared: pl.DataFrame | None = None
    """A collected return's compared figures (`compared_return`, one row), else None."""

    @property
    def submission_id(self) -> str:
        """Stable id from the file's bytes, so the same file always gets the same id."""
        return "sub-" + self.file_sha256[:16]

    def frame(self, kind: Literal["finance", "indicators", "streams"]) -> pl.DataFrame | None:
        """One kind of records as a single frame (None when there are none): for small
        batches, such as tests and golden files; large ones are read with `Spool.parts`."""
        records = getattr(self, kind)
        if isinstance(records, Spool):
            return records.frame()
        return records  # type: ignore[no-any-return]

    def close(self) -> None:
        """Remove the spilled parts of the batch's spools (the batch is spent)."""
        for records in (self.finance, self.indicators):
            if isinstance(records, Spool):
                records.close()


@dataclass(frozen=True)
class AddResult:
    """What adding a submission did: 'added', 'superseded' (added, replacing one) or 'unchanged'."""

    status: Literal["added", "superseded", "unchanged"]
    submission_id: str
    supersedes: str | None = None
    entries: int = 0
    indicators: int = 0
    total: Decimal = Decimal("0.00")


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks so large files stay cheap."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def open_ledger(path: Path | str, *, read_only: bool = False) -> Iterator[Any]:
    """Open (creating and migrating if needed) a ledger file and yield its DuckDB connection.

    Raises `LedgerError('ledger-in-use')` when another process holds the file: DuckDB allows one
    writing process, and the message must tell a finance officer what to do, not show a lock
    error. Before anything is read or written, `ledger_open` checks that the file is a whole
    fundflow ledger of a version this fundflow reads (a missing file only for read-only use).
    """
    path = Path(path)
    _raise(check_file(path, read_only=read_only))
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise LedgerError("ledger-in-use", path=str(path)) from exc
        _raise(wal_problem(path, str(exc)))
        raise LedgerError("ledger-unreadable", path=str(path), reason=_first_line(exc)) from exc
    except duckdb.Error as exc:
        raise LedgerError("ledger-unreadable", path=str(path), reason=_first_line(exc)) from exc
    try:
        # DuckDB draws a progress bar on stdout for a query slower than 2 s: stdout is data.
        con.execute("SET enable_progress_bar = false")
        _raise(check_opened(con, path, [name for name, _ in MIGRATIONS], read_only=read_only))
        if not read_only:
            migrate(con)
        yield con
    except LedgerTooNew as exc:
        raise LedgerError("ledger-newer", path=str(path), migration=str(exc)) from exc
    except duckdb.Error as exc:
        if not _damaged(exc):
            raise
        raise LedgerError("ledger-unreadable", path=str(path), reason=_first_line(exc)) from exc
    finally:
        con.close()


# What DuckDB raises for a file damaged past the open checks (a bad block checksum is a bare
# `duckdb.Error`); query mistakes (binder, conversion, constraint) stay errors of the program.
_DAMAGE = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException,
           duckdb.FatalException)


def _damaged(exc: duckdb.Error) -> bool:
    """Whether a DuckDB error while reading says the file is damaged, not the query wrong."""
    return type(exc) is duckdb.Error or isinstance(exc, _DAMAGE)


def _raise(problem: Problem | None) -> None:
    """A failed open check (`ledger_open`) as the `LedgerError` the CLI shows."""
    if problem is not None:
        raise LedgerError(problem.code, **problem.params)


def add_submission(con: Any, batch: SubmissionBatch, *, reread: bool = False) -> AddResult:
    """Write one submission atomically, or nothing at all.

    The same bytes twice is a no-op reported as 'unchanged', unless the file is read again
    (`reread`, or an adapter of another id or version than the one that read it): then the
    new reading supersedes the file's current submission, which stays as history. A
    different file for the same (return type, stream key, funder period) supersedes the
    current one. Raises `LedgerError('submission-write-failed')` after rolling back on any
    failure.
    """
    readings = con.execute(
        "SELECT s.submission_id, s.adapter_id, s.adapter_version, c.submission_id IS NOT NULL "
        "FROM submission s LEFT JOIN current_submission c USING (submission_id) "
        "WHERE s.file_sha256 = ? ORDER BY s.imported_at",
        [batch.file_sha256],
    ).fetchall()

    def earlier() -> str | None:
        found = con.execute(
            "SELECT submission_id FROM current_submission "
            "WHERE return_type = ? AND stream_key = ? AND funder_period = ?",
            [batch.return_type, batch.stream_key, batch.funder_period],
        ).fetchone()
        return found[0] if found else None

    unchanged, submission_id, supersedes = _plan(batch, readings, earlier, reread=reread)
    if unchanged is not None:
        return unchanged
    con.execute("BEGIN TRANSACTION")
    try:
        entries, total, indicators = _write(con, batch, supersedes, submission_id)
        con.execute("COMMIT")
    except Exception as exc:
        _rollback(con)
        raise LedgerError(
            "submission-write-failed", file=batch.file_name, reason=_first_line(exc)
        ) from exc
    result = AddResult(
        "superseded" if supersedes else "added",
        submission_id,
        supersedes,
        entries,
        indicators,
        Decimal(total).scaleb(-2),
    )
    _verify(con, result, batch.file_name,
            scan=_streamed(batch.finance) or result.entries > CHECKED_ROWS)
    return result


def add_submissions(con: Any, batches: Sequence[SubmissionBatch]) -> list[AddResult]:
    """Write several small submissions in ONE transaction: all of them, or none.

    For a receiving department's thousands of returns of a few thousand figures each, where
    a transaction a return costs more than its rows (one COMMIT, about ten statements and
    their round trips each). Each file is decided as `add_submission` decides it, against
    the ledger as it stood before the transaction, so no two batches may share a file's
    bytes or a (return type, stream key, funder period): the caller starts a new group
    instead. Every batch's finance entries come back from their one INSERT and are checked
    per submission, as `add_submission` checks a small file's; after COMMIT every submission
    row is read back. Raises `LedgerError('submission-write-failed')` after rolling back on
    any failure, naming the first file: the caller writes them one by one to find the bad
    one (`add_submission`).
    """
    if not batches:
        return []
    _one_each(batches)
    names = "[" + ", ".join(b.file_name for b in batches[:3]) + (", ...]" if len(batches) > 3
                                                                  else "]")
    readings: dict[str, list[tuple[Any, ...]]] = {}
    for sha, *reading in con.execute(
            "SELECT s.file_sha256, s.submission_id, s.adapter_id, s.adapter_version, "
            "c.submission_id IS NOT NULL FROM submission s "
            "LEFT JOIN current_submission c USING (submission_id) "
            "WHERE s.file_sha256 IN (SELECT unnest(?)) ORDER BY s.imported_at",
            [[b.file_sha256 for b in batches]]).fetchall():
        readings.setdefault(sha, []).append(tuple(reading))
    current = {tuple(key): sid for *key, sid in con.execute(
        "SELECT return_type, stream_key, funder_period, submission_id FROM current_submission "
        "WHERE stream_key IN (SELECT unnest(?))",
        [sorted({b.stream_key for b in batches})]).fetchall()}

    def earlier(batch: SubmissionBatch) -> Callable[[], str | None]:
        return lambda: current.get((batch.return_type, batch.stream_key, batch.funder_period))

    plans = [_plan(b, readings.get(b.file_sha256, []), earlier(b)) for b in batches]
    written = [(b, sid, old) for b, (done, sid, old) in zip(batches, plans, strict=True)
               if done is None]
    con.execute("BEGIN TRANSACTION")
    try:
        totals = _write_many(con, written)
        con.execute("COMMIT")
    except Exception as exc:
        _rollback(con)
        raise LedgerError("submission-write-failed", file=names,
                          reason=_first_line(exc)) from exc
    added = iter([AddResult("superseded" if old else "added", sid, old, *totals[sid])
                  for _, sid, old in written])
    results = [done if done is not None else next(added) for done, _, _ in plans]
    _verify_many(con, [r for r in results if r.status != "unchanged"], names)
    return results


def _one_each(batches: Sequence[SubmissionBatch]) -> None:
    """No two batches of one transaction may be the same file or the same return's period:
    each is decided against the ledger as it was before them."""
    files = {b.file_sha256 for b in batches}
    returns = {(b.return_type, b.stream_key, b.funder_period) for b in batches}
    if len(files) < len(batches) or len(returns) < len(batches):
        raise ValueError("add_submissions: two batches of one file or one return's period")
    if any(_streamed(b.finance) or _streamed(b.indicators) for b in batches):
        raise ValueError("add_submissions: a large (streamed) batch goes on its own")


def _write_many(
    con: Any, written: list[tuple[SubmissionBatch, str, str | None]],
) -> dict[str, tuple[int, int, Decimal]]:
    """The statements of several submissions, one per table; the caller owns the
    transaction. Returns each submission's (entries, indicators, total)."""
    if not written:
        return {}
    batches = [b for b, _, _ in written]
    for table, kind in ((FUNDER, "funders"), (PARTNERSHIP, "partnerships")):
        frames = [getattr(b, kind) for b in batches if getattr(b, kind) is not None]
        if frames:
            _add_new(con, table, pl.concat(frames, how="diagonal_relaxed"))

    def tagged(table: Table, frames: list[pl.DataFrame | None]) -> pl.DataFrame:
        # Cast once for the group, not once a submission: each cast is about a millisecond
        # of polars' planning whatever the rows, a tenth of a collected return's writing.
        parts = [_numbered(f, table).with_columns(submission_id=pl.lit(sid))
                 for f, (_, sid, _) in zip(frames, written, strict=True)
                 if f is not None and f.height]
        return _frame(pl.concat(parts, how="diagonal_relaxed") if parts else None, table)

    finance = tagged(FINANCE_ENTRY, [b.frame("finance") for b in batches])
    indicators = tagged(INDICATOR_VALUE, [b.frame("indicators") for b in batches])
    _insert_tagged(con, STREAM, tagged(STREAM, [b.streams for b in batches]))
    stored = _insert_tagged(con, FINANCE_ENTRY, finance, " RETURNING submission_id, amount_gbp")
    _insert_tagged(con, INDICATOR_VALUE, indicators)
    _insert_tagged(con, ISSUE, tagged(ISSUE, [_issue_rows(b.issues) for b in batches]))
    add_compared(con, [(sid, b.compared) for b, sid, _ in written])
    counts = dict(indicators.group_by("submission_id").len().iter_rows())
    sent = {sid: (n, int(p or 0)) for sid, n, p in finance.group_by("submission_id").agg(
        pl.len(), pl.col("amount_gbp_pence").sum()).iter_rows()}
    kept = {sid: (n, total) for sid, n, total in stored.group_by("submission_id").agg(
        pl.len(), pl.col("amount_gbp").sum()).iter_rows()} if stored is not None else {}
    totals, rows = {}, []
    now = datetime.now(UTC).replace(tzinfo=None)
    for batch, sid, old in written:
        entries, pence = sent.get(sid, (0, 0))
        # The entries the INSERT stored agree with those handed to it, per submission.
        _check_written_total(kept.get(sid, (0, Decimal("0.00"))), entries, pence)
        totals[sid] = (entries, counts.get(sid, 0), Decimal(pence).scaleb(-2))
        rows.append({
            "submission_id": sid, "file_sha256": batch.file_sha256,
            "file_name": batch.file_name, "file_path": batch.file_path,
            "adapter_id": batch.adapter_id, "adapter_version": batch.adapter_version,
            "return_type": batch.return_type, "funder_id": batch.funder_id,
            "stream_key": batch.stream_key, "funder_period": batch.funder_period,
            "imported_at": now, "supersedes": old, "entry_count": entries,
            "indicator_count": counts.get(sid, 0), "amount_total_pence": pence})
    # Written last: a submission row proves its entries were kept (`_verify_many`).
    _insert_tagged(con, SUBMISSION, _frame(pl.DataFrame(rows, infer_schema_length=None),
                                           SUBMISSION))
    return totals


def _insert_tagged(con: Any, table: Table, frame: pl.DataFrame,
                   returning: str = "") -> pl.DataFrame | None:
    """Bulk insert a frame that carries its rows' `submission_id` (several submissions in
    one statement); with `returning`, what the ledger stored, as a frame."""
    if frame.height == 0:
        return None
    con.register("_batch", ArrowStream(frame.select(table.polars_schema().names())))
    try:
        cursor = con.execute(
            f"INSERT INTO {table.name} ({', '.join(c.name for c in table.columns)}) "
            f"SELECT {', '.join(_cast(c) for c in table.columns)} FROM _batch{returning}")
        if not returning:
            return None
        with warnings.catch_warnings():
            # DuckDB suggests `con.sql(...)` to save a copy: a relation runs its query again
            # when read, which for an INSERT would write its rows twice.
            warnings.filterwarnings("ignore", "Arrow output on a DB-API result")
            return pl.from_arrow(cursor.to_arrow_table())  # type: ignore[return-value]
    finally:
        _unregister(con, "_batch")


def add_compared(con: Any, rows: Sequence[tuple[str, pl.DataFrame | None]]) -> None:
    """Collected returns' compared figures (`compared_return`), each frame tagged with its
    submission, in ONE statement; the caller owns the transaction, so the rows are kept,
    superseded and refused with their return's figures."""
    frames = [frame.with_columns(submission_id=pl.lit(sid)) for sid, frame in rows
              if frame is not None and frame.height]
    if frames:
        _insert_tagged(con, COMPARED_RETURN, pl.concat(frames, how="vertical_relaxed"))


def _check_written_total(stored: tuple[int, Decimal], entries: int, pence: int) -> None:
    """As `_check_written`, from the stored entries' count and total."""
    expected = Decimal(pence).scaleb(-2)
    if stored[0] != entries or stored[1] != expected:
        raise ValueError(f"the ledger stored {stored[0]:,} entries of £{stored[1]} where "
                         f"{entries:,} entries of £{expected} were written")


def _verify_many(con: Any, results: list[AddResult], names: str) -> None:
    """`_verify` for the submissions of one transaction, in one query."""
    if not results:
        return
    found = {sid: (n, total) for sid, n, total in con.execute(
        "SELECT submission_id, entry_count, amount_total FROM submission "
        "WHERE submission_id IN (SELECT unnest(?))",
        [[r.submission_id for r in results]]).fetchall()}
    for result in results:
        if found.get(result.submission_id) != (result.entries, result.total):
            raise LedgerError(
                "submission-write-failed", file=names,
                reason=f"the ledger holds {found.get(result.submission_id)} for "
                       f"{result.submission_id} after saving, expected "
                       f"{(result.entries, result.total)}")


def _plan(
    batch: SubmissionBatch, readings: list[tuple[Any, ...]], earlier: Callable[[], str | None],
    *, reread: bool = False,
) -> tuple[AddResult | None, str, str | None]:
    """What adding a file does, from its earlier readings (submission id, adapter id and
    version, whether current; oldest first) and, asked only when needed, the current
    submission of its return type, stream key and period: (the 'unchanged' result, or None
    and the new submission's id and the one it supersedes)."""
    current = next((r for r in readings if r[3]), None)
    same_reader = current is not None and (current[1], current[2]) == (
        batch.adapter_id, batch.adapter_version)
    if readings and (current is None or (same_reader and not reread)):
        return AddResult("unchanged", (current or readings[-1])[0]), "", None
    if current is not None:
        return None, f"{batch.submission_id}-r{len(readings) + 1}", current[0]
    return None, batch.submission_id, earlier()


def _write(
    con: Any, batch: SubmissionBatch, supersedes: str | None, submission_id: str
) -> tuple[int, int, int]:
    """The statements of one submission, in order; the caller owns the transaction.

    Entries go in part by part and are counted and added up on the way; the submission row,
    which carries those control figures, goes in last. Returns (entries, pence, indicators).
    """
    _add_new(con, FUNDER, batch.funders)
    _add_new(con, PARTNERSHIP, batch.partnerships)
    _insert(con, STREAM, _frame(batch.streams, STREAM), submission_id)
    entries, total = _insert_parts(con, FINANCE_ENTRY, _parts(batch.finance, FINANCE_ENTRY),
                                   submission_id, streamed=_streamed(batch.finance))
    indicators, _ = _insert_parts(con, INDICATOR_VALUE,
                                  _parts(batch.indicators, INDICATOR_VALUE), submission_id,
                                  streamed=_streamed(batch.indicators))
    _insert(con, ISSUE, _issue_frame(batch.issues), submission_id)
    add_compared(con, [(submission_id, batch.compared)])
    con.execute(
        "INSERT INTO submission VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "CAST(CAST(? AS DECIMAL(18,0)) * 0.01 AS DECIMAL(18,2)))",
        [
            submission_id, batch.file_sha256, batch.file_name, batch.file_path,
            batch.adapter_id, batch.adapter_version, batch.return_type, batch.funder_id,
            batch.stream_key, batch.funder_period, datetime.now(UTC).replace(tzinfo=None),
            supersedes, entries, indicators, total,
        ],
    )
    return entries, total, indicators


def _parts(records: pl.DataFrame | Spool | None, table: Table) -> Iterator[pl.DataFrame]:
    """The records as frames of the table's schema, one part at a time."""
    if isinstance(records, Spool):
        for part in records.parts():
            yield _frame(part, table)
    elif records is not None:
        yield _frame(records, table)


SMALL_ROWS = 250_000
"""Records up to this many are handed to DuckDB through the Arrow C stream, without
importing pyarrow (0.1 s, a tenth of a small file's import); more go through pyarrow's
streamed reader, one part at a time, which peaks lower (about 100 MB less for 2 million
entries held in memory) and costs the same for them."""


def _streamed(records: pl.DataFrame | Spool | None) -> bool:
    """Whether the records go to DuckDB one part at a time: parts on disk, read back as
    they are written, or more than `SMALL_ROWS` of them."""
    if records is None:
        return False
    return (isinstance(records, Spool) and records.spilled) or records.height > SMALL_ROWS


def _add_new(con: Any, table: Table, frame: pl.DataFrame | None) -> None:
    """Reference rows (funders, partnerships) named for the first time; known ones are kept."""
    if frame is None or frame.height == 0:
        return
    schema = table.polars_schema()
    # Cast to the table's types: a column of only nulls may come as polars' Null type, whose
    # Arrow arrays carry no validity bitmap, which DuckDB refuses.
    rows = frame.select(schema.names()).cast(dict(schema.items())).unique(table.primary_key[0])
    con.register("_reference", ArrowStream(rows))
    try:
        # The primary key's index finds the known ones: the cost of a few rows, not a scan
        # of every funder a department has collected (80,000 at 10,000 partnerships).
        con.execute(f"INSERT OR IGNORE INTO {table.name} SELECT * FROM _reference")
    finally:
        _unregister(con, "_reference")


def _insert(con: Any, table: Table, frame: pl.DataFrame, submission_id: str) -> None:
    """Bulk insert a frame (never row by row: that is ~1,000x slower in DuckDB)."""
    if frame.height:
        _insert_parts(con, table, iter([frame]), submission_id)


def _insert_parts(
    con: Any, table: Table, parts: Iterator[pl.DataFrame], submission_id: str, *,
    streamed: bool = False,
) -> tuple[int, int]:
    """Bulk insert frames of the table's schema as ONE statement; returns the rows inserted
    and, for finance entries, their pence, counted on the way. DuckDB fills
    `submission_id` from a parameter, so no part is copied to carry it.

    A few records (`streamed` false: at most `SMALL_ROWS`, in memory) are joined without
    copying and read by DuckDB through the Arrow C stream, without pyarrow. More, or
    spilled ones, are pulled one part at a time through a pyarrow RecordBatchReader: one
    INSERT per part would keep every part's rows in DuckDB's transaction-local storage
    until COMMIT (5.4 GB for 18M entries); one INSERT reading the stream writes them out as
    it goes (about 350 MB whatever the size).
    """
    names = [name for name in table.polars_schema().names() if name != "submission_id"]
    first = next(parts, None)
    if first is None:
        return 0, 0
    counted = [0, 0]

    def count(part: pl.DataFrame) -> pl.DataFrame:
        counted[0] += part.height
        if "amount_gbp_pence" in part.columns:
            counted[1] += _pence_total(part, "amount_gbp_pence")
        return part.select(names)

    source: object
    if streamed:
        def batches() -> Iterator[pa.RecordBatch]:
            for part in itertools.chain([first], parts):
                yield from count(part).to_arrow().to_batches()

        schema = first.head(0).select(names).to_arrow().schema
        source = pa.RecordBatchReader.from_batches(schema, batches())
    else:
        source = ArrowStream(pl.concat([count(p) for p in itertools.chain([first], parts)],
                                       rechunk=False))
    selects = ", ".join("CAST(? AS VARCHAR)" if col.name == "submission_id" else _cast(col)
                        for col in table.columns)
    # A few finance entries come back as the ledger stored them (`RETURNING`), so the
    # control figures are checked on exactly the rows this statement wrote, inside the
    # transaction, at a cost that does not grow with the ledger (`_verify`).
    checked = table is FINANCE_ENTRY and not streamed and counted[0] <= CHECKED_ROWS
    returning = " RETURNING amount_gbp" if checked else ""
    con.register("_batch", source)
    try:
        cursor = con.execute(
            f"INSERT INTO {table.name} ({', '.join(c.name for c in table.columns)}) "
            f"SELECT {selects} FROM _batch{returning}", [submission_id])
        if returning:
            _check_written(cursor.fetchall(), counted[0], counted[1])
    finally:
        _unregister(con, "_batch")
    return counted[0], counted[1]


CHECKED_ROWS = 20_000
"""Finance entries up to this many are returned by their INSERT and checked as written (a
department's return: 3,000-5,000). Returning rows to Python costs about 3 ms a thousand, so
more are counted again after COMMIT instead, a scan of the ledger a large file amortises."""


def _check_written(stored: list[tuple[Decimal]], entries: int, pence: int) -> None:
    """The entries one INSERT stored agree with those handed to it: as many, and the same
    total to the penny (a cast that rounded or dropped a figure would show here)."""
    total = sum((amount for (amount,) in stored), Decimal("0.00"))
    expected = Decimal(pence).scaleb(-2)
    if len(stored) != entries or total != expected:
        raise ValueError(f"the ledger stored {len(stored):,} entries of £{total} where "
                         f"{entries:,} entries of £{expected} were written")


def _cast(col: Column) -> str:
    """A column read from the batch as the table stores it; money from pence, exactly."""
    if col.type == MONEY:
        return f"CAST(CAST({col.frame_name} AS DECIMAL(18,0)) * 0.01 AS DECIMAL(18,2))"
    return f"CAST({col.frame_name} AS {col.type})"


def _unregister(con: Any, name: str) -> None:
    """Drop a registered frame without hiding the error that aborted the transaction."""
    try:
        con.unregister(name)
    except duckdb.Error:
        pass  # the transaction is aborted; the caller re-raises the original error


def _frame(frame: pl.DataFrame | None, table: Table) -> pl.DataFrame:
    """The frame with the table's schema: missing optional columns added as nulls."""
    schema = table.polars_schema()
    if frame is None:
        return pl.DataFrame(schema=schema)
    missing = [
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in schema.items()
        if name not in frame.columns and name != "submission_id"
    ]
    frame = _numbered(frame.with_columns(missing) if missing else frame, table)
    if "submission_id" not in frame.columns:
        frame = frame.with_columns(pl.lit("", dtype=pl.String).alias("submission_id"))
    return frame.select(schema.names()).cast(dict(schema.items()))


def _numbered(frame: pl.DataFrame, table: Table) -> pl.DataFrame:
    """The frame with its rows numbered from 1 when the table numbers rows (`row_no`) and
    the frame does not."""
    if "row_no" not in table.polars_schema():
        return frame
    if "row_no" in frame.columns and frame.get_column("row_no").null_count() < frame.height:
        return frame
    return frame.with_columns(pl.int_range(1, frame.height + 1).alias("row_no"))


def _issue_frame(issues: list[Issue]) -> pl.DataFrame:
    return _frame(_issue_rows(issues), ISSUE)


def _issue_rows(issues: list[Issue]) -> pl.DataFrame | None:
    rows = [
        {
            "issue_no": n, "code": i.code, "severity": i.severity.value, "message": i.message,
            "sheet": i.sheet, "cell": i.cell, "value": i.value, "expected": i.expected,
            "hint": i.hint,
        }
        for n, i in enumerate(issues, start=1)
    ]
    return pl.DataFrame(rows) if rows else None


def _pence_total(frame: pl.DataFrame, column: str) -> int:
    value = frame.get_column(column).sum() if frame.height else 0
    return int(value or 0)


def _verify(con: Any, result: AddResult, file_name: str, *, scan: bool) -> None:
    """Read the control count and total back after COMMIT: F5 says COMMIT can lie.

    The submission row is written last in the same transaction as its entries, so finding
    it with its control figures proves the whole transaction was kept. Entries that were
    checked as they were stored (`_check_written`) need no second look; more (a large
    file, `CHECKED_ROWS`) are counted again here, a scan of the ledger that a large file's
    import amortises but a department's thousands of small returns could not.
    """
    if scan:
        entries = (
            "(SELECT count(*) FROM finance_entry f WHERE f.submission_id = s.submission_id), "
            "(SELECT coalesce(sum(amount_gbp), 0) FROM finance_entry f "
            " WHERE f.submission_id = s.submission_id) ")
        expected: tuple[Any, ...] = (result.entries, result.total, result.entries,
                                     result.total)
    else:
        entries, expected = "", (result.entries, result.total)
    row = con.execute(
        f"SELECT s.entry_count, s.amount_total{', ' if entries else ' '}{entries}"
        "FROM submission s WHERE s.submission_id = ?",
        [result.submission_id],
    ).fetchone()
    if row is None or tuple(row) != expected:
        raise LedgerError(
            "submission-write-failed",
            file=file_name,
            reason=f"the ledger holds {row} after saving, expected {expected}",
        )


def _rollback(con: Any) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # DuckDB already ended the transaction; nothing of it was kept.


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


COLLECTING: dict[str, str] = {"checkpoint_threshold": "4MB", "memory_limit": "512MB"}
"""DuckDB settings for a connection writing a department's many returns (`collecting`).
DuckDB writes its journal into the file (a checkpoint) once the journal passes 16 MB, and
a checkpoint's memory grows with what it writes: collecting's peak was one of them (907 MB
at 1,000 returns, 455 MB at 100). At 4 MB it is 571 MB at 1,000, at the same CPU; 2 MB
was no lower. DuckDB also keeps the blocks it has written in its buffer pool, up to 80% of
the machine's memory by default: at 10,000 returns the collecting process held 1,446 MB
against 721 MB at 1,000, the growth about the ledger's size (734 MB), so the pool is held
to 512 MB (measured in `docs/performance.md`, *10,000 returns*)."""

EXPORTING: dict[str, str] = {"memory_limit": "1GB"}
"""DuckDB settings for `fundflow export`: a COPY of a table of 31M entries held 6 GB by
default (DuckDB's buffer pool may take 80% of the machine), 1.1 GB at a 1 GB limit in the
same time, 0.66 GB at 512 MB but 1.6x slower (`docs/performance.md`)."""


@contextmanager
def collecting(con: Any) -> Iterator[None]:
    """The connection set for a long run of small submissions (`COLLECTING`), and back to
    DuckDB's defaults afterwards (what `open_ledger` leaves them), whatever happens."""
    with settings(con, COLLECTING):
        yield


@contextmanager
def settings(con: Any, values: dict[str, str]) -> Iterator[None]:
    """DuckDB settings for one run of work (`COLLECTING`, `EXPORTING`), and back to DuckDB's
    defaults afterwards (what `open_ledger` leaves them), whatever happens."""
    try:
        for name, value in values.items():
            con.execute(f"SET {name} = '{value}'")
        yield
    finally:
        for name in values:
            con.execute(f"RESET {name}")


def checkpoint(con: Any) -> None:
    """Write DuckDB's journal (the `.wal`) into the ledger file now.

    A long run of submissions (`fundflow collect` of thousands of returns) can leave a large
    journal that the next open must replay before anything is read; writing it in at the end
    of the run keeps the file whole on its own.
    """
    con.execute("CHECKPOINT")

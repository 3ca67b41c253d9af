"""Every read of the ledger: the one module that runs SELECT on it.

Outputs never take a connection: they take a `book.Book`, which `book.build_book` builds from
the functions here. Keeping every query in one place means one rule for "which rows are
current" (the `current_*` views) and one way money leaves DuckDB: as Int64 pence, converted
exactly inside DuckDB (DECIMAL(18,2) widened first, since x100 overflows DECIMAL(18)).
`tests/test_book.py` fails if another module runs SQL on the ledger.

Reads use a cursor of their own: DuckDB 2 refuses a query while an earlier `execute` result on
the same connection is unfinished (the ledger's `fetchone` checks leave one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from fundflow.ledger.arrow_stream import ArrowStream

Connection = duckdb.DuckDBPyConnection
"""An open ledger (`ledger.open_ledger`): the typed handle every read takes."""

STREAMS_SQL = """
SELECT * EXCLUDE (rank) FROM (
    SELECT t.*, row_number() OVER (
        PARTITION BY t.stream_id ORDER BY c.imported_at DESC, t.submission_id DESC) AS rank
    FROM current_stream t JOIN current_submission c USING (submission_id)
) WHERE rank = 1
"""
"""One row per stream: the most recently imported register's statement of it."""

_FINANCE_SQL = """
SELECT f.submission_id, min(f.row_no) AS row_no, count(*) AS entries, f.stream_id, f.funder_id,
       f.period_label, f.period_start, f.period_end, f.measure, f.state,
       f.basis AS stated_basis, f.cap_rev, f.funder_category,
       f.subjective AS stated_subjective, f.objective,
       coalesce(f.funding_source, 'funder') AS funding_source, f.unit,
       arg_min(f.source_sheet, f.row_no) AS source_sheet,
       arg_min(f.source_cell, f.row_no) AS source_cell,
       CAST(sum(CAST(f.amount_gbp AS DECIMAL(38,2))) * 100 AS BIGINT) AS amount_pence,
       c.imported_at, c.adapter_id, c.return_type,
       coalesce(f.cumulative, false) AS cumulative
FROM current_finance f
JOIN current_submission c USING (submission_id)
WHERE (CAST(? AS VARCHAR) IS NULL OR f.funder_id = ?){streams}
GROUP BY f.submission_id, f.stream_id, f.funder_id, f.period_label, f.period_start,
         f.period_end, f.measure, f.state, f.basis, f.cap_rev, f.funder_category, f.subjective,
         f.objective, coalesce(f.funding_source, 'funder'), f.unit, c.imported_at,
         c.adapter_id, c.return_type, coalesce(f.cumulative, false)
ORDER BY f.submission_id, row_no
"""

_TRANSACTIONS_SQL = """
WITH picked AS (
    SELECT unnest(arg_min(
        {'submission_id': f.submission_id, 'row_no': f.row_no},
        (f.stream_id, f.txn_date IS NULL, coalesce(f.txn_date, DATE '0001-01-01'),
         f.submission_id, f.row_no),
        ?), recursive := true)
    FROM current_finance f
    JOIN _counted k USING (submission_id, stream_id)
    WHERE f.state = 'actual' AND f.period_start >= ? AND f.period_end <= ?
      AND (f.measure NOT IN ('spend', 'forecast')
           OR coalesce(f.basis, k.stream_basis) = k.stream_basis)
)
SELECT f.submission_id, f.row_no, f.stream_id, f.funder_id, f.period_label, f.period_start,
       f.period_end, f.measure, f.state, coalesce(f.basis, k.stream_basis) AS basis,
       f.basis AS stated_basis, f.cap_rev, f.funder_category,
       f.subjective AS stated_subjective, f.objective,
       coalesce(f.funding_source, 'funder') AS funding_source, f.description, f.txn_date,
       f.source_sheet, f.source_cell,
       CAST(CAST(f.amount_gbp AS DECIMAL(38,2)) * 100 AS BIGINT) AS amount_pence
FROM (SELECT DISTINCT submission_id, row_no FROM picked) p
JOIN current_finance f USING (submission_id, row_no)
JOIN _counted k USING (submission_id, stream_id)
WHERE f.state = 'actual' AND f.period_start >= ? AND f.period_end <= ?
  AND (f.measure NOT IN ('spend', 'forecast')
       OR coalesce(f.basis, k.stream_basis) = k.stream_basis)
ORDER BY f.stream_id, f.txn_date NULLS LAST, f.submission_id, f.row_no
"""
"""The transaction list: the first `limit` entries in (stream, date with undated last,
submission, row) order. The order is a row value that `arg_min(..., n)` keeps the least `n`
of while it scans, so only the keys of a million entries are read and no full sort is made
(the ORDER BY ... LIMIT it replaces sorted every entry with all its columns: 0.7 s of CPU at
1M entries); then the `limit` rows are read whole, through the `current_*` views only (a
department's ledger slice has nothing else). (submission_id, row_no) is unique in an imported
file, so the same rows come back as from the plain ORDER BY ... LIMIT (`tests/test_book_reads.py`
holds the two equal); a hand-made batch repeating a row number is cut to `limit` rows."""

_INDICATOR_SQL = """
SELECT i.submission_id, i.row_no, i.stream_id, i.funder_id, i.funder_indicator,
       i.period_label, i.period_start, i.period_end, i.value_type, i.source_sheet, i.source_cell,
       CAST(i.value AS VARCHAR) AS value, i.unit, i.cumulative, c.imported_at
FROM current_indicator i JOIN current_submission c USING (submission_id)
WHERE (CAST(? AS VARCHAR) IS NULL OR i.funder_id = ?)
ORDER BY i.submission_id, i.row_no
"""

_STREAM_ROWS_SQL = f"""
SELECT s.* EXCLUDE (submission_id, row_no, source_sheet, source_cell),
       coalesce(f.name, s.funder_id) AS funder_name, f.funder_type,
       CAST(CAST(s.award AS DECIMAL(38,2)) * 100 AS BIGINT) AS award_pence
FROM ({STREAMS_SQL}) s LEFT JOIN funder f USING (funder_id)
ORDER BY funder_id, stream_id
"""

_SUBMISSIONS_SQL = """
SELECT submission_id, file_name, file_sha256, adapter_id, return_type, funder_id, stream_key,
       funder_period, imported_at, entry_count, indicator_count, amount_total
FROM current_submission ORDER BY file_name, submission_id
"""

_ITEMS_SQL = """
SELECT submission_id, stream_id, count(*) AS items FROM (
    SELECT submission_id, stream_id FROM current_finance
    UNION ALL SELECT submission_id, stream_id FROM current_indicator
) GROUP BY ALL ORDER BY ALL
"""

_STORED_ISSUES_SQL = """
SELECT i.submission_id, i.code, i.severity, s.file_name, i.sheet, i.cell, i.message, i.hint,
       i.issue_no
FROM issue i JOIN current_submission s USING (submission_id)
ORDER BY CASE i.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
         s.file_name, i.issue_no
"""

_COUNTS_SQL = """
SELECT (SELECT count(*) FROM funder), (SELECT count(DISTINCT stream_id) FROM current_stream),
       (SELECT count(*) FROM current_submission), (SELECT count(*) FROM submission),
       (SELECT count(*) FROM current_finance), (SELECT count(*) FROM current_indicator),
       (SELECT count(*) FROM issue JOIN current_submission USING (submission_id))
"""


def frame(con: Connection, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    """A query's rows as a polars frame, on a cursor of its own.

    The rows cross through the Arrow C stream interface (`pl.DataFrame(relation)`), not
    `relation.pl()`, which builds a pyarrow table first: importing pyarrow and numpy cost
    `fundflow ledger summary` 0.3 s of its start, for frames of a few thousand rows.
    """
    cursor = con.cursor()
    try:
        return pl.DataFrame(cursor.sql(sql, params=params or []))
    finally:
        cursor.close()


def finance_figures(
    con: Connection, funder: str | None = None, streams: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Current finance (superseded submissions left out) summed inside DuckDB, money as Int64
    pence: one row per submission, stream, period, measure, state, basis, category and the
    other fields a figure is reported by, so a million-line transaction list arrives as a few
    hundred figures. `entries` says how many ledger entries each row sums; `row_no`,
    `source_sheet` and `source_cell` are its first entry's.

    `stated_basis` is the basis the file gave (null when it gave none): the Book decides the
    basis of the rest from the stream's. `cumulative` marks figures to date. With `streams`
    (a frame of `stream_id`), only those streams' figures (`book.finance_blocks`).
    """
    if streams is None:
        figures = frame(con, _FINANCE_SQL.format(streams=""), [funder, funder])
    else:
        cursor = con.cursor()
        try:
            cursor.register("_streams", ArrowStream(streams.select("stream_id")))
            sql = _FINANCE_SQL.format(
                streams="\n  AND f.stream_id IN (SELECT stream_id FROM _streams)")
            figures = pl.DataFrame(cursor.sql(sql, params=[funder, funder]))
        finally:
            cursor.close()
    return figures.with_columns(pl.col("amount_pence").cast(pl.Int64))


_REACH_SQL = """
SELECT f.submission_id, max(f.period_end) FILTER (WHERE f.state = 'actual') AS _reach,
       max(c.imported_at) AS _imported
FROM current_finance f JOIN current_submission c USING (submission_id)
WHERE (CAST(? AS VARCHAR) IS NULL OR f.funder_id = ?)
GROUP BY f.submission_id
"""


def submission_reach(con: Connection, funder: str | None = None) -> pl.DataFrame:
    """Per submission with finance figures (one funder's, or all), the latest period end of
    its actual figures (`_reach`) and when it was imported (`_imported`): what
    `canonical.submission_order` ranks submissions by, for the whole ledger at once."""
    return frame(con, _REACH_SQL, [funder, funder])


def stream_blocks(con: Connection, entries: int) -> list[pl.DataFrame]:
    """The streams with current finance entries, in id order, cut into blocks of about
    `entries` entries (a stream is never split; one larger than that is a block alone)."""
    counts = frame(con, "SELECT stream_id, count(*) AS n FROM current_finance "
                        "GROUP BY stream_id ORDER BY stream_id")
    if counts.height == 0:
        return []
    block = (counts["n"].cum_sum() - counts["n"]) // max(entries, 1)
    parts = counts.with_columns(_block=block).partition_by("_block", maintain_order=True)
    return [part.select("stream_id") for part in parts]


def transactions(
    con: Connection, counted: pl.DataFrame, first: date, last: date, limit: int
) -> pl.DataFrame:
    """Actual entries one by one (the transaction list), the first `limit` in stream and date
    order (DuckDB keeps only their keys while it scans, so a million entries cost no memory).

    `counted` has `submission_id`, `stream_id` and `stream_basis`: the submissions whose
    figures count for each listed stream; spend and forecasts on another basis are left out.
    Entries lie within `first`..`last`. The order is `_TRANSACTIONS_SQL`'s.
    """
    cursor = con.cursor()
    try:
        cursor.register("_counted", ArrowStream(counted))
        rows = pl.DataFrame(cursor.sql(_TRANSACTIONS_SQL,
                                       params=[max(limit, 1), first, last, first, last]))
    finally:
        cursor.close()
    return rows.head(max(limit, 0)).with_columns(pl.col("amount_pence").cast(pl.Int64))


def indicator_values(con: Connection, funder: str | None = None) -> pl.DataFrame:
    """Current indicator values; `value` stays text so Decimal precision survives the trip."""
    return frame(con, _INDICATOR_SQL, [funder, funder])


def stream_rows(con: Connection) -> pl.DataFrame:
    """Every current stream once, with its funder's name and the award in pence."""
    return frame(con, _STREAM_ROWS_SQL)


def submissions(con: Connection) -> pl.DataFrame:
    """Current submissions: one row per imported file, registers included."""
    return frame(con, _SUBMISSIONS_SQL)


def items(con: Connection) -> pl.DataFrame:
    """Data items per current submission and stream: finance entries plus indicator values."""
    return frame(con, _ITEMS_SQL)


def stored_issues(con: Connection) -> pl.DataFrame:
    """Issues kept in the ledger for current submissions, worst first."""
    return frame(con, _STORED_ISSUES_SQL)


def partnership_name(con: Connection) -> str:
    """The partnership the ledger belongs to ('Partnership' when the register named none)."""
    rows = frame(con, "SELECT name FROM partnership ORDER BY partnership_id LIMIT 1")
    return str(rows.item(0, 0)) if rows.height else "Partnership"


def counts(con: Connection) -> dict[str, int]:
    """How many funders, streams, submissions (current and all), entries, values and issues."""
    row = frame(con, _COUNTS_SQL).row(0)
    names = ("funders", "streams", "submissions_current", "submissions_all", "finance_entries",
             "indicator_values", "issues")
    return {name: int(value) for name, value in zip(names, row, strict=True)}


def latest_period_end(con: Connection) -> date:
    """The latest period end of any current figure (today's date for an empty ledger)."""
    rows = frame(con, "SELECT max(period_end) FROM current_finance")
    value = rows.item(0, 0) if rows.height else None
    return value if isinstance(value, date) else date.today()


def copy_to_parquet(con: Connection, name: str, path: Path) -> None:
    """Copy one ledger table or view (a name from `schema`, never from input) to Parquet."""
    escaped = str(path).replace("'", "''")
    con.execute(f"COPY (SELECT * FROM {name}) TO '{escaped}' (FORMAT parquet)")


def funder_ids(con: Connection) -> list[str]:
    """Funders with at least one current stream, in id order (the demo's funder reports)."""
    rows = frame(con, "SELECT DISTINCT funder_id FROM current_stream ORDER BY 1")
    return [str(v) for v in rows.to_series()]


def registered_stream_ids(con: Connection) -> set[str]:
    """Stream ids the current funding register holds (import's `stream-unknown` check)."""
    rows = frame(con, "SELECT DISTINCT stream_id FROM current_stream")
    return {str(v) for v in rows.to_series()} if rows.width else set()


@dataclass(frozen=True)
class Contents:
    """The funder ids and UK financial years a ledger has figures for: what a command names
    when the `--funder` or `--year` it was given is not there."""

    funders: list[str]
    years: list[str]


def contents(con: Connection) -> Contents:
    """Funders with streams or figures, and financial years (April to March) with figures."""
    funders = con.execute(
        "SELECT funder_id FROM funder UNION SELECT funder_id FROM current_stream "
        "UNION SELECT funder_id FROM current_finance ORDER BY 1"
    ).fetchall()
    starts = con.execute(
        "SELECT DISTINCT CASE WHEN month(d) >= 4 THEN year(d) ELSE year(d) - 1 END FROM ("
        "SELECT period_start AS d FROM current_finance UNION SELECT period_end FROM "
        "current_finance UNION SELECT period_start FROM current_indicator UNION SELECT "
        "period_end FROM current_indicator) WHERE d IS NOT NULL ORDER BY 1"
    ).fetchall()
    return Contents(funders=[f for (f,) in funders if f],
                    years=[f"{y}-{(y + 1) % 100:02d}" for (y,) in starts])


_HISTORY_SQL = """
SELECT s.submission_id, s.file_name, s.adapter_id, s.funder_id, s.funder_period,
       s.imported_at, s.supersedes, r.file_name AS replaces_file,
       n.file_name AS replaced_by_file, n.submission_id IS NULL AS current
FROM submission s
LEFT JOIN submission r ON r.submission_id = s.supersedes
LEFT JOIN submission n ON n.supersedes = s.submission_id
ORDER BY s.imported_at DESC, s.submission_id
"""


def submission_history(con: Connection) -> pl.DataFrame:
    """Every submission ever imported, newest first, with the file it replaced and the file
    that replaced it (null when it is current): what replaced what, for the Ledger page."""
    return frame(con, _HISTORY_SQL)
def partnerships(con: Connection) -> pl.DataFrame:
    """Every partnership of the ledger (`partnership_id`, `name`), in id order: a department's
    ledger holds one per partnership it collected from."""
    return frame(con, "SELECT partnership_id, name FROM partnership ORDER BY partnership_id")


FIGURES_SQL = """
SELECT f.* EXCLUDE (submission_id), f.submission_id,
       CASE WHEN c.return_type = 'collected-return' THEN c.stream_key
            ELSE coalesce((SELECT min(partnership_id) FROM partnership), 'partnership')
       END AS partnership,
       CAST(year(f.period_start) - CASE WHEN month(f.period_start) < 4 THEN 1 ELSE 0 END
            AS VARCHAR) || '-' || lpad(CAST((year(f.period_start) + CASE WHEN
            month(f.period_start) < 4 THEN 0 ELSE 1 END) % 100 AS VARCHAR), 2, '0') AS year
FROM current_finance f JOIN current_submission c USING (submission_id)
"""
"""Current finance entries with the partnership they belong to (a collected return's, else the
ledger's own) and the UK financial year of their period's start: the partitioned export."""


def collected_partnerships(con: Connection) -> list[str]:
    """The partnerships whose collected returns are current (a department's ledger)."""
    rows = con.execute("SELECT DISTINCT stream_key FROM current_submission "
                       "WHERE return_type = 'collected-return'").fetchall()
    return [str(pid) for (pid,) in rows]


def current_entry_count(con: Connection) -> int:
    """How many current finance entries the ledger holds (what an export must write)."""
    return int(con.execute("SELECT count(*) FROM current_finance").fetchall()[0][0])


@dataclass(frozen=True)
class CollectedBlock:
    """Some collected partnerships, and bounds of their namespaced stream ids: DuckDB then
    reads only the row groups that may hold their entries (zone maps)."""

    pids: tuple[str, ...]
    low: str
    high: str


def copy_figures_partitioned(con: Connection, folder: Path, part: str,
                             block: CollectedBlock | None = None) -> int:
    """Copy current finance entries to a Hive-partitioned Parquet dataset under `folder`
    (`year=2025-26/partnership=<id>/data_<part>_<n>.parquet`), money as Parquet decimals:
    those of one block of collected partnerships, or (`block` None) those of the ledger's own
    returns. Returns how many entries were written.

    A block at a time, because one COPY of a department's ledger into every partition at
    once held 11 GB and spilled 19 GB at 10,000 partnerships without finishing in 13 minutes
    (docs/performance.md). `part` names the files, so two calls never write the same file."""
    escaped = str(folder).replace("'", "''")
    if block is None:
        where, params = "WHERE c.return_type <> 'collected-return'", []
    else:
        where = ("WHERE c.return_type = 'collected-return' "
                 "AND c.stream_key IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
                 "AND f.stream_id >= ? AND f.stream_id < ?")
        params = [list(block.pids), block.low, block.high]
    rows = con.execute(
        f"COPY ({FIGURES_SQL}{where}) TO '{escaped}' (FORMAT parquet, "
        f"PARTITION_BY (year, partnership), OVERWRITE_OR_IGNORE, "
        f"FILENAME_PATTERN 'data_{part}_{{i}}')", params).fetchall()
    return int(rows[0][0]) if rows else 0

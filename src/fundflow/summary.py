"""What is in a ledger: the figures `fundflow ledger summary` shows.

Only current submissions count towards totals; superseded ones are counted separately so an
officer can see that history is kept. Money stays Decimal; amounts of different measures and
states are never added together.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel


class MeasureTotal(BaseModel):
    """The total of one funder's entries for one measure and state."""

    funder_id: str
    measure: str
    state: str
    entries: int
    amount: Decimal


class LedgerSummary(BaseModel):
    """Counts and totals of a ledger's current contents."""

    funders: int
    streams: int
    submissions_current: int
    submissions_superseded: int
    finance_entries: int
    indicator_values: int
    issues: int
    totals: list[MeasureTotal]


def summarise(con: Any) -> LedgerSummary:
    """Count what the ledger holds and total its current money by funder, measure and state."""

    def scalar(sql: str) -> int:
        return int(con.execute(sql).fetchone()[0])

    current = scalar("SELECT count(*) FROM current_submission")
    rows = con.execute(
        "SELECT funder_id, measure, state, count(*), sum(amount_gbp) FROM current_finance "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    return LedgerSummary(
        funders=scalar("SELECT count(*) FROM funder"),
        streams=scalar("SELECT count(DISTINCT stream_id) FROM current_stream"),
        submissions_current=current,
        submissions_superseded=scalar("SELECT count(*) FROM submission") - current,
        finance_entries=scalar("SELECT count(*) FROM current_finance"),
        indicator_values=scalar("SELECT count(*) FROM current_indicator"),
        issues=scalar(
            "SELECT count(*) FROM issue JOIN current_submission USING (submission_id)"
        ),
        totals=[
            MeasureTotal(funder_id=f, measure=m, state=s, entries=n, amount=a)
            for f, m, s, n, a in rows
        ],
    )


class Contents(BaseModel):
    """The funder ids and UK financial years a ledger has figures for: what a command names
    when the `--funder` or `--year` it was given is not there."""

    funders: list[str]
    years: list[str]


def contents(con: Any) -> Contents:
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

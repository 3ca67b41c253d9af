"""Collect: a receiving department imports many partnerships' returns into its own ledger.

A partnership's consolidated return (its JSON, or the flat Data rows as CSV) becomes one
submission in the department's ledger: the return's figures as finance entries (one per
counted Data row, at month grain), its outputs as indicator values, and, from the JSON, its
streams with their conditions, so every analysis runs across partnerships on one basis. A
partnership that sends a corrected return for the same period supersedes its earlier one.
After writing, the collected total is compared with the return's own total to the penny.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from fundflow.issues import Issue, make_issue
from fundflow.ledger import LedgerError, SubmissionBatch, add_submission
from fundflow.returns.csvout import read_csv
from fundflow.returns.model import DataRow, Return

ADAPTER_ID = "fundflow-return"
MAX_BYTES = 500 * 1024 * 1024


@dataclass
class Collected:
    """What collecting one file did."""

    path: Path
    status: str = "failed"
    partnership: str | None = None
    period: str | None = None
    entries: int = 0
    total: Decimal = Decimal("0.00")
    issues: list[Issue] = field(default_factory=list)


def collect_file(con: Any, path: Path) -> Collected:
    """Read one return (JSON or Data CSV) and add it to the ledger as one submission."""
    result = Collected(path)
    loaded = _load(path, result)
    if loaded is None:
        return result
    ret, rows = loaded
    partnership = ret.cover.partnership if ret else (rows[0].partnership if rows else "")
    period = _period_label(ret, rows)
    result.partnership, result.period = partnership, period
    counted = [r for r in rows if r.counted and r.month is not None]
    skipped = [r for r in rows if r.counted and r.month is None]
    if skipped:
        result.issues.append(make_issue("collect-open-period", file=path.name,
                                        value=str(len(skipped))))
    batch = SubmissionBatch(
        file_name=path.name,
        file_path=str(path),
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        adapter_id=ADAPTER_ID,
        adapter_version=str(ret.schema_version if ret else 1),
        return_type="collected-return",
        stream_key=partnership,
        funder_period=period,
        finance=_finance(counted),
        indicators=_indicators(ret) if ret else None,
        streams=_streams(ret, partnership) if ret else None,
        funders=_funders(ret, rows),
        partnerships=pl.DataFrame({"partnership_id": [partnership], "name": [partnership]}),
    )
    try:
        added = add_submission(con, batch)
    except LedgerError as exc:
        result.issues.append(make_issue(exc.code, **{**exc.params, "file": path.name}))
        return result
    result.status = added.status
    result.entries = len(counted)
    result.total = sum((r.amount for r in counted), Decimal("0.00"))
    if added.status != "unchanged" and added.total != result.total:
        result.issues.append(make_issue("collect-unreconciled", file=path.name,
                                        value=str(added.total), expected=str(result.total)))
    if ret is None:
        result.issues.append(make_issue("collect-no-streams", file=path.name))
    return result


def _load(path: Path, result: Collected) -> tuple[Return | None, list[DataRow]] | None:
    """The return (JSON) or its Data rows (CSV), or None with an issue saying why not."""
    try:
        if path.stat().st_size > MAX_BYTES:
            result.issues.append(make_issue("collect-unreadable", file=path.name,
                                            reason="it is larger than 500 MB"))
            return None
        if path.suffix.lower() == ".json":
            ret = Return.model_validate_json(path.read_bytes())
            return ret, list(ret.data)
        if path.suffix.lower() == ".csv":
            return None, read_csv(path)
    except (OSError, ValueError, ValidationError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[0][:200]
        result.issues.append(make_issue("collect-unreadable", file=path.name, reason=reason))
        return None
    result.issues.append(make_issue("collect-unreadable", file=path.name,
                                    reason="only a return's .json or Data .csv can be collected"))
    return None


def _period_label(ret: Return | None, rows: list[DataRow]) -> str:
    if ret is not None:
        return ret.cover.year + (f" {ret.cover.quarter}" if ret.cover.quarter else "")
    years = sorted({r.year for r in rows if r.year})
    return " … ".join(dict.fromkeys([years[0], years[-1]])) if years else "all"


def _month_end(start: date) -> date:
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _finance(rows: list[DataRow]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_sheet": ["Data"] * len(rows),
            "source_cell": [f"A{n}" for n in range(2, len(rows) + 2)],
            "stream_id": [r.stream_id for r in rows],
            "funder_id": [r.funder_id for r in rows],
            "period_label": [r.month.strftime("%b-%y") for r in rows if r.month],
            "period_start": [r.month for r in rows],
            "period_end": [_month_end(r.month) for r in rows if r.month],
            "measure": [r.measure for r in rows],
            "state": [r.state for r in rows],
            "basis": [r.basis for r in rows],
            "cap_rev": [r.cap_rev for r in rows],
            "funder_category": [r.funder_category for r in rows],
            "subjective": [r.subjective for r in rows],
            "objective": [r.objective for r in rows],
            "funding_source": [r.funding_source for r in rows],
            "description": [r.source for r in rows],
            "amount_raw": [str(r.amount) for r in rows],
            "unit": ["GBP"] * len(rows),
            "amount_gbp_pence": [r.amount_pence for r in rows],
        },
        schema_overrides={"amount_gbp_pence": pl.Int64, "period_start": pl.Date,
                          "period_end": pl.Date},
    )


def _indicators(ret: Return) -> pl.DataFrame | None:
    rows = ret.outputs
    if not rows:
        return None
    return pl.DataFrame(
        {
            "source_sheet": ["Outputs"] * len(rows),
            "source_cell": [f"A{n}" for n in range(2, len(rows) + 2)],
            "stream_id": [r.stream_id for r in rows],
            "funder_id": [r.funder_id for r in rows],
            "funder_indicator": [r.indicator_id for r in rows],
            "period_label": [r.year + (f" {r.quarter}" if r.quarter else "") for r in rows],
            "value_type": [r.value_type for r in rows],
            "value": [r.value for r in rows],
            "unit": [r.unit for r in rows],
            "cumulative": [r.combined_by == "latest" for r in rows],
        },
        schema_overrides={"value": pl.Decimal(38, 6)},
    )


def _streams(ret: Return, partnership: str) -> pl.DataFrame | None:
    horizon = {h.stream_id: h for h in ret.analysis.horizon}
    fence = {f.stream_id: f for f in ret.analysis.ring_fencing}
    rows = [s for s in ret.summary if s.stream_id in horizon]
    if not rows:
        return None
    return pl.DataFrame(
        {
            "source_sheet": ["Summary"] * len(rows),
            "source_cell": [f"A{n}" for n in range(2, len(rows) + 2)],
            "stream_id": [s.stream_id for s in rows],
            "funder_id": [s.funder_id for s in rows],
            "partnership_id": [partnership] * len(rows),
            "name": [s.stream_name for s in rows],
            "award_pence": [int(s.award * 100) for s in rows],
            "start_date": [horizon[s.stream_id].start_date for s in rows],
            "end_date": [horizon[s.stream_id].end_date for s in rows],
            "ring_fence_type": [s.ring_fence_type for s in rows],
            "spend_deadline": [fence[s.stream_id].spend_deadline if s.stream_id in fence
                               else None for s in rows],
            "reporting_tier": [s.tier for s in rows],
        },
        schema_overrides={"award_pence": pl.Int64, "reporting_tier": pl.Int16,
                          "spend_deadline": pl.Date},
    )


def _funders(ret: Return | None, rows: list[DataRow]) -> pl.DataFrame:
    names = {r.funder_id: r.funder_id for r in rows}
    if ret is not None:
        names.update({s.funder_id: s.funder_name for s in ret.summary})
    return pl.DataFrame({"funder_id": list(names), "name": list(names.values()),
                         "funder_type": [None] * len(names)},
                        schema={"funder_id": pl.String, "name": pl.String,
                                "funder_type": pl.String})

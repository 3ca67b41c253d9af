"""A funder's standard report context: its share of the partnership's funding and how its
conditions compare with every other funder's.

A department reading one funder's report wants to know how much of the partnership it pays for
and whether its strings are tighter or looser than the rest; both come from the register.
Percentages are rounded explicitly (half-even, two places); awards stay exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import polars as pl

from fundflow.money import pence_to_decimal
from fundflow.returns.labels import plain
from fundflow.returns.model import CENT, Condition, FunderContext, SignOff
from fundflow.returns.scope import RING_FENCED

Rows = list[dict[str, Any]]


def funder_context(funder_id: str, streams: pl.DataFrame) -> FunderContext:
    """Compare `funder_id`'s streams with all other streams in `streams` (every funder's)."""
    rows: Rows = list(streams.iter_rows(named=True))
    mine = [r for r in rows if r["funder_id"] == funder_id]
    others = [r for r in rows if r["funder_id"] != funder_id]
    funder_award, total = _award(mine), _award(rows)
    name = mine[0]["funder_name"] if mine else funder_id
    return FunderContext(
        funder_id=funder_id, funder_name=name, funder_award=funder_award,
        partnership_award=total, share_pct=percent(funder_award, total),
        conditions=[Condition(condition=label, funder=describe(mine), others=describe(others))
                    for label, describe in _CONDITIONS],
    )


_PUBLIC = ("Section 151 officer (or delegate)", SignOff().statement)
_GRANT_USE = ("I confirm on behalf of the partnership that the figures in this report are drawn "
              "from its records and are, to the best of my knowledge, complete and accurate, "
              "and that the grant has been spent on the purposes agreed in the grant agreement.")
SIGNERS: dict[str, tuple[str, str]] = {
    "central_dept": _PUBLIC, "alb": _PUBLIC, "local_authority": _PUBLIC,
    "combined_authority": _PUBLIC, "pcc": _PUBLIC,
    "nhs_icb": ("Chief finance officer (or delegate)", _PUBLIC[1]),
    "lottery_distributor": ("Senior contact named in the grant agreement", _GRANT_USE),
    "charitable_trust": ("Authorised signatory named in the grant agreement", _GRANT_USE),
    "eu_managing_authority": (
        "Authorised signatory for the grant",
        "I declare that the expenditure in this report was incurred and paid on the project, "
        "is eligible under the funding agreement, is drawn from the partnership's records and "
        "is, to the best of my knowledge, complete and accurate."),
}
"""Who signs a funder's report, and what they sign, by the register's funder type.

Public bodies' grant conditions ask for the Section 151 officer's certificate; a lottery
distributor or trust asks the contact named in its grant agreement to confirm the money went
on the agreed purposes; an EU managing authority asks the authorised signatory to declare the
expenditure eligible. An unknown type gets neutral wording (`UNKNOWN_SIGNER`), never a
statutory role the funder may not recognise."""
UNKNOWN_SIGNER = ("Responsible finance officer (or delegate)", _PUBLIC[1])


def sign_off_for(funder_id: str | None, streams: pl.DataFrame) -> SignOff:
    """The sign-off block for a funder's report (the consolidated return's when None).

    The funder's type is the register's `funder_type` on its streams; when the register does
    not say, the wording names no statutory role (`UNKNOWN_SIGNER`).
    """
    if funder_id is None:
        return SignOff()
    types = set()
    if "funder_type" in streams.columns:
        mine = streams.filter(pl.col("funder_id") == funder_id)
        types = set(mine.get_column("funder_type").drop_nulls().to_list())
    role, statement = SIGNERS.get(types.pop(), UNKNOWN_SIGNER) if len(types) == 1 else (
        UNKNOWN_SIGNER)
    return SignOff(role=role, statement=statement)


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a percentage of `whole`, two places half-even (0 when `whole` is 0)."""
    if whole == 0:
        return Decimal("0.00")
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _award(rows: Rows) -> Decimal:
    return pence_to_decimal(sum(int(r["award_pence"]) for r in rows))


def _ring_fenced_share(rows: Rows) -> str:
    fenced = _award([r for r in rows if r["ring_fence_type"] in RING_FENCED])
    return f"{percent(fenced, _award(rows))}% of £{_award(rows):,}" if rows else "—"


def _values(column: str, words: bool = False) -> Callable[[Rows], str]:
    """The distinct values of a column, as words (`labels.plain`) when they are codes."""
    def describe(rows: Rows) -> str:
        found = sorted({str(r[column]) for r in rows if r.get(column) is not None})
        return ", ".join(plain(v) if words else v for v in found) if found else "—"
    return describe


def _range(column: str, suffix: str) -> Callable[[Rows], str]:
    def describe(rows: Rows) -> str:
        found = [r[column] for r in rows if r.get(column) is not None]
        return _span(found, suffix)
    return describe


def _duration(rows: Rows) -> str:
    months = [
        (r["end_date"].year * 12 + r["end_date"].month)
        - (r["start_date"].year * 12 + r["start_date"].month) + 1
        for r in rows if r.get("start_date") and r.get("end_date")
    ]
    return _span(months, " months")


def _span(values: Iterable[Any], suffix: str) -> str:
    found = sorted(values)
    if not found:
        return "none stated"
    low, high = _plain(found[0]), _plain(found[-1])
    return f"{low}{suffix}" if low == high else f"{low}{suffix} to {high}{suffix}"


def _plain(value: Any) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


_CONDITIONS: list[tuple[str, Callable[[Rows], str]]] = [
    ("Funder type", _values("funder_type", words=True)),
    ("Streams", lambda rows: str(len(rows))),
    ("Total award", lambda rows: f"£{_award(rows):,}"),
    ("Ring-fenced share of award", _ring_fenced_share),
    ("Ring-fence types", _values("ring_fence_type", words=True)),
    ("Reporting frequency", _values("reporting_frequency", words=True)),
    ("Accounting basis asked for", _values("accounting_basis", words=True)),
    ("Virement limit", _range("virement_limit_pct", "%")),
    ("Match funding required", _range("match_required_pct", "%")),
    ("Duration", _duration),
    ("Reporting tiers", _values("tier")),
]

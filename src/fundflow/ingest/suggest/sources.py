"""Field sources read from one column: the steps each canonical field needs.

A column's header and values say which field it holds (see `roles`); this module writes the
source for it: the parser, the lookup from the file's words to the ledger's values (Capital ->
capital, Target -> target, Outturn -> actual), and whether a blank is allowed.
"""

from __future__ import annotations

import re
from typing import Any

from fundflow.ingest.specs.fields import ALLOWED, RENAMES
from fundflow.ingest.specs.fields import LEDGER_TABLES as TABLES
from fundflow.ingest.suggest.roles import Column, stream_field

STATE_VALUES = {"actual": "actual", "actuals": "actual", "outturn": "actual",
                "forecast": "forecast", "forecasts": "forecast", "budget": "forecast",
                "plan": "forecast", "planned": "forecast", "profile": "forecast"}
STATE_MEASURES = {"actual": "spend", "forecast": "forecast"}
OPTIONAL = {"category", "cap_rev", "description", "txn_date", "project", "unit"}
STREAM_PARSERS = {"award": "gbp_amount", "capital_award": "gbp_amount",
                  "revenue_award": "gbp_amount", "start_date": "any_date",
                  "end_date": "any_date", "spend_deadline": "any_date",
                  "virement_limit_pct": "decimal", "match_required_pct": "decimal"}
STREAM_REQUIRED = {"stream_id", "funder_id", "name", "award", "start_date", "end_date",
                   "ring_fence_type"}

CAP_REV_WORDS = {"capital": "capital", "revenue": "revenue", "cdel": "capital",
                 "rdel": "revenue"}
_CAP_REV = re.compile(r"\b(capital|revenue|cdel|rdel)\b", re.IGNORECASE)


def cap_rev_in_labels(columns: list[Column]) -> tuple[dict[str, Any], str] | None:
    """Capital or revenue named inside the lines' labels ('Revenue - Direct salaries',
    'Towns Fund CDEL'): a source reading it from there (the rest unspecified), and why."""
    for c in columns:
        words = [m.group(1) for v in c.values if (m := _CAP_REV.search(v))]
        whole = any(v.strip().casefold() in CAP_REV_WORDS for v in c.values)  # 'Capital'
        if len(words) < max(2, len(c.values) // 4) and not whole:
            continue
        found = sorted(set(words), key=str.casefold)
        src = {"column": c.path, "extract": r"\b(" + "|".join(found) + r")\b",
               "lookup": {w: CAP_REV_WORDS[w.casefold()] for w in found},
               "default": "unspecified"}
        return src, f"capital or revenue is named in the '{c.path}' labels"
    return None


_UNIT_IN_LABEL = re.compile(r"\(%\)|%|\bper [\d,]+\b")


def unit_in_labels(col: Column) -> tuple[dict[str, Any], str] | None:
    """Units named inside indicator labels ('Admissions per 100,000 population', 'Discharge
    to usual place of residence (%)') when no column holds them: a source extracting them."""
    found = {m.group(0).strip("()") for v in col.values if (m := _UNIT_IN_LABEL.search(v))}
    if not found or len(found) > 5:
        return None
    alternatives = "|".join("(" + re.escape(u).replace("\\ ", " ") + ")" for u in sorted(found))
    src = {"column": col.path, "extract": alternatives, "required": False}
    return src, f"units are named in the '{col.path}' labels: " + ", ".join(sorted(found))


VALUE_TYPE_WORDS = {"target": "target", "actual": "actual", "actuals": "actual",
                    "achieved": "actual", "baseline": "baseline", "forecast": "forecast",
                    "planned": "target", "plan": "target"}


def value_types(col: Column) -> dict[str, str]:
    """`{label: value type}` when every value names one (Target, Actual, Baseline, ...)."""
    words = sorted({v.strip() for v in col.values})
    if not words or any(w.casefold() not in VALUE_TYPE_WORDS for w in words):
        return {}
    return {w: VALUE_TYPE_WORDS[w.casefold()] for w in words}


def column_source(col: Column, name: str) -> dict[str, Any]:
    src: dict[str, Any] = {"column": col.path}
    if name == "txn_date":
        src["parser"] = "any_date"
    if name == "cap_rev":
        words = sorted({v.strip() for v in col.values})
        src["lookup"] = {w: w.casefold() for w in words if w.casefold() in ("capital", "revenue")}
        src["default"] = "unspecified"
    if name == "unit" and "currency" in col.path.casefold():
        src.update(parser="enum", options={"values": sorted({v.strip() for v in col.values})})
    if name == "value_type":
        src["lookup"] = value_types(col)
    if name == "state":
        src["lookup"] = {w: STATE_VALUES[w.casefold()] for w in sorted(set(col.values))
                         if w.casefold() in STATE_VALUES}
    if name in OPTIONAL:
        src["required"] = False
    return src


def stream_sources(columns: list[Column]) -> dict[str, Any]:
    """The fields of a register of streams, each from the column that names it."""
    fields: dict[str, Any] = {}
    for c in columns:
        name = stream_field(c)
        if name is None or name in fields:
            continue
        src: dict[str, Any] = {"column": c.path}
        if name in STREAM_PARSERS:
            src["parser"] = STREAM_PARSERS[name]
        elif name in ALLOWED:
            src["parser"] = "enum"
            src["options"] = {"values": list(ALLOWED[name])}
        if name not in STREAM_REQUIRED:
            src["required"] = False
        fields[name] = src
    return fields


def canonical_fields(kind: str) -> frozenset[str]:
    """The fields of a table kind that reach the ledger (by their spec names).

    An adapter may add helper fields that only feed a template (`agency`, `main` and `sub`
    make up a stream id); no draft can know their names, so they are not counted.
    """
    renamed = {v: k for k, v in RENAMES[kind].items()}
    return frozenset(renamed.get(n, n) for n in TABLES[kind].polars_schema()) | {"period"}

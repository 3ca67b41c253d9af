"""Many partnerships' returns, fast: what a receiving department receives, for trying
`fundflow collect` and `fundflow compare` at scale and for `benchmarks/bench_collect.py`.

Importing a partnership's spreadsheets and building its return takes seconds; a department
has thousands. So one partnership is imported and returned once (`template_return`), and each
of the N partnerships' returns is derived from it (`derive`): its own name and id, every
amount scaled by its own seeded factor in exact pence, its reconciliation restated from its
figures, and both hashes recomputed, so each is a whole, valid, distinct return that
`fundflow collect` accepts. The analysis sections are the template's (a department recomputes
them from the figures). The same seed gives the same files.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic_core import to_json

from fundflow.ingest.importer import import_files
from fundflow.ingest.specs.registry import load_adapters
from fundflow.ledger.store import open_ledger
from fundflow.returns.build import build_return
from fundflow.returns.jsonout import render_json
from fundflow.returns.model import Return, partnership_slug
from fundflow.sample import write_sample
from fundflow.sample.model import place_of

YEAR = "2025-26"


def template_return(seed: int = 2025) -> Return:
    """The sample partnership's consolidated return for 2025-26, imported from its files."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_sample(folder / "sample", seed=seed)
        adapters, _ = load_adapters()
        register = [p for p in files if "register" in p.parts]
        ledger = folder / "template.duckdb"
        import_files(register, ledger, adapters)
        import_files([p for p in files if p not in register], ledger, adapters)
        with open_ledger(ledger) as con:
            return build_return(con, YEAR)


def write_returns(out_dir: Path, count: int, *, seed: int = 2025,
                  template: Return | None = None) -> list[Path]:
    """Write `count` partnerships' returns (`<place>-2025-26.json`) under `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document = json.loads(render_json(template or template_return(seed)))
    paths = []
    for derived in derive(document, count, seed):
        path = out_dir / f"{derived['cover']['partnership_id']}-{YEAR}.json"
        path.write_bytes(to_json(derived))
        paths.append(path)
    return paths


def derive(document: dict[str, Any], count: int, seed: int) -> Iterator[dict[str, Any]]:
    """The template's JSON as `count` distinct partnerships' returns, one at a time."""
    document = {**document, **{part: [_sorted(row) for row in document[part]]
                               for part in ("data", "other_data", "stream_terms")}}
    for index in range(count):
        place, _ = place_of(index)
        factor = random.Random(f"{seed}:{index}:scale").randint(60, 160)
        yield _derived(document, f"{place} Safer Communities Partnership", factor)


def _derived(document: dict[str, Any], name: str, factor: int) -> dict[str, Any]:
    out = dict(document)
    data = [_scaled(row, name, factor) for row in document["data"]]
    other = [_scaled(row, name, factor) for row in document["other_data"]]
    terms = [{**t, "award": _money(Decimal(t["award"]), factor)} for t in document["stream_terms"]]
    totals: dict[str, Decimal] = {}
    for row in data:
        totals[row["source"]] = totals.get(row["source"], Decimal("0.00")) + Decimal(row["amount"])
    recon = [{**r, "file_total": f"{totals.get(r['submission_id'], Decimal(0)):.2f}",
              "return_total": f"{totals.get(r['submission_id'], Decimal(0)):.2f}",
              "difference": "0.00"} for r in document["reconciliation"]]
    cover = {**document["cover"], "partnership": name, "title": f"{name}: consolidated "
             f"funding return {document['cover']['year']}",
             "partnership_id": partnership_slug(name)}
    key = {"partnership": name, "year": cover["year"], "quarter": cover["quarter"],
           "basis": cover["basis"], "funder": cover["funder_id"]}
    cover["content_hash"] = _hash({"return": key, "figures": data})
    cover["context_hash"] = _hash({"stream_terms": terms, "other_data": other})
    out.update(cover=cover, data=data, other_data=other, stream_terms=terms,
               reconciliation=recon)
    return out


def _scaled(row: dict[str, Any], name: str, factor: int) -> dict[str, Any]:
    pence = row["amount_pence"] * factor // 100
    return {**row, "partnership": name, "amount_pence": pence,
            "amount": f"{Decimal(pence).scaleb(-2):.2f}"}


def _money(amount: Decimal, factor: int) -> str:
    return f"{Decimal(int(amount.scaleb(2)) * factor // 100).scaleb(-2):.2f}"


def _hash(value: dict[str, Any]) -> str:
    """The hashes of `returns.model` (`content_hash`, `context_hash`) over JSON already in
    their canonical form: sorted keys, no spaces, money as text, non-ASCII as itself.

    The rows' keys were sorted once (`_sorted`), so pydantic's JSON encoder (in Rust, five
    times `json.dumps`) writes the same bytes as `json.dumps(sort_keys=True)` would."""
    return hashlib.sha256(to_json(_sorted(value))).hexdigest()


def _sorted(value: dict[str, Any]) -> dict[str, Any]:
    """The dict with its keys in sorted order, and its dict values' (not inside lists)."""
    return {k: _sorted(v) if isinstance(v, dict) else v for k, v in sorted(value.items())}

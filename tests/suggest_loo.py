"""Leave-one-out measure of `fundflow adapters suggest` over every layout fundflow ships.

For every layout with a bundled adapter (`adapters/`, with its sample file in `sample_data/`)
and every example adapter of a real published file (`adapters/examples/`, files in
`../shared/corpus/real/` when present), the harness drafts a spec from the file alone (the
bundled adapter plays no part in the draft), then:

- compares the draft field by field with the bundled adapter's table it agrees with most
  (`fundflow.ingest.suggest.compare`: a field is right when both specs read the same cells);
- checks the draft claims its own file, and a renamed copy of it;
- fills in what no file can say (stream id and funder) from the bundled adapter, as an officer
  would from the funding register, and imports the file with the draft: it imports unchanged
  when no error is raised and the total (records, for indicators and registers) equals what the
  bundled adapter's table reads from the same file.

Run `uv run python -m tests.suggest_loo` for the table; `tests/test_suggest_loo.py` asserts the
floors reached so that a change that makes drafts worse fails.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from fundflow.ingest.grid import Workbook
from fundflow.ingest.importer import FileResult, build_batch
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.specs.identify import judge
from fundflow.ingest.specs.registry import Loaded, load_adapters
from fundflow.ingest.specs.spec import AdapterSpec, TableSpec
from fundflow.ingest.suggest import suggest_workbook
from fundflow.ingest.suggest.compare import compare
from fundflow.issues import has_errors

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
REAL = ROOT.parent / "shared" / "corpus" / "real"
PLACEHOLDER = "FILL-IN-"


@dataclass(frozen=True)
class Outcome:
    """One layout's draft against its bundled adapter."""

    layout: str  # the bundled adapter's id
    file: str
    table: str  # the bundled adapter's table the draft was compared with
    right: int  # layout fields the draft reads from the same cells
    fields: int  # layout fields of that table
    missed: tuple[str, ...]  # the fields the draft got wrong
    claims: bool  # the draft's match rules accept the file
    renamed: bool  # ... and a renamed copy
    imports: bool  # the filled-in draft imports without an error
    total_right: bool  # ... with the bundled adapter's total (or record count)
    found: str  # what the draft read (total or records)
    expected: str  # what the bundled adapter's table reads
    why: str  # first error of the import, when it failed
    real: bool  # a real published file (else a bundled sample)


# One file per layout (reading every file to find one would take most of the run). A bundled
# adapter missing here fails `test_every_bundled_layout_is_measured`.
SAMPLE_FILES = (
    "register/Eastbrook_funding_register.xlsx",
    "returns/dcf/FF_claim_FF-EAS_2025-Q3.csv",
    "returns/dhi/RWG_SoGU_2024-25_Eastbrook.xlsx",
    "returns/dhs/SSF6_Quarterly_Monitoring_2025-26_SSF6-03523.xlsx",
    "returns/dpc/LPF_Q1_2025-26_Eastbrook.xlsx",
    "returns/dpc/TTF_Performance_Return_Eastbrook_H1-2025-26_v3.xlsx",
    "returns/icp/ICP_Discharge_FN14.xlsx",
    "returns/icp/ICP_Q3_2025-26_Eastbrook.xlsx",
    "returns/lesf/LESF_Claim11_OC-ref-25R17P06011.xlsx",
    "returns/nclf/NCLF_GrantReport_Yr1_20231101-20241031.xlsx",
    "returns/opcc/OPCC_grant_spend_Q1_2025-26.csv",
    "returns/sfa/SFA_R06_2025-26_10098468.ods",
)
REAL_FILES = (
    "360giving/360G-ABCT-ab-charitable-trust-grants.xlsx",
    "data-act/appropValid.csv",
    "data-act/awardFinancialValid.csv",
    "mhclg/PF_Round_1_Success.xlsx",
    "mhclg/TF_Round_4_Success.xlsx",
    "openspending/mx-gasto-federalizado-avance-financiero-puebla-q1-2016.xlsx",
)
NO_FILE = ("synthetic-long", "synthetic-wide", "synthetic-wide-csv")  # generated for benchmarks


def layout_files() -> list[Path]:
    """The sample files, and the real ones when the shared corpus is present."""
    real = [REAL / f for f in REAL_FILES] if REAL.is_dir() else []
    return [SAMPLES / f for f in SAMPLE_FILES] + real


def layouts(adapters: list[Loaded]) -> Iterator[tuple[Loaded, Path, Workbook]]:
    """Each layout file with the one bundled adapter that claims it."""
    for path in layout_files():
        workbook, issues = read_workbook(path)
        assert workbook is not None, issues
        claims = [a for a in adapters if _claims(a.spec, path, workbook)]
        assert len(claims) == 1, (path.name, [a.spec.id for a in claims])
        yield claims[0], path, workbook


def _claims(spec: AdapterSpec, path: Path, workbook: Workbook) -> bool:
    passed, total, _ = judge(spec, path, workbook)
    return passed == total


def measure_one(bundled: Loaded, path: Path, workbook: Workbook) -> Outcome:
    """Draft `path` from the file alone and judge the draft against `bundled`."""
    suggestion = suggest_workbook(path, workbook)
    data = yaml.safe_load(suggestion.yaml or "{}")
    draft = AdapterSpec.model_validate(data)
    agreement = compare(draft, bundled.spec, workbook)
    assert agreement is not None
    table = next(t for t in bundled.spec.tables if t.name == agreement.table)
    renamed = path.with_name("renamed copy" + path.suffix)
    theirs, streams = _read(path, workbook, _only(bundled.spec, table))
    filled = AdapterSpec.model_validate(fill_in(data, bundled.spec, table, streams))
    mine, _ = _read(path, workbook, filled)
    found, expected = _figure(mine, table), _figure(theirs, table)
    errors = [i for i in mine.issues if i.severity.value == "error"]
    imports = not errors
    return Outcome(
        layout=bundled.spec.id, file=path.name, table=table.name, right=len(agreement.right),
        fields=agreement.fields, missed=tuple(agreement.missed),
        claims=_claims(draft, path, workbook),
        renamed=_claims(draft, renamed, workbook), imports=imports,
        total_right=imports and found == expected, found=found, expected=expected,
        why="" if imports else f"{errors[0].code}: {errors[0].message}"[:160],
        real=REAL in path.parents,
    )


def fill_in(data: dict[str, Any], bundled: AdapterSpec, table: TableSpec,
            streams: list[str]) -> dict[str, Any]:
    """The draft with its stream and funder placeholders replaced from the bundled adapter.

    An officer copies the stream id and funder id from the funding register; the harness takes
    the bundled adapter's sources for them (with the context values they name) when the draft
    can use them, else the first stream id the bundled adapter reads, as a constant.
    """
    out = copy.deepcopy(data)
    context = out.setdefault("context", {})
    for name, src in list(context.items()):
        if _is_placeholder(src):
            context[name] = _source_for(name, bundled, table, context, streams)
    if bundled.funder and _is_placeholder({"const": out.get("funder")}):
        out["funder"] = bundled.funder
    for spec_table in out["tables"]:
        fields = spec_table["fields"]
        for name in ("stream_id", "funder_id"):
            if _is_placeholder(fields.get(name)):
                fields[name] = _source_for(name, bundled, table, context, streams)
    if not context:
        del out["context"]
    return out


def _is_placeholder(src: Any) -> bool:
    return isinstance(src, dict) and str(src.get("const", "")).startswith(PLACEHOLDER)


USABLE = ("column", "cell", "const", "file_name", "sheet_name")  # need nothing the draft lacks


def _source_for(name: str, bundled: AdapterSpec, table: TableSpec, context: dict[str, Any],
                streams: list[str]) -> dict[str, Any]:
    if name == "funder_id" and bundled.funder:
        return {"const": bundled.funder}
    src = table.fields.get(name) or bundled.context.get(name)
    via = bundled.context.get(src.context) if src is not None and src.context else src
    if src is None or via is None or via.kind not in USABLE:
        return {"const": streams[0] if streams and name == "stream_id" else f"{name}-unknown"}
    if src.context is not None and src.context not in context:
        for key, value in bundled.context.items():  # the context values it may lean on
            context.setdefault(key, value.model_dump(exclude_defaults=True, mode="json"))
    return src.model_dump(exclude_defaults=True, mode="json")


def _only(spec: AdapterSpec, table: TableSpec) -> AdapterSpec:
    """The bundled adapter reduced to one table (rules across tables dropped)."""
    return spec.model_copy(update={"tables": [table], "checks": []})


def _read(path: Path, workbook: Workbook, spec: AdapterSpec) -> tuple[FileResult, list[str]]:
    """What a spec reads from the file, and the stream ids it reads (first seen first)."""
    result = FileResult(path, "checked", adapter_id=spec.id)
    batch = build_batch(path, workbook, spec, result)
    if has_errors(result.issues):
        result.status = "failed"
    streams: list[str] = []
    for spool in (batch.finance, batch.indicators):
        frame = spool.frame()
        if frame is not None and "stream_id" in frame.columns:
            streams += [s for s in frame.get_column("stream_id").unique(maintain_order=True)
                        .drop_nulls().to_list() if s not in streams]
    return result, streams


def _figure(result: FileResult, table: TableSpec) -> str:
    if table.kind == "finance":
        return f"£{result.total:,}"
    count = result.indicators if table.kind == "indicators" else result.streams
    return f"{count} records"


def measure_all() -> list[Outcome]:
    """Every layout's outcome, bundled samples first, then real files."""
    loaded, issues = load_adapters(include_examples=True)
    assert not issues, issues
    return [measure_one(a, p, w) for a, p, w in layouts(loaded)]


def report(outcomes: list[Outcome]) -> str:
    """The figures as a plain table, one line per layout, totals last."""
    lines = [f"{'layout':28} {'fields':>7} {'claims':>6} {'renamed':>7} {'imports':>7} "
             f"{'total':>5}  file / why"]
    for o in outcomes:
        lines.append(
            f"{o.layout[:28]:28} {o.right:>3}/{o.fields:<3} {_yes(o.claims):>6} "
            f"{_yes(o.renamed):>7} {_yes(o.imports):>7} {_yes(o.total_right):>5}  {o.file}"
            + ("" if o.total_right else f" | {o.why or o.found + ' vs ' + o.expected}")
            + (f" | missed: {', '.join(o.missed)}" if o.missed else ""))
    s = summary(outcomes)
    lines.append(f"fields right {s['right']}/{s['fields']} ({s['field_share']:.0%}); "
                 f"drafts claiming their file {s['claims']}/{s['layouts']}, a renamed copy "
                 f"{s['renamed']}/{s['layouts']}; importing {s['imports']}/{s['layouts']}; "
                 f"unchanged with the right total {s['total_right']}/{s['layouts']} "
                 f"({s['import_share']:.0%})")
    return "\n".join(lines)


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    """The headline figures: field share and share of drafts importing with the right total."""
    right = sum(o.right for o in outcomes)
    fields = sum(o.fields for o in outcomes)
    n = len(outcomes)
    good = sum(o.total_right for o in outcomes)
    return {
        "layouts": n, "right": right, "fields": fields,
        "field_share": Decimal(right) / fields if fields else Decimal(0),
        "claims": sum(o.claims for o in outcomes), "renamed": sum(o.renamed for o in outcomes),
        "imports": sum(o.imports for o in outcomes), "total_right": good,
        "import_share": Decimal(good) / n if n else Decimal(0),
    }


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


if __name__ == "__main__":
    sys.stdout.write(report(measure_all()) + "\n")

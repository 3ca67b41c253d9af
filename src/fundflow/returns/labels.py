"""Names for the codes a return holds, so people read 'EMP.SAL Salaries and wages', not a code.

The return model carries canonical codes only (a machine reads them back). The workbook's
people-facing sheets add the taxonomy's names from the bundled `taxonomy.yaml`, read once
(a few milliseconds with the C YAML loader). If it cannot be read the codes are shown alone:
a name is a courtesy, never a figure.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from fundflow.mapping.reference import UNMAPPED, Taxonomy, bundled_schemas_dir

UNCATEGORISED = "UNCATEGORISED"
_SPECIAL = {
    UNMAPPED: "Not mapped (see Issues)",
    UNCATEGORISED: "No spend category",
}
RING_FENCE = {
    "ringfenced_statutory": "Ring-fenced (statutory)",
    "ringfenced_conditions": "Ring-fenced (grant conditions)",
    "restricted_charitable": "Restricted (charitable)",
    "specific_purpose": "Specific purpose",
    "unringfenced": "Not ring-fenced",
    "unknown": "Not stated",
}
MEASURE_ORDER = (
    "award", "allocation", "budget", "receipt", "income", "income_generated", "claim",
    "claim_approved", "pbr_result", "spend", "committed", "forecast", "match", "match_cash",
    "match_inkind", "carry_forward", "carry_forward_in", "carry_forward_out", "virement",
    "virement_in", "virement_out", "clawback", "repayment", "ineligible_adjustment",
)
"""The order a finance officer reads a stream's money in: what was given, what came in, what
went out, what is planned, then movements."""


@lru_cache(maxsize=1)
def _taxonomy() -> Taxonomy | None:
    path = bundled_schemas_dir() / "taxonomy.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return Taxonomy.model_validate(yaml.load(path.read_text(encoding="utf-8"), loader))
    except (OSError, ValueError, yaml.YAMLError):
        return None


@lru_cache(maxsize=1)
def _names() -> dict[str, dict[str, str]]:
    taxonomy = _taxonomy()
    if taxonomy is None:
        return {"subjective": {}, "measures": {}, "cap_rev": {}}
    subjective = {g.code: g.name for g in taxonomy.subjective}
    subjective.update({c.code: c.name for g in taxonomy.subjective for c in g.children})
    return {"subjective": subjective,
            "measures": {m.code: m.name.split(" (")[0] for m in taxonomy.measures},
            "cap_rev": {c.code: c.name for c in taxonomy.cap_rev}}


def category_name(code: str) -> str:
    """The taxonomy's name for a subjective code ('' when it has none)."""
    return _SPECIAL.get(code) or _names()["subjective"].get(code, "")


def measure_name(code: str) -> str:
    """'Carry forward' for 'carry_forward': the taxonomy's name, else the code made readable."""
    return _names()["measures"].get(code) or code.replace("_", " ").capitalize()


def cap_rev_name(code: str | None) -> str:
    if code is None:
        return "Not split"
    return "Not stated" if code == "unspecified" else code.capitalize()


def ring_fence_name(code: str) -> str:
    return RING_FENCE.get(code, code.replace("_", " ").capitalize())


def measure_rank(code: str) -> tuple[int, str]:
    """Sort key putting measures in `MEASURE_ORDER`, unknown ones last by name."""
    return (MEASURE_ORDER.index(code) if code in MEASURE_ORDER else len(MEASURE_ORDER), code)


PLAIN = {
    **RING_FENCE,
    "fortnightly": "Fortnightly", "monthly": "Monthly", "quarterly": "Quarterly",
    "termly": "Termly", "half_yearly": "Half-yearly", "annual": "Annual",
    "end_of_grant": "End of grant",
    "defrayed": "Defrayed", "accrued": "Accrued", "committed": "Committed",
    "claimed": "Claimed", "received": "Received", "budgeted": "Budgeted",
    "actual": "Actual", "forecast": "Forecast", "baseline": "Baseline", "target": "Target",
    "capital": "Capital", "revenue": "Revenue", "unspecified": "Not stated",
    "per_100k": "per 100,000 people", "number": "Number", "GBP": "£", "hours": "Hours",
    "sum": "Added up", "latest": "Latest value", "mean": "Average", "max": "Highest",
    "min": "Lowest", "cumulative": "Latest (cumulative)",
    "True": "Yes", "False": "No", "None": "Not stated",
    "central_dept": "Central government department", "alb": "Arm's-length body",
    "lottery_distributor": "Lottery distributor",
    "eu_managing_authority": "EU programme managing authority",
    "local_authority": "Local authority", "combined_authority": "Combined authority",
    "nhs_icb": "NHS integrated care board", "pcc": "Police and crime commissioner",
    "charitable_trust": "Charitable trust or foundation", "other": "Other",
}
"""Words for the code values a return's people-facing sheets show (frequencies, bases, states,
units, how indicators combine): a finance officer reads 'Half-yearly', never 'half_yearly'."""


def plain(code: object) -> str:
    """The word for a code value: the table's, else the code with '_' as spaces, capitalised;
    '' for None. Booleans read Yes or No."""
    if code is None:
        return ""
    text = str(code)
    return PLAIN.get(text) or text.replace("_", " ").capitalize()


def plain_list(codes: str) -> str:
    """'half_yearly, quarterly' as 'Half-yearly, Quarterly' (a funder's conditions list)."""
    return ", ".join(plain(part.strip()) for part in codes.split(",")) if codes else codes

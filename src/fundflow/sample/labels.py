"""Which funder labels each sample file uses, and the canonical indicators they map to.

The crosswalks in `schemas/crosswalks/` are hand-written data; this module lists, from the layout
code itself, the category and indicator labels the generated files contain, so a test can prove
every label is mapped (except `UNMAPPED`, left out on purpose so "Unmapped" shows in reports).
"""

from __future__ import annotations

from typing import NamedTuple

from fundflow.sample import (
    csv_returns,
    dhs,
    icp,
    lesf,
    lpf,
    lpf_sheets,
    nclf,
    rwg,
    sfa,
    ttf,
    ttf_sheets,
)

CATEGORY_LABELS: dict[str, tuple[str, ...]] = {
    "F-DPC": ttf.CATEGORY_LABELS + lpf.CATEGORY_LABELS,
    "F-LESF": lesf.CATEGORY_LABELS,
    "F-NCLF": nclf.CATEGORY_LABELS,
    "F-DHI": rwg.CATEGORY_LABELS,
    "F-ICP": icp.CATEGORY_LABELS,
    "F-SFA": sfa.CATEGORY_LABELS,
    "F-DCF": csv_returns.CATEGORY_LABELS_FAMILIES,
    "F-OPCC": csv_returns.CATEGORY_LABELS_OPCC,
    "F-DHS": dhs.CATEGORY_LABELS,
}
INDICATOR_LABELS: dict[str, tuple[str, ...]] = {
    "F-DPC": ttf_sheets.INDICATOR_LABELS + lpf_sheets.INDICATOR_LABELS,
    "F-LESF": lesf.INDICATOR_LABELS,
    "F-NCLF": nclf.INDICATOR_LABELS,
    "F-ICP": icp.INDICATOR_LABELS,
}
UNMAPPED = ("F-ICP", icp.UNMAPPED_LABEL)
"""The one category label used in the files and deliberately missing from its crosswalk."""


class Indicator(NamedTuple):
    """A canonical indicator: id, unit, and whether funders report it cumulatively."""

    id: str
    unit: str
    cumulative: bool


CANONICAL_INDICATORS = (
    Indicator("people_supported", "people", False),
    Indicator("people_trained", "people", False),
    Indicator("participants_enrolled", "people", True),
    Indicator("participants_unemployed", "people", True),
    Indicator("participants_inactive", "people", True),
    Indicator("into_employment", "people", True),
    Indicator("into_education_training", "people", True),
    Indicator("volunteers", "people", False),
    Indicator("events_held", "events", False),
    Indicator("sessions_delivered", "sessions", False),
    Indicator("businesses_supported", "businesses", False),
    Indicator("trees_planted", "trees", False),
    Indicator("public_realm_improved_m2", "m2", False),
    Indicator("jobs_created", "jobs", True),
    Indicator("footfall_change_pct", "percent", False),
    Indicator("feel_safe_pct", "percent", False),
    Indicator("vacancy_rate_pct", "percent", False),
    Indicator("avoidable_admissions_per_100k", "rate per 100,000", False),
    Indicator("discharge_home_pct", "percent", False),
    Indicator("falls_admissions_per_100k", "rate per 100,000", False),
    Indicator("care_home_admissions_per_100k", "rate per 100,000", False),
)

"""Reference data: taxonomy, indicators, calendars, tiers, reporting schema and crosswalks.

Business rules live in `schemas/` as YAML (conventions: "business rules are data"). This module
holds the pydantic models for those files (`extra="forbid"`, so a typo is an error rather than a
silently ignored key), loads the bundled folder plus any project folders that add or override
entries, and checks the cross-references a single file cannot check on its own: every crosswalk
target code exists in the taxonomy and every indicator target in `indicators.yaml`. Problems come
back as `Issue` values; nothing here prints, exits or raises for bad data.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fundflow.ingest.specs.specload import SpecLoadError, read_spec_data
from fundflow.issues import Issue, has_errors, make_issue

UNMAPPED = "UNMAPPED"
"""Subjective code given to money whose funder category no crosswalk maps (never dropped)."""

CapRev = Literal["capital", "revenue", "unspecified"]
Frequency = Literal[
    "fortnightly", "monthly", "quarterly", "half_yearly", "annual", "end_of_grant", "event"
]
Grain = Literal["grant", "year", "half", "quarter", "month"]
Month = Annotated[int, Field(ge=1, le=12)]
TierNo = Annotated[int, Field(ge=0, le=9)]
_CODE = r"^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)?$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(values: Iterable[str], what: str) -> None:
    """Raise (inside a validator) when a list of keys repeats one, naming it."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} '{value}' appears more than once")
        seen.add(value)


# --- taxonomy -------------------------------------------------------------------------------
class Code(_Model):
    """One code of a flat list (cap_rev, funding sources, measures, states, bases, level 2)."""

    code: str
    name: str
    note: str | None = None


class SubjectiveGroup(_Model):
    """A level-1 subjective code (CIPFA group) with its level-2 codes `GROUP.DETAIL`."""

    code: Annotated[str, Field(pattern=_CODE)]
    name: str
    cipfa_group: Annotated[int, Field(ge=1, le=10)] | None
    spend: bool
    note: str | None = None
    children: tuple[Code, ...] = ()

    @model_validator(mode="after")
    def _children_prefixed(self) -> SubjectiveGroup:
        for child in self.children:
            if not child.code.startswith(self.code + "."):
                raise ValueError(f"level-2 code '{child.code}' must start with '{self.code}.'")
        return self


class Theme(_Model):
    """An objective (partnership theme), optionally with finer level-2 codes."""

    code: Annotated[str, Field(pattern=_CODE)]
    name: str
    children: tuple[Code, ...] = ()


class Taxonomy(_Model):
    """`taxonomy.yaml`: the four category dimensions plus measures, states and bases."""

    version: int
    subjective: tuple[SubjectiveGroup, ...]
    objective: tuple[Theme, ...]
    cap_rev: tuple[Code, ...]
    funding_sources: tuple[Code, ...]
    measures: tuple[Code, ...]
    states: tuple[Code, ...]
    bases: tuple[Code, ...]

    @model_validator(mode="after")
    def _codes_unique(self) -> Taxonomy:
        for name in ("subjective", "objective", "cap_rev", "funding_sources", "measures"):
            _unique(self.codes(name), f"{name} code")
        _unique(self.codes("states"), "state")
        _unique(self.codes("bases"), "basis")
        return self

    def codes(self, dimension: str) -> list[str]:
        """Every code of one dimension (level 1 then level 2 for the two hierarchies)."""
        entries: tuple[SubjectiveGroup | Theme | Code, ...] = getattr(self, dimension)
        out: list[str] = []
        for entry in entries:
            out.append(entry.code)
            out.extend(child.code for child in getattr(entry, "children", ()))
        return out


# --- indicators -----------------------------------------------------------------------------
class Indicator(_Model):
    """A canonical output or outcome indicator that funder indicators map to."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: str
    kind: Literal["output", "outcome", "result", "impact", "milestone_count"]
    unit: str
    cumulative: bool
    aggregation: Literal["sum", "max", "latest", "mean", "none"]
    definition: str = ""


class IndicatorSet(_Model):
    """`indicators.yaml`."""

    version: int
    indicators: tuple[Indicator, ...]

    @model_validator(mode="after")
    def _ids_unique(self) -> IndicatorSet:
        _unique((i.id for i in self.indicators), "indicator id")
        return self


# --- calendars ------------------------------------------------------------------------------
class Term(_Model):
    """An academic term: a run of calendar months inside the year (may not wrap the year)."""

    name: str
    first_month: Month
    last_month: Month


class YearConvention(_Model):
    """How a funder's years run: from `start_month`, or from the stream's start when anchored."""

    id: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
    name: str
    start_month: Month | None
    anchored: bool = False
    terms: tuple[Term, ...] = ()

    @model_validator(mode="after")
    def _start_or_anchor(self) -> YearConvention:
        if self.anchored == (self.start_month is not None):
            raise ValueError(f"{self.id}: give either start_month or anchored: true, not both")
        return self


class Calendars(_Model):
    """`calendars.yaml`: the year conventions, the default for labels and the one returns use."""

    version: int
    default: str
    report: str
    conventions: tuple[YearConvention, ...]

    @model_validator(mode="after")
    def _known(self) -> Calendars:
        ids = [c.id for c in self.conventions]
        _unique(ids, "year convention")
        for which in (self.default, self.report):
            if which not in ids:
                raise ValueError(f"year convention '{which}' is not defined")
        return self

    def get(self, convention_id: str) -> YearConvention | None:
        """The convention with this id, or None."""
        return next((c for c in self.conventions if c.id == convention_id), None)


# --- tiers ----------------------------------------------------------------------------------
class ValueBand(_Model):
    """Award band in pounds: `min <= award < max`; no `max` means no upper limit."""

    min: Decimal
    max: Decimal | None


class FinancialAsks(_Model):
    """The finance detail a tier asks for."""

    period_grain: Grain
    light_period_grain: Grain | None = None
    headings: Literal["total", "level1", "level2"]
    max_headings: int | None
    cap_rev_split: bool
    by_funding_source: bool
    forecast: bool
    transactions: bool


class IndicatorAsks(_Model):
    max_count: int | None
    frequency: Frequency
    set: Literal["standard", "full"]


class NarrativeAsks(_Model):
    max_words: int | None
    rag: Literal["none", "annual", "half_yearly", "quarterly"]
    risks: Literal["none", "top5", "full_register"]


class Burden(_Model):
    max_returns_per_year: int
    max_data_items: int | None
    max_pence_per_pound: Decimal


class Asks(_Model):
    """Everything a tier asks of a stream (domain.md §7)."""

    frequency: Frequency
    light_frequency: Frequency | None = None
    financial: FinancialAsks
    indicators: IndicatorAsks
    narrative: NarrativeAsks
    evidence: str
    payment_basis: str
    target_burden: Burden


class Tier(_Model):
    tier: TierNo
    name: str
    value_band: ValueBand
    low_risk_vcse_max: Decimal | None = None
    typical_risk: str
    asks: Asks


class RiskFactor(_Model):
    id: str
    name: str


class TierOverride(_Model):
    """A condition that fixes a stream's tier (None keeps the value band) before the risk raise."""

    condition: str
    tier: TierNo | None
    risk_applies: bool
    note: str


class RiskRule(_Model):
    raise_by: Annotated[int, Field(ge=0)]
    factors: tuple[RiskFactor, ...]
    overrides: tuple[TierOverride, ...] = ()


class Tiers(_Model):
    """`tiers.yaml`: tiers numbered 0..n whose value bands tile the range of awards."""

    version: int
    risk_rule: RiskRule
    tiers: tuple[Tier, ...]

    @model_validator(mode="after")
    def _contiguous(self) -> Tiers:
        for i, tier in enumerate(self.tiers):
            if tier.tier != i:
                raise ValueError(f"tiers must be numbered 0, 1, 2, ... in order; found {tier.tier}")
            if i and self.tiers[i - 1].value_band.max != tier.value_band.min:
                raise ValueError(f"tier {i} value band must start where tier {i - 1} ends")
        if self.tiers and self.tiers[-1].value_band.max is not None:
            raise ValueError("the top tier's value band must have no maximum")
        return self


# --- reporting schema -----------------------------------------------------------------------
CodeList = Literal[
    "subjective",
    "objective",
    "cap_rev",
    "funding_sources",
    "measures",
    "states",
    "bases",
    "indicators",
]


class Column(_Model):
    """One column of a return section; filled for streams at `min_tier` or above."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str
    type: Literal["text", "code", "date", "money", "integer", "decimal", "boolean"]
    codes: CodeList | None = None
    min_tier: TierNo = 0
    description: str = ""

    @model_validator(mode="after")
    def _codes_for_code_columns(self) -> Column:
        if (self.type == "code") != (self.codes is not None):
            raise ValueError(f"column '{self.name}': `codes` goes with type code, and only there")
        return self


class Section(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: str
    layout: Literal["table", "key_value", "flat"] = "table"
    min_tier: TierNo = 0
    columns: tuple[Column, ...]

    @model_validator(mode="after")
    def _names_unique(self) -> Section:
        _unique((c.name for c in self.columns), f"column in section '{self.id}'")
        return self


class ReportingSchema(_Model):
    """`reporting.yaml`: the consolidated return's sections and columns by tier."""

    version: int
    default_basis: str
    sections: tuple[Section, ...]

    @model_validator(mode="after")
    def _ids_unique(self) -> ReportingSchema:
        _unique((s.id for s in self.sections), "section")
        return self

    def columns_for(self, section_id: str, tier: int) -> list[Column]:
        """The columns a stream at `tier` fills in one section ([] when the section is skipped)."""
        section = next(s for s in self.sections if s.id == section_id)
        if tier < section.min_tier:
            return []
        return [c for c in section.columns if c.min_tier <= tier]


# --- crosswalks -----------------------------------------------------------------------------
def normalise_label(label: str) -> str:
    """How funder labels are compared: case-insensitive, whitespace runs collapsed."""
    return " ".join(label.split()).casefold()


class Target(_Model):
    """Where (a share of) one funder category goes; None keeps what the entry says."""

    subjective: Annotated[str, Field(pattern=_CODE)]
    objective: Annotated[str, Field(pattern=_CODE)] | None = None
    cap_rev: CapRev | None = None
    share: Decimal = Decimal(100)

    @field_validator("share", mode="before")
    @classmethod
    def _exact_share(cls, value: Any) -> Any:
        # YAML reads 12.5 as a float; its shortest repr is the decimal the author typed.
        return repr(value) if isinstance(value, float) else value

    @field_validator("share")
    @classmethod
    def _share_range(cls, value: Decimal) -> Decimal:
        if not Decimal(0) < value <= Decimal(100) or value != value.quantize(Decimal("1e-6")):
            raise ValueError(f"share {value} must be above 0, at most 100, with ≤ 6 decimals")
        return value


class CategoryMap(_Model):
    label: str
    to: Annotated[tuple[Target, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _shares_add_up(self) -> CategoryMap:
        total = sum((t.share for t in self.to), Decimal(0))
        if total != 100:
            raise ValueError(f"shares for '{self.label}' add up to {total}, not 100")
        return self


class IndicatorMap(_Model):
    label: str
    to: str


class Crosswalk(_Model):
    """One version of one funder's crosswalk (`schemas/crosswalks/*.yaml`)."""

    funder: str
    version: int
    effective_from: date
    effective_to: date | None = None
    categories: tuple[CategoryMap, ...] = ()
    indicators: tuple[IndicatorMap, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Crosswalk:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        _unique((normalise_label(c.label) for c in self.categories), "category label")
        _unique((normalise_label(i.label) for i in self.indicators), "indicator label")
        return self

    def in_force(self, on: date) -> bool:
        """True when this version applies to money for a period starting `on`."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    @cached_property
    def category_index(self) -> dict[str, tuple[Target, ...]]:
        """Normalised label -> targets, built once per crosswalk."""
        return {normalise_label(c.label): c.to for c in self.categories}


def crosswalk_on(crosswalks: Iterable[Crosswalk], funder_id: str, on: date) -> Crosswalk | None:
    """The funder's crosswalk version in force on a date (the highest version if two overlap)."""
    live = [c for c in crosswalks if c.funder == funder_id and c.in_force(on)]
    return max(live, key=lambda c: c.version, default=None)


def map_category(
    crosswalks: Iterable[Crosswalk], funder_id: str, label: str, on_date: date
) -> list[Target] | None:
    """Targets for a funder category on a date, or None when no crosswalk version maps it."""
    crosswalk = crosswalk_on(crosswalks, funder_id, on_date)
    if crosswalk is None:
        return None
    targets = crosswalk.category_index.get(normalise_label(label))
    return None if targets is None else list(targets)


RING_FENCED_TYPES = frozenset({"ringfenced_statutory", "ringfenced_conditions", "specific_purpose",
                               "restricted_charitable"})
"""Ring-fence types that tie the money to a purpose: every type but `unringfenced` (and a
blank or unknown type, which ties nothing anyone can check). The one definition the return's
Summary, the funder report and the analyses share."""


# --- loading --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    """Everything in `schemas/`, validated together."""

    taxonomy: Taxonomy
    indicators: IndicatorSet
    calendars: Calendars
    tiers: Tiers
    reporting: ReportingSchema
    crosswalks: tuple[Crosswalk, ...]


FILES: dict[str, type[_Model]] = {
    "taxonomy": Taxonomy,
    "indicators": IndicatorSet,
    "calendars": Calendars,
    "tiers": Tiers,
    "reporting": ReportingSchema,
}
_IDENTITY = ("code", "id", "tier", "name")


def bundled_schemas_dir() -> Path:
    """The schemas shipped with fundflow: inside the wheel, else the repository's `schemas/`."""
    packaged = Path(__file__).parents[1] / "_data" / "schemas"
    return packaged if packaged.is_dir() else Path(__file__).parents[3] / "schemas"


def load_reference(
    extra_dirs: Sequence[Path] = (), *, bundled: Path | None = None
) -> tuple[Reference | None, list[Issue]]:
    """Load the bundled schemas, then each extra folder in order on top of them.

    An extra folder's `taxonomy.yaml` (and the other four files) is merged entry by entry: an
    entry with the same `code`/`id`/`tier` replaces the bundled one, a new one is added, other
    keys are replaced. Crosswalk files are added; one with the same funder and version replaces
    the earlier. Returns None with the issues when anything is invalid, because mapping with a
    half-valid reference would put money in the wrong place.
    """
    dirs = [bundled or bundled_schemas_dir(), *extra_dirs]
    issues: list[Issue] = []
    models: dict[str, Any] = {}
    for stem, model in FILES.items():
        raw: dict[str, Any] = {}
        files = [d / f"{stem}.yaml" for d in dirs if (d / f"{stem}.yaml").is_file()]
        for path in files:
            data = _read_yaml(path, issues)
            raw = _merge(raw, data) if isinstance(data, dict) else raw
        models[stem] = _validate(model, raw, " + ".join(map(str, files)) or stem, issues)
    crosswalks = _load_crosswalks(dirs, issues)
    if has_errors(issues):
        return None, issues
    reference = Reference(**models, crosswalks=crosswalks)
    issues.extend(check_reference(reference))
    return (None, issues) if has_errors(issues) else (reference, issues)


def load_crosswalk(path: Path) -> tuple[Crosswalk | None, list[Issue]]:
    """Read and validate one crosswalk file on its own (no taxonomy check)."""
    issues: list[Issue] = []
    data = _read_yaml(path, issues)
    result = _validate(Crosswalk, data, str(path), issues) if data is not None else None
    return (result if isinstance(result, Crosswalk) else None), issues


def check_crosswalk(
    crosswalk: Crosswalk, taxonomy: Taxonomy, indicators: IndicatorSet, file: str | None = None
) -> list[Issue]:
    """Every target code must exist in the taxonomy, every indicator in `indicators.yaml`."""
    known = {
        "subjective": set(taxonomy.codes("subjective")),
        "objective": set(taxonomy.codes("objective")),
    }
    issues: list[Issue] = []
    where = file or f"crosswalk {crosswalk.funder} v{crosswalk.version}"
    for category in crosswalk.categories:
        for target in category.to:
            for axis in ("subjective", "objective"):
                code = getattr(target, axis)
                if code is not None and code not in known[axis]:
                    issues.append(
                        make_issue(
                            "crosswalk-unknown-code",
                            file=where,
                            value=code,
                            axis=axis,
                            label=category.label,
                        )
                    )
    indicator_ids = {i.id for i in indicators.indicators}
    for mapping in crosswalk.indicators:
        if mapping.to not in indicator_ids:
            issues.append(
                make_issue(
                    "crosswalk-unknown-code",
                    file=where,
                    value=mapping.to,
                    axis="indicator",
                    label=mapping.label,
                )
            )
    return issues


def check_reference(reference: Reference) -> list[Issue]:
    """Cross-file checks: crosswalk codes, overlapping versions, code lists the return uses."""
    issues: list[Issue] = []
    for crosswalk in reference.crosswalks:
        issues.extend(check_crosswalk(crosswalk, reference.taxonomy, reference.indicators))
    by_funder: dict[str, list[Crosswalk]] = {}
    for crosswalk in sorted(reference.crosswalks, key=lambda c: c.effective_from):
        by_funder.setdefault(crosswalk.funder, []).append(crosswalk)
    for funder, versions in by_funder.items():
        for before, after in itertools.pairwise(versions):
            if before.effective_to is None or before.effective_to >= after.effective_from:
                issues.append(
                    make_issue(
                        "crosswalk-overlap",
                        value=funder,
                        first=before.version,
                        second=after.version,
                    )
                )
    if reference.reporting.default_basis not in reference.taxonomy.codes("bases"):
        issues.append(
            make_issue(
                "reference-invalid",
                file="reporting.yaml",
                at="default_basis",
                reason=f"'{reference.reporting.default_basis}' is not a basis",
            )
        )
    top = len(reference.tiers.tiers) - 1
    for section in reference.reporting.sections:
        if max([section.min_tier, *(c.min_tier for c in section.columns)]) > top:
            issues.append(
                make_issue(
                    "reference-invalid",
                    file="reporting.yaml",
                    at=section.id,
                    reason=f"section '{section.id}' asks for a tier above {top}",
                )
            )
    return issues


@lru_cache(maxsize=1)
def bundled_calendars() -> Calendars:
    """The shipped calendars; invalid bundled data is a packaging bug, so this one raises."""
    data = read_spec_data(bundled_schemas_dir() / "calendars.yaml")
    return Calendars.model_validate(data)


def write_json_schemas(folder: Path) -> list[Path]:
    """Write one JSON Schema per reference file type (and crosswalks) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    models: list[tuple[str, type[_Model]]] = [*FILES.items(), ("crosswalk", Crosswalk)]
    for stem, model in models:
        path = folder / f"{stem}.schema.json"
        schema = model.model_json_schema()
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _load_crosswalks(dirs: Sequence[Path], issues: list[Issue]) -> tuple[Crosswalk, ...]:
    found: dict[tuple[str, int], Crosswalk] = {}
    for folder in dirs:
        for path in sorted((folder / "crosswalks").glob("*.y*ml")):
            crosswalk, problems = load_crosswalk(path)
            issues.extend(problems)
            if crosswalk is not None:
                found[crosswalk.funder, crosswalk.version] = crosswalk
    return tuple(found.values())


def _read_yaml(path: Path, issues: list[Issue]) -> Any:
    """A reference file through the same bounded loader as adapter specs (a `--schemas`
    folder is input too: no alias bombs, no 20,000-deep nesting; libyaml's speed)."""
    try:
        return read_spec_data(path)
    except SpecLoadError as exc:
        issues.append(make_issue("reference-unreadable", file=str(path), reason=str(exc)))
        return None


def _validate(model: type[_Model], data: Any, where: str, issues: list[Issue]) -> _Model | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            at = ".".join(str(part) for part in error["loc"]) or "(top level)"
            reason = re.sub(r"^(Value error|Assertion failed), ", "", error["msg"])
            issues.append(
                make_issue("reference-invalid", file=where, cell=at, at=at, reason=reason)
            )
        return None


def _merge(base: Any, extra: Any) -> Any:
    """Overlay `extra` on `base`: dicts key by key, lists of keyed entries entry by entry."""
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    key = _identity(base) if isinstance(base, list) and isinstance(extra, list) else None
    if key is None or _identity(extra) not in (key, None):
        return extra
    merged_list = {entry[key]: entry for entry in base}
    merged_list.update({entry[key]: entry for entry in extra})
    return list(merged_list.values())


def _identity(entries: list[Any]) -> str | None:
    """The key that names each entry of a list of mappings, if they share one."""
    if not entries or not all(isinstance(e, dict) for e in entries):
        return None
    return next((k for k in _IDENTITY if all(k in e for e in entries)), None)


def reference_hash(reference: Reference) -> str:
    """SHA-256 of the reference data's canonical JSON: which crosswalks, calendars, tiers and
    indicators a return was built with, so a past return can be rebuilt with the same."""
    parts = {name: getattr(reference, name).model_dump(mode="json") for name in FILES}
    parts["crosswalks"] = [c.model_dump(mode="json") for c in reference.crosswalks]
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ReferenceDataError(Exception):
    """The reference data (schemas/) is invalid; `issues` say where and why."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__("; ".join(f"{i.code}: {i.message}" for i in issues))
        self.issues = list(issues)


def bundled_reference(extra_dirs: Sequence[Path] = ()) -> Reference:
    """`load_reference`, raising when it is invalid: for callers that cannot go on without it.

    Raises:
        ReferenceDataError: the bundled schemas or an extra folder's files are invalid.
    """
    reference, issues = load_reference(extra_dirs)
    if reference is None:
        raise ReferenceDataError(issues)
    return reference


def save_reference(reference: Reference, folder: Path) -> list[Path]:
    """Write the reference data as a schemas folder `load_reference` reads back identically.

    Kept beside a return, it lets the return be rebuilt exactly after a crosswalk is edited:
    `load_reference(bundled=folder)` gives the same `reference_hash` and the same figures.
    """
    (folder / "crosswalks").mkdir(parents=True, exist_ok=True)
    written = []
    for stem in FILES:
        path = folder / f"{stem}.yaml"
        data = getattr(reference, stem).model_dump(mode="json", by_alias=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        written.append(path)
    for crosswalk in reference.crosswalks:
        path = folder / "crosswalks" / f"{crosswalk.funder}-v{crosswalk.version}.yaml"
        data = crosswalk.model_dump(mode="json", by_alias=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        written.append(path)
    return written

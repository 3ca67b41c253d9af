"""The fictional partnership: its funders, its funding streams and their true monthly spend.

Every layout module reads the same `Partnership`, so a stream's figures agree across the register
and every return that mentions it: the register's award, the funder's profile and the partnership's
actual monthly spend all come from here. Spend is generated per calendar month (the ledger's grain)
and each layout aggregates it into its own periods and categories.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date

from fundflow.sample.money import month_starts, profile_weights, split_pence

AS_AT = date(2026, 3, 31)
"""The date the sample describes: end of FY 2025-26. Months up to here are actuals."""

PLACES = (
    ("Eastbrook", "EAS"),
    ("Westmere", "WSM"),
    ("Northfield", "NFD"),
    ("Southwick", "SWK"),
    ("Kingsholm", "KHM"),
)


_STEMS = ("Ash", "Oak", "Elm", "Brad", "Lang", "Mill", "Stan", "Wood", "Bram", "Hart", "Red",
          "Thorn", "Wel", "Chal", "Har", "Bur")
_ENDINGS = ("ford", "ley", "bury", "dale", "well", "stow", "combe", "by", "worth", "ham", "ton",
            "hurst", "wick", "mere", "field", "brook")
MAX_PARTNERSHIPS = 100_000
"""Most fictional partnerships `place_of` names (a department's benchmark needs thousands)."""


def place_of(index: int) -> tuple[str, str]:
    """The `index`-th fictional place and its code, all distinct: the five named places, then
    stems and endings ('Ashford', 'Ashley', ...), then the same with a number ('Ashford 2')."""
    if index < len(PLACES):
        return PLACES[index]
    n = index - len(PLACES)
    per_round = len(_STEMS) * len(_ENDINGS)
    stem, ending = divmod(n % per_round, len(_ENDINGS))
    round_no = n // per_round
    place = _STEMS[stem] + _ENDINGS[ending] + (f" {round_no + 1}" if round_no else "")
    return place, f"P{index:05d}"


@dataclass(frozen=True)
class Funder:
    """A funder as the register names it."""

    funder_id: str
    name: str
    slug: str
    funder_type: str
    """The register's code (`central_dept`, `lottery_distributor`, ...): it decides who signs."""


@dataclass(frozen=True)
class Stream:
    """One funding stream in the register. Money in integer pence; percentages as integers."""

    stream_id: str
    funder_id: str
    name: str
    ref: str
    lead: str
    award: int
    capital: int
    start: date
    end: date
    allocation: str
    ring_fence: str
    eligible: str
    virement_pct: int
    carry_forward: str
    clawback: str
    match_pct: int
    frequency: str
    year_convention: str
    basis: str
    risk: str
    successor: str = ""
    utilisation: int = 985  # permille of the award actually spent over the stream's life

    @property
    def revenue(self) -> int:
        """Revenue part of the award, in pence."""
        return self.award - self.capital

    @property
    def spend_deadline(self) -> date:
        """Funds must be defrayed by the end date in every sample agreement."""
        return self.end


@dataclass(frozen=True)
class Partnership:
    """The whole fictional partnership plus each stream's monthly capital and revenue spend."""

    name: str
    place: str
    code: str
    seed: int
    partners: tuple[str, ...]
    funders: tuple[Funder, ...]
    streams: tuple[Stream, ...]
    capital: dict[str, dict[date, int]] = field(default_factory=dict)
    revenue: dict[str, dict[date, int]] = field(default_factory=dict)

    def stream(self, key: str) -> Stream:
        """The stream whose base id is `key` (e.g. 'S-TTF-21'), whatever the partnership suffix."""
        for s in self.streams:
            if s.stream_id == key or s.stream_id.startswith(key + "-"):
                return s
        raise KeyError(key)

    def funder(self, funder_id: str) -> Funder:
        """The funder with id `funder_id`."""
        return next(f for f in self.funders if f.funder_id == funder_id)

    def rng(self, purpose: str) -> random.Random:
        """A generator private to one purpose, so adding a layout never shifts another's figures."""
        return random.Random(f"{self.seed}:{self.code}:{purpose}")

    def spend(self, key: str, month: date, cap_rev: str = "both") -> int:
        """Pence spent on stream `key` in `month` (capital, revenue or both)."""
        sid = self.stream(key).stream_id
        cap = self.capital[sid].get(month, 0)
        rev = self.revenue[sid].get(month, 0)
        return {"capital": cap, "revenue": rev}.get(cap_rev, cap + rev)


FUNDERS = (
    Funder("F-DPC", "Department for Places & Communities", "dpc", "central_dept"),
    Funder("F-LESF", "Legacy European Structural Fund Managing Authority", "lesf",
           "eu_managing_authority"),
    Funder("F-NCLF", "Northmoor Community Lottery Fund", "nclf", "lottery_distributor"),
    Funder("F-DHI", "Department of Health Improvement", "dhi", "central_dept"),
    Funder("F-ICP", "Borough Integrated Care Pool", "icp", "nhs_icb"),
    Funder("F-SFA", "Skills Funding Agency", "sfa", "alb"),
    Funder("F-DCF", "Department for Children & Families", "dcf", "central_dept"),
    Funder("F-OPCC", "Office of the Police and Crime Commissioner", "opcc", "pcc"),
    Funder("F-DHS", "Department for Home Security", "dhs", "central_dept"),
)

_D = date
_ALL = "EMP;PRM;TRN;SUP;TPP;TFR;SSV;CAP"
# (id, funder, name, ref pattern, lead, award £, capital £, start, end, allocation, ring-fence,
#  eligible, virement %, carry-forward, clawback, match %, frequency, year, basis, risk, successor,
#  utilisation permille)
_STREAMS: tuple[tuple[object, ...], ...] = (
    ("S-TTF-21", "F-DPC", "Thriving Towns Fund - {place} Town Deal", "TD-{code}", "council",
     3_250_000, 2_850_000, _D(2021, 4, 1), _D(2027, 3, 31), "competitive", "ringfenced_conditions",
     "CAP;SUP;EMP;SSV", 10, "reprofile_with_approval", "unspent_returned", 0, "half_yearly",
     "UK_FY", "defrayed", "high", "", 990),
    ("S-LPF-22", "F-DPC", "Local Prosperity Fund 2022-25", "LPF-{code}-22", "council",
     1_050_000, 210_000, _D(2022, 4, 1), _D(2025, 3, 31), "formula", "ringfenced_conditions",
     "EMP;SUP;TPP;SSV;CAP", 20, "within_programme_only", "unspent_returned", 0, "quarterly",
     "UK_FY", "defrayed", "medium", "S-LPF-25", 995),
    ("S-LPF-25", "F-DPC", "Local Prosperity Fund transition year 2025-26", "LPF-{code}-25",
     "council", 420_000, 90_000, _D(2025, 4, 1), _D(2026, 3, 31), "formula",
     "ringfenced_conditions", "EMP;SUP;TPP;SSV;CAP", 20, "none_return", "unspent_returned", 0,
     "quarterly", "UK_FY", "defrayed", "medium", "", 840),
    ("S-DPC-NB-25", "F-DPC", "Community Safety New Burdens Grant 2025-26", "NB-{code}-25",
     "council", 38_500, 0, _D(2025, 4, 1), _D(2026, 3, 31), "formula", "unringfenced", _ALL, 100,
     "free", "none", 0, "annual", "UK_FY", "accrued", "low", "", 1000),
    ("S-LESF-23", "F-LESF", "{place} Pathways to Work", "25R17P0{num}", "youth",
     880_000, 0, _D(2023, 1, 1), _D(2026, 6, 30), "competitive", "ringfenced_conditions",
     "EMP;SSV;SUP;TRN", 10, "none_return", "ineligible_repaid", 50, "quarterly", "CALENDAR",
     "defrayed", "high", "", 970),
    ("S-NCLF-23", "F-NCLF", "Reaching Communities - Streetwise Mentoring", "RC/2023/0{num}",
     "youth", 299_850, 12_000, _D(2023, 11, 1), _D(2026, 10, 31), "competitive",
     "restricted_charitable", "EMP;SUP;SSV;TRN;CAP", 10, "reprofile_with_approval",
     "unspent_returned", 0, "annual", "GRANT_ANNIV", "defrayed", "medium", "", 985),
    ("S-RWG-24", "F-DHI", "Ring-fenced Wellbeing Grant 2024-25", "RWG-{code}-2425", "council",
     1_240_000, 0, _D(2024, 4, 1), _D(2025, 3, 31), "formula", "ringfenced_statutory",
     "TPP;EMP;SUP;SSV", 0, "reserve_same_purpose", "unspent_returned", 0, "annual", "UK_FY",
     "accrued", "low", "S-RWG-25", 992),
    ("S-RWG-25", "F-DHI", "Ring-fenced Wellbeing Grant 2025-26", "RWG-{code}-2526", "council",
     1_265_000, 0, _D(2025, 4, 1), _D(2026, 3, 31), "formula", "ringfenced_statutory",
     "TPP;EMP;SUP;SSV", 0, "reserve_same_purpose", "unspent_returned", 0, "annual", "UK_FY",
     "accrued", "low", "", 988),
    ("S-ICP-25", "F-ICP", "Integrated Care Pool 2025-26 - prevention schemes", "HWB-{code}",
     "icb", 2_150_000, 240_000, _D(2025, 4, 1), _D(2026, 3, 31), "pooled", "specific_purpose",
     "TPP;EMP;SUP;CAP;TFR", 25, "within_programme_only", "none", 0, "quarterly", "UK_FY",
     "accrued", "medium", "", 1000),
    ("S-SFA-24", "F-SFA", "Adult Skills Fund 2024 to 2025", "ASF-2425-{code}", "youth",
     186_000, 0, _D(2024, 8, 1), _D(2025, 7, 31), "formula", "ringfenced_conditions",
     "EMP;SUP;TFR;SSV", 0, "none_return", "unspent_returned", 0, "monthly", "ACADEMIC_AUG",
     "claimed", "low", "S-SFA-25", 980),
    ("S-SFA-25", "F-SFA", "Adult Skills Fund 2025 to 2026", "ASF-2526-{code}", "youth",
     192_000, 0, _D(2025, 8, 1), _D(2026, 7, 31), "formula", "ringfenced_conditions",
     "EMP;SUP;TFR;SSV", 0, "none_return", "unspent_returned", 0, "monthly", "ACADEMIC_AUG",
     "claimed", "low", "", 975),
    ("S-FFP-22", "F-DCF", "Families First outcomes programme 2022-26", "FF-{code}", "council",
     640_000, 0, _D(2022, 4, 1), _D(2026, 3, 31), "pbr", "ringfenced_conditions", "EMP;TPP;SUP",
     0, "none_return", "unspent_returned", 0, "quarterly", "UK_FY", "claimed", "medium", "", 960),
    ("S-CSF-25", "F-OPCC", "Community Safety Fund 2025-26", "CSF25-{code}", "women",
     145_000, 0, _D(2025, 4, 1), _D(2026, 3, 31), "direct_award", "specific_purpose",
     "EMP;SUP;TPP", 15, "none_return", "unspent_returned", 0, "quarterly", "UK_FY", "defrayed",
     "low", "", 995),
    ("S-SVD-24", "F-OPCC", "Serious Violence Duty grant 2024-27", "SVD-{code}", "police",
     360_000, 0, _D(2024, 4, 1), _D(2027, 3, 31), "invited_bid", "ringfenced_conditions",
     "EMP;SUP;TPP;TRN", 10, "within_programme_only", "unspent_returned", 0, "quarterly", "UK_FY",
     "defrayed", "medium", "", 990),
    ("S-SSF-6", "F-DHS", "Safer Streets Fund Round 6", "SSF6-0{num}", "police",
     495_000, 310_000, _D(2024, 10, 1), _D(2026, 9, 30), "competitive", "ringfenced_conditions",
     "CAP;SUP;TPP;EMP", 10, "none_return", "unspent_returned", 0, "quarterly", "UK_FY",
     "defrayed", "high", "", 985),
)

_PARTNER_TEMPLATES = {
    "council": "{place} Borough Council",
    "police": "{place} & District Police",
    "icb": "NHS {place} and Wyke ICB",
    "youth": "{place} Youth Trust",
    "women": "Harbour Lane Women's Centre ({place})",
}


def build_partnership(seed: int = 2025, index: int = 0) -> Partnership:
    """The `index`-th fictional partnership (0 is Eastbrook) with seeded monthly spend.

    Partnership 0 keeps the register's round awards and plain stream ids; later partnerships get a
    place-code suffix on stream ids (`S-TTF-21-WSM`) and awards scaled by a seeded factor, so a
    receiving department can collect several without key clashes.
    """
    place, code = place_of(index)
    rng = random.Random(f"{seed}:{code}:streams")
    suffix = "" if index == 0 else f"-{code}"
    partners = {k: v.format(place=place) for k, v in _PARTNER_TEMPLATES.items()}
    streams = []
    for row in _STREAMS:
        num = f"{rng.randint(1000, 9999)}"
        stream = _make_stream(row, place, code, partners, num=num, suffix=suffix)
        if index:
            factor = rng.randint(70, 130)
            stream = replace(stream, award=stream.award * factor // 100 // 5000 * 5000,
                             capital=stream.capital * factor // 100 // 5000 * 5000)
        streams.append(stream)
    partnership = Partnership(
        name=f"{place} Safer Communities Partnership", place=place, code=code, seed=seed,
        partners=tuple(partners.values()), funders=FUNDERS, streams=tuple(streams),
    )
    for s in streams:
        prng = partnership.rng(f"profile:{s.stream_id}")
        partnership.capital[s.stream_id] = _profile(s, s.capital, prng, lumpy=True)
        partnership.revenue[s.stream_id] = _profile(s, s.revenue, prng, lumpy=False)
    return partnership


def _make_stream(row: tuple[object, ...], place: str, code: str, partners: dict[str, str],
                 *, num: str, suffix: str) -> Stream:
    """One register row from the `_STREAMS` table, with place names filled in."""
    (sid, fid, name, ref, lead, award, capital, start, end, alloc, rf, elig, vir, cf, claw,
     match, freq, year, basis, risk, succ, util) = row
    return Stream(
        stream_id=f"{sid}{suffix}", funder_id=str(fid), name=str(name).format(place=place),
        ref=str(ref).format(code=code, num=num), lead=partners[str(lead)],
        award=int(str(award)) * 100, capital=int(str(capital)) * 100,
        start=start, end=end,  # type: ignore[arg-type]
        allocation=str(alloc), ring_fence=str(rf), eligible=str(elig), virement_pct=int(str(vir)),
        carry_forward=str(cf), clawback=str(claw), match_pct=int(str(match)),
        frequency=str(freq), year_convention=str(year), basis=str(basis), risk=str(risk),
        successor=f"{succ}{suffix}" if succ else "", utilisation=int(str(util)),
    )


def _profile(stream: Stream, total: int, rng: random.Random, *, lumpy: bool) -> dict[date, int]:
    """Monthly pence over the stream's life adding to `total` x utilisation.

    Capital is lumpy (works are paid in stage payments, some months nothing); revenue follows the
    ramp-up and March-spike shape of `profile_weights`.
    """
    months = month_starts(stream.start, stream.end)
    weights = profile_weights(months, rng)
    if lumpy:
        weights = [w * rng.choice((0, 0, 1, 2, 3)) for w in weights]
    spent = total * stream.utilisation // 1000
    return dict(zip(months, split_pence(spent, weights), strict=True))

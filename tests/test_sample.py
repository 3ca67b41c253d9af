"""Tests for the bundled sample partnership and the synthetic benchmark files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import fastexcel
import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fundflow.sample import LAYOUTS, build_partnership, write_sample, write_synthetic
from fundflow.sample.labels import (
    CANONICAL_INDICATORS,
    CATEGORY_LABELS,
    INDICATOR_LABELS,
    UNMAPPED,
)
from fundflow.sample.money import add_months, split_pence

REPO = Path(__file__).resolve().parents[1]
CROSSWALKS = REPO / "schemas" / "crosswalks"
SUBJECTIVE = {"EMP", "PRM", "TRN", "SUP", "TPP", "TFR", "SSV", "DEP", "INC", "CFC", "CAP", "NEL"}
OBJECTIVE = {"PLACE", "BUS", "SKILLS", "FAM", "HEALTH", "CARE", "HOUS", "SAFE", "COMM", "PROG"}
FUNDER_DIRS = {"F-DPC": "dpc", "F-LESF": "lesf", "F-NCLF": "nclf", "F-DHI": "dhi",
               "F-ICP": "icp", "F-SFA": "sfa", "F-DCF": "dcf", "F-OPCC": "opcc", "F-DHS": "dhs"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The default sample, generated once for the module."""
    return write_sample(tmp_path_factory.mktemp("sample"))


def _digest(paths: list[Path], root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _texts(path: Path) -> list[str]:
    """Every non-empty cell of a file as stripped text (all sheets, hidden ones included)."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        return [str(v).strip() for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                for v in row if v is not None]
    if path.suffix == ".ods":
        reader = fastexcel.read_excel(str(path))
        out = []
        for name in reader.sheet_names:
            frame = reader.load_sheet(name, header_row=None).to_polars()
            out += [str(v).strip() for col in frame.columns for v in frame[col] if v is not None]
        return out
    encoding = "cp1252" if "opcc" in path.parts else "utf-8-sig"
    rows = csv.reader(io.StringIO(path.read_text(encoding=encoding)))
    return [cell.strip() for row in rows for cell in row if cell.strip()]


def _register_rows(sample: list[Path]) -> list[tuple[object, ...]]:
    register = next(p for p in sample if p.parent.name == "register")
    ws = openpyxl.load_workbook(register).active
    assert ws is not None
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    return [r for r in rows if r[0] and str(r[0]).startswith("F-")]


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(sample: list[Path], tmp_path: Path) -> None:
    again = write_sample(tmp_path)
    first_root = sample[0].parents[1]
    assert _digest(sample, first_root) == _digest(again, tmp_path)


def test_another_seed_changes_the_figures(tmp_path: Path) -> None:
    base, other = build_partnership(2025), build_partnership(7)
    assert base.revenue != other.revenue
    assert [s.award for s in base.streams] == [s.award for s in other.streams]
    paths = [LAYOUTS["dpc-lpf"](p, tmp_path / str(p.seed)) for p in (base, other)]
    assert all(a.read_bytes() != b.read_bytes() for a, b in zip(*paths, strict=True))


def test_committed_sample_data_is_current(sample: list[Path]) -> None:
    """sample_data/ must be exactly what the generator writes (regenerate after changes)."""
    first_root = sample[0].parents[1]
    for path in sample:
        committed = REPO / "sample_data" / path.relative_to(first_root)
        assert committed.is_file(), f"missing {committed}: run write_sample(Path('sample_data'))"
        assert committed.read_bytes() == path.read_bytes(), f"stale {committed}"


def test_several_partnerships_get_own_folders_and_ids(tmp_path: Path) -> None:
    paths = write_sample(tmp_path, partnerships=2)
    assert {p.relative_to(tmp_path).parts[0] for p in paths} == {"Eastbrook", "Westmere"}
    west = build_partnership(2025, 1)
    assert all(s.stream_id.endswith("-WSM") for s in west.streams)
    with pytest.raises(ValueError, match="partnerships"):
        write_sample(tmp_path, partnerships=0)


# --- every file opens ----------------------------------------------------------------------


def test_every_file_opens_with_its_reader(sample: list[Path]) -> None:
    suffixes = {p.suffix for p in sample}
    assert suffixes == {".xlsx", ".csv", ".ods"}
    for path in sample:
        if path.suffix == ".xlsx":
            assert openpyxl.load_workbook(path).sheetnames
            assert fastexcel.read_excel(str(path)).sheet_names
        elif path.suffix == ".ods":
            assert fastexcel.read_excel(str(path)).load_sheet(0, header_row=None).height > 5
        else:
            assert len(_texts(path)) > 20


def test_opcc_csv_is_cp1252_with_pound_and_accents(sample: list[Path]) -> None:
    path = next(p for p in sample if p.name == "OPCC_grant_spend_Q2_2025-26.csv")
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "£" in text
    assert "Café Nouveau Ltd" in text or "Zoë's Community Kitchen" in text
    assert "(£125.00)" in text
    assert text.splitlines()[-1].startswith("Total,")


def test_families_csv_has_bom_and_duplicate_claims(sample: list[Path]) -> None:
    path = next(p for p in sample if p.name.startswith("FF_claim_") and "Q3" in p.name)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    ids = [r["family_id"] for r in rows]
    assert len(ids) - len(set(ids)) == 2


def test_ods_is_a_valid_opendocument_zip(sample: list[Path]) -> None:
    import zipfile

    path = next(p for p in sample if p.suffix == ".ods")
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert "META-INF/manifest.xml" in archive.namelist()
    assert "192000" in _texts(path)


# --- the register --------------------------------------------------------------------------


def test_register_has_funders_streams_and_quirks(sample: list[Path]) -> None:
    rows = _register_rows(sample)
    assert len({r[0] for r in rows}) >= 8
    assert 12 <= len(rows) <= 16
    assert all(isinstance(r[9], datetime) and isinstance(r[10], datetime) for r in rows)
    register = next(p for p in sample if p.parent.name == "register")
    texts = _texts(register)
    assert "Total" in texts
    assert texts[0].endswith("funding register")


def test_register_mixes_durations_methods_and_cliff_edges(sample: list[Path]) -> None:
    rows = _register_rows(sample)
    months = [(r[10].year - r[9].year) * 12 + r[10].month - r[9].month + 1 for r in rows]  # type: ignore[union-attr]
    assert any(m <= 12 for m in months) and any(m > 24 for m in months)
    as_at = date(2026, 3, 31)
    ends = [r[10].date() for r in rows]  # type: ignore[union-attr]
    for horizon in (3, 6, 12):
        limit = add_months(date(2026, 3, 1), horizon + 1)  # first day after the horizon
        assert any(as_at < e < limit for e in ends), horizon
    assert any(r[11] == "competitive" for r in rows)
    ring_fenced = [r for r in rows if str(r[12]).strip() != "unringfenced"]
    assert len(ring_fenced) > len(rows) * 3 // 4


def test_every_return_names_a_register_stream(sample: list[Path]) -> None:
    rows = _register_rows(sample)
    keys = {str(r[2]) for r in rows} | {str(r[4]) for r in rows}
    stream_ids = {str(r[2]) for r in rows}
    for path in sample:
        if path.parent.name == "register":
            continue
        texts = _texts(path)
        joined = " ".join(texts) + " " + path.name
        assert any(k in joined for k in keys), path.name
        assert set(re.findall(r"\bS-[A-Z]+(?:-[A-Z0-9]+)+\b", joined)) <= stream_ids, path.name


# --- crosswalks ----------------------------------------------------------------------------


def _crosswalk(funder: str) -> dict[str, object]:
    data = yaml.safe_load((CROSSWALKS / f"{funder}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_crosswalks_cover_every_label_but_the_deliberate_one() -> None:
    unmapped = []
    for funder, labels in CATEGORY_LABELS.items():
        mapped = {c["label"] for c in _crosswalk(funder)["categories"]}  # type: ignore[attr-defined]
        unmapped += [(funder, label) for label in {s.strip() for s in labels} - mapped]
        assert mapped <= {s.strip() for s in labels}, f"{funder} maps labels no file uses"
    assert unmapped == [UNMAPPED]


def test_crosswalk_targets_are_canonical() -> None:
    canonical = {i.id for i in CANONICAL_INDICATORS}
    for path in sorted(CROSSWALKS.glob("*.yaml")):
        data = _crosswalk(path.stem)
        assert data["funder"] == path.stem
        assert data["version"] == 1
        for entry in data["categories"]:  # type: ignore[attr-defined]
            parts = entry["to"]
            assert sum(Decimal(part["share"]) for part in parts) == 100, entry["label"]
            for part in parts:
                assert part["subjective"].split(".")[0] in SUBJECTIVE
                assert part["objective"] in OBJECTIVE
                assert part["cap_rev"] in {"capital", "revenue"}
        targets = {i["to"] for i in data["indicators"]}  # type: ignore[attr-defined]
        assert targets <= canonical
        labels = {i["label"] for i in data["indicators"]}  # type: ignore[attr-defined]
        assert labels == set(INDICATOR_LABELS.get(path.stem, ()))


def test_declared_labels_really_appear_in_the_files(sample: list[Path]) -> None:
    for funder, labels in {**CATEGORY_LABELS}.items():
        folder = FUNDER_DIRS[funder]
        texts = {t for p in sample if p.parent.name == folder for t in _texts(p)}
        indicators = INDICATOR_LABELS.get(funder, ())
        missing = {s.strip() for s in (*labels, *indicators)} - texts
        assert not missing, (funder, missing)


# --- money and the analysis cases ---------------------------------------------------------


def test_money_cells_have_at_most_three_decimals(sample: list[Path]) -> None:
    """Money is written from integer pence: pounds-and-pence, or £000s to at most 3 places."""
    checked = 0
    for path in (p for p in sample if p.suffix == ".xlsx"):
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, float) and cell.number_format.startswith("#,##0"):
                        exponent = Decimal(repr(cell.value)).as_tuple().exponent
                        assert isinstance(exponent, int) and exponent >= -3, (path.name, cell)
                        checked += 1
    assert checked > 500


def test_v2_resubmission_corrects_two_lines(sample: list[Path]) -> None:
    def finance_rows(name: str) -> dict[str, tuple[object, ...]]:
        path = next(p for p in sample if p.name == name)
        ws = openpyxl.load_workbook(path)["Finances"]
        return {str(r[2]): r for r in ws.iter_rows(values_only=True) if r[2]}

    old = finance_rows("LPF_Q2_2025-26_Eastbrook.xlsx")
    new = finance_rows("LPF_Q2_2025-26_Eastbrook_v2.xlsx")
    changed = {label for label in old if old[label] != new.get(label)}
    lines = {"People & Skills - revenue", "Communities & Place - capital"}
    assert lines <= changed
    derived = {"Total", "Secured match funding spend", "Unsecured match funding", "Total match",
               "Forecast underspend at year end - capital",
               "Forecast underspend at year end - revenue", "Amount to reprofile into 2026/27"}
    assert changed <= lines | derived


def test_eligibility_breach_and_underspend_cases_exist(sample: list[Path]) -> None:
    p = build_partnership()
    csf = p.stream("S-CSF-25")
    assert "TRN" not in csf.eligible.split(";")
    q1 = next(x for x in sample if x.name == "OPCC_grant_spend_Q1_2025-26.csv")
    rows = list(csv.DictReader(io.StringIO(q1.read_text(encoding="cp1252"))))
    assert any(r["Stream ID"] == "S-CSF-25" and r["Cost code"] == "Vehicle hire" for r in rows)
    lpf = p.stream("S-LPF-25")
    spent = sum(p.spend("S-LPF-25", m) for m in p.capital[lpf.stream_id])
    assert lpf.award - spent > lpf.award // 10  # over 10% unspent at the deadline


def test_march_spend_spikes(sample: list[Path]) -> None:
    p = build_partnership()
    fy = [date(2025, m, 1) for m in range(4, 13)] + [date(2026, m, 1) for m in range(1, 4)]
    spiky = 0
    for stream in p.streams:
        monthly = [p.spend(stream.stream_id, m, "revenue") for m in fy]
        if sum(monthly) and monthly[-1] * 12 > sum(monthly) * 3 // 2:
            spiky += 1
    assert spiky >= len(p.streams) // 2


@given(st.integers(-10**12, 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
def test_split_pence_conserves_every_penny(total: int, weights: list[int]) -> None:
    parts = split_pence(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)


# --- synthetic files -----------------------------------------------------------------------


def _read_long(path: Path) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, read_only=True).active
        rows = list(ws.iter_rows(min_row=2, values_only=True))  # type: ignore[union-attr]
    else:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1:]
    for row in rows:
        totals[str(row[4])] = totals.get(str(row[4]), Decimal(0)) + Decimal(str(row[6]))
    return totals


def _read_wide(path: Path) -> dict[str, Decimal]:
    totals = {"spend": Decimal(0), "forecast": Decimal(0)}
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, read_only=True).active
        rows = list(ws.iter_rows(values_only=True))  # type: ignore[union-attr]
        header, body = rows[1], rows[2:]
    else:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = tuple(h.split()[-1] if i > 2 else h for i, h in enumerate(rows[0]))
        body = rows[1:]
    for row in body:
        for label, value in zip(header[3:], row[3:], strict=True):
            if value not in (None, ""):
                key = "spend" if label == "Actual" else "forecast"
                totals[key] += Decimal(str(value))
    return totals


@pytest.mark.parametrize("shape", ["long", "wide"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_synthetic_totals_match_an_independent_read(tmp_path: Path, shape: str, fmt: str) -> None:
    path = write_synthetic(tmp_path, rows=1000, shape=shape, fmt=fmt)  # type: ignore[arg-type]
    expected = json.loads(path.with_name(path.name + ".totals.json").read_text())
    assert expected["rows"] == 1000
    read = _read_long(path) if shape == "long" else _read_wide(path)
    assert {k: v * 100 for k, v in read.items()} == expected["totals_pence"]


def test_synthetic_xlsx_reads_in_fastexcel_with_date_headers(tmp_path: Path) -> None:
    long_path = write_synthetic(tmp_path, rows=1000, shape="long", fmt="xlsx")
    frame = fastexcel.read_excel(str(long_path)).load_sheet(0).to_polars()
    assert frame.shape == (1000, 8)
    wide_path = write_synthetic(tmp_path, rows=50, shape="wide", fmt="xlsx")
    ws = openpyxl.load_workbook(wide_path).active
    assert ws is not None
    assert ws["D1"].value == datetime(2025, 4, 1)
    assert ws["D1"].number_format == "mmm-yy"
    assert "D1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.max_row == 52


def test_synthetic_is_deterministic(tmp_path: Path) -> None:
    a = write_synthetic(tmp_path / "a", rows=300, shape="wide", fmt="xlsx", seed=3)
    b = write_synthetic(tmp_path / "b", rows=300, shape="wide", fmt="xlsx", seed=3)
    c = write_synthetic(tmp_path / "c", rows=300, shape="wide", fmt="xlsx", seed=4)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    with pytest.raises(ValueError, match="bad synthetic"):
        write_synthetic(tmp_path, rows=-1, shape="long", fmt="xlsx")

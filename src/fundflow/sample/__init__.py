"""The bundled sample partnership and large synthetic files, generated deterministically.

`write_sample` writes the fictional Eastbrook Safer Communities Partnership: its funding register
and every funder's returns in the funder's own layout, quirks included (see `sample_data/README.md`
for what each file imitates). `write_synthetic` writes one large long- or wide-shaped file for
benchmarks. Both are pure functions of their arguments: the same seed gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from fundflow.sample import csv_returns, dhs, icp, lesf, lpf, nclf, rwg, sfa, ttf
from fundflow.sample.model import AS_AT, MAX_PARTNERSHIPS, Partnership, build_partnership
from fundflow.sample.register import write_register
from fundflow.sample.synthetic import write_synthetic_file

__all__ = ["AS_AT", "LAYOUTS", "MAX_PARTNERSHIPS", "Partnership", "build_partnership",
           "write_sample", "write_synthetic"]

Layout = Callable[[Partnership, Path], list[Path]]
LAYOUTS: dict[str, Layout] = {
    "dpc-ttf": ttf.write_ttf,
    "dpc-lpf": lpf.write_lpf,
    "lesf": lesf.write_lesf,
    "nclf": nclf.write_nclf,
    "dhi": rwg.write_rwg,
    "icp": icp.write_icp,
    "sfa": sfa.write_sfa,
    "dcf": csv_returns.write_families,
    "opcc": csv_returns.write_opcc,
    "dhs": dhs.write_dhs,
}
"""Every funder layout writer, keyed by a short name; each returns the files it wrote."""


def write_sample(out_dir: Path, *, seed: int = 2025, partnerships: int = 1) -> list[Path]:
    """Write the sample partnership(s) under `out_dir` and return every file written.

    With one partnership the files go straight into `out_dir` (`register/`, `returns/<funder>/`);
    with several, each gets its own folder named after its place (`Eastbrook/`, `Westmere/`, ...)
    and stream ids after the first carry a place suffix so they can be collected together.

    Raises:
        ValueError: if `partnerships` is not between 1 and `MAX_PARTNERSHIPS`.
    """
    if not 1 <= partnerships <= MAX_PARTNERSHIPS:
        raise ValueError(f"partnerships must be between 1 and {MAX_PARTNERSHIPS:,}, "
                         f"not {partnerships}")
    paths: list[Path] = []
    for index in range(partnerships):
        partnership = build_partnership(seed, index)
        target = out_dir if partnerships == 1 else out_dir / partnership.place
        paths.append(write_register(partnership, target))
        for writer in LAYOUTS.values():
            paths.extend(writer(partnership, target))
    return paths


def write_synthetic(out_dir: Path, *, rows: int, shape: Literal["long", "wide"],
                    fmt: Literal["xlsx", "csv"], seed: int = 1) -> Path:
    """Write one large synthetic file and, beside it, `<file name>.totals.json`;
    return the data file (e.g. `synthetic_long_1000.xlsx` and `...xlsx.totals.json`).

    The JSON holds `totals_pence` per measure (`long`: budget, spend, forecast, committed;
    `wide`: spend for the Actual columns, forecast for the Forecast columns), so a test can
    compare an importer's totals with the generator's to the penny.

    Raises:
        ValueError: if `rows` is negative or `shape`/`fmt` is not one of the listed values.
    """
    if rows < 0 or shape not in ("long", "wide") or fmt not in ("xlsx", "csv"):
        raise ValueError(f"bad synthetic request: rows={rows}, shape={shape!r}, fmt={fmt!r}")
    return write_synthetic_file(out_dir, rows=rows, shape=shape, fmt=fmt, seed=seed)

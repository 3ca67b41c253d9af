"""Make the README's pictures of the outputs from the demo, the way a department sees them.

Run by hand (LibreOffice is not in CI, so no test runs this):

    uv run python scripts/readme_pictures.py            # writes docs/images/*.png
    uv run python scripts/readme_pictures.py --keep /tmp/pictures   # also keeps the PDFs

It runs the demo into a scratch folder, prints the consolidated return and the lottery funder's
report to PDF with LibreOffice (`soffice --headless --convert-to pdf`, exactly what a reviewer
gets from File > Export as PDF), then turns chosen pages into PNG with poppler's `pdftoppm`.
Pages are found by the sheet name the return prints in each page's header, not by number, so
the pictures follow the workbook when sheets are added. Needs `soffice`, `pdftotext` and
`pdftoppm` on the PATH.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fundflow.demo import run_demo

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
DPI = 70
"""Enough to read a figure on a README page; an A4 page is then about 580 x 820 pixels."""

PICTURES: tuple[tuple[str, str, str, str], ...] = (
    # (picture, workbook, sheet name in the page header, text the page must hold)
    ("return-cover", "return", "Cover", "Headline totals"),
    ("return-summary", "return", "Summary", "Summary by funder and stream"),
    ("return-charts", "return", "Charts", "Actual spend to date by category"),
    ("report-lottery-cover", "F-NCLF", "Cover", "Sign-off"),
)
TOOLS = ("soffice", "pdftotext", "pdftoppm")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder for the PNG files")
    parser.add_argument("--keep", type=Path, help="also keep the demo and its PDFs here")
    args = parser.parse_args(argv)
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        print(f"needs {', '.join(missing)} on the PATH (LibreOffice and poppler-utils)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="fundflow-pictures-") as scratch:
        work = args.keep or Path(scratch)
        pdfs = _pdfs(work)
        args.out.mkdir(parents=True, exist_ok=True)
        for name, book, sheet, text in PICTURES:
            page = find_page(pdfs[book], sheet, text)
            target = args.out / f"{name}.png"
            _png(pdfs[book], page, target)
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                  f"page {page} of {pdfs[book].name}")
    return 0


def _pdfs(work: Path) -> dict[str, Path]:
    """Run the demo into `work` and print its return and the lottery's report to PDF."""
    demo = run_demo(work / "demo")
    books = {"return": demo.outputs["Consolidated return (xlsx)"],
             "F-NCLF": demo.outputs["Report for F-NCLF"]}
    out = work / "pdf"
    profile = work / "libreoffice-profile"  # its own profile: never blocks on an open office
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, books.values())],
        check=True, capture_output=True, timeout=600)
    return {key: out / f"{path.stem}.pdf" for key, path in books.items()}


def find_page(pdf: Path, sheet: str, text: str) -> int:
    """The first page whose header names `sheet` and whose text holds `text` (1-based)."""
    pages = int(next(line.split()[-1] for line in _run("pdfinfo", str(pdf)).splitlines()
                     if line.startswith("Pages:")))
    for page in range(1, pages + 1):
        content = _run("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-")
        header = next((line for line in content.splitlines() if line.strip()), "")
        if header.rstrip().endswith(sheet) and text in content:
            return page
    raise SystemExit(f"no page of {pdf.name} shows sheet {sheet!r} with {text!r}")


def _png(pdf: Path, page: int, target: Path) -> None:
    stem = target.with_suffix("")
    _run("pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(stem))


def _run(*command: str) -> str:
    done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)
    return done.stdout


if __name__ == "__main__":
    raise SystemExit(main())

"""The catalogue of issue codes: data, one entry per problem a user can meet.

Codes are stable: tools and receiving departments filter on them. Add new codes here, never
reuse or rename one. Message and hint templates take `{value}`, `{expected}` and any named
parameters the stage passes. `tests/test_docs.py` fails if a code is missing from
`docs/issues.md`, which `fundflow docs` regenerates.
"""

from __future__ import annotations

from typing import NamedTuple


class Entry(NamedTuple):
    """A catalogue entry: severity ('error', 'warning', 'info'), message, action to take."""

    severity: str
    message: str
    hint: str
    example: str = ""


CATALOGUE: dict[str, Entry] = {
    # --- money and values -------------------------------------------------------------------
    "money-invalid": Entry(
        "error",
        "'{value}' is not an amount of money.",
        "Type the amount as a number such as 1,234.56 or (1,234.56) for a negative; "
        "remove words and symbols other than £.",
        "'about 5k' in a spend column",
    ),
    "money-too-precise": Entry(
        "error",
        "'{value}' has fractions of a penny.",
        "Round the amount to whole pence in the source file, or set `round: half-even` on the "
        "field in the adapter if the funder's template computes it.",
        "1234.567",
    ),
    "money-too-large": Entry(
        "error",
        "'{value}' is larger than fundflow can hold (up to £9,999,999,999,999,999.99).",
        "Check the units: an amount in £ may have been typed into a £000s or £m column.",
        "1e30",
    ),
    # --- ledger -------------------------------------------------------------------------------
    "ledger-in-use": Entry(
        "error",
        "The ledger {path} is being written by another fundflow process.",
        "Wait for the other import to finish, then run this command again.",
    ),
    "ledger-unreadable": Entry(
        "error",
        "The ledger {path} cannot be opened: {reason}.",
        "Check the path; if the file is not a fundflow ledger, point --ledger at another file.",
    ),
    "ledger-newer": Entry(
        "error",
        "The ledger {path} was written by a newer fundflow (schema migration {migration}).",
        "Upgrade fundflow before opening this ledger.",
    ),
    "submission-unchanged": Entry(
        "info",
        "{file} was imported before with the same contents; nothing changed.",
        "No action needed.",
    ),
    "submission-supersedes": Entry(
        "info",
        "{file} replaces the earlier return for {stream} {period} ({earlier}).",
        "No action needed: the earlier return stays in the ledger's history.",
    ),
    "submission-write-failed": Entry(
        "error",
        "{file} could not be written to the ledger, so nothing from it was saved: {reason}.",
        "Run the import again; if it fails again, report it with this message.",
    ),
    # --- reference data, crosswalks and mapping (reference.py, apportion.py) ------------------
    "reference-unreadable": Entry(
        "error",
        "This reference file cannot be read: {reason}.",
        "Fix the YAML syntax (indentation, quotes, colons) in the file named, then run again.",
        "a tab character used for indentation in taxonomy.yaml",
    ),
    "reference-invalid": Entry(
        "error",
        "This reference file is not valid at {at}: {reason}.",
        "Correct the entry named; `fundflow docs` writes the JSON Schema of every reference file.",
        "shares for 'Staff salaries' add up to 99, not 100",
    ),
    "crosswalk-unknown-code": Entry(
        "error",
        "The crosswalk maps '{label}' to the {axis} code '{value}', which is not in the "
        "canonical taxonomy.",
        "Use a code listed in schemas/taxonomy.yaml (or indicators.yaml), or add the code "
        "there first.",
        "'Staff costs' mapped to EMP.SALARY instead of EMP.SAL",
    ),
    "crosswalk-overlap": Entry(
        "error",
        "Crosswalk versions {first} and {second} of {value} are both in force on some dates.",
        "Set effective_to on the earlier version to the day before the later one starts.",
        "version 1 with no effective_to and version 2 from 2025-04-01",
    ),
    "category-unmapped": Entry(
        "warning",
        "{count} entries ({amount}) from {funder} have the category '{value}', which no "
        "crosswalk maps; they are kept under UNMAPPED.",
        "Add the label to the funder's crosswalk in schemas/crosswalks/ and import again.",
        "'Misc. costs' in a funder return with no crosswalk entry",
    ),
    # --- periods (periods.py, apportion.py) ---------------------------------------------------
    "period-unknown": Entry(
        "error",
        "'{value}' is not a period fundflow recognises{reason}.",
        "Use a label such as '2025/26 Q1', 'H1 (Apr-Sep) 2025/26', 'Apr-25' or "
        "'01/04/2025 - 30/06/2025', or set the year convention for this funder.",
        "'Q5 2025/26'",
    ),
    "period-open": Entry(
        "warning",
        "The period {value} has no start or no end, so its amount cannot be spread over months; "
        "it is kept unapportioned.",
        "No action needed for 'Before'/'Beyond' columns; otherwise check the period label.",
        "'Beyond 25/26'",
    ),
    "period-reversed": Entry(
        "error",
        "The period {value} ends before it starts; its amount is kept unapportioned.",
        "Check the period's start and end dates in the source file.",
        "2026-03-31 to 2025-04-01",
    ),
    "cumulative-decreased": Entry(
        "warning",
        "The cumulative figure fell from {previous} to {current} at {value}, giving a negative "
        "period figure.",
        "Check whether the return restated an earlier period or the figure is not cumulative.",
        "spend to date 12,000 in Q2 then 11,500 in Q3",
    ),
    # --- reading files: guard and readers (fundflow.guard, fundflow.readers) ---------------
    "file-empty": Entry(
        "error",
        "{file} is empty (0 bytes).",
        "The upload or copy failed: ask the funder or partner to send the file again.",
        "a 0-byte grants.xlsx",
    ),
    "file-not-spreadsheet": Entry(
        "error",
        "{file} is not a spreadsheet fundflow can read: {reason}.",
        "Open it in Excel and save it as Excel Workbook (.xlsx) or CSV UTF-8, then import "
        "that copy.",
        "a CSV renamed to .xlsx, a PDF, a Word document",
    ),
    "file-encrypted": Entry(
        "error",
        "{file} is password-protected, so it cannot be read.",
        "Open it in Excel with the password, remove it (File > Info > Protect Workbook > "
        "Encrypt with Password, clear the box) and save an unprotected copy to import.",
        "an xlsx saved with 'Encrypt with Password'",
    ),
    "file-strict-ooxml": Entry(
        "error",
        "{file} is saved as 'Strict Open XML Spreadsheet', which fundflow does not read.",
        "Open it in Excel and save it as 'Excel Workbook (.xlsx)', then import that copy.",
        "an xlsx using the http://purl.oclc.org/ooxml/ namespaces",
    ),
    "file-corrupt": Entry(
        "error",
        "{file} is damaged and cannot be read: {reason}.",
        "Ask for the file again; if Excel can open and repair it, save the repaired copy.",
        "a truncated download, a zip with a bad checksum",
    ),
    "file-legacy-xls": Entry(
        "info",
        "{file} is an old Excel 97-2003 workbook (.xls); it is read in an isolated process.",
        "No action needed; saving it as .xlsx makes later imports faster and more reliable.",
        "returns.xls",
    ),
    "zip-bomb": Entry(
        "error",
        "{file} expands to far more data than its size suggests ({what}: {found}, "
        "limit {limit}), so it was not opened.",
        "If the file is genuine, raise the limit with {option}; otherwise delete it.",
        "a 2 MB xlsx that expands to 2 GB",
    ),
    "zip-unsafe-name": Entry(
        "error",
        "{file} contains an unsafe or duplicated internal part name '{value}', so it was not "
        "opened.",
        "Excel never writes such files: open the original in Excel and save a fresh copy.",
        "../../evil.txt inside an xlsx",
    ),
    "xml-doctype": Entry(
        "error",
        "{file} contains an XML document type declaration in part '{part}', which Excel never "
        "writes and which can be used to attack readers.",
        "Open the file in Excel and save a fresh copy; if it was produced by a tool, report "
        "it to the tool's makers.",
        "<!DOCTYPE with entities in xl/worksheets/sheet1.xml",
    ),
    "sheet-too-large": Entry(
        "error",
        "Sheet '{sheet}' uses {found} (from {first} to {last}), more than the limit of "
        "{limit}.",
        "Delete stray cells far from the data (Ctrl+End in Excel shows the last used cell) "
        "and save again; or raise the limit with {option}.",
        "one value in XFD1048576 beside a 20-row table",
    ),
    "limit-exceeded": Entry(
        "error",
        "{file} goes over the limit on {what}: {found} found, limit {limit}.",
        "If the file is genuine, raise the limit with {option}.",
        "a 300 MB file with --max-file-mb 200",
    ),
    "parser-crashed": Entry(
        "error",
        "Reading {file} failed inside the isolated reader process: {reason}.",
        "The file is too large or malformed for the reader. If it is genuine, open it in "
        "Excel and save a fresh copy, or raise {option}; nothing from it was imported.",
        "a workbook that needs more than 4 GB of memory to read",
    ),
    "parser-failed": Entry(
        "error",
        "The spreadsheet reader could not read {file}: {reason}.",
        "Open the file in Excel and save a fresh copy as .xlsx, then import that copy.",
        "unrecognized entity in a worksheet",
    ),
    "sheet-not-read": Entry(
        "warning",
        "Sheet '{sheet}' of {file} was not read: {reason}.",
        "Chart sheets hold no cells and can be ignored; otherwise save a fresh copy in Excel.",
        "a chart sheet",
    ),
    "sheet-hidden-skipped": Entry(
        "info",
        "Sheet '{sheet}' of {file} is {visibility} and was left out.",
        "Read hidden sheets too if the return keeps data there.",
        "a veryHidden lookup sheet",
    ),
    "csv-encoding": Entry(
        "error",
        "{file} is not text in UTF-8 or Windows-1252: {reason}.",
        "Save it from Excel as 'CSV UTF-8 (Comma delimited)', or name its encoding with "
        "--encoding (for example --encoding utf-16).",
        "a UTF-16 'Unicode Text' export",
    ),
    "csv-encoding-guessed": Entry(
        "info",
        "{file} is not UTF-8; it was read as Windows-1252 (£ is byte A3).",
        "Check that accented letters and £ signs look right; if not, name the encoding with "
        "--encoding.",
        "a CSV saved by older Excel as 'CSV (Comma delimited)'",
    ),
}

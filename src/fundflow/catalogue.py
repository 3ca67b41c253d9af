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
        "Type the amount as a number such as 1,234.56, with (1,234.56) or -1,234.56 for a "
        "negative; remove words, spaces inside the number and currencies other than £.",
        "'about 5k' in a spend column",
    ),
    "money-too-precise": Entry(
        "error",
        "'{value}' has fractions of a penny.",
        "Round the amount to whole pence in the source file, or set `rounding: half-even` on the "
        "field in the adapter if the funder's template computes it.",
        "1234.567",
    ),
    "money-too-large": Entry(
        "error",
        "'{value}' is larger than fundflow can hold (up to £9,999,999,999,999,999.99).",
        "Check the units: an amount in £ may have been typed into a £000s or £m column.",
        "1e+20",
    ),
    "number-invalid": Entry(
        "error",
        "'{value}' is not a number.",
        "Type a plain number such as 1,234 or 12.5, without words or units.",
        "'twelve' in a count of people",
    ),
    "value-negative": Entry(
        "warning",
        "'{value}' in field '{field}' of table '{table}' is negative, which the template "
        "does not allow.",
        "Check the figure with the return's author: a reduction is usually reported as a "
        "lower figure, not a negative one. The value is imported as written.",
        "a forecast of -250.00",
    ),
    "value-below-zero": Entry(
        "error",
        "'{value}' in field '{field}' of table '{table}' is below zero; the funder's rules "
        "require 0 or more here.",
        "Enter the amount as 0 or more. A refund or correction goes where the funder's "
        "guidance says (often a lower figure in the period it happened), not as a negative.",
        "-429 in a spend forecast",
    ),
    "number-not-whole": Entry(
        "error",
        "'{value}' is not a whole number.",
        "Type a whole number here, such as 12; counts cannot have decimal places.",
        "12.5 in a count of sessions",
    ),
    "number-too-precise": Entry(
        "error",
        "'{value}' has more decimal places than this field keeps.",
        "Round the value in the source file, or set `rounding: half-even` on the field in the "
        "adapter if the funder's template computes it.",
        "0.1234567 where six places are kept",
    ),
    "number-too-large": Entry(
        "error",
        "'{value}' is larger than this field can hold.",
        "Check the value and its units; a total or a reference number may be in the wrong column.",
        "1e+20",
    ),
    "percent-invalid": Entry(
        "error",
        "'{value}' is not a percentage.",
        "Type a percentage such as 45% or the fraction 0.45.",
        "'about half'",
    ),
    "date-invalid": Entry(
        "error",
        "'{value}' is not a date.",
        "Type the date as day/month/year, e.g. 31/03/2026.",
        "31/02/2026",
    ),
    "date-out-of-range": Entry(
        "error",
        "'{value}' is a date before 1900 or after 2199.",
        "Check the year: it may have been typed with too few digits (0026 for 2026).",
        "31/03/0026",
    ),
    "date-phantom-1900": Entry(
        "error",
        "'{value}' is Excel's day 60, the 29 February 1900 that never existed (a date cell "
        "shows it as 28/02/1900, the same as day 59).",
        "Type the real date: Excel counts 1900 as a leap year only to match Lotus 1-2-3, so its "
        "dates before March 1900 cannot be trusted.",
        "60 in a 1900-based date cell",
    ),
    "month-invalid": Entry(
        "error",
        "'{value}' is not a month.",
        "Type the month as Apr-25, April 2025 or 2025-04.",
        "Q1",
    ),
    "boolean-invalid": Entry(
        "error",
        "'{value}' is not yes or no.",
        "Answer Yes or No (Y/N, True/False and 1/0 are also understood).",
        "maybe",
    ),
    "text-invalid-character": Entry(
        "error",
        "'{value}' contains a hidden control or direction character.",
        "Retype the text, or paste it as plain text, so that no invisible characters remain.",
        "a zero-width space before a project name",
    ),
    "value-not-allowed": Entry(
        "error",
        "'{value}' is not one of the values allowed here.",
        "Choose a value from the template's drop-down list; if the value is right, add it to "
        "the lookup for this field in the adapter.",
        "'Amber-Green' where the list has 'Amber/Green'",
    ),
    "value-placeholder": Entry(
        "error",
        "'{value}' is the template's placeholder, not an answer.",
        "Pick a value from the drop-down list, or clear the cell if the question does not apply. "
        "A FILL-IN-... value comes from a drafted adapter: write the real value in the adapter.",
        "< Select >",
    ),
    "required-missing": Entry(
        "error",
        "A value is required here, but the cell is empty.",
        "Fill in the cell; if nothing applies, enter 0 or the answer the funder's guidance asks "
        "for.",
        "an empty award amount",
    ),
    # --- adapters and import -------------------------------------------------------------
    "adapter-invalid": Entry(
        "error",
        "The adapter spec {file} is not valid: {reason}.",
        "Correct the spec at the key named; docs/adapter-reference.md lists every key and "
        "field, and `fundflow adapters show ID` prints a working adapter to compare with. "
        "Until it loads, the adapter is not used at all.",
        "tables.spend.fields.categroy: not a field of a `finance` table (did you mean "
        "`category`?)",
    ),
    "adapter-none": Entry(
        "error",
        "No adapter recognises this file. Closest: {closest} ({reason}).",
        "If this is that funder's return and its template changed, copy that adapter "
        "(`fundflow adapters show ID`) and change the sheet name, cell or header text its "
        "`match` names to what the file now has; for a new funder, draft an adapter with "
        "`fundflow adapters suggest FILE`.",
        "there is no sheet '4a - Funding Profiles'",
    ),
    "adapter-ambiguous": Entry(
        "error",
        "More than one adapter recognises this file: {adapters}.",
        "Make the `match` rules of those adapters more specific (a sheet name or a title "
        "cell), so exactly one claims the file.",
        "two copies of an adapter with different ids in one --adapters folder",
    ),
    "template-drift": Entry(
        "warning",
        "Table '{table}' on sheet '{sheet}' (header in row {row}) does not match the adapter's "
        "layout: {differences}.",
        "The funder may have changed the template: if a column was renamed, update the "
        "adapter's `column` to the new header (or ask the funder which template is current); "
        "new columns are left unread until the adapter names them.",
        "column 'Amount claimed £' is missing; 'Amount claimed (£)' is new: renamed?",
    ),
    "suggest-no-table": Entry(
        "error",
        "No table with figures was found in {file}, so no adapter could be drafted.",
        "A draft needs a header row above rows holding numbers. Check the file is the return "
        "itself (not a cover sheet), or write the adapter by hand from `fundflow adapters "
        "show funding-register`.",
        "a workbook of instructions only",
    ),
    "file-not-found": Entry(
        "error",
        "The file {file} does not exist.",
        "Check the path and the file name.",
        "a typo in the path given to import",
    ),
    "sheet-missing": Entry(
        "error",
        "The sheet '{sheet}' for table '{table}' is not in the workbook (it has: {expected}).",
        "The funder may have renamed the sheet: rename it back, or update the adapter's "
        "`sheet`.",
        "'4a - Funding Profiles'",
    ),
    "table-not-found": Entry(
        "error",
        "Table '{table}' was not found on sheet '{sheet}': {reason}.",
        "Check that the table's heading is still there and spelt as the template has it.",
        "no cell matching 'Financial Year'",
    ),
    "column-missing": Entry(
        "error",
        "{column} of table '{table}' is missing from the header in row {row}.",
        "The template may have changed: restore the column, or change the column's header "
        "text in the adapter to the one the template now uses.",
        "'Amount claimed £'",
    ),
    "column-unknown": Entry(
        "warning",
        "Column '{value}' of table '{table}' is not read by the adapter.",
        "If the column holds money or figures the return needs, add it to the adapter; "
        "otherwise set `contract.unknown_columns: ignore`.",
        "'Comments'",
    ),
    "label-missing": Entry(
        "error",
        "The label '{value}' was not found in table '{table}'.",
        "Check the form: the question may have been reworded or deleted.",
        "a form whose 'Project name' label was reworded",
    ),
    "field-missing": Entry(
        "error",
        "Table '{table}' gives no {expected}.",
        "Add the field to the adapter's `fields`.",
        "a finance table without a period",
    ),
    "field-no-value": Entry(
        "error",
        "The adapter found no value for '{field}' of table '{table}' (its source is a "
        "{source}).",
        "Check the adapter: a `context` name, or a name in braces in a `template`, must name a "
        "value the file has (the file's `period` and every `context` entry are available).",
        "template '{quarter}' with no value called quarter",
    ),
    "value-unaccounted": Entry(
        "error",
        "'{value}' in this cell was neither read as a value nor reported as a problem.",
        "This is a fault in fundflow or in the adapter (a step turned the text into nothing): "
        "report it with this message. The file was not imported, so nothing was lost.",
        "a cell whose text a parser turned into nothing",
    ),
    "record-incomplete": Entry(
        "error",
        "The row at this cell lacks {value}, so it cannot be recorded.",
        "Fill in the missing values in that row of the source file.",
        "a spend row with no stream id",
    ),
    "period-missing": Entry(
        "error",
        "The return's reporting period could not be found in {file}.",
        "Fill in the reporting period (usually on the first sheet).",
        "a blank reporting period on the cover sheet",
    ),
    "cell-error": Entry(
        "error",
        "The cell shows the Excel error {value} instead of a value.",
        "Fix the formula (for #DIV/0! check for a zero divisor, for #N/A a missing lookup "
        "value, for #REF! a deleted cell), or type the value.",
        "#DIV/0!",
    ),
    "formula-without-value": Entry(
        "error",
        "The cell holds a formula whose result was never saved, so its value is unknown.",
        "Open the file in Excel or LibreOffice, let it calculate, and save it again; or type "
        "the value instead of the formula.",
        "a file written by a script, never opened in Excel",
    ),
    # --- collect (receiving departments) ---------------------------------------------------
    "collect-unreadable": Entry(
        "error",
        "{file} cannot be collected: {reason}.",
        "Ask the partnership for the .json (or the Data .csv) that `fundflow return` wrote; "
        "a return edited by hand may no longer be readable.",
        "a return saved as PDF",
    ),
    "collect-unreconciled": Entry(
        "error",
        "The collected figures of {file} add up to {value}, but the return says {expected}.",
        "Report this as a fault: nothing should change a return's figures on the way in.",
        "a hand-typed total that differs from its lines",
    ),
    "collect-open-period": Entry(
        "warning",
        "{value} figures in the return have no month (open 'before' or 'beyond' periods) "
        "and were not collected.",
        "These are usually historic or future totals; the return's own Data sheet keeps them.",
        "a 'Before 2024/25' column",
    ),
    "collect-no-streams": Entry(
        "warning",
        "{file} holds figures only, not the streams' awards and conditions, so the "
        "ring-fencing and funding-cycle analyses cannot include this partnership.",
        "Collect the return's .json instead of its Data .csv.",
        "a finance return with no funding register",
    ),
    "collect-tampered": Entry(
        "error",
        "{file} was changed after it was written: its {part} no longer match the hash on its "
        "cover ({expected}…), so it was not collected.",
        "Ask the partnership to send the return again exactly as `fundflow return` wrote it; "
        "a return must never be edited by hand.",
        "an amount edited in the JSON",
    ),
    "collect-truncated": Entry(
        "error",
        "{file} is cut short: it ends ({value}) before the return does, so it was not "
        "collected.",
        "Ask the partnership to send the file again (an e-mail or upload stopped part-way).",
        "half a file",
    ),
    "collect-version-unknown": Entry(
        "error",
        "{file} is a return of interchange version {value}; this fundflow reads versions "
        "{expected}, so it was not collected.",
        "Update fundflow (a newer version wrote it), or ask the partnership for a return in "
        "a version listed.",
        "schema_version 3",
    ),
    "collect-return-unreconciled": Entry(
        "error",
        "{file} does not reconcile at {value}: {reason}, so it was not collected.",
        "Ask the partnership to build the return again: `fundflow return` never writes one "
        "that does not reconcile, so this one was changed or written by another tool.",
        "a reconciliation row with a difference",
    ),
    "collect-funder-report": Entry(
        "error",
        "{file} is a funder's report (for {value}), not the partnership's consolidated "
        "return, so it was not collected.",
        "Collect the consolidated return (`fundflow return`); a funder's report holds one "
        "funder's streams only.",
        "a report written with `fundflow report --funder`",
    ),
    "compare-empty": Entry(
        "warning",
        "The ledger holds no collected partnerships, so there is nothing to compare for "
        "{value}.",
        "Collect the partnerships' returns first (`fundflow collect FOLDER --ledger FILE`) and "
        "give the same --ledger to `fundflow compare`.",
        "compare run on a partnership's own ledger",
    ),
    "collect-replaced": Entry(
        "info",
        "{file} replaces the return collected earlier from {partnership} for {value} "
        "({expected}); the earlier one is kept in the history.",
        "Nothing to do if the partnership sent a correction; otherwise check the two files "
        "are from the same partnership.",
        "a corrected return",
    ),
    # --- ledger -------------------------------------------------------------------------------
    "ledger-in-use": Entry(
        "error",
        "The ledger {path} is being written by another fundflow process.",
        "Wait for the other import to finish, then run this command again.",
        "an import still running in another window",
    ),
    "ledger-unreadable": Entry(
        "error",
        "The ledger {path} cannot be opened: {reason}.",
        "Check the path; if the file is not a fundflow ledger, point --ledger at another file. "
        "A damaged ledger cannot be mended: restore it from your last backup.",
        "a ledger copied while it was being written",
    ),
    "ledger-newer": Entry(
        "error",
        "The ledger {path} was written by a newer fundflow (schema migration {migration}).",
        "Upgrade fundflow before opening this ledger.",
        "a ledger from a colleague on a newer fundflow",
    ),
    "submission-unchanged": Entry(
        "info",
        "{file} was imported before with the same contents; nothing changed.",
        "No action needed.",
        "the same file imported twice",
    ),
    "submission-supersedes": Entry(
        "info",
        "{file} replaces the earlier return for {stream} {period} ({earlier}).",
        "No action needed: the earlier return stays in the ledger's history.",
        "a corrected Q2 return",
    ),
    "submission-write-failed": Entry(
        "error",
        "{file} could not be written to the ledger, so nothing from it was saved: {reason}.",
        "Run the import again; if it fails again, report it with this message.",
        "a full disk",
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
    "indicator-unmapped": Entry(
        "warning",
        "The indicator '{value}' from {funder} is not mapped to a canonical indicator; its "
        "values are kept under UNMAPPED.",
        "Add the indicator to the funder's crosswalk in schemas/crosswalks/ (indicators: "
        "label -> id from schemas/indicators.yaml) and build the return again.",
        "'No. of beneficiaries' in a funder return with no indicator crosswalk entry",
    ),
    # --- returns and reports (fundflow.returns) -----------------------------------------------
    "return-unreconciled": Entry(
        "error",
        "The return's total for {value} is {return_total}, but the file's control total is "
        "{file_total}.",
        "This is a fundflow bug: money was lost or added between the ledger and the return. "
        "Please report it with the ledger file; do not submit the return.",
        "a submission of £10,000.00 shown as £9,999.99",
    ),
    "return-other-basis": Entry(
        "info",
        "{amount} of {measure} for {value} is on the {basis} basis, not the {expected} basis "
        "the return counts for that stream; it is shown separately and not added to the "
        "return's totals.",
        "No action needed if the funder reports on that basis; otherwise ask for figures on "
        "the return's basis.",
        "accrued spend in a return on the defrayed basis",
    ),
    "return-balance-negative": Entry(
        "warning",
        "{value}'s balance is {balance}: spent to date ({spent}) and forecast ({forecast}) "
        "together exceed the award of {award}.",
        "Check the forecast with the project lead; agree any overspend, or a variation to the "
        "award, with the funder before the next claim.",
        "award £10,000.00, spent £8,000.00, forecast £3,000.00",
    ),
    "return-empty": Entry(
        "warning",
        "The ledger holds no figures for {value}{funder}.",
        "Import the funders' returns first (`fundflow import`), or check --year, --quarter "
        "and --funder.",
        "--year 2031-32",
    ),
    "return-analysis-failed": Entry(
        "warning",
        "The ring-fencing, funding-horizon and burden analyses for {value} could not be "
        "computed ({reason}); those sections show simple figures from the register instead.",
        "This is a fundflow bug: report it with the ledger file. Every other section of the "
        "return is complete; `fundflow analyse` shows which analysis fails.",
        "ZeroDivisionError in an analysis",
    ),
    "output-format-unknown": Entry(
        "error",
        "fundflow cannot write '{value}': the file name must end in {expected}.",
        "Name the output file with one of those extensions, e.g. return.xlsx.",
        "return.pdf",
    ),
    "annotate-refused": Entry(
        "warning",
        "No annotated copy of {file} was written: {reason}.",
        "The problems are all listed above (and in --json); fix them in the original file, or "
        "open it in Excel, save a fresh copy and annotate that.",
        "a workbook part larger than 64 MB",
    ),
    # --- analyses (fundflow.analysis) ----------------------------------------------------------
    "spend-not-eligible": Entry(
        "warning",
        "{amount} of spend on {stream} is in category {value}, which the stream's conditions do "
        "not allow (eligible: {expected}).",
        "Check the entry's category and the crosswalk that mapped it; if the spend is right, "
        "move it to an eligible stream or agree a variation with the funder before the claim.",
        "EMP.SAL spend on a capital-only stream (eligible: CAP)",
    ),
    "fund-receipts-missing": Entry(
        "warning",
        "The balance of {value} cannot be rolled forward: its returns report spend but no "
        "receipts for {years}, so its opening and closing balances for {year} are unknown "
        "(without those receipts they would show a deficit that is not real).",
        "Import the receipts for those years (the funder's remittances or statements), or "
        "ask the funder for them; the roll-forward shows the balance once they are in.",
        "S-TTF-21 with receipts reported for 2021-22 only",
    ),
    "fund-overspent": Entry(
        "warning",
        "{value} closes {year} overspent: {amount} more has been spent than received "
        "(carried forward {balance}).",
        "Check the spend against the grant's conditions and agree with the funder how the "
        "overspend is met before the claim.",
        "a fund carried forward at -£2,000.00",
    ),
    "analysis-no-streams": Entry(
        "warning",
        "The ledger holds no funding streams live in {value}, so there is nothing to analyse.",
        "Import the partnership's funding register first (`fundflow import register.xlsx`), or "
        "check --year and --as-at.",
        "--year 2031-32 on a ledger whose streams end in 2027",
    ),
    "burden-assumptions-invalid": Entry(
        "error",
        "The burden assumptions in {path} could not be used: {reason}.",
        "Start from a copy of the bundled schemas/burden.yaml and change only the figures; "
        "every key it has is required and no other key is allowed.",
        "hourly_cost: thirty pounds",
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
    "period-open-bounded": Entry(
        "info",
        "The open period '{value}' was stored as {expected}, closed at the programme bound the "
        "adapter declares.",
        "No action needed; the funder's label is kept. Change `open_periods` in the adapter if "
        "the programme's first or last possible day differs.",
        "'Before 2020/21' stored as 2019-04-01 to 2020-03-31",
    ),
    "record-duplicate": Entry(
        "warning",
        "Table '{table}' repeats {fields} '{value}' (first at {first}).",
        "Check whether the same item is claimed or reported twice; if it is, correct the return "
        "with the funder. Both records are imported as the file states them.",
        "family FAM-544824-003 + outcome 4 claimed twice",
    ),
    "check-over-limit": Entry(
        "error",
        "{check}: {field} comes to {value}{group}{lines}, more than the limit of {expected} "
        "(over by {difference}).",
        "Check the figures in the cells named against the allocation or limit the funder set; "
        "correct the return, or agree a change with the funder before reporting more.",
        "a project's capital spend of £2,483,785 against an allocation of £2,475,000",
    ),
    "check-under-limit": Entry(
        "error",
        "{check}: {field} comes to {value}{group}{lines}, less than the minimum of {expected}.",
        "Fill in what the rule asks for (for example at least one other funding source); if "
        "nothing applies, ask the funder what to enter.",
        "no other funding sources entered for any project",
    ),
    "total-mismatch": Entry(
        "warning",
        "The total {value} typed at {total_cell} differs from the sum of the lines "
        "{lines} ({expected}) by {difference}.",
        "Check the lines and the total in the source file: a line may be missing or mistyped, "
        "or the total may be rounded or hard-typed. The lines are imported as written; the "
        "total row is not.",
        "a Year 1 actual total of £83,819.63 over lines adding up to £83,817.13",
    ),
    "lookup-no-match": Entry(
        "error",
        "'{value}' in field '{field}' of table '{table}' is not in the workbook's list {lookup}.",
        "Check the value against the template's list (the sheet may be hidden); the template "
        "may have changed, or the adapter's `lookup_table` points at the wrong columns.",
        "project number '21' not in 'Project Lookup'!B",
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
    # --- reading files: guard and readers (fundflow.ingest.guard, fundflow.ingest.readers) --------
    "file-empty": Entry(
        "error",
        "The file is empty (0 bytes).",
        "The upload or copy failed: ask the funder or partner to send the file again.",
        "a 0-byte grants.xlsx",
    ),
    "file-not-spreadsheet": Entry(
        "error",
        "The file is not a spreadsheet fundflow can read: {reason}.",
        "Open it in Excel and save it as Excel Workbook (.xlsx) or CSV UTF-8, then import "
        "that copy.",
        "a CSV renamed to .xlsx, a PDF, a Word document",
    ),
    "file-encrypted": Entry(
        "error",
        "The file is password-protected, so it cannot be read.",
        "Open it in Excel with the password, remove it (File > Info > Protect Workbook > "
        "Encrypt with Password, clear the box) and save an unprotected copy to import.",
        "an xlsx saved with 'Encrypt with Password'",
    ),
    "file-strict-ooxml": Entry(
        "error",
        "The file is saved as 'Strict Open XML Spreadsheet', which fundflow does not read.",
        "Open it in Excel and save it as 'Excel Workbook (.xlsx)', then import that copy.",
        "an xlsx using the http://purl.oclc.org/ooxml/ namespaces",
    ),
    "file-corrupt": Entry(
        "error",
        "The file is damaged and cannot be read: {reason}.",
        "Ask for the file again; if Excel can open and repair it, save the repaired copy.",
        "a truncated download, a zip with a bad checksum",
    ),
    "file-legacy-xls": Entry(
        "info",
        "The file is an old Excel 97-2003 workbook (.xls); it is read in an isolated process.",
        "No action needed; saving it as .xlsx makes later imports faster and more reliable.",
        "returns.xls",
    ),
    "zip-bomb": Entry(
        "error",
        "The file expands to far more data than its size suggests ({what}: {found}, "
        "limit {limit}), so it was not opened.",
        "If the file is genuine, raise the limit with {option}; otherwise delete it.",
        "a 2 MB xlsx that expands to 2 GB",
    ),
    "zip-unsafe-name": Entry(
        "error",
        "The file contains an unsafe or duplicated internal part name '{value}', so it was not "
        "opened.",
        "Excel never writes such files: open the original in Excel and save a fresh copy.",
        "../../evil.txt inside an xlsx",
    ),
    "xml-doctype": Entry(
        "error",
        "The file contains an XML document type declaration in part '{part}', which Excel never "
        "writes and which can be used to attack readers.",
        "Open the file in Excel and save a fresh copy; if it was produced by a tool, report "
        "it to the tool's makers.",
        "<!DOCTYPE with entities in xl/worksheets/sheet1.xml",
    ),
    "sheet-too-large": Entry(
        "error",
        "Sheet '{tab}' uses {found} (from {first} to {last}), more than the limit of "
        "{limit}.",
        "Delete stray cells far from the data (Ctrl+End in Excel shows the last used cell) "
        "and save again; or raise the limit with {option}.",
        "one value in XFD1048576 beside a 20-row table",
    ),
    "limit-exceeded": Entry(
        "error",
        "The file goes over the limit on {what}: {found} found, limit {limit}.",
        "If the file is genuine, raise the limit with {option}.",
        "a 300 MB file with --max-file-mb 200",
    ),
    "parser-crashed": Entry(
        "error",
        "Reading the file failed inside the isolated reader process: {reason}.",
        "The file is too large or malformed for the reader. If it is genuine, open it in "
        "Excel and save a fresh copy, or raise {option}; nothing from it was imported.",
        "a workbook that needs more than 4 GB of memory to read",
    ),
    "parser-failed": Entry(
        "error",
        "The spreadsheet reader could not read the file: {reason}.",
        "Open the file in Excel and save a fresh copy as .xlsx, then import that copy.",
        "unrecognized entity in a worksheet",
    ),
    "sheet-not-read": Entry(
        "warning",
        "Sheet '{tab}' was not read: {reason}.",
        "Chart sheets hold no cells and can be ignored; otherwise save a fresh copy in Excel.",
        "a chart sheet",
    ),
    "sheet-hidden-skipped": Entry(
        "info",
        "Sheet '{tab}' is {visibility} and was left out.",
        "Read hidden sheets too if the return keeps data there.",
        "a veryHidden lookup sheet",
    ),
    "csv-encoding": Entry(
        "error",
        "The file is not text in UTF-8 or Windows-1252: {reason}.",
        "Save it from Excel as 'CSV UTF-8 (Comma delimited)', or name its encoding in the "
        "file's adapter (for example `encoding: utf-16`).",
        "a UTF-16 'Unicode Text' export",
    ),
    "csv-encoding-guessed": Entry(
        "info",
        "The file is not UTF-8; it was read as Windows-1252 (£ is byte A3).",
        "Check that accented letters and £ signs look right; if not, name the encoding in the "
        "file's adapter (`encoding: ...`).",
        "a CSV saved by older Excel as 'CSV (Comma delimited)'",
    ),
    # --- hostile input: times, totals, outputs and ledgers (issue 11) -----------------------
    "date-time-invalid": Entry(
        "error",
        "'{value}' has a time of day that does not exist (hours run 0 to 23, minutes and "
        "seconds 0 to 59).",
        "Retype the date in the source cell: a time such as 25:00 usually means the cell was "
        "typed or converted wrongly, so the day cannot be trusted either.",
        "2025-04-01 25:00:00",
    ),
    "money-total-too-large": Entry(
        "error",
        "The amounts in this file add up to {total}, more than the ledger can hold for one "
        "return (up to £9,999,999,999,999,999.99); the largest is '{value}'.",
        "Check the units of the largest amounts: an amount in £ may have been typed into a "
        "£000s or £m column. Nothing from this file was imported.",
        "ten amounts of £999,999,999,999,999.00",
    ),
    "output-is-ledger": Entry(
        "error",
        "fundflow will not write '{value}': it is the ledger {ledger}, which would be "
        "overwritten.",
        "Give --out a new file name such as return.xlsx; the ledger is kept as it was.",
        "--out eastbrook.duckdb --ledger eastbrook.duckdb",
    ),
    "output-not-file": Entry(
        "error",
        "fundflow will not write '{value}': it is {kind}, not an ordinary file.",
        "Give --out a file name in a folder you can write to, such as return.xlsx.",
        "--out /dev/sda",
    ),
    "output-write-failed": Entry(
        "error",
        "fundflow could not write '{value}': {reason}.",
        "Choose a folder you can write to with free space, or free some space; nothing was "
        "written and any earlier file of that name is unchanged.",
        "a read-only folder",
    ),
    "report-funder-unknown": Entry(
        "error",
        "The ledger {path} has no funder '{value}'; it has {known}.",
        "Use one of those ids with --funder (`fundflow ledger summary` lists each funder's "
        "figures).",
        "--funder DPC when the id is F-DPC",
    ),
    "return-year-unknown": Entry(
        "error",
        "The ledger {path} has no figures for {value}; it has figures for {known}.",
        "Use one of those years with --year, or import that year's returns first "
        "(`fundflow import`).",
        "--year 2031-32",
    ),
    "ledger-missing": Entry(
        "error",
        "There is no ledger at {path}{known}.",
        "Name the ledger with --ledger (or set FUNDFLOW_LEDGER); `fundflow import` creates a "
        "ledger, and `fundflow demo` writes fundflow-demo/eastbrook.duckdb.",
        "`fundflow ledger summary` after `fundflow demo`, without --ledger",
    ),
    "ledger-foreign": Entry(
        "error",
        "{path} is not a fundflow ledger: {reason}.",
        "Point --ledger at a fundflow ledger, or at a new file name to start one; fundflow "
        "never writes into another program's file, and this one is unchanged.",
        "--ledger pointing at another application's DuckDB database",
    ),
    "ledger-truncated": Entry(
        "error",
        "The ledger {path} is incomplete: {reason}; it was probably cut short while being "
        "copied or saved.",
        "Restore the ledger from a backup, or copy it again from where it came from; fundflow "
        "has not changed it.",
        "a ledger copied onto a full USB stick",
    ),
    "ledger-wal-stale": Entry(
        "error",
        "The ledger {path} has a journal {wal} beside it that belongs to another copy of the "
        "ledger, typically one replaced by a backup.",
        "If you restored the ledger from a backup, move {wal} out of the folder and run the "
        "command again; fundflow does not delete it for you, and has not changed the ledger.",
        "a backup copied over eastbrook.duckdb while eastbrook.duckdb.wal stayed",
    ),
    # --- adapter specs and per-file faults (issue 12) ---------------------------------------
    "adapter-duplicate": Entry(
        "error",
        "Two adapter specs have the id '{adapter}': {file} and {other}; neither is used.",
        "Give each spec its own `id`, or remove one file. To change a bundled adapter, put "
        "your copy (same id) in an `--adapters` folder: it replaces the bundled one.",
        "two copies of icp-discharge.yaml in one --adapters folder",
    ),
    "import-fault": Entry(
        "error",
        "Reading {file} with adapter {adapter} failed unexpectedly ({reason}); nothing from "
        "it was saved, and the other files went on.",
        "This is a fault in fundflow or in the adapter, not in your figures. Run the command "
        "again with --debug for the details and report them with the adapter spec.",
        "a spec option that no check caught",
    ),
    "total-unchecked": Entry(
        "warning",
        "The total of '{field}' in table '{table}' is a formula whose result was never saved, "
        "so it could not be checked against the lines above it.",
        "Open the file in Excel or LibreOffice, let it calculate and save it, then check it "
        "again; the lines themselves were read.",
        "a Total row written by a script, never opened in Excel",
    ),
    "block-no-value": Entry(
        "error",
        "{figures} (the first at {first}) are entered under '{value}', but that label names "
        "no {field}: it looks like an unused slot of the template with money typed in it.",
        "If the money belongs to a {field}, write its name in this label (as the template asks, "
        "e.g. 'Project 4: Station Quarter'); if the slot is unused, clear its figures. Then "
        "import the file again.",
        "money in the 'Project 4:' slot of a template with three projects",
    ),
    "parse-timeout": Entry(
        "error",
        "Reading the file took longer than the {limit} allowed, so the reader was stopped; "
        "nothing from the file was imported.",
        "A genuine file this slow to read is very large: split it into smaller files, or allow "
        "more time with {option}. A small file that takes this long is malformed or was made "
        "to be hard to read; ask its sender for a fresh copy.",
        "a CSV that keeps the reader busy past --parse-timeout",
    ),
    "stream-unknown": Entry(
        "warning",
        "This return names stream '{value}' ({figures}, the first in this cell), which the "
        "funding register in the ledger does not hold.",
        "Check the stream id against the funding register: correct it in the return (or in "
        "the adapter's lookup) and import the file again, or import a register that lists the "
        "stream. Until then the return shows this money under '{value} (not in the funding "
        "register)', with no award or conditions to check it against.",
        "S-EAS-99 in a return when the register lists S-EAS-01 to S-EAS-12",
    ),
}

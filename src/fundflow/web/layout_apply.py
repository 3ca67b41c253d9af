"""Writing what the officer changed in the layout form back into the adapter's YAML.

See `fundflow.web.layout_form` for the rule: only inputs whose posted value differs from what
the `base` YAML draws are written, into the posted YAML's data, which is then rendered as YAML
for the same validation as any adapter file. Each problem with a value is said in the input's
own words (`FormError`), and a posted name the form does not know is one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fundflow.ingest.specs.fields import PLACEHOLDER, fields_of
from fundflow.ingest.specs.specload import SpecLoadError, parse_spec_text
from fundflow.ingest.suggest.render import render
from fundflow.web.layout_form import (
    FORM_CONTROL,
    MAX_TABLES,
    PARSER_OF,
    TABLE_KEYS,
    TOP_KEYS,
    same_header,
)


@dataclass(frozen=True)
class FormError:
    """A value the form cannot take: the input's posted name and what to enter instead."""

    key: str
    message: str

    @property
    def dom_id(self) -> str:
        return "f-" + self.key.replace(".", "-")


def known_key(key: str) -> bool:
    """Whether `key` is a name the layout form may post."""
    if key in FORM_CONTROL or key in TOP_KEYS:
        return True
    table, _, rest = key.partition(".")
    if not (table[:1] == "t" and table[1:].isdigit() and int(table[1:]) < MAX_TABLES):
        return False
    kind, _, name = rest.partition(".")
    if kind in ("col", "colhead"):
        return name.isdigit() and len(name) <= 3
    if kind == "const":
        return 0 < len(name) <= 40 and name.replace("_", "").isalnum()
    return rest in TABLE_KEYS


def changes(drawn: dict[str, str], posted: dict[str, str]) -> dict[str, str]:
    """The settings the officer changed: posted values that differ from those the page showed
    (`drawn`, as `SpecForm.values` gives them)."""
    return {k: v for k, v in posted.items() if k not in FORM_CONTROL and ".colhead." not in k
            and k in drawn and drawn[k] != v.replace("\r\n", "\n")}


def apply_changes(text: str, changed: dict[str, str],
                  posted: dict[str, str]) -> tuple[str, list[FormError]]:
    """`text` (the posted YAML) with `changed` written in; the new YAML text and the errors.

    With nothing changed the text is returned as it is (its comments kept); otherwise its
    leading comment lines are kept and the rest is rendered from the data."""
    errors = [FormError(k, f"The form has no setting called {k!r}: reload the page.")
              for k in posted if not known_key(k)]
    if not changed or errors:
        return text, errors
    try:
        data = parse_spec_text(text)
    except SpecLoadError as exc:
        return text, [FormError("spec", f"The YAML below cannot be read, so the form's "
                                f"changes were not applied: {exc}.")]
    if not isinstance(data, dict) or not isinstance(data.get("tables"), list):
        return text, [FormError("spec", "The YAML below is not an adapter (it needs `tables:`), "
                                "so the form's changes were not applied.")]
    for key, value in changed.items():
        error = _apply(data, key, value.replace("\r\n", "\n").strip(), posted)
        if error:
            errors.append(FormError(key, error))
    errors += _duplicate_columns(posted)
    head = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        head.append(line.removeprefix("#").removeprefix(" "))
    return render(data, {}, head), errors


def _apply(data: dict[str, Any], key: str, value: str, posted: dict[str, str]) -> str | None:
    """Write one change into the spec's data; returns what is wrong with it, or None."""
    if key in ("id", "name", "return_type"):
        if not value:
            return f"Enter the {'adapter id' if key == 'id' else key.replace('_', ' ')}."
        data[key] = value
    elif key == "funder":
        _set(data, "funder", value)
    elif key == "match.file_name":
        _set(_mapping(data, "match"), "file_name", value)
    elif key in ("match.headers", "match.sheets"):
        lines = [line.strip() for line in value.split("\n") if line.strip()]
        _set(_mapping(data, "match"), key.split(".")[1], lines)
    else:
        index, rest = key[1:].split(".", 1)
        tables = data["tables"]
        if int(index) >= len(tables) or not isinstance(tables[int(index)], dict):
            return "The YAML below has no such table any more: reload the page."
        return _apply_table(tables[int(index)], key, rest, value, posted)
    return None


def _apply_table(table: dict[str, Any], key: str, rest: str, value: str,
                 posted: dict[str, str]) -> str | None:
    fields = _mapping(table, "fields")
    kind = str(table.get("kind", ""))
    names = {d.name for d in fields_of(kind)}
    if rest.startswith("col."):
        return _apply_column(fields, names, value, posted.get(key.replace(".col.", ".colhead.")))
    if rest.startswith("const."):
        return _apply_constant(fields, rest.split(".", 1)[1], value)
    if rest in ("add_field", "add_value"):
        return _apply_added(fields, names, key, posted)
    return _apply_place(table, rest, value)


def _apply_place(table: dict[str, Any], rest: str, value: str) -> str | None:
    """Where the table is: its sheet, header, end, and its periods' year convention."""
    if rest in ("sheet", "sheet_pattern"):
        _set(table, rest, value)
        if value:
            table.pop("sheet_pattern" if rest == "sheet" else "sheet", None)
        return None
    if rest in ("end_blank_rows", "end_pattern"):
        return _apply_end(_mapping(table, "end"), rest, value)
    if rest == "period_convention":
        _set(table, rest, value)
        return None
    return _apply_header(_mapping(table, "header"), rest, value)


def _apply_header(header: dict[str, Any], rest: str, value: str) -> str | None:
    if rest == "header_anchor":
        if not value:
            return "Enter the text of the header row's first heading."
        header["anchor"] = value
        header.pop("row", None)
        return None
    top = 6 if rest == "header_rows" else 1_048_576
    number = _number(value, 1, top)
    if number is None:
        return (f"Enter a whole number from 1 to {top:,}, like "
                f"{'2' if rest == 'header_rows' else '3'}.")
    if rest == "header_rows":
        _set(header, "rows", number if number > 1 else None)
    else:
        header["row"] = number
        for stale in ("anchor", "offset", "none"):
            header.pop(stale, None)
    return None


def _apply_end(end: dict[str, Any], rest: str, value: str) -> str | None:
    if rest == "end_pattern":
        _set(end, "pattern", value)
        return None
    number = _number(value, 1, 1000) if value else None
    if value and number is None:
        return "Enter a whole number of blank rows, like 2, or leave it empty."
    _set(end, "blank_rows", number)
    return None


def _apply_column(fields: dict[str, Any], names: set[str], value: str,
                  header: str | None) -> str | None:
    """Read column `header` as field `value` (none when empty) instead of what it was."""
    if header is None:
        return "The form lost the column's heading: reload the page."
    if value and value not in names:
        return f"{value!r} is not a field of this table; choose one from the list."
    for name, src in list(fields.items()):
        if isinstance(src, dict) and same_header(str(src.get("column", "")), header):
            del fields[name]
    if value:
        source: dict[str, Any] = {"column": header}
        if value in PARSER_OF:
            source["parser"] = PARSER_OF[value]
        fields[value] = source
    return None


def _apply_constant(fields: dict[str, Any], name: str, value: str) -> str | None:
    if name not in fields:
        return f"The YAML below has no field {name!r} any more: reload the page."
    src = fields[name]
    if not value:
        del fields[name]
    elif isinstance(src, dict) and "const" in src and \
            not str(src["const"]).startswith(PLACEHOLDER):
        src["const"] = value
    else:
        fields[name] = {"const": value}
    return None


def _apply_added(fields: dict[str, Any], names: set[str], key: str,
                 posted: dict[str, str]) -> str | None:
    prefix = key.rsplit(".", 1)[0]
    name = posted.get(prefix + ".add_field", "").strip()
    value = posted.get(prefix + ".add_value", "").strip()
    if not name or not value:
        return "Choose the field and enter its value, or leave both empty."
    if name not in names:
        return f"{name!r} is not a field of this table; choose one from the list."
    fields[name] = {"const": value}
    return None


def _duplicate_columns(posted: dict[str, str]) -> list[FormError]:
    """Two columns read as the same field: the second one is the error."""
    seen: dict[tuple[str, str], str] = {}
    errors = []
    for key, value in posted.items():
        if ".col." not in key or not value:
            continue
        table = key.split(".", 1)[0]
        if (table, value) in seen:
            errors.append(FormError(key, f"Two columns are read as {value!r}: "
                                         f"{posted.get(seen[table, value], '')!r} and "
                                         f"{posted.get(key.replace('.col.', '.colhead.'), '')!r}. "
                                         "Choose one."))
        else:
            seen[table, value] = key.replace(".col.", ".colhead.")
    return errors


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        value = data[key] = {}
    return value


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    """Set `key`, or leave it out when the value is empty (the spec's default)."""
    if value in ("", None, []):
        data.pop(key, None)
    else:
        data[key] = value


def _number(text: str, low: int, high: int) -> int | None:
    if not text.isdigit() or len(text) > 8:
        return None
    number = int(text)
    return number if low <= number <= high else None

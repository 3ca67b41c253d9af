"""The adapter reference is complete (issue 12 item 2): every spec model, every key of
every model, every field of every table kind and every parser has its place, and the period
examples it shows are read as shown."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from fundflow.docgen import PERIOD_EXAMPLES, SPEC_MODELS, adapter_reference_md
from fundflow.ingest.parsers import PARSERS
from fundflow.ingest.specs import spec as adapter_spec
from fundflow.ingest.specs.fields import FIELD_NAMES, fields_of
from fundflow.ingest.specs.spec_cells import StrictModel
from fundflow.mapping.periods import Period, parse_period

REFERENCE = adapter_reference_md()


def _section(title: str) -> str:
    """The text from a `## title` heading to the next heading of the same or higher level."""
    found = re.search(rf"^#+ `{re.escape(title)}`\n(.*?)(?=^#{{1,2}} )", REFERENCE + "\n# end",
                      re.S | re.M)
    assert found, f"the reference has no section for `{title}`"
    return found.group(1)


def _models() -> list[type[BaseModel]]:
    return [m for _, m in inspect.getmembers(adapter_spec, inspect.isclass)
            if issubclass(m, BaseModel) and m.__module__.startswith(adapter_spec.__name__)
            and m is not StrictModel]  # spec.py and the spec_* modules it re-exports


def test_every_spec_model_is_in_the_reference() -> None:
    missing = [m.__name__ for m in _models() if m not in SPEC_MODELS]
    assert not missing, f"add {missing} to docgen.SPEC_MODELS"


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_key_of_every_model_has_a_row_and_a_doc(model: type[BaseModel]) -> None:
    text = _section(model.__name__)
    assert (model.__doc__ or "").strip().splitlines()[0] in text
    for name in model.model_fields:
        assert f"| `{name}` |" in text, f"{model.__name__}.{name} has no row"


@pytest.mark.parametrize("kind", sorted(FIELD_NAMES))
def test_every_field_of_every_table_kind_has_a_row(kind: str) -> None:
    text = _section(kind)
    for field in fields_of(kind):
        assert f"| `{field.name}` |" in text, f"{kind} field {field.name} has no row"
        assert field.meaning, f"{kind} field {field.name} has no meaning"


def test_every_parser_has_a_section() -> None:
    for name in PARSERS:
        assert _section(name).strip()


@pytest.mark.parametrize(("label", "convention"), PERIOD_EXAMPLES)
def test_period_examples_read_as_shown(label: str, convention: str | None) -> None:
    found = parse_period(label, convention)
    assert isinstance(found, Period)
    start, end = found.start or "open", found.end or "open"
    row = f"| `{label}` | {convention or '(any)'} | {start} | {end} |"
    assert row in REFERENCE


def test_lookups_defaults_and_basis_are_explained() -> None:
    for words in ("passes through unchanged", "`default`", "no basis", "helper: true",
                  "tie-breaker"):
        assert words in REFERENCE


def test_committed_reference_is_current() -> None:
    path = Path(__file__).resolve().parents[1] / "docs" / "adapter-reference.md"
    assert path.read_text(encoding="utf-8") == REFERENCE

"""The return interchange's JSON Schema: generated, versioned, and true of a written return."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fundflow.docgen import return_schema
from fundflow.mapping.reference import Reference
from fundflow.returns.model import INTERCHANGE_VERSION
from tests.test_collect import make_reference, own_return


@pytest.fixture(scope="session")
def reference() -> Reference:
    """The bundled reference data with the test funders' crosswalks (as the returns use)."""
    return make_reference()

SCHEMA = Path(__file__).parent.parent / "schemas" / "return.schema.json"


def _check(value: Any, schema: dict[str, Any], defs: dict[str, Any], where: str) -> None:
    """A small structural check: required keys present, no key the schema does not name,
    nested objects and lists followed through `$ref`, `anyOf` accepted if one branch fits."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].split("/")[-1]]
    if "anyOf" in schema:
        errors = []
        for branch in schema["anyOf"]:
            try:
                _check(value, branch, defs, where)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{where}: no branch fits: {errors}")
    _check_typed(value, schema, defs, where)


def _check_typed(value: Any, schema: dict[str, Any], defs: dict[str, Any], where: str) -> None:
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        assert isinstance(value, dict), where
        assert set(schema.get("required", [])) <= set(value), where
        assert set(value) <= set(schema["properties"]), (where, set(value) - set(
            schema["properties"]))
        for key, item in value.items():
            _check(item, schema["properties"][key], defs, f"{where}.{key}")
    elif kind == "array":
        assert isinstance(value, list), where
        for n, item in enumerate(value[:50]):
            _check(item, schema.get("items", {}), defs, f"{where}[{n}]")
    elif kind == "null":
        assert value is None, where
    elif kind == "string":
        assert isinstance(value, str), where
    elif kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), where
    elif kind == "boolean":
        assert isinstance(value, bool), where


def test_the_schema_is_generated_and_names_its_version() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert SCHEMA.read_text(encoding="utf-8") == return_schema()
    assert schema["$id"].endswith(f"return-v{INTERCHANGE_VERSION}.json")
    cover = schema["$defs"]["Cover"]["properties"]
    for name in ("partnership", "partnership_id", "year", "quarter", "basis", "content_hash",
                 "context_hash", "reference_hash", "sign_off"):
        assert name in cover
    assert {"schema_version", "stream_terms", "other_data", "data"} <= set(
        schema["properties"])


def test_a_written_return_fits_the_schema(tmp_path: Path, reference: Reference) -> None:
    path, _ = own_return(tmp_path, reference, "Eastbrook")
    document = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    _check(document, schema, schema["$defs"], "return")
    document["cover"]["surprise"] = 1
    try:
        _check(document, schema, schema["$defs"], "return")
    except AssertionError:
        return
    raise AssertionError("an unknown key passed the check")
